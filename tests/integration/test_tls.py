"""HTTPS: the --tls-* options (Python 3.14's), [[listen]] tls_* keys and [tls], checked with curl,
`openssl s_client` and Python's ssl module: protocol versions, ALPN, plain HTTP on the TLS port, the
handshake timeout, bad certificates and keys (-t, start-up, reload), a new certificate on reload,
session resumption across workers, large files and ranges, the expiry warning.

Certificates are made at test time (tls_certs.py). Keys are 0600: only the master (root in CI) can
read them; the workers never need to.

Run: python3 tests/run_all.py --build plain=build --pattern 'test_tls.py'
"""
import hashlib
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
import unittest

import client
import procs
import servers
import tls_certs
import trees
from servers import run_cli
from trees import ROOT_A_TXT as A_TXT

NEEDS_TOOLS = unittest.skipUnless(tls_certs.openssl_available() and servers.binary_exists(),
                                  "needs the openssl command and a built httpserve")
BIG_SIZE = 5 << 20


def client_context(ca, version=None):
    ctx = ssl.create_default_context(cafile=ca)
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def serving_pid(master_pid, server_port, client_port):
    """The worker holding the server side of the connection from `client_port`, or None."""
    inodes = set()
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if int(local.rsplit(":", 1)[1], 16) == server_port and int(remote.rsplit(":", 1)[1], 16) == client_port:
                inodes.add(fields[9])
    for pid in procs.children(master_pid):
        if procs.holds_socket(pid, inodes):
            return pid
    return None


class Fetched:
    """One HTTPS request over a fresh connection: what came back and what the TLS session was."""

    def __init__(self, port, ctx, path="/a.txt", session=None, master=None):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
                self.worker = serving_pid(master, port, s.getsockname()[1]) if master else None
                self.version = s.version()
                self.alpn = s.selected_alpn_protocol()
                self.cert_der = s.getpeercert(binary_form=True)
                self.reused = s.session_reused
                s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.raw = data
                self.status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
                self.body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
                self.session = s.session  # TLS 1.3: the ticket came after the handshake


