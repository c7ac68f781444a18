"""The interop lab: real OCPI server libraries from PyPI, each in a virtualenv of its own.

A library pins old FastAPI/pydantic, so it never goes into the harness's environment: the lab
creates (once, cached under ``.interop/`` in the checkout, gitignored) a virtualenv per pinned
library, serves the wrapper app in ``targets/`` with that virtualenv's python over TLS on a
free loopback port, and runs the harness's suites against it in a pytest subprocess.

TLS because the library writes ``https://`` into its Link and Location headers whatever its
protocol setting says: served over plain HTTP its own links would point nowhere, a lab
artefact rather than a finding. The harness trusts the lab's self-signed certificate through
``SSL_CERT_FILE`` (httpx reads it), nothing else changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".interop"
TARGETS = Path(__file__).resolve().parent / "targets"
LAB_CDR_COUNT = 30
LAB_SEED = 1
# pip's words when the index cannot be reached: the lab then skips instead of failing
_OFFLINE_MARKERS = (
    "No matching distribution found",
    "Could not find a version",
    "NewConnectionError",
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ProxyError",
    "ConnectTimeoutError",
    "Max retries exceeded",
)


class LabUnavailable(Exception):
    """The lab cannot be built on this machine (no package index, no openssl): skip, not fail."""


@dataclass(frozen=True)
class Library:
    """One library under test, pinned with everything it needs."""

    name: str
    version: str
    pins: tuple[str, ...]
    app: str  # file in targets/
    versions: tuple[str, ...]  # the OCPI versions it serves
    roles: tuple[str, ...]  # cpo (CDR sender), emsp (CDR receiver)

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"


EXTRAWEST = Library(
    name="extrawest-ocpi",
    version="2025.7.16",
    # The library pins fastapi, httpx and pydantic itself; the rest is what pip resolved on
    # 2026-12-01, frozen so a later release of a dependency cannot move the lab's verdicts.
    pins=(
        "extrawest-ocpi==2025.7.16",
        "fastapi==0.101.1",
        "pydantic==1.10.12",
        "httpx==0.24.1",
        "httpcore==0.17.3",
        "starlette==0.27.0",
        "uvicorn==0.23.2",
        "anyio==4.16.0",
        "sniffio==1.3.1",
        "h11==0.14.0",
        "click==8.5.1",
        "idna==3.20",
        "certifi==2026.10.19.post1",
        "typing_extensions==4.16.0",
    ),
    app="extrawest_ocpi_app.py",
    versions=("2.1.1", "2.2.1"),
    roles=("cpo", "emsp"),
)

PY_OCPI = Library(
    name="py-ocpi",
    version="0.3.1",
    # The upstream project extrawest-ocpi forked (2023-04). It pins fastapi 0.68 and httpx 0.23;
    # fastapi 0.68 allows pydantic 1.6.2-1.x, but below 1.10 ``import fastapi`` fails on Python
    # 3.11 (pydantic < 1.10 builds the signature of fastapi's OpenAPI ``Schema`` model with a
    # parameter named ``not``, which 3.11's inspect refuses; tried with 1.8.2 and 1.9.2), so
    # pydantic is the newest 1.x, 1.10.27 (the project's own lock had 1.10.2). uvicorn is not a
    # dependency of the library: a user adds it, as the lab does. Resolved by pip on
    # 2026-12-01 and frozen.
    pins=(
        "py-ocpi==0.3.1",
        "fastapi==0.68.2",
        "pydantic==1.10.27",
        "starlette==0.14.2",
        "httpx==0.23.3",
        "httpcore==0.16.3",
        "rfc3986==1.5.0",
        "uvicorn==0.54.0",
        "anyio==4.16.0",
        "sniffio==1.3.1",
        "h11==0.14.0",
        "click==8.5.1",
        "idna==3.20",
        "certifi==2026.10.19.post1",
        "typing_extensions==4.16.0",
    ),
    app="py_ocpi_app.py",
    # its get_application mounts routers for 2.2.1 only; asked for 2.1.1 it serves an empty
    # versions list, which the lab runs as it is (see NOTES)
    versions=("2.2.1",),
    roles=("cpo", "emsp"),
)

OCPI_TYPES = Library(
    name="ocpi-types",
    version="0.3.0",
    # evorada/ocpi-types, AGPL-3.0: dataclasses generated from JSON Schemas, a schema source for
    # tests/interop/test_schema_sources.py, no server (so no app and no roles). Its only
    # dependency is python-dateutil (2.1.1 DateTimes); resolved by pip on 2026-12-01, frozen.
    pins=("ocpi-types==0.3.0", "python-dateutil==4.0.0", "tzdata==2026.6"),
    app="",
    versions=("2.1.1", "2.2.1", "2.3.0"),
    roles=(),
)


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """One builder at a time (pytest-xdist workers, two runs in one checkout)."""
    CACHE.mkdir(exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def lab_python(library: Library) -> Path:
    """The python of the library's virtualenv, created and installed on first use. A
    ``ready`` file holding the pins marks a finished install: an interrupted one, or a change
    of pins, is redone from scratch."""
    home = CACHE / library.key
    python = home / "venv" / "bin" / "python"
    ready = home / "ready"
    wanted = "\n".join(library.pins)
    with _locked(library.key):
        if ready.exists() and ready.read_text() == wanted and python.exists():
            return python
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        _run([sys.executable, "-m", "venv", str(home / "venv")], "create the lab virtualenv")
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        done = subprocess.run(
            [*pip, *library.pins], capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout)[-2000:]
            if any(marker in tail for marker in _OFFLINE_MARKERS):
                raise LabUnavailable(f"cannot install {library.key} (no package index?): {tail}")
            raise RuntimeError(f"pip install of {library.key} failed:\n{tail}")
        ready.write_text(wanted)
    return python


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"could not {what}: {' '.join(command)}\n{done.stderr[-2000:]}")


def lab_certificate() -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert, key), made once with openssl."""
    folder = CACHE / "tls"
    cert, key = folder / "cert.pem", folder / "key.pem"
    with _locked("tls"):
        if cert.exists() and key.exists():
            return cert, key
        if shutil.which("openssl") is None:
            raise LabUnavailable("openssl is not installed: the lab serves TLS with it")
        folder.mkdir(parents=True, exist_ok=True)
        _run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", str(key), "-out", str(cert), "-days", "3650",
                "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            "make the lab certificate",
        )  # fmt: skip
    return cert, key


