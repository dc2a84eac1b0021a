// libFuzzer target for the PROXY protocol header parser: any bytes, whole and in every split a
// connection could see.
//
// Checks: a Done header lies within the input and within the version's bound; an address family is
// AF_INET or AF_INET6 when addresses are claimed; a prefix of a Done header is never Done with
// another length (the parser never looks past what it is given); Error and Done are final.
#include <netinet/in.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "worker/http/proxy_header.hpp"

namespace {

namespace proxy = httpserve::proxy;

void check(bool ok) {
    if (!ok) std::abort();
}

bool family_ok(const sockaddr_storage& a) { return a.ss_family == AF_INET || a.ss_family == AF_INET6; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    proxy::Header whole;
    const char* reason = nullptr;
    const proxy::Status status = proxy::parse_header(input, whole, reason);
    check(reason != nullptr);
    if (status == proxy::Status::Done) {
        check(whole.length > 0 && whole.length <= input.size());
        check(whole.length <= proxy::max_v2_length);
        if (whole.has_addresses)
            check(family_ok(whole.source) && whole.source.ss_family == whole.destination.ss_family);
    }
    if (status == proxy::Status::Incomplete) check(input.size() < proxy::max_v2_length);
    // Fed in pieces, as a connection reads it: the same verdict once enough has arrived.
    for (size_t n = 0; n < input.size(); ++n) {
        proxy::Header part;
        const proxy::Status s = proxy::parse_header(input.substr(0, n), part, reason);
        if (s == proxy::Status::Done) {
            check(status == proxy::Status::Done && part.length == whole.length);
            break;
        }
        if (s == proxy::Status::Error) {
            check(status == proxy::Status::Error);
            break;
        }
    }
    return 0;
}
