#include "launcher/spawn_script.hpp"

#include <linux/openat2.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "common/dotfiles.hpp"
#include "ipc/script_environment.hpp"
#include "ipc/script_rules.hpp"
#include "launcher/spawn_child.hpp"

namespace httpserve {

namespace {

SpawnOutcome refuse(std::string detail, std::string script) {
    SpawnOutcome o;
    o.code = kRefusedCode;
    o.message = kRefusedMessage;
    o.detail = std::move(detail);
    o.script = std::move(script);
    return o;
}

// A path inside one of the CGI folders, as written: the folder and the rest below it.
struct Beneath {
    const std::string* folder = nullptr;
    std::string relative;  // "." for the folder itself
};

std::optional<Beneath> beneath_a_cgi_folder(const LauncherSettings& settings, std::string_view path) {
    for (const std::string& folder : settings.cgi_folders) {
        if (auto relative = relative_to_folder(path, folder)) {
            return Beneath{&folder, relative->empty() ? std::string(".") : std::string(*relative)};
        }
    }
    return std::nullopt;
}

std::string folder_of(std::string_view relative) {
    const size_t slash = relative.rfind('/');
    return slash == std::string_view::npos ? std::string(".") : std::string(relative.substr(0, slash));
}

// "." stands for the CGI folder itself, which is not hidden.
bool hidden(std::string_view relative) { return relative != "." && has_dot_component(relative); }

// execve() takes char* const[]; it does not write through them.
std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// What a #! script's interpreter is started with (ChildPlan::interpreter_argv): two slots for the child
// to fill, the script's path, the arguments after argv[0], nullptr.
std::vector<char*> interpreter_argv(const std::string& script_path, const std::vector<char*>& argv) {
    std::vector<char*> out{nullptr, nullptr, const_cast<char*>(script_path.c_str())};
    out.insert(out.end(), argv.begin() + 1, argv.end());  // argv ends with its nullptr
    return out;
}

// The launcher's log line for a child that failed: the step, the errno, and what the two openat2
// refusals mean here.
std::string child_failure(const ChildOutcome& child) {
    std::string text = std::string(child.step) + ": " + std::strerror(child.error);
    if (child.opening && child.error == EXDEV) text += " (it leads outside its CGI folder)";
    if (child.opening && child.error == ELOOP) text += " (a symlink on the way, and files.symlinks is \"never\")";
    return text;
}

}  // namespace

SpawnOutcome spawn_script(const LauncherSettings& settings, const SpawnRequest& request, const UniqueFd& in_fd,
                          const UniqueFd& out_fd, const UniqueFd& err_fd, ScriptPidNamespace pid_namespace) {
    const std::string& asked = request.script;
    if (!settings.refuse_reason.empty()) {
        SpawnOutcome o = refuse(settings.refuse_reason, asked);
        o.message = settings.refuse_reason;  // the configuration's, not a file's: the worker may know
        return o;
    }
    if (asked.empty() || asked.front() != '/') return refuse("script path is not absolute: " + asked, asked);
    const std::optional<Beneath> script = beneath_a_cgi_folder(settings, asked);
    if (!script) return refuse(asked + ": not inside a CGI folder", asked);

    Beneath cwd{script->folder, folder_of(script->relative)};
    if (!request.cwd.empty()) {
        std::optional<Beneath> asked_cwd = beneath_a_cgi_folder(settings, request.cwd);
        if (!asked_cwd) return refuse(request.cwd + ": working folder not inside a CGI folder", asked);
        cwd = std::move(*asked_cwd);
    }
    if (settings.dotfiles_deny && (hidden(script->relative) || hidden(cwd.relative))) {
        return refuse(asked + ": a name starting with '.', and files.dotfiles is \"deny\"", asked);
    }

    ScriptEnvironment env = script_environment(request.envp);
    const std::vector<std::string> default_argv{asked};
    const std::vector<char*> argv = pointers(request.argv.empty() ? default_argv : request.argv);
    const std::vector<char*> envp = pointers(env.entries);
    // What execve() of the path checked would give a #! script as its $0, and what Python gives.
    const std::string script_path = *script->folder + "/" + script->relative;
    std::vector<char*> shebang_argv = interpreter_argv(script_path, argv);

    ChildPlan plan;
    plan.switch_user = settings.switch_user;
    plan.uid = settings.uid;
    plan.gid = settings.gid;
    plan.folder = script->folder->c_str();
    plan.script = script->relative.c_str();
    plan.cwd_folder = cwd.folder->c_str();
    plan.cwd = cwd.relative.c_str();
    plan.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (settings.symlinks_never ? RESOLVE_NO_SYMLINKS : 0);
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.interpreter_argv = shebang_argv.data();
    plan.in_fd = in_fd.get();
    plan.out_fd = out_fd.get();
    plan.err_fd = err_fd.get();
    plan.own_pid_namespace = pid_namespace == ScriptPidNamespace::Own;
    plan.limits = ScriptLimits{settings.max_account_processes, settings.max_memory, settings.max_cpu_seconds};
    const ChildOutcome child = start_child(plan);
    if (child.step != nullptr) return refuse(asked + ": " + child_failure(child), asked);
    SpawnOutcome ok;
    ok.pid = child.pid;
    ok.script = asked;
    ok.dropped_variables = std::move(env.dropped);
    return ok;
}

}  // namespace httpserve
