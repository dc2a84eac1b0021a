// libFuzzer target for the request-head parser and the chunked decoder.
// parse_request always gets the bytes after the first; when byte 0 is odd, the ChunkedDecoder gets
// them too, in pieces whose sizes come from byte 1 (a tiny PRNG seed), with a limit chosen by byte 0.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "worker/http/chunked.hpp"
#include "worker/http/request_parser.hpp"

using namespace httpserve::http;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool inside(std::string_view view, std::string_view buffer) {
    if (view.empty()) return true;  // an empty view may point anywhere (or nowhere)
    return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

void fuzz_parser(std::string_view buffer) {
    Request req;
    ParseError err;
    const ParseStatus st = parse_request(buffer, ParseLimits{}, req, err);
    if (st == ParseStatus::Complete) {
        check(req.head_length > 0 && req.head_length <= buffer.size());
        const std::string_view head = buffer.substr(0, req.head_length);
        check(inside(req.method, head) && !req.method.empty() && is_token(req.method));
        check(inside(req.target, head) && !req.target.empty());
        for (const Header& h : req.headers) {
            check(inside(h.name, head) && is_token(h.name));
            check(inside(h.value, head));
            check(h.value.empty() || (h.value.front() != ' ' && h.value.front() != '\t' && h.value.back() != ' ' &&
                                      h.value.back() != '\t'));
        }
        check(!req.http09 || req.headers.empty());
        check(req.body != BodyFraming::Chunked || req.find("Content-Length") == nullptr);
        // Parsing the head alone gives the same answer: the parser never reads past it.
        Request again;
        ParseError err2;
        check(parse_request(head, ParseLimits{}, again, err2) == ParseStatus::Complete);
        check(again.head_length == req.head_length && again.headers.size() == req.headers.size());
        // A strict prefix of a valid head is never an error.
        for (size_t n : {req.head_length - 1, req.head_length / 2}) {
            Request part;
            check(parse_request(head.substr(0, n), ParseLimits{}, part, err2) == ParseStatus::Incomplete);
        }
    } else if (st == ParseStatus::Error) {
        check(err.status >= 400 && err.status <= 599);
        check(!err.reason.empty());
        // No raw control bytes may reach a status line (python_repr escapes them).
        for (char c : err.reason) check(c == '\t' || static_cast<unsigned char>(c) >= 0x20);
    }
}

void fuzz_chunked(uint8_t mode, std::string_view input) {
    uint32_t seed = input.empty() ? 1 : static_cast<uint8_t>(input[0]) + 1u;
    if (!input.empty()) input.remove_prefix(1);
    const uint64_t limit = (mode & 2) ? uint64_t{1} << (mode >> 2) : UINT64_MAX;

    ChunkedDecoder dec(limit);
    std::string out;
    size_t pos = 0;
    ChunkedDecoder::Status st = ChunkedDecoder::Status::NeedMore;
    while (pos < input.size() && st == ChunkedDecoder::Status::NeedMore) {
        seed = seed * 1103515245u + 12345u;
        const size_t piece = 1 + (seed >> 16) % 64;
        const std::string_view chunk = input.substr(pos, piece);
        size_t used = 0;
        st = dec.feed(chunk, out, used);
        check(used <= chunk.size());
        if (st == ChunkedDecoder::Status::NeedMore) check(used == chunk.size());
        pos += used;
    }
    check(out.size() == dec.total());
    check(dec.total() <= limit);
    if (dec.over_limit()) check(st == ChunkedDecoder::Status::Error);
    if (st == ChunkedDecoder::Status::Done) {
        // Fed in one piece, the same prefix decodes to the same bytes.
        ChunkedDecoder whole(limit);
        std::string out2;
        size_t used = 0;
        check(whole.feed(input.substr(0, pos), out2, used) == ChunkedDecoder::Status::Done);
        check(used == pos && out2 == out);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    fuzz_parser(rest);
    if (data[0] & 1) fuzz_chunked(data[0], rest);
    return 0;
}
