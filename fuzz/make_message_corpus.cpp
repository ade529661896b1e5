// Writes the seed corpus and the dictionary of the messages harness by serialising real
// values the way a node sends them: every registered vigil type default-constructed,
// a few filled-in values, and whole messages. Run after a type is added (see
// message_types.hpp):
//   make_message_corpus fuzz/corpus/messages_fuzz fuzz/messages_fuzz.dict
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/message.hpp>
#include <caf/type_erased_value.hpp>

#include "message_types.hpp"
#include "vigil/messages/agent_messages.hpp"
#include "vigil/messages/atoms.hpp"
#include "vigil/messages/event.hpp"
#include "vigil/messages/subscription.hpp"

using namespace std::chrono_literals;

namespace {

struct writer {
  caf::actor_system& sys;
  std::vector<std::string> names;
  std::string dir;

  void file(const std::string& name, uint8_t first, const std::vector<char>& bytes) {
    std::ofstream out{dir + "/" + name, std::ios::binary};
    out.put(static_cast<char>(first));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }

  uint8_t index_of(const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == name)
        return static_cast<uint8_t>(i);
    return 0;
  }

  // A value as the harness's first reading sees it: its type's index, then its bytes.
  template <class T>
  void typed(const std::string& file_name, const std::string& type, T x) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    if (!sink(x))
      file(file_name, index_of(type), buf);
  }

  void message(const std::string& file_name, const caf::message& msg) {
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    if (!msg.save(sink))
      file(file_name, 0, buf);
  }
};

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR DICT_FILE\n", argv[0]);
    return 2;
  }
  vigil::fuzz::config cfg;
  caf::actor_system sys{cfg};
  writer w{sys, vigil::fuzz::type_names(cfg), argv[1]};
  for (size_t i = 0; i < w.names.size(); ++i) {
    if (w.names[i].rfind("vigil.", 0) != 0)
      continue; // an empty vector is one byte: the fuzzer finds those alone
    std::vector<char> buf;
    caf::binary_serializer sink{sys, buf};
    if (!sys.types().make_value(w.names[i])->save(sink))
      w.file("default-" + w.names[i].substr(6), static_cast<uint8_t>(i), buf);
  }
  using namespace vigil;
  registration reg{
      "a1", "coder", "n2", agent_state::busy, 9, {3, 4}, {"node-key-0123456789"}};
  heartbeat beat{"a1", 77, agent_state::on_call, 10};
  transition_report rep{
      "a1",         {5, 6}, agent_state::busy, agent_state::exhausted, 11,
      "rate_limit", "",     duration{3h}};
  registration_ack ack{(uint64_t{7} << 32) | 3, {1, 2}, 42, 10s};
  beat_batch batch{
      {{1, 5, agent_state::busy, 4}, {uint64_t{1} << 40, 6, agent_state::idle, 9}},
      duration{1500ms}};
  child_report kids{"a1", {5, 6}, 2, child_evidence::stale_label_only, 4, duration{90s},
                    1,    2,      3};
  event ev;
  ev.seq = 42;
  ev.agent = "coder-7";
  ev.type = "coder";
  ev.node = "n1";
  ev.from = agent_state::busy;
  ev.to = agent_state::exhausted;
  ev.reason = "rate_limit";
  ev.at = time_point{} + 1h;
  ev.version = 9;
  ev.recovery_at = time_point{} + 2h;
  subscription_request sub;
  sub.filter.agents = {"coder-*"};
  sub.filter.states = {agent_state::failed};
  sub.from_seq = 41;
  w.typed("registration", "vigil.registration", reg);
  w.typed("heartbeat", "vigil.heartbeat", beat);
  w.typed("transition_report", "vigil.transition_report", rep);
  w.typed("registration_ack", "vigil.registration_ack", ack);
  w.typed("beat_batch", "vigil.beat_batch", batch);
  w.typed("child_report", "vigil.child_report", kids);
  w.typed("event", "vigil.event", ev);
  w.typed("event_vector", "std::vector<vigil.event>", std::vector<event>{ev, ev});
  w.typed("subscription_request", "vigil.subscription_request", sub);
  w.message("msg-registration", caf::make_message(reg));
  w.message("msg-heartbeat", caf::make_message(beat));
  w.message("msg-three", caf::make_message(reg, beat, rep));
  w.message("msg-ack-batch", caf::make_message(ack, batch));
  w.message("msg-event", caf::make_message(ev));
  w.message("msg-status", caf::make_message(status_atom::value, std::string{"a1"}));
  w.message("msg-subscribe", caf::make_message(caf::subscribe_atom::value, sub));
  w.message("msg-empty", caf::message{});
  // The dictionary: names as they travel in a serialised caf::message, vigil's and CAF
  // 0.17's own (caf/type_nr.hpp), which a peer may send as well.
  std::ofstream dict{argv[2]};
  dict << "# Type names in a serialised caf::message (make_message_corpus.cpp).\n"
       << "\"@<>+\"\n";
  for (auto& name : w.names)
    dict << '"' << name << "\"\n";
  std::istringstream caf_names{
      "@actor @actorvec @addr @addrvec @atom @charbuf @config_value @down "
      "@downstream_msg @duration @error @exit @group @group_down @i16 @i32 @i64 @i8 "
      "@ldouble @message @message_id @node @open_stream_msg @str @strmap "
      "@strong_actor_ptr @strset @strvec @timeout @timespan @timestamp @u16 @u16_str "
      "@u32 @u32_str @u64 @u8 @unit @upstream_msg @weak_actor_ptr bool double float"};
  for (std::string name; caf_names >> name;)
    dict << '"' << name << "\"\n";
  std::printf("%zu types, seeds in %s, dictionary %s\n", w.names.size(), argv[1],
              argv[2]);
}
