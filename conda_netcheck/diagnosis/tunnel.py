"""The way through a proxy: the TLS session to an https:// proxy, a tunnel opened
again for a second look, and one bounded direct attempt when the proxy fails."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..config.commands import placeholders
from ..config.sources import ProxySourceKind
from ..model import Code, Details, FixLines, Layer, Problem
from ..probes import dns, proxy, tcp, tls
from ..urls import default_port, format_address, host_port, shown_proxy, with_scheme
from . import advice
from .dns_tcp import dns_problem, tcp_problem
from .proxy import NOT_A_PROXY, connect_problem, not_a_proxy

if TYPE_CHECKING:
    from ..model import Options, Route
    from ..probes.http import HttpResult


def proxy_address(proxy_url: str) -> tuple[str, int]:
    """The proxy's host and port as urllib3 connects (by scheme when the URL has none)."""
    return host_port(proxy_url) or (
        "",
        default_port(urlsplit(with_scheme(proxy_url)).scheme),
    )


def tls_to_proxy(
    sock: Any, proxy_host: str, route: Route, options: Options
) -> tuple[Any, Problem | None]:
    """The TLS session to an https:// proxy; most proxies speak plain HTTP."""
    timeout = options.read_timeout
    try:
        context = tls.trust_context(route.verify, None, route.ssl_context)
    except (OSError, ValueError) as exc:
        sock.close()
        return None, advice.trust_setting_problem(exc, route)
    fact = tls.to_https_proxy(sock, proxy_host, context, timeout)
    if fact.outcome is tls.ProxyTlsOutcome.OK:
        return fact.sock, None
    # A proxy that waits for a request line: does it answer one?
    speaks = fact.outcome is tls.ProxyTlsOutcome.PLAIN_HTTP or (
        fact.outcome is tls.ProxyTlsOutcome.STALLED
        and proxy.speaks_plain_http(route.proxy or "", timeout)
    )
    return None, https_proxy_problem(fact, proxy_host, route, options, speaks)


def try_direct(host: str, port: int, problem: Problem, options: Options) -> Problem:
    """One bounded direct attempt: is the proxy the problem, or required?"""
    opts = options
    if not opts.try_direct:
        return problem
    lookup = dns.resolve(host, port, opts.connect_timeout, opts.resolver)
    outcome = dns_problem(lookup)
    if outcome is None:
        direct = tcp.connect(lookup.addresses, opts.connect_timeout)
        outcome = tcp_problem(direct, format_address(host, port))
        if direct.sock:
            direct.sock.close()
    if outcome is None:
        return problem.amended(
            more=f"; a direct connection to {host}:{port} works, so the proxy is "
            "the problem",
            direct="works",
        )
    return problem.amended(
        more=f"; a direct connection to {host}:{port} fails too "
        f"({outcome.code.value}), so this network needs the proxy",
        direct=outcome.code.value,
    )


def web_server_as_proxy(
    got: HttpResult, route: Route, options: Options, index: str | None = None
) -> Problem | None:
    """An http:// channel's error answer, or page, that came from a web server named as the proxy.

    Said only on both proofs: the proxy address answers CONNECT with 405 or
    501 (no proxy does), and the channel answers the same GET directly with
    a 2xx, or `index`, the URL of the format conda ends with, when the GET was
    for an optional one. None otherwise, or when nothing may go around the
    proxy.
    """
    proxy_url, url = route.proxy or "", got.url
    if not options.try_direct or urlsplit(with_scheme(proxy_url)).scheme != "http":
        return None
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or default_port(parts.scheme)
    answer = _ask_connect(proxy_url, host, port, options)
    if answer is None or answer.status not in NOT_A_PROXY:
        return None
    # A channel without shards answers the shard index with a 404, directly too.
    if not _answers_directly(url, options) and not (
        index and _answers_directly(index, options)
    ):
        return None
    line = f"{answer.status} {answer.reason}".strip()
    heard = f"{got.status} {got.reason}".rstrip()
    if 200 <= (got.status or 0) < 300:  # a page that is not the file
        heard += " and a page, not the file"
    return not_a_proxy(line, Details(status=answer.status)).amended(
        more=f"; through it the GET got {heard}, while "
        f"{format_address(host, port)} serves the file directly, so the proxy "
        "is the problem",
        method=f"CONNECT {answer.authority}",
        direct="works",
    )


