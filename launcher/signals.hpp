// Signal dispositions inside the CGI launcher. become_launcher() sets every disposition: these are
// ignored, all others are SIG_DFL (no handler anywhere). So a script's child only has these to put
// back to SIG_DFL before exec (a handler would not survive exec anyway, an ignored signal would).
#pragma once

#include <csignal>

namespace httpserve {

inline constexpr int kLauncherIgnoredSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGALRM, SIGUSR2, SIGPIPE};

}  // namespace httpserve
