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

#include "cli.hpp"
#include "vigil/messages/event_json.hpp"
#include "vigil/nodes/publish.hpp"

namespace vigil::node {

namespace {

void print_event(const event& e, bool json) {
  if (json) {
    std::printf("%s\n", boost::json::serialize(boost::json::value_from(e)).c_str());
  } else if (e.kind == event_kind::transition) {
    std::printf("#%llu %s (%s, %s): %s -> %s (%s)%s%s\n",
                static_cast<unsigned long long>(e.seq), e.agent.c_str(), e.type.c_str(),
                e.node.c_str(), to_string(e.from).c_str(), to_string(e.to).c_str(),
                e.reason.c_str(), e.error.empty() ? "" : ": ", e.error.c_str());
  } else {
    std::printf("#%llu %s (%s, %s): %s%s%s\n", static_cast<unsigned long long>(e.seq),
                e.agent.c_str(), e.type.c_str(), e.node.c_str(),
                to_string(e.kind).c_str(), e.reason.empty() ? "" : " ",
                e.reason.c_str());
  }
}

struct watcher_state {
  static inline const char* name = "vigil.node.watcher";
  bool json = false;
};

/// Set when the watch ended for a reason other than Ctrl-C (exit code 1).
std::atomic<bool> watch_failed{false};

// Subscribes to everything, prints each event, acknowledges what it printed.
caf::behavior watcher(caf::stateful_actor<watcher_state>* self, supervisor_gate sup,
                      bool json) {
  self->state.json = json;
  self->monitor(sup);
  self->set_down_handler([self](caf::down_msg& dm) {
    std::fprintf(stderr, "vigil-node: lost the supervisor (%s)\n",
                 self->system().render(dm.reason).c_str());
    watch_failed = true;
    stop_requested = true;
    self->quit();
  });
  auto on_snapshot = [self](const snapshot& s) {
    if (!self->state.json) {
      std::printf("snapshot at #%llu: %zu agents%s\n",
                  static_cast<unsigned long long>(s.seq), s.agents.size(),
                  s.missed ? " (resync: fell behind)" : "");
      std::fflush(stdout);
    }
  };
  self->request(sup, std::chrono::seconds(10), subscription_request{})
      .then(on_snapshot, [self](caf::error& err) {
        std::fprintf(stderr, "vigil-node: subscription refused: %s\n",
                     self->system().render(err).c_str());
        watch_failed = true;
        stop_requested = true;
        self->quit();
      });
  // Ctrl-C: unsubscribe as ourselves (the supervisor knows us by our address).
  self->set_exit_handler([self, sup](caf::exit_msg& msg) {
    self->send(sup, caf::unsubscribe_atom::value);
    self->quit(msg.reason);
  });
  return {
      [=](event_batch& b) {
        for (auto& e : b.events)
          print_event(e, self->state.json);
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
    std::fprintf(stderr, "vigil-node: cannot reach the supervisor at %s:%u: %s\n",
                 x.host.c_str(), x.connect_port, sys.render(sup.error()).c_str());
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
    std::fprintf(stderr, "vigil-node: no answer from the supervisor: %s\n",
                 sys.render(err).c_str());
    rc = 1;
  };
  if (x.list_agents) {
    self->request(*sup, std::chrono::seconds(10), status_atom::value)
        .receive(
            [&](std::vector<agent_status>& xs) {
              boost::json::array out;
              for (auto& a : xs) {
                if (x.json) {
                  out.push_back({{"id", a.id},
                                 {"state", to_string(a.state)},
                                 {"node", a.node},
                                 {"type", a.type},
                                 {"version", a.version},
                                 {"seconds_since_beat", a.seconds_since_beat},
                                 {"missed", a.missed},
                                 {"reason", a.reason}});
                } else {
                  std::printf("%s %s last beat %.1f s ago, node %s\n", a.id.c_str(),
                              to_string(a.state).c_str(), a.seconds_since_beat,
                              a.node.c_str());
                }
              }
              if (x.json)
                std::printf("%s\n", boost::json::serialize(out).c_str());
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
                  std::printf("%s %llu\n", to_string(state).c_str(),
                              static_cast<unsigned long long>(n));
              }
              if (x.json)
                std::printf("%s\n", boost::json::serialize(
                                        boost::json::object{{"states", states},
                                                            {"total", c.registered},
                                                            {"healthy", c.healthy}})
                                        .c_str());
              else
                std::printf("total %llu\n",
                            static_cast<unsigned long long>(c.registered));
            },
            failed);
    // The durable record's lag, when there is one (DESIGN §10).
    if (rc == 0 && !x.json)
      self->request(*sup, std::chrono::seconds(10), stats_atom::value)
          .receive(
              [&](supervisor_stats& st) {
                if (st.store_accepted == 0)
                  return;
                std::printf("store: %llu of %llu events committed (up to #%llu), %llu "
                            "pending, %llu dropped%s\n",
                            static_cast<unsigned long long>(st.store_committed),
                            static_cast<unsigned long long>(st.store_accepted),
                            static_cast<unsigned long long>(st.store_committed_seq),
                            static_cast<unsigned long long>(st.store_pending),
                            static_cast<unsigned long long>(st.store_dropped),
                            st.store_failing ? ", failing: retrying" : "");
              },
              failed);
  }
  std::fflush(stdout);
  return rc;
}

} // namespace vigil::node
