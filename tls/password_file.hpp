// The password of an encrypted TLS key, from a file: its first line without the whitespace around it
// (Python's http.server strips the whole file; for a one-line file that is the same).
#pragma once

#include <string>

namespace httpserve {

// Throws std::runtime_error with the system's reason when the file cannot be read.
std::string read_password_file(const std::string& path);

}  // namespace httpserve
