// What an agent's life tells about itself (DESIGN §2, §5): its transitions, the
// activity and the children its watchdog judges. Each proves its life with the token.
#include <vector>

#include <spdlog/fmt/fmt.h>
#include <spdlog/logger.h>

#include "supervisor_engine.hpp"
#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil::detail {

caf::result<void> on_report(self_ptr self, transition_report& rep) {
  if (auto err = check_inbound(rep))
    return refuse_input(self, "transition report", std::move(err));
  auto rec = owned(self, rep.id, rep.token, "transition report");
  if (!rec)
    return std::move(rec.error());
  auto& r = **rec;
  // Deadlines due by now come first: a fired watchdog has ended the agent already.
  run_watchdog(self, r, self->clock().now());
  if (rep.to == agent_state::offline) // DESIGN §2: the supervisor decides that
    return make_error(errc::invalid_request, r.id, std::string{"report offline"},
                      to_string(r.state), std::string{"never: the supervisor decides"});
  if (auto err = check_transition(r.id, r.state, rep.to)) {
    log_limited(self, spdlog::level::err, "invalid report",
                "agent {} reported {} -> {}: {}", r.id, to_string(rep.from),
                to_string(rep.to), self->system().render(err));
    return err;
  }
  r.beats.beat(self->clock().now()); // a report is evidence of life too
  apply(self, r, change{rep.to, rep.reason, rep.error, rep.recovery_in});
  ensure_timer(self, r);
  return caf::unit;
}

void on_activity(self_ptr self, activity_report& x) {
  if (auto err = check_inbound(x)) {
    refuse_input(self, "activity report", std::move(err));
    return;
  }
  auto rec = owned(self, x.id, x.token, "activity report");
  if (!rec || !(*rec)->watchdog)
    return; // not working: quiet by right
  auto& r = **rec;
  std::vector<watchdog_note> notes;
  r.watchdog->activity(self->clock().now() - x.since, notes);
  if (publish_notes(self, r, notes))
    ensure_watchdog_timer(self, r);
}

void on_children(self_ptr self, child_report& x) {
  if (auto err = check_inbound(x)) {
    refuse_input(self, "child report", std::move(err));
    return;
  }
  auto rec = owned(self, x.id, x.token, "child report");
  if (!rec || !(*rec)->watchdog)
    return;
  auto& r = **rec;
  std::vector<watchdog_note> notes;
  r.watchdog->children(self->clock().now(), x, notes);
  if (publish_notes(self, r, notes))
    ensure_watchdog_timer(self, r);
}

} // namespace vigil::detail
