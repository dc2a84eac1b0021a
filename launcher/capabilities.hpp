// Trims the launcher to the capabilities it uses: CAP_SETUID and CAP_SETGID (the switch in the
// child), CAP_KILL (scripts run as another user), and, in its own user namespace
// (launcher/user_namespace.hpp), CAP_SYS_ADMIN there, which clone(CLONE_NEWPID) asks for. It needs no
// right to read files: the child opens the script as the CGI account, with no capability left. Everything else leaves
// the permitted, effective, inheritable, ambient and bounding sets, so a bug in the launcher cannot, say, load modules
// or bind ports. The scripts lose the rest at setuid() (no keep-caps) or at exec (not root in the namespace).
#pragma once

#include <string>

namespace httpserve {

// Call when running as root, or in the launcher's own user namespace (`own_namespace`: then
// CAP_SYS_ADMIN is kept too; capabilities there count only for what the namespace owns). Returns ""
// or what failed (the caller logs it and carries on: the trim is defence in depth, the uid switch
// and the namespaces are the real boundaries).
std::string keep_only_launcher_capabilities(bool own_namespace);

}  // namespace httpserve
