"""Test certificates made with the `openssl` command at test time: a test CA and ECDSA P-256 leaf
certificates for 127.0.0.1, ::1 and localhost (subjectAltName), signed by it. Standard library only."""
import os
import shutil
import subprocess


def openssl_available():
    return shutil.which("openssl") is not None


def _run(args, cwd):
    subprocess.run(["openssl"] + args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TestCA:
    """A CA in `directory`: ca.pem is what clients trust (curl --cacert, s_client -CAfile)."""

    def __init__(self, directory, name="httpserve test CA"):
        self.directory = directory
        self.cert = os.path.join(directory, "ca.pem")
        self.key = os.path.join(directory, "ca.key")
        _run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", self.key, "-out", self.cert, "-days", "365", "-subj", "/CN=" + name], directory)
        self._serial = 0

    def leaf(self, name, days=90, password=None, combined=False):
        """A leaf certificate: (cert_path, key_path). `password`: the key is encrypted with it.
        `combined`: the key is appended to the certificate file (key_path is then the same file)."""
        self._serial += 1
        cert = os.path.join(self.directory, name + ".pem")
        key = os.path.join(self.directory, name + ".key")
        csr = os.path.join(self.directory, name + ".csr")
        ext = os.path.join(self.directory, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName = IP:127.0.0.1, IP:::1, DNS:localhost\n"
                    "extendedKeyUsage = serverAuth\nbasicConstraints = CA:FALSE\n")
        _run(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-keyout", key, "-out", csr, "-subj", "/CN=" + name], self.directory)
        _run(["x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-set_serial",
              str(1000 + self._serial), "-days", str(days), "-extfile", ext, "-out", cert], self.directory)
        if password is not None:
            plain = key + ".plain"
            os.rename(key, plain)
            _run(["pkey", "-in", plain, "-out", key, "-aes256", "-passout", "pass:" + password], self.directory)
            os.unlink(plain)
        if combined:
            with open(key) as k, open(cert, "a") as c:
                c.write(k.read())
            os.unlink(key)
            key = cert
        return cert, key


def fingerprint(cert_path):
    """The SHA-256 fingerprint line `openssl x509 -fingerprint` prints, to tell certificates apart."""
    out = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-fingerprint", "-sha256"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip().split("=", 1)[1]
