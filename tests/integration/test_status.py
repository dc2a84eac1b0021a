"""The status endpoint ([status] path, allow): Prometheus text and JSON with counters per worker and in
total, gauges of the connections' states, CGI counters; totals that survive a killed worker and a
reload; 404 for a source outside `allow`; off by default (the path is an ordinary file path then).

All traffic is on 127.0.0.1.
Run: python3 tests/run_all.py --build plain=build --pattern test_status.py
"""
import json
import os
import signal
import socket
import unittest

import cgi_scripts
import client
import procs
import servers

PATH = "/.well-known/httpserve-status"


def status_section(path=PATH, allow=None):
    text = '[status]\npath = "%s"\n' % path
    if allow is not None:
        text += "allow = [%s]\n" % ", ".join('"%s"' % a for a in allow)
    return text


class StatusTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tree = cgi_scripts.CgiTree()

    @classmethod
    def tearDownClass(cls):
        cls.tree.cleanup()

    def start(self, sections=None, workers=2, readable=True, cgi=""):
        """`readable`: the status page answers this test's requests (then start-up waits for the workers
        to be on it too)."""
        if sections is None:
            sections = status_section()
        server = servers.start_config_server(self.tree.conf, self.tree.root, cwd=self.tree.conf, workers=workers,
                                             sections="[cgi]\nenabled = true\n" + cgi + sections)
        self.addCleanup(server.stop)
        self.port = server.port
        self.wait_workers(server, workers, board=readable)
        return server

    def wait_workers(self, server, count, exclude=(), board=True):
        pids = procs.wait_until(
            lambda: (lambda ws: ws if len(ws) == count and not set(ws) & set(exclude) else None)(
                procs.workers(server.pid, self.port)), 10)
        self.assertTrue(pids, "no %d workers" % count)
        if not board:
            return pids
        # Ready is when they are on the board, too.
        procs.wait_until(lambda: sorted(w["pid"] for w in self.json()["workers"]) == sorted(pids), 10)
        return pids

    def json(self, target=PATH + "?format=json"):
        r = client.request(self.port, "GET", target)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        return json.loads(r.body)

    def get(self, target):
        return client.request(self.port, "GET", target)

    def test_prometheus_text(self):
        server = self.start()
        r = self.get(PATH)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        text = r.body.decode()
        samples = {}
        for line in text.splitlines():
            if line.startswith("#"):
                self.assertRegex(line, r"^# (HELP|TYPE) httpserve_\w+ ")
                continue
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
        self.assertEqual(samples["httpserve_generation"], 1)
        self.assertEqual(samples["httpserve_workers"], 2)
        self.assertIn("httpserve_requests_total", samples)
        self.assertIn('httpserve_responses_total{class="2xx"}', samples)
        self.assertIn("# TYPE httpserve_connections_accepted_total counter", text)
        pids = sorted(procs.workers(server.pid, self.port))
        for number, pid in enumerate(pids):
            labelled = [k for k in samples if k.startswith("httpserve_worker_requests_total{")]
            self.assertTrue(any('pid="%d"' % pid in k for k in labelled), (pid, labelled))
        # HEAD: the same head, no body.
        h = client.request(self.port, "HEAD", PATH)
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")
        self.assertGreater(int(h.header("Content-Length")), 1000)

    def test_counters_move_with_requests(self):
        self.start()
        before = self.json()["total"]
        for _ in range(3):
            self.assertEqual(self.get("/a.txt").status, 200)
        for _ in range(2):
            self.assertEqual(self.get("/missing.txt").status, 404)
        after = self.json()["total"]
        # The first status request is counted too (a page never counts itself).
        self.assertEqual(after["requests"] - before["requests"], 6)
        self.assertEqual(after["responses"]["2xx"] - before["responses"]["2xx"], 4)
        self.assertEqual(after["responses"]["4xx"] - before["responses"]["4xx"], 2)
        self.assertEqual(after["responses"]["5xx"], 0)
        self.assertGreaterEqual(after["connections"]["accepted"] - before["connections"]["accepted"], 6)
        self.assertEqual(after["connections"]["accepted"], after["connections"]["handled"])
        self.assertGreater(after["bytes_out"] - before["bytes_out"], 3 * len(cgi_scripts.A_TXT) + 5 * 100)

    def test_json_names_the_workers(self):
        server = self.start()
        doc = self.json()
        self.assertEqual(doc["generation"], 1)
        self.assertEqual(doc["reloads"], 0)
        self.assertGreaterEqual(doc["uptime_seconds"], 0)
        self.assertEqual(sorted(w["pid"] for w in doc["workers"]), sorted(procs.workers(server.pid, self.port)))
        self.assertEqual(sorted(w["worker"] for w in doc["workers"]), [1, 2])
        self.assertTrue(all(w["generation"] == 1 for w in doc["workers"]))
        total = sum(w["requests"] for w in doc["workers"])
        self.assertEqual(doc["total"]["requests"], total)

    def test_connection_gauges(self):
        self.start(workers=1)
        with client.Conn(self.port) as idle, socket.create_connection(("127.0.0.1", self.port)) as partial:
            self.assertEqual(idle.request("GET", "/a.txt")[0], 200)  # kept alive: idle now
            partial.sendall(b"GET /a.txt HTTP/1.1\r\n")               # a head in progress: reading

            def gauges():
                c = self.json()["total"]["connections"]
                # The status request's own connection is reading too.
                return c if (c["active"], c["reading"], c["idle"], c["writing"]) == (3, 2, 1, 0) else None
            self.assertTrue(procs.wait_until(gauges, 5), self.json()["total"]["connections"])
        closed = procs.wait_until(lambda: self.json()["total"]["connections"]["active"] == 1, 5)
        self.assertTrue(closed, self.json()["total"]["connections"])

    def test_killed_worker_is_respawned_and_totals_stay(self):
        server = self.start()
        for _ in range(10):
            self.get("/a.txt")
        doc = self.json()
        busiest = max(doc["workers"], key=lambda w: w["requests"])
        self.assertGreater(busiest["requests"], 0)
        os.kill(busiest["pid"], signal.SIGKILL)
        self.wait_workers(server, 2, exclude=[busiest["pid"]])
        after = self.json()
        self.assertNotIn(busiest["pid"], [w["pid"] for w in after["workers"]])
        for key in ("requests", "bytes_out"):
            self.assertGreaterEqual(after["total"][key], doc["total"][key], key)
        self.assertGreaterEqual(after["total"]["responses"]["2xx"], doc["total"]["responses"]["2xx"])
        self.assertGreaterEqual(after["total"]["connections"]["accepted"], doc["total"]["connections"]["accepted"])
        # The killed worker's connections are no longer open anywhere.
        self.assertEqual(after["total"]["connections"]["active"], 1)

    def test_reload_counts_and_keeps_totals(self):
        server = self.start()
        for _ in range(5):
            self.get("/a.txt")
        before = self.json()
        old = [w["pid"] for w in before["workers"]]
        server.send_signal(signal.SIGHUP)
        self.assertTrue(procs.wait_until(lambda: self.json()["reloads"] == 1, 10), self.json())
        self.wait_workers(server, 2, exclude=old)
        after = self.json()
        self.assertEqual(after["generation"], 2)
        self.assertTrue(all(w["generation"] == 2 for w in after["workers"]), after["workers"])
        self.assertGreaterEqual(after["total"]["requests"], before["total"]["requests"] + 1)
        self.assertGreaterEqual(after["total"]["bytes_out"], before["total"]["bytes_out"])

    def test_source_outside_allow_gets_404(self):
        self.start(status_section(allow=["10.0.0.0/8"]), workers=1, readable=False)
        for target in (PATH, PATH + "?format=json"):
            r = self.get(target)
            self.assertEqual((r.status, r.reason), (404, "File not found"), r)
            self.assertNotIn(b"httpserve_", r.body)
        # Even a file at that path is not served: the path belongs to the status page.
        self.tree.write("status-here", b"a file\n", 0o644)
        self.addCleanup(os.unlink, os.path.join(self.tree.root, "status-here"))
        server = self.start(status_section(path="/status-here", allow=["10.0.0.0/8"]), workers=1, readable=False)
        self.assertEqual(self.get("/status-here").status, 404)
        server.stop()

    def test_off_by_default_the_path_is_a_file_path(self):
        self.start(sections="", workers=1, readable=False)
        self.assertEqual(self.get(PATH).status, 404)
        self.assertEqual(self.get(PATH + "?format=json").status, 404)
        os.makedirs(os.path.join(self.tree.root, ".well-known"), 0o755, exist_ok=True)
        self.tree.write(PATH.lstrip("/"), b"just a file\n", 0o644)
        self.addCleanup(os.unlink, os.path.join(self.tree.root, PATH.lstrip("/")))
        r = self.get(PATH)
        self.assertEqual((r.status, r.body), (200, b"just a file\n"))

    def test_proxy_protocol_source_is_checked_and_refusals_counted(self):
        proxied = servers.free_port()
        plain = servers.free_port()
        path = servers.write_config(self.tree.conf, (
            'workers = 1\nuser = "nobody"\ngroup = "nogroup"\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\nproxy_protocol = true\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\n'
            '[files]\nroot = "%s"\n%s' % (proxied, plain, self.tree.root, status_section())), name="proxy.toml")
        os.chmod(path, 0o644)
        server = servers.Server([servers.BINARY, "-c", path], cwd=self.tree.conf)
        self.addCleanup(server.stop)
        self.port = plain
        self.wait_workers(server, 1)

        def through_balancer(source):
            header = b"PROXY TCP4 %s 127.0.0.1 4321 80\r\n" % source.encode()
            return client.exchange(proxied, header + client.build_request("GET", PATH))
        self.assertEqual(through_balancer("127.0.0.9").status, 200)  # a loopback client, named by the header
        r = through_balancer("203.0.113.7")  # the balancer is on loopback, its client is not
        self.assertEqual((r.status, r.reason), (404, "File not found"), r)
        self.assertEqual(client.exchange(proxied, b"NOT A PROXY HEADER\r\n\r\n").raw, b"")
        refused = procs.wait_until(
            lambda: (lambda p: p if p["malformed"] == 1 else None)(self.json()["total"]["proxy_refused"]), 5)
        self.assertTrue(refused, self.json()["total"]["proxy_refused"])
        self.assertEqual(refused["untrusted"], 0)

    def test_cgi_counters(self):
        self.start(workers=1, cgi='timeout = "1s"\n')
        before = self.json()["total"]["cgi"]
        r = self.get("/cgi-bin/hello.sh")
        self.assertEqual(r.status, 200, r)
        r = self.get("/cgi-bin/no-interpreter.sh")
        self.assertEqual(r.status, 403, r)

        def settled():
            c = self.json()["total"]["cgi"]
            return c if c["running"] == 0 else None
        after = procs.wait_until(settled, 5)
        self.assertTrue(after)
        self.assertEqual(after["started"] - before["started"], 1)
        self.assertEqual(after["failed"] - before["failed"], 1)
        self.assertEqual(after["timed_out"], 0)
        # A script that sends its head, then stays silent: running, its connection writing, then timed out.
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(client.build_request("GET", "/cgi-bin/silent_after_head.sh?status"))

            def running():
                doc = self.json()["total"]
                return doc if doc["cgi"]["running"] == 1 else None
            doc = procs.wait_until(running, 5)
            self.assertTrue(doc, self.json())
            self.assertEqual(doc["connections"]["writing"], 1)
            self.assertEqual(doc["cgi"]["started"] - before["started"], 2)
            timed_out = procs.wait_until(lambda: (lambda c: c if c["timed_out"] == 1 else None)(
                self.json()["total"]["cgi"]), 10)
            self.assertTrue(timed_out, self.json())
        self.assertTrue(procs.wait_until(settled, 5), self.json())


if __name__ == "__main__":
    unittest.main()
