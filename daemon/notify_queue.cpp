#include "daemon/notify_queue.hpp"

namespace httpserve {

namespace {

std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

}  // namespace

std::string NotifyMessage::text() const {
    std::string out;
    switch (state) {
        case NotifyState::None: break;
        case NotifyState::Ready: out = "READY=1\n"; break;
        case NotifyState::Reloading:
            out = "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec) + "\n";
            break;
        case NotifyState::Stopping: out = "STOPPING=1\n"; break;
    }
    return out + "STATUS=" + status;
}

void NotifyQueue::push(NotifyState state, std::string_view status, int64_t monotonic_usec) {
    if (!pending_.empty()) {
        NotifyMessage& newest = pending_.back();
        if (state == NotifyState::None || newest.state == state || newest.state == NotifyState::None) {
            newest.status = one_line(status);
            if (state != NotifyState::None) {
                newest.state = state;
                newest.monotonic_usec = monotonic_usec;
            }
            return;
        }
    }
    pending_.push_back({state, one_line(status), monotonic_usec});
    if (pending_.size() > kMaxPending) {
        for (size_t i = 1; i + 1 < pending_.size(); ++i) {
            if (pending_[i].state == NotifyState::Reloading && pending_[i + 1].state == NotifyState::Ready) {
                pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i),
                               pending_.begin() + static_cast<std::ptrdiff_t>(i + 2));
                break;
            }
        }
    }
}

}  // namespace httpserve
