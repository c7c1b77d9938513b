"""The repository's nginx config (deploy/nginx) for real, on loopback ports: a self-signed certificate made
here, the templates rendered by deploy/nginx/render.py, and nginx run with its own prefix and config (never
the machine's /etc/nginx or port 80) in front of running replicas."""

from __future__ import annotations

import datetime
import getpass
import ipaddress
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import REPO_ROOT, free_port, in_ci

NGINX_DIR = REPO_ROOT / "deploy" / "nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def require_nginx() -> None:
    """Debian's nginx, installed by scripts/test. Missing: a failure in CI, a skip with the fix elsewhere."""
    if not Path(NGINX).exists():
        message = f"nginx not found at {NGINX}; install it with: apt-get install nginx"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


@dataclass(frozen=True)
class Certificate:
    certificate: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """A TLS client that trusts this certificate alone."""
        return ssl.create_default_context(cafile=str(self.certificate))


def make_certificate(folder: Path, name: str = "localhost") -> Certificate:
    """A self-signed certificate for `name` and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = Certificate(folder / "certificate.pem", folder / "key.pem")
    paths.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    paths.key.chmod(0o600)
    return paths


def render(template: str, destination: Path, *assignments: str) -> Path:
    """deploy/nginx/render.py on one template, written to `destination`."""
    result = subprocess.run(
        [sys.executable, str(NGINX_DIR / "render.py"), str(NGINX_DIR / template), *assignments],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    destination.write_text(result.stdout, encoding="utf-8")
    return destination


@dataclass
class RunningNginx:
    https_url: str
    http_url: str
    state_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def access_log(self) -> Path:
        return self.state_dir / "logs" / "carecycle-access.log"

    def access_lines(self) -> list[str]:
        return self.access_log.read_text(encoding="utf-8").splitlines()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown, workers included
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_nginx(
    state_dir: Path, replicas: list[str], certificate: Certificate, timeout_s: float = 30.0
) -> RunningNginx:
    """nginx on two free loopback ports (https and its http redirect) in front of `replicas` (host:port)."""
    require_nginx()
    for folder in ("logs", "cache", "temp"):
        (state_dir / folder).mkdir(parents=True, exist_ok=True)
    https_port, http_port = free_port(), free_port()
    headers = render("security-headers.conf", state_dir / "security-headers.conf")
    site = render(
        "carecycle.conf",
        state_dir / "carecycle.conf",
        "SERVER_NAME=localhost",
        "LISTEN_ADDRESS=127.0.0.1",
        f"HTTPS_PORT={https_port}",
        f"HTTP_PORT={http_port}",
        f"CERTIFICATE={certificate.certificate}",
        f"CERTIFICATE_KEY={certificate.key}",
        *(f"REPLICA={replica}" for replica in replicas),
        f"CACHE_DIR={state_dir / 'cache'}",
        f"LOG_DIR={state_dir / 'logs'}",
        f"HEADERS={headers}",
    )
    main = render(
        "standalone.conf",
        state_dir / "nginx.conf",
        f"WORKER_USER={getpass.getuser()}",
        f"STATE_DIR={state_dir}",
        f"SITE={site}",
    )
    check = subprocess.run(
        [NGINX, "-t", "-e", str(state_dir / "error.log"), "-p", str(state_dir), "-c", str(main)],
        capture_output=True,
        timeout=30,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr.decode(errors='replace')}")
    with (state_dir / "nginx.out").open("wb") as out:
        process = subprocess.Popen(
            [NGINX, "-e", str(state_dir / "error.log"), "-p", str(state_dir), "-c", str(main), "-g", "daemon off;"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = RunningNginx(f"https://localhost:{https_port}", f"http://localhost:{http_port}", state_dir, process)
    deadline = time.monotonic() + timeout_s
    with httpx.Client(verify=certificate.client_context(), timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}: {(state_dir / 'error.log').read_text()}")
            try:
                if client.get(f"{running.https_url}/_stcore/health").status_code == 200:
                    return running
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    running.stop()
    raise RuntimeError(f"nginx did not answer in {timeout_s}s: {(state_dir / 'error.log').read_text()}")
