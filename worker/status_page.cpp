#include "worker/status_page.hpp"

#include <cstdio>
#include <string_view>

namespace httpserve {

namespace {

using status::Counter;
using status::Gauge;

struct CounterMetric {
    Counter counter;
    std::string_view name;   // after "httpserve_" (or "httpserve_worker_")
    std::string_view label;  // an extra label ("class=\"2xx\""), or ""
    std::string_view help;
};

// In the order they are shown; metrics sharing a name are one family with a label that tells them apart.
constexpr CounterMetric counter_metrics[] = {
    {status::Accepted, "connections_accepted_total", "", "Connections accepted"},
    {status::Handled, "connections_handled_total", "", "Connections served (accepted and not refused at once)"},
    {status::Requests, "requests_total", "", "Requests answered"},
    {status::Responses1xx, "responses_total", "class=\"1xx\"", "Responses by status class"},
    {status::Responses2xx, "responses_total", "class=\"2xx\"", ""},
    {status::Responses3xx, "responses_total", "class=\"3xx\"", ""},
    {status::Responses4xx, "responses_total", "class=\"4xx\"", ""},
    {status::Responses5xx, "responses_total", "class=\"5xx\"", ""},
    {status::BytesOut, "sent_bytes_total", "", "Bytes written to clients"},
    {status::CgiStarted, "cgi_scripts_started_total", "", "CGI scripts started"},
    {status::CgiFailed, "cgi_scripts_failed_total", "", "CGI scripts that could not be started"},
    {status::CgiTimedOut, "cgi_scripts_timed_out_total", "", "CGI scripts stopped after cgi.timeout of silence"},
    {status::ProxyUntrusted, "proxy_refused_total", "reason=\"untrusted\"",
     "PROXY protocol connections closed unserved"},
    {status::ProxyMalformed, "proxy_refused_total", "reason=\"malformed\"", ""},
    {status::ProxyTimedOut, "proxy_refused_total", "reason=\"timed_out\"", ""},
};

struct GaugeMetric {
    Gauge gauge;
    std::string_view name;
    std::string_view help;
};

constexpr GaugeMetric gauge_metrics[] = {
    {status::Active, "connections_active", "Open connections"},
    {status::Reading, "connections_reading", "Connections receiving a request"},
    {status::Writing, "connections_writing", "Connections with a response in progress"},
    {status::Idle, "connections_idle", "Connections kept alive between requests"},
    {status::CgiRunning, "cgi_scripts_running", "CGI scripts running"},
};

void family_head(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, const std::string& value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(value).append("\n");
}

std::string join_labels(std::string_view a, std::string_view b) {
    if (a.empty()) return std::string(b);
    if (b.empty()) return std::string(a);
    return std::string(a) + "," + std::string(b);
}

std::string worker_labels(const status::WorkerView& w) {
    return "worker=\"" + std::to_string(w.worker) + "\",pid=\"" + std::to_string(w.pid) + "\",generation=\"" +
           std::to_string(w.generation) + "\"";
}

std::string seconds(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", value);
    return text;
}

// One JSON object with a worker's (or the totals') numbers.
void json_counts(std::string& out, const std::array<uint64_t, status::counter_count>& c,
                 const std::array<int64_t, status::gauge_count>& g) {
    const auto n = [](auto v) { return std::to_string(v); };
    out.append("\"connections\":{\"accepted\":" + n(c[status::Accepted]) + ",\"handled\":" + n(c[status::Handled]) +
               ",\"active\":" + n(g[status::Active]) + ",\"reading\":" + n(g[status::Reading]) +
               ",\"writing\":" + n(g[status::Writing]) + ",\"idle\":" + n(g[status::Idle]) + "}");
    out.append(",\"requests\":" + n(c[status::Requests]));
    out.append(",\"responses\":{\"1xx\":" + n(c[status::Responses1xx]) + ",\"2xx\":" + n(c[status::Responses2xx]) +
               ",\"3xx\":" + n(c[status::Responses3xx]) + ",\"4xx\":" + n(c[status::Responses4xx]) +
               ",\"5xx\":" + n(c[status::Responses5xx]) + "}");
    out.append(",\"bytes_out\":" + n(c[status::BytesOut]));
    out.append(",\"cgi\":{\"running\":" + n(g[status::CgiRunning]) + ",\"started\":" + n(c[status::CgiStarted]) +
               ",\"failed\":" + n(c[status::CgiFailed]) + ",\"timed_out\":" + n(c[status::CgiTimedOut]) + "}");
    out.append(",\"proxy_refused\":{\"untrusted\":" + n(c[status::ProxyUntrusted]) + ",\"malformed\":" +
               n(c[status::ProxyMalformed]) + ",\"timed_out\":" + n(c[status::ProxyTimedOut]) + "}");
}

}  // namespace

std::string render_status_prometheus(const status::Snapshot& snap) {
    std::string out;
    out.reserve(4096 + snap.workers.size() * 2048);
    family_head(out, "httpserve_uptime_seconds", "Seconds since the master started", "gauge");
    sample(out, "httpserve_uptime_seconds", "", seconds(snap.uptime_seconds));
    family_head(out, "httpserve_start_time_seconds", "When the master started, in seconds since the epoch", "gauge");
    sample(out, "httpserve_start_time_seconds", "", std::to_string(snap.started_unix));
    family_head(out, "httpserve_generation", "The configuration generation in service", "gauge");
    sample(out, "httpserve_generation", "", std::to_string(snap.generation));
    family_head(out, "httpserve_reloads_total", "Successful configuration reloads", "counter");
    sample(out, "httpserve_reloads_total", "", std::to_string(snap.reloads));
    family_head(out, "httpserve_workers", "Worker processes running", "gauge");
    sample(out, "httpserve_workers", "", std::to_string(snap.workers.size()));

    for (const bool per_worker : {false, true}) {
        const std::string prefix = per_worker ? "httpserve_worker_" : "httpserve_";
        const std::string_view scope = per_worker ? " (this worker)." : " (all workers, also those that exited).";
        for (const CounterMetric& m : counter_metrics) {
            const std::string name = prefix + std::string(m.name);
            if (!m.help.empty()) family_head(out, name, std::string(m.help) + std::string(scope), "counter");
            if (!per_worker) {
                sample(out, name, m.label, std::to_string(snap.totals[m.counter]));
                continue;
            }
            for (const status::WorkerView& w : snap.workers) {
                sample(out, name, join_labels(worker_labels(w), m.label), std::to_string(w.counters[m.counter]));
            }
        }
        for (const GaugeMetric& m : gauge_metrics) {
            const std::string name = prefix + std::string(m.name);
            family_head(out, name, std::string(m.help) + (per_worker ? " (this worker)." : " (all workers)."), "gauge");
            if (!per_worker) {
                sample(out, name, "", std::to_string(snap.gauge_totals[m.gauge]));
                continue;
            }
            for (const status::WorkerView& w : snap.workers) {
                sample(out, name, worker_labels(w), std::to_string(w.gauges[m.gauge]));
            }
        }
    }
    return out;
}

std::string render_status_json(const status::Snapshot& snap) {
    std::string out =
        "{\"generation\":" + std::to_string(snap.generation) + ",\"reloads\":" + std::to_string(snap.reloads) +
        ",\"uptime_seconds\":" + seconds(snap.uptime_seconds) + ",\"start_time\":" + std::to_string(snap.started_unix);
    out.append(",\"total\":{");
    json_counts(out, snap.totals, snap.gauge_totals);
    out.append("},\"workers\":[");
    for (size_t i = 0; i < snap.workers.size(); ++i) {
        const status::WorkerView& w = snap.workers[i];
        if (i > 0) out.append(",");
        out.append("{\"worker\":" + std::to_string(w.worker) + ",\"pid\":" + std::to_string(w.pid) +
                   ",\"generation\":" + std::to_string(w.generation) + ",");
        json_counts(out, w.counters, w.gauges);
        out.append("}");
    }
    out.append("]}\n");
    return out;
}

}  // namespace httpserve
