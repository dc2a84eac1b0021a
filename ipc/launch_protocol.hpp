// The wire protocol between a worker and the CGI launcher, over one SOCK_SEQPACKET socketpair per
// worker: one request or reply per message. Pure encode/decode; decoding accepts any bytes and
// returns nothing for anything malformed (the launcher must not trust a worker).
//
// Message layout: a one-byte type, then fields in order. Integers are little-endian and fixed-width;
// a string is a u32 length and its bytes; a list is a u32 count and that many strings. Strings that
// end up as C strings (paths, argv, envp) must not contain NUL. No trailing bytes.
//
//   SPAWN   (1)   u64 request id, str script, str cwd, list argv, list envp   + exactly 3 fds
//   KILL    (2)   i32 pid                                                      (TERM the group, KILL 2 s later)
//   SPAWNED (129) u64 request id, i32 pid
//   FAILED  (130) u64 request id, i32 code (an errno value), str message
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace httpserve {

// Largest message either side sends or accepts (the environment dominates). The sending end raises
// its SO_SNDBUF so that a message of this size fits.
constexpr size_t kMaxLaunchMessage = 256 * 1024;

// The script's stdin, stdout and stderr travel with SPAWN as SCM_RIGHTS, in that order.
constexpr size_t kSpawnFdCount = 3;

enum class LaunchMessageType : uint8_t { Spawn = 1, Kill = 2, Spawned = 129, Failed = 130 };

struct SpawnRequest {
    uint64_t request_id = 0;
    std::string script;             // absolute path
    std::string cwd;                // "" = the script's folder
    std::vector<std::string> argv;  // argv[0] included; empty = {script}
    std::vector<std::string> envp;  // "NAME=value"; the script's whole environment
    bool operator==(const SpawnRequest&) const = default;
};

struct KillRequest {
    pid_t pid = 0;
    bool operator==(const KillRequest&) const = default;
};

struct SpawnedReply {
    uint64_t request_id = 0;
    pid_t pid = 0;
    bool operator==(const SpawnedReply&) const = default;
};

struct FailedReply {
    uint64_t request_id = 0;
    int code = 0;         // errno value: EPERM, EACCES, ENOENT, EISDIR, EAGAIN, EINVAL, or the child's
    std::string message;  // for the error log, e.g. "/srv/cgi-bin/x: not executable"
    bool operator==(const FailedReply&) const = default;
};

using LaunchRequest = std::variant<SpawnRequest, KillRequest>;
using LaunchReply = std::variant<SpawnedReply, FailedReply>;

std::string encode_launch_request(const LaunchRequest& request);
std::string encode_launch_reply(const LaunchReply& reply);

// nullopt for anything malformed: unknown type, short or trailing bytes, a NUL inside a C string,
// a message longer than kMaxLaunchMessage.
std::optional<LaunchRequest> decode_launch_request(std::string_view bytes);
std::optional<LaunchReply> decode_launch_reply(std::string_view bytes);

// The field encoding, shared with the master→launcher control messages.
namespace launch_wire {

// Each method writes what the Reader's method of the same name reads.
class Writer {
public:
    void u8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u32(uint32_t v);
    void u64(uint64_t v);
    void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
    void str(std::string_view s);
    void c_str(std::string_view s) { str(s); }  // the NUL check is the reader's
    void c_str_list(const std::vector<std::string>& items);
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// Every read fails (returns false) once the input is exhausted or malformed, and stays failed.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool u8(uint8_t& v);
    bool u32(uint32_t& v);
    bool u64(uint64_t& v);
    bool i32(int32_t& v);
    bool str(std::string& s);                          // any bytes
    bool c_str(std::string& s);                        // no NUL inside
    bool c_str_list(std::vector<std::string>& items);  // each without NUL
    bool at_end() const { return ok_ && in_.empty(); }

private:
    bool take(size_t n, std::string_view& out);
    template <typename T>
    bool little_endian(T& v);
    std::string_view in_;
    bool ok_ = true;
};

}  // namespace launch_wire

}  // namespace httpserve
