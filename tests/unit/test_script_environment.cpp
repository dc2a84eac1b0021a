// ipc/script_environment: what the CGI launcher lets through of the environment a worker sends.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "ipc/script_environment.hpp"

using namespace httpserve;

TEST_CASE("script environment: the RFC 3875 meta-variables and HTTP_* names", "[cgi-launch][environment]") {
    for (const char* entry : {"AUTH_TYPE=Basic",
                              "CONTENT_LENGTH=",
                              "CONTENT_TYPE=text/plain",
                              "GATEWAY_INTERFACE=CGI/1.1",
                              "PATH_INFO=/x",
                              "PATH_TRANSLATED=/srv/x",
                              "QUERY_STRING=a=b",
                              "REMOTE_ADDR=::1",
                              "REMOTE_HOST=",
                              "REMOTE_IDENT=x",
                              "REMOTE_USER=u",
                              "REQUEST_METHOD=GET",
                              "SCRIPT_NAME=/cgi-bin/x",
                              "SERVER_NAME=h",
                              "HTTPS=on",
                              "SERVER_PORT=80",
                              "SERVER_PROTOCOL=HTTP/1.1",
                              "SERVER_SOFTWARE=httpserve",
                              "HTTP_ACCEPT=*/*",
                              "HTTP_X_1=\x1b\n",
                              "HTTP__=x"}) {
        INFO(entry);
        CHECK(allowed_script_variable(entry));
    }
    for (const char* entry : {"PATH=/bin", "LD_PRELOAD=/x.so", "LD_LIBRARY_PATH=/x", "IFS= ", "BASH_ENV=/x", "HTTP_=x",
                              "HTTP_x=1", "HTTP_X-Y=1", "HTTP_X Y=1", "http_X=1", "QUERY_STRING", "=x", "",
                              "QUERY_STRINGX=1", "SCRIPT_FILENAME=/x", "REMOTE_PORT=1"}) {
        INFO(entry);
        CHECK_FALSE(allowed_script_variable(entry));
    }
}

TEST_CASE("script environment: PATH first and the launcher's; the first of a name wins", "[cgi-launch][environment]") {
    const ScriptEnvironment env = script_environment(
        {"PATH=/tmp/evil", "HTTP_A=1", "LD_PRELOAD=/x.so", "QUERY_STRING=q", "HTTP_A=2", "HTTP_AB=3", "junk"});
    CHECK(env.entries ==
          std::vector<std::string>{"PATH=" + std::string(kScriptPath), "HTTP_A=1", "QUERY_STRING=q", "HTTP_AB=3"});
    CHECK(env.dropped == std::vector<std::string>{"LD_PRELOAD", "HTTP_A", "junk"});
    CHECK(script_environment({}).entries == std::vector<std::string>{"PATH=/usr/local/bin:/usr/bin:/bin"});
}
