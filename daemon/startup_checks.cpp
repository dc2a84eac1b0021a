#include "daemon/startup_checks.hpp"

#include "daemon/launcher_config.hpp"

namespace httpserve {

CheckedAccounts check_accounts(const Config& config) {
    CheckedAccounts checked;
    checked.workers = resolve_worker_account(config);
    if (config.cgi.enabled) checked.cgi = launcher_settings_from(config);
    return checked;
}

}  // namespace httpserve
