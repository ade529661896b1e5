// vigil-node watch and status: a live subscriber, and one question to the supervisor.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>

#include <boost/json.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <fmt/format.h>

#include "cli.hpp"
#include "observe_text.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::node {

namespace {

// --json: the event schema (docs/event.schema.json), `t` in Unix seconds as this
// host's clock sees the supervisor's (exact when both run on one host).
void print_event(const event& e, bool json, time_point origin) {
  fmt::print("{}\n", json ? event_line(e, origin) : event_text(e));
}

/// Whether this build has a word for the event's kind and states: a newer (or broken)
/// supervisor may send values that no schema of ours can carry.
bool known_words(const event& e) {
  event_kind kind;
  agent_state state;
  return from_string(to_string(e.kind), kind) &&
         from_string(to_string(e.from), state) && from_string(to_string(e.to), state);
}

struct watcher_state {
  static inline const char* name = "vigil.node.watcher";
  uint64_t skipped = 0; ///< Events with unknown words, not printed.
  bool json = false;
  time_point origin; ///< The Unix epoch on this host's clock.
};

/// At the end of a watch: how many events it did not print.
void report_skipped(const watcher_state& st) {
  if (st.skipped > 0)
    fmt::print(stderr, "vigil-node: {} events not printed (unknown kind or state)\n",
               st.skipped);
}

/// Set when the watch ended for a reason other than Ctrl-C (exit code 1).
std::atomic<bool> watch_failed{false};

// Subscribes to everything, prints each event, acknowledges what it printed.
caf::behavior watcher(caf::stateful_actor<watcher_state>* self, supervisor_gate sup,
                      bool json) {
  self->state.json = json;
  self->state.origin = unix_origin(vigil::clock::now());
  self->monitor(sup);
  self->set_down_handler([self](caf::down_msg& dm) {
    fmt::print(stderr, "vigil-node: lost the supervisor ({})\n",
               self->system().render(dm.reason));
    report_skipped(self->state);
    watch_failed = true;
    stop_requested = true;
    self->quit();
  });
  auto on_snapshot = [self](const snapshot& s) {
    if (!self->state.json) {
      fmt::print("snapshot at #{}: {} agents{}\n", s.seq, s.agents.size(),
                 s.missed ? " (resync: fell behind)" : "");
      std::fflush(stdout);
    }
  };
  self->request(sup, std::chrono::seconds(10), subscription_request{})
      .then(on_snapshot, [self](caf::error& err) {
        fmt::print(stderr, "vigil-node: subscription refused: {}\n",
                   self->system().render(err));
        watch_failed = true;
        stop_requested = true;
        self->quit();
      });
  // Ctrl-C: unsubscribe as ourselves (the supervisor knows us by our address).
  self->set_exit_handler([self, sup](caf::exit_msg& msg) {
    report_skipped(self->state);
    self->send(sup, caf::unsubscribe_atom::value);
    self->quit(msg.reason);
  });
  return {
      [=](event_batch& b) {
        for (auto& e : b.events) {
          if (known_words(e)) {
            print_event(e, self->state.json, self->state.origin);
          } else if (self->state.skipped++ == 0) { // one line, not one per event
            fmt::print(
                stderr,
                "vigil-node: event #{} not printed: its kind or state has no "
                "name in this vigil-node (a newer supervisor?); the count of such "
                "events is printed when the watch ends\n",
                e.seq);
          }
        }
        std::fflush(stdout);
        if (!b.events.empty())
          self->send(sup, ack_atom::value, b.events.back().seq);
      },
      [=](snapshot& s) {
        on_snapshot(s);
        self->send(sup, ack_atom::value, s.seq);
      },
  };
}

caf::expected<supervisor_gate> reach(caf::actor_system& sys, const cli& x) {
  auto sup = reach_supervisor(sys, x.host, x.connect_port);
  if (!sup)
    fmt::print(stderr, "vigil-node: cannot reach the supervisor at {}:{}: {}\n", x.host,
               x.connect_port, sys.render(sup.error()));
  return sup;
}

} // namespace

int run_watch(const cli& x, settings&, caf::actor_system& sys) {
  auto sup = reach(sys, x);
  if (!sup)
    return 1;
  auto w = sys.spawn(watcher, *sup, x.json);
  wait_for_stop();
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  return watch_failed ? 1 : 0;
}

int run_status(const cli& x, settings&, caf::actor_system& sys) {
  auto sup = reach(sys, x);
  if (!sup)
    return 1;
  caf::scoped_actor self{sys};
  int rc = 0;
  auto failed = [&](caf::error& err) {
    fmt::print(stderr, "vigil-node: no answer from the supervisor: {}\n",
               sys.render(err));
    rc = 1;
  };
  if (x.list_agents) {
    self->request(*sup, std::chrono::seconds(10), status_atom::value)
        .receive(
            [&](std::vector<agent_status>& xs) {
              // Due times as this host's clock sees the supervisor's (exact when
              // both run on one host), as watch --json does.
              auto origin = unix_origin(vigil::clock::now());
              boost::json::array out;
              for (auto& a : xs) {
                if (x.json)
                  out.push_back(agent_json(a, origin));
                else
                  fmt::print("{}\n", agent_text(a, origin));
              }
              if (x.json)
                fmt::print("{}\n", boost::json::serialize(out));
            },
            failed);
  } else {
    self->request(*sup, std::chrono::seconds(10), count_atom::value)
        .receive(
            [&](fleet_counts& c) {
              boost::json::object states;
              for (auto& [state, n] : c.by_state) {
                if (x.json)
                  states[to_string(state)] = n;
                else
                  fmt::print("{} {}\n", to_string(state), n);
              }
              if (x.json)
                fmt::print("{}\n", boost::json::serialize(
                                       boost::json::object{{"states", states},
                                                           {"total", c.registered},
                                                           {"healthy", c.healthy}}));
              else
                fmt::print("total {}\n", c.registered);
            },
            failed);
    // The durable record's lag, when there is one (DESIGN §10).
    if (rc == 0 && !x.json)
      self->request(*sup, std::chrono::seconds(10), stats_atom::value)
          .receive(
              [&](supervisor_stats& st) {
                if (st.store_accepted == 0)
                  return;
                fmt::print("store: {} of {} events committed (up to #{}), {} pending, "
                           "{} dropped{}\n",
                           st.store_committed, st.store_accepted,
                           st.store_committed_seq, st.store_pending, st.store_dropped,
                           st.store_failing ? ", failing: retrying" : "");
              },
              failed);
  }
  std::fflush(stdout);
  return rc;
}

} // namespace vigil::node
