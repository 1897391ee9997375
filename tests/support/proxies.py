"""Real HTTP proxies on loopback, for tests of the proxy diagnosis.

Every helper here is a context manager (wrap it in a pytest fixture with
``with ... as proxy: yield proxy``).  What they yield has ``.host``, ``.port``,
``.url`` (``http://127.0.0.1:PORT``), ``.url_with(user, password)``,
``.stop()`` and ``.log_text()`` (the proxy's access log, to check that a
request really went through it).

Rules kept by all of them:

* everything listens on 127.0.0.1 on an ephemeral port, never a fixed one;
* each proxy only forwards to 127.0.0.1 (anything else is refused with 403);
* every wait is bounded; a daemon that does not come up within
  ``READY_TIMEOUT`` seconds is killed and the error shows its output and log;
* a daemon is stopped when its ``with`` block ends, even on error, and an
  ``atexit`` hook kills any that a crashed test left behind.

When a binary (or proxy.py) is missing, the context manager calls
``pytest.skip`` with the reason, so tests using it are skipped.

Contract observed with squid 5.7, tinyproxy 1.11.1 and proxy.py 2.4.10 (see
``tests/test_support_proxies.py``, which asserts it):

* right credentials: 200 from all three.
* no credentials: 407 from all three. ``Proxy-Authenticate`` is
  ``Basic realm="netcheck-squid"`` (squid, plus ``X-Squid-Error:
  ERR_CACHE_ACCESS_DENIED 0``), ``Basic realm="Tinyproxy"``, ``Basic``
  (proxy.py, no realm). Same for CONNECT.
* wrong credentials: 407 (squid, proxy.py, same headers as above), but
  **401 Unauthorized** with ``WWW-Authenticate: Basic realm="Tinyproxy"``
  from tinyproxy, for GET and CONNECT alike.
* CONNECT to a port other than 443: squid 403 with ``X-Squid-Error:
  ERR_ACCESS_DENIED 0`` unless the port is in ``connect_ports``; requests
  raises ``ProxyError(... 'Tunnel connection failed: 403 Forbidden')``.
  tinyproxy and proxy.py allow every port.
* GET to a refused 127.0.0.1 port: squid 503 with ``X-Squid-Error:
  ERR_CONNECT_FAIL 111``; tinyproxy ``500 Unable to connect``; proxy.py
  ``502 Bad Gateway``.
* target other than 127.0.0.1: 403 from all three (squid
  ``ERR_ACCESS_DENIED 0``, tinyproxy ``403 Filtered``).

Squid checks ``CONNECT !SSL_ports`` before authentication (stock order), so a
CONNECT to a non-443 port gets 403 even without credentials.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import grp
import hashlib
import http.server
import importlib.util
import os
import pwd
import secrets
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    import ssl
    from collections.abc import Iterator, Mapping, Sequence

LOOPBACK = "127.0.0.1"
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
START_ATTEMPTS = 3

NCSA_AUTH_CANDIDATES = (
    "/usr/lib/squid/basic_ncsa_auth",
    "/usr/lib64/squid/basic_ncsa_auth",
    "/usr/libexec/squid/basic_ncsa_auth",
)

_LIVE: set[ProxyHandle] = set()
_LIVE_LOCK = threading.Lock()


# --------------------------------------------------------------------------
# Shared object shape


class ProxyHandle:
    """What every helper yields: where the proxy is, and what it logged."""

    host = LOOPBACK
    kind = "proxy"

    def __init__(self, port: int) -> None:
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        """Proxy URL with credentials, percent-encoded (``@`` -> ``%40``)."""
        return f"http://{quote(user, safe='')}:{quote(password, safe='')}@{self.host}:{self.port}"

    def proxies(
        self, user: str | None = None, password: str | None = None
    ) -> dict[str, str]:
        """A ``proxies=`` mapping for requests, for both schemes."""
        url = self.url if user is None else self.url_with(user, password or "")
        return {"http": url, "https": url}

    def log_text(self) -> str:
        raise NotImplementedError

    def wait_for_log(self, *wanted: str, timeout: float = 5.0) -> str:
        """The access log once it holds every `wanted` string (or at `timeout`).

        Daemons write their access log after they answered the client, so a
        test that reads it right after a request must poll, bounded.
        """
        deadline = time.monotonic() + timeout
        log = self.log_text()
        while not all(w in log for w in wanted) and time.monotonic() < deadline:
            time.sleep(0.05)
            log = self.log_text()
        return log

    def stop(self) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.kind} {self.url}>"


def _register(handle: ProxyHandle) -> None:
    with _LIVE_LOCK:
        _LIVE.add(handle)


def _unregister(handle: ProxyHandle) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(handle)


@atexit.register
def _stop_leftovers() -> None:
    with _LIVE_LOCK:
        left = list(_LIVE)
    for handle in left:
        with contextlib.suppress(Exception):
            handle.stop()


# --------------------------------------------------------------------------
# Ports


def free_port() -> int:
    """A port that was free a moment ago (prefer letting the daemon bind 0)."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _reserved_port() -> Iterator[int]:
    """Hold an ephemeral port bound (not listening) with SO_REUSEADDR.

    Other ``bind(0)`` calls cannot get it meanwhile, but a daemon that sets
    SO_REUSEADDR itself (squid, tinyproxy) can still bind and listen on it.
    """
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, 0))
        yield s.getsockname()[1]
    finally:
        s.close()


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening: connecting gets ECONNREFUSED.

    The port stays bound (never listening) for the ``with`` block, so no other
    process can start listening on it in the meantime.
    """
    with _reserved_port() as port:
        yield port


def wait_for_port(
    port: int, timeout: float = READY_TIMEOUT, proc: subprocess.Popen | None = None
) -> bool:
    """True once 127.0.0.1:port accepts TCP; False on timeout or if proc died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return proc is None or proc.poll() is None
        except OSError:
            time.sleep(0.02)
    return False


