#include "vigil/messages/subscription.hpp"

#include <algorithm>

namespace vigil {

namespace {

template <class T>
bool admits(const std::vector<T>& xs, const T& x) {
  return xs.empty() || std::find(xs.begin(), xs.end(), x) != xs.end();
}

} // namespace

bool matches(const subscription_filter& filter, const event& e) {
  return admits(filter.agents, e.agent) && admits(filter.types, e.type) &&
         admits(filter.states, e.to) && admits(filter.kinds, e.kind);
}

bool matches(const subscription_filter& filter, const agent_status& x) {
  return admits(filter.agents, x.id) && admits(filter.types, x.type) &&
         admits(filter.states, x.state);
}

} // namespace vigil
