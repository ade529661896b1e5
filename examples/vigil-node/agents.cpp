// vigil-node agents: N agents on this node with simulated work, through one pacer and
// one uplink that reconnects.
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "cli.hpp"
#include "vigil/actors/agent.hpp"
#include "vigil/actors/pacer.hpp"
#include "vigil/actors/spawner.hpp"
#include "vigil/messages/node_shutdown.hpp"
#include "vigil/nodes/credential_file.hpp"
#include "vigil/nodes/publish.hpp"
#include "vigil/nodes/uplink.hpp"

namespace vigil::node {

namespace {

using offer_atom = caf::atom_constant<caf::atom("sim_offer")>;
using done_atom = caf::atom_constant<caf::atom("sim_done")>;
using output_atom = caf::atom_constant<caf::atom("sim_out")>;

struct worker_state {
  static inline const char* name = "vigil.node.worker";
  agent_actor agent;
  std::minstd_rand rng;
  uint64_t slot = 0; ///< The running slot; ticks of older ones are ignored.
};

using worker_ptr = caf::stateful_actor<worker_state>*;

duration pick(worker_ptr self, int lo_s, int hi_s) {
  std::uniform_int_distribution<int> ms{lo_s * 1000, hi_s * 1000};
  return std::chrono::milliseconds(ms(self->state.rng));
}

// The user's work, simulated like vigil-sim's: idle a while, take a work slot, produce
// output every 2 s, then finish (one slot in ten ends in a rate limit instead).
// `busy`: one slot that never ends.
caf::behavior worker(worker_ptr self, bool cycle, unsigned seed) {
  self->state.rng.seed(seed);
  auto offer_later = [self] {
    self->delayed_send(self, pick(self, 2, 20), offer_atom::value);
  };
  return {
      [=](agent_actor& agent) {
        self->state.agent = std::move(agent);
        if (cycle)
          offer_later();
        else
          self->send(self->state.agent, slot_atom::value, slot_kind::work,
                     std::string{"hold"});
      },
      [=](offer_atom) {
        self->request(self->state.agent, std::chrono::seconds(30), slot_atom::value,
                      slot_kind::work, std::string{"simulated"})
            .then([](slot_outcome) {}, [=](caf::error&) { offer_later(); });
      },
      [](slot_outcome) {
        // The agent took or queued the held slot.
      },
      [=](work_atom, slot_kind, const std::string& task) {
        if (task == "hold")
          return;
        auto slot = ++self->state.slot;
        self->delayed_send(self, pick(self, 5, 40), done_atom::value, slot);
        self->delayed_send(self, std::chrono::seconds(2), output_atom::value, slot);
      },
      [=](output_atom, uint64_t slot) {
        if (slot != self->state.slot)
          return;
        self->send(self->state.agent, activity_atom::value);
        self->delayed_send(self, std::chrono::seconds(2), output_atom::value, slot);
      },
      [=](done_atom, uint64_t slot) {
        if (slot != self->state.slot)
          return;
        ++self->state.slot; // its output stops with it
        std::uniform_int_distribution<int> d100{1, 100};
        if (d100(self->state.rng) <= 10)
          self->send(self->state.agent, quota_atom::value, quota_reason::rate_limit,
                     duration{std::chrono::seconds(30)});
        else
          self->send(self->state.agent, finish_atom::value);
        offer_later();
      },
  };
}

/// Agents registered at once per wave. A node starting tens of thousands of agents
/// in one go floods its connection: registrations, answers and first beats queue
/// behind each other, and agents the supervisor heard nothing from within the
/// timeout after registering end `failed` (measured: 50,000 at once on loopback).
constexpr size_t wave = 1000;

/// Waits until `a` has left spawning (the supervisor answered its registration), up
/// to `limit`; answers come in order, so the wave before it has its answers too.
void await_registration(caf::actor_system& sys, const agent_actor& a,
                        std::chrono::milliseconds limit) {
  caf::scoped_actor self{sys};
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!stop_requested && std::chrono::steady_clock::now() < give_up) {
    auto state = agent_state::spawning;
    bool gone = false; // refused and ended: answered all the same
    self->request(a, std::chrono::seconds(1), get_atom::value)
        .receive([&](agent_view& v) { state = v.state; },
                 [&](caf::error& err) { gone = err != caf::sec::request_timeout; });
    if (gone || state != agent_state::spawning)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

/// The node's spawner: its node, its type, its key and pacer for each new life.
spawner_options spawner_for(const cli& x, const credential& node_key,
                            const pacer_actor& pacer) {
  spawner_options o;
  o.node = x.node_name;
  o.types = {x.type};
  o.node_key = node_key;
  o.pacer = pacer;
  return o;
}

/// New lives as the launch agents are made: an agent and, unless idle, its simulated
/// worker, which must learn its agent's handle (so the factory spawns both itself).
actor_factory life_factory(const cli& x, agent_settings cfg, unsigned seed,
                           credential node_key, pacer_actor pacer) {
  auto work = x.work;
  auto node = x.node_name;
  std::minstd_rand rng{seed}; // the spawner calls it from one thread at a time
  return [work, node, cfg, rng, node_key, pacer](
             caf::actor_system& sys, agent_facing_supervisor sup, const std::string& id,
             const std::string& type) mutable -> caf::expected<caf::actor> {
    agent_options opts{id, type, node};
    opts.settings = cfg;
    opts.node_key = node_key;
    opts.pacer = pacer;
    caf::actor w;
    if (work != "idle")
      opts.worker = w =
          sys.spawn(worker, work == "cycle", static_cast<unsigned>(rng()));
    auto a = spawn_agent(sys, std::move(sup), std::move(opts));
    if (!a) {
      if (w)
        caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
      return std::move(a.error());
    }
    if (w)
      caf::anon_send(w, *a);
    return caf::actor_cast<caf::actor>(*a);
  };
}

} // namespace

int run_agents(const cli& x, settings& s, caf::actor_system& sys) {
  std::random_device seeds;
  credential node_key;
  if (!x.node_key_file.empty()) {
    auto k = read_credential_file(x.node_key_file);
    if (!k) {
      std::fprintf(stderr, "vigil-node: %s\n", sys.render(k.error()).c_str());
      return 2;
    }
    node_key = std::move(*k);
  }
  warn_if_plaintext(x);
  uplink_options uo;
  uo.host = x.host;
  uo.port = x.connect_port;
  auto up = spawn_uplink(sys, uo);
  if (!up) {
    std::fprintf(stderr, "vigil-node: %s\n", sys.render(up.error()).c_str());
    return 2;
  }
  std::printf("vigil-node: connecting to %s:%u\n", x.host.c_str(), x.connect_port);
  std::fflush(stdout);
  // The first connection: the uplink keeps trying (with backoff) until Ctrl-C.
  agent_facing_supervisor sup;
  {
    caf::scoped_actor self{sys};
    self->send(*up, get_atom::value); // one question, answered when connected
    while (!sup && !stop_requested)
      self->receive([&](agent_facing_supervisor& x) { sup = std::move(x); },
                    caf::after(std::chrono::milliseconds(200)) >> [] {});
  }
  if (!sup) {
    caf::anon_send_exit(*up, caf::exit_reason::user_shutdown);
    return 0;
  }
  auto pacer = spawn_pacer(sys, caf::actor_cast<beat_sink>(sup));
  if (!pacer) {
    std::fprintf(stderr, "vigil-node: %s\n", sys.render(pacer.error()).c_str());
    caf::anon_send_exit(*up, caf::exit_reason::user_shutdown);
    return 2;
  }
  caf::anon_send(*up, caf::join_atom::value, *pacer);
  // The node offers to start new lives of its type (DESIGN §12): a restart of any id
  // of that type, its own launch agents' included, may land here.
  auto spawner =
      spawn_spawner(sys, sup, spawner_for(x, node_key, *pacer),
                    life_factory(x, s.agent_for(x.type), seeds(), node_key, *pacer));
  if (!spawner) {
    std::fprintf(stderr, "vigil-node: %s\n", sys.render(spawner.error()).c_str());
    caf::anon_send_exit(*pacer, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(*up, caf::exit_reason::user_shutdown);
    return 2;
  }
  caf::anon_send(*up, caf::join_atom::value, *spawner, sup);
  std::vector<caf::actor> actors;
  std::vector<caf::actor> workers; // each ends with its agent, which owns it
  for (size_t i = 1; i <= x.count && !stop_requested; ++i) {
    agent_options opts{x.id_prefix + "-" + std::to_string(i), x.type, x.node_name};
    // The beat interval comes with the supervisor's answer (DESIGN §11); these are
    // the rest of the agent's settings.
    opts.settings = s.agent_for(x.type);
    opts.node_key = node_key;
    opts.pacer = *pacer;
    caf::actor w;
    if (x.work != "idle")
      opts.worker = w = sys.spawn(worker, x.work == "cycle", seeds());
    auto a = spawn_agent(sys, sup, opts);
    if (!a) { // cannot happen with checked settings; end what runs, then say why
      std::fprintf(stderr, "vigil-node: %s\n", sys.render(a.error()).c_str());
      for (auto& h : actors)
        caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(*spawner, caf::exit_reason::user_shutdown);
      if (w)
        caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(*pacer, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(*up, caf::exit_reason::user_shutdown);
      return 2;
    }
    if (w) {
      caf::anon_send(w, *a);
      workers.push_back(w);
    }
    caf::anon_send(*up, caf::join_atom::value, *a, sup);
    actors.push_back(caf::actor_cast<caf::actor>(*a));
    if (i % wave == 0 && i < x.count)
      await_registration(sys, *a, std::chrono::seconds(10));
  }
  std::printf("vigil-node: %zu agents (%s-1 .. %s-%zu) on node %s, work: %s\n", x.count,
              x.id_prefix.c_str(), x.id_prefix.c_str(), x.count, x.node_name.c_str(),
              x.work.c_str());
  std::fflush(stdout);
  wait_for_stop();
  std::printf("vigil-node: stopping %zu agents\n", x.count);
  std::fflush(stdout);
  // Ends them `killed (node_shutdown)` at the supervisor (if it is reachable): an
  // orderly end of the node, which no restart policy undoes.
  caf::scoped_actor self{sys};
  auto reason = node_shutdown_reason(x.node_name);
  // The spawner first: it takes no request from here on (none can start a life while
  // the node ends) and ends the lives it started with the same reason. Then the
  // agents only: an agent ends the worker it owns, and a worker that ended first
  // would end its agent `failed` (the agent watches it).
  self->send_exit(*spawner, reason);
  for (auto& a : actors)
    self->send_exit(a, reason);
  for (auto& a : actors)
    self->wait_for(a);
  self->wait_for(*spawner);
  for (auto& w : workers)
    self->wait_for(w);
  // The supervisor hears of their ends over our connection, in order: one answered
  // question after them means it has them all before this process goes away.
  if (auto sup = reach_supervisor(sys, x.host, x.connect_port))
    self->request(*sup, std::chrono::seconds(5), count_atom::value)
        .receive([](fleet_counts&) {}, [](caf::error&) {});
  self->send_exit(*pacer, caf::exit_reason::user_shutdown);
  self->send_exit(*up, caf::exit_reason::user_shutdown);
  return 0;
}

} // namespace vigil::node
