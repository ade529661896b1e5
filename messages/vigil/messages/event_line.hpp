// An older name of the event codec's header: `event_line` and `unix_origin` live in
// event_json.hpp, with the decoder and the schema they share.
#pragma once

#include "vigil/messages/event_json.hpp"
