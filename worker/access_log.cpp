#include "worker/access_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/escape.hpp"

namespace httpserve {

void AccessLog::append_escaped(std::string_view text) {
    // Python escapes control characters as \xNN and '\' as "\\" (gh-100001); the common and
    // combined formats also escape '"', which ends their quoted fields. From 0xA0 up Python writes
    // each byte as a Latin-1 character; here well-formed UTF-8 stays as sent, the rest is \xNN.
    append_log_escaped(buffer_, text,
                       format_ == AccessLogFormat::Python ? LogBackslashes::Escape : LogBackslashes::EscapeWithQuote);
}

void AccessLog::append_python_time(std::time_t now) {
    if (now != cached_time_ || python_time_.empty()) {
        cached_time_ = now;
        struct tm tm;
        localtime_r(&now, &tm);
        char buf[64];
        std::strftime(buf, sizeof buf, "%d/%b/%Y %H:%M:%S", &tm);
        python_time_ = buf;
        std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S %z", &tm);
        clf_time_ = buf;
    }
    buffer_ += python_time_;
}

void AccessLog::append_clf_time(std::time_t now) {
    append_python_time(now);  // refreshes both
    buffer_.resize(buffer_.size() - python_time_.size());
    buffer_ += clf_time_;
}

void AccessLog::append_line_start(std::string_view client, std::time_t now) {
    buffer_ += client;
    buffer_ += " - - [";
    if (format_ == AccessLogFormat::Python) append_python_time(now);
    else append_clf_time(now);
    buffer_ += "] ";
}

void AccessLog::append_request(const AccessRecord& r) {
    buffer_ += '"';
    append_escaped(r.request_line);
    buffer_ += "\" ";
    buffer_ += std::to_string(r.status);
}

void AccessLog::add(const AccessRecord& r, std::time_t now) {
    if (fd_ < 0) return;
    if (format_ == AccessLogFormat::Python) {
        // "%s - - [%s] %s\n": an error first logs "code N, message M", then the request.
        if (!r.error_message.empty()) {
            append_line_start(r.client, now);
            buffer_ += "code ";
            buffer_ += std::to_string(r.status);
            buffer_ += ", message ";
            append_escaped(r.error_message);
            buffer_ += '\n';
        }
        append_line_start(r.client, now);
        append_request(r);
        buffer_ += " -\n";
        return;
    }
    append_line_start(r.client, now);
    append_request(r);
    buffer_ += ' ';
    if (r.bytes == 0) {
        buffer_ += '-';
    } else {
        buffer_ += std::to_string(r.bytes);
    }
    if (format_ == AccessLogFormat::Combined) {
        buffer_ += " \"";
        if (r.referer.empty()) buffer_ += '-';
        else append_escaped(r.referer);
        buffer_ += "\" \"";
        if (r.user_agent.empty()) buffer_ += '-';
        else append_escaped(r.user_agent);
        buffer_ += '"';
    }
    buffer_ += '\n';
    if (buffer_.size() > 64 * 1024) flush();
}

void AccessLog::flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;  // a log that cannot be written must not stop serving
        }
        done += static_cast<size_t>(n);
    }
    buffer_.clear();
}

}  // namespace httpserve
