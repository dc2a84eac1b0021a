// daemon/notify_queue: what waits for a full notify socket. The newest status wins; READY, RELOADING
// and STOPPING keep their order.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/notify_queue.hpp"

using namespace httpserve;

namespace {

std::vector<std::string> drain(NotifyQueue& queue) {
    std::vector<std::string> out;
    for (; !queue.empty(); queue.pop()) out.push_back(queue.front().text());
    return out;
}

}  // namespace

TEST_CASE("notify queue: the datagrams of the protocol", "[daemon][notify]") {
    CHECK(NotifyMessage{NotifyState::Ready, "up", 0}.text() == "READY=1\nSTATUS=up");
    CHECK(NotifyMessage{NotifyState::Reloading, "r", 1234}.text() == "RELOADING=1\nMONOTONIC_USEC=1234\nSTATUS=r");
    CHECK(NotifyMessage{NotifyState::Stopping, "s", 0}.text() == "STOPPING=1\nSTATUS=s");
    CHECK(NotifyMessage{NotifyState::None, "x", 0}.text() == "STATUS=x");
}

TEST_CASE("notify queue: states kept in order, statuses coalesced", "[daemon][notify]") {
    NotifyQueue queue;
    queue.push(NotifyState::Ready, "generation 1");
    queue.push(NotifyState::Reloading, "reloading", 10);
    queue.push(NotifyState::None, "still\nreloading");  // one line, and it replaces the status
    queue.push(NotifyState::Ready, "generation 2");
    queue.push(NotifyState::None, "a");
    queue.push(NotifyState::None, "b");  // the newest status rides on the waiting READY
    queue.push(NotifyState::Stopping, "stopping");
    CHECK(drain(queue) == std::vector<std::string>{"READY=1\nSTATUS=generation 1",
                                                   "RELOADING=1\nMONOTONIC_USEC=10\nSTATUS=still reloading",
                                                   "READY=1\nSTATUS=b", "STOPPING=1\nSTATUS=stopping"});
}

TEST_CASE("notify queue: the same state twice in a row is one message, the newest", "[daemon][notify]") {
    NotifyQueue queue;
    queue.push(NotifyState::Reloading, "first", 10);
    queue.push(NotifyState::Reloading, "second", 20);  // a reload replaced before it was ready
    queue.push(NotifyState::Ready, "r1");
    queue.push(NotifyState::Ready, "r2");
    CHECK(drain(queue) ==
          std::vector<std::string>{"RELOADING=1\nMONOTONIC_USEC=20\nSTATUS=second", "READY=1\nSTATUS=r2"});
}

TEST_CASE("notify queue: bounded; the oldest unsent reload after the first message goes", "[daemon][notify]") {
    NotifyQueue queue;
    queue.push(NotifyState::Ready, "generation 1");
    for (int i = 2; i < 200; ++i) {
        queue.push(NotifyState::Reloading, "reloading", i);
        queue.push(NotifyState::Ready, "generation " + std::to_string(i));
    }
    CHECK(queue.size() <= NotifyQueue::kMaxPending);
    const std::vector<std::string> sent = drain(queue);
    CHECK(sent.front() == "READY=1\nSTATUS=generation 1");
    CHECK(sent.back() == "READY=1\nSTATUS=generation 199");
    for (size_t i = 1; i < sent.size(); ++i) {
        INFO(i);
        CHECK(sent[i].rfind(i % 2 == 1 ? "RELOADING=1\n" : "READY=1\n", 0) == 0);
    }
}
