// daemon/listeners: which sockets a generation serves on, reusing what is already bound (reload) and
// what systemd passed, and how a listener is described. Real sockets on the loopback address.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "daemon/listeners.hpp"

using namespace httpserve;

namespace {

ListenAddress loopback(uint16_t port) { return ListenAddress{"127.0.0.1", port}; }

bool is_listening(int fd) {
    int value = 0;
    socklen_t len = sizeof value;
    return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) == 0 && value == 1;
}

// A listening loopback socket made here, as systemd would pass it.
UniqueFd listening_socket(uint16_t port = 0) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
    REQUIRE(::listen(fd.get(), 16) == 0);
    return fd;
}

}  // namespace

TEST_CASE("listeners: a new address is bound, listening, non-blocking, close-on-exec", "[daemon][listeners]") {
    ListenerChanges changes;
    const std::vector<ListenerRef> got = assemble_listeners({loopback(0)}, {}, &changes);
    REQUIRE(got.size() == 1);
    const Listener& l = *got[0];
    CHECK(l.host == "127.0.0.1");
    CHECK(l.port != 0);  // the port the kernel chose
    CHECK(l.wanted == loopback(0));
    CHECK_FALSE(l.activated);
    CHECK(is_listening(l.fd.get()));
    CHECK((::fcntl(l.fd.get(), F_GETFL) & O_NONBLOCK) != 0);
    CHECK((::fcntl(l.fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
    REQUIRE(changes.bound.size() == 1);
    CHECK(changes.bound[0] == got[0]);
    CHECK(changes.unmatched.empty());
}

TEST_CASE("listeners: a reload keeps the socket of an address that stays", "[daemon][listeners]") {
    const std::vector<ListenerRef> first = assemble_listeners({loopback(0)}, {});
    REQUIRE(first.size() == 1);
    const uint16_t port = first[0]->port;

    SECTION("the same entry") {
        ListenerChanges changes;
        const std::vector<ListenerRef> again = assemble_listeners({loopback(0)}, first, &changes);
        REQUIRE(again.size() == 1);
        CHECK(again[0] == first[0]);
        CHECK(changes.bound.empty());
    }
    SECTION("an entry naming the address and port it is bound to") {
        ListenerChanges changes;
        const std::vector<ListenerRef> again = assemble_listeners({loopback(port)}, first, &changes);
        REQUIRE(again.size() == 1);
        CHECK(again[0] == first[0]);
        CHECK(changes.bound.empty());
    }
    SECTION("a dropped address is not served any more; a new one is bound") {
        ListenerChanges changes;
        const std::vector<ListenerRef> next = assemble_listeners({ListenAddress{"127.0.0.2", 0}}, first, &changes);
        REQUIRE(next.size() == 1);
        CHECK(next[0] != first[0]);
        CHECK(next[0]->host == "127.0.0.2");
        CHECK(changes.bound.size() == 1);
    }
}

TEST_CASE("listeners: a reused socket serves the new configuration's entry", "[daemon][listeners]") {
    const std::vector<ListenAddress> old_entries{loopback(0)};
    const std::vector<ListenerRef> first = assemble_listeners(old_entries, {});
    REQUIRE(first.size() == 1);
    CHECK(entry_for(*first[0], old_entries) == &old_entries[0]);
    // A reload names the bound port: the socket stays, and the entry it serves is the new one.
    const std::vector<ListenAddress> new_entries{ListenAddress{"127.0.0.2", 0}, loopback(first[0]->port)};
    const std::vector<ListenerRef> again = assemble_listeners({new_entries[1]}, first);
    REQUIRE(again.size() == 1);
    CHECK(again[0] == first[0]);
    CHECK(entry_for(*again[0], new_entries) == &new_entries[1]);
    CHECK(entry_for(*again[0], {ListenAddress{"127.0.0.2", 0}}) == nullptr);
}

TEST_CASE("listeners: port 0 is never answered by a socket bound for another entry", "[daemon][listeners]") {
    const std::vector<ListenerRef> first = assemble_listeners({loopback(0)}, {});
    // The same socket as it would be after an entry that named its port (wanted 127.0.0.1:port).
    auto named = std::make_shared<Listener>();
    named->wanted = loopback(first[0]->port);
    named->host = first[0]->host;
    named->port = first[0]->port;
    named->bound = first[0]->bound;
    ListenerChanges changes;
    const std::vector<ListenerRef> got = assemble_listeners({loopback(0)}, {named}, &changes);
    REQUIRE(got.size() == 1);
    CHECK(got[0] != named);
    CHECK(got[0]->port != first[0]->port);
    CHECK(changes.bound.size() == 1);
}

TEST_CASE("listeners: two entries for one socket give one listener", "[daemon][listeners]") {
    const std::vector<ListenerRef> first = assemble_listeners({loopback(0)}, {});
    const uint16_t port = first[0]->port;
    ListenerChanges changes;
    const std::vector<ListenerRef> got = assemble_listeners({loopback(port), loopback(port)}, first, &changes);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == first[0]);
    CHECK(changes.bound.empty());

    ListenerChanges fresh;
    const std::vector<ListenerRef> once = assemble_listeners({loopback(0), loopback(0)}, {}, &fresh);
    REQUIRE(once.size() == 1);
    CHECK(fresh.bound.size() == 1);
}

TEST_CASE("listeners: sockets passed by systemd are always served", "[daemon][listeners]") {
    UniqueFd fd = listening_socket();
    const int raw = fd.get();
    const auto activated = std::make_shared<const Listener>(adopt_listener(std::move(fd)));
    CHECK(activated->activated);
    CHECK(activated->fd.get() == raw);
    CHECK(activated->host == "127.0.0.1");
    CHECK(activated->port != 0);
    CHECK(activated->wanted.address.empty());

    SECTION("matched by an entry asking for any port on its address") {
        ListenerChanges changes;
        const std::vector<ListenerRef> got = assemble_listeners({loopback(0)}, {activated}, &changes);
        REQUIRE(got.size() == 1);
        CHECK(got[0] == activated);
        CHECK(changes.bound.empty());
        CHECK(changes.unmatched.empty());
    }
    SECTION("matched by an entry naming its port") {
        const std::vector<ListenerRef> got = assemble_listeners({loopback(activated->port)}, {activated});
        REQUIRE(got.size() == 1);
        CHECK(got[0] == activated);
    }
    SECTION("matching no entry: served anyway, and reported") {
        ListenerChanges changes;
        const std::vector<ListenerRef> got = assemble_listeners({ListenAddress{"127.0.0.2", 0}}, {activated}, &changes);
        REQUIRE(got.size() == 2);
        CHECK(got[0]->host == "127.0.0.2");
        CHECK(got[1] == activated);
        REQUIRE(changes.unmatched.size() == 1);
        CHECK(changes.unmatched[0] == activated);
        CHECK(changes.bound.size() == 1);
    }
    SECTION("with no entries at all") {
        const std::vector<ListenerRef> got = assemble_listeners({}, {activated});
        REQUIRE(got.size() == 1);
        CHECK(got[0] == activated);
    }
}

TEST_CASE("listeners: an address that cannot be bound is an error naming it", "[daemon][listeners]") {
    UniqueFd taken = listening_socket();
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    REQUIRE(::getsockname(taken.get(), reinterpret_cast<sockaddr*>(&sa), &len) == 0);
    const uint16_t port = ntohs(sa.sin_port);
    CHECK_THROWS_WITH(assemble_listeners({loopback(port)}, {}),
                      "cannot bind 127.0.0.1:" + std::to_string(port) + ": Address already in use");
    CHECK_THROWS_WITH(assemble_listeners({ListenAddress{"", 8000}}, {}), "cannot bind an empty address");
}

TEST_CASE("listeners: the serving line and the short description", "[daemon][listeners]") {
    Listener v4;
    v4.host = "127.0.0.1";
    v4.port = 8000;
    CHECK(serving_line(v4) == "Serving HTTP on 127.0.0.1 port 8000 (http://127.0.0.1:8000/) ...");
    CHECK(describe(v4) == "127.0.0.1:8000");
    Listener v6;
    v6.host = "::";
    v6.port = 80;
    CHECK(serving_line(v6) == "Serving HTTP on :: port 80 (http://[::]:80/) ...");
    CHECK(describe(v6) == "[::]:80");
    v6.host = "::1";
    CHECK(describe(v6) == "[::1]:80");
}