def der_of(cert_path):
    with open(cert_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")


def s_client(port, *args, timeout=10):
    """`openssl s_client` against the port, sending an empty stdin; its stdout and stderr together."""
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port] + list(args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return p.stdout.decode("utf-8", "replace")


def curl(*args, timeout=20):
    return subprocess.run(["curl", "-sS"] + list(args), capture_output=True, timeout=timeout)


class TlsCase(trees.RootAndTmpCase):
    tmp_prefix = "httpserve-tls-"

    def setUp(self):
        super().setUp()
        self.ca = tls_certs.TestCA(self.tmp)

    def leaf(self, name, **kw):
        cert, key = self.ca.leaf(name, **kw)
        os.chmod(key, 0o600)  # readable by the master only
        return cert, key

    def start_cli(self, *args):
        server = servers.start_httpserve(["-b", "127.0.0.1", "0", "-d", self.root] + list(args))
        self.addCleanup(server.stop)
        return server

    def config(self, listeners, workers=1, tls="", http="", sections=""):
        """A config file: `listeners` are (port, cert, key, extra lines) tuples, cert None = plain."""
        text = 'workers = %d\nuser = "nobody"\ngroup = "nogroup"\n' % workers
        for port, cert, key, extra in listeners:
            text += '[[listen]]\naddress = "127.0.0.1"\nport = %d\n' % port
            if cert:
                text += 'tls_cert = "%s"\ntls_key = "%s"\n' % (cert, key or "")
            text += extra + "\n"
        text += '[files]\nroot = "%s"\n[tls]\n%s\n[http]\n%s\n%s\n' % (self.root, tls, http, sections)
        return servers.write_config(self.tmp, text)

    def start_config(self, path):
        server = servers.Server([servers.BINARY, "-c", path])
        self.addCleanup(server.stop)
        return server

    def wait_log(self, server, text, timeout=10.0):
        found = procs.wait_until(lambda: text in server.stderr(), timeout)
        self.assertTrue(found, "%r not in the log:\n%s" % (text, server.stderr()[-3000:]))


# ==================================================================================================
@NEEDS_TOOLS
class CommandLineTest(TlsCase):

    def test_key_and_password_need_a_certificate(self):
        for args, message in ((["--tls-key", "k.pem"], "--tls-key requires --tls-cert to be set"),
                              (["--tls-password-file", "pw"], "--tls-password-file requires --tls-cert to be set"),
                              (["--tls-key", "k", "--tls-password-file", "pw"],
                               "--tls-key requires --tls-cert to be set")):
            rc, out, err, _ = run_cli(args)
            self.assertEqual(rc, 2, err)
            self.assertTrue(err.startswith("usage: httpserve "), err)
            self.assertTrue(err.endswith("httpserve: error: " + message + "\n"), err)

    def test_unreadable_password_file(self):
        cert, key = self.leaf("leaf")
        missing = os.path.join(self.tmp, "no-such-pw")
        rc, out, err, _ = run_cli(["--tls-cert", cert, "--tls-password-file", missing])
        self.assertEqual(rc, 2, err)
        self.assertIn("httpserve: error: Failed to read TLS password file: [Errno 2] No such file or directory: '%s'"
                      % missing, err)

    def test_help_lists_the_options(self):
        rc, out, err, _ = run_cli(["--help"])
        self.assertEqual(rc, 0)
        self.assertIn("  --tls-cert PATH       path to the TLS certificate chain file\n", out)
        self.assertIn("  --tls-key PATH        path to the TLS key file\n", out)
        self.assertIn("  --tls-password-file PATH\n                        path to the password file for the TLS key\n",
                      out)

    def test_serves_https(self):
        cert, key = self.leaf("leaf")
        server = self.start_cli("--tls-cert", cert, "--tls-key", key)
        self.assertEqual(server.first_line, "Serving HTTPS on 127.0.0.1 port %d (https://127.0.0.1:%d/) ..."
                         % (server.port, server.port))
        r = curl("--cacert", self.ca.cert, "https://127.0.0.1:%d/a.txt" % server.port)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, A_TXT)
        for version, name in ((ssl.TLSVersion.TLSv1_2, "TLSv1.2"), (ssl.TLSVersion.TLSv1_3, "TLSv1.3")):
            f = Fetched(server.port, client_context(self.ca.cert, version))
            self.assertEqual((f.status, f.body, f.version, f.alpn), (200, A_TXT, name, "http/1.1"))

    def test_s_client_versions_and_alpn(self):
        cert, key = self.leaf("leaf")
        server = self.start_cli("--tls-cert", cert, "--tls-key", key)
        for flag, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            out = s_client(server.port, flag, "-alpn", "http/1.1", "-CAfile", self.ca.cert)
            self.assertIn("New, %s, Cipher is" % name, out)
            self.assertIn("ALPN protocol: http/1.1", out)
            self.assertIn("Verify return code: 0 (ok)", out)
        for flag in ("-tls1", "-tls1_1"):
            out = s_client(server.port, flag, "-cipher", "DEFAULT@SECLEVEL=0")
            self.assertIn("alert protocol version", out, "%s was not refused by the server:\n%s" % (flag, out))

    def test_encrypted_key(self):
        cert, key = self.leaf("enc", password="s3cret pw")
        pw = os.path.join(self.tmp, "pw")
        with open(pw, "w") as f:
            f.write("s3cret pw\n")
        os.chmod(pw, 0o600)
        server = self.start_cli("--tls-cert", cert, "--tls-key", key, "--tls-password-file", pw)
        self.assertEqual(Fetched(server.port, client_context(self.ca.cert)).body, A_TXT)
        # Without the password: an error naming the key, not a prompt on the terminal.
        rc, out, err, _ = run_cli(["-b", "127.0.0.1", "0", "--tls-cert", cert, "--tls-key", key], timeout=10)
        self.assertEqual(rc, 1, err)
        self.assertIn("--tls-key: cannot load the private key %s" % key, err)
        self.assertNotIn("Serving", out)

    def test_plain_http_to_the_tls_port_gets_400(self):
        cert, key = self.leaf("leaf")
        server = self.start_cli("--tls-cert", cert, "--tls-key", key)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
            s.sendall(b"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            started = time.monotonic()
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        self.assertLess(time.monotonic() - started, 4.0)
        self.assertTrue(data.startswith(b"HTTP/1.1 400 The plain HTTP request was sent to HTTPS port\r\n"), data[:200])
        self.assertIn(b"Connection: close\r\n", data)
        # And the port still speaks TLS to the next client.
        self.assertEqual(Fetched(server.port, client_context(self.ca.cert)).body, A_TXT)

    def test_large_file_and_range(self):
        cert, key = self.leaf("leaf")
        data = os.urandom(BIG_SIZE)
        path = os.path.join(self.root, "big5.bin")
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        server = self.start_cli("--tls-cert", cert, "--tls-key", key)
        url = "https://127.0.0.1:%d/big5.bin" % server.port
        r = curl("--cacert", self.ca.cert, url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout), BIG_SIZE)
        self.assertEqual(hashlib.sha256(r.stdout).hexdigest(), hashlib.sha256(data).hexdigest())
        r = curl("--cacert", self.ca.cert, "-r", "1000-2100999", "-D", "-", url)
        self.assertEqual(r.returncode, 0, r.stderr)
        head, body = r.stdout.split(b"\r\n\r\n", 1)
        self.assertIn(b" 206 ", head.split(b"\r\n")[0])
        self.assertEqual(body, data[1000:2101000])


