// Chromium over the DevTools protocol on a pipe (see the header).
#include "chromium.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "process.h"

#ifndef SOTTO_CHROMIUM
#define SOTTO_CHROMIUM "/usr/bin/chromium"
#endif

namespace sotto::test {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);

// The flags the project's tests run Chromium with: headless as root, and no background traffic
// (update checks, field trials, sync) on a machine without a network.
std::vector<std::string> browser_flags(const std::string &profile_dir) {
  return {"--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--disable-default-apps",
          "--password-store=basic",
          "--hide-scrollbars",
          "--mute-audio",
          "--remote-debugging-pipe",
          "--user-data-dir=" + profile_dir,
          "about:blank"};
}

std::vector<uint8_t> base64_decode(const std::string &text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<uint8_t> out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<uint8_t>((bits >> count) & 0xff));
    }
  }
  return out;
}

std::string text_of(const boost::json::value &value) {
  if (value.is_string()) return std::string(value.as_string());
  return boost::json::serialize(value);
}

}  // namespace

std::string js_string(const std::string &text) {
  return boost::json::serialize(boost::json::value(text));
}

Chromium::Chromium(const std::string &work_dir) : log_path_(work_dir + "/chromium.log") {
  const std::string profile_dir = work_dir + "/chromium-profile";
  if (access(SOTTO_CHROMIUM, X_OK) != 0) {
    throw std::runtime_error(std::string("chromium: ") + SOTTO_CHROMIUM +
                             " is missing (deploy/install-deps.sh installs Debian's chromium)");
  }
  int commands[2];  // parent writes [1], the browser reads fd 3
  int answers[2];   // the browser writes fd 4, parent reads [0]
  if (pipe2(commands, O_CLOEXEC) != 0 || pipe2(answers, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("chromium: pipe: ") + std::strerror(errno));
  }
  std::vector<std::string> args = browser_flags(profile_dir);
  std::vector<char *> argv;
  std::string program = SOTTO_CHROMIUM;
  argv.push_back(program.data());
  for (auto &arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);  // its own group: renderers and helpers go with it on cleanup
    // Above 4 first, so the dup2s below cannot overwrite one another.
    const int read_end = fcntl(commands[0], F_DUPFD_CLOEXEC, 10);
    const int write_end = fcntl(answers[1], F_DUPFD_CLOEXEC, 10);
    if (read_end < 0 || write_end < 0 || dup2(read_end, 3) < 0 || dup2(write_end, 4) < 0)
      _exit(126);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  if (log >= 0) close(log);
  close(commands[0]);
  close(answers[1]);
  to_browser_ = commands[1];
  from_browser_ = answers[0];
  if (pid_ < 0) {
    shut_down();
    throw std::runtime_error(std::string("chromium: fork: ") + std::strerror(errno));
  }
  // A browser that died leaves a closed pipe: writing to it must fail, not kill the test.
  signal(SIGPIPE, SIG_IGN);
  try {
    const boost::json::object target =
        call("Target.createTarget", {{"url", "about:blank"}}, /*browser_level=*/true);
    const boost::json::object attached =
        call("Target.attachToTarget", {{"targetId", target.at("targetId")}, {"flatten", true}},
             /*browser_level=*/true);
    session_id_ = std::string(attached.at("sessionId").as_string());
    call("Page.enable");
    call("Runtime.enable");
    call("Log.enable");
  } catch (...) {
    shut_down();
    throw;
  }
}

Chromium::~Chromium() {
  shut_down();
}