# --------------------------------------------------------------------------
# Daemons


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return ""


def _unprivileged_ids(user: str, group: str | None = None) -> tuple[int, int] | None:
    """(uid, gid) to hand the work dir to when root, else None."""
    if os.geteuid() != 0:
        return None
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return None
    gid = pw.pw_gid
    if group is not None:
        with contextlib.suppress(KeyError):
            gid = grp.getgrnam(group).gr_gid
    return pw.pw_uid, gid


def _make_workdir(kind: str, owner: tuple[int, int] | None) -> Path:
    # Not under pytest's tmp_path: /tmp/pytest-of-root is 0700, and squid and
    # tinyproxy drop root for an unprivileged user that must read and write here.
    workdir = Path(tempfile.mkdtemp(prefix=f"netcheck-{kind}-"))
    workdir.chmod(0o755)
    if owner is not None:
        os.chown(workdir, *owner)
    return workdir


class DaemonProxy(ProxyHandle):
    """A proxy daemon run as a subprocess in its own process group."""

    def __init__(
        self,
        *,
        kind: str,
        port: int,
        proc: subprocess.Popen,
        workdir: Path,
        keep_dir: Path,
        access_log: str,
        other_logs: Sequence[str],
        stop_grace: float,
        started_in: float,
    ) -> None:
        super().__init__(port)
        self.kind = kind
        self.proc = proc
        self.workdir = workdir
        self.keep_dir = keep_dir
        self._access_log = access_log
        self._other_logs = tuple(other_logs)
        self._stop_grace = stop_grace
        self.started_in = started_in
        self.stopped_in: float | None = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.stopped_in is None and self.proc.poll() is None

    def _log_dir(self) -> Path:
        return self.workdir if self.stopped_in is None else self.keep_dir

    def log_text(self) -> str:
        """The access log (after stop(), the copy kept under tmp_path)."""
        try:
            return (self._log_dir() / self._access_log).read_text(errors="replace")
        except OSError:
            return ""

    def other_log_text(self) -> str:
        """Daemon output and error logs, for failure messages."""
        parts = []
        for name in self._other_logs:
            path = self._log_dir() / name
            if path.exists():
                parts.append(f"--- {name}\n{_tail(path)}")
        return "\n".join(parts)

    def stop(self) -> None:
        """SIGTERM the process group, SIGKILL it after the grace, keep logs."""
        with self._lock:
            if self.stopped_in is not None:
                return
            t0 = time.monotonic()
            _kill_group(self.proc, self._stop_grace)
            self.keep_dir.mkdir(parents=True, exist_ok=True)
            for name in (self._access_log, *self._other_logs):
                with contextlib.suppress(OSError):
                    shutil.copyfile(self.workdir / name, self.keep_dir / name)
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.stopped_in = time.monotonic() - t0
        _unregister(self)


