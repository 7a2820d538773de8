// How sottod proves who it is to the broker and checks who the broker is: TLS with the fleet's
// CA, sottod's certificate and key (for ssl:// brokers), and a username and password when set.
// For the rollout publisher's Paho connection; the ingest client (gateway/mqtt) takes the same
// mqtt.* files through MqttSubscriberOptions.
#pragma once

#include <mqtt/connect_options.h>

#include "config.h"

namespace sotto::gw {

// Sets TLS (the highest version both sides speak: the broker refuses anything below 1.2; the
// broker's certificate checked against ca_file and its name against the host dialled) and
// credentials on options. Files are read by Paho at connect
// time; a missing or unreadable one fails the connect and is logged.
void apply_mqtt_credentials(const MqttConfig &config, mqtt::connect_options &options);

}  // namespace sotto::gw
