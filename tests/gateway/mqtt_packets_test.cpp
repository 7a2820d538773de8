// The ingest client's MQTT 5 packets: exact bytes out, named errors for malformed bytes in.
#include <gtest/gtest.h>

#include "mqtt_packets.h"

namespace sotto::gw::mqtt {
namespace {

RawPacket whole(const std::vector<uint8_t> &bytes) {
  auto packet = split_packet(bytes.data(), bytes.size(), 1 << 20);
  EXPECT_TRUE(packet);
  return packet.value_or(RawPacket{});
}

std::string error_of(const std::vector<uint8_t> &bytes) {
  try {
    const RawPacket packet = whole(bytes);
    decode_publish(packet);
  } catch (const PacketError &error) {
    return error.what();
  }
  return "no error";
}

TEST(MqttPackets, ConnectCarriesSessionExpiryAndReceiveMaximum) {
  ConnectOptions options;
  options.client_id = "gw";
  options.keepalive_s = 30;
  options.session_expiry_s = 604800;
  options.receive_maximum = 8192;
  const std::vector<uint8_t> expected = {0x10, 23,  // CONNECT, remaining length
                                         0,    4,    'M',  'Q',  'T',
                                         'T',  5,                       // protocol name and version
                                         0x00,                          // flags: clean start off
                                         0,    30,                      // keepalive
                                         8,                             // properties length
                                         0x11, 0x00, 0x09, 0x3a, 0x80,  // session expiry 604800
                                         0x21, 0x20, 0x00,              // receive maximum 8192
                                         0,    2,    'g',  'w'};        // client id
  EXPECT_EQ(encode_connect(options), expected);
}

TEST(MqttPackets, SubscribeAsksForQos1OnEachFilter) {
  const std::vector<uint8_t> expected = {0x82, 10, 0, 1, 0, 0, 4, 'a', '/', '+', '/', 0x01};
  EXPECT_EQ(encode_subscribe(1, {"a/+/"}), expected);
}

TEST(MqttPackets, PubacksAreFourBytesEach) {
  std::vector<uint8_t> out;
  append_puback(out, 0x1234);
  append_puback(out, 7);
  EXPECT_EQ(out, (std::vector<uint8_t>{0x40, 2, 0x12, 0x34, 0x40, 2, 0, 7}));
}

TEST(MqttPackets, PublishWithPropertiesDecodes) {
  // QoS 1, DUP, topic "s/d", packet id 9, a user property and a message expiry, payload 3 bytes.
  const std::vector<uint8_t> bytes = {0x3a, 23, 0, 3,   's',  '/', 'd', 0, 9,  12,   0x26, 0,   1,
                                      'k',  0,  1, 'v', 0x02, 0,   0,   0, 60, 0xaa, 0xbb, 0xcc};
  const Publish publish = decode_publish(whole(bytes));
  EXPECT_EQ(publish.qos, 1);
  EXPECT_TRUE(publish.dup);
  EXPECT_EQ(publish.packet_id, 9);
  EXPECT_EQ(publish.topic, "s/d");
  ASSERT_EQ(publish.payload_bytes, 3u);
  EXPECT_EQ(publish.payload[0], 0xaa);
  EXPECT_EQ(publish.payload[2], 0xcc);
}

TEST(MqttPackets, PacketsSplitOnlyWhenWhole) {
  const std::vector<uint8_t> two = {0xd0, 0, 0x30, 3, 0, 1, 't'};
  auto first = split_packet(two.data(), two.size(), 100);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type(), PacketType::kPingresp);
  EXPECT_EQ(first->total_bytes, 2u);
  EXPECT_FALSE(split_packet(two.data() + 2, 4, 100));  // one byte of the PUBLISH missing
  auto second = split_packet(two.data() + 2, 5, 100);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body_bytes, 3u);
  EXPECT_THROW(split_packet(two.data() + 2, 5, 4), PacketError);  // larger than accepted
  const std::vector<uint8_t> endless = {0x30, 0xff, 0xff, 0xff, 0xff, 0x01};
  EXPECT_THROW(split_packet(endless.data(), endless.size(), 1 << 30), PacketError);
}

TEST(MqttPackets, MalformedPublishesAreNamedErrors) {
  EXPECT_EQ(error_of({0x32, 3, 0, 9, 's'}),
            "PUBLISH: expected a string of 9 bytes, only 1 left at byte 2 of 3");
  EXPECT_EQ(error_of({0x32, 5, 0, 1, 's', 0, 0}), "PUBLISH: packet identifier 0 at byte 5 of 5");
  EXPECT_EQ(error_of({0x30, 4, 0, 1, 's', 9}),
            "PUBLISH: expected properties of 9 bytes, only 0 left at byte 4 of 4");
  EXPECT_EQ(error_of({0x30, 5, 0, 1, 's', 1, 0x7f}),
            "PUBLISH: unknown property identifier 127 at byte 5 of 5");
  EXPECT_EQ(error_of({0x30, 3, 0, 0, 0}), "PUBLISH: an empty topic name at byte 3 of 3");
  EXPECT_EQ(error_of({0x36, 4, 0, 1, 's', 0}), "PUBLISH: QoS 3 at byte 0 of 4");
}

TEST(MqttPackets, ConnackReadsServerKeepalive) {
  const Connack connack = decode_connack(whole({0x20, 6, 1, 0, 3, 0x13, 0, 20}));
  EXPECT_TRUE(connack.session_present);
  EXPECT_EQ(connack.reason_code, 0);
  EXPECT_EQ(connack.server_keepalive_s, 20);
  EXPECT_EQ(decode_connack(whole({0x20, 2, 0, 0x87})).reason_code, 0x87);
  EXPECT_EQ(reason_code_name(0x87), "not authorized");
}

TEST(MqttPackets, SubackReasonCodesAreListed) {
  const Suback suback = decode_suback(whole({0x90, 5, 0, 1, 0, 1, 0x87}));
  EXPECT_EQ(suback.packet_id, 1);
  EXPECT_EQ(suback.reason_codes, (std::vector<uint8_t>{1, 0x87}));
}

}  // namespace
}  // namespace sotto::gw::mqtt