def _kill_group(proc: subprocess.Popen, grace: float) -> None:
    pgid = proc.pid  # start_new_session=True: the daemon leads its own group
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    # Also reaps helpers (squid's auth helpers, proxy.py's acceptor).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=STOP_TIMEOUT)
    # Children are reaped by init; wait (bounded) until the group is gone.
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.01)


class _PortTaken(Exception):
    pass


def _launch(
    *,
    kind: str,
    argv: list[str],
    port: int | None,
    workdir: Path,
    keep_dir: Path,
    access_log: str,
    other_logs: Sequence[str],
    stop_grace: float,
    env: Mapping[str, str] | None = None,
    port_file: Path | None = None,
) -> DaemonProxy:
    """Start argv, wait (bounded) until it listens, or kill it and raise."""
    out_name = "daemon-output.txt"
    t0 = time.monotonic()
    with open(workdir / out_name, "wb") as out:
        proc = subprocess.Popen(
            argv,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    handle = DaemonProxy(
        kind=kind,
        port=port or 0,
        proc=proc,
        workdir=workdir,
        keep_dir=keep_dir,
        access_log=access_log,
        other_logs=(out_name, *other_logs),
        stop_grace=stop_grace,
        started_in=0.0,
    )
    _register(handle)
    try:
        if port_file is not None:
            handle.port = _read_port_file(port_file, proc, t0 + READY_TIMEOUT)
        remaining = max(0.1, t0 + READY_TIMEOUT - time.monotonic())
        if handle.port and wait_for_port(handle.port, remaining, proc):
            handle.started_in = time.monotonic() - t0
            return handle
        details = handle.other_log_text()
        state = (
            f"exited with {proc.returncode}"
            if proc.poll() is not None
            else f"not listening after {READY_TIMEOUT:.0f} s"
        )
        handle.stop()
        if "in use" in details:
            raise _PortTaken(details)
        raise RuntimeError(
            f"{kind} on 127.0.0.1:{handle.port} {state}: {' '.join(argv)}\n{details}"
        )
    except BaseException:
        handle.stop()
        raise


def _read_port_file(path: Path, proc: subprocess.Popen, deadline: float) -> int:
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(path.read_text().split()[0])
        time.sleep(0.02)
    return 0


def _start_with_retries(start) -> DaemonProxy:
    """Retry when the reserved port was taken between reserve and bind."""
    for attempt in range(START_ATTEMPTS):
        try:
            return start()
        except _PortTaken:
            if attempt == START_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def _running(handle: DaemonProxy) -> Iterator[DaemonProxy]:
    try:
        yield handle
    finally:
        handle.stop()


# --------------------------------------------------------------------------
# htpasswd for squid's basic_ncsa_auth

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def apr1_hash(password: str, salt: str | None = None) -> str:
    """Apache ``$apr1$`` MD5 hash, as ``htpasswd -m`` writes (no crypt module)."""
    if salt is None:
        salt = "".join(secrets.choice(_ITOA64) for _ in range(8))
    pw, sb, magic = password.encode(), salt[:8].encode(), b"$apr1$"
    alt = hashlib.md5(pw + sb + pw).digest()
    ctx = pw + magic + sb
    for i in range(len(pw), 0, -16):
        ctx += alt[: min(16, i)]
    i = len(pw)
    while i:
        ctx += b"\0" if i & 1 else pw[:1]
        i >>= 1
    final = hashlib.md5(ctx).digest()
    for i in range(1000):
        step = pw if i & 1 else final
        if i % 3:
            step += sb
        if i % 7:
            step += pw
        step += final if i & 1 else pw
        final = hashlib.md5(step).digest()

    def to64(value: int, n: int) -> str:
        out = ""
        for _ in range(n):
            out += _ITOA64[value & 0x3F]
            value >>= 6
        return out

    f = final
    encoded = "".join(
        to64((f[a] << 16) | (f[b] << 8) | f[c], 4)
        for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))
    )
    encoded += to64(f[11], 2)
    return f"$apr1${salt[:8]}${encoded}"


