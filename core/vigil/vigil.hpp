// Everything a one-process program needs from vigil::core, in one include: the type
// registration, the settings, the supervisor, the agent (and your own actor as one), the
// pacer, the spawner (restarts), the subscriber helper, the clean stop, errors and the
// logger. The
// components (the SQLite and Redis stores, nodes) are not included: a program that
// links them includes their headers itself.
#pragma once

#include "vigil/actors/agent.hpp"            // spawn_agent, agent_options
#include "vigil/actors/attached_agent.hpp"   // attach_agent: your actor as the agent
#include "vigil/actors/pacer.hpp"            // spawn_pacer
#include "vigil/actors/spawner.hpp"          // spawn_spawner: restarts on this node
#include "vigil/config/settings.hpp"         // settings, read_settings_file
#include "vigil/messages/errc.hpp"           // errc, code_of
#include "vigil/messages/log.hpp"            // log, set_log
#include "vigil/messages/node_shutdown.hpp"  // node_shutdown_reason
#include "vigil/messages/register_types.hpp" // register_types
#include "vigil/supervisors/fleet_scope.hpp" // fleet_scope: a clean stop
#include "vigil/supervisors/subscriber.hpp"  // spawn_subscriber, subscribe
#include "vigil/supervisors/supervisor.hpp"  // spawn_supervisor, supervisor_actor
