"""PROXY protocol (`proxy_protocol = true` on a [[listen]] entry): v1 and v2 headers from a trusted
balancer name the client in the access log and in CGI's REMOTE_ADDR; LOCAL is served as the
connection itself; malformed or late headers and untrusted sources are closed without an answer and
logged; a listener without it never guesses (a PROXY line there is a bad request).

All traffic is on 127.0.0.1; the addresses 203.0.113.7 and 2001:db8::7 exist only as bytes inside
the headers.
Run: python3 tests/run_all.py --build plain=build --pattern test_proxy_protocol.py
"""
import os
import re
import shutil
import signal
import socket
import struct
import time
import unittest

import cgi_scripts
import client
import procs
import servers

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def v2_header(command=0x21, family=0x11, payload=b""):
    return V2_SIGNATURE + bytes([command, family]) + struct.pack("!H", len(payload)) + payload


def v2_inet(src="203.0.113.7", sport=4321, dst="127.0.0.1", dport=80, tlvs=b""):
    payload = socket.inet_pton(socket.AF_INET, src) + socket.inet_pton(socket.AF_INET, dst)
    return v2_header(0x21, 0x11, payload + struct.pack("!HH", sport, dport) + tlvs)


def v2_inet6(src="2001:db8::7", sport=4321, dst="2001:db8::1", dport=443):
    payload = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
    return v2_header(0x21, 0x21, payload + struct.pack("!HH", sport, dport))


def get(path, close=True):
    return client.build_request("GET", path, close=close)


class ProxyProtocolTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tree = cgi_scripts.CgiTree()
        cls.proxied, cls.plain, cls.untrusted = servers.free_port(), servers.free_port(), servers.free_port()
        cls.dual = servers.free_dual_port()
        text = (
            'workers = 1\nuser = "nobody"\ngroup = "nogroup"\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\nproxy_protocol = true\nproxy_timeout = "1s"\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\nproxy_protocol = true\nproxy_trusted = ["10.0.0.0/8"]\n'
            '[[listen]]\naddress = "::"\nport = %d\nproxy_protocol = true\nproxy_trusted = ["127.0.0.0/8"]\n'
            '[files]\nroot = "%s"\n'
            '[cgi]\nenabled = true\n'
            '[log]\naccess_format = "common"\n'
        ) % (cls.proxied, cls.plain, cls.untrusted, cls.dual, cls.tree.root)
        path = servers.write_config(cls.tree.conf, text)
        os.chmod(path, 0o644)
        cls.server = servers.Server([servers.BINARY, "-c", path], cwd=cls.tree.conf)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tree.cleanup()

    def access_line(self, path_marker):
        """The access-log line of the request for `path_marker` (unique per test)."""
        pattern = re.compile(r'^(\S+) - - \[[^]]+\] "GET %s HTTP/1\.1" (\d+) ' % re.escape(path_marker), re.M)
        found = procs.wait_until(lambda: pattern.search(self.server.stderr()), 3.0)
        self.assertTrue(found, "no access line for %s:\n%s" % (path_marker, self.server.stderr()[-2000:]))
        return found.group(1), int(found.group(2))

    def log_fresh_second(self):
        """Refusals are logged at most once a second: start in a second with no line yet."""
        time.sleep(1.05 - (time.time() % 1.0))
        time.sleep(0.05)

    def answer_before_close(self, port, data, timeout=5.0):
        """What the server sends on a connection that begins with `data`, until it closes it."""
        with client.connect(port, timeout=timeout) as s:
            client.send_quietly(s, data)
            received, closed, _ = client.read_until_close(s, timeout=timeout)
        self.assertTrue(closed, "still open after %.0fs" % timeout)
        return received

    # ---- the claimed client is the client ----

    def test_v1_tcp4_names_the_client_in_the_access_log(self):
        r = client.exchange(self.proxied, b"PROXY TCP4 203.0.113.7 127.0.0.1 4321 80\r\n" + get("/a.txt?v1"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, cgi_scripts.A_TXT)
        self.assertEqual(self.access_line("/a.txt?v1"), ("203.0.113.7", 200))

    def test_v1_tcp6(self):
        r = client.exchange(self.proxied, b"PROXY TCP6 2001:db8::7 2001:db8::1 4321 443\r\n" + get("/a.txt?v1six"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?v1six"), ("2001:db8::7", 200))

    def test_v2_inet_with_tlvs(self):
        tlvs = b"\x03\x00\x04abcd" + b"\x05\x00\x03uid"  # CRC32C and UNIQUE_ID, skipped
        r = client.exchange(self.proxied, v2_inet(tlvs=tlvs) + get("/a.txt?v2"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?v2"), ("203.0.113.7", 200))

    def test_v2_inet6(self):
        r = client.exchange(self.proxied, v2_inet6() + get("/a.txt?v2six"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?v2six"), ("2001:db8::7", 200))

    def test_cgi_sees_the_claimed_client(self):
        r = client.exchange(self.proxied, v2_inet(src="198.51.100.9") + get("/cgi-bin/env.py"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cgi_scripts.parse_env(r.body).get("REMOTE_ADDR"), "198.51.100.9")
        r = client.exchange(self.proxied, b"PROXY TCP6 2001:db8::7 2001:db8::1 4321 443\r\n" + get("/cgi-bin/env.py"))
        self.assertEqual(cgi_scripts.parse_env(r.body).get("REMOTE_ADDR"), "2001:db8::7")

    def test_keep_alive_keeps_the_client_for_every_request(self):
        with client.Conn(self.proxied) as c:
            c.send(b"PROXY TCP4 203.0.113.8 127.0.0.1 4321 80\r\n")
            for i in range(3):
                c.send(get("/a.txt?keep%d" % i, close=False))
                self.assertEqual(c.read()[0], 200)
        for i in range(3):
            self.assertEqual(self.access_line("/a.txt?keep%d" % i), ("203.0.113.8", 200))

    def test_header_and_request_in_pieces(self):
        data = v2_inet(src="203.0.113.9") + get("/a.txt?pieces")
        r = client.exchange(self.proxied, [data[:5], data[5:20], data[20:40], data[40:]], pause=0.05)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?pieces"), ("203.0.113.9", 200))

    def test_header_alone_then_request(self):
        r = client.exchange(self.proxied, [b"PROXY TCP4 203.0.113.10 127.0.0.1 4321 80\r\n", get("/a.txt?later")],
                            pause=0.2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?later"), ("203.0.113.10", 200))

    # ---- the connection's own address ----

    def test_local_is_served_as_the_connection_itself(self):
        r = client.exchange(self.proxied, v2_header(0x20, 0x00) + get("/a.txt?local"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?local"), ("127.0.0.1", 200))

    def test_unknown_and_unspec_keep_the_connection_address(self):
        r = client.exchange(self.proxied, b"PROXY UNKNOWN\r\n" + get("/a.txt?unknown"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?unknown"), ("127.0.0.1", 200))
        r = client.exchange(self.proxied, v2_header(0x21, 0x00) + get("/a.txt?unspec"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?unspec"), ("127.0.0.1", 200))

    # ---- refused: closed without a byte of answer ----

    def test_malformed_headers_are_closed_without_answer(self):
        bad = [
            get("/a.txt?noheader"),  # no header on a listener that requires one: never guessed
            b"PROXY TCP4 203.0.113.7 127.0.0.1 99999 80\r\n" + get("/a.txt?badport"),
            b"PROXY TCP4 2001:db8::7 127.0.0.1 4321 80\r\n" + get("/a.txt?mismatch"),
            b"PROXY TCP4 203.0.113.7 127.0.0.1 4321 80\n" + get("/a.txt?lf"),
            v2_header(0x21, 0x21, b"\x00" * 12) + get("/a.txt?short"),
            V2_SIGNATURE[:-1] + b"X" + b"\x21\x11\x00\x0c" + b"\x00" * 12 + get("/a.txt?sig"),
            b"PROXY UNKNOWN " + b"x" * 120,
        ]
        self.log_fresh_second()
        for data in bad:
            with self.subTest(data=data[:50]):
                self.assertEqual(self.answer_before_close(self.proxied, data), b"")
        self.assertIn("PROXY protocol: closed the connection from 127.0.0.1", self.server.stderr())
        self.assertNotIn("?noheader", self.server.stderr())

    def test_header_timeout_closes(self):
        self.log_fresh_second()
        start = time.monotonic()
        self.assertEqual(self.answer_before_close(self.proxied, b"PROXY TCP4 203.0.113.7"), b"")
        elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 0.7)
        self.assertLess(elapsed, 3.0)
        found = procs.wait_until(lambda: "no complete PROXY header within proxy_timeout" in self.server.stderr(), 3.0)
        self.assertTrue(found, self.server.stderr()[-2000:])

    def test_untrusted_source_is_closed_at_once(self):
        self.log_fresh_second()
        start = time.monotonic()
        data = b"PROXY TCP4 203.0.113.7 127.0.0.1 4321 80\r\n" + get("/a.txt?untrusted")
        self.assertEqual(self.answer_before_close(self.untrusted, data), b"")
        self.assertLess(time.monotonic() - start, 1.0)
        found = procs.wait_until(lambda: "not in proxy_trusted" in self.server.stderr(), 3.0)
        self.assertTrue(found, self.server.stderr()[-2000:])
        self.assertNotIn("?untrusted", self.server.stderr())

    def test_refusals_are_logged_at_most_once_a_second(self):
        self.log_fresh_second()
        before = self.server.stderr().count("PROXY protocol: closed")
        for i in range(20):
            self.assertEqual(self.answer_before_close(self.proxied, b"NOT PROXY %d\r\n" % i), b"")
        # Within one second (20 local connections take far less): one line for the first refusal.
        self.assertLessEqual(self.server.stderr().count("PROXY protocol: closed") - before, 2)
        self.log_fresh_second()
        offset = len(self.server.stderr())
        self.assertEqual(self.answer_before_close(self.proxied, b"NOT PROXY\r\n"), b"")
        found = procs.wait_until(lambda: re.search(r"\((\d+) more closed since the last such line\)",
                                                   self.server.stderr()[offset:]), 3.0)
        self.assertTrue(found, self.server.stderr()[-2000:])
        self.assertGreaterEqual(int(found.group(1)), 18)

    def test_dual_stack_ipv4_peers_match_ipv4_networks(self):
        # On "::", 127.0.0.1 is the peer ::ffff:127.0.0.1: trusted by 127.0.0.0/8.
        r = client.exchange(self.dual, b"PROXY TCP4 203.0.113.11 127.0.0.1 4321 80\r\n" + get("/a.txt?dual"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?dual"), ("203.0.113.11", 200))

    @unittest.skipUnless(servers.ipv6_loopback_available(), "no IPv6 loopback")
    def test_dual_stack_ipv6_peer_outside_ipv4_networks_is_closed(self):
        with client.connect(self.dual, host="::1") as s:
            client.send_quietly(s, b"PROXY TCP4 203.0.113.12 127.0.0.1 4321 80\r\n" + get("/a.txt?dualsix"))
            received, closed, _ = client.read_until_close(s)
        self.assertTrue(closed)
        self.assertEqual(received, b"")
        self.assertNotIn("?dualsix", self.server.stderr())

    # ---- a listener without it ----

    def test_plain_listener_treats_a_proxy_line_as_a_bad_request(self):
        r = client.exchange(self.plain, b"PROXY TCP4 203.0.113.7 127.0.0.1 4321 80\r\n" + get("/a.txt?plain"))
        self.assertEqual(r.status, 400, r)

    def test_plain_listener_serves_normally(self):
        r = client.exchange(self.plain, get("/a.txt?plainok"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.access_line("/a.txt?plainok"), ("127.0.0.1", 200))


class ReloadTest(unittest.TestCase):
    """proxy_protocol changes by reload on a socket that stays open: the new workers follow the new
    entry."""

    def test_turned_on_and_off_by_reload(self):
        tree = cgi_scripts.CgiTree()
        self.addCleanup(tree.cleanup)
        port = servers.free_port()
        text = ('workers = 1\nuser = "nobody"\ngroup = "nogroup"\n[[listen]]\naddress = "127.0.0.1"\nport = %d\n%s'
                '[files]\nroot = "%s"\n')
        path = servers.write_config(tree.conf, text % (port, "", tree.root))
        os.chmod(path, 0o644)
        server = servers.Server([servers.BINARY, "-c", path], cwd=tree.conf)
        self.addCleanup(server.stop)
        line = b"PROXY TCP4 203.0.113.7 127.0.0.1 4321 80\r\n"
        self.assertEqual(client.exchange(port, line + get("/a.txt")).status, 400)
        for generation, setting, status in ((2, "proxy_protocol = true\n", 200), (3, "", 400)):
            servers.write_config(tree.conf, text % (port, setting, tree.root))
            server.send_signal(signal.SIGHUP)
            found = procs.wait_until(lambda: "generation %d serving with" % generation in server.stderr(), 10.0)
            self.assertTrue(found, server.stderr()[-2000:])
            # The old generation may take a last connection while it is told to stop.
            answered = procs.wait_until(lambda: client.exchange(port, line + get("/a.txt")).status == status, 5.0)
            self.assertTrue(answered, "generation %d: not %d" % (generation, status))
            for _ in range(3):
                self.assertEqual(client.exchange(port, line + get("/a.txt")).status, status, setting)


HAPROXY = shutil.which("haproxy")

HAPROXY_CONFIG = """
global
    maxconn 100
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend v1
    bind 127.0.0.1:{v1}
    default_backend v1
backend v1
    server web 127.0.0.1:{backend} send-proxy
frontend v2
    bind 127.0.0.1:{v2}
    default_backend v2
backend v2
    server web 127.0.0.1:{backend} send-proxy-v2
"""


@unittest.skipUnless(HAPROXY, "haproxy is not installed (Debian package haproxy)")
class BehindHaproxyTest(unittest.TestCase):
    """HAProxy's own send-proxy and send-proxy-v2 in front: the client, connecting from 127.0.0.2,
    is the one logged, not HAProxy's 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        cls.tree = cgi_scripts.CgiTree()
        cls.backend, cls.v1, cls.v2 = servers.free_port(), servers.free_port(), servers.free_port()
        text = (
            'workers = 1\nuser = "nobody"\ngroup = "nogroup"\n'
            '[[listen]]\naddress = "127.0.0.1"\nport = %d\nproxy_protocol = true\n'
            '[files]\nroot = "%s"\n[cgi]\nenabled = true\n[log]\naccess_format = "common"\n'
        ) % (cls.backend, cls.tree.root)
        path = servers.write_config(cls.tree.conf, text)
        os.chmod(path, 0o644)
        cls.server = servers.Server([servers.BINARY, "-c", path], cwd=cls.tree.conf)
        haproxy_config = servers.write_config(cls.tree.conf, HAPROXY_CONFIG.format(
            v1=cls.v1, v2=cls.v2, backend=cls.backend), name="haproxy.cfg")
        cls.haproxy = servers.Server([HAPROXY, "-db", "-f", haproxy_config], expect_serving=False)
        if not procs.wait_until(lambda: cls.accepting(cls.v1) and cls.accepting(cls.v2), 10.0):
            cls.haproxy.stop()
            cls.server.stop()
            raise RuntimeError("haproxy did not listen: %s" % cls.haproxy.stderr())

    @staticmethod
    def accepting(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
            return True
        except OSError:
            return False

    @classmethod
    def tearDownClass(cls):
        cls.haproxy.stop()
        cls.server.stop()
        cls.tree.cleanup()

    def exchange_from(self, source, port, data):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(5.0)
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(data)
            received, _, _ = client.read_until_close(s)
        return client.Response(received)

    def test_send_proxy_v1_and_v2(self):
        for name, port in (("v1", self.v1), ("v2", self.v2)):
            with self.subTest(name):
                r = self.exchange_from("127.0.0.2", port, get("/a.txt?haproxy-" + name))
                self.assertEqual(r.status, 200, r)
                pattern = re.compile(r'^(\S+) - - \[[^]]+\] "GET /a\.txt\?haproxy-%s HTTP/1\.1" 200 ' % name, re.M)
                found = procs.wait_until(lambda: pattern.search(self.server.stderr()), 3.0)
                self.assertTrue(found, self.server.stderr()[-2000:])
                self.assertEqual(found.group(1), "127.0.0.2")

    def test_cgi_remote_addr_behind_haproxy(self):
        r = self.exchange_from("127.0.0.3", self.v2, get("/cgi-bin/env.py"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cgi_scripts.parse_env(r.body).get("REMOTE_ADDR"), "127.0.0.3")


if __name__ == "__main__":
    unittest.main()
