// The worker's side of the PROXY protocol outside the parser: which peers may send a header, and
// the rate-limited log line of the connections refused (counted in ProxyCounters).
#pragma once

#include <sys/socket.h>

namespace httpserve {

struct ListenAddress;
struct WorkerContext;

// True when `peer` may send a PROXY header to `entry`'s listener.
bool proxy_source_trusted(const ListenAddress& entry, const sockaddr_storage& peer);

// Logs that a connection from `client` (its real address) was closed, at most once a second.
void log_proxy_refusal(WorkerContext& ctx, const char* client, const char* why);

}  // namespace httpserve
