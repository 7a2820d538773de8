// One epoll thread for many devices' MQTT 3.1.1 connections (see the header). Section numbers
// are OASIS MQTT 3.1.1. Device threads call the port functions; the loop thread reads, parses and
// flushes; one mutex guards every link, held only for short, non-blocking work.
#include "shared_mqtt_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "shared_mqtt_link.h"

namespace sotto::gw::sim {

using namespace shared_mqtt;  // NOLINT(google-build-using-namespace): this file's own helpers

namespace {

// ---- port functions (device threads) --------------------------------------------------------

sotto_err_t port_connect(void *ctx) {
  SharedMqttLoop::connect(static_cast<Link *>(ctx));
  return SOTTO_OK;  // a start that failed shows as LINK_DOWN: the SDK counts a failed attempt
}

sotto_link_state_t port_link_state(void *ctx) {
  auto *link = static_cast<Link *>(ctx);
  std::lock_guard<std::mutex> lock(*link->mutex);
  return link->state == State::kConnected ? SOTTO_LINK_UP
         : link->state == State::kIdle    ? SOTTO_LINK_DOWN
                                          : SOTTO_LINK_CONNECTING;
}

sotto_err_t port_publish_begin(void *ctx, const char *topic, const uint8_t *payload, size_t len,
                               uint32_t *out_ticket) {
  auto *link = static_cast<Link *>(ctx);
  const size_t topic_len = topic == nullptr ? 0 : std::strlen(topic);
  if (topic_len == 0 || topic_len > 65535 || (payload == nullptr && len != 0) ||
      out_ticket == nullptr || len > kMaxPacketBytes) {
    return SOTTO_ERR_INVALID_ARGUMENT;
  }
  std::lock_guard<std::mutex> lock(*link->mutex);
  if (link->state != State::kConnected) {
    link->last_error = "not connected to the broker";
    return SOTTO_ERR_TRANSPORT;
  }
  if (link->ticket_of_packet.size() >= 65535) {
    return SOTTO_ERR_TRANSPORT;  // every packet id is waiting for its PUBACK
  }
  do {
    link->next_packet_id = static_cast<uint16_t>(link->next_packet_id % 65535 + 1);
  } while (link->ticket_of_packet.count(link->next_packet_id) != 0);
  const uint16_t packet_id = link->next_packet_id;
  put_header(link->out, 0x32, 2 + topic_len + 2 + len);  // PUBLISH, QoS 1 (3.3)
  put_string(link->out, topic, topic_len);
  put_u16(link->out, packet_id);
  link->out.insert(link->out.end(), payload, payload + len);
  if (!awaiting_answer(*link)) link->silent_since = Clock::now();
  const uint32_t ticket = ++link->next_ticket;
  link->tickets[ticket] = Ticket{link->epoch};
  link->ticket_of_packet[packet_id] = ticket;
  flush(link, link->epoll_fd);  // a failure here answers TRANSPORT through the ticket
  *out_ticket = ticket;
  return SOTTO_OK;
}

sotto_err_t port_publish_result(void *ctx, uint32_t ticket) {
  auto *link = static_cast<Link *>(ctx);
  std::lock_guard<std::mutex> lock(*link->mutex);
  auto found = link->tickets.find(ticket);
  if (found == link->tickets.end() || found->second.epoch != link->epoch) {
    if (found != link->tickets.end()) link->tickets.erase(found);
    return SOTTO_ERR_TRANSPORT;  // its connection ended before the PUBACK
  }
  if (!found->second.done) return SOTTO_ERR_PENDING;
  link->tickets.erase(found);
  return SOTTO_OK;
}

// The blocking publish (the SDK pipelines through begin/result; this serves callers that do
// not): waits while the connection that carries it lives.
sotto_err_t port_publish(void *ctx, const char *topic, const uint8_t *payload, size_t len) {
  uint32_t ticket = 0;
  sotto_err_t err = port_publish_begin(ctx, topic, payload, len, &ticket);
  while (err == SOTTO_OK && (err = port_publish_result(ctx, ticket)) == SOTTO_ERR_PENDING) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return err;
}

// Subscribes now when connected and again after every reconnect (clean sessions forget); the
// SUBACK is not awaited.
sotto_err_t port_subscribe(void *ctx, const char *topic_filter) {
  auto *link = static_cast<Link *>(ctx);
  if (topic_filter == nullptr || topic_filter[0] == '\0') return SOTTO_ERR_INVALID_ARGUMENT;
  std::lock_guard<std::mutex> lock(*link->mutex);
  link->subscriptions.emplace_back(topic_filter);
  if (link->state != State::kConnected) return SOTTO_ERR_TRANSPORT;
  queue_subscribe(link, link->subscriptions.back());
  flush(link, link->epoll_fd);
  return SOTTO_OK;
}

// "tcp://A.B.C.D:PORT" or "mqtt://..." into an IPv4 address.
sockaddr_in parse_broker(const std::string &url) {
  std::string rest;
  for (const char *scheme : {"tcp://", "mqtt://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(std::strlen(scheme));
  }
  const size_t colon = rest.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  int port = 0;
  try {
    port = colon == std::string::npos ? 0 : std::stoi(rest.substr(colon + 1));
  } catch (const std::exception &) {
    port = 0;
  }
  if (rest.empty() || port <= 0 || port > 65535 ||
      inet_pton(AF_INET, rest.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    throw std::invalid_argument("--transport shared: expected a broker URL tcp://IPV4:PORT, got '" +
                                url + "' (TLS brokers need --transport paho)");
  }
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

}  // namespace

SharedMqttLoop::SharedMqttLoop(const std::string &broker_url, uint16_t keepalive_s)
    : keepalive_s_(keepalive_s) {
  broker_ = parse_broker(broker_url);
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    throw std::runtime_error(std::string("cannot set up the shared MQTT loop: ") +
                             std::strerror(errno));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeMarker;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
  thread_ = std::thread([this] { run(); });
}

SharedMqttLoop::~SharedMqttLoop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) < 0) {
    // the loop still sees stopping_ within its next wait
  }
  thread_.join();
  for (auto &link : links_) {
    if (link->fd >= 0) close(link->fd);  // the broker sees a lost connection, as at power-off
  }
  close(wake_fd_);
  close(epoll_fd_);
}

SharedMqttLoop::Link *SharedMqttLoop::add_link(const std::string &client_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto link = std::make_unique<Link>();
  link->mutex = &mutex_;
  link->epoll_fd = epoll_fd_;
  link->broker = broker_;
  link->keepalive_s = keepalive_s_;
  link->index = static_cast<uint32_t>(links_.size());
  link->client_id = client_id;
  links_.push_back(std::move(link));
  return links_.back().get();
}

sotto_transport_port_t SharedMqttLoop::port(Link *link) {
  sotto_transport_port_t port{};
  port.ctx = link;
  port.publish = port_publish;
  port.subscribe = port_subscribe;
  port.connect = port_connect;
  port.link_state = port_link_state;
  port.publish_begin = port_publish_begin;
  port.publish_result = port_publish_result;
  return port;
}

void SharedMqttLoop::connect(Link *link) {
  std::lock_guard<std::mutex> lock(*link->mutex);
  if (link->state != State::kIdle) return;
  link->state = State::kTcpConnecting;
  link->last_sent = link->silent_since = Clock::now();
  link->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (link->fd < 0) {
    drop(link, link->epoll_fd,
         std::string("cannot open a socket: ") + std::strerror(errno) +
             " (raise the open-file limit: one descriptor per device)");
    return;
  }
  const int one = 1;
  setsockopt(link->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(link->fd, reinterpret_cast<const sockaddr *>(&link->broker), sizeof link->broker) !=
          0 &&
      errno != EINPROGRESS) {
    const Refusal refusal = errno == ECONNREFUSED ? Refusal::kTcp : Refusal::kNone;
    drop(link, link->epoll_fd, std::string("cannot connect to the broker: ") + std::strerror(errno),
         refusal);
    return;
  }
  link->want_write = true;  // writable once the TCP handshake is done
  watch(link, link->epoll_fd, true);
}

bool SharedMqttLoop::is_connected(Link *link) {
  std::lock_guard<std::mutex> lock(*link->mutex);
  return link->state == State::kConnected;
}

std::string SharedMqttLoop::last_error(Link *link) {
  std::lock_guard<std::mutex> lock(*link->mutex);
  return link->last_error;
}

LinkStats SharedMqttLoop::stats(Link *link) {
  std::lock_guard<std::mutex> lock(*link->mutex);
  return link->stats;
}

size_t SharedMqttLoop::take_incoming(Link *link,
                                     void (*handle)(void *ctx, const char *topic,
                                                    const uint8_t *payload, size_t len),
                                     void *ctx) {
  std::deque<std::pair<std::string, std::vector<uint8_t>>> batch;
  {
    std::lock_guard<std::mutex> lock(*link->mutex);
    batch.swap(link->incoming);
  }
  for (const auto &[topic, payload] : batch) {
    handle(ctx, topic.c_str(), payload.data(), payload.size());
  }
  return batch.size();
}

void SharedMqttLoop::run() {
  std::vector<epoll_event> events(512);
  auto next_check = Clock::now();
  while (true) {
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 100);
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    for (int i = 0; i < ready; ++i) {
      const uint64_t data = events[static_cast<size_t>(i)].data.u64;
      if (data == kWakeMarker) continue;
      Link *link = links_[data >> 32].get();
      if (static_cast<uint32_t>(link->epoch) != static_cast<uint32_t>(data) || link->fd < 0) {
        continue;  // an event of a connection dropped earlier in this batch
      }
      on_ready(link, events[static_cast<size_t>(i)].events);
    }
    if (Clock::now() >= next_check) {
      check_timers();
      next_check = Clock::now() + std::chrono::seconds(1);
    }
  }
}

