"""Every address of a name, one bounded connect per address family, timed.

urllib3 has no Happy Eyeballs: it tries the addresses in getaddrinfo's order
and waits the whole connect timeout on each one that does not answer. So an
IPv6 address that black-holes costs every connection that timeout, and then
IPv4 works. These facts let the diagnosis say so instead of "timeout".
"""

from __future__ import annotations

import errno
import socket
import threading
import time
from dataclasses import dataclass
from enum import Enum

from ..urls import format_address

_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}


class Family(str, Enum):
    """An address family, as people name it."""

    IPV4 = "ipv4"
    IPV6 = "ipv6"


class Outcome(str, Enum):
    """What one connect attempt did."""

    CONNECTED = "connected"
    TIMEOUT = "timeout"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    ERROR = "error"


@dataclass(frozen=True)
class Attempt:
    """One connect to one address, and how long it took."""

    address: str  # "[2001:db8::1]:443" or "127.0.0.1:443"
    family: Family
    outcome: Outcome
    elapsed_ms: float


@dataclass
class DualStack:
    """The addresses in resolver order, and one attempt per family."""

    order: list[tuple[str, Family]]  # every address, as getaddrinfo returned them
    attempts: list[Attempt]
    sock: socket.socket | None = None  # connected, from the first family that works
    peer: str | None = None

    def works(self, family: Family) -> bool | None:
        """True or False when that family was tried, None when the name has none."""
        tried = [a for a in self.attempts if a.family is family]
        if not tried:
            return None
        return any(a.outcome is Outcome.CONNECTED for a in tried)

    def ahead_of_first_working(self, broken: Family) -> int:
        """How many `broken` addresses come before the first one of another family."""
        count = 0
        for _, family in self.order:
            if family is not broken:
                return count
            count += 1
        return count


def family_of(sockaddr_family: int) -> Family:
    """Family.IPV6 for AF_INET6, else Family.IPV4."""
    return Family.IPV6 if sockaddr_family == socket.AF_INET6 else Family.IPV4


def format_sockaddr(sockaddr: tuple) -> str:
    """host:port of a socket address, with brackets for IPv6."""
    return format_address(sockaddr[0], sockaddr[1])


def probe_families(addresses: list[tuple], timeout: float) -> DualStack:
    """Connect once per family (its first address), concurrently, each within `timeout`."""
    order = [(format_sockaddr(a[4]), family_of(a[0])) for a in addresses]
    firsts: dict[Family, tuple] = {}
    for info in addresses:
        firsts.setdefault(family_of(info[0]), info)
    results: dict[Family, tuple[Attempt, socket.socket | None]] = {}
    threads = [
        threading.Thread(
            target=lambda f=f, i=i: results.__setitem__(f, _attempt(i, timeout)),
            daemon=True,
        )
        for f, i in firsts.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 1.0)
    stack = DualStack(order, [results[f][0] for f in firsts if f in results])
    # Hand over the socket of the family the resolver prefers among working ones.
    for family in dict.fromkeys(f for _, f in order):
        attempt, sock = results.get(family, (None, None))
        if sock is None or attempt is None:
            continue
        if stack.sock is None:
            stack.sock, stack.peer = sock, attempt.address
        else:
            sock.close()
    return stack


def _attempt(info: tuple, timeout: float) -> tuple[Attempt, socket.socket | None]:
    family, socktype, proto, _, sockaddr = info
    start = time.monotonic()
    sock = socket.socket(family, socktype, proto)
    sock.settimeout(timeout)
    try:
        sock.connect(sockaddr)
        outcome = Outcome.CONNECTED
    except (TimeoutError, socket.timeout):
        outcome = Outcome.TIMEOUT
    except ConnectionRefusedError:
        outcome = Outcome.REFUSED
    except OSError as exc:
        outcome = Outcome.UNREACHABLE if exc.errno in _UNREACHABLE else Outcome.ERROR
    elapsed = (time.monotonic() - start) * 1000
    attempt = Attempt(format_sockaddr(sockaddr), family_of(family), outcome, elapsed)
    if outcome is not Outcome.CONNECTED:
        sock.close()
        return attempt, None
    return attempt, sock
