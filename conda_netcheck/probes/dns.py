"""Name resolution with its own time bound (a dead resolver takes glibc 20 s)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Resolver


def system_resolver(host: str, port: int) -> list:
    """The machine's resolver, exactly as urllib3 calls it."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


class DnsFailure(str, Enum):
    """Why a lookup gave no address."""

    TIMEOUT = "timeout"  # the resolver did not answer in time
    NXDOMAIN = "nxdomain"  # the name does not exist
    UNAVAILABLE = "resolver-unavailable"  # the resolver could not be reached or failed
    ERROR = "error"


@dataclass
class DnsResult:
    """Addresses for a host, or why the lookup gave none."""

    host: str
    addresses: list[tuple] = field(default_factory=list)  # getaddrinfo tuples
    failure: DnsFailure | None = None
    error: str = ""  # the resolver's own words, for DnsFailure.ERROR
    timeout: float = 0.0
    elapsed_ms: float | None = None


def is_ip_literal(host: str) -> bool:
    """True for 127.0.0.1 and ::1 style hosts, which need no lookup."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def resolve(
    host: str, port: int, timeout: float, resolver: Resolver | None = None
) -> DnsResult:
    """Resolve host within timeout seconds; never raises."""
    resolver = resolver or system_resolver
    if is_ip_literal(host):
        return DnsResult(host, resolver(host.strip("[]"), port), elapsed_ms=0.0)

    outcome: dict = {}

    def work() -> None:
        try:
            outcome["addresses"] = resolver(host, port)
        except BaseException as exc:  # handed to the caller below
            outcome["error"] = exc

    # A daemon thread, because getaddrinfo cannot be interrupted: if the
    # resolver is dead the thread lingers, but the diagnosis does not wait.
    start = time.monotonic()
    worker = threading.Thread(target=work, name=f"netcheck-dns-{host}", daemon=True)
    worker.start()
    worker.join(timeout)
    elapsed = (time.monotonic() - start) * 1000
    if worker.is_alive():
        return DnsResult(
            host, failure=DnsFailure.TIMEOUT, timeout=timeout, elapsed_ms=elapsed
        )
    error = outcome.get("error")
    if error is None and not outcome.get("addresses"):
        error = socket.gaierror(socket.EAI_NONAME, "no addresses")
    if error is not None:
        return DnsResult(
            host, failure=_failure(error), error=str(error), elapsed_ms=elapsed
        )
    return DnsResult(host, outcome["addresses"], elapsed_ms=elapsed)


class Blocked(str, Enum):
    """A DNS answer that is a filter's "no", not the host's address."""

    UNSPECIFIED = "unspecified"  # 0.0.0.0 or ::: Pi-hole and most DNS filters
    LOOPBACK = "loopback"  # 127.0.0.1 or ::1 for a public name


# Names that may well live on this machine or a private network (RFC 6761,
# RFC 8375, common private suffixes): a loopback answer for them is no block.
_PRIVATE_SUFFIXES = (
    ".localhost",
    ".test",
    ".local",
    ".internal",
    ".lan",
    ".home",
    ".home.arpa",
    ".corp",
    ".intranet",
    ".private",
    ".example",
    ".invalid",
)


def answers(lookup: DnsResult) -> tuple[str, ...]:
    """The addresses a lookup gave, in order, each once."""
    return tuple(
        dict.fromkeys(str(a[4][0]).partition("%")[0] for a in lookup.addresses)
    )


def blocked(lookup: DnsResult) -> Blocked | None:
    """How the answer for a name reads as a DNS filter's block; None when it does not."""
    host = lookup.host.rstrip(".").lower()
    if not lookup.addresses or is_ip_literal(host):
        return None
    try:
        ips = [ipaddress.ip_address(a) for a in answers(lookup)]
    except ValueError:
        return None
    if all(ip.is_unspecified for ip in ips):
        return Blocked.UNSPECIFIED
    public = "." in host and not host.endswith(_PRIVATE_SUFFIXES)
    if public and all(ip.is_loopback for ip in ips):
        return Blocked.LOOPBACK
    return None


def _failure(error: BaseException) -> DnsFailure:
    errno = getattr(error, "errno", None)
    if errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
        return DnsFailure.NXDOMAIN
    if errno == socket.EAI_AGAIN:
        return DnsFailure.UNAVAILABLE
    return DnsFailure.ERROR