void SharedMqttLoop::on_ready(Link *link, uint32_t events) {
  if (link->state == State::kTcpConnecting) {
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(link->fd, SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
      drop(link, epoll_fd_, std::string("cannot connect to the broker: ") + std::strerror(error),
           error == ECONNREFUSED ? Refusal::kTcp : Refusal::kNone);
      return;
    }
    if ((events & EPOLLOUT) == 0) return;
    send_connect(link, keepalive_s_);
    flush(link, epoll_fd_);
    return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
    read_packets(link, epoll_fd_);
  }
  if (link->fd >= 0 && (events & EPOLLOUT) != 0) {
    flush(link, epoll_fd_);
  }
}

// Keepalive (3.1.2.10): a PINGREQ after keepalive_s without sending, and the connection given
// up after one and a half keepalives of silence while an answer is awaited.
void SharedMqttLoop::check_timers() {
  const auto now = Clock::now();
  const auto keepalive = std::chrono::seconds(keepalive_s_);
  for (auto &owned : links_) {
    Link *link = owned.get();
    if (link->state == State::kIdle) continue;
    if (awaiting_answer(*link) && now - link->silent_since > keepalive * 3 / 2) {
      drop(link, epoll_fd_,
           "no answer from the broker within " + std::to_string(keepalive_s_ * 3 / 2) + " s");
      continue;
    }
    if (link->state == State::kConnected && !link->ping_outstanding &&
        now - link->last_sent >= keepalive) {
      link->out.push_back(0xc0);  // PINGREQ (3.12)
      link->out.push_back(0x00);
      if (!awaiting_answer(*link)) link->silent_since = now;
      link->ping_outstanding = true;
      flush(link, epoll_fd_);
    }
  }
}

}  // namespace sotto::gw::sim