# ==================================================================================================
@NEEDS_TOOLS
class ConfigTest(TlsCase):

    def test_handshake_timeout_closes_silent_and_stalled_handshakes(self):
        cert, key = self.leaf("leaf")
        port = servers.free_port()
        server = self.start_config(self.config([(port, cert, key, "")], tls='handshake_timeout = "1s"',
                                               http='header_timeout = "30s"'))
        # A silent client waits in the kernel first (TCP_DEFER_ACCEPT, a few seconds), holding no slot.
        for first, limit in ((b"\x16\x03\x01\x00", 4.0), (b"", 15.0)):
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                if first:
                    s.sendall(first)
                started = time.monotonic()
                try:
                    got = s.recv(100)
                except ConnectionResetError:
                    got = b""
                self.assertEqual(got, b"")
                self.assertLess(time.monotonic() - started, limit, "closed only after header_timeout")
        self.assertEqual(Fetched(port, client_context(self.ca.cert)).body, A_TXT)

    def test_min_version_tls13(self):
        cert, key = self.leaf("leaf")
        port = servers.free_port()
        self.start_config(self.config([(port, cert, key, "")], tls='min_version = "TLSv1.3"'))
        self.assertEqual(Fetched(port, client_context(self.ca.cert, ssl.TLSVersion.TLSv1_3)).version, "TLSv1.3")
        with self.assertRaises(ssl.SSLError):
            Fetched(port, client_context(self.ca.cert, ssl.TLSVersion.TLSv1_2))

    def test_several_listeners_with_their_own_certificates(self):
        one, one_key = self.leaf("one")
        two, _ = self.leaf("two", combined=True)  # key in the certificate file: tls_key = ""
        ports = [servers.free_port() for _ in range(3)]
        while len(set(ports)) < 3:
            ports = [servers.free_port() for _ in range(3)]
        server = self.start_config(self.config([(ports[0], one, one_key, ""), (ports[1], two, "", ""),
                                                (ports[2], None, None, "")]))
        self.assertTrue(server.first_line.startswith("Serving HTTPS on 127.0.0.1 port %d " % ports[0]))
        ctx = client_context(self.ca.cert)
        self.assertEqual(Fetched(ports[0], ctx).cert_der, der_of(one))
        self.assertEqual(Fetched(ports[1], ctx).cert_der, der_of(two))
        r = curl("http://127.0.0.1:%d/a.txt" % ports[2])
        self.assertEqual(r.stdout, A_TXT)

    def test_bad_certificate_or_key_is_a_config_error(self):
        one, one_key = self.leaf("one")
        two, two_key = self.leaf("two")
        port = servers.free_port()
        missing = os.path.join(self.tmp, "missing.pem")
        garbage = os.path.join(self.tmp, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("not a certificate\n")
        cases = (
            ((one, two_key), "listen[0].tls_key: the private key %s does not match the certificate %s" % (two_key, one)),
            ((missing, one_key), "listen[0].tls_cert: cannot read %s: No such file or directory" % missing),
            ((garbage, one_key), "listen[0].tls_cert: cannot load the certificate %s" % garbage),
            ((one, missing), "listen[0].tls_key: cannot read %s: No such file or directory" % missing),
        )
        for (cert, key), message in cases:
            path = self.config([(port, cert, key, "")])
            rc, out, err, _ = run_cli(["-t", "-c", path])
            self.assertEqual(rc, 1, err)
            self.assertIn("httpserve: %s: %s" % (path, message), err)
            rc, out, err, _ = run_cli(["-c", path])  # start-up refuses it the same way
            self.assertEqual(rc, 1, err)
            self.assertIn(message, err)
            self.assertNotIn("Serving", out)

    def test_reload_with_a_new_certificate(self):
        cert, key = self.leaf("old")
        new_cert, new_key = self.leaf("new")
        port = servers.free_port()
        path = self.config([(port, cert, key, "")], workers=2)
        server = self.start_config(path)
        ctx = client_context(self.ca.cert)
        self.assertEqual(Fetched(port, ctx).cert_der, der_of(cert))
        # Requests keep going during the reload: none may fail.
        failures, seen, stop = [], [], threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    f = Fetched(port, ctx)
                    seen.append(f.cert_der)
                    if f.body != A_TXT:
                        failures.append(f.raw[:100])
                except (OSError, ssl.SSLError) as e:
                    failures.append(repr(e))
        thread = threading.Thread(target=hammer)
        thread.start()
        try:
            time.sleep(0.3)
            self.config([(port, new_cert, new_key, "")], workers=2)
            server.send_signal(signal.SIGHUP)
            self.wait_log(server, "generation 2 serving")
            time.sleep(0.5)
        finally:
            stop.set()
            thread.join()
        self.assertEqual(failures, [])
        self.assertIn(der_of(cert), seen)
        self.assertEqual(seen[-1], der_of(new_cert))
        self.assertEqual(Fetched(port, ctx).cert_der, der_of(new_cert))
        out = s_client(port, "-CAfile", self.ca.cert)
        self.assertIn("CN = new", out)

    def test_bad_reload_keeps_the_old_certificate(self):
        cert, key = self.leaf("old")
        other, other_key = self.leaf("other")
        port = servers.free_port()
        path = self.config([(port, cert, key, "")])
        server = self.start_config(path)
        ctx = client_context(self.ca.cert)
        self.config([(port, cert, other_key, "")])  # a key that does not match
        server.send_signal(signal.SIGHUP)
        self.wait_log(server, "reloading the configuration failed, nothing changed")
        self.assertIn("the private key %s does not match the certificate %s" % (other_key, cert), server.stderr())
        f = Fetched(port, ctx)
        self.assertEqual((f.body, f.cert_der), (A_TXT, der_of(cert)))

    def resumed_on_another_worker(self, server, port, ctx, session, first_worker):
        # The worker that made the session is stopped meanwhile, so that another one must accept
        # (which worker takes a connection from the shared socket is the kernel's choice).
        os.kill(first_worker, signal.SIGSTOP)
        try:
            f = Fetched(port, ctx, session=session, master=server.pid)
        finally:
            os.kill(first_worker, signal.SIGCONT)
        self.assertNotIn(f.worker, (None, first_worker))
        return f

    def test_session_resumption_across_workers_and_reloads(self):
        cert, key = self.leaf("leaf")
        port = servers.free_port()
        path = self.config([(port, cert, key, "")], workers=2)
        server = self.start_config(path)
        procs.wait_until(lambda: len(procs.workers(server.pid, port)) == 2, 5.0)
        for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
            ctx = client_context(self.ca.cert, version)
            first = Fetched(port, ctx, master=server.pid)
            self.assertFalse(first.reused)
            other = self.resumed_on_another_worker(server, port, ctx, first.session, first.worker)
            self.assertTrue(other.reused, "%s session from worker %s not resumed on worker %s"
                            % (version, first.worker, other.worker))
        # After a reload (a new ticket key), a ticket from before still resumes.
        ctx = client_context(self.ca.cert, ssl.TLSVersion.TLSv1_3)
        before = Fetched(port, ctx)
        old_workers = set(procs.workers(server.pid, port))
        server.send_signal(signal.SIGHUP)
        self.wait_log(server, "generation 2 serving")
        procs.wait_until(lambda: not (set(procs.workers(server.pid, port)) & old_workers), 5.0)
        after = Fetched(port, ctx, session=before.session, master=server.pid)
        self.assertNotIn(after.worker, old_workers)
        self.assertTrue(after.reused)
        # s_client too: -sess_out then -sess_in.
        sess = os.path.join(self.tmp, "sess.pem")
        out = s_client(port, "-CAfile", self.ca.cert, "-sess_out", sess, "-tls1_2")
        self.assertIn("New, TLSv1.2", out)
        reused = [s_client(port, "-CAfile", self.ca.cert, "-sess_in", sess, "-tls1_2") for _ in range(4)]
        self.assertTrue(all("Reused, TLSv1.2" in o for o in reused), reused[-1])

    def test_debug_log_names_how_files_are_sent(self):
        cert, key = self.leaf("leaf")
        port = servers.free_port()
        server = self.start_config(self.config([(port, cert, key, "")], sections='[log]\nlevel = "debug"'))
        f = Fetched(port, client_context(self.ca.cert), path="/big.bin")
        self.assertEqual(f.body, trees.ROOT_BIG)
        found = procs.wait_until(lambda: re.search(r"tls: files go out with (SSL_sendfile \(kernel TLS\)|read and "
                                                   r"SSL_write)", server.stderr()), 5.0)
        self.assertTrue(found, server.stderr()[-2000:])

    def test_cgi_scripts_get_https_on_over_tls_only(self):
        cgi = os.path.join(self.root, "cgi-bin")
        os.mkdir(cgi)
        os.chmod(cgi, 0o755)
        script = os.path.join(cgi, "env.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\nHTTPS=[%s]\\n' \"$HTTPS\"\n")
        os.chmod(script, 0o755)
        cert, key = self.leaf("leaf")
        tls_port, plain_port = servers.free_port(), servers.free_port()
        path = self.config([(tls_port, cert, key, ""), (plain_port, None, None, "")],
                           sections="[cgi]\nenabled = true\n")
        self.start_config(path)
        over_tls = Fetched(tls_port, client_context(self.ca.cert), path="/cgi-bin/env.sh")
        self.assertEqual(over_tls.status, 200, over_tls.raw)
        self.assertIn(b"HTTPS=[on]\n", over_tls.body)  # chunked: the script gave no length
        plain = client.request(plain_port, "GET", "/cgi-bin/env.sh")
        self.assertEqual((plain.status, plain.body), (200, b"HTTPS=[]\n"))

    def test_session_tickets_off(self):
        cert, key = self.leaf("leaf")
        port = servers.free_port()
        self.start_config(self.config([(port, cert, key, "")], tls="session_tickets = false"))
        ctx = client_context(self.ca.cert, ssl.TLSVersion.TLSv1_3)
        first = Fetched(port, ctx)
        if first.session is not None:
            self.assertFalse(Fetched(port, ctx, session=first.session).reused)

    def test_expiry_warning(self):
        soon, soon_key = self.leaf("soon", days=10)
        later, later_key = self.leaf("later", days=90)
        port = servers.free_port()
        path = self.config([(port, soon, soon_key, "")])
        rc, out, err, _ = run_cli(["-t", "-c", path])
        self.assertEqual(rc, 0, err)
        self.assertRegex(err, r"httpserve: warning: the certificate %s expires on \d{4}-\d\d-\d\d .* \(in 9 days\)"
                         % re.escape(soon))
        # In the log and in systemd's STATUS=.
        notify_path = os.path.join(self.tmp, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        self.addCleanup(notify.close)
        notify.settimeout(10)
        server = servers.Server([servers.BINARY, "-c", path], env=dict(os.environ, NOTIFY_SOCKET=notify_path))
        self.addCleanup(server.stop)
        self.wait_log(server, "[warning]")
        self.assertIn("the certificate %s expires on" % soon, server.stderr())
        status = ""
        while "READY=1" not in status:
            status = notify.recv(4096).decode()
        self.assertRegex(status, r"STATUS=generation 1, .*; the certificate %s expires on " % re.escape(soon))
        path = self.config([(port, later, later_key, "")])
        rc, out, err, _ = run_cli(["-t", "-c", path])
        self.assertEqual(rc, 0, err)
        self.assertNotIn("expires", err)


if __name__ == "__main__":
    unittest.main()
