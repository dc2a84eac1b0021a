// Messages on the launcher's control channel (master → launcher, a SOCK_SEQPACKET socketpair
// created when the launcher is forked). Only the master holds its end; workers must close it.
//   ADD_CHANNEL (1)  no payload, exactly 1 fd: the launcher's end of a new worker channel
//   SETTINGS    (2)  encode_launcher_settings(): replaces the settings (reload)
#pragma once

#include <cstddef>
#include <cstdint>

namespace httpserve {

enum class ControlType : uint8_t { AddChannel = 1, Settings = 2 };

constexpr size_t kMaxControlMessage = 64 * 1024;

}  // namespace httpserve
