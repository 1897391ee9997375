"""The proxy layer: an HTTP CONNECT through the proxy, and what its answer means."""

from __future__ import annotations

import base64
import re
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..model import Code, Layer, Problem
from .content import html_title

#: Never read more of a proxy's answer than this (headers and the start of its page).
MAX_ANSWER = 16 * 1024

HELPERS = "cntlm or px"


@dataclass
class ProxyAnswer:
    """The proxy's answer to CONNECT; `sock` is the open tunnel when status is 200."""

    status: int | None = None
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    sock: socket.socket | None = None
    problem: Problem | None = None
    elapsed_ms: float | None = None


def basic_credentials(proxy_url: str) -> tuple[str, str] | None:
    """User and password from the proxy URL, decoded as requests decodes them."""
    parts = urlsplit(proxy_url)
    if parts.username is None:
        return None
    return unquote(parts.username), unquote(parts.password or "")


def connect(
    sock: socket.socket,
    host: str,
    port: int,
    proxy_url: str,
    timeout: float,
    source: str | None = None,
) -> ProxyAnswer:
    """Ask the proxy for a tunnel to host:port, with Basic credentials from its URL."""
    start = time.monotonic()
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    credentials = basic_credentials(proxy_url)
    if credentials:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        lines.append(f"Proxy-Authorization: Basic {token}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    answer = ProxyAnswer()
    sock.settimeout(timeout)
    deadline = start + timeout
    try:
        sock.sendall(request)
        raw = _read_head(sock, deadline)
    except (TimeoutError, socket.timeout):
        sock.close()
        answer.problem = Problem(
            Code.READ_TIMEOUT,
            Layer.PROXY,
            f"the proxy accepted the connection but did not answer CONNECT "
            f"{authority} within {timeout:g} s",
        )
        answer.elapsed_ms = (time.monotonic() - start) * 1000
        return answer
    except OSError as exc:
        sock.close()
        answer.problem = Problem(
            Code.PROXY_REFUSED,
            Layer.PROXY,
            f"the proxy closed the connection on CONNECT {authority} "
            f"({exc.strerror or exc})",
        )
        answer.elapsed_ms = (time.monotonic() - start) * 1000
        return answer
    answer.elapsed_ms = (time.monotonic() - start) * 1000
    _parse(raw, answer)
    if answer.status == 200:
        answer.sock = sock
        return answer
    sock.close()
    answer.problem = answer_problem(
        answer.status,
        answer.reason,
        answer.headers,
        answer.title,
        credentials is not None,
        source,
        method=f"CONNECT {authority}",
    )
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


def answer_problem(
    status: int | None,
    reason: str,
    headers: dict[str, str],
    title: str | None,
    sent_credentials: bool,
    source: str | None = None,
    method: str | None = None,
) -> Problem:
    """What a proxy's non-200 answer means: auth, refusal, or an upstream failure."""
    line = f"{status} {reason}".strip() if status else reason or "no HTTP answer"
    squid = headers.get("X-Squid-Error")
    said = (
        "; the proxy says: " + ", ".join(x for x in (squid, title) if x)
        if (squid or title)
        else ""
    )
    details: dict[str, object] = {
        "status": status,
        "x_squid_error": squid,
        "title": title,
    }
    if method:
        details["method"] = method
    if status in (407, 401):
        schemes = auth_schemes(headers)
        details["auth_schemes"] = schemes
        where = f"the proxy URL in {source}" if source else "the proxy URL"
        sent = (
            f"credentials from {where} were sent and refused"
            if sent_credentials
            else f"no credentials were sent ({where} has none)"
        )
        offer = f"; it offers {', '.join(schemes)}" if schemes else ""
        summary = f"the proxy wants authentication ({line}): {sent}{offer}"
        fix = None
        if schemes and not any(s.lower() == "basic" for s in schemes):
            fix = (
                f"this proxy only accepts {', '.join(schemes)}, and conda speaks only "
                f"Basic: run a local helper such as {HELPERS} and point proxy_servers "
                "at it (e.g. http://127.0.0.1:3128)"
            )
        return Problem(Code.PROXY_AUTH_FAILED, Layer.PROXY, summary, fix, details)
    if status is not None and status >= 500:
        return Problem(
            Code.PROXY_REFUSED,
            Layer.PROXY,
            f"the proxy could not reach the server ({line}){said}: a DNS or routing "
            "failure on the proxy's side, not this machine's",
            "ask your network team: the proxy cannot reach this host",
            details,
        )
    return Problem(
        Code.PROXY_REFUSED,
        Layer.PROXY,
        f"the proxy refused ({line}){said}",
        None,
        details,
    )


def speaks_plain_http(proxy_url: str, timeout: float = 3.0) -> bool:
    """Whether the proxy answers a plain-HTTP request (so https:// in its URL is wrong)."""
    parts = urlsplit(proxy_url)
    if not parts.hostname:
        return False
    port = parts.port or (443 if parts.scheme == "https" else 80)
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
