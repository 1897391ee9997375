"""TCP connect to each resolved address in turn, as urllib3 does."""

from __future__ import annotations

import errno
import socket
import time
from dataclasses import dataclass
from enum import Enum

from ..urls import format_address

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}


class TcpFailure(str, Enum):
    """Why no connection was made."""

    REFUSED = "refused"  # a reset: nothing listens, or a firewall rejects
    RESET = "reset"  # accepted, then reset at once (a firewall, or the server)
    UNREACHABLE = "unreachable"  # no route to the network or host
    FAILED = "failed"  # another socket error
    TIMEOUT = "timeout"  # no answer: packets dropped, or the host is down


@dataclass
class TcpResult:
    """A connected socket (the caller closes it), or why there is none."""

    sock: socket.socket | None = None
    peer: str | None = None
    failure: TcpFailure | None = None
    error: str = ""  # the socket error's words
    errno_name: str = ""  # the socket error's errno, "ENETUNREACH"
    timeout: float = 0.0
    elapsed_ms: float | None = None


def connect(addresses: list[tuple], timeout: float) -> TcpResult:
    """Connect to the first address that answers."""
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
    failure = _failure(last)
    words = (last.strerror or str(last)) if last is not None else ""
    name = errno.errorcode.get(last.errno or 0, "") if last is not None else ""
    return TcpResult(
        failure=failure,
        error=words,
        errno_name=name,
        timeout=timeout,
        elapsed_ms=elapsed,
    )


def _format(sockaddr: tuple) -> str:
    return format_address(sockaddr[0], sockaddr[1])


def _failure(error: OSError | None) -> TcpFailure:
    if isinstance(error, ConnectionRefusedError):
        return TcpFailure.REFUSED
    if isinstance(error, (ConnectionResetError, ConnectionAbortedError)):
        # The SYN was answered, then the connection was reset at once.
        return TcpFailure.RESET
    if error is not None and error.errno in _UNREACHABLE:
        return TcpFailure.UNREACHABLE
    if error is not None and not isinstance(error, TimeoutError):
        return TcpFailure.FAILED
    return TcpFailure.TIMEOUT
