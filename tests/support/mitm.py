"""A real TLS-intercepting proxy on loopback: mitmproxy, in a venv of its own.

mitmproxy pins many packages, so it never goes into the project's environment:
``ensure_mitmproxy()`` keeps it in a venv under
``~/.cache/conda-netcheck-tests/mitmproxy-venv`` (``NETCHECK_MITMPROXY_VENV``
overrides the path), created by ``install`` before the tests run, outside the tests' network
namespace (the tests never install or remove it)::

    python tests/support/mitm.py install

``mitm_proxy(tmp_path, upstream_ca)`` runs ``mitmdump`` as an explicit proxy on
127.0.0.1 on an ephemeral port. Every CONNECT is answered 200 and the client's
TLS is ended by mitmproxy with a certificate it makes on the fly, issued by
its own CA (``CN=mitmproxy, O=mitmproxy``; ``.ca_pem`` is that CA), as an
organisation's inspecting proxy does. Upstream TLS is verified against
``upstream_ca`` only. ``connection_strategy=lazy``: the client's handshake
completes before mitmproxy connects upstream.

Rules kept, as in ``proxies.py``: loopback only (an addon refuses CONNECT and
requests to any host but 127.0.0.1 with 403 and kills any upstream connection
elsewhere, on top of the tests' own network namespace), every wait bounded,
the daemon stopped when its ``with`` block ends (``atexit`` as a backstop).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .proxies import DaemonProxy

REQUIREMENT = "mitmproxy>=11.0,<11.1"
VENV_ENV = "NETCHECK_MITMPROXY_VENV"
INSTALL_TIMEOUT = 300.0
VERSION_TIMEOUT = 30.0
_COMPLETE = ".netcheck-complete"  # written last: a half-made venv is rebuilt

#: Why the last ensure_mitmproxy() returned None (for skip messages).
LAST_ERROR: str | None = None

_ADDON = '''\
"""netcheck tests: mitmproxy may only reach 127.0.0.1; writes its port and an access log."""

import os

from mitmproxy import ctx, http

ALLOWED = "127.0.0.1"
PORT_FILE = os.environ["NETCHECK_MITM_PORT_FILE"]
ACCESS_LOG = os.environ["NETCHECK_MITM_ACCESS_LOG"]


def _log(line):
    with open(ACCESS_LOG, "a") as fh:
        fh.write(line + "\\n")


def _refuse(flow, what):
    _log(f"refused {what}")
    flow.response = http.Response.make(
        403, b"netcheck test mitmproxy: 127.0.0.1 only\\n", {"Content-Type": "text/plain"}
    )


class LoopbackOnly:
    def running(self):
        port = ctx.master.addons.get("proxyserver").listen_addrs()[0][1]
        with open(PORT_FILE + ".tmp", "w") as fh:
            fh.write(f"{port}\\n")
        os.replace(PORT_FILE + ".tmp", PORT_FILE)

    def http_connect(self, flow):
        target = f"{flow.request.host}:{flow.request.port}"
        if flow.request.host != ALLOWED:
            return _refuse(flow, f"CONNECT {target}")
        _log(f"CONNECT {target}")

    def requestheaders(self, flow):
        if flow.request.host != ALLOWED:
            return _refuse(flow, f"{flow.request.method} {flow.request.pretty_url}")
        _log(f"{flow.request.method} {flow.request.pretty_url}")

    def response(self, flow):
        _log(f"{flow.response.status_code} {flow.request.pretty_url}")

    def error(self, flow):
        _log(f"error {flow.request.pretty_url}: {flow.error}")

    def server_connect(self, data):
        address = data.server.address
        if not address or address[0] != ALLOWED:
            data.server.error = f"netcheck test mitmproxy: refused upstream {address}"
            _log(f"refused upstream {address}")


addons = [LoopbackOnly()]
'''


def venv_dir() -> Path:
    """Where mitmproxy's venv lives."""
    override = os.environ.get(VENV_ENV)
    if override:
        return Path(override).expanduser()
    return Path.home() / ".cache" / "conda-netcheck-tests" / "mitmproxy-venv"


def _bin(venv: Path, name: str) -> Path:
    if sys.platform == "win32":
        return venv / "Scripts" / f"{name}.exe"
    return venv / "bin" / name


