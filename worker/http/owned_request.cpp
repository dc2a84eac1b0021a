#include "worker/http/owned_request.hpp"

#include <cstring>

namespace httpserve::http {

OwnedRequest::OwnedRequest(const Request& fields, std::string_view line) : request_(fields) {
    size_t total = fields.method.size() + fields.target.size() + line.size();
    for (const Header& h : fields.headers) total += h.name.size() + h.value.size();
    bytes_ = std::make_unique<char[]>(total);
    char* p = bytes_.get();
    auto keep = [&p](std::string_view s) {
        if (!s.empty()) std::memcpy(p, s.data(), s.size());
        std::string_view kept(p, s.size());
        p += s.size();
        return kept;
    };
    request_.method = keep(fields.method);
    request_.target = keep(fields.target);
    line_ = keep(line);
    for (Header& h : request_.headers) {
        h.name = keep(h.name);
        h.value = keep(h.value);
    }
}

std::string format_request_line(std::string_view method, std::string_view target, const Request& version_of) {
    std::string line;
    line.append(method).append(" ").append(target);
    if (!version_of.http09) {
        line.append(" HTTP/").append(std::to_string(version_of.version_major)).append(".");
        line.append(std::to_string(version_of.version_minor));
    }
    return line;
}

}  // namespace httpserve::http
