// Reading a credential a person configured (DESIGN §11): from a file or the
// environment, never from the command line, where every user of the host can read it.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "vigil/messages/credentials.hpp"

namespace vigil {

/// The credential in `path`: the file's content without trailing whitespace. Fails
/// with `errc::bad_config` naming the file when it cannot be read, is readable or
/// writable by group or others (like ssh: `chmod 600 FILE`), or when the credential is
/// shorter than `min_credential_bytes` or longer than `max_credential_bytes`.
caf::expected<credential> read_credential_file(const std::string& path);

/// The credential in the environment variable `name` (the same length rules); an
/// empty credential when it is unset.
caf::expected<credential> read_credential_env(const char* name);

} // namespace vigil
