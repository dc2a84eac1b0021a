// Containment of CGI scripts, part one: the launcher moves into a user namespace of its own, mapped
// one to one onto the accounts outside, so that it holds CAP_SYS_ADMIN there and may give every
// script a PID namespace of its own (clone(CLONE_NEWPID), launcher/spawn_child.cpp) without holding
// CAP_SYS_ADMIN on the machine.
//
// What a script's PID namespace buys: the script is its namespace's init, so no pid outside it (a
// worker, the master, another request's script) can be named, let alone signalled; and when the
// script ends, or is killed, the kernel kills everything it started, wherever that went (setsid,
// setpgid, double fork). Inside the user namespace the accounts are the same ones (uid N is uid N),
// so files, the account switch and the checks behave as before; capabilities the launcher holds in
// its namespace count for nothing outside it.
#pragma once

#include <string>

namespace httpserve {

// Moves the calling process (the launcher, still single-threaded) into a new user namespace with
// the identity mapping: every uid but 0 and every gid when it runs as root (a short-lived helper
// that stays outside writes the maps, which needs CAP_SETUID/CAP_SETGID outside), its own uid and
// gid only otherwise. Returns "" on success, or why it failed (the process is then unchanged).
std::string enter_own_user_namespace();

}  // namespace httpserve
