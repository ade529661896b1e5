// A program that links vigil::core only (no store component): a store kind it does not
// link fails `open_store` and `spawn_supervisor` with `errc::bad_config`, saying what
// to link; an opener a component registers is what `open_store` calls.
#include "vigil/stores/store_opener.hpp"

#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/register_types.hpp"
#include "vigil/stores/fleet_store.hpp"
#include "vigil/supervisors/supervisor.hpp"

using namespace vigil;

namespace {

std::string sentence(const caf::error& x) {
  return describe(code_of(x), x.context());
}

store_settings of_kind(store_kind kind) {
  store_settings x;
  x.kind = kind;
  x.path = "/nonexistent/fleet.db";
  return x;
}

const char* const no_sqlite =
    "store.kind is \"sqlite\", but this program has no SQLite store: link "
    "vigil::sqlite (find_package(vigil COMPONENTS sqlite))";
const char* const no_redis =
    "store.kind is \"redis\", but this program has no Redis store: link vigil::redis "
    "(find_package(vigil COMPONENTS redis))";

} // namespace

TEST(StoreOpener, AKindThisProgramDoesNotLinkSaysWhatToLink) {
  auto x = open_store(of_kind(store_kind::sqlite));
  ASSERT_FALSE(x);
  EXPECT_EQ(code_of(x.error()), errc::bad_config);
  EXPECT_EQ(sentence(x.error()), no_sqlite);
  auto y = open_store(of_kind(store_kind::redis));
  ASSERT_FALSE(y);
  EXPECT_EQ(code_of(y.error()), errc::bad_config);
  EXPECT_EQ(sentence(y.error()), no_redis);
}

TEST(StoreOpener, NoStoreNeedsNoComponent) {
  auto x = open_store(of_kind(store_kind::none));
  ASSERT_TRUE(x);
  EXPECT_EQ(*x, nullptr);
}

TEST(StoreOpener, SpawnSupervisorFailsTheSameWay) {
  caf::actor_system_config cfg;
  register_types(cfg);
  caf::actor_system sys{cfg};
  supervisor_settings settings;
  settings.store = of_kind(store_kind::sqlite);
  auto sup = spawn_supervisor(sys, settings);
  ASSERT_FALSE(sup);
  EXPECT_EQ(code_of(sup.error()), errc::bad_config);
  EXPECT_EQ(sentence(sup.error()), no_sqlite);
  EXPECT_EQ(sys.render(sup.error()), std::string{"vigil::bad_config: "} + no_sqlite);
}

TEST(StoreOpener, OpenStoreCallsTheRegisteredOpener) {
  register_store_opener(store_kind::sqlite, [](const store_settings& x) {
    return caf::expected<std::shared_ptr<fleet_store>>{
        make_error(errc::bad_config, "opened " + x.path, std::string{"by the test"})};
  });
  auto x = open_store(of_kind(store_kind::sqlite));
  register_store_opener(store_kind::sqlite, nullptr); // as this program links it
  ASSERT_FALSE(x);
  EXPECT_EQ(sentence(x.error()), "opened /nonexistent/fleet.db: by the test");
  EXPECT_EQ(sentence(open_store(of_kind(store_kind::sqlite)).error()), no_sqlite);
}