def tls_port_as_proxy(proxy_url: str, options: Options) -> Problem | None:
    """An http:// proxy URL whose port speaks TLS: no plain request is answered there.

    None when the URL says another scheme, the port cannot be reached, or
    a TLS handshake there fails.
    """
    from ..probes import protocol

    if urlsplit(with_scheme(proxy_url)).scheme != "http":
        return None
    sock = _to_proxy(proxy_url, options)
    if sock is None:
        return None
    spoken = protocol.tls(sock, proxy_address(proxy_url)[0], options.read_timeout)
    if spoken is None:
        return None
    return Problem(
        Code.PROXY_MISCONFIGURED,
        Layer.PROXY,
        f"the proxy address speaks TLS ({spoken.answer}), not the plain HTTP "
        "the http:// proxy URL says: it closes the connection on a request in "
        "the clear",
        details=Details(proxy_speaks="tls", answer=spoken.answer),
    )


def _ask_connect(
    proxy_url: str, host: str, port: int, options: Options
) -> proxy.ProxyAnswer | None:
    """CONNECT host:port once through the proxy; None when the proxy cannot be reached."""
    sock = _to_proxy(proxy_url, options)
    if sock is None:
        return None
    answer = proxy.connect(sock, host, port, proxy_url, options.read_timeout)
    if answer.sock is not None:  # a tunnel: a proxy after all
        answer.sock.close()
    return answer


def _to_proxy(proxy_url: str, options: Options) -> Any:
    """A new connection to the proxy's address; None when it does not resolve or connect."""
    proxy_host, proxy_port = proxy_address(proxy_url)
    lookup = dns.resolve(
        proxy_host, proxy_port, options.connect_timeout, options.resolver
    )
    if lookup.failure is not None:
        return None
    return tcp.connect(lookup.addresses, options.connect_timeout).sock


def _answers_directly(url: str, options: Options) -> bool:
    """GET url without any proxy (nor the environment's): a 2xx answer."""
    import requests

    from ..probes import http

    with requests.Session() as session:
        session.trust_env = False
        got = http.get(session, url, options.connect_timeout, options.read_timeout)
    return got.error is None and 200 <= (got.status or 0) < 300


def reopen(
    addresses: list,
    what: str,
    host: str,
    port: int,
    route: Route,
    options: Options,
) -> Any:
    """A new socket to host:port by the same way (direct, or a CONNECT tunnel)."""
    opts = options
    connected = tcp.connect(addresses, opts.connect_timeout)
    if connected.sock is None:
        failed = tcp_problem(connected, what)
        reset = connected.failure is tcp.TcpFailure.RESET
        raise (ConnectionResetError if reset else OSError)(
            failed.summary if failed else "no socket"
        )
    if not route.proxy:
        return connected.sock
    sock = connected.sock
    if urlsplit(with_scheme(route.proxy)).scheme == "https":
        sock, problem = tls_to_proxy(
            sock, proxy_address(route.proxy)[0], route, options
        )
        if problem:
            raise OSError(problem.summary)
    answer = proxy.connect(sock, host, port, route.proxy, opts.read_timeout)
    if answer.sock is None:
        refused = connect_problem(answer, None)
        raise OSError(refused.summary if refused else "no tunnel")
    return answer.sock


def https_proxy_problem(
    fact: tls.ProxyTls, proxy_host: str, route: Route, options: Options, speaks: bool
) -> Problem:
    """An https:// proxy URL for a proxy that speaks plain HTTP, or another TLS failure."""
    outcome = fact.outcome
    if outcome is tls.ProxyTlsOutcome.PLAIN_HTTP:
        summary = (
            "the proxy URL says https://, but the proxy speaks plain HTTP "
            f"(TLS fails with {fact.reason})"
        )
    elif outcome is tls.ProxyTlsOutcome.STALLED:
        summary = (
            f"the https:// proxy did not complete a TLS handshake within "
            f"{options.read_timeout:g} s: it most likely speaks plain HTTP"
        )
    else:
        summary = f"the TLS session to the https:// proxy failed ({fact.reason})"
    fix, lines = None, FixLines()
    if outcome is not tls.ProxyTlsOutcome.FAILED:
        # The same proxy with http://, its user and password kept as
        # placeholders: without them the next request is a 407.
        url = shown_proxy(route.proxy or f"{proxy_host}:PORT", scheme="http")
        # The channel's scheme only matters when no source is known.
        fix = options.commands.set_proxy("https://", url, route.proxy_source)
        lines = FixLines((fix,), placeholders(fix))
        source = route.proxy_source
        if source is not None and source.kind is ProxySourceKind.SETTING:
            fix += " (http:// even for the https key)"
    evidence = Details(proxy_speaks="http" if speaks else None)
    return Problem(Code.PROXY_MISCONFIGURED, Layer.PROXY, summary, fix, evidence, lines)
