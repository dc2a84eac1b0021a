// Trims the root launcher to the capabilities it uses: CAP_SETUID and CAP_SETGID (the switch in the
// child), CAP_KILL (scripts run as another user) and CAP_DAC_READ_SEARCH (to resolve and stat
// scripts in folders root does not own). Everything else leaves the permitted, effective,
// inheritable, ambient and bounding sets, so a bug in the launcher cannot, say, read any file,
// load modules or bind ports. The scripts lose the rest at setuid() (no keep-caps).
#pragma once

#include <string>

namespace httpserve {

// Call only when running as root. Returns "" or what failed (the caller logs it and carries on:
// the trim is defence in depth, the uid switch is the real boundary).
std::string keep_only_launcher_capabilities();

}  // namespace httpserve
