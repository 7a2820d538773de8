// One shared-loop connection's bytes: MQTT 3.1.1 packets encoded and parsed by hand (section
// numbers are OASIS MQTT 3.1.1), sending without blocking, and dropping a connection. Every length
// from the broker is checked before it is used.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <string>

#include "mqtt_packets.h"
#include "shared_mqtt_link.h"

namespace sotto::gw::sim::shared_mqtt {

void put_u16(std::vector<uint8_t> &out, size_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

void put_string(std::vector<uint8_t> &out, const char *text, size_t len) {
  put_u16(out, len);
  out.insert(out.end(), text, text + len);
}

// Fixed header (2.2): type and flags, then the remaining length as a variable byte integer.
void put_header(std::vector<uint8_t> &out, uint8_t first_byte, size_t remaining) {
  out.push_back(first_byte);
  do {
    uint8_t digit = remaining % 128;
    remaining /= 128;
    out.push_back(static_cast<uint8_t>(digit | (remaining > 0 ? 0x80 : 0)));
  } while (remaining > 0);
}

void watch(Link *link, int epoll_fd, bool adding) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | (link->want_write ? EPOLLOUT : 0u);
  // The epoch tells an event of a connection already dropped (in the same epoll batch) apart.
  event.data.u64 = (uint64_t{link->index} << 32) | static_cast<uint32_t>(link->epoch);
  epoll_ctl(epoll_fd, adding ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, link->fd, &event);
}

void drop(Link *link, int epoll_fd, const std::string &why, Refusal refusal) {
  if (link->fd >= 0) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, link->fd, nullptr);
    close(link->fd);
    link->fd = -1;
  }
  if (link->state == State::kConnected) {
    link->stats.connection_losses += 1;
  } else if (link->state != State::kIdle) {
    link->stats.connect_failures += 1;
    link->stats.tcp_refused += refusal == Refusal::kTcp ? 1 : 0;
    link->stats.broker_refusals += refusal == Refusal::kBroker ? 1 : 0;
  }
  link->state = State::kIdle;
  link->epoch += 1;
  link->tickets.clear();
  link->ticket_of_packet.clear();
  link->in.clear();
  link->out.clear();
  link->want_write = false;
  link->ping_outstanding = false;
  link->last_error = why;
}

