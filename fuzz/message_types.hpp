// The vigil types the messages harness and its seed generator address by index: every
// name `register_types` gives CAF (and the `std::vector<...>` CAF adds for each),
// sorted. A type registered there is fuzzed without a change here; regenerate the seeds
// (make_message_corpus.cpp) so that their first bytes point at the same types again.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>

#include "vigil/messages/register_types.hpp"

namespace vigil::fuzz {

inline std::vector<std::string> type_names(const caf::actor_system_config& cfg) {
  std::vector<std::string> xs;
  for (auto& kv : cfg.value_factories_by_name)
    if (kv.first.rfind("vigil.", 0) == 0 ||
        kv.first.rfind("std::vector<vigil.", 0) == 0)
      xs.push_back(kv.first);
  std::sort(xs.begin(), xs.end());
  return xs;
}

/// A config with vigil's types and the testing scheduler (no worker threads).
struct config : caf::actor_system_config {
  config() {
    set("scheduler.policy", caf::atom("testing"));
    register_types(*this);
  }
};

} // namespace vigil::fuzz