def write_htpasswd(path: Path, users: Mapping[str, str]) -> Path:
    for user in users:
        if not user or ":" in user or "\n" in user or " " in user:
            raise ValueError(f"user name not usable in an htpasswd file: {user!r}")
    path.write_text("".join(f"{u}:{apr1_hash(p)}\n" for u, p in users.items()))
    path.chmod(0o644)
    return path


def find_ncsa_auth() -> str | None:
    for candidate in NCSA_AUTH_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


# --------------------------------------------------------------------------
# squid


def find_squid() -> str | None:
    return shutil.which("squid") or next(
        (
            p
            for p in ("/usr/sbin/squid", "/usr/local/sbin/squid")
            if os.access(p, os.X_OK)
        ),
        None,
    )


def _squid_conf(
    workdir: Path,
    port: int,
    users: Mapping[str, str] | None,
    connect_ports: Sequence[int],
    ncsa: str | None,
    owner: tuple[int, int] | None,
    extra_lines: Sequence[str] = (),
) -> str:
    ssl_ports = " ".join(str(p) for p in (443, *connect_ports))
    lines = [
        f"http_port {LOOPBACK}:{port}",
        "visible_hostname netcheck-test-squid",
        f"pid_filename {workdir}/squid.pid",
        f"access_log stdio:{workdir}/access.log",
        f"cache_log {workdir}/cache.log",
        "cache_store_log none",
        f"coredump_dir {workdir}",
        "netdb_filename none",
        "cache deny all",
        "cache_mem 8 MB",
        "digest_generation off",
        "pinger_enable off",
        "icp_port 0",
        "htcp_port 0",
        "snmp_port 0",
        "client_db off",
        # Only IP literals (and /etc/hosts names) resolve; never a real resolver.
        "dns_nameservers 127.0.0.1",
        "shutdown_lifetime 0 seconds",
        "connect_timeout 5 seconds",
        "read_timeout 10 seconds",
        "request_timeout 10 seconds",
        f"acl SSL_ports port {ssl_ports}",
        "acl Safe_ports port 1-65535",
        "acl CONNECT method CONNECT",
        f"acl to_loopback dst {LOOPBACK}",
    ]
    if owner is not None:
        lines.append(f"cache_effective_user {pwd.getpwuid(owner[0]).pw_name}")
    if users:
        lines += [
            f"auth_param basic program {ncsa} {workdir}/passwd",
            "auth_param basic children 2 startup=1 idle=1",
            "auth_param basic realm netcheck-squid",
            "auth_param basic credentialsttl 5 seconds",
            "acl authenticated proxy_auth REQUIRED",
        ]
    lines += [
        "http_access deny !Safe_ports",
        "http_access deny CONNECT !SSL_ports",
        "http_access deny !to_loopback",
    ]
    if users:
        lines.append("http_access deny !authenticated")
    lines += ["http_access allow localhost", "http_access deny all", *extra_lines, ""]
    return "\n".join(lines)


