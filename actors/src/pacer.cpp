// The pacer: phases of agents keyed by their next tick, one delayed message per phase,
// and the answers gathered into batches.
#include "vigil/actors/pacer.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <random>
#include <unordered_map>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/logger.h>

#include "pacer_protocol.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"
#include "vigil/messages/log.hpp"

namespace vigil {

namespace {

struct member {
  /// Null once the agent said it is gone: its slot frees at its next tick.
  caf::actor agent;
  uint64_t key = 0;
  uint64_t secret = 0; ///< The life's beat secret: the supervisor checks it per beat.
  uint32_t token = 0;  ///< Of the last tick: only its answer counts.
  /// Its interval, as an index into `pacer_state::intervals`: a fleet beats at a
  /// handful of intervals, and 8 B less per member keeps a member at 32 B.
  uint16_t interval = 0;
  bool ticked = false; ///< A tick is out, unanswered.
  /// The run of that tick, as an index into `pacer_state::run_due` (the byte the
  /// member had spare): its answer's lateness counts from that run's due time.
  uint8_t run = 0;
};
static_assert(sizeof(member) == 32, "a million members: keep a member at 32 B");

/// The worst lateness measured lately: the current window's and the previous one's.
class worst_lately {
public:
  explicit worst_lately(duration span = std::chrono::seconds(10)) : span_(span) {}

  void note(time_point now, duration late) {
    roll(now);
    current_ = std::max(current_, late);
  }

  duration worst(time_point now) {
    roll(now);
    return std::max(current_, previous_);
  }

private:
  void roll(time_point now) {
    if (now - start_ < span_)
      return;
    previous_ = now - start_ < 2 * span_ ? current_ : duration::zero();
    current_ = duration::zero();
    start_ = now;
  }

  duration span_;
  time_point start_;
  duration current_{0};
  duration previous_{0};
};

struct pacer_state {
  pacer_state() = default;
  pacer_state(const pacer_state&) = delete;
  pacer_state& operator=(const pacer_state&) = delete;

  /// However the pacer ends, its agents learn it from here (they do not monitor it:
  /// a million monitors cost about 50 MB) and beat by themselves.
  ~pacer_state() {
    size_t n = 0;
    for (auto& m : members)
      if (m.agent) {
        caf::anon_send(m.agent, pace_atom::value, address);
        ++n;
      }
    if (n > 0)
      log()->warn("pacer stopped: its {} agents beat by themselves", n);
  }

