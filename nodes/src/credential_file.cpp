#include "vigil/nodes/credential_file.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include "vigil/messages/errc.hpp"
#include "vigil/messages/inbound_checks.hpp"

namespace vigil {

namespace {

caf::error bad(const std::string& what, std::string why) {
  return make_error(errc::bad_config, what, std::move(why));
}

caf::expected<credential> checked(const std::string& what, std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' ||
                           text.back() == ' ' || text.back() == '\t'))
    text.pop_back();
  if (text.size() < min_credential_bytes || text.size() > max_credential_bytes)
    return bad(what, "must hold " + std::to_string(min_credential_bytes) + " to " +
                         std::to_string(max_credential_bytes) + " bytes, holds " +
                         std::to_string(text.size()) +
                         " (make one with: openssl rand -hex 32)");
  return credential{std::move(text)};
}

} // namespace

caf::expected<credential> read_credential_file(const std::string& path) {
  auto what = "credential file " + path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return bad(what, "cannot be read (does it exist?)");
  if (!S_ISREG(st.st_mode))
    return bad(what, "is not a regular file");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    return bad(what, "is open to group or others; chmod 600 " + path);
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return bad(what, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return checked(what, text.str());
}

caf::expected<credential> read_credential_env(const char* name) {
  auto* value = std::getenv(name);
  if (!value)
    return credential{};
  return checked(std::string{"environment variable "} + name, value);
}

} // namespace vigil
