// libFuzzer target for the CGI launcher's wire protocol: the launcher decodes whatever a worker
// sends, so decoding must survive any bytes, and whatever decodes must encode back to the same bytes
// (the encoding is canonical: no padding, no alternatives).
//
// Input: byte 0 picks the decoder (request or reply), the rest is the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ipc/launch_protocol.hpp"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t len) {
    if (len == 0) return 0;
    const bool as_request = (data[0] & 1) == 0;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), len - 1);
    if (as_request) {
        if (auto r = httpserve::decode_launch_request(bytes)) {
            check(httpserve::encode_launch_request(*r) == bytes);
            if (const auto* s = std::get_if<httpserve::SpawnRequest>(&*r)) {
                check(s->script.find('\0') == std::string::npos && s->cwd.find('\0') == std::string::npos);
                for (const auto& a : s->argv) check(a.find('\0') == std::string::npos);
                for (const auto& e : s->envp) check(e.find('\0') == std::string::npos);
            }
        }
    } else {
        if (auto r = httpserve::decode_launch_reply(bytes)) check(httpserve::encode_launch_reply(*r) == bytes);
    }
    return 0;
}
