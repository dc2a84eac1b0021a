#include "worker/cgi/runner.hpp"

#include <spdlog/spdlog.h>

#include <type_traits>
#include <variant>

namespace httpserve {

CgiRunner::CgiRunner(event_base* base, UniqueFd channel, unsigned max_processes)
    : client_(std::move(channel)), max_processes_(max_processes) {
    if (client_.fd() >= 0) {
        event_ = event_new(base, client_.fd(), EV_READ | EV_PERSIST, &CgiRunner::on_readable, this);
        event_add(event_, nullptr);
    }
}

CgiRunner::~CgiRunner() {
    if (event_) event_free(event_);
}

uint64_t CgiRunner::spawn(SpawnWaiter* waiter, const std::string& script, const std::vector<std::string>& argv,
                          const std::vector<std::string>& envp, int in_fd, int out_fd, int err_fd, std::string& error) {
    uint64_t id = next_id_++;
    if (!client_.send_spawn(id, script, "", argv, envp, in_fd, out_fd, err_fd, error)) return 0;
    waiting_[id] = waiter;
    return id;
}

void CgiRunner::forget(uint64_t request_id, pid_t pid, bool stop_script) {
    if (!stop_script) {
        waiting_.erase(request_id);  // its reply is dropped when it comes
        return;
    }
    if (waiting_.erase(request_id) > 0) abandoned_[request_id] = true;  // kill it when its pid arrives
    if (pid > 0) kill(pid);
}

void CgiRunner::kill(pid_t pid) {
    if (!client_.send_kill(pid)) spdlog::error("cgi: cannot ask the launcher to stop pid {}", pid);
}

void CgiRunner::on_readable(evutil_socket_t, short, void* self) { static_cast<CgiRunner*>(self)->read_replies(); }

void CgiRunner::read_replies() {
    while (auto reply = client_.read_reply()) {
        std::visit(
            [this](const auto& r) {
                using T = std::decay_t<decltype(r)>;
                auto it = waiting_.find(r.request_id);
                if (it == waiting_.end()) {
                    if constexpr (std::is_same_v<T, SpawnedReply>) {
                        if (abandoned_.erase(r.request_id) > 0) kill(r.pid);
                    } else {
                        abandoned_.erase(r.request_id);
                    }
                    return;
                }
                SpawnWaiter* waiter = it->second;
                waiting_.erase(it);
                if constexpr (std::is_same_v<T, SpawnedReply>) {
                    waiter->on_spawned(r.pid);
                } else {
                    waiter->on_spawn_failed(r.code, r.message);
                }
            },
            *reply);
    }
    if (client_.closed() && event_) {
        spdlog::error("cgi: the launcher closed its channel; scripts cannot be started");
        event_del(event_);
        for (auto& [id, waiter] : std::unordered_map<uint64_t, SpawnWaiter*>(std::move(waiting_))) {
            waiter->on_spawn_failed(0, "the CGI launcher is gone");
        }
        waiting_.clear();
    }
}

}  // namespace httpserve
