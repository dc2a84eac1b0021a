"""testssl.sh (the Debian package) against an HTTPS listener of the real server, with its defaults for
[tls]: protocols, cipher categories, forward secrecy, server preferences and defaults, and every
vulnerability check. Any finding rated LOW or worse fails the test, except those about how the test
certificate was issued (no revocation URLs, a short serial number, no CAA record): a production
certificate from a public CA has those, and they say nothing about the server.

Runs on the plain build only (it judges the TLS set-up, which sanitizers do not change; about 30 s).
Run: python3 tests/run_all.py --build plain=build --pattern test_testssl.py
"""
import json
import os
import shutil
import subprocess
import unittest

import servers
import tls_certs
import trees

TESTSSL = shutil.which("testssl")

# Findings about the test CA's certificate, not about the server.
CERTIFICATE_PROVENANCE = {
    "cert_revocation": "the test CA publishes no CRL or OCSP responder",
    "cert_serialNumberLen": "the test CA numbers its certificates 1001, 1002, ...",
    "cert_crlDistributionPoints": "the test CA publishes no CRL",
    "cert_ocspURL": "the test CA runs no OCSP responder",
    "DNS_CAArecord": "127.0.0.1 has no DNS CAA record",
}
BAD = {"LOW", "MEDIUM", "HIGH", "CRITICAL", "WARN", "FATAL"}


@unittest.skipIf(os.environ.get("HTTPSERVE_SANITIZED"), "judged once, on the plain build")
@unittest.skipUnless(TESTSSL and tls_certs.openssl_available(), "testssl.sh or openssl is not installed")
class TestsslTest(trees.RootAndTmpCase):
    def test_no_weak_or_vulnerable_finding(self):
        ca = tls_certs.TestCA(self.tmp)
        cert, key = ca.leaf("server")
        port = servers.free_port()
        text = servers.config_text(port, self.root, workers=1).replace(
            "port = %d\n" % port, 'port = %d\ntls_cert = "%s"\ntls_key = "%s"\n' % (port, cert, key), 1)
        server = servers.Server([servers.BINARY, "-c", servers.write_config(self.tmp, text)])
        self.addCleanup(server.stop)
        # testssl.sh reports a check it could not finish ("check failed because of connect problem",
        # seen against nginx too on a loaded machine) as a WARN: such a scan is run once more.
        for attempt in range(2):
            report = os.path.join(self.tmp, "testssl-%d.json" % attempt)
            proc = subprocess.run(
                [TESTSSL, "--quiet", "--color", "0", "--warnings", "batch", "--add-ca", ca.cert, "--jsonfile",
                 report, "-p", "-s", "-f", "-P", "-S", "-U", "127.0.0.1:%d" % port],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
            output = proc.stdout.decode("utf-8", "replace")
            self.assertTrue(os.path.exists(report), output[-3000:])
            with open(report) as f:
                findings = json.load(f)
            if not any(f["severity"] == "WARN" and "connect problem" in f["finding"] for f in findings):
                break
        by_id = {f["id"]: f for f in findings}
        # It really talked TLS to the server: 1.3 and 1.2 offered, nothing older.
        self.assertIn("offered", by_id["TLS1_3"]["finding"], output[-3000:])
        self.assertIn("offered", by_id["TLS1_2"]["finding"])
        for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            self.assertIn("not offered", by_id[old]["finding"], old)
        bad = ["%s %s: %s" % (f["severity"], f["id"], f["finding"]) for f in findings
               if f["severity"] in BAD and f["id"] not in CERTIFICATE_PROVENANCE]
        self.assertEqual(bad, [], "testssl.sh findings:\n" + "\n".join(bad))
        self.assertEqual(server.proc.poll(), None, "the server died during the scan")


if __name__ == "__main__":
    unittest.main()
