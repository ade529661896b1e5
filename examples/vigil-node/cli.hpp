// vigil-node: a supervisor, agents, or an observer as one process of a fleet spread
// over nodes (DESIGN §7). The command line and what the commands share.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include <caf/actor_system_config.hpp>
#include <caf/fwd.hpp>

#include "vigil/config/settings.hpp"
#include "vigil/messages/credentials.hpp"
#include "vigil/nodes/node_config.hpp"

namespace vigil::node {

struct cli {
  std::string command; ///< supervise, agents, watch, status, kill, pause or resume.
  uint16_t port = 0;   ///< supervise: 0 picks a free one (printed).
  std::string bind;    ///< supervise: listen address; empty: 127.0.0.1 (loopback).
  /// supervise: `--http [ADDR:]PORT` as given; empty: no HTTP. Split into the two
  /// below after parsing (ADDR: 127.0.0.1 unless named; an IPv6 one without brackets).
  std::string http;
  std::string http_address;
  uint16_t http_port = 0;
  /// supervise: the SQLite record goes to STATE_DIR/fleet.db unless --config names a
  /// store or --no-store.
  std::string state_dir = "vigil-state";
  bool no_store = false;
  std::string host; ///< --connect HOST:PORT
  uint16_t connect_port = 0;
  std::string config;
  tls_settings tls;
  size_t count = 1;
  std::string type = "default";
  std::string id_prefix = "agent";
  std::string node_name; ///< agents: the node the agents report; default: host name.
  std::string work = "cycle"; ///< agents: cycle, busy or idle.
  bool list_agents = false;   ///< status --agents
  /// supervise: the commander credential commands must carry; kill, pause, resume:
  /// the credential to send. From this file, else from $VIGIL_COMMANDER_KEY.
  std::string commander_key_file;
  std::string node_key_file; ///< agents: the node's key (--node-key FILE).
  std::string agent_id;      ///< kill, pause, resume: the agent.
  bool json = false;
};

/// Reads the command line (CLI11: every command takes `--help`). Nothing: go on; a
/// code: exit with it, the help or CLI11's message printed (0 after `--help`, 2 on bad
/// usage).
std::optional<int> parse(int argc, char** argv, cli& x);

/// The settings of --config on top of the defaults; prints the problem and returns
/// nothing when the file is bad.
std::optional<settings> load_settings(const cli& x);

/// A node's actor system config (middleman, connection heartbeat, TLS, types, two
/// scheduler threads); prints the problem and returns false when it cannot be made.
bool configure(caf::actor_system_config& cfg, const cli& x, const settings& s);

/// Blocks SIGINT and SIGTERM in every thread made from now on; call first in main.
void block_stop_signals();

/// Set once SIGINT or SIGTERM arrived (a thread waits for them).
extern std::atomic<bool> stop_requested;

/// Starts the thread that waits for SIGINT / SIGTERM.
void watch_stop_signals();

/// Sleeps until a stop signal came.
void wait_for_stop();

// The commands, in a system made from `configure`.
int run_supervise(const cli& x, settings& s, caf::actor_system& sys);
int run_agents(const cli& x, settings& s, caf::actor_system& sys);
int run_watch(const cli& x, settings& s, caf::actor_system& sys);
int run_status(const cli& x, settings& s, caf::actor_system& sys);
int run_command(const cli& x, settings& s, caf::actor_system& sys);

/// Warns on stderr when `x` connects to an address other than loopback without TLS:
/// what it sends (credentials, node keys, life tokens) would travel in the clear.
void warn_if_plaintext(const cli& x);

/// The commander credential: from --commander-key FILE, else $VIGIL_COMMANDER_KEY;
/// prints the problem and returns nothing when it is bad. Empty when neither is set.
std::optional<credential> commander_credential(const cli& x);

} // namespace vigil::node
