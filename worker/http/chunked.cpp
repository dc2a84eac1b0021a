// Chunked request bodies (RFC 9112 §7.1): a byte-level state machine, with a bulk copy for chunk data.
// Strict where leniency enables request smuggling: hex digits only, no bare CR, bounded sizes.
// Like the head parser, a lone LF is accepted as a line ending.
#include "worker/http/chunked.hpp"

#include <algorithm>

#include "common/escape.hpp"

namespace httpserve::http {

namespace {

constexpr uint64_t kMaxChunkSize = uint64_t{1} << 40;
constexpr unsigned kMaxSizeDigits = 16;  // leading zeros included
constexpr size_t kMaxExtensionBytes = 4096;
constexpr size_t kMaxTrailerBytes = 8192;

// CTLs other than HTAB (CR and LF are handled by the caller before this is asked).
bool is_ctl(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

}  // namespace

ChunkedDecoder::Status ChunkedDecoder::feed(std::string_view input, std::string& out, size_t& consumed) {
    consumed = 0;
    if (state_ == State::Done) return Status::Done;
    if (state_ == State::Error) return Status::Error;

    const size_t n = input.size();
    size_t i = 0;
    auto fail = [&] {
        state_ = State::Error;
        consumed = i;
        return Status::Error;
    };
    // A chunk-size line ended: the last chunk starts the trailer section, any other its data.
    auto end_size_line = [&]() -> bool {
        size_digits_ = 0;
        ext_bytes_ = 0;
        if (chunk_left_ == 0) {
            state_ = State::Trailer;
            trailer_line_empty_ = true;
            trailer_bytes_ = 0;
            return true;
        }
        if (chunk_left_ > max_total_ - total_) {
            over_limit_ = true;
            return false;
        }
        state_ = State::Data;
        return true;
    };
    // A trailer line ended; an empty one ends the body.
    auto end_trailer_line = [&]() -> bool {
        if (trailer_line_empty_) {
            state_ = State::Done;
            return true;
        }
        trailer_line_empty_ = true;
        state_ = State::Trailer;
        return false;
    };

    while (i < n) {
        if (state_ == State::Data) {
            const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk_left_, n - i));
            out.append(input.data() + i, take);
            i += take;
            chunk_left_ -= take;
            total_ += take;
            if (chunk_left_ == 0) state_ = State::DataCR;
            continue;
        }
        const char c = input[i];
        switch (state_) {
            case State::Size: {
                const int v = hex_digit_value(c);
                if (v >= 0) {
                    if (++size_digits_ > kMaxSizeDigits) return fail();
                    chunk_left_ = chunk_left_ * 16 + static_cast<uint64_t>(v);
                    if (chunk_left_ > kMaxChunkSize) return fail();
                    break;
                }
                if (size_digits_ == 0) return fail();  // empty size, or "0x", "+1", " 1"...
                if (c == ';') {
                    state_ = State::SizeExt;
                } else if (c == ' ' || c == '\t') {
                    state_ = State::SizeWS;
                } else if (c == '\r') {
                    state_ = State::SizeLF;
                } else if (c == '\n') {
                    if (!end_size_line()) return fail();
                } else {
                    return fail();
                }
                break;
            }
            case State::SizeWS:
                if (++ext_bytes_ > kMaxExtensionBytes) return fail();
                if (c == ';') state_ = State::SizeExt;
                else if (c != ' ' && c != '\t') return fail();
                break;
            case State::SizeExt:  // chunk extensions are ignored, but bounded and free of CTLs
                if (c == '\r') {
                    state_ = State::SizeLF;
                } else if (c == '\n') {
                    if (!end_size_line()) return fail();
                } else if (is_ctl(c) || ++ext_bytes_ > kMaxExtensionBytes) {
                    return fail();
                }
                break;
            case State::SizeLF:
                if (c != '\n' || !end_size_line()) return fail();
                break;
            case State::DataCR:
                if (c == '\r') state_ = State::DataLF;
                else if (c == '\n') state_ = State::Size;
                else return fail();
                break;
            case State::DataLF:
                if (c != '\n') return fail();
                state_ = State::Size;
                break;
            case State::Trailer:
                if (++trailer_bytes_ > kMaxTrailerBytes) return fail();
                if (c == '\n') {
                    if (end_trailer_line()) {
                        consumed = i + 1;
                        return Status::Done;
                    }
                } else if (c == '\r') {
                    state_ = State::TrailerLF;
                } else if (is_ctl(c)) {
                    return fail();
                } else {
                    trailer_line_empty_ = false;
                }
                break;
            case State::TrailerLF:
                if (c != '\n') return fail();
                if (end_trailer_line()) {
                    consumed = i + 1;
                    return Status::Done;
                }
                break;
            case State::Data:
            case State::Done:
            case State::Error: break;  // handled above
        }
        ++i;
    }
    consumed = n;
    return Status::NeedMore;
}

}  // namespace httpserve::http
