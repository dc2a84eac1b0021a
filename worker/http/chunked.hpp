// Incremental decoder for `Transfer-Encoding: chunked` request bodies (RFC 9112 §7.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace httpserve::http {

class ChunkedDecoder {
public:
    enum class Status { NeedMore, Done, Error };

    // Feeds `input`; appends decoded payload bytes to `out`, sets `consumed` to how many input bytes
    // were used (on Done, the bytes after the final CRLF of the trailer section are not consumed).
    // Error on a bad chunk size (non-hex, empty, overflow, > max_chunk_size), a missing CRLF, a bare CR,
    // a trailer section over 8 KiB, or a total payload over `max_total`.
    Status feed(std::string_view input, std::string& out, size_t& consumed);

    explicit ChunkedDecoder(uint64_t max_total = UINT64_MAX) : max_total_(max_total) {}
    uint64_t total() const { return total_; }
    bool over_limit() const { return over_limit_; }  // the Error was the size limit (413, not 400)

private:
    // SizeWS: whitespace after the size digits, which only a ';' may follow.
    enum class State { Size, SizeWS, SizeExt, SizeLF, Data, DataCR, DataLF, Trailer, TrailerLF, Done, Error };
    State state_ = State::Size;
    uint64_t max_total_;
    uint64_t total_ = 0;
    uint64_t chunk_left_ = 0;
    unsigned size_digits_ = 0;
    size_t ext_bytes_ = 0;  // of the current chunk-size line after the digits (bounded)
    size_t trailer_bytes_ = 0;
    bool trailer_line_empty_ = true;
    bool over_limit_ = false;
};

}  // namespace httpserve::http
