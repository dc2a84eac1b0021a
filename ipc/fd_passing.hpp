// One SOCK_SEQPACKET message with file descriptors attached (SCM_RIGHTS), both ways. Used by the
// worker's launch client, the master's control channel and the launcher.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace httpserve {

// Sends `bytes` and `fds` as one message, never raising SIGPIPE. `dont_wait`: fail with EAGAIN
// instead of blocking. Returns 0 or an errno value.
int send_message(int sock, std::string_view bytes, std::span<const int> fds, bool dont_wait);

enum class ReceiveStatus { Message, WouldBlock, Closed, Error };

// A reusable receive buffer. Received fds are CLOEXEC and owned here until moved out.
struct ReceivedMessage {
    std::vector<char> buffer;
    size_t length = 0;
    std::vector<UniqueFd> fds;
    bool truncated = false;  // longer than the buffer, or more fds than asked for: reject it
    int error = 0;           // errno for ReceiveStatus::Error

    std::string_view bytes() const { return {buffer.data(), length}; }
};

// Receives one message of at most `max_bytes` with at most `max_fds` fds, without blocking.
ReceiveStatus receive_message(int sock, size_t max_bytes, size_t max_fds, ReceivedMessage& out);

// Raises SO_SNDBUF so that a message of `bytes` can be sent at all (a SEQPACKET message must fit in
// the sender's buffer). Unprivileged processes get up to twice net.core.wmem_max (≈416 KiB).
void allow_message_size(int sock, size_t bytes);

}  // namespace httpserve
