// daemon/launcher_config: the CGI launcher's settings from a Config, as root (switching to cgi.user,
// never root) and not (scripts run as the server's own account).
#include <catch2/catch.hpp>

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "daemon/launcher_config.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using test_support::TempDir;

namespace {

std::string name_of(uid_t uid) {
    const passwd* pw = ::getpwuid(uid);
    return pw ? pw->pw_name : std::to_string(uid);
}

}  // namespace

TEST_CASE("launcher config: CGI folders under the root, as configured", "[daemon][launcher_config]") {
    TempDir dir("lcfg");
    std::filesystem::create_directories(dir.path / "real" / "cgi-bin");
    std::filesystem::create_directory_symlink(dir.path / "real", dir.path / "www");
    Config config;
    config.files.root = (dir.path / "www").string();
    config.cgi.directories = {"/cgi-bin", "/htbin/", "/"};
    const LauncherSettings s = launcher_settings_from(config);
    REQUIRE(s.cgi_folders.size() == 3);
    // Not resolved: the worker names scripts under the root as configured, and the launcher opens
    // the folder by this path for each request.
    CHECK(s.cgi_folders[0] == (dir.path / "www" / "cgi-bin").string());
    CHECK(s.cgi_folders[1] == (dir.path / "www" / "htbin").string());
    CHECK(s.cgi_folders[2] == (dir.path / "www").string());
}

TEST_CASE("launcher config: the dotfiles and symlinks policies", "[daemon][launcher_config]") {
    Config config;
    LauncherSettings s = launcher_settings_from(config);
    CHECK_FALSE(s.symlinks_never);
    CHECK_FALSE(s.dotfiles_deny);
    config.files.symlinks = SymlinkPolicy::InsideRoot;  // inside a CGI folder is what the launcher allows
    CHECK_FALSE(launcher_settings_from(config).symlinks_never);
    config.files.symlinks = SymlinkPolicy::Never;
    config.files.dotfiles = DotfilePolicy::Deny;
    s = launcher_settings_from(config);
    CHECK(s.symlinks_never);
    CHECK(s.dotfiles_deny);
}

TEST_CASE("launcher config: limits and logging", "[daemon][launcher_config]") {
    Config config;
    config.cgi.max_processes = 3;
    config.log.error = "/var/log/httpserve/error.log";
    config.log.level = LogLevel::Debug;
    LauncherSettings s = launcher_settings_from(config);
    CHECK(s.max_per_channel == 16);  // never below 16
    CHECK(s.error_log == "/var/log/httpserve/error.log");
    CHECK(s.log_level == LogLevel::Debug);
    config.cgi.max_processes = 64;
    CHECK(launcher_settings_from(config).max_per_channel == 128);  // twice the worker's own limit
}

TEST_CASE("launcher config: whom scripts run as", "[daemon][launcher_config]") {
    Config config;
    if (::geteuid() == 0) {
        SECTION("as root: cgi.user and cgi.group") {
            const passwd* nobody = ::getpwnam("nobody");
            REQUIRE(nobody != nullptr);
            const LauncherSettings s = launcher_settings_from(config);
            CHECK(s.switch_user);
            CHECK(s.uid == nobody->pw_uid);
            CHECK(s.user == "nobody");
            CHECK(s.uid != 0);
            CHECK(s.gid != 0);
            CHECK(s.refuse_reason.empty());
        }
        SECTION("as root: never root itself") {
            config.cgi.user = "root";
            config.cgi.user_explicit = true;
            CHECK_THROWS_WITH(launcher_settings_from(config),
                              Catch::Matchers::StartsWith("CGI scripts must not run as root (cgi.user 'root'"));
        }
    } else {
        SECTION("not root: the server's own account, no switch") {
            const LauncherSettings s = launcher_settings_from(config);
            CHECK_FALSE(s.switch_user);
            CHECK(s.uid == ::geteuid());
            CHECK(s.gid == ::getegid());
            CHECK(s.user == name_of(::geteuid()));
            CHECK(s.refuse_reason.empty());  // cgi.user was not set explicitly
        }
        SECTION("not root: an explicit cgi.user that cannot be honoured refuses every script") {
            config.cgi.user = "root";
            config.cgi.user_explicit = true;
            const LauncherSettings s = launcher_settings_from(config);
            CHECK_FALSE(s.switch_user);
            CHECK(s.uid == ::geteuid());
            CHECK(s.refuse_reason.find("cgi.user 'root'") == 0);
            CHECK(s.refuse_reason.find("not started as root") != std::string::npos);
        }
    }
    SECTION("an explicit cgi.user that does not exist") {
        config.cgi.user = "no-such-user-for-httpserve";
        config.cgi.user_explicit = true;
        CHECK_THROWS_WITH(launcher_settings_from(config), "cgi.user 'no-such-user-for-httpserve' does not exist");
    }
}
