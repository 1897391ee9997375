"""The hosts and ports a firewall (and a proxy) must allow for conda's configuration.

Built from a finished `Report`: each target's host, every host in its redirect
chain, and the proxy when one is used. A target that goes through a proxy needs
no direct connection from this machine: it needs the proxy, and the proxy must
let the CONNECT (or the forwarded GET, for plain http://) through. Those are
listed as their own kind so they land on the right device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..redact import REDACTOR
from ..urls import format_address, host_port

if TYPE_CHECKING:
    from ..model import Report, TargetResult

#: From this machine straight to the host.
DIRECT = "direct"
#: From this machine to the proxy.
PROXY = "proxy"
#: From the proxy onwards: what the proxy must let through (CONNECT host:port).
THROUGH_PROXY = "through-proxy"

KINDS = (DIRECT, PROXY, THROUGH_PROXY)

#: Where the channel names go in a reason ("channel conda-forge").
_LABEL = "{channels}"


@dataclass(frozen=True)
class Endpoint:
    """One host:port to allow, why, and how it is reached (`kind`, `via` the proxy)."""

    host: str
    port: int
    why: str
    kind: str = DIRECT
    via: str | None = None  # the proxy's host:port for THROUGH_PROXY entries
    #: A doubt about the entry itself: it refused the connection when checked.
    caveat: str | None = None

    @property
    def address(self) -> str:
        """``host:port``, with brackets around an IPv6 address."""
        return format_address(self.host, self.port)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (additions fine, renames breaking)."""
        return {
            "host": self.host,
            "port": self.port,
            "address": self.address,
            "kind": self.kind,
            "via": self.via,
            "why": self.why,
            "caveat": self.caveat,
        }


def allowlist(report: Report) -> list[Endpoint]:
    """Every host:port the configuration needs, deduplicated and sorted by kind, host, port."""
    # (kind, host, port, via) -> {reason: [channels]}: one entry per address,
    # with the reasons merged so ten subdirs of one channel make one line.
    found: dict[tuple[str, str, int, str | None], dict[str, list[str]]] = {}

    def need(
        kind: str, host: str, port: int, via: str | None, reason: str, channel: str
    ) -> None:
        reasons = found.setdefault((kind, host, port, via), {})
        channels = reasons.setdefault(reason, [])
        if channel not in channels:
            channels.append(channel)

    refused = _refused(report)
    for result in report.targets:
        target = result.target
        channel = target.channel
        if _unusable_proxy(result):
            continue  # no host to allow until the proxy setting is fixed
        proxy = host_port(target.proxy) if target.proxy else None
        via = format_address(*proxy) if proxy else None
        if proxy:
            source = f" (from {target.proxy_source})" if target.proxy_source else ""
            need(PROXY, *proxy, None, f"the proxy{source}, for {_LABEL}", channel)
        for url, reason in _chain(result):
            address = host_port(url)
            if address is None:
                continue
            host, port = address
            if proxy is None:
                need(DIRECT, host, port, None, reason, channel)
                continue
            # Plain http:// goes through the proxy as a forwarded GET, not a tunnel.
            plain = urlsplit(url).scheme.lower() == "http"
            how = (
                f"{'GET http://' if plain else 'CONNECT '}{format_address(host, port)}"
            )
            reason = f"through the proxy {via}: {how}, {reason}"
            need(THROUGH_PROXY, host, port, via, reason, channel)

    endpoints = [
        Endpoint(
            host,
            port,
            _why(reasons),
            kind,
            via,
            REFUSED_CAVEAT
            if kind != THROUGH_PROXY and (host, port) in refused
            else None,
        )
        for (kind, host, port, via), reasons in found.items()
    ]
    return sorted(endpoints, key=_order)


def allowlist_text(endpoints: list[Endpoint], report: Report | None = None) -> str:
    """One ``host:port  # why`` per line; a comment that says why when there is none."""
    if not endpoints and report is not None:
        return f"# nothing to allow: {empty_reason(report)}"
    return "\n".join(
        f"{e.address}  # {REDACTOR.text(e.why)}"
        + (f"; CAVEAT: {e.caveat}" if e.caveat else "")
        for e in endpoints
    )


#: Said of a host:port that refused the connection: a port nothing listens on
#: (a typo in the URL) is not fixed by a firewall rule.
REFUSED_CAVEAT = (
    "it refused the connection when checked: either a firewall rejects it (then "
    "allow it) or nothing listens on that port, as with a mistyped port (then "
    "correct the URL instead)"
)


def _refused(report: Report) -> set[tuple[str, int]]:
    """The host:port (channel or proxy) that refused the connection in this run."""
    from ..model import Code

    found = set()
    for result in report.targets:
        problem = result.problem
        if problem is None or problem.details.reason == "unreachable":
            continue  # no route is a firewall's doing: allowing it is the fix
        if problem.code is Code.CONNECTION_REFUSED and not result.target.proxy:
            address = host_port(result.url_failed or result.target.url)
        elif (
            problem.code is Code.PROXY_UNREACHABLE
            and problem.details.cause is Code.CONNECTION_REFUSED
        ):
            address = host_port(result.target.proxy or "")
        else:
            continue
        if address is not None:
            found.add(address)
    return found


def empty_reason(report: Report) -> str:
    """Why a run has no host:port to allow."""
    if not report.targets:
        return "no channel URL was checked (no channels are configured)"
    unusable = [r for r in report.targets if _unusable_proxy(r)]
    if unusable:
        problem = unusable[0].problem
        fix = f" ({problem.fix})" if problem and problem.fix else ""
        return (
            "the proxy setting cannot be used, so where conda connects is not known "
            f"yet: fix it first{fix}"
        )
    return "no channel URL has a host"


def _unusable_proxy(result: TargetResult) -> bool:
    """A proxy URL requests cannot use: not a host anyone can allow."""
    from ..model import Code, Layer

    problem = result.problem
    return (
        problem is not None
        and problem.code is Code.PROXY_MISCONFIGURED
        and problem.layer is Layer.CONFIG
    )


def allowlist_json(endpoints: list[Endpoint]) -> list[dict[str, Any]]:
    """The JSON-ready list of dicts."""
    return REDACTOR.obj([e.as_dict() for e in endpoints])


def _chain(result: TargetResult) -> list[tuple[str, str]]:
    """Each URL the target touched with the reason it is needed, in request order."""
    target = result.target
    urls = [target.url, *result.redirects]
    if result.fetched:
        urls.append(result.fetched)
    chain = [(target.url, _LABEL)]
    previous = target.host
    for url in urls[1:]:
        host = urlsplit(url).hostname or ""
        if host and host != previous:
            chain.append((url, f"redirect from {previous}, for {_LABEL}"))
        elif host:
            chain.append((url, _LABEL))
        previous = host or previous
    # After the index: shards, packages and their redirects (base_url, CDNs).
    channel = host_port(target.url)
    for url in [*result.reached, *([result.url_failed] if result.url_failed else [])]:
        if host_port(url) not in (None, channel):
            chain.append((url, f"downloads (shards, packages) of {_LABEL}"))
    return chain


def _why(reasons: dict[str, list[str]]) -> str:
    parts = []
    for reason, channels in reasons.items():
        label = ("channel " if len(channels) == 1 else "channels ") + ", ".join(
            channels
        )
        parts.append(reason.replace(_LABEL, label))
    return REDACTOR.text("; ".join(parts))


def _order(endpoint: Endpoint) -> tuple[int, str, int, str]:
    return (
        KINDS.index(endpoint.kind),
        endpoint.host,
        endpoint.port,
        endpoint.via or "",
    )