@contextlib.contextmanager
def squid_proxy(
    tmp_path: Path,
    *,
    users: dict[str, str] | None = None,
    connect_ports: list[int] | None = None,
    extra_lines: Sequence[str] = (),
) -> Iterator[DaemonProxy]:
    """Real squid (``-N``, no cache) on 127.0.0.1, forwarding to 127.0.0.1 only.

    With ``users``: Basic auth through basic_ncsa_auth and an ``$apr1$``
    htpasswd file; no or wrong credentials get 407. Without ``connect_ports``
    the stock rule ``http_access deny CONNECT !SSL_ports`` (SSL_ports = 443)
    answers a CONNECT to any other port with 403 and ``X-Squid-Error:
    ERR_ACCESS_DENIED 0``; ``connect_ports`` adds ports to SSL_ports. Plain GET
    works to any 127.0.0.1 port; a refused upstream gets 503 with
    ``X-Squid-Error: ERR_CONNECT_FAIL 111``. Logs are kept in
    ``tmp_path/squid-PORT`` after stop. Squid's own graceful shutdown takes
    about 2 s (its event loop ticks once a second), so stop() waits 0.3 s
    after SIGTERM and then SIGKILLs the process group (logs are unbuffered).
    """
    squid = find_squid()
    if squid is None:
        pytest.skip("squid not installed (apt-get install squid)")
    ncsa = find_ncsa_auth()
    if users and ncsa is None:
        pytest.skip("squid's basic_ncsa_auth helper not found (apt-get install squid)")

    def start() -> DaemonProxy:
        owner = _unprivileged_ids("proxy")
        workdir = _make_workdir("squid", owner)
        with _reserved_port() as port:
            try:
                if users:
                    write_htpasswd(workdir / "passwd", users)
                conf = workdir / "squid.conf"
                conf.write_text(
                    _squid_conf(
                        workdir,
                        port,
                        users,
                        connect_ports or [],
                        ncsa,
                        owner,
                        extra_lines,
                    )
                )
                conf.chmod(0o644)
            except BaseException:
                shutil.rmtree(workdir, ignore_errors=True)
                raise
            return _launch(
                kind="squid",
                argv=[squid, "-N", "-f", str(conf)],
                port=port,
                workdir=workdir,
                keep_dir=tmp_path / f"squid-{port}",
                access_log="access.log",
                other_logs=("cache.log", "squid.conf"),
                stop_grace=0.3,
            )

    with _running(_start_with_retries(start)) as handle:
        yield handle


# --------------------------------------------------------------------------
# tinyproxy

_TINYPROXY_WORD = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"
)


@contextlib.contextmanager
def tinyproxy_proxy(
    tmp_path: Path, *, users: dict[str, str] | None = None, port: int | None = None
) -> Iterator[DaemonProxy]:
    """Real tinyproxy (``-d``, foreground) on 127.0.0.1, forwarding to 127.0.0.1 only.

    With ``users``: ``BasicAuth`` lines. No credentials get **407** with
    ``Proxy-Authenticate: Basic realm="Tinyproxy"``, but *wrong* credentials
    get **401 Unauthorized** with ``WWW-Authenticate`` (a tinyproxy quirk, both
    for GET and CONNECT). Its config parser only accepts user names and
    passwords made of ``[A-Za-z0-9._-]``: anything else (``@``, ``:``, ...)
    raises ValueError here. No ``ConnectPort`` line is written, which means
    CONNECT to every port is allowed. Other targets than 127.0.0.1 are refused
    with ``403 Filtered`` (a ``FilterDefaultDeny`` whitelist); a refused
    upstream gives 500. Logs are kept in ``tmp_path/tinyproxy-PORT``.
    ``port`` pins the port (80: a proxy URL without a port; needs root, as in
    the tests' private network namespace).
    """
    fixed_port = port
    binary = shutil.which("tinyproxy")
    if binary is None:
        pytest.skip("tinyproxy not installed (apt-get install tinyproxy)")
    for user, password in (users or {}).items():
        if not user or not password or not set(user + password) <= _TINYPROXY_WORD:
            raise ValueError(
                f"tinyproxy's BasicAuth only takes [A-Za-z0-9._-] (user {user!r})"
            )

    def start() -> DaemonProxy:
        owner = _unprivileged_ids("nobody", "nogroup")
        workdir = _make_workdir("tinyproxy", owner)
        reserved = (
            contextlib.nullcontext(fixed_port) if fixed_port else _reserved_port()
        )
        with reserved as port:
            lines = [
                f"Port {port}",
                f"Listen {LOOPBACK}",
                f"Allow {LOOPBACK}",
                "Timeout 10",
                "MaxClients 50",
                f'LogFile "{workdir}/tinyproxy.log"',
                "LogLevel Connect",
                f'PidFile "{workdir}/tinyproxy.pid"',
                f'Filter "{workdir}/filter"',
                "FilterType ere",
                "FilterDefaultDeny Yes",
            ]
            if owner is not None:
                lines[:0] = [f"User {owner[0]}", f"Group {owner[1]}"]
            lines += [f"BasicAuth {u} {p}" for u, p in (users or {}).items()]
            (workdir / "filter").write_text("^127\\.0\\.0\\.1$\n")
            (workdir / "tinyproxy.conf").write_text("\n".join(lines) + "\n")
            for name in ("filter", "tinyproxy.conf"):
                (workdir / name).chmod(0o644)
            return _launch(
                kind="tinyproxy",
                argv=[binary, "-d", "-c", str(workdir / "tinyproxy.conf")],
                port=port,
                workdir=workdir,
                keep_dir=tmp_path / f"tinyproxy-{port}",
                access_log="tinyproxy.log",
                other_logs=("tinyproxy.conf",),
                stop_grace=3.0,
            )

    with _running(_start_with_retries(start)) as handle:
        yield handle


