// Telling systemd what the master is doing (sd_notify). Does nothing unless NOTIFY_SOCKET is set
// (libsystemd checks), so it is safe to call unconditionally. `status` becomes the STATUS= line that
// `systemctl status` shows; it is kept on one line.
#pragma once

#include <string_view>

namespace httpserve::notify {

// READY=1: the workers accept (at start-up, and at the end of a reload, refused or not).
void ready(std::string_view status);
// RELOADING=1 with MONOTONIC_USEC (systemd >= 253 wants it with Type=notify-reload; older ones ignore it).
void reloading(std::string_view status);
void stopping(std::string_view status);
void status(std::string_view status);

}  // namespace httpserve::notify
