#include "ipc/status_board.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <new>
#include <system_error>
#include <utility>

namespace httpserve::status {

namespace {

int64_t clock_ns(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void zero(Slot& s) {
    for (auto& c : s.counters) c.store(0, std::memory_order_relaxed);
    for (auto& g : s.gauges) g.store(0, std::memory_order_relaxed);
}

// How often a reader retries while the master retires slots; after that it takes what it read (the
// master holds the sequence odd for a few dozen stores, so this is only reached if a worker meddles).
constexpr int max_read_attempts = 64;

}  // namespace

Board::Board(size_t slots) : capacity_(slots), used_(slots, false) {
    mapped_bytes_ = sizeof(Header) + slots * sizeof(Slot);
    void* region = ::mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "status board: mmap");
    // A fresh anonymous mapping is zero-filled: all-zero atomics, constructed in place (trivially).
    header_ = new (region) Header;
    slots_ = reinterpret_cast<Slot*>(static_cast<char*>(region) + sizeof(Header));
    header_->started_monotonic_ns.store(clock_ns(CLOCK_MONOTONIC), std::memory_order_relaxed);
    header_->started_unix.store(static_cast<int64_t>(::time(nullptr)), std::memory_order_relaxed);
}

Board::~Board() { unmap(); }

Board::Board(Board&& other) noexcept { *this = std::move(other); }

Board& Board::operator=(Board&& other) noexcept {
    if (this != &other) {
        unmap();
        header_ = std::exchange(other.header_, nullptr);
        slots_ = std::exchange(other.slots_, nullptr);
        capacity_ = std::exchange(other.capacity_, 0);
        mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
        used_ = std::move(other.used_);
        sequence_ = std::exchange(other.sequence_, 0);
    }
    return *this;
}

void Board::unmap() {
    if (header_) ::munmap(header_, mapped_bytes_);
    header_ = nullptr;
    slots_ = nullptr;
}

size_t Board::index_of(const Slot* slot) const {
    if (!slot || slot < slots_ || slot >= slots_ + capacity_) return capacity_;
    return static_cast<size_t>(slot - slots_);
}

Slot* Board::claim(uint32_t worker, uint32_t generation) {
    if (!header_) return nullptr;
    for (size_t i = 0; i < capacity_; ++i) {
        if (used_[i]) continue;
        used_[i] = true;
        Slot& s = slots_[i];
        zero(s);
        s.worker.store(worker, std::memory_order_relaxed);
        s.generation.store(generation, std::memory_order_relaxed);
        s.pid.store(0, std::memory_order_relaxed);
        s.in_use.store(1, std::memory_order_release);
        if (i + 1 > high_water_) {
            high_water_ = i + 1;
            header_->high_water.store(high_water_, std::memory_order_release);
        }
        return &s;
    }
    return nullptr;
}

void Board::retire(Slot* slot) {
    const size_t i = index_of(slot);
    if (i == capacity_ || !used_[i]) return;
    // A seqlock: readers that overlap this see an odd or changed sequence and read again, so a total
    // never shows a slot twice (or not at all) and never seems to go down.
    header_->sequence.store(++sequence_, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    Slot& s = slots_[i];
    for (size_t c = 0; c < counter_count; ++c) {
        add(header_->retired[c], s.counters[c].load(std::memory_order_relaxed));  // wraps, never traps
    }
    s.in_use.store(0, std::memory_order_relaxed);
    zero(s);
    header_->sequence.store(++sequence_, std::memory_order_release);
    used_[i] = false;
}

void Board::set_generation(uint64_t number) {
    if (header_) header_->generation.store(number, std::memory_order_relaxed);
}

void Board::count_reload() {
    if (header_) add(header_->reloads, 1);
}

Snapshot Board::snapshot() const {
    Snapshot snap;
    if (!header_) return snap;
    const size_t limit = std::min<uint64_t>(header_->high_water.load(std::memory_order_acquire), capacity_);
    for (int attempt = 0; attempt < max_read_attempts; ++attempt) {
        const uint64_t before = header_->sequence.load(std::memory_order_acquire);
        if (before % 2 == 1 && attempt + 1 < max_read_attempts) continue;
        snap = Snapshot{};
        snap.generation = header_->generation.load(std::memory_order_relaxed);
        snap.reloads = header_->reloads.load(std::memory_order_relaxed);
        snap.started_unix = header_->started_unix.load(std::memory_order_relaxed);
        const int64_t started = header_->started_monotonic_ns.load(std::memory_order_relaxed);
        snap.uptime_seconds = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - started) / 1e9;
        for (size_t c = 0; c < counter_count; ++c) snap.totals[c] = header_->retired[c].load(std::memory_order_relaxed);
        for (size_t i = 0; i < limit; ++i) {
            const Slot& s = slots_[i];
            if (s.in_use.load(std::memory_order_acquire) == 0) continue;
            WorkerView w;
            w.worker = s.worker.load(std::memory_order_relaxed);
            w.generation = s.generation.load(std::memory_order_relaxed);
            w.pid = s.pid.load(std::memory_order_relaxed);
            for (size_t c = 0; c < counter_count; ++c) {
                w.counters[c] = s.counters[c].load(std::memory_order_relaxed);
                snap.totals[c] += w.counters[c];
            }
            for (size_t g = 0; g < gauge_count; ++g) {
                w.gauges[g] = s.gauges[g].load(std::memory_order_relaxed);
                snap.gauge_totals[g] += w.gauges[g];
            }
            snap.workers.push_back(w);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (header_->sequence.load(std::memory_order_relaxed) == before) break;
    }
    return snap;
}

}  // namespace httpserve::status
