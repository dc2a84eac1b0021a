// Connections a worker's PROXY protocol listeners closed without serving them (kept in the
// WorkerContext, for a status report), and the state of their rate-limited log line.
#pragma once

#include <cstdint>
#include <ctime>

namespace httpserve {

struct ProxyCounters {
    uint64_t untrusted = 0;  // the peer is not in proxy_trusted
    uint64_t malformed = 0;  // not a valid PROXY header
    uint64_t timed_out = 0;  // no complete header within proxy_timeout
    // The log says at most one line per second; the others are counted into the next line.
    time_t last_logged = 0;
    uint64_t unlogged = 0;
};

}  // namespace httpserve
