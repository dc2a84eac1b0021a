// libFuzzer target for the CGI launcher's wire protocol: the launcher decodes whatever a worker
// sends, so decoding must survive any bytes, and whatever decodes must encode back to the same bytes
// (the encoding is canonical: no padding, no alternatives). A decoded SPAWN then goes through the
// launcher's own rules: the environment a script gets (only allowed names, each once, PATH the
// launcher's, nothing lost unaccounted for) and the script path below a CGI folder.
//
// Input: byte 0 picks the decoder (request or reply), the rest is the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "common/dotfiles.hpp"
#include "ipc/launch_protocol.hpp"
#include "ipc/script_environment.hpp"
#include "ipc/script_rules.hpp"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}

void check_environment(const std::vector<std::string>& sent) {
    const httpserve::ScriptEnvironment env = httpserve::script_environment(sent);
    check(!env.entries.empty() && env.entries[0] == "PATH=" + std::string(httpserve::kScriptPath));
    std::set<std::string> names;
    for (size_t i = 1; i < env.entries.size(); ++i) {
        const std::string& entry = env.entries[i];
        check(httpserve::allowed_script_variable(entry));
        const std::string name = entry.substr(0, entry.find('='));
        check(name != "PATH" && !name.starts_with("LD_") && names.insert(name).second);
    }
    size_t paths = 0;
    for (const std::string& e : sent) paths += e.starts_with("PATH=") || e == "PATH";
    check(env.entries.size() - 1 + env.dropped.size() + paths == sent.size());
}

void check_script_path(const std::string& script) {
    constexpr std::string_view folder = "/srv/www/cgi-bin";
    if (const auto relative = httpserve::relative_to_folder(script, folder)) {
        check(script.starts_with(folder) && !relative->starts_with('/'));
        check(script.ends_with(*relative));
    }
    (void)httpserve::has_dot_component(script);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t len) {
    if (len == 0) return 0;
    const bool as_request = (data[0] & 1) == 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), len - 1);
    if (as_request) {
        if (auto r = httpserve::decode_launch_request(bytes)) {
            check(httpserve::encode_launch_request(*r) == bytes);
            if (const auto* s = std::get_if<httpserve::SpawnRequest>(&*r)) {
                check(s->script.find('\0') == std::string::npos && s->cwd.find('\0') == std::string::npos);
                for (const auto& a : s->argv) check(a.find('\0') == std::string::npos);
                for (const auto& e : s->envp) check(e.find('\0') == std::string::npos);
                check_environment(s->envp);
                check_script_path(s->script);
            }
        }
    } else {
        if (auto r = httpserve::decode_launch_reply(bytes)) check(httpserve::encode_launch_reply(*r) == bytes);
    }
    return 0;
}
