#include "worker/cgi/launch_client.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace httpserve {

LaunchClient::LaunchClient(UniqueFd channel) : channel_(std::move(channel)) {
    if (!channel_) {
        closed_ = true;
        return;
    }
    const int flags = ::fcntl(channel_.get(), F_GETFL);
    if (flags >= 0) ::fcntl(channel_.get(), F_SETFL, flags | O_NONBLOCK);
    allow_message_size(channel_.get(), kMaxLaunchMessage);
}

bool LaunchClient::send_spawn(uint64_t request_id, const std::string& script, const std::string& cwd,
                              const std::vector<std::string>& argv, const std::vector<std::string>& envp, int in_fd,
                              int out_fd, int err_fd, std::string& error) {
    if (closed_) {
        error = "no CGI launcher";
        return false;
    }
    SpawnRequest request{request_id, script, cwd, argv, envp};
    const std::string bytes = encode_launch_request(request);
    if (bytes.size() > kMaxLaunchMessage) {
        error = "CGI request too large for the launcher (" + std::to_string(bytes.size()) + " bytes)";
        return false;
    }
    const int fds[kSpawnFdCount] = {in_fd, out_fd, err_fd};
    const int err = send_message(channel_.get(), bytes, fds, true);
    if (err == 0) return true;
    if (err == EPIPE || err == ECONNRESET || err == ENOTCONN) closed_ = true;
    error = std::string("cannot reach the CGI launcher: ") + std::strerror(err);
    return false;
}

bool LaunchClient::send_kill(pid_t pid) {
    if (closed_ || pid <= 0) return false;
    const std::string bytes = encode_launch_request(KillRequest{pid});
    const int err = send_message(channel_.get(), bytes, {}, true);
    if (err == EPIPE || err == ECONNRESET || err == ENOTCONN) closed_ = true;
    return err == 0;
}

std::optional<LaunchReply> LaunchClient::read_reply() {
    while (!closed_) {
        switch (receive_message(channel_.get(), kMaxLaunchMessage, 0, incoming_)) {
            case ReceiveStatus::WouldBlock: return std::nullopt;
            case ReceiveStatus::Closed:
            case ReceiveStatus::Error: closed_ = true; return std::nullopt;
            case ReceiveStatus::Message:
                if (incoming_.truncated) continue;  // fds, if any, are closed with incoming_.fds
                if (auto reply = decode_launch_reply(incoming_.bytes())) return reply;
                continue;
        }
    }
    return std::nullopt;
}

}  // namespace httpserve
