// Sockets passed by systemd socket activation (LISTEN_FDS / LISTEN_PID, sd_listen_fds).
#pragma once

#include <vector>

#include "common/unique_fd.hpp"

namespace httpserve {

// Takes the sockets systemd passed to this process (none when not socket-activated) and clears the
// LISTEN_* variables so that no child sees them. Each one must be a listening TCP socket; it is made
// non-blocking and close-on-exec. Throws std::runtime_error for anything else.
std::vector<UniqueFd> take_activated_sockets();

// How many sockets systemd passed to this process (0 when not socket-activated), without taking them.
int activated_socket_count();

}  // namespace httpserve
