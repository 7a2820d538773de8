// Headless Chromium (Debian's /usr/bin/chromium) driven over its DevTools protocol, for tests of
// the web dashboard in a real browser. The protocol runs over --remote-debugging-pipe: JSON
// messages separated by NUL bytes, commands on the child's fd 3, answers and events on its fd 4.
// Every console error, uncaught exception and failed or refused load the page reports (including
// Content-Security-Policy violations) is collected for console_errors().
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace sotto::test {

class Chromium {
 public:
  // Starts the browser with a fresh profile under work_dir (its log: work_dir/chromium.log) and
  // opens one page with the given viewport. Throws naming what failed.
  explicit Chromium(const std::string &work_dir);
  ~Chromium();  // Browser.close, then the whole process group if it lingers
  Chromium(const Chromium &) = delete;
  Chromium &operator=(const Chromium &) = delete;

  // CSS pixels and device pixel ratio; mobile emulates a phone's viewport handling.
  void set_viewport(int width, int height, double scale, bool mobile);
  // Opens url; a new document is loaded (its load event fired) when this returns.
  void navigate(const std::string &url);
  // The value of a JavaScript expression (promises awaited); throws with the page's exception.
  boost::json::value evaluate(const std::string &expression);
  // Evaluates `expression` until it is truthy and returns it; throws naming `what` when the
  // deadline (a safety net only) passes, with the last value.
  boost::json::value wait_for(const std::string &expression, const std::string &what,
                              std::chrono::seconds timeout = std::chrono::seconds(60));
  // A real mouse click at the centre of the first element matching the CSS selector, after
  // scrolling it into view; throws when it is missing or another element covers it.
  void click(const std::string &selector);
  // Types text into the focused element as a keyboard would.
  void type(const std::string &text);
  // The whole page (not only the viewport) as a PNG file.
  void screenshot(const std::string &png_path);
  const std::vector<std::string> &console_errors() const { return errors_; }

 private:
  boost::json::object call(const std::string &method, boost::json::object params = {},
                           bool browser_level = false);
  boost::json::object read_message(std::chrono::steady_clock::time_point deadline);
  void note_event(const boost::json::object &message);
  void shut_down();

  std::string log_path_;
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string pending_;  // bytes read past the last NUL
  int64_t next_id_ = 1;
  std::string session_id_;
  std::vector<std::string> errors_;
  int64_t loads_ = 0;  // Page.loadEventFired seen
};

// A JavaScript string literal holding `text` (for building expressions).
std::string js_string(const std::string &text);

}  // namespace sotto::test
