// The status board: one shared-memory region the master maps before it forks anything, so that every
// worker inherits it. Each live worker has a slot it alone writes (relaxed atomic stores: no syscall,
// no lock); the master gives a slot out at fork and, when it reaps the worker, adds the slot's counters
// into the board's "retired" totals and frees it. So totals survive respawns and reloads.
//
// Trust: a worker can write anything into the board. The master only adds numbers read from it; it
// never indexes, allocates or loops by them (it keeps its own record of which slot is whose). Readers
// clamp every count they use.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace httpserve::status {

// Monotonic counts, per worker and (with the retired ones) in total.
enum Counter : size_t {
    Accepted,      // connections accept() returned
    Handled,       // connections served (accepted minus those refused at once, e.g. an untrusted PROXY source)
    Requests,      // requests answered (one per response, errors included)
    Responses1xx,  // responses by status class
    Responses2xx,
    Responses3xx,
    Responses4xx,
    Responses5xx,
    BytesOut,        // bytes written to clients (heads and bodies)
    CgiStarted,      // scripts the launcher started
    CgiFailed,       // scripts that could not be started
    CgiTimedOut,     // scripts stopped for being silent past cgi.timeout
    ProxyUntrusted,  // PROXY protocol connections refused: source not trusted,
    ProxyMalformed,  // no valid header,
    ProxyTimedOut,   // no complete header in time
    counter_count
};

// Current values; a worker's go to zero when it exits.
enum Gauge : size_t {
    Active,      // open connections (reading + writing + idle)
    Reading,     // receiving a request (or its PROXY header or body)
    Writing,     // a response in progress: output waiting for the client, a script answering, a closing drain
    Idle,        // kept alive between requests
    CgiRunning,  // scripts running for this worker
    gauge_count
};

// Single-writer updates: a load and a store, no read-modify-write bus lock.
inline void add(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}
inline void add(std::atomic<int64_t>& g, int64_t n) {
    g.store(g.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

struct alignas(64) Slot {
    std::atomic<uint64_t> counters[counter_count];
    std::atomic<int64_t> gauges[gauge_count];
    // Written by the master when it gives the slot out (pid right after fork).
    std::atomic<uint32_t> in_use;
    std::atomic<uint32_t> worker;      // 1-based number within its generation
    std::atomic<uint32_t> generation;  // the configuration generation it serves
    std::atomic<int32_t> pid;

    void count(Counter c, uint64_t n = 1) { add(counters[c], n); }
    void move(Gauge g, int64_t n) { add(gauges[g], n); }
};

// The counter of a response's status class.
inline Counter response_class(int status) {
    if (status < 100 || status > 599) return Responses5xx;  // not sent; counted as a server error
    return static_cast<Counter>(Responses1xx + static_cast<size_t>(status / 100 - 1));
}

struct alignas(64) Header {
    std::atomic<uint64_t> sequence;    // odd while the master retires a slot (readers retry)
    std::atomic<uint64_t> high_water;  // slots [0, high_water) may be in use
    std::atomic<uint64_t> generation;  // the generation in service
    std::atomic<uint64_t> reloads;     // successful reloads (SIGHUP) since the start
    std::atomic<int64_t> started_monotonic_ns;
    std::atomic<int64_t> started_unix;  // the master's start, seconds since the epoch
    std::atomic<uint64_t> retired[counter_count];
};

static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<int64_t>::is_always_lock_free &&
                  std::atomic<uint32_t>::is_always_lock_free,
              "the board is shared between processes: its atomics must not need a lock");

// What a status page shows: a consistent copy of the board.
struct WorkerView {
    uint32_t worker = 0;
    uint32_t generation = 0;
    int32_t pid = 0;
    std::array<uint64_t, counter_count> counters{};
    std::array<int64_t, gauge_count> gauges{};
};

struct Snapshot {
    uint64_t generation = 0;
    uint64_t reloads = 0;
    int64_t started_unix = 0;
    double uptime_seconds = 0;
    std::vector<WorkerView> workers;               // live ones, in slot order
    std::array<uint64_t, counter_count> totals{};  // live + retired
    std::array<int64_t, gauge_count> gauge_totals{};
};

class Board {
public:
    static constexpr size_t default_slots = 4096;

    Board() = default;
    // Maps the region (MAP_SHARED | MAP_ANONYMOUS; only touched pages cost memory). Throws
    // std::system_error when it cannot.
    explicit Board(size_t slots);
    ~Board();
    Board(Board&& other) noexcept;
    Board& operator=(Board&& other) noexcept;
    Board(const Board&) = delete;
    Board& operator=(const Board&) = delete;

    explicit operator bool() const { return header_ != nullptr; }
    size_t capacity() const { return capacity_; }

    // ---- the master's side ----
    // A free slot for a worker about to be forked, zeroed and marked in use; nullptr when all are
    // taken (that worker then counts into nothing: it is not shown, and its numbers are lost).
    Slot* claim(uint32_t worker, uint32_t generation);
    // The worker of `slot` has exited: its counters join the retired totals, the slot is free.
    void retire(Slot* slot);
    void set_generation(uint64_t number);
    void count_reload();

    // ---- anyone's ----
    Snapshot snapshot() const;

private:
    void unmap();
    size_t index_of(const Slot* slot) const;

    Header* header_ = nullptr;
    Slot* slots_ = nullptr;
    size_t capacity_ = 0;
    size_t mapped_bytes_ = 0;
    // The master's own record, never read back from the shared region.
    std::vector<bool> used_;
    uint64_t high_water_ = 0;
    uint64_t sequence_ = 0;
};

}  // namespace httpserve::status
