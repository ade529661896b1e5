#include "vigil/messages/errc.hpp"

#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/sec.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "vigil/messages/log.hpp"
#include "vigil/messages/register_types.hpp"

using namespace vigil;

namespace {

// Every code but `none`, in declaration order.
std::vector<errc> all_codes() {
  std::vector<errc> xs;
  for (auto i = 1; i <= static_cast<int>(errc_last); ++i)
    xs.push_back(static_cast<errc>(i));
  return xs;
}

} // namespace

TEST(Errc, EveryCodeHasADistinctName) {
  std::set<std::string> names;
  for (auto x : all_codes()) {
    auto name = to_string(x);
    EXPECT_EQ(name.find("errc("), std::string::npos) << static_cast<int>(x);
    names.insert(name);
  }
  EXPECT_EQ(names.size(), all_codes().size());
  for (auto required : {"invalid_transition", "unknown_agent", "duplicate_agent",
                        "not_owner", "queue_full", "bad_config"})
    EXPECT_EQ(names.count(required), 1u) << required;
}

TEST(Errc, EveryCodeDescribesItsContext) {
  auto ctx = caf::make_message(std::string{"a1"}, std::string{"x"}, std::string{"y"},
                               std::string{"z"});
  for (auto x : all_codes())
    EXPECT_NE(describe(x, ctx).find("a1"), std::string::npos) << to_string(x);
}

TEST(Errc, CodeOfIgnoresOtherCategories) {
  EXPECT_EQ(code_of(make_error(errc::not_owner, std::string{"a"})), errc::not_owner);
  EXPECT_EQ(code_of(caf::make_error(caf::sec::request_timeout)), errc::none);
  EXPECT_EQ(code_of(caf::error{}), errc::none);
}

TEST(Errc, ActorSystemRendersVigilErrors) {
  caf::actor_system_config cfg;
  register_types(cfg);
  caf::actor_system sys{cfg};
  EXPECT_EQ(sys.render(make_error(errc::unknown_agent, std::string{"a7"})),
            "vigil::unknown_agent: no agent \"a7\"");
  EXPECT_EQ(sys.render(make_error(errc::queue_full, std::string{"a7"}, uint64_t{4})),
            "vigil::queue_full: agent \"a7\" has a full slot queue (capacity 4)");
}

TEST(Log, TheVigilLoggerCanBeReplacedAndSilenced) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(8);
  auto mine = std::make_shared<spdlog::logger>("mine", sink);
  set_log(mine);
  log()->warn("agent {} missed beat {} of {}", "a1", 1, 3);
  log()->set_level(spdlog::level::off);
  log()->warn("not to be seen");
  auto lines = sink->last_formatted();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("agent a1 missed beat 1 of 3"), std::string::npos)
      << lines[0];
  EXPECT_EQ(log()->name(), "vigil");
  spdlog::drop("vigil"); // the next use creates the default again
}