  static inline const char* name = "vigil.pacer";
  caf::actor_addr address; ///< Of this pacer: its agents check whose end they hear of.
  pacer_options opts;
  beat_sink upstream;
  std::vector<member> members;
  std::vector<duration> intervals; ///< Every distinct interval members beat at.
  std::vector<uint32_t> free_slots;
  /// Next tick -> the members it ticks. One delayed message per entry.
  std::map<time_point, std::vector<uint32_t>> phases;
  std::vector<paced_beat> batch;
  /// The due time of the batch's oldest tick (max: the batch is empty).
  time_point batch_oldest = time_point::max();
  /// When the batch's first answer came, if the batch had to wait for more.
  time_point batch_started;
  /// Due times of the last 256 tick runs, by `member::run`. An answer that comes
  /// more than 256 runs after its tick (12.8 s at the default granularity and one
  /// interval) finds a newer run's time there: its lateness is then under-counted.
  std::array<time_point, 256> run_due{};
  uint8_t next_run = 0;
  worst_lately late;
  std::minstd_rand tokens{std::random_device{}()};
  size_t awaiting = 0; ///< Ticks sent whose answers have not come yet.
  bool flush_armed = false;
};

using self_ptr = detail::pacer_impl::stateful_pointer<pacer_state>;

/// The member list of the phase ticking at `due`; arms its timer when it is new.
std::vector<uint32_t>& phase_at(self_ptr self, time_point due) {
  auto [i, added] = self->state.phases.try_emplace(due);
  if (added)
    self->delayed_send(self, due - self->clock().now(), detail::pace_tick_atom::value,
                       due);
  return i->second;
}

/// The first tick of an agent joining now: one interval on, rounded down to the
/// phase grid (never to now or earlier).
time_point first_tick(self_ptr self, duration interval) {
  auto now = self->clock().now();
  auto due = now + interval;
  auto grid = self->state.opts.granularity;
  if (grid <= duration::zero())
    return due;
  auto since_epoch = due.time_since_epoch();
  auto rounded = due - since_epoch % grid;
  return rounded > now ? rounded : due;
}

/// Sends the batch on. `held`: how long the pacer held it on purpose, waiting for
/// answers that did not come (`flush_after`, when its timer sent it): not lateness.
void flush(self_ptr self, duration held = duration::zero()) {
  auto& st = self->state;
  if (st.batch.empty())
    return;
  // One clock reading per batch, not per answer: the oldest tick's answer is the
  // latest. A batch its timer sends counts from when the timer was due, so a stuck
  // agent, whose answer is what the batch waited for, makes nobody late; what the
  // timer itself ran late counts. (Answers that came during the wait are under-counted
  // by up to `flush_after`.)
  auto now = self->clock().now();
  st.late.note(now, std::max(now - held - st.batch_oldest, duration::zero()));
  st.batch_oldest = time_point::max();
  beat_batch out;
  out.lateness = st.late.worst(now);
  out.beats.swap(st.batch);
  st.batch.reserve(std::min(out.beats.size(), st.opts.max_batch));
  self->send(st.upstream, std::move(out));
}

/// The flush timer: sends the batch when it has waited `flush_after`, or waits for
/// the rest of that when the timer was armed for an earlier batch that left sooner.
void on_flush_timer(self_ptr self) {
  auto& st = self->state;
  st.flush_armed = false;
  if (st.batch.empty())
    return;
  auto now = self->clock().now();
  auto due = st.batch_started + st.opts.flush_after;
  if (now < due) {
    st.flush_armed = true;
    self->delayed_send(self, due - now, caf::flush_atom::value);
    return;
  }
  flush(self, st.opts.flush_after);
}

/// The index of `interval` in `intervals`, added when new; nothing when the table
/// is full (65,536 distinct intervals: no fleet has that many types).
caf::optional<uint16_t> interval_index(self_ptr self, duration interval) {
  auto& xs = self->state.intervals;
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i] == interval)
      return static_cast<uint16_t>(i);
  if (xs.size() > std::numeric_limits<uint16_t>::max())
    return caf::none;
  xs.push_back(interval);
  return static_cast<uint16_t>(xs.size() - 1);
}

caf::expected<uint32_t> join(self_ptr self, uint64_t key, uint64_t secret,
                             duration interval, uint32_t hint) {
  auto& st = self->state;
  auto agent = caf::actor_cast<caf::actor>(self->current_sender());
  if (!agent || interval <= duration::zero())
    return no_pacer_slot; // nobody to tick, or never
  auto index = interval_index(self, interval);
  if (!index) // refused: the agent beats by itself
    return make_error(errc::invalid_request, std::string{"pacer"},
                      "tick every " + format_duration(interval),
                      std::string{"65,536 distinct intervals"},
                      std::string{"fewer distinct intervals"});
  if (hint < st.members.size() && st.members[hint].agent == agent) {
    auto& m = st.members[hint]; // a re-registration: same phase
    m.key = key;
    m.secret = secret;
    m.interval = *index; // from the next tick on
    return hint;
  }
  uint32_t slot;
  if (st.free_slots.empty()) {
    slot = static_cast<uint32_t>(st.members.size());
    st.members.emplace_back();
  } else {
    slot = st.free_slots.back();
    st.free_slots.pop_back();
  }
  st.members[slot] = member{std::move(agent), key, secret, 0, *index, false};
  phase_at(self, first_tick(self, interval)).push_back(slot);
  return slot;
}

/// Whether the agent of `m` has ended. The pacer watches no agent (a monitor and a map
/// from address to member cost about 90 B per agent); it finds ended ones here, as it
/// ticks them, and lets go of them (the flag is atomic, set as the actor ends).
bool ended(const member& m) {
  auto* ptr = caf::actor_cast<caf::abstract_actor*>(m.agent);
  return !ptr || ptr->getf(caf::abstract_actor::is_terminated_flag);
}

