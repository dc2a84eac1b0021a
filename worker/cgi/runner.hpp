// A worker's side of the CGI launcher: sends spawn and kill requests over its channel, routes the
// replies to the sessions that asked, and counts running scripts against cgi.max_processes.
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/unique_fd.hpp"
#include "worker/cgi/launch_client.hpp"

namespace httpserve {

// Whoever asked for a script (a CGI session) hears the launcher's answer through this.
class SpawnWaiter {
public:
    virtual void on_spawned(pid_t pid) = 0;
    virtual void on_spawn_failed(int code, const std::string& message) = 0;

protected:
    ~SpawnWaiter() = default;
};

class CgiRunner {
public:
    CgiRunner(event_base* base, UniqueFd channel, unsigned max_processes);
    ~CgiRunner();
    CgiRunner(const CgiRunner&) = delete;
    CgiRunner& operator=(const CgiRunner&) = delete;

    bool at_capacity() const { return running_ >= max_processes_; }

    // Sends the request; the answer comes to waiter->on_spawned()/on_spawn_failed(). Returns the
    // request id, or 0 with `error` set when the launcher cannot be asked.
    uint64_t spawn(SpawnWaiter* waiter, const std::string& script, const std::vector<std::string>& argv,
                   const std::vector<std::string>& envp, int in_fd, int out_fd, int err_fd, std::string& error);
    // The waiter is gone: no reply may reach it. `stop_script`: its script (once started) is
    // stopped; else it is left to finish (it closed its output) and the launcher reaps it.
    void forget(uint64_t request_id, pid_t pid, bool stop_script);
    void kill(pid_t pid);

    void session_started() { ++running_; }
    void session_ended() {
        if (running_ > 0) --running_;
    }

private:
    static void on_readable(evutil_socket_t, short, void* self);
    void read_replies();

    LaunchClient client_;
    event* event_ = nullptr;
    std::unordered_map<uint64_t, SpawnWaiter*> waiting_;  // spawn requests without a reply yet
    std::unordered_map<uint64_t, bool> abandoned_;        // their sessions ended before the reply
    uint64_t next_id_ = 1;
    unsigned running_ = 0;
    unsigned max_processes_;
};

}  // namespace httpserve
