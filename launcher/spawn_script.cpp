#include "launcher/spawn_script.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ipc/script_rules.hpp"
#include "launcher/spawn_child.hpp"

namespace httpserve {

namespace {

SpawnOutcome refuse(int code, std::string message, std::string script = {}) {
    SpawnOutcome o;
    o.code = code;
    o.message = std::move(message);
    o.script = std::move(script);
    return o;
}

bool canonical(const std::string& path, std::string& out) {
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return false;
    out = buf;
    return true;
}

// Resolved again for each request: a folder may have been created (or re-linked) since start.
bool inside_cgi_folder(const LauncherSettings& settings, const std::string& resolved) {
    for (const std::string& folder : settings.cgi_folders) {
        std::string real;
        if (canonical(folder, real) && is_inside_folder(resolved, real)) return true;
    }
    return false;
}

bool executable_by_target(const LauncherSettings& settings, const std::string& path, const struct stat& st) {
    // When not switching, the launcher runs as the target account: the kernel can answer (ACLs too).
    if (!settings.switch_user) return ::faccessat(AT_FDCWD, path.c_str(), X_OK, AT_EACCESS) == 0;
    return executable_by(st.st_mode, st.st_uid, st.st_gid, settings.uid, settings.gid);
}

// execve() takes char* const[]; it does not write through them.
std::vector<char*> pointers(const std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

SpawnOutcome spawn_script(const LauncherSettings& settings, const SpawnRequest& request, const UniqueFd& in_fd,
                          const UniqueFd& out_fd, const UniqueFd& err_fd) {
    const std::string& asked = request.script;
    if (!settings.refuse_reason.empty()) return refuse(EPERM, settings.refuse_reason, asked);
    if (asked.empty() || asked.front() != '/') return refuse(EINVAL, "script path is not absolute: " + asked, asked);

    std::string script;
    if (!canonical(asked, script)) {
        const int err = errno;
        return refuse(err, asked + ": " + std::strerror(err), asked);
    }
    if (!inside_cgi_folder(settings, script)) { return refuse(EPERM, script + ": not inside a CGI folder", script); }
    struct stat st {};
    if (::stat(script.c_str(), &st) != 0) {
        const int err = errno;
        return refuse(err, script + ": " + std::strerror(err), script);
    }
    if (S_ISDIR(st.st_mode)) return refuse(EISDIR, script + ": is a directory, not a plain file", script);
    if (!S_ISREG(st.st_mode)) return refuse(EACCES, script + ": not a plain file", script);
    if (!executable_by_target(settings, script, st)) {
        return refuse(EACCES, script + ": not executable by " + settings.user, script);
    }

    std::string cwd;
    if (request.cwd.empty()) {
        const size_t slash = script.rfind('/');  // script is absolute: there is one
        cwd = script.substr(0, slash == 0 ? 1 : slash);
    } else if (!canonical(request.cwd, cwd) || !inside_cgi_folder(settings, cwd)) {
        return refuse(EPERM, request.cwd + ": working folder not inside a CGI folder", script);
    }

    for (const std::string& e : request.envp) {
        if (e.find('=') == std::string::npos || e.front() == '=') {
            return refuse(EINVAL, script + ": malformed environment entry", script);
        }
    }
    const std::vector<std::string> default_argv{script};
    const std::vector<char*> argv = pointers(request.argv.empty() ? default_argv : request.argv);
    const std::vector<char*> envp = pointers(request.envp);

    ChildPlan plan;
    plan.switch_user = settings.switch_user;
    plan.uid = settings.uid;
    plan.gid = settings.gid;
    plan.path = script.c_str();
    plan.cwd = cwd.c_str();
    plan.argv = argv.data();
    plan.envp = envp.data();
    plan.in_fd = in_fd.get();
    plan.out_fd = out_fd.get();
    plan.err_fd = err_fd.get();
    const ChildOutcome child = start_child(plan);
    if (child.step != nullptr) {
        return refuse(child.error, script + ": " + child.step + ": " + std::strerror(child.error), script);
    }
    SpawnOutcome ok;
    ok.pid = child.pid;
    ok.script = std::move(script);
    return ok;
}

}  // namespace httpserve
