// A CAF user's own actor as the supervised agent: its own mailbox answers the beats.
//
// Why a handler set rather than a mixin or a wrapper: a wrapper is another actor in
// front of the user's, so the supervisor would watch the wrapper, and a stuck user
// mailbox would not stop the beats; a mixin needs the user's actor to be a class, where
// most CAF actors are functions returning a `caf::behavior`. A handler set leaves the
// actor as it is: it `or_else`s vigil's few handlers (the beat timer, the pacer's
// ticks, recovery, reconnects) into its behaviour, and its code calls the lifecycle
// functions below where vigil's agent would take a message. The actor registers as
// itself, so the supervisor monitors it: its death is the agent's end, as for vigil's
// agent actor.
//
// The lifecycle, the registration and the beat protocol are vigil's agent's own code
// (actors/src/agent_core.hpp), shared: the two kinds behave alike. What differs: no
// slot queue (the user's code decides when to work), no worker (the actor is the
// work), no `get_atom`, `hang_atom` or `wake_atom` handlers (the actor's own behaviour
// decides what it answers: one that skips every message is stuck and goes offline).
//
// Cost (bench/attach_bench, 20,000 agents, Debug build): about 760 B of heap per agent
// more than vigil's agent actor alone (the handlers in the actor's behaviour, the core
// beside it, the functor that keeps it), 650 B less than vigil's agent with a worker
// of its own; CPU per beat within 7 % of vigil's agent, the same on a pacer.
#pragma once

#include <memory>
#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>
#include <caf/message_handler.hpp>
#include <caf/result.hpp>

#include "vigil/actors/agent.hpp"

namespace vigil {

namespace detail::agent {
struct agent_core;
} // namespace detail::agent

/// The supervised agent a user's actor is (see `attach_agent`): the handlers its
/// behaviour needs, and the calls by which its code reports its lifecycle. A cheap
/// handle: copies share one agent. Use it only from the actor's own code (its
/// handlers and callbacks), as you would `self`.
///
/// Every call that changes the state reports the transition to the supervisor, with the
/// life token and version, exactly as vigil's agent actor does, and answers an error
/// (`invalid_transition`, `invalid_request` naming the agent, its state and what is
/// allowed) that leaves the agent unchanged.
class attached_agent {
public:
  attached_agent() = default;

  /// The handlers the agent needs from the actor's mailbox: its own beat timer, its
  /// pacer's ticks and end, recovery from exhausted, coalesced activity, a new
  /// supervisor handle after a reconnect. Put them first in every behaviour the actor
  /// takes: `return agent.handlers().or_else(your_handlers);`. A behaviour without
  /// them (CAF's `become(keep_behavior, ...)` while the actor waits for a reply, say)
  /// answers no beat: the supervisor declares the agent offline at its deadline. The
  /// messages wait meanwhile (the default handler `attach_agent` installs keeps them),
  /// and it comes back with the next beat once the handlers are back.
  ///
  /// The handlers take their timers only from the actor itself and a new supervisor
  /// only from an actor of its own node (the node's uplink); they ignore such
  /// messages from anyone else.
  caf::message_handler handlers() const;

  /// Starts working: idle -> busy (`slot_kind::work`) or on_call. Only from idle.
  caf::error start(slot_kind kind = slot_kind::work);

  /// The work is done: busy or on_call -> idle.
  caf::error finish();

  /// A quota was hit: exhausted until now + `retry_after` (else the settings'
  /// `default_recovery`), then idle again at exactly that time. From idle, busy or
  /// on_call.
  caf::error quota(quota_reason why);
  caf::error quota(quota_reason why, duration retry_after);

  /// The work produced output: forwarded to the supervisor's watchdog while working,
  /// coalesced to one report per `activity_report_interval`.
  void activity();

  /// The work waits on child processes: forwarded while working, with the agent's id.
  void children(child_report x);

  /// Ends the agent `completed`, and the actor with it (`quit()`, exit reason normal).
  caf::error complete();

  /// Ends the agent `failed` with `error`, and the actor with it (exit reason
  /// `errc::agent_failed`).
  caf::error fail(std::string error);

  /// The lifecycle state: `spawning` until the supervisor accepted the registration,
  /// then `idle` and whatever the calls above make of it.
  agent_state state() const;

  /// The agent as it sees itself (what `get_atom` answers for vigil's agent).
  agent_view view() const;

  /// Whether this handle names an agent (`attach_agent` gave it).
  explicit operator bool() const noexcept { return core_ != nullptr; }

private:
  friend caf::expected<attached_agent> attach_agent(caf::event_based_actor* self,
                                                    agent_facing_supervisor supervisor,
                                                    agent_options options);

  caf::event_based_actor* self_ = nullptr;
  /// Owned by the actor too (until it has ended), so the handlers and the answers to
  /// its requests never outlive it, wherever the user keeps this handle.
  std::shared_ptr<detail::agent::agent_core> core_;
};

/// Makes `self`, a user's own event-based actor (a function-based one, or a
/// `caf::stateful_actor<S>`), the supervised agent `options.id`. Call it from the
/// actor's own code, usually where it builds its first behaviour, then `or_else` the
/// handle's `handlers()` into that behaviour (and every later one).
///
/// The actor registers with `supervisor` as itself (a request; the supervisor
/// monitors it), beats at the interval the answer names for its type (to its own timer,
/// or to `options.pacer`'s ticks), and carries the answer's life token in everything
/// it sends, as vigil's agent actor does. A refused registration ends the agent
/// `failed` and the actor with it. The supervisor's kill is an exit message
/// (`user_shutdown`), and so is its node's orderly shutdown (`node_shutdown_reason`,
/// which the supervisor records `killed (node_shutdown)`): an actor that traps exits
/// should quit on them with their reason, reporting nothing more. A registration
/// refused as `errc::superseded` (a newer life of the id started) ends it `failed`,
/// never retried.
///
/// It sets the actor's default handler to `keep_agent_messages`: vigil's messages that
/// arrive while a behaviour without `handlers()` runs wait in the mailbox rather than
/// being dropped (CAF's default), which would end the beats for good. An actor that
/// sets a default handler of its own afterwards must keep them likewise: skip what
/// `is_agent_message` names (or call `keep_agent_messages` for the rest as well).
///
/// Fails with `errc::bad_config` for a null `self`, an empty id, a null supervisor,
/// settings that make no sense, a `worker` in the options (the actor is the work), or
/// an actor that is an attached agent already (one agent per actor).
caf::expected<attached_agent> attach_agent(caf::event_based_actor* self,
                                           agent_facing_supervisor supervisor,
                                           agent_options options);

/// Whether `msg` is one of the messages `attached_agent::handlers()` takes: the
/// agent's own timers, its pacer's ticks and end, a new supervisor handle.
bool is_agent_message(const caf::type_erased_tuple& msg);

/// The default handler `attach_agent` installs: skips vigil's messages
/// (`is_agent_message`), so they wait until a behaviour with the handlers runs again,
/// and hands every other one to `caf::print_and_drop`, CAF's own default (so too the
/// ones the handlers would ignore: a timer not sent by the actor itself, a supervisor
/// handle not from its own node).
caf::result<caf::message> keep_agent_messages(caf::scheduled_actor* self,
                                              caf::message_view& x);

} // namespace vigil
