"""TCP connect to each resolved address in turn, as urllib3 does."""

from __future__ import annotations

import errno
import socket
import time
from dataclasses import dataclass

from ..model import Code, Layer, Problem

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}


@dataclass
class TcpResult:
    """A connected socket (the caller closes it), or the problem."""

    sock: socket.socket | None = None
    peer: str | None = None
    problem: Problem | None = None
    elapsed_ms: float | None = None


def connect(addresses: list[tuple], timeout: float, what: str) -> TcpResult:
    """Connect to the first address that answers; `what` names the peer."""
    start = time.monotonic()
    last: OSError | None = None
    deadline = start + timeout
    for family, socktype, proto, _, sockaddr in addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        sock = socket.socket(family, socktype, proto)
        sock.settimeout(remaining)
        try:
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        elapsed = (time.monotonic() - start) * 1000
        peer = _format(sockaddr)
        return TcpResult(sock=sock, peer=peer, elapsed_ms=elapsed)
    elapsed = (time.monotonic() - start) * 1000
    return TcpResult(problem=_problem(last, what, timeout), elapsed_ms=elapsed)


def _format(sockaddr: tuple) -> str:
    host, port = sockaddr[0], sockaddr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _problem(error: OSError | None, what: str, timeout: float) -> Problem:
    if isinstance(error, ConnectionRefusedError):
        return Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"{what} refused the connection (nothing listens on that port, "
            "or a firewall rejects it)",
        )
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError)):
        # The SYN was answered, then the connection was reset at once.
        return Problem(
            Code.CONNECTION_RESET,
            Layer.TCP,
            f"{what} resets (RST) the connection right after accepting it, before "
            "anything is sent: a firewall, or a server that refuses this client",
            details={"failure": "reset", "when": "connect"},
        )
    if error is not None and error.errno in _UNREACHABLE:
        return Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"{what} is unreachable from this machine ({error.strerror})",
            details={"reason": "unreachable"},
        )
    if error is not None and not isinstance(error, TimeoutError):
        return Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"connecting to {what} failed: {error.strerror or error}",
        )
    return Problem(
        Code.CONNECT_TIMEOUT,
        Layer.TCP,
        f"{what} did not accept a connection within {timeout:g} s "
        "(a firewall drops the packets, or the host is down)",
    )
