// The `vigil` error category: what goes wrong between actors, as `caf::error` values.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>

namespace vigil {

/// Error codes of the `vigil` category. Each names what went wrong; the context of the
/// `caf::error` carries the facts (listed per code).
enum class errc : uint8_t {
  none = 0,
  invalid_transition, ///< The table forbids the move. Context: id, from, to, allowed.
  unknown_agent,      ///< No agent with this id. Context: id.
  duplicate_agent,    ///< The id belongs to another live actor. Context: id.
  not_owner,          ///< A message for the id came from another actor. Context: id.
  queue_full,         ///< The slot queue is at capacity. Context: id, capacity.
  bad_config,         ///< A setting makes no sense. Context: setting, problem.
  agent_failed,    ///< Exit reason of an agent that ended `failed`. Context: id, error.
  invalid_request, ///< Not possible in the current state. Context: id, request,
                   ///< state, where it is possible.
  unauthorized,    ///< A privileged message without the credential it needs (a
                   ///< commander credential, a life token, a node key). Context:
                   ///< what was refused, why.
  bad_input,       ///< A value from a peer out of range or too long: refused before it
                   ///< is stored or broadcast. Context: field, expected, found.
  node_shutdown,   ///< Exit reason of an agent its node ends in an orderly shutdown
                 ///< (Ctrl-C, `fleet_scope`): recorded `killed (node_shutdown)`, never
                 ///< restarted. Context: none or the node.
  superseded, ///< A registration of an older life of an id after a restart
              ///< started a newer one (a healed partition): refused, and that
              ///< life ends on its node. Context: id.
};

/// The category atom of every vigil error.
constexpr caf::atom_value error_category = caf::atom("vigil");

/// The last code: the codes run from `errc::none` to it without gaps (checked against
/// the word table in errc.cpp). Move it when adding a code.
constexpr errc errc_last = errc::superseded;

/// @relates errc
std::string to_string(errc x);

/// Makes a `vigil` error with optional context.
/// @relates errc
template <class... Ts>
caf::error make_error(errc x, Ts&&... xs) {
  if constexpr (sizeof...(Ts) == 0)
    return {static_cast<uint8_t>(x), error_category};
  else
    return {static_cast<uint8_t>(x), error_category,
            caf::make_message(std::forward<Ts>(xs)...)};
}

/// The code of `x` when it belongs to the vigil category, else `errc::none`.
errc code_of(const caf::error& x) noexcept;

/// A sentence for a vigil error, e.g. `agent "a1" cannot go from busy to spawning
/// (allowed: idle, exhausted, offline, completed, failed, killed)`. The renderer that
/// `register_types` installs prefixes it with `vigil::<code>: `.
std::string describe(errc code, const caf::message& context);

} // namespace vigil
