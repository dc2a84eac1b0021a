// httpserve: parse the command line and config, bind, hand over to the master's loop.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "common/logging.hpp"
#include "config/cli.hpp"
#include "config/load.hpp"
#include "daemon/listeners.hpp"
#include "daemon/privileges.hpp"
#include "daemon/supervisor.hpp"

using namespace httpserve;

namespace {

// The access log is opened by the master, before any privilege drop, and inherited by the workers.
int open_access_log(const LogConfig& log) {
    if (log.access == "off") return -1;
    if (log.access == "stderr") return STDERR_FILENO;
    if (log.access == "stdout") return STDOUT_FILENO;
    int fd = ::open(log.access.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot open access log " + log.access + ": " + std::strerror(errno));
    return fd;
}

}  // namespace

int main(int argc, char** argv) {
    CommandLine cli;
    Config config;
    try {
        cli = parse_command_line(argc, argv);
        if (cli.show_help) {
            std::cout << help_text();
            return 0;
        }
        if (cli.show_version) {
            std::cout << "httpserve " HTTPSERVE_VERSION "\n";
            return 0;
        }
        config = build_config(cli);
    } catch (const UsageError& e) {
        std::cerr << usage_text() << "httpserve: error: " << e.what() << "\n";
        return 2;
    } catch (const ConfigError& e) {
        std::cerr << "httpserve: " << e.what() << "\n";
        return 1;
    }
    if (cli.check_only) {
        std::cout << "httpserve: configuration " << (config.source_file.empty() ? "(command line)" : config.source_file)
                  << " is valid\n";
        return 0;
    }

    try {
        setup_error_log(config.log.error, config.log.level);
        set_log_role("master");
        Account account = resolve_worker_account(config);
        std::vector<Listener> listeners = bind_listeners(config.listen);
        for (const Listener& l : listeners) std::cout << serving_line(l) << "\n";
        std::cout.flush();  // tests and scripts read the port from this line at once
        if (account.switch_needed) {
            spdlog::info("workers run as user '{}', group '{}'", account.user, account.group);
        }
        MasterSetup setup;
        setup.config = &config;
        setup.listeners = &listeners;
        setup.account = account;
        setup.access_log_fd = open_access_log(config.log);
        return run_master(setup);
    } catch (const std::exception& e) {
        std::cerr << "httpserve: " << e.what() << "\n";
        return 1;
    }
}