void tick(self_ptr self, time_point due) {
  auto& st = self->state;
  auto node = st.phases.extract(due);
  if (node.empty())
    return;
  auto now = self->clock().now();
  st.late.note(now, std::max(now - due, duration::zero())); // how late this tick runs
  auto run = st.next_run++;
  st.run_due[run] = due;
  // Members of one interval go on to the same next phase: look it up once per run.
  int last_interval = -1;
  std::vector<uint32_t>* next = nullptr;
  for (auto slot : node.mapped()) {
    auto& m = st.members[slot];
    if (ended(m)) {
      if (m.ticked) // its answer will not come
        --st.awaiting;
      m = member{};
      st.free_slots.push_back(slot);
      continue;
    }
    if (!m.ticked) { // else it has not answered the last one: no pile-up
      m.ticked = true;
      m.run = run;
      m.token = static_cast<uint32_t>(st.tokens());
      // No sender: the agent answers its pacer, and the answer carries the token.
      m.agent->eq_impl(caf::make_message_id(), nullptr, self->context(),
                       beat_atom::value, slot, m.token);
      ++st.awaiting;
    }
    if (m.interval != last_interval) {
      last_interval = m.interval;
      next = &phase_at(self, due + st.intervals[m.interval]);
    }
    next->push_back(slot);
  }
}

void on_answer(self_ptr self, uint32_t ticket, uint32_t token, agent_state state,
               uint64_t version) {
  auto& st = self->state;
  if (ticket >= st.members.size())
    return;
  auto& m = st.members[ticket];
  // Only the answer to the member's last tick: nobody beats for another agent.
  if (!m.ticked || !m.agent || token != m.token)
    return;
  m.ticked = false;
  --st.awaiting;
  st.batch_oldest = std::min(st.batch_oldest, st.run_due[m.run]);
  st.batch.push_back(paced_beat{m.key, m.secret, state, version});
  if (st.awaiting == 0 || st.batch.size() >= st.opts.max_batch) {
    flush(self);
    return;
  }
  if (st.batch.size() == 1) // a batch that waits: its timer counts from here
    st.batch_started = self->clock().now();
  if (!st.flush_armed) {
    st.flush_armed = true;
    self->delayed_send(self, st.opts.flush_after, caf::flush_atom::value);
  }
}

detail::pacer_impl::behavior_type pacer(self_ptr self, beat_sink upstream,
                                        pacer_options opts) {
  auto& st = self->state;
  st.address = self->address();
  st.upstream = std::move(upstream);
  st.opts = opts;
  st.late = worst_lately{opts.lateness_window};
  // A stray error message (say, from an actor that joined with a plain send and did
  // not expect the slot in answer) must not end the pacer of a whole node.
  self->set_error_handler([](caf::error&) {});
  return {
      [self](pace_atom, uint64_t key, uint64_t secret, duration interval,
             uint32_t slot) -> caf::result<uint32_t> {
        auto x = join(self, key, secret, interval, slot);
        if (!x)
          return std::move(x.error());
        return *x;
      },
      [self](beat_atom, uint32_t ticket, uint32_t token, agent_state state,
             uint64_t version) { on_answer(self, ticket, token, state, version); },
      [self](detail::pace_tick_atom, time_point due) { tick(self, due); },
      [self](supervisor_atom, beat_sink& sink) {
        // Only from a named actor of this node (the uplink): anyone else could have
        // the beats of every agent here sent to itself.
        auto sender = self->current_sender();
        if (!sender || sender->node() != self->node()) {
          log()->warn("pacer: ignored a new destination for its beats from {}",
                      sender ? "another node" : "an anonymous sender");
          return;
        }
        self->state.upstream = std::move(sink);
      },
      [self](caf::flush_atom) { on_flush_timer(self); },
  };
}

} // namespace

caf::expected<pacer_actor> spawn_pacer(caf::actor_system& sys, beat_sink upstream,
                                       pacer_options options) {
  auto bad = [](const char* what, const char* why) {
    return make_error(errc::bad_config, std::string{what}, std::string{why});
  };
  if (!upstream)
    return bad("pacer", "has no upstream to send its batches to");
  if (options.granularity < duration::zero())
    return bad("pacer granularity", "is negative");
  if (options.max_batch == 0 || options.max_batch > max_batch_beats)
    return bad("pacer max_batch", "must be between 1 and max_batch_beats (16384)");
  if (options.flush_after <= duration::zero())
    return bad("pacer flush_after", "is not positive");
  if (options.lateness_window <= duration::zero())
    return bad("pacer lateness_window", "is not positive");
  // Typed inside too (pacer_protocol.hpp): CAF checks every handler against the
  // whole interface; users get the part they send.
  pacer_actor handle = sys.spawn(pacer, std::move(upstream), options);
  return handle;
}

} // namespace vigil
