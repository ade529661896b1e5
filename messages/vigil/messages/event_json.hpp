// JSON codecs (Boost.JSON) for events and the words they use.
//
//   boost::json::value v = boost::json::value_from(e);
//   vigil::event back = boost::json::value_to<vigil::event>(v);
//
// Times are integer nanoseconds on the supervisor's clock ("at_ns", "recovery_at_ns"),
// so a round trip is exact. Decoding follows Boost.JSON's `value_to` contract: a
// missing key or a wrong type throws (`std::invalid_argument` naming the key, or
// Boost's own `system_error` for a wrong JSON kind).
#pragma once

#include <boost/json/fwd.hpp>

#include "vigil/messages/event.hpp"

namespace vigil {

/// @relates event
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const event& x);

/// @relates event
event tag_invoke(const boost::json::value_to_tag<event>&, const boost::json::value& jv);

} // namespace vigil
