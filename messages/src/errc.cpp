#include "vigil/messages/errc.hpp"

#include <iterator>

#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>

#include "vigil/messages/detail/words.hpp"

namespace vigil {

namespace {

constexpr detail::word<errc> words[] = {
    {errc::none, "none"},
    {errc::invalid_transition, "invalid_transition"},
    {errc::unknown_agent, "unknown_agent"},
    {errc::duplicate_agent, "duplicate_agent"},
    {errc::not_owner, "not_owner"},
    {errc::queue_full, "queue_full"},
    {errc::bad_config, "bad_config"},
    {errc::agent_failed, "agent_failed"},
    {errc::invalid_request, "invalid_request"},
    {errc::unauthorized, "unauthorized"},
    {errc::bad_input, "bad_input"},
    {errc::node_shutdown, "node_shutdown"},
    {errc::superseded, "superseded"},
};
static_assert(detail::in_enum_order(words) &&
              std::size(words) == static_cast<size_t>(errc_last) + 1);

} // namespace

std::string to_string(errc x) {
  return detail::word_of(words, x, "errc");
}

errc code_of(const caf::error& x) noexcept {
  if (!x || x.category() != error_category)
    return errc::none;
  return static_cast<errc>(x.code());
}

namespace {

// The i-th context element as text (strings unquoted), or "?" when absent.
std::string arg(const caf::message& ctx, size_t i) {
  if (i >= ctx.size())
    return "?";
  if (ctx.match_element<std::string>(i))
    return ctx.get_as<std::string>(i);
  return caf::deep_to_string(ctx.get_as<uint64_t>(i));
}

bool has(const caf::message& ctx, size_t n, bool strings_only = true) {
  if (ctx.size() < n)
    return false;
  for (size_t i = 0; strings_only && i < n; ++i)
    if (!ctx.match_element<std::string>(i))
      return false;
  return true;
}

} // namespace

std::string describe(errc code, const caf::message& ctx) {
  switch (code) {
  case errc::invalid_transition:
    if (has(ctx, 4))
      return "agent \"" + arg(ctx, 0) + "\" cannot go from " + arg(ctx, 1) + " to " +
             arg(ctx, 2) + " (allowed from " + arg(ctx, 1) + ": " + arg(ctx, 3) + ")";
    break;
  case errc::unknown_agent:
    if (has(ctx, 1))
      return "no agent \"" + arg(ctx, 0) + "\"";
    break;
  case errc::duplicate_agent:
    if (has(ctx, 1))
      return "agent \"" + arg(ctx, 0) +
             "\" is already registered by another live actor";
    break;
  case errc::not_owner:
    if (has(ctx, 1))
      return "agent \"" + arg(ctx, 0) + "\" belongs to another actor";
    break;
  case errc::queue_full:
    if (has(ctx, 1) && ctx.size() >= 2 && ctx.match_element<uint64_t>(1))
      return "agent \"" + arg(ctx, 0) + "\" has a full slot queue (capacity " +
             arg(ctx, 1) + ")";
    break;
  case errc::bad_config:
    if (has(ctx, 2))
      return arg(ctx, 0) + ": " + arg(ctx, 1);
    break;
  case errc::agent_failed:
    if (has(ctx, 2))
      return "agent \"" + arg(ctx, 0) + "\" failed: " + arg(ctx, 1);
    break;
  case errc::invalid_request:
    if (has(ctx, 4))
      return "agent \"" + arg(ctx, 0) + "\" cannot " + arg(ctx, 1) + " while " +
             arg(ctx, 2) + " (only while " + arg(ctx, 3) + ")";
    break;
  case errc::unauthorized:
    if (has(ctx, 2))
      return arg(ctx, 0) + " refused: " + arg(ctx, 1);
    break;
  case errc::bad_input:
    if (has(ctx, 3))
      return arg(ctx, 0) + ": expected " + arg(ctx, 1) + ", found " + arg(ctx, 2);
    break;
  case errc::node_shutdown:
    return has(ctx, 1) ? "node " + arg(ctx, 0) + " shuts down" : "its node shuts down";
  case errc::superseded:
    if (has(ctx, 1))
      return "agent \"" + arg(ctx, 0) +
             "\": a newer life of the id was started (restart); this one ends";
    break;
  case errc::none:
    return "no error";
  }
  return ctx.empty() ? to_string(code) : caf::deep_to_string(ctx);
}

} // namespace vigil