void Chromium::shut_down() {
  if (pid_ > 0) {
    try {
      call("Browser.close", {}, /*browser_level=*/true);
    } catch (const std::exception &) {
      // It may close the pipe before answering; the wait below decides.
    }
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    pid_t done = 0;
    while ((done = waitpid(pid_, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(-pid_, SIGKILL);  // the group: helpers that outlive the browser process
    if (done == 0) waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  to_browser_ = from_browser_ = -1;
}

boost::json::object Chromium::read_message(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const size_t end = pending_.find('\0');
    if (end != std::string::npos) {
      const std::string text = pending_.substr(0, end);
      pending_.erase(0, end + 1);
      return boost::json::parse(text).as_object();
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      throw std::runtime_error("chromium: no answer in time; its log:\n" + read_file(log_path_));
    }
    pollfd ready{from_browser_, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    char chunk[65536];
    const ssize_t got = read(from_browser_, chunk, sizeof chunk);
    if (got <= 0) {
      throw std::runtime_error("chromium: the browser closed its DevTools pipe; its log:\n" +
                               read_file(log_path_));
    }
    pending_.append(chunk, static_cast<size_t>(got));
  }
}

boost::json::object Chromium::call(const std::string &method, boost::json::object params,
                                   bool browser_level) {
  const int64_t id = next_id_++;
  boost::json::object message{{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!browser_level) message["sessionId"] = session_id_;
  std::string text = boost::json::serialize(message);
  text.push_back('\0');
  for (size_t sent = 0; sent < text.size();) {
    const ssize_t wrote = write(to_browser_, text.data() + sent, text.size() - sent);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) throw std::runtime_error("chromium: cannot send " + method);
    sent += static_cast<size_t>(wrote);
  }
  const auto deadline = std::chrono::steady_clock::now() + kCallTimeout;
  for (;;) {
    boost::json::object answer = read_message(deadline);
    if (answer.contains("method")) {
      note_event(answer);
      continue;
    }
    if (!answer.contains("id") || answer.at("id").to_number<int64_t>() != id) continue;
    if (answer.contains("error")) {
      throw std::runtime_error("chromium: " + method + " failed: " + text_of(answer.at("error")));
    }
    return answer.contains("result") ? answer.at("result").as_object() : boost::json::object{};
  }
}

void Chromium::note_event(const boost::json::object &message) {
  const std::string method(message.at("method").as_string());
  if (!message.contains("params")) return;
  const auto &params = message.at("params").as_object();
  if (method == "Runtime.exceptionThrown") {
    const auto &details = params.at("exceptionDetails").as_object();
    std::string text = "exception: " + text_of(details.at("text"));
    if (const auto *exception = details.if_contains("exception")) {
      if (const auto *description = exception->as_object().if_contains("description")) {
        text += " " + text_of(*description);
      }
    }
    errors_.push_back(text);
  } else if (method == "Runtime.consoleAPICalled") {
    const std::string type(params.at("type").as_string());
    if (type != "error" && type != "assert") return;
    std::string text = "console." + type + ":";
    for (const auto &arg : params.at("args").as_array()) {
      const auto &object = arg.as_object();
      text += " " + text_of(object.contains("value")         ? object.at("value")
                            : object.contains("description") ? object.at("description")
                                                             : object.at("type"));
    }
    errors_.push_back(text);
  } else if (method == "Log.entryAdded") {
    const auto &entry = params.at("entry").as_object();
    if (entry.at("level").as_string() != "error") return;
    std::string text = "log (" + text_of(entry.at("source")) + "): " + text_of(entry.at("text"));
    if (const auto *url = entry.if_contains("url")) text += " at " + text_of(*url);
    errors_.push_back(text);
  } else if (method == "Page.loadEventFired") {
    ++loads_;
  } else if (method == "Inspector.targetCrashed") {
    errors_.push_back("the page crashed");
  }
}

void Chromium::set_viewport(int width, int height, double scale, bool mobile) {
  call("Emulation.setDeviceMetricsOverride",
       {{"width", width}, {"height", height}, {"deviceScaleFactor", scale}, {"mobile", mobile}});
}

void Chromium::navigate(const std::string &url) {
  const int64_t loads_before = loads_;
  const boost::json::object result = call("Page.navigate", {{"url", url}});
  if (const auto *error = result.if_contains("errorText")) {
    throw std::runtime_error("chromium: cannot open " + url + ": " + text_of(*error));
  }
  // A new document (a loader id; not for a #fragment change): wait for its load event, so the
  // next evaluate runs in it rather than in the page it replaces.
  if (!result.contains("loaderId")) return;
  const auto deadline = std::chrono::steady_clock::now() + kCallTimeout;
  while (loads_ == loads_before) {
    const boost::json::object message = read_message(deadline);
    if (message.contains("method")) note_event(message);
  }
}

boost::json::value Chromium::evaluate(const std::string &expression) {
  const boost::json::object result =
      call("Runtime.evaluate",
           {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (const auto *details = result.if_contains("exceptionDetails")) {
    throw std::runtime_error("chromium: `" + expression + "` threw " + text_of(*details));
  }
  const auto &value = result.at("result").as_object();
  return value.contains("value") ? value.at("value") : boost::json::value(nullptr);
}

boost::json::value Chromium::wait_for(const std::string &expression, const std::string &what,
                                      std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  boost::json::value value;
  for (;;) {
    value = evaluate(expression);
    const bool truthy = !(value.is_null() || (value.is_bool() && !value.as_bool()) ||
                          (value.is_int64() && value.as_int64() == 0) ||
                          (value.is_string() && value.as_string().empty()));
    if (truthy) return value;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("the page never showed " + what +
                               " (last: " + boost::json::serialize(value) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void Chromium::click(const std::string &selector) {
  // The centre of the element, and whether a click there reaches it (not a covering element).
  const boost::json::value point =
      evaluate("(() => { const e = document.querySelector(" + js_string(selector) +
               "); if (!e) return null; e.scrollIntoView({block: 'center'});"
               " const r = e.getBoundingClientRect(); const x = r.left + r.width / 2,"
               " y = r.top + r.height / 2; const hit = document.elementFromPoint(x, y);"
               " return {x, y, reachable: !!hit && (hit === e || e.contains(hit))}; })()");
  if (point.is_null()) throw std::runtime_error("click: nothing matches " + selector);
  if (!point.at("reachable").as_bool()) {
    throw std::runtime_error("click: " + selector + " is covered by another element");
  }
  const double x = point.at("x").to_number<double>();
  const double y = point.at("y").to_number<double>();
  call("Input.dispatchMouseEvent", {{"type", "mouseMoved"}, {"x", x}, {"y", y}});
  for (const char *type : {"mousePressed", "mouseReleased"}) {
    call("Input.dispatchMouseEvent",
         {{"type", type}, {"x", x}, {"y", y}, {"button", "left"}, {"clickCount", 1}});
  }
}

void Chromium::type(const std::string &text) {
  call("Input.insertText", {{"text", text}});
}

void Chromium::screenshot(const std::string &png_path) {
  evaluate("window.scrollTo(0, 0)");  // sticky elements are drawn where the scroll puts them
  const boost::json::object metrics = call("Page.getLayoutMetrics");
  const auto &size = metrics.at("cssContentSize").as_object();
  const boost::json::object shot =
      call("Page.captureScreenshot", {{"format", "png"},
                                      {"captureBeyondViewport", true},
                                      {"clip",
                                       {{"x", 0},
                                        {"y", 0},
                                        {"width", size.at("width").to_number<double>()},
                                        {"height", size.at("height").to_number<double>()},
                                        {"scale", 1}}}});
  const std::vector<uint8_t> png = base64_decode(std::string(shot.at("data").as_string()));
  std::ofstream out(png_path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(png.data()), static_cast<std::streamsize>(png.size()));
  if (!out) throw std::runtime_error("screenshot: cannot write " + png_path);
}

}  // namespace sotto::test
