#include "daemon/sd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace httpserve::notify {

namespace {

void send(std::string message, std::string_view status) {
    message += "STATUS=";
    for (char c : status) message += (c == '\n' || c == '\r') ? ' ' : c;
    ::sd_notify(0, message.c_str());  // 0: keep NOTIFY_SOCKET for the next message
}

}  // namespace

void ready(std::string_view text) { send("READY=1\n", text); }

void reloading(std::string_view text) {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const long long usec = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_nsec / 1000;
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\n", text);
}

void stopping(std::string_view text) { send("STOPPING=1\n", text); }

void status(std::string_view text) { send("", text); }

}  // namespace httpserve::notify
