// worker/status_page: a board snapshot as Prometheus text and as JSON.
#include <catch2/catch.hpp>

#include <string>

#include "worker/status_page.hpp"

using namespace httpserve;

namespace {

status::Snapshot sample() {
    status::Snapshot s;
    s.generation = 3;
    s.reloads = 2;
    s.started_unix = 1700000000;
    s.uptime_seconds = 12.5;
    status::WorkerView w;
    w.worker = 1;
    w.generation = 3;
    w.pid = 4242;
    w.counters[status::Requests] = 7;
    w.counters[status::Responses2xx] = 6;
    w.counters[status::Responses4xx] = 1;
    w.counters[status::BytesOut] = 1234;
    w.gauges[status::Active] = 2;
    w.gauges[status::Idle] = 1;
    w.gauges[status::Reading] = 1;
    s.workers.push_back(w);
    s.totals = w.counters;
    s.totals[status::Requests] = 10;  // 3 from a worker that exited
    s.totals[status::CgiStarted] = 4;
    s.gauge_totals = w.gauges;
    return s;
}

bool has_line(const std::string& text, const std::string& line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("status page: Prometheus text", "[status_page]") {
    const std::string text = render_status_prometheus(sample());
    CHECK(has_line(text, "httpserve_uptime_seconds 12.500"));
    CHECK(has_line(text, "httpserve_start_time_seconds 1700000000"));
    CHECK(has_line(text, "httpserve_generation 3"));
    CHECK(has_line(text, "httpserve_reloads_total 2"));
    CHECK(has_line(text, "httpserve_workers 1"));
    CHECK(has_line(text, "# TYPE httpserve_requests_total counter"));
    CHECK(has_line(text, "httpserve_requests_total 10"));
    CHECK(has_line(text, "httpserve_responses_total{class=\"2xx\"} 6"));
    CHECK(has_line(text, "httpserve_responses_total{class=\"5xx\"} 0"));
    CHECK(has_line(text, "httpserve_sent_bytes_total 1234"));
    CHECK(has_line(text, "httpserve_cgi_scripts_started_total 4"));
    CHECK(has_line(text, "# TYPE httpserve_connections_active gauge"));
    CHECK(has_line(text, "httpserve_connections_active 2"));
    CHECK(has_line(text, "httpserve_worker_requests_total{worker=\"1\",pid=\"4242\",generation=\"3\"} 7"));
    CHECK(
        has_line(text, "httpserve_worker_responses_total{worker=\"1\",pid=\"4242\",generation=\"3\",class=\"4xx\"} 1"));
    CHECK(has_line(text, "httpserve_worker_connections_idle{worker=\"1\",pid=\"4242\",generation=\"3\"} 1"));
    CHECK(has_line(text, "httpserve_proxy_refused_total{reason=\"untrusted\"} 0"));
    // One HELP and one TYPE per family, also for a family of several labelled series.
    size_t types = 0;
    for (size_t at = text.find("# TYPE httpserve_responses_total "); at != std::string::npos;
         at = text.find("# TYPE httpserve_responses_total ", at + 1))
        ++types;
    CHECK(types == 1);
    CHECK(text.back() == '\n');
}

TEST_CASE("status page: JSON", "[status_page]") {
    const std::string json = render_status_json(sample());
    CHECK(json.rfind("{\"generation\":3,\"reloads\":2,\"uptime_seconds\":12.500,\"start_time\":1700000000,", 0) == 0);
    CHECK(json.find("\"total\":{\"connections\":{\"accepted\":0,\"handled\":0,\"active\":2,\"reading\":1,"
                    "\"writing\":0,\"idle\":1},\"requests\":10,") != std::string::npos);
    CHECK(json.find("\"responses\":{\"1xx\":0,\"2xx\":6,\"3xx\":0,\"4xx\":1,\"5xx\":0}") != std::string::npos);
    CHECK(json.find("\"cgi\":{\"running\":0,\"started\":4,\"failed\":0,\"timed_out\":0}") != std::string::npos);
    CHECK(json.find("\"workers\":[{\"worker\":1,\"pid\":4242,\"generation\":3,\"connections\":") != std::string::npos);
    CHECK(json.find("\"bytes_out\":1234") != std::string::npos);
}

TEST_CASE("status page: no workers", "[status_page]") {
    status::Snapshot empty;
    CHECK(render_status_json(empty).find("\"workers\":[]}") != std::string::npos);
    const std::string text = render_status_prometheus(empty);
    CHECK(text.find("httpserve_worker_requests_total{") == std::string::npos);
    CHECK(text.find("# TYPE httpserve_worker_requests_total counter") != std::string::npos);
}

TEST_CASE("status board: response classes", "[status_board]") {
    CHECK(status::response_class(100) == status::Responses1xx);
    CHECK(status::response_class(204) == status::Responses2xx);
    CHECK(status::response_class(304) == status::Responses3xx);
    CHECK(status::response_class(404) == status::Responses4xx);
    CHECK(status::response_class(599) == status::Responses5xx);
    CHECK(status::response_class(600) == status::Responses5xx);
    CHECK(status::response_class(0) == status::Responses5xx);
}
