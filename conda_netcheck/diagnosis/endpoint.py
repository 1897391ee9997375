"""The layers below HTTP for one endpoint: DNS and TCP to the peer, the proxy, then TLS."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from .. import urls
from ..model import Code, Layer, Problem, Timings
from ..probes import dns, tcp
from ..urls import with_scheme
from .dns_tcp import blocked_problem, dns_problem, tcp_problem

# A proxy (tunnel, the CONNECT probe), a dual-stack name, TLS (an https://
# endpoint) and the explainers of a failed handshake or connection are
# imported where they are met: a healthy http:// channel meets none.

if TYPE_CHECKING:
    import ssl
    from urllib.parse import SplitResult

    from ..model import Options, Route
    from ..probes import protocol, tls

#: Told the seconds a broken address family adds to the run's bound.
Extend = Callable[[float], None]


@dataclass
class Endpoint:
    """What the layers below HTTP found for one endpoint, shared by its targets."""

    problem: Problem | None = None
    timings: Timings = field(default_factory=Timings)
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def probe(
    scheme: str, host: str, port: int, route: Route, options: Options, extend: Extend
) -> Endpoint:
    """The layers in order: the peer (DNS, TCP), the proxy, then TLS."""
    return _Probe(scheme, host, port, route, options, extend).run()


def port_of(url: SplitResult) -> int:
    """The URL's port, else the scheme's (an unreadable port is the default one)."""
    return urls.port_of(url.geturl())


def reopener(url: str, route: Route, options: Options) -> Callable[[], Any]:
    """A way to connect to url's endpoint again as the probe did, resolving on use."""
    from . import tunnel

    parts = urlsplit(url)
    host, port = parts.hostname or "", port_of(parts)
    peer_host, peer_port = (
        tunnel.proxy_address(route.proxy) if route.proxy else (host, port)
    )
    opts = options

    def reopen() -> Any:
        lookup = dns.resolve(peer_host, peer_port, opts.connect_timeout, opts.resolver)
        if lookup.failure is not None:
            raise OSError(f"{peer_host} does not resolve")
        what = urls.format_address(peer_host, peer_port)
        return tunnel.reopen(lookup.addresses, what, host, port, route, opts)

    return reopen


