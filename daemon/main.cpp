// httpserve: parse the command line and the config, then hand over to the master (or, with -s, signal
// the running one; with -t, apply the checks start-up applies and say whether they pass).
#include <chrono>
#include <iostream>

#include "config/cli.hpp"
#include "config/load.hpp"
#include "daemon/signal_command.hpp"
#include "daemon/startup_checks.hpp"
#include "daemon/supervisor.hpp"
#include "tls/context.hpp"

using namespace httpserve;

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
        if (cli.signal_name) return send_signal_command(cli);
        config = build_config(cli);
    } catch (const UsageError& e) {
        std::cerr << usage_text() << "httpserve: error: " << e.what() << "\n";
        return 2;
    } catch (const ConfigError& e) {
        std::cerr << "httpserve: " << e.what() << "\n";
        return 1;
    }
    if (cli.check_only) {
        try {
            for (const std::string& warning : check_accounts(config).workers.warnings) {
                std::cerr << "httpserve: warning: " << warning << "\n";
            }
            // The certificates and keys load as at start-up (a reload refuses what this refuses).
            for (const std::string& warning :
                 expiry_warnings(build_tls_contexts(config, nullptr), std::chrono::system_clock::now())) {
                std::cerr << "httpserve: warning: " << warning << "\n";
            }
        } catch (const std::exception& e) {
            std::cerr << "httpserve: " << e.what() << "\n";
            return 1;
        }
        std::cout << "httpserve: configuration " << (config.source_file.empty() ? "(command line)" : config.source_file)
                  << " is valid\n";
        return 0;
    }

    try {
        return run_master(cli, std::move(config));
    } catch (const std::exception& e) {
        std::cerr << "httpserve: " << e.what() << "\n";
        return 1;
    }
}
