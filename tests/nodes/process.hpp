// A child process for multi-process tests: started with posix_spawn, output to files,
// every wait bounded, killed and reaped at the end whatever happened.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

namespace vigil::test {

class process {
public:
  /// Starts `argv[0]` with `argv`; stdout and stderr go to `log_prefix`.out / .err.
  process(std::vector<std::string> argv, std::string log_prefix);
  ~process(); // SIGKILL and reap, if still running

  process(const process&) = delete;
  process& operator=(const process&) = delete;

  void signal(int sig);

  /// Waits for the exit up to `limit`; the exit code, or -1 (timeout or a signal).
  int wait(std::chrono::milliseconds limit);

  /// What the process wrote to stdout / stderr so far.
  std::string out() const;
  std::string err() const;

  /// Polls stdout until a line contains `text`, up to `limit`; that line, or "".
  std::string wait_for_line(const std::string& text, std::chrono::milliseconds limit);

  pid_t pid() const { return pid_; }

private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string out_path_;
  std::string err_path_;
};

/// Polls `pred` every 20 ms until it holds or `limit` passes; whether it held. For
/// watching other processes (their output, a supervisor's counts), which no virtual
/// clock can drive; timer behaviour itself is tested in virtual time.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

} // namespace vigil::test
