"""The proxy layer: an HTTP CONNECT through the proxy, and what its answer means."""

from __future__ import annotations

import base64
import re
import socket
import time
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import unquote, urlsplit

from ..urls import default_port, format_address
from .content import html_title

#: Never read more of a proxy's answer than this (headers and the start of its page).
MAX_ANSWER = 16 * 1024


class ConnectFailure(str, Enum):
    """Why CONNECT opened no tunnel."""

    STALLED = "stalled"  # the proxy took the connection but did not answer in time
    CLOSED = "closed"  # the connection closed or failed before an answer
    ANSWERED = "answered"  # the proxy answered, but not with 200


@dataclass
class ProxyAnswer:
    """The proxy's answer to CONNECT; `sock` is the open tunnel when status is 200."""

    authority: str = ""  # host:port asked for
    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    sock: socket.socket | None = None
    failure: ConnectFailure | None = None
    error: str = ""  # the OS error's text when the connection closed
    timeout: float = 0.0
    sent_credentials: bool = False
    elapsed_ms: float | None = None

    @property
    def schemes(self) -> list[str]:
        """The authentication schemes the proxy offers."""
        return auth_schemes(self.headers)


def basic_credentials(proxy_url: str) -> tuple[str, str] | None:
    """User and password from the proxy URL, decoded as requests decodes them."""
    parts = urlsplit(proxy_url)
    if parts.username is None:
        return None
    return unquote(parts.username), unquote(parts.password or "")


def connect(
    sock: socket.socket, host: str, port: int, proxy_url: str, timeout: float
) -> ProxyAnswer:
    """Ask the proxy for a tunnel to host:port, with Basic credentials from its URL."""
    start = time.monotonic()
    authority = format_address(host, port)
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    credentials = basic_credentials(proxy_url)
    if credentials:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    answer = ProxyAnswer(authority, timeout=timeout)
    answer.sent_credentials = credentials is not None
    sock.settimeout(timeout)
    try:
        sock.sendall(request)
        raw = _read_head(sock, start + timeout)
    except OSError as exc:
        sock.close()
        stalled = isinstance(exc, (TimeoutError, socket.timeout))
        answer.failure = ConnectFailure.STALLED if stalled else ConnectFailure.CLOSED
        answer.error = "" if stalled else str(exc.strerror or exc)
        answer.elapsed_ms = (time.monotonic() - start) * 1000
        return answer
    answer.elapsed_ms = (time.monotonic() - start) * 1000
    _parse(raw, answer)
    if answer.status == 200:
        answer.sock = sock
        return answer
    sock.close()
    answer.failure = ConnectFailure.ANSWERED
    return answer


def _read_head(sock: socket.socket, deadline: float) -> bytes:
    # Read the status line and headers; a little of the body too, for its
    # <title>, but never past the headers' end plus what already arrived:
    # after a 200 the bytes belong to the tunnel.
    data = b""
    while b"\r\n\r\n" not in data and len(data) < MAX_ANSWER:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def _parse(raw: bytes, answer: ProxyAnswer) -> None:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    match = re.match(r"HTTP/\d(?:\.\d)?\s+(\d{3})\s*(.*)", lines[0] if lines else "")
    if not match:
        answer.status = None
        answer.reason = lines[0][:80] if lines else ""
        return
    answer.status = int(match.group(1))
    answer.reason = match.group(2).strip()
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            # Repeated headers (several Proxy-Authenticate schemes) are joined.
            key = key.strip()
            value = value.strip()
            previous = answer.headers.get(key)
            answer.headers[key] = f"{previous}, {value}" if previous else value
    answer.title = html_title(body)


def auth_schemes(headers: dict[str, str]) -> list[str]:
    """The schemes a proxy offers in Proxy-Authenticate (or WWW-Authenticate)."""
    offered = headers.get("Proxy-Authenticate") or headers.get("WWW-Authenticate") or ""
    schemes = re.findall(r"(?:^|,)\s*([A-Za-z][A-Za-z0-9_-]*)(?=\s|$|,)", offered)
    return [s for s in schemes if s.lower() not in ("realm",)]


def speaks_plain_http(proxy_url: str, timeout: float = 3.0) -> bool:
    """Whether the proxy answers a plain-HTTP request (so https:// in its URL is wrong)."""
    try:
        parts = urlsplit(proxy_url)
        port = parts.port or default_port(parts.scheme)
    except ValueError:  # no usable port: nothing to connect to
        return False
    if not parts.hostname:
        return False
    try:
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
    except OSError:
        return False
    try:
        sock.settimeout(timeout)
        # An origin-form request: a proxy answers it itself (an error page is
        # fine) without connecting anywhere.
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        return sock.recv(16).startswith(b"HTTP/")
    except OSError:
        return False
    finally:
        sock.close()
