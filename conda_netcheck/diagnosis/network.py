"""The DNS, TCP and content explainers: a failed lookup or connection, or an answer
that is not repodata, in words and with its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Code, Details, Layer, Problem
from ..probes.dns import DnsFailure
from ..probes.tcp import TcpFailure

if TYPE_CHECKING:
    from ..probes.content import Content
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
    return Problem(
        Code.DNS_FAILURE,
        Layer.DNS,
        texts[lookup.failure],
        details=Details(reason=lookup.failure.value),
    )


def tcp_problem(connected: TcpResult, what: str) -> Problem | None:
    """Why `what` (host:port, or the proxy) took no connection; None when it did."""
    failure = connected.failure
    if failure is None:
        return None
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
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"{what} is unreachable from this machine ({connected.error})",
            details=Details(reason="unreachable"),
        )
    if failure is TcpFailure.FAILED:
        return Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"connecting to {what} failed: {connected.error}",
        )
    return Problem(
        Code.CONNECT_TIMEOUT,
        Layer.TCP,
        f"{what} did not accept a connection within {connected.timeout:g} s "
        "(a firewall drops the packets, or the host is down)",
    )


def content_problem(found: Content) -> Problem | None:
    """An answer that cannot start repodata: a login page, a portal, another type."""
    if found.fits:
        return None
    if found.html:
        what = f"an HTML page titled {found.title!r}" if found.title else "an HTML page"
        return Problem(
            Code.NOT_A_CHANNEL,
            Layer.CONTENT,
            f"the server answered {found.filename} with {what}, not {found.expected} "
            "(a captive portal, a login page or a web server that is not a conda channel)",
            details=Details(
                content_type=found.content_type, title=found.title, html=True
            ),
        )
    kind = found.content_type or "unknown content type"
    return Problem(
        Code.NOT_A_CHANNEL,
        Layer.CONTENT,
        f"the server answered {found.filename} with {kind}, not {found.expected}",
        details=Details(content_type=found.content_type),
    )