def lab_cdrs(version: str) -> Path:
    """The CDRs a CPO target is seeded with: the harness's own generator, fixed seed."""
    path = CACHE / "cdrs" / f"cdrs-{version}-seed{LAB_SEED}-n{LAB_CDR_COUNT}.jsonl"
    with _locked("cdrs"):
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "harness.cli.main", "generate", "--version", version,
            "--count", str(LAB_CDR_COUNT), "--seed", str(LAB_SEED),
        ]  # fmt: skip
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
        )
        path.write_text(done.stdout, encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Served:
    """A running lab target."""

    versions_url: str
    token: str
    cert: Path
    log: Path


@contextlib.contextmanager
def serve(library: Library, version: str, role: str, token: str, workdir: Path) -> Iterator[Served]:
    """Start the library's wrapper app for one OCPI version and role; stop it afterwards."""
    python = lab_python(library)
    cert, key = lab_certificate()
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LAB_VERSION": version,
        "LAB_ROLE": role,
        "LAB_TOKEN": token,
        "LAB_CDRS": str(lab_cdrs(version)) if role == "cpo" else "",
        "LAB_PORT": str(port),
        "LAB_CERT": str(cert),
        "LAB_KEY": str(key),
        # read by the library's settings at import: every URL it hands out is built from them
        "OCPI_HOST": f"127.0.0.1:{port}",
        "PROTOCOL": "https",
    }
    log = workdir / f"server-{library.key}-{version}-{role}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(python), str(TARGETS / library.app)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    try:
        _wait_for_tls(port, cert, process, log)
        yield Served(f"https://127.0.0.1:{port}/ocpi/versions", token, cert, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_tls(port: int, cert: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the port completes a TLS handshake (uvicorn listens before it serves)."""
    context = ssl.create_default_context(cafile=str(cert))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the lab server exited with {process.returncode}:\n"
                               f"{log.read_text()[-3000:]}")  # fmt: skip
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=1) as raw,
            context.wrap_socket(raw, server_hostname="127.0.0.1"),
        ):
            return
        time.sleep(0.1)
    raise RuntimeError(f"the lab server did not answer on port {port} in 30 s:\n"
                       f"{log.read_text()[-3000:]}")  # fmt: skip


def run_harness(served: Served, version: str, role: str, workdir: Path) -> dict[str, Any]:
    """The harness's suites against a served target, as a user runs them; the JSON summary."""
    summary = workdir / f"summary-{version}-{role}.json"
    command = [
        sys.executable, "-m", "pytest", "scenarios",
        "--target-url", served.versions_url, "--target-token", served.token,
        "--ocpi-version", version, "--target-role", role,
        "--ocpi-json", str(summary),
        "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
    ]  # fmt: skip
    env = {**os.environ, "SSL_CERT_FILE": str(served.cert)}
    for name in [n for n in env if n.startswith(("OCPI_", "PYTEST_"))]:
        del env[name]  # the outer run's settings are not the lab's
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600, check=False
    )
    (workdir / f"pytest-{version}-{role}.txt").write_text(done.stdout + done.stderr)
    if not summary.exists():
        raise RuntimeError(f"the harness wrote no summary (exit {done.returncode}):\n"
                           f"{(done.stdout + done.stderr)[-3000:]}")  # fmt: skip
    result: dict[str, Any] = json.loads(summary.read_text())
    return result
