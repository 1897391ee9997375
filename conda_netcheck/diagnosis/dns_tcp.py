"""The DNS and TCP explainers: a failed or blocked lookup, or a failed connection, in words and with its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Code, Layer, Problem
from ..probes.dns import Blocked, DnsFailure, answers
from ..probes.tcp import TcpFailure

if TYPE_CHECKING:
    from ..probes.dns import DnsResult
    from ..probes.tcp import TcpResult


def dns_problem(lookup: DnsResult) -> Problem | None:
    """Why a name gave no address; None when it resolved."""
    host = lookup.host
    texts = {
        DnsFailure.TIMEOUT: f"the DNS resolver did not answer for {host} within "
        f"{lookup.timeout:g} s",
        DnsFailure.NXDOMAIN: f"the name {host} does not exist in DNS",
        DnsFailure.UNAVAILABLE: "the DNS resolver could not be reached or failed "
        f"for {host}",
        DnsFailure.ERROR: f"looking up {host} failed: {lookup.error}",
    }
    if lookup.failure is None:
        return None
    from ..evidence import Details

    return Problem(
        Code.DNS_FAILURE,
        Layer.DNS,
        texts[lookup.failure],
        details=Details(reason=lookup.failure.value),
    )


#: What the kernel means by each "unreachable" errno, in the user's words.
_NO_ROUTE = {
    "ENETUNREACH": "this machine has no route to that network (no default route, "
    "a VPN that is down, or an IPv6 address on a network without IPv6)",
    "EHOSTUNREACH": "no route to the host (a router or firewall on the way answers "
    "that the host cannot be reached: a VPN that is down, or the host is off)",
    "EADDRNOTAVAIL": "this machine has no address to connect from for that address "
    "family (an IPv6 address on a machine without IPv6)",
}


def blocked_problem(lookup: DnsResult, how: Blocked) -> Problem:
    """The resolver answered with a DNS filter's "no" (0.0.0.0, ::, or loopback)."""
    from ..evidence import Details

    seen = ", ".join(answers(lookup))
    why = (
        "the address DNS filters (Pi-hole, corporate DNS filters) give for a blocked "
        "name"
        if how is Blocked.UNSPECIFIED
        else "this machine, for a public name: a DNS filter's block or a hosts-file "
        "entry, and nothing there serves the channel"
    )
    return Problem(
        Code.DNS_BLOCKED,
        Layer.DNS,
        f"the DNS resolver answers {seen} for {lookup.host}: {why}",
        details=Details(reason=f"blocked-{how.value}", answers=answers(lookup)),
    )


def tcp_problem(connected: TcpResult, what: str) -> Problem | None:
    """Why `what` (host:port, or the proxy) took no connection; None when it did."""
    failure = connected.failure
    if failure is None:
        return None
    from ..evidence import Details

    if failure is TcpFailure.REFUSED:
        return Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"{what} refused the connection (nothing listens on that port, "
            "or a firewall rejects it)",
        )
    if failure is TcpFailure.RESET:
        return Problem(
            Code.CONNECTION_RESET,
            Layer.TCP,
            f"{what} resets (RST) the connection right after accepting it, before "
            "anything is sent: a firewall, or a server that refuses this client",
            details=Details(failure="reset", when="connect"),
        )
    if failure is TcpFailure.UNREACHABLE:
        return Problem(
            Code.NO_ROUTE,
            Layer.TCP,
            f"{what}: {_NO_ROUTE.get(connected.errno_name, _NO_ROUTE['ENETUNREACH'])} "
            f"({connected.errno_name or 'unreachable'}: {connected.error})",
            details=Details(reason="unreachable", errno=connected.errno_name or None),
        )
    if failure is TcpFailure.FAILED:
        # No known cause fits: say what was seen, at the layer it was seen.
        return Problem(
            Code.CONNECT_FAILED,
            Layer.TCP,
            f"connecting to {what} failed with "
            f"{connected.errno_name or 'an error'}: {connected.error}",
            details=Details(errno=connected.errno_name or None),
        )
    return Problem(
        Code.CONNECT_TIMEOUT,
        Layer.TCP,
        f"{what} did not accept a connection within {connected.timeout:g} s "
        "(a firewall drops the packets, or the host is down)",
    )
