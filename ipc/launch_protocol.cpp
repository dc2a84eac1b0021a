#include "ipc/launch_protocol.hpp"

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <variant>

namespace httpserve {

namespace launch_wire {

namespace {

// Integers travel little-endian: the low byte first.
template <typename T>
void put_little_endian(std::string& out, T v) {
    for (size_t i = 0; i < sizeof v; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

void Writer::u32(uint32_t v) { put_little_endian(out_, v); }

void Writer::u64(uint64_t v) { put_little_endian(out_, v); }

void Writer::str(std::string_view s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.append(s);
}

void Writer::c_str_list(const std::vector<std::string>& items) {
    u32(static_cast<uint32_t>(items.size()));
    for (const std::string& s : items) str(s);
}

bool Reader::take(size_t n, std::string_view& out) {
    if (!ok_ || in_.size() < n) return ok_ = false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
}

template <typename T>
bool Reader::little_endian(T& v) {
    std::string_view b;
    if (!take(sizeof v, b)) return false;
    v = 0;
    for (size_t i = sizeof v; i-- > 0;) v = static_cast<T>((v << 8) | static_cast<uint8_t>(b[i]));
    return true;
}

bool Reader::u8(uint8_t& v) { return little_endian(v); }

bool Reader::u32(uint32_t& v) { return little_endian(v); }

bool Reader::u64(uint64_t& v) { return little_endian(v); }

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

// pid_t and the errno code travel as i32.
static_assert(std::is_same_v<pid_t, int32_t> && std::is_same_v<decltype(FailedReply::code), int32_t>);

// Each message's type byte and its fields in wire order, written once for both directions: `io` is a
// Writer when encoding and a Reader when decoding. A Reader's failures stick, so the decoder needs to
// ask only at the end (at_end()).
template <class M>
constexpr LaunchMessageType kTypeOf = {};  // not used: each message has its own below
template <>
constexpr LaunchMessageType kTypeOf<SpawnRequest> = LaunchMessageType::Spawn;
template <>
constexpr LaunchMessageType kTypeOf<KillRequest> = LaunchMessageType::Kill;
template <>
constexpr LaunchMessageType kTypeOf<SpawnedReply> = LaunchMessageType::Spawned;
template <>
constexpr LaunchMessageType kTypeOf<FailedReply> = LaunchMessageType::Failed;

template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

void fields(auto& io, Is<SpawnRequest> auto& s) {
    io.u64(s.request_id);
    io.c_str(s.script);
    io.c_str(s.cwd);
    io.c_str_list(s.argv);
    io.c_str_list(s.envp);
}

void fields(auto& io, Is<KillRequest> auto& k) { io.i32(k.pid); }

void fields(auto& io, Is<SpawnedReply> auto& s) {
    io.u64(s.request_id);
    io.i32(s.pid);
}

void fields(auto& io, Is<FailedReply> auto& f) {
    io.u64(f.request_id);
    io.i32(f.code);
    io.str(f.message);
}

template <class Message>
std::string encode(const Message& message) {
    launch_wire::Writer w;
    std::visit(
        [&](const auto& m) {
            w.u8(static_cast<uint8_t>(kTypeOf<std::decay_t<decltype(m)>>));
            fields(w, m);
        },
        message);
    return w.take();
}

// The alternative of `Message` (from the I-th on) whose type byte is `type`, read from `r`.
template <class Message, size_t I = 0>
std::optional<Message> decode_alternative(launch_wire::Reader& r, uint8_t type) {
    if constexpr (I == std::variant_size_v<Message>) {
        return std::nullopt;  // no alternative has this type: unknown, or meant for the other direction
    } else {
        using M = std::variant_alternative_t<I, Message>;
        if (type != static_cast<uint8_t>(kTypeOf<M>)) return decode_alternative<Message, I + 1>(r, type);
        M m;
        fields(r, m);
        if (!r.at_end()) return std::nullopt;
        return m;
    }
}

template <class Message>
std::optional<Message> decode(std::string_view bytes) {
    if (bytes.size() > kMaxLaunchMessage) return std::nullopt;
    launch_wire::Reader r(bytes);
    uint8_t type = 0;
    if (!r.u8(type)) return std::nullopt;
    return decode_alternative<Message>(r, type);
}

}  // namespace

std::string encode_launch_request(const LaunchRequest& request) { return encode(request); }

std::string encode_launch_reply(const LaunchReply& reply) { return encode(reply); }

std::optional<LaunchRequest> decode_launch_request(std::string_view bytes) { return decode<LaunchRequest>(bytes); }

std::optional<LaunchReply> decode_launch_reply(std::string_view bytes) { return decode<LaunchReply>(bytes); }

}  // namespace httpserve
