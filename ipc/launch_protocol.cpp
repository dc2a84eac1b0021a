#include "ipc/launch_protocol.hpp"

#include <variant>

namespace httpserve {

namespace launch_wire {

void Writer::u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

void Writer::str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
}

void Writer::list(const std::vector<std::string>& items) {
    u32(static_cast<uint32_t>(items.size()));
    for (const std::string& s : items) str(s);
}

bool Reader::take(size_t n, std::string_view& out) {
    if (!ok_ || in_.size() < n) return ok_ = false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
}

bool Reader::u8(uint8_t& v) {
    std::string_view b;
    if (!take(1, b)) return false;
    v = static_cast<uint8_t>(b[0]);
    return true;
}

bool Reader::u32(uint32_t& v) {
    std::string_view b;
    if (!take(4, b)) return false;
    v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return true;
}

bool Reader::u64(uint64_t& v) {
    std::string_view b;
    if (!take(8, b)) return false;
    v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[i]);
    return true;
}

bool Reader::i32(int32_t& v) {
    uint32_t u = 0;
    if (!u32(u)) return false;
    v = static_cast<int32_t>(u);
    return true;
}

bool Reader::str(std::string& s) {
    uint32_t n = 0;
    std::string_view b;
    if (!u32(n) || !take(n, b)) return false;  // take() checks n against what is left first
    s.assign(b);
    return true;
}

bool Reader::c_str(std::string& s) {
    if (!str(s)) return false;
    if (s.find('\0') != std::string::npos) return ok_ = false;
    return true;
}

bool Reader::c_str_list(std::vector<std::string>& items) {
    uint32_t n = 0;
    if (!u32(n)) return false;
    // Each item needs at least its 4-byte length: a huge count in a short message fails here,
    // before any allocation.
    if (n > in_.size() / 4) return ok_ = false;
    items.clear();
    items.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
        if (!c_str(items.emplace_back())) return false;
    }
    return true;
}

}  // namespace launch_wire

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 has no aggregate deduction yet

void put_type(launch_wire::Writer& w, LaunchMessageType t) { w.u8(static_cast<uint8_t>(t)); }

bool read_type(launch_wire::Reader& r, LaunchMessageType& t) {
    uint8_t v = 0;
    if (!r.u8(v)) return false;
    t = static_cast<LaunchMessageType>(v);
    return true;
}

}  // namespace

std::string encode_launch_request(const LaunchRequest& request) {
    launch_wire::Writer w;
    std::visit(Overloaded{
                   [&](const SpawnRequest& s) {
                       put_type(w, LaunchMessageType::Spawn);
                       w.u64(s.request_id);
                       w.str(s.script);
                       w.str(s.cwd);
                       w.list(s.argv);
                       w.list(s.envp);
                   },
                   [&](const KillRequest& k) {
                       put_type(w, LaunchMessageType::Kill);
                       w.i32(k.pid);
                   },
               },
               request);
    return w.take();
}

std::string encode_launch_reply(const LaunchReply& reply) {
    launch_wire::Writer w;
    std::visit(Overloaded{
                   [&](const SpawnedReply& s) {
                       put_type(w, LaunchMessageType::Spawned);
                       w.u64(s.request_id);
                       w.i32(s.pid);
                   },
                   [&](const FailedReply& f) {
                       put_type(w, LaunchMessageType::Failed);
                       w.u64(f.request_id);
                       w.i32(f.code);
                       w.str(f.message);
                   },
               },
               reply);
    return w.take();
}

std::optional<LaunchRequest> decode_launch_request(std::string_view bytes) {
    if (bytes.size() > kMaxLaunchMessage) return std::nullopt;
    launch_wire::Reader r(bytes);
    LaunchMessageType type{};
    if (!read_type(r, type)) return std::nullopt;
    switch (type) {
        case LaunchMessageType::Spawn: {
            SpawnRequest s;
            if (r.u64(s.request_id) && r.c_str(s.script) && r.c_str(s.cwd) && r.c_str_list(s.argv) &&
                r.c_str_list(s.envp) && r.at_end()) {
                return s;
            }
            return std::nullopt;
        }
        case LaunchMessageType::Kill: {
            KillRequest k;
            int32_t pid = 0;
            if (!r.i32(pid) || !r.at_end()) return std::nullopt;
            k.pid = pid;
            return k;
        }
        default: return std::nullopt;
    }
}

std::optional<LaunchReply> decode_launch_reply(std::string_view bytes) {
    if (bytes.size() > kMaxLaunchMessage) return std::nullopt;
    launch_wire::Reader r(bytes);
    LaunchMessageType type{};
    if (!read_type(r, type)) return std::nullopt;
    switch (type) {
        case LaunchMessageType::Spawned: {
            SpawnedReply s;
            int32_t pid = 0;
            if (!r.u64(s.request_id) || !r.i32(pid) || !r.at_end()) return std::nullopt;
            s.pid = pid;
            return s;
        }
        case LaunchMessageType::Failed: {
            FailedReply f;
            int32_t code = 0;
            if (!r.u64(f.request_id) || !r.i32(code) || !r.str(f.message) || !r.at_end()) return std::nullopt;
            f.code = code;
            return f;
        }
        default: return std::nullopt;
    }
}

}  // namespace httpserve