void flush(Link *link, int epoll_fd) {
  while (!link->out.empty()) {
    const ssize_t sent =
        send(link->fd, link->out.data(), link->out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (sent <= 0) {
      drop(link, epoll_fd, std::string("send to the broker failed: ") + std::strerror(errno));
      return;
    }
    link->out.erase(link->out.begin(), link->out.begin() + sent);
    link->last_sent = Clock::now();
  }
  const bool want_write = !link->out.empty();
  if (want_write != link->want_write) {
    link->want_write = want_write;
    watch(link, epoll_fd, false);
  }
}

void queue_subscribe(Link *link, const std::string &filter) {
  std::vector<uint8_t> body;
  link->next_packet_id = static_cast<uint16_t>(link->next_packet_id % 65535 + 1);
  put_u16(body, link->next_packet_id);
  put_string(body, filter.data(), filter.size());
  body.push_back(1);  // maximum QoS 1
  put_header(link->out, 0x82, body.size());
  link->out.insert(link->out.end(), body.begin(), body.end());
}

namespace {

// One whole packet from the broker (3.2, 3.3, 3.4, 3.9, 3.13). False: the link was dropped.
bool handle_packet(Link *link, int epoll_fd, uint8_t first_byte, const uint8_t *body, size_t len) {
  const uint8_t type = first_byte >> 4;
  if (type == 2) {  // CONNACK
    if (len < 2 || link->state != State::kMqttConnecting) {
      drop(link, epoll_fd, "unexpected CONNACK from the broker");
      return false;
    }
    if (body[1] != 0) {
      drop(link, epoll_fd,
           "the broker refused the connection (CONNACK " + std::to_string(body[1]) + ")",
           Refusal::kBroker);
      return false;
    }
    link->state = State::kConnected;
    link->stats.connects += 1;
    for (const std::string &filter : link->subscriptions) queue_subscribe(link, filter);
  } else if (type == 4) {  // PUBACK
    if (len < 2) {
      drop(link, epoll_fd, "PUBACK shorter than its packet id");
      return false;
    }
    const uint16_t packet_id = static_cast<uint16_t>((body[0] << 8) | body[1]);
    auto found = link->ticket_of_packet.find(packet_id);
    if (found != link->ticket_of_packet.end()) {
      auto ticket = link->tickets.find(found->second);
      if (ticket != link->tickets.end()) {
        ticket->second.done = true;
        ticket->second.acknowledged = true;
      }
      link->ticket_of_packet.erase(found);
    }
  } else if (type == 3) {  // PUBLISH to a device (OTA offers and the like)
    const uint8_t qos = (first_byte >> 1) & 3;
    if (len < 2) {
      drop(link, epoll_fd, "PUBLISH without a topic");
      return false;
    }
    const size_t topic_len = static_cast<size_t>((body[0] << 8) | body[1]);
    const size_t header = 2 + topic_len + (qos > 0 ? 2 : 0);
    if (header > len) {
      drop(link, epoll_fd, "PUBLISH shorter than its topic and packet id");
      return false;
    }
    if (link->incoming.size() < kIncomingMax) {
      link->incoming.emplace_back(std::string(reinterpret_cast<const char *>(body + 2), topic_len),
                                  std::vector<uint8_t>(body + header, body + len));
    }
    if (qos > 0) {
      put_header(link->out, 0x40, 2);
      link->out.push_back(body[2 + topic_len]);
      link->out.push_back(body[3 + topic_len]);
    }
  }
  // SUBACK and PINGRESP need nothing beyond the receive time the caller recorded.
  return true;
}

}  // namespace

void read_packets(Link *link, int epoll_fd) {
  uint8_t buffer[16384];
  while (true) {
    const ssize_t got = recv(link->fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (got <= 0) {
      // Closed before its CONNACK: mosquitto's answer to a connection over max_connections.
      const bool refused = link->state == State::kMqttConnecting;
      drop(link, epoll_fd,
           got == 0 ? "the broker closed the connection"
                    : std::string("receive from the broker failed: ") + std::strerror(errno),
           refused ? Refusal::kBroker : Refusal::kNone);
      return;
    }
    link->in.insert(link->in.end(), buffer, buffer + got);
    link->silent_since = Clock::now();
    link->ping_outstanding = false;
  }
  size_t at = 0;
  for (;;) {
    std::optional<mqtt::RawPacket> packet;
    try {
      packet = mqtt::split_packet(link->in.data() + at, link->in.size() - at, kMaxPacketBytes);
    } catch (const mqtt::PacketError &e) {
      drop(link, epoll_fd, std::string("from the broker: ") + e.what());
      return;
    }
    if (!packet) break;
    if (!handle_packet(link, epoll_fd, packet->first_byte, packet->body, packet->body_bytes)) {
      return;
    }
    at += packet->total_bytes;
  }
  link->in.erase(link->in.begin(), link->in.begin() + static_cast<std::ptrdiff_t>(at));
  flush(link, epoll_fd);
}

void send_connect(Link *link, uint16_t keepalive_s) {
  std::vector<uint8_t> body;
  put_string(body, "MQTT", 4);
  body.push_back(4);     // protocol level 3.1.1
  body.push_back(0x02);  // clean session
  put_u16(body, keepalive_s);
  put_string(body, link->client_id.data(), link->client_id.size());
  put_header(link->out, 0x10, body.size());
  link->out.insert(link->out.end(), body.begin(), body.end());
  link->state = State::kMqttConnecting;
}

bool awaiting_answer(const Link &link) {
  return link.state == State::kTcpConnecting || link.state == State::kMqttConnecting ||
         link.ping_outstanding || !link.ticket_of_packet.empty();
}

}  // namespace sotto::gw::sim::shared_mqtt
