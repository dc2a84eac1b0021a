#include "worker/cgi/server_address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace httpserve::cgi {

namespace {

std::string name_of(const sockaddr_storage& local, socklen_t len, std::unordered_map<std::string, std::string>& names) {
    char numeric[INET6_ADDRSTRLEN] = "";
    ::getnameinfo(reinterpret_cast<const sockaddr*>(&local), len, numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST);
    auto it = names.find(numeric);
    if (it != names.end()) return it->second;
    char name[NI_MAXHOST] = "";
    std::string result = numeric;
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&local), len, name, sizeof name, nullptr, 0, NI_NAMEREQD) ==
        0) {
        result = name;
    }
    names.emplace(numeric, result);
    return result;
}

}  // namespace

ServerAddress local_server_address(int socket, std::unordered_map<std::string, std::string>& names) {
    ServerAddress out;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(socket, reinterpret_cast<sockaddr*>(&local), &len) != 0) return out;
    out.name = name_of(local, len, names);
    out.port = local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(local).sin6_port)
                                           : ntohs(reinterpret_cast<sockaddr_in&>(local).sin_port);
    return out;
}

}  // namespace httpserve::cgi
