// The worker's end of its channel to the CGI launcher. Never blocks: the worker's event loop
// watches fd() for readability and calls read_reply() until it returns nothing.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/unique_fd.hpp"
#include "ipc/fd_passing.hpp"
#include "ipc/launch_protocol.hpp"

namespace httpserve {

class LaunchClient {
public:
    // `channel`: the worker's end from connect_worker() in the master (may be empty: every send
    // then fails with "no CGI launcher").
    explicit LaunchClient(UniqueFd channel);

    // Asks for the script to be started with the three fds as its stdin, stdout and stderr (the
    // launcher gets its own copies; the caller keeps and closes its own). The answer comes later
    // through read_reply(). False with `error` set when the request could not be sent: too large,
    // the launcher is gone, or its queue is full (EAGAIN; a busy launcher, not a refusal).
    bool send_spawn(uint64_t request_id, const std::string& script, const std::string& cwd,
                    const std::vector<std::string>& argv, const std::vector<std::string>& envp, int in_fd, int out_fd,
                    int err_fd, std::string& error);

    // Asks the launcher to end the script's process group (TERM, then KILL after a grace period).
    // Only scripts started over this channel can be killed this way.
    bool send_kill(pid_t pid);

    // The next reply, or nothing when none is waiting (or the channel closed: see closed()).
    // Malformed messages are skipped.
    std::optional<LaunchReply> read_reply();

    bool closed() const { return closed_; }
    int fd() const { return channel_.get(); }

private:
    UniqueFd channel_;
    ReceivedMessage incoming_;
    bool closed_ = false;
};

}  // namespace httpserve
