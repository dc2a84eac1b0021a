"""Two httpserve instances behind a real HAProxy (the shipped packaging/examples/haproxy.cfg): round
robin, health checks, the PROXY protocol v2. Under a bounded load (8 keep-alive clients for 20 s,
each from a loopback address of its own), one instance is reloaded with SIGHUP 10 times and the other
is stopped gracefully (SIGQUIT) and started again: no client request fails, both instances answer,
and their access logs name the clients' own addresses, never HAProxy's.

Skipped when HAProxy is not installed (tools/test.sh installs it).
Run: python3 tests/run_all.py --build plain=build --pattern test_load_balanced.py
"""
import http.client
import os
import re
import shutil
import signal
import socket
import threading
import time
import unittest

import procs
import servers
import trees

HAPROXY = shutil.which("haproxy")
EXAMPLE = os.path.join(servers.REPO, "packaging", "examples", "haproxy.cfg")
CLIENTS = ["127.0.0.%d" % (21 + i) for i in range(8)]
BACKENDS = ["127.0.0.11", "127.0.0.12"]
DURATION = 20.0


def backend_config(address, port, root, log):
    return ('workers = 2\nuser = "nobody"\ngroup = "nogroup"\nshutdown_timeout = "5s"\n'
            '[[listen]]\naddress = "%s"\nport = %d\nproxy_protocol = true\nproxy_trusted = ["127.0.0.1/32"]\n'
            '[files]\nroot = "%s"\n[log]\naccess = "%s"\naccess_format = "common"\n') % (address, port, root, log)


def accepting(host, port):
    try:
        socket.create_connection((host, port), timeout=1.0).close()
        return True
    except OSError:
        return False


@unittest.skipUnless(HAPROXY, "haproxy is not installed (Debian package haproxy)")
class LoadBalancedTest(trees.RootAndTmpCase):
    def start_backend(self, i):
        server = servers.Server([servers.BINARY, "-c", self.configs[i]])
        self.addCleanup(server.stop)
        return server

    def test_reloads_and_a_restart_behind_haproxy_lose_no_request(self):
        port = servers.free_port(host=BACKENDS[0])
        self.logs, self.configs = [], []
        for i, address in enumerate(BACKENDS):
            log = os.path.join(self.tmp, "access-%d.log" % i)
            self.logs.append(log)
            self.configs.append(servers.write_config(self.tmp, backend_config(address, port, self.root, log),
                                                     name="backend-%d.toml" % i))
        backends = [self.start_backend(0), self.start_backend(1)]
        front = servers.free_port()
        env = dict(os.environ, FRONTEND="127.0.0.1:%d" % front,
                   BACKEND1="%s:%d" % (BACKENDS[0], port), BACKEND2="%s:%d" % (BACKENDS[1], port))
        haproxy = servers.Server([HAPROXY, "-db", "-f", EXAMPLE], env=env, expect_serving=False)
        self.addCleanup(haproxy.stop)
        self.assertTrue(procs.wait_until(lambda: accepting("127.0.0.1", front), 10.0), haproxy.stderr())
        time.sleep(1.5)  # both instances pass their health checks (rise 2, every 500 ms)

        stop = threading.Event()
        results = {address: [0, []] for address in CLIENTS}  # requests answered 200, failures

        def load(address):
            conn = None
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", front, timeout=10,
                                                          source_address=(address, 0))
                    conn.request("GET", "/a.txt?c=%s&n=%d" % (address, n))
                    r = conn.getresponse()
                    body = r.read()
                    if r.status == 200 and body == trees.ROOT_A_TXT:
                        results[address][0] += 1
                    else:
                        results[address][1].append("status %d" % r.status)
                    if r.will_close:
                        conn.close()
                        conn = None
                except (OSError, http.client.HTTPException) as e:
                    results[address][1].append(repr(e))
                    conn = None
            if conn:
                conn.close()

        threads = [threading.Thread(target=load, args=(a,)) for a in CLIENTS]
        for t in threads:
            t.start()
        started = time.monotonic()
        try:
            # Instance 1: ten reloads, 1.5 s apart. Instance 2, half-way: a graceful stop, then a start.
            for k in range(10):
                time.sleep(1.5)
                backends[0].send_signal(signal.SIGHUP)
                if k == 4:
                    backends[1].send_signal(signal.SIGQUIT)
                    self.assertEqual(backends[1].proc.wait(15), 0, backends[1].stderr()[-2000:])
                    backends[1] = self.start_backend(1)
            time.sleep(max(0.0, DURATION - (time.monotonic() - started)))
        finally:
            stop.set()
            for t in threads:
                t.join(30)

        failures = [(a, f) for a, (_, fs) in results.items() for f in fs]
        answered = sum(ok for ok, _ in results.values())
        self.assertEqual(failures, [], "failed requests (of %d answered)" % answered)
        self.assertGreater(answered, 1000)
        self.assertTrue(all(ok > 0 for ok, _ in results.values()), results)
        self.assertIsNone(backends[0].proc.poll(), "instance 1 died: " + backends[0].stderr()[-2000:])

        # The access logs: the clients' addresses, never the balancer's; both instances served.
        time.sleep(1.5)  # the access log is flushed once per loop turn; idle workers flush too
        line = re.compile(r'^(\S+) - - \[[^]]+\] "GET /a\.txt\?c=([0-9.]+)&n=\d+ HTTP/1\.1" 200 ', re.M)
        for log in self.logs:
            with open(log) as f:
                entries = line.findall(f.read())
            self.assertGreater(len(entries), 100, log)
            self.assertEqual([e for e in entries if e[0] != e[1]], [], "an entry names another address")
            self.assertEqual({e[0] for e in entries}, set(CLIENTS), log)


if __name__ == "__main__":
    unittest.main()
