#include "config/config.hpp"

#include <unistd.h>

namespace httpserve {

std::vector<Cidr> default_proxy_trusted() {
    std::string problem;
    return {*parse_cidr("127.0.0.0/8", problem), *parse_cidr("::1/128", problem)};
}

unsigned Config::effective_workers() const {
    if (workers != 0) return workers;
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? static_cast<unsigned>(cpus) : 1u;  // -1 when the count is unknown
}

}  // namespace httpserve
