#include "daemon/signal_command.hpp"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "config/load.hpp"
#include "daemon/pid_file.hpp"

namespace httpserve {

namespace {

constexpr const char* kDefaultConfig = "/etc/httpserve.toml";

int signal_number(const std::string& name) {
    if (name == "reload") return SIGHUP;
    if (name == "stop") return SIGTERM;
    if (name == "quit") return SIGQUIT;
    return SIGUSR1;  // "reopen"; the command line accepts nothing else
}

}  // namespace

int send_signal_command(const CommandLine& cli) {
    const std::string& name = *cli.signal_name;
    const std::string file = cli.config_file.value_or(kDefaultConfig);
    const std::string prefix = "httpserve: -s " + name + ": ";
    try {
        const Config config = load_config_file(file);
        if (config.pid_file.empty()) {
            std::cerr << prefix << "no pid_file is set in " << file << ", so the master cannot be found\n";
            return 1;
        }
        const pid_t pid = read_pid_file(config.pid_file);
        if (!is_running_httpserve(pid)) {
            std::cerr << prefix << "the master named in " << config.pid_file << " (pid " << pid << ") is not running\n";
            return 1;
        }
        if (::kill(pid, signal_number(name)) != 0) {
            std::cerr << prefix << "cannot signal pid " << pid << ": " << std::strerror(errno) << "\n";
            return 1;
        }
        return 0;
    } catch (const ConfigError& e) { std::cerr << prefix << e.what() << "\n"; } catch (const PidFileError& e) {
        std::cerr << prefix << e.what() << "\n";
    }
    return 1;
}

}  // namespace httpserve
