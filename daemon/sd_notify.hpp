// Telling systemd what the master is doing (the sd_notify protocol), without ever blocking the
// master's loop: libsystemd's sd_notify() waits when the receiver's queue is full (a busy PID 1, or a
// socket nobody reads), and a master asleep there neither reloads, nor stops old workers, nor
// handles signals. Here the master owns a non-blocking datagram socket connected to NOTIFY_SOCKET;
// what cannot go out at once waits, coalesced (daemon/notify_queue.hpp), and goes when the socket
// is writable: the loop polls `fd()` for POLLOUT while `waiting()`. Without NOTIFY_SOCKET every call
// does nothing. `status` texts are kept on one line.
#pragma once

#include <string_view>

#include "common/unique_fd.hpp"
#include "daemon/notify_queue.hpp"

namespace httpserve {

class Notifier {
public:
    // Connects to NOTIFY_SOCKET (a path, or "@name" for the abstract namespace) and removes it from
    // the environment, so that no child sees it. Not set, or unusable: a notifier that does nothing.
    Notifier();

    // READY=1: the workers accept (at start-up, and at the end of a reload, refused or not).
    void ready(std::string_view status) { send(NotifyState::Ready, status); }
    // RELOADING=1 with MONOTONIC_USEC, the time of the reload (systemd >= 253 wants it with
    // Type=notify-reload; older ones ignore it).
    void reloading(std::string_view status);
    void stopping(std::string_view status) { send(NotifyState::Stopping, status); }
    void status(std::string_view status) { send(NotifyState::None, status); }

    // Sends what waits, as far as the socket takes it.
    void flush();
    bool waiting() const { return socket_ && !queue_.empty(); }
    int fd() const { return socket_.get(); }
    // In a forked worker: only the master speaks to systemd.
    void close() { socket_.reset(); }

private:
    void send(NotifyState state, std::string_view status, int64_t monotonic_usec = 0);

    UniqueFd socket_;
    NotifyQueue queue_;
};

}  // namespace httpserve
