// The descriptors the master inherits from whoever started it. Only 0-2 and the sockets systemd
// passes are meant for us; anything else (a pipe from a shell, a file of a supervisor) would
// otherwise reach every worker and, through the launcher, every CGI script.
#pragma once

namespace httpserve {

// Closes every descriptor above 2 except the sockets passed by socket activation (LISTEN_FDS, when
// LISTEN_PID names this process). Called first thing in the master, before it opens anything.
void close_inherited_descriptors();

}  // namespace httpserve
