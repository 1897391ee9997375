"""Real local peers for the scenarios: a tiny conda channel over HTTP(S), and broken servers."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SUBDIRS = ("noarch", "linux-64")


def make_channel(root: Path, conda_format: bool = True) -> Path:
    """Write a tiny real channel: repodata.json for noarch and linux-64.

    With conda_format=False, like a mirror that dropped the .conda format:
    the package is listed as .tar.bz2 only.
    """
    for subdir in SUBDIRS:
        (root / subdir).mkdir(parents=True, exist_ok=True)
        packages = {}
        conda_packages = {}
        # Real package files: netcheck fetches one of each format after the index.
        from .channel_faults import conda_package, record, tar_bz2_package

        stem = "netcheck-demo-1.0-" + ("pyh0_0" if subdir == "noarch" else "h0_0")
        files = {f"{stem}.tar.bz2": tar_bz2_package("netcheck-demo")}
        if conda_format:
            files[f"{stem}.conda"] = conda_package("netcheck-demo")
        for name, data in files.items():
            (root / subdir / name).write_bytes(data)
            group = conda_packages if name.endswith(".conda") else packages
            group[name] = record(name, data, subdir)
        repodata = {
            "info": {"subdir": subdir},
            "packages": packages,
            "packages.conda": conda_packages,
            "removed": [],
            "repodata_version": 1,
        }
        (root / subdir / "repodata.json").write_text(json.dumps(repodata))
    return root


class Behaviour:
    """How the channel server answers; tests change it between requests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.status: int | None = None  # force this status for every path
        self.body: bytes | None = None
        self.content_type = "application/json"
        self.headers: dict[str, str] = {}
        self.redirect_to: str | None = None  # base URL to redirect to
        self.date_offset = 0.0  # seconds added to the Date header
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.handler: Callable | None = None  # custom: handler(req) -> bool


class _Handler(BaseHTTPRequestHandler):
    server_version = "netcheck-test"
    behaviour: Behaviour

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(time.time() + self.behaviour.date_offset, usegmt=True)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        b = self.behaviour
        b.requests.append((self.path, dict(self.headers)))
        if b.handler and b.handler(self):
            return
        if b.redirect_to:
            self.send_response(302)
            self.send_header("Location", b.redirect_to.rstrip("/") + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if b.status is not None:
            return self._reply(b.status, b.body or b"", b.content_type)
        path = (b.root / self.path.split("?")[0].lstrip("/")).resolve()
        if b.root.resolve() in path.parents and path.is_file():
            body = b.body or path.read_bytes()
            wanted = self.headers.get("Range", "")
            if wanted.startswith("bytes=-") and wanted[7:].isdigit():
                return self._reply(206, body[-int(wanted[7:]) :], b.content_type)
            first, dash, last = wanted.removeprefix("bytes=").partition("-")
            if wanted.startswith("bytes=") and first.isdigit() and dash:
                # bytes=N- (how conda resumes a .partial file) and bytes=N-M
                end = int(last) + 1 if last.isdigit() else len(body)
                return self._reply(206, body[int(first) : end], b.content_type)
            return self._reply(200, body, b.content_type)
        self._reply(404, b"not found", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in self.behaviour.headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class ChannelServer:
    """A threaded HTTP(S) server on 127.0.0.1, an ephemeral port, serving a channel."""

    def __init__(
        self, root: Path, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.behaviour = Behaviour(root)
        handler = type("Handler", (_Handler,), {"behaviour": self.behaviour})
        server_class = ThreadingHTTPServer
        if ":" in host:  # an IPv6 address
            server_class = type(
                "Server6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6}
            )
        self.host = host
        self.httpd = server_class((host, 0), handler)
        self.httpd.daemon_threads = True
        self.tls = tls
        if tls is not None:
            # The handshake in each connection's own thread, on its first read:
            # in accept() it would hold every other client up while one
            # connected client sends nothing (a TCP probe, a stalled peer).
            self.httpd.socket = tls.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    def start(self) -> ChannelServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def channel_server(
    root: Path, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
) -> Iterator[ChannelServer]:
    """Start a channel server for the duration of a with-block."""
    server = ChannelServer(root, tls, host).start()
    try:
        yield server
    finally:
        server.stop()


def server_tls_context(cert) -> ssl.SSLContext:
    """A server-side context presenting a trustme LeafCert."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    return ctx


def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Accepting:
    """A listener on an ephemeral loopback port; each connection goes to `handle` on its own thread.

    The accept loop wakes every 0.2 s to see `stop`, so close() returns quickly.
    """

    def __init__(
        self, handle: Callable[[socket.socket], None], backlog: int = 16
    ) -> None:
        self.handle = handle
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(backlog)
        self.listener.settimeout(0.2)
        self.port: int = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()

    def close(self) -> None:
        """Stop accepting and release the port."""
        self.stop.set()
        self._thread.join(2)
        self.listener.close()


@contextmanager
def accepting(
    handle: Callable[[socket.socket], None], backlog: int = 16
) -> Iterator[Accepting]:
    """An Accepting listener for the duration of the block."""
    server = Accepting(handle, backlog)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def silent_server() -> Iterator[int]:
    """Accepts connections and never sends a byte (read timeout, TLS stall)."""
    held: list[socket.socket] = []
    try:
        with accepting(held.append) as server:
            yield server.port
    finally:
        for conn in held:
            conn.close()


@contextmanager
def full_backlog_server() -> Iterator[int]:
    """A listener whose accept queue is full, so new SYNs are dropped: a connect timeout.

    Linux keeps backlog+1 connections in the accept queue; once it is full the
    kernel drops further SYNs silently, as a firewall would.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers: list[socket.socket] = []
    try:
        for _ in range(8):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", port))
            fillers.append(sock)
        time.sleep(0.2)
        yield port
    finally:
        for sock in fillers:
            sock.close()
        listener.close()