class _Probe:
    """One endpoint's way down the layers; each step adds to the Endpoint it builds.

    A plain class: made once per endpoint and never compared or shown, it
    does not pay for the methods a dataclass generates at import.
    """

    __slots__ = ("extend", "host", "options", "port", "route", "scheme")

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int,
        route: Route,
        options: Options,
        extend: Extend,
    ) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.route, self.options, self.extend = route, options, extend

    def run(self) -> Endpoint:
        """The peer, the proxy, then TLS: the first that fails is the problem."""
        path = Endpoint()
        peer = self._peer(path)
        if peer is None:
            return path
        sock, addresses, what = peer
        sock = self._through_proxy(sock, path)
        if sock is None:
            return path
        if self.scheme != "https":
            # Plain HTTP: the GET is the test (through the proxy if any).
            sock.close()
            return path
        self._handshake(sock, path, (addresses, what))
        return path

    def _peer(self, path: Endpoint) -> tuple[Any, list, str] | None:
        """DNS and TCP to the proxy when one applies, else to the host."""
        host, port, route, opts = self.host, self.port, self.route, self.options
        if route.proxy:
            from .tunnel import proxy_address

            peer_host, peer_port = proxy_address(route.proxy)
            what = f"the proxy {urls.format_address(peer_host, peer_port)}"
        else:
            peer_host, peer_port = host, port
            what = urls.format_address(host, port)
        lookup = dns.resolve(peer_host, peer_port, opts.connect_timeout, opts.resolver)
        path.timings.dns = lookup.elapsed_ms
        failed = dns_problem(lookup)
        block = dns.blocked(lookup) if failed is None else None
        connected = None
        if block is dns.Blocked.UNSPECIFIED:
            # 0.0.0.0 is "this machine" to connect(): whatever answers is not the host.
            failed = blocked_problem(lookup, block)
        elif failed is None:
            if len({a[0] for a in lookup.addresses}) > 1:
                connected = self._each_family(lookup.addresses, what, path)
            else:
                connected = tcp.connect(lookup.addresses, opts.connect_timeout)
            if connected.sock is not None:
                # A refusal or a timeout connected nothing: no connect time to show.
                path.timings.connect = connected.elapsed_ms
            failed = tcp_problem(connected, what)
            if failed is not None and block is not None:
                failed = blocked_problem(lookup, block)
        if failed is not None or connected is None:
            path.problem = _at_proxy(failed, route) if failed else None
            if route.proxy and path.problem:
                from .tunnel import try_direct

                path.problem = try_direct(host, port, path.problem, opts)
            return None
        path.notes.append(f"connected to {what} ({connected.peer})")
        return connected.sock, lookup.addresses, what

    def _each_family(self, addresses: list, what: str, path: Endpoint) -> tcp.TcpResult:
        """A dual-stack name: one connect per family at once; a broken one is a warning."""
        from ..probes import dualstack
        from . import transport

        opts = self.options
        stack = dualstack.probe_families(addresses, opts.connect_timeout)
        path.notes.extend(transport.address_notes(stack))
        if stack.sock is None:
            # Nothing answers: the sequential attempt names the failure as usual.
            return tcp.connect(addresses, opts.connect_timeout)
        warning = transport.dual_stack(
            stack, what, opts.client_connect_timeout or opts.connect_timeout
        )
        if warning:
            path.warnings.append(warning)
            # One connection per file, and one for the tail of repodata.json.
            self.extend(opts.connect_timeout * (len(opts.filenames) + 1))
        elapsed = next(a.elapsed_ms for a in stack.attempts if a.address == stack.peer)
        return tcp.TcpResult(sock=stack.sock, peer=stack.peer, elapsed_ms=elapsed)

    def _through_proxy(self, sock: Any, path: Endpoint) -> Any:
        """TLS to an https:// proxy, then CONNECT for https channels; None when done."""
        host, port, route, opts = self.host, self.port, self.route, self.options
        if not route.proxy:
            return sock
        from ..probes import proxy
        from . import tunnel
        from .proxy import connect_problem

        proxy_scheme = urlsplit(with_scheme(route.proxy)).scheme
        if proxy_scheme.startswith("socks"):
            # No CONNECT to probe: the GET goes through the SOCKS proxy.
            sock.close()
            return None
        if proxy_scheme == "https":
            # requests speaks TLS to an https:// proxy before anything else.
            sock, path.problem = tunnel.tls_to_proxy(
                sock, tunnel.proxy_address(route.proxy)[0], route, opts
            )
            if path.problem:
                return None
        if self.scheme != "https":
            return sock
        answer = proxy.connect(sock, host, port, route.proxy, opts.read_timeout)
        path.timings.connect = (path.timings.connect or 0) + (answer.elapsed_ms or 0)
        refused = connect_problem(answer, route.proxy_source)
        if refused:
            if answer.failure is proxy.ConnectFailure.CLOSED or (
                answer.failure is proxy.ConnectFailure.ANSWERED and not answer.status
            ):  # closed without an HTTP answer: does the port speak TLS?
                refused = tunnel.tls_port_as_proxy(route.proxy, opts) or refused
            path.problem = tunnel.try_direct(host, port, refused, opts)
            return None
        path.notes.append(f"the proxy opened a tunnel to {host}:{port}")
        return answer.sock

    def _handshake(self, sock: Any, path: Endpoint, peer: tuple[list, str]) -> None:
        """TLS with the trust conda uses; a certificate error is explained."""
        from ..probes import handshake, tls
        from .tls import handshake_problem

        host, port, route, opts = self.host, self.port, self.route, self.options
        try:
            context = tls.trust_context(route.verify, route.cert, route.ssl_context)
        except (OSError, ValueError) as exc:
            from .advice import trust_setting_problem

            sock.close()
            path.problem = trust_setting_problem(exc, route)
            return
        if context is not route.ssl_context:
            # Verify as the session does: urllib3 adds VERIFY_X509_STRICT on 3.13+.
            url = f"https://{host}:{port}/"
            context.verify_flags = handshake.session_verify_flags(route.session, url)
        shaken = tls.handshake(sock, host, context, opts.read_timeout)
        path.timings.tls = shaken.elapsed_ms
        failed = handshake_problem(shaken, host)
        if failed is None:
            path.notes.append(f"TLS {shaken.version} with {host}")
            return
        path.problem = self._explain_handshake(failed, shaken, context, peer)

    def _explain_handshake(
        self,
        failed: Problem,
        shaken: tls.TlsResult,
        context: ssl.SSLContext,
        peer: tuple[list, str],
    ) -> Problem:
        """A certificate error by the certificate, any other by a second look."""
        host, port, route, opts = self.host, self.port, self.route, self.options

        def reopen() -> Any:
            from .tunnel import reopen as reopen_tunnel

            return reopen_tunnel(*peer, host, port, route, opts)

        # Only a failed handshake needs the catalogue and the certificate explainer.
        from . import transport
        from .catalogue import CERTIFICATE_CODES
        from .tls import wrong_protocol

        if failed.code in CERTIFICATE_CODES:
            from .certificates import explain_certificate

            return explain_certificate(failed, host, route, reopen, opts)
        if "WRONG_VERSION_NUMBER" in (shaken.reason or ""):
            # The answer to the ClientHello was not TLS: ask the port in plain HTTP.
            from ..probes import protocol

            spoken = _bounded_ask(reopen, protocol.plain_http, host, opts.read_timeout)
            if spoken is not None:
                seen = "OpenSSL: WRONG_VERSION_NUMBER to the TLS ClientHello"
                return wrong_protocol(spoken, host, port, seen)
        return (
            transport.explain_handshake(
                shaken.error, host, port, route, reopen, opts.read_timeout, context
            )
            or failed
        )


def _bounded_ask(
    reopen: Callable[[], Any],
    ask: Callable[[Any, str, float], protocol.Spoken | None],
    host: str,
    timeout: float,
) -> protocol.Spoken | None:
    """Ask a fresh connection to the endpoint in the other protocol; None if it cannot."""
    try:
        sock = reopen()
    except (OSError, ValueError):
        return None
    return ask(sock, host, timeout)


def _at_proxy(problem: Problem, route: Route) -> Problem:
    """A DNS or TCP failure on the way to the proxy is the proxy's layer."""
    if not route.proxy:
        return problem
    return Problem(
        Code.PROXY_UNREACHABLE,
        Layer.PROXY,
        f"cannot reach the proxy: {problem.summary}",
        details=problem.details.merged(cause=problem.code),
    )
