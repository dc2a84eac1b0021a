// The environment the CGI launcher gives a script, whatever the worker sent: the RFC 3875 meta-
// variables, HTTP_* variables with a well-formed name, and the launcher's own PATH. Everything else a
// worker might send (LD_PRELOAD, PATH, IFS, a name with odd bytes) would change how the script or its
// interpreter runs rather than describe the request, so it is dropped. Pure; shared with the fuzzer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

// The PATH every script gets; a worker cannot choose it.
inline constexpr std::string_view kScriptPath = "/usr/local/bin:/usr/bin:/bin";

// NAME=value with NAME one of RFC 3875 section 4.1's meta-variables, or HTTP_ and one or more of
// A-Z 0-9 _ (section 4.1.18). PATH is not: the launcher sets it.
bool allowed_script_variable(std::string_view entry);

struct ScriptEnvironment {
    std::vector<std::string> entries;  // "PATH=..." first, then what was kept, in the order sent
    std::vector<std::string> dropped;  // the names (up to the '=') that were not kept; PATH not among them
};

// Keeps each allowed entry once (the first of a name: later ones would be read differently by
// different programs), drops the rest.
ScriptEnvironment script_environment(const std::vector<std::string>& sent);

}  // namespace httpserve
