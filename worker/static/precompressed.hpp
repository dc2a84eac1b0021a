// Precompressed sidecars: "foo.js.br", "foo.js.zst", "foo.js.gz" next to "foo.js", sent instead of it
// with Content-Encoding when the client accepts the coding. The names and validators, kept pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace httpserve {

// ".br", ".zst", ".gz": what the sidecar's name adds to the file's.
std::string_view sidecar_suffix(ContentCoding coding);

// "br", "zstd", "gzip": the Content-Encoding value.
std::string_view content_coding_token(ContentCoding coding);

// The coding whose sidecar suffix `path` ends with, if any. Such a file is served as what it is
// (foo.js.gz as application/gzip, without Content-Encoding) and has no sidecars of its own.
std::optional<ContentCoding> sidecar_coding_of(std::string_view path);

// A sidecar's strong ETag: its own (from its mtime and size) with the coding inside the quotes,
// "\"...-br\"", so that no variant's validator can match another's.
std::string coded_etag(std::string_view etag, ContentCoding coding);

}  // namespace httpserve