# --------------------------------------------------------------------------
# proxy.py

_PROXYPY_PLUGIN = '''\
"""Written by tests/support/proxies.py: refuse any upstream but 127.0.0.1."""
from proxy.http.exception import HttpRequestRejected
from proxy.http.proxy import HttpProxyBasePlugin


class LoopbackOnlyPlugin(HttpProxyBasePlugin):
    def before_upstream_connection(self, request):
        if request.host != b"127.0.0.1":
            raise HttpRequestRejected(status_code=403, reason=b"Forbidden")
        return request
'''


def proxypy_available() -> bool:
    spec = importlib.util.find_spec("proxy")
    if spec is None or not spec.submodule_search_locations:
        return False
    return any(
        (Path(loc) / "http" / "proxy").is_dir()
        for loc in spec.submodule_search_locations
    )


@contextlib.contextmanager
def proxypy_proxy(
    tmp_path: Path, *, users: dict[str, str] | None = None
) -> Iterator[DaemonProxy]:
    """proxy.py (PyPI ``proxy.py``) as ``python -m proxy`` on 127.0.0.1, port 0.

    proxy.py takes a single ``--basic-auth user:password``, so ``users`` may
    hold one entry. No or wrong credentials both get 407 with
    ``Proxy-Authenticate: Basic`` (no realm). It compares the base64 of
    ``user:password`` byte for byte, so any password works (``@`` too). A
    plugin written to the work dir refuses other targets than 127.0.0.1 with
    403; a refused upstream gives 502. The access log is proxy.py's log file
    (lines ``... server.access_log ... - GET 127.0.0.1:PORT/ - 200 OK ...``).
    """
    if not proxypy_available():
        pytest.skip("proxy.py not installed (pip install proxy.py)")
    if users and len(users) > 1:
        raise ValueError("proxy.py supports a single --basic-auth user")

    workdir = _make_workdir("proxypy", None)
    (workdir / "netcheck_loopback_only.py").write_text(_PROXYPY_PLUGIN)
    argv = [
        sys.executable,
        "-m",
        "proxy",
        "--hostname",
        LOOPBACK,
        "--port",
        "0",
        "--port-file",
        str(workdir / "port"),
        "--pid-file",
        str(workdir / "proxy.pid"),
        "--data-dir",
        str(workdir / "data"),
        "--cache-dir",
        str(workdir / "cache"),
        "--threaded",
        "--num-acceptors",
        "1",
        "--num-workers",
        "1",
        "--timeout",
        "10",
        "--log-level",
        "INFO",
        "--log-file",
        str(workdir / "proxy.log"),
        "--plugins",
        "netcheck_loopback_only.LoopbackOnlyPlugin",
    ]
    for user, password in (users or {}).items():
        argv += ["--basic-auth", f"{user}:{password}"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(workdir), env.get("PYTHONPATH")])
    )
    handle = _launch(
        kind="proxy.py",
        argv=argv,
        port=None,
        workdir=workdir,
        keep_dir=tmp_path / f"proxypy-{workdir.name}",
        access_log="proxy.log",
        other_logs=(),
        stop_grace=3.0,
        env=env,
        port_file=workdir / "port",
    )
    with _running(handle):
        yield handle


# --------------------------------------------------------------------------
# A proxy that accepts and never answers


