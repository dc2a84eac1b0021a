// SERVER_NAME and SERVER_PORT for a CGI script: the address the client reached, named the way
// Python names it.
#pragma once

#include <string>
#include <unordered_map>

namespace httpserve::cgi {

struct ServerAddress {
    std::string name;
    unsigned port = 0;
};

// The local end of `socket`. Python's SERVER_NAME is socket.getfqdn() of the address it is bound to
// ("localhost" for 127.0.0.1); the connection's own address is used here. `names` maps a numeric
// address to its name, so that each address is looked up once for the worker's life.
ServerAddress local_server_address(int socket, std::unordered_map<std::string, std::string>& names);

}  // namespace httpserve::cgi
