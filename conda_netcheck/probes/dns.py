"""Name resolution with its own time bound (a dead resolver takes glibc 20 s)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Code, Layer, Problem

if TYPE_CHECKING:
    from ..model import Resolver


def system_resolver(host: str, port: int) -> list:
    """The machine's resolver, exactly as urllib3 calls it."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


@dataclass
class DnsResult:
    """Addresses for a host, or the problem that stopped the lookup."""

    host: str
    addresses: list[tuple] = field(default_factory=list)  # getaddrinfo tuples
    problem: Problem | None = None
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
            host,
            problem=Problem(
                Code.DNS_FAILURE,
                Layer.DNS,
                f"the DNS resolver did not answer for {host} within {timeout:g} s",
                details={"reason": "timeout"},
            ),
            elapsed_ms=elapsed,
        )
    error = outcome.get("error")
    if error is None and not outcome.get("addresses"):
        error = socket.gaierror(socket.EAI_NONAME, "no addresses")
    if error is not None:
        return DnsResult(host, problem=_problem(host, error), elapsed_ms=elapsed)
    return DnsResult(host, outcome["addresses"], elapsed_ms=elapsed)


def _problem(host: str, error: BaseException) -> Problem:
    errno = getattr(error, "errno", None)
    if errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
        reason, text = "nxdomain", f"the name {host} does not exist in DNS"
    elif errno == socket.EAI_AGAIN:
        reason = "resolver-unavailable"
        text = f"the DNS resolver could not be reached or failed for {host}"
    else:
        reason, text = "error", f"looking up {host} failed: {error}"
    return Problem(Code.DNS_FAILURE, Layer.DNS, text, details={"reason": reason})
