#include "process.hpp"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace vigil::test {

process::process(std::vector<std::string> argv, std::string log_prefix)
    : out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err") {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ) != 0)
    pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
}

process::~process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    ::kill(pid_, SIGCONT);
    waitpid(pid_, nullptr, 0);
  }
}

void process::signal(int sig) {
  if (pid_ > 0 && !reaped_)
    ::kill(pid_, sig);
}

int process::wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0)
    return -1;
  int status = 0;
  bool done = eventually(
      [&] {
        if (reaped_)
          return true;
        if (waitpid(pid_, &status, WNOHANG) == pid_)
          reaped_ = true;
        return reaped_;
      },
      limit);
  if (!done)
    return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

std::string process::out() const {
  return slurp(out_path_);
}

std::string process::err() const {
  return slurp(err_path_);
}

std::string process::wait_for_line(const std::string& text,
                                   std::chrono::milliseconds limit) {
  std::string found;
  eventually(
      [&] {
        std::istringstream lines{out()};
        for (std::string line; std::getline(lines, line);)
          if (line.find(text) != std::string::npos) {
            found = line;
            return true;
          }
        return false;
      },
      limit);
  return found;
}

} // namespace vigil::test
