// A complete request head parsed with the default limits, for tests that need a Request to work on.
// Its views point into `head`, which must outlive it.
#pragma once

#include <catch2/catch.hpp>

#include <string_view>

#include "worker/http/request_parser.hpp"

namespace httpserve::test {

inline http::Request parsed(std::string_view head) {
    http::Request r;
    http::ParseError error;
    REQUIRE(http::parse_request(head, http::ParseLimits{}, r, error) == http::ParseStatus::Complete);
    return r;
}

}  // namespace httpserve::test