class StallingProxy(ProxyHandle):
    """Accepts connections, reads what is sent, never answers."""

    kind = "stalling"

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(64)
        self._listener.setblocking(False)
        super().__init__(self._listener.getsockname()[1])
        self._log: list[str] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, name=f"stalling-proxy-{self.port}", daemon=True
        )
        self._thread.start()
        _register(self)

    def _serve(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ)
        conns: list[socket.socket] = []
        try:
            while not self._stopping.is_set():
                for key, _ in sel.select(timeout=0.1):
                    sock = key.fileobj
                    if sock is self._listener:
                        with contextlib.suppress(BlockingIOError):
                            conn, peer = self._listener.accept()
                            conn.setblocking(False)
                            conns.append(conn)
                            sel.register(conn, selectors.EVENT_READ)
                            self._log.append(f"accepted {peer[0]}:{peer[1]}")
                        continue
                    assert isinstance(sock, socket.socket)
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if data:
                        first = data.split(b"\r\n", 1)[0].decode("latin-1")
                        self._log.append(f"received {len(data)} bytes: {first}")
                    else:
                        sel.unregister(sock)
                        sock.close()
        finally:
            sel.close()
            for conn in conns:
                conn.close()
            self._listener.close()

    def log_text(self) -> str:
        return "\n".join(self._log) + ("\n" if self._log else "")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=STOP_TIMEOUT)
        _unregister(self)


@contextlib.contextmanager
def stalling_proxy() -> Iterator[StallingProxy]:
    """A 'proxy' on 127.0.0.1:0 that accepts TCP and never sends a byte."""
    handle = StallingProxy()
    try:
        yield handle
    finally:
        handle.stop()


# --------------------------------------------------------------------------
# Loopback upstreams and raw proxy exchanges


class _UpstreamHandler(http.server.BaseHTTPRequestHandler):
    timeout = 10
    body = b"netcheck upstream ok\n"

    def do_GET(self) -> None:
        self.server.seen.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Upstream:
    """A loopback HTTP(S) origin server: ``.port``, ``.url``, ``.seen`` paths."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.server = http.server.ThreadingHTTPServer((LOOPBACK, 0), _UpstreamHandler)
        self.server.daemon_threads = True
        self.server.seen = []  # type: ignore[attr-defined]
        self.scheme = "http"
        if context is not None:
            # Handshake lazily in the handler thread, not in the accept loop.
            self.server.socket = context.wrap_socket(
                self.server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.scheme = "https"
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://{LOOPBACK}:{self.port}/"

    @property
    def seen(self) -> list[str]:
        return self.server.seen  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=STOP_TIMEOUT)


@contextlib.contextmanager
def http_upstream(context: ssl.SSLContext | None = None) -> Iterator[Upstream]:
    """A loopback origin answering 200 to any GET; HTTPS if given a context."""
    upstream = Upstream(context)
    try:
        yield upstream
    finally:
        upstream.stop()


class RawReply:
    """Status line and headers of a proxy's answer (body not read)."""

    def __init__(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        self.status_line = lines[0]
        self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        self.reason = parts[2] if len(parts) > 2 else ""
        self.headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((name.strip(), value.strip()))

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def __repr__(self) -> str:
        return f"<RawReply {self.status_line!r} {self.headers!r}>"


def raw_proxy_request(
    proxy: ProxyHandle,
    method: str,
    target: str,
    *,
    auth: tuple[str, str] | None = None,
    timeout: float = 5.0,
) -> RawReply:
    """Send one request line to the proxy and read the reply's head.

    For CONNECT (``target`` = ``host:port``) this shows the headers that
    requests hides behind ``ProxyError('Tunnel connection failed: ...')``.
    """
    host = target.split("/")[2] if "://" in target else target
    head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        head += f"Proxy-Authorization: Basic {token}\r\n"
    deadline = time.monotonic() + timeout
    data = b""
    with socket.create_connection((proxy.host, proxy.port), timeout=timeout) as sock:
        sock.sendall((head + "\r\n").encode("latin-1"))
        while b"\r\n\r\n" not in data and len(data) < 65536:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return RawReply(data.split(b"\r\n\r\n", 1)[0])
