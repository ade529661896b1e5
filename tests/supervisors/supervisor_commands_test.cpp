// Commands sent rather than requested: a refusal nobody asked for is still logged
// (rate-limited), so an operator learns of a kill that went to an unknown id.
#include <memory>
#include <string>

#include <caf/send.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "support/supervisor_fixture.hpp"
#include "vigil/messages/log.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

class SupervisorCommands : public vigil::test::supervisor_fixture {
public:
  SupervisorCommands() {
    kept = log();
    sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
    set_log(std::make_shared<spdlog::logger>("vigil", sink));
    start(supervisor_settings{});
  }
  ~SupervisorCommands() override { set_log(kept); }

  size_t lines_with(const std::string& text) {
    size_t n = 0;
    for (auto& line : sink->last_formatted())
      n += line.find(text) != std::string::npos ? 1 : 0;
    return n;
  }

  std::shared_ptr<spdlog::logger> kept;
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink;
};

TEST_F(SupervisorCommands, ACommandSentForAnUnknownIdIsLogged) {
  for (auto cmd : {"kill", "pause", "resume"}) {
    if (std::string{cmd} == "kill")
      caf::anon_send(sup, kill_atom::value, std::string{"ghost"});
    else if (std::string{cmd} == "pause")
      caf::anon_send(sup, pause_atom::value, std::string{"ghost"});
    else
      caf::anon_send(sup, resume_atom::value, std::string{"ghost"});
    sched.run();
    EXPECT_EQ(lines_with(std::string{cmd} + " for unknown agent ghost refused"), 1u)
        << cmd;
  }
}

TEST_F(SupervisorCommands, ManyAreLoggedOnceASecond) {
  for (int i = 0; i < 50; ++i)
    caf::anon_send(sup, kill_atom::value, "ghost-" + std::to_string(i));
  sched.run();
  EXPECT_EQ(lines_with("for unknown agent ghost-"), 1u);
  advance(1s);
  caf::anon_send(sup, kill_atom::value, std::string{"ghost-x"});
  sched.run();
  EXPECT_EQ(lines_with("more like it in the last second"), 1u);
}

} // namespace
