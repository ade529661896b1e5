// How late a node's beats run, as the node itself measures it (DESIGN §14), over
// injected time.
#pragma once

#include <cstdint>

#include "vigil/messages/time.hpp"

namespace vigil {

/// One node's lateness: the last figure its pacer reported with a batch of beats, and
/// whether that makes the node overloaded. The figure is the pacer's own measure of
/// how late its ticks ran and how late the answers that came back were; answers that
/// never came are no part of it, so a node whose agents fall silent while its ticks
/// run on time reports no lateness, and its agents go offline on time.
///
/// Holds no clock: the owner passes `now`. A report older than the cap no longer
/// counts (a node that stopped reporting is not late, it is gone).
class node_lateness {
public:
  /// What a report changed.
  enum class change : uint8_t {
    none,
    entered, ///< The node is overloaded from now on.
    left,    ///< The node is no longer overloaded.
  };

  /// A report at `now`: the node's beats run `lateness` late. Overloaded while that
  /// is more than `threshold`.
  change report(duration lateness, duration threshold, time_point now) noexcept;

  /// How long a miss of one of this node's agents waits at `now`: the reported
  /// lateness, at most `cap`; zero once the last report is older than `cap`. Any
  /// lateness counts, overloaded or not: a beat late by 1.9 s with a 2 s grace is as
  /// late as it is.
  duration deferral(time_point now, duration cap) const noexcept;

  /// The last report's figure.
  duration lateness() const noexcept { return lateness_; }

  /// Whether the last report was over its threshold.
  bool overloaded() const noexcept { return overloaded_; }

  /// Whether the last report is at most `max_age` old at `now`.
  bool fresh(time_point now, duration max_age) const noexcept {
    return reported_ && now - reported_at_ <= max_age;
  }

  /// Since when it is overloaded (meaningful while it is).
  time_point since() const noexcept { return since_; }

  /// The worst report since it entered overload (meaningful while it is, and in the
  /// report that leaves it).
  duration worst() const noexcept { return worst_; }

private:
  time_point reported_at_;
  time_point since_;
  duration lateness_{0};
  duration worst_{0};
  bool overloaded_ = false;
  bool reported_ = false;
};

/// @relates node_lateness::change
const char* to_string(node_lateness::change x) noexcept;

} // namespace vigil
