// A CAF user's own actor, attached as a supervised agent (attached_agent.hpp): it
// doubles integers (its own work), drives its agent by messages a test sends (vigil's
// agent atoms, answered with the lifecycle call's error or nothing), on
// `stall_atom` switches to a behaviour that skips every message but `unstall_atom` (a
// stuck mailbox), and on `wait_atom` waits for `reply_atom` as CAF code usually does:
// `become(keep_behavior, ...)` with a behaviour that lacks vigil's handlers, under the
// default handler `attach_agent` installed. It answers an `atom("beat")` of its own
// with 7. Shared by the attached agent test files.
#pragma once

#include <stdexcept>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/skip.hpp>
#include <caf/stateful_actor.hpp>

#include "vigil/actors/attached_agent.hpp"

namespace vigil::test {

using stall_atom = caf::atom_constant<caf::atom("stall")>;
using unstall_atom = caf::atom_constant<caf::atom("unstall")>;
using throw_atom = caf::atom_constant<caf::atom("throw")>;
using wait_atom = caf::atom_constant<caf::atom("wait")>;
using reply_atom = caf::atom_constant<caf::atom("reply")>;
/// The user's own `beat`, which vigil's handlers must not shadow.
using user_beat_atom = caf::atom_constant<caf::atom("beat")>;

struct user_actor_state {
  static inline const char* name = "vigil.test.user_actor";
  attached_agent agent;
  int doubled = 0; ///< Integers it doubled: its own work went on.
};

using user_ptr = caf::stateful_actor<user_actor_state>*;

inline caf::behavior user_normal(user_ptr self);

/// A lifecycle call's outcome as a reply: its error, or an empty message.
inline caf::result<void> answer(caf::error err) {
  if (err)
    return err;
  return caf::unit;
}

/// Skips everything but `unstall_atom`: beats wait in the mailbox, unanswered.
inline caf::behavior user_stalled(user_ptr self) {
  self->set_default_handler(caf::skip);
  return {[self](unstall_atom) {
    self->set_default_handler(keep_agent_messages); // as attach_agent left it
    self->become(user_normal(self));
  }};
}

inline caf::behavior user_normal(user_ptr self) {
  return self->state.agent.handlers().or_else(caf::message_handler{
      [self](int x) {
        ++self->state.doubled;
        return 2 * x;
      },
      [self](stall_atom) { self->become(user_stalled(self)); },
      [self](wait_atom) {
        self->become(caf::keep_behavior, [self](reply_atom) { self->unbecome(); });
      },
      [](user_beat_atom) { return 7; },
      [self](slot_atom, slot_kind kind) {
        return answer(self->state.agent.start(kind));
      },
      [self](finish_atom) { return answer(self->state.agent.finish()); },
      [self](quota_atom, quota_reason why) {
        return answer(self->state.agent.quota(why));
      },
      [self](quota_atom, quota_reason why, duration retry_after) {
        return answer(self->state.agent.quota(why, retry_after));
      },
      [self](activity_atom) { self->state.agent.activity(); },
      [self](child_report& x) { self->state.agent.children(std::move(x)); },
      [self](complete_atom) { return answer(self->state.agent.complete()); },
      [self](fail_atom, std::string& text) {
        return answer(self->state.agent.fail(std::move(text)));
      },
      [self](get_atom) { return self->state.agent.view(); },
      [](throw_atom) { throw std::runtime_error("boom"); },
  });
}

/// The user's actor: attaches itself as agent `opts` and goes on with its own work.
inline caf::behavior user_actor(user_ptr self, agent_facing_supervisor sup,
                                agent_options opts) {
  auto agent = attach_agent(self, std::move(sup), std::move(opts));
  if (!agent) {
    self->quit(agent.error());
    return {};
  }
  self->state.agent = std::move(*agent);
  return user_normal(self);
}

} // namespace vigil::test
