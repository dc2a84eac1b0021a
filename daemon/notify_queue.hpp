// What the master still has to tell systemd, coalesced while the notify socket is full (nobody reads
// it, or PID 1 is busy): the latest STATUS= wins, and READY=1, RELOADING=1 and STOPPING=1 are kept in
// their order. Pure: daemon/sd_notify.cpp sends what it holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace httpserve {

enum class NotifyState { None, Ready, Reloading, Stopping };

struct NotifyMessage {
    NotifyState state = NotifyState::None;  // None: a STATUS= update only
    std::string status;                     // one line
    int64_t monotonic_usec = 0;             // with Reloading

    // The datagram: "READY=1\nSTATUS=...", "RELOADING=1\nMONOTONIC_USEC=...\nSTATUS=...", ...
    std::string text() const;
};

class NotifyQueue {
public:
    // At most this many messages wait; beyond it the oldest unsent reload (a RELOADING=1 and the
    // READY=1 that ended it) after the first message is dropped: a later reload supersedes it.
    static constexpr size_t kMaxPending = 64;

    // A new state or status. A status-only message, or one of the same state as the newest waiting
    // one, replaces that one's status (the newest wins); otherwise it is added.
    void push(NotifyState state, std::string_view status, int64_t monotonic_usec = 0);

    bool empty() const { return pending_.empty(); }
    size_t size() const { return pending_.size(); }
    const NotifyMessage& front() const { return pending_.front(); }
    void pop() { pending_.pop_front(); }
    void clear() { pending_.clear(); }

private:
    std::deque<NotifyMessage> pending_;
};

}  // namespace httpserve
