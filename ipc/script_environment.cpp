#include "ipc/script_environment.hpp"

#include <algorithm>
#include <array>

namespace httpserve {

namespace {

// RFC 3875 section 4.1, in its order, then the extras the worker documents: HTTPS ("on" over TLS).
constexpr std::array<std::string_view, 18> kMetaVariables = {
    "AUTH_TYPE",    "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE", "PATH_INFO",       "PATH_TRANSLATED",
    "QUERY_STRING", "REMOTE_ADDR",    "REMOTE_HOST",  "REMOTE_IDENT",      "REMOTE_USER",     "REQUEST_METHOD",
    "SCRIPT_NAME",  "SERVER_NAME",    "SERVER_PORT",  "SERVER_PROTOCOL",   "SERVER_SOFTWARE", "HTTPS"};

constexpr std::string_view kHttpPrefix = "HTTP_";

bool protocol_variable_name(std::string_view name) {
    if (!name.starts_with(kHttpPrefix) || name.size() == kHttpPrefix.size()) return false;
    return std::all_of(name.begin() + kHttpPrefix.size(), name.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string_view name_of(std::string_view entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

bool allowed_script_variable(std::string_view entry) {
    if (entry.find('=') == std::string_view::npos) return false;
    const std::string_view name = name_of(entry);
    return protocol_variable_name(name) ||
           std::find(kMetaVariables.begin(), kMetaVariables.end(), name) != kMetaVariables.end();
}

ScriptEnvironment script_environment(const std::vector<std::string>& sent) {
    ScriptEnvironment env;
    env.entries.reserve(sent.size() + 1);
    env.entries.push_back("PATH=" + std::string(kScriptPath));
    for (const std::string& entry : sent) {
        const std::string_view name = name_of(entry);
        if (name == "PATH") continue;  // replaced, not dropped: a worker sends the same value today
        const auto same_name = [name](const std::string& kept) {
            return kept.size() > name.size() && kept[name.size()] == '=' && kept.starts_with(name);
        };
        if (allowed_script_variable(entry) && std::none_of(env.entries.begin() + 1, env.entries.end(), same_name)) {
            env.entries.push_back(entry);
        } else {
            env.dropped.emplace_back(name);
        }
    }
    return env;
}

}  // namespace httpserve
