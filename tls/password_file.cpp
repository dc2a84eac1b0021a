#include "tls/password_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/python_space.hpp"
#include "common/unique_fd.hpp"

namespace httpserve {

std::string read_password_file(const std::string& path) {
    const auto failure = [&](int error) { return std::runtime_error(path + ": " + std::strerror(error)); };
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) throw failure(errno);
    std::string text;
    char buffer[4096];
    // A password is short: the first 64 KiB are plenty to find the first line.
    while (text.size() < 65536 && text.find('\n') == std::string::npos) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw failure(errno);
        if (n == 0) break;
        text.append(buffer, static_cast<size_t>(n));
    }
    text = text.substr(0, text.find('\n'));
    size_t begin = 0, end = text.size();
    while (begin < end && is_python_space(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && is_python_space(static_cast<unsigned char>(text[end - 1]))) --end;
    std::string password = text.substr(begin, end - begin);
    std::fill(text.begin(), text.end(), '\0');
    return password;
}

}  // namespace httpserve