def mitmdump_version(exe: Path) -> str | None:
    """The first line of ``mitmdump --version`` (None if it does not run)."""
    try:
        out = subprocess.run(
            [str(exe), "--version"],
            capture_output=True,
            text=True,
            timeout=VERSION_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = out.stdout.strip().splitlines()
    return lines[0] if out.returncode == 0 and lines else None


def ensure_mitmproxy(
    install: bool = True, timeout: float = INSTALL_TIMEOUT
) -> Path | None:
    """The path of ``mitmdump``, installing it into its venv if missing.

    Returns None (and sets ``LAST_ERROR``) when it is missing and cannot be
    installed within ``timeout`` seconds; a failed install is not retried in
    the same process.
    """
    global LAST_ERROR
    venv = venv_dir()
    exe = _bin(venv, "mitmdump")
    if (venv / _COMPLETE).exists() and exe.exists():
        # Installed by `mitm.py install`: use it as it is. A slow first start
        # under load is no reason to rebuild it (the tests run offline).
        LAST_ERROR = None
        return exe
    if not install or venv in _FAILED:
        LAST_ERROR = _FAILED.get(venv) or f"mitmproxy is not installed in {venv}"
        return None
    error = _install(venv, exe, time.monotonic() + timeout, timeout)
    if error:
        shutil.rmtree(venv, ignore_errors=True)
        _FAILED[venv] = LAST_ERROR = error
        return None
    LAST_ERROR = None
    return exe


_FAILED: dict[Path, str] = {}


def _install(venv: Path, exe: Path, deadline: float, timeout: float) -> str | None:
    """Create the venv and pip-install mitmproxy into it; the error, if any."""
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    steps = [
        [sys.executable, "-m", "venv", str(venv)],
        [
            str(_bin(venv, "python")),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            REQUIREMENT,
        ],
    ]
    for argv in steps:
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=max(1.0, deadline - time.monotonic()),
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return f"installing {REQUIREMENT} took over {timeout:g} s"
        except OSError as exc:
            return f"cannot run {argv[0]}: {exc}"
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()
            errors = [line for line in output if line.startswith("ERROR")]
            last = (errors or output or ["no output"])[-1]
            return f"pip install {REQUIREMENT} failed: {last}"
    if not mitmdump_version(exe):
        return f"{exe} does not run after installing {REQUIREMENT}"
    (venv / _COMPLETE).write_text(REQUIREMENT + "\n")
    return None


@dataclass
class MitmProxy:
    """A running mitmdump: ``.url``, ``.port``, ``.ca_pem``, ``.log_text()``."""

    daemon: DaemonProxy
    confdir: Path

    @property
    def host(self) -> str:
        return self.daemon.host

    @property
    def port(self) -> int:
        return self.daemon.port

    @property
    def url(self) -> str:
        return self.daemon.url

    @property
    def ca_pem(self) -> str:
        """mitmproxy's CA certificate (PEM): what an organisation installs on its computers."""
        return str(self.confdir / "mitmproxy-ca-cert.pem")

    def proxies(self) -> dict[str, str]:
        return self.daemon.proxies()

    def log_text(self) -> str:
        """One line per CONNECT, request, response, error and refusal."""
        return self.daemon.log_text()

    def wait_for_log(self, *wanted: str, timeout: float = 5.0) -> str:
        """The access log once it holds every `wanted` string (or at `timeout`)."""
        return self.daemon.wait_for_log(*wanted, timeout=timeout)

    def stop(self) -> None:
        self.daemon.stop()


@contextlib.contextmanager
def mitm_proxy(tmp_path: Path, upstream_ca: str) -> Iterator[MitmProxy]:
    """Run mitmdump on 127.0.0.1:0 for a with-block; skip the test if it is unavailable."""
    import pytest

    from .proxies import _launch, _make_workdir, _running

    # The tests run in a network namespace without network: never install
    # (nor remove) the venv from here; `mitm.py install` does that beforehand.
    exe = ensure_mitmproxy(install=False)
    if exe is None:
        pytest.skip(
            f"mitmproxy unavailable: {LAST_ERROR} "
            "(pre-install it: python tests/support/mitm.py install)"
        )
    workdir = _make_workdir("mitmproxy", None)
    confdir = tmp_path / f"mitmproxy-conf-{workdir.name}"
    confdir.mkdir(parents=True)
    addon = workdir / "netcheck_mitm_addon.py"
    addon.write_text(_ADDON)
    env = dict(os.environ)
    env.update(
        NETCHECK_MITM_PORT_FILE=str(workdir / "port"),
        NETCHECK_MITM_ACCESS_LOG=str(workdir / "access.log"),
        PYTHONUNBUFFERED="1",
    )
    # Never through another proxy, never a CA of the developer's shell.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "SSL_CERT_FILE"):
        env.pop(name, None)
        env.pop(name.lower(), None)
    # mitmproxy has its own venv: conda's test fixtures point PYTHONPATH at the
    # tests' site-packages, whose cryptography does not fit its pyOpenSSL.
    env.pop("PYTHONPATH", None)
    argv = [
        str(exe),
        "--listen-host",
        "127.0.0.1",
        "--listen-port",
        "0",
        "--set",
        f"confdir={confdir}",
        "--set",
        f"ssl_verify_upstream_trusted_ca={upstream_ca}",
        "--set",
        "connection_strategy=lazy",
        "--set",
        "flow_detail=0",
        "-s",
        str(addon),
    ]
    handle = _launch(
        kind="mitmproxy",
        argv=argv,
        port=None,
        workdir=workdir,
        keep_dir=tmp_path / f"mitmproxy-{workdir.name}",
        access_log="access.log",
        other_logs=(),
        stop_grace=3.0,
        env=env,
        port_file=workdir / "port",
    )
    with _running(handle):
        proxy = MitmProxy(handle, confdir)
        if not Path(proxy.ca_pem).is_file():
            raise RuntimeError(f"mitmproxy is listening but wrote no {proxy.ca_pem}")
        yield proxy


def main(argv: list[str]) -> int:
    """``install``: create the venv (for CI, before the tests); ``where``: print it."""
    command = argv[0] if argv else "where"
    if command == "install":
        start = time.monotonic()
        exe = ensure_mitmproxy()
        if exe is None:
            print(f"mitmproxy not installed: {LAST_ERROR}", file=sys.stderr)
            return 1
        took = time.monotonic() - start
        print(f"{mitmdump_version(exe)} at {exe} ({took:.1f} s)")
        return 0
    if command == "where":
        exe = ensure_mitmproxy(install=False)
        print(exe or f"not installed: {LAST_ERROR}")
        return 0 if exe else 1
    print("usage: python tests/support/mitm.py [install|where]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
