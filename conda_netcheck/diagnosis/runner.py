"""Run the layer probes for every target concurrently and name the first broken layer."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from ..model import (
    Code,
    Layer,
    Options,
    Problem,
    Route,
    RouteFactory,
    TargetResult,
    Timings,
)
from ..probes import content, dns, dualstack, handshake, http, proxy, tcp, tls
from . import (
    advice,
    after_index,
    answers,
    catalogue,
    install_path,
    transport,
    tunnel,
)
from .certificates import explain_certificate
from .network import content_problem, dns_problem, tcp_problem
from .proxy import connect_problem, unusable_proxy
from .tls import handshake_problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..model import Target


@dataclass
class _Path:
    """What the layers below HTTP found for one endpoint, shared by its targets."""

    problem: Problem | None = None
    timings: Timings = field(default_factory=Timings)
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def diagnose(
    targets: Iterable[Target],
    route_for: RouteFactory,
    options: Options,
    on_result: Callable[[TargetResult], None] | None = None,
) -> list[TargetResult]:
    """Diagnose every target; results come back in the order of `targets`."""
    targets = list(targets)
    if options.offline:
        return [_offline(t, options) for t in targets]
    runner = _Runner(route_for, options)
    results: list[TargetResult | None] = [None] * len(targets)
    finished = _run_daemons(runner, targets, options)
    deadline = time.monotonic() + options.deadline
    for _ in targets:
        try:
            index, result = finished.get(
                timeout=max(0.0, deadline + runner.grace - time.monotonic())
            )
        except queue.Empty:
            break
        results[index] = result
        if on_result:
            on_result(result)
    # Whatever is still running has outlived the run's bound: report it as
    # such. The workers are daemon threads: they cannot keep the process alive.
    for index, target in enumerate(targets):
        if results[index] is None:
            results[index] = _overdue(target, options)
            if on_result:
                on_result(results[index])
    return [r for r in results if r is not None]


def _run_daemons(
    runner: _Runner, targets: list[Target], options: Options
) -> queue.Queue[tuple[int, TargetResult]]:
    """Start daemon workers over `targets`; each result arrives on the queue."""
    todo: queue.Queue[tuple[int, Target]] = queue.Queue()
    for item in enumerate(targets):
        todo.put(item)
    finished: queue.Queue[tuple[int, TargetResult]] = queue.Queue()

    def work() -> None:
        while True:
            try:
                index, target = todo.get_nowait()
            except queue.Empty:
                return
            finished.put((index, _guarded(runner, target)))

    for number in range(max(1, min(options.max_workers, len(targets)))):
        threading.Thread(target=work, name=f"netcheck-{number}", daemon=True).start()
    return finished


def _guarded(runner: _Runner, target: Target) -> TargetResult:
    """A bug in a probe is this target's finding, never a traceback or a lost worker."""
    try:
        return runner.run(target)
    except Exception as exc:
        from ..redact import redact_exception

        return TargetResult(
            target,
            Problem(
                Code.INTERNAL_ERROR,
                Layer.CONFIG,
                f"netcheck failed checking this channel: {redact_exception(exc)}",
                fix="please report this as a bug in conda-netcheck",
            ),
        )


def _overdue(target: Target, options: Options) -> TargetResult:
    problem = Problem(
        Code.READ_TIMEOUT,
        Layer.HTTP,
        f"no answer within the run's limit of {options.deadline:g} s",
    )
    return TargetResult(target, _with_fix(problem, target, options))


def _offline(target: Target, options: Options) -> TargetResult:
    problem = Problem(
        Code.OFFLINE_MODE,
        Layer.CONFIG,
        "conda is in offline mode: it will not download anything",
    )
    return TargetResult(target, _with_fix(problem, target, options))


def _with_fix(problem: Problem, target: Target, options: Options) -> Problem:
    """The problem with the catalogue's fix for this target when it has none of its own.

    A new Problem: the layers below HTTP share theirs between the targets of
    one endpoint, and each target's fix names its own channel.
    """
    if problem.fix is not None:
        return problem
    fix = catalogue.fix_for(
        problem,
        target,
        options.commands,
        options.conda_read_timeout,
        waited=options.read_timeout,
    )
    return dataclasses.replace(problem, fix=fix)


class _Runner:
    """Per-run state: the shared endpoint probes and their locks."""

    def __init__(self, route_for: RouteFactory, options: Options) -> None:
        self.route_for = route_for
        self.options = options
        self._paths: dict[tuple, _Path] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        #: seconds added to the run's bound: a broken address family makes
        #: every connection of the fetch wait one connect timeout
        self.grace = 0.0
        self.started = time.monotonic()

    def run(self, target: Target) -> TargetResult:
        start = time.monotonic()
        result = self._run(target)
        result.timings.total = (time.monotonic() - start) * 1000
        if result.problem is not None:
            result.problem = _with_fix(result.problem, target, self.options)
        result.warnings = [_with_fix(w, target, self.options) for w in result.warnings]
        return result

    def _run(self, target: Target) -> TargetResult:
        try:
            route = self.route_for(target.url)
        except Exception as exc:  # a broken setting, reported not raised
            return TargetResult(target, advice.route_problem(exc))
        target.proxy = route.proxy
        target.proxy_source = route.proxy_source
        target.verify = (
            "truststore (the OS store)" if route.ssl_context else route.verify
        )
        url = urlsplit(target.url)
        result = TargetResult(target)
        if route.credentials:
            result.credentials = [c.describe() for c in route.credentials(target.url)]
        if url.scheme in ("http", "https"):
            path = self._path(url.scheme, url.hostname or "", _port(url), route)
            result.timings = Timings(**vars(path.timings))
            result.notes.extend(path.notes)
            result.warnings.extend(path.warnings)
            if path.problem is not None:
                result.problem = path.problem
                return result
        self._fetch(target, route, result)
        return result

    # -- the layers below HTTP, once per endpoint --------------------------

    def _path(self, scheme: str, host: str, port: int, route: Route) -> _Path:
        key = (scheme, host, port, route.proxy, str(route.verify), str(route.cert))
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._paths:
                self._paths[key] = self._probe_path(scheme, host, port, route)
            return self._paths[key]

    def _probe_path(self, scheme: str, host: str, port: int, route: Route) -> _Path:
        """The layers in order: the peer (DNS, TCP), the proxy, then TLS."""
        path = _Path()
        peer = self._peer(scheme, host, port, route, path)
        if peer is None:
            return path
        sock, addresses, what = peer
        sock = self._through_proxy(sock, scheme, host, port, route, path)
        if sock is None:
            return path
        if scheme != "https":
            # Plain HTTP: the GET is the test (through the proxy if any).
            sock.close()
            return path
        self._handshake(sock, host, port, route, path, (addresses, what))
        return path

    def _peer(
        self, scheme: str, host: str, port: int, route: Route, path: _Path
    ) -> tuple[Any, list, str] | None:
        """DNS and TCP to the proxy when one applies, else to the host."""
        opts = self.options
        if route.proxy:
            broken = unusable_proxy(route, scheme, opts.commands)
            if broken:
                path.problem = broken
                return None
            peer_host, peer_port = tunnel.proxy_address(route.proxy)
            what = f"the proxy {peer_host}:{peer_port}"
        else:
            peer_host, peer_port, what = host, port, f"{host}:{port}"
        lookup = dns.resolve(peer_host, peer_port, opts.connect_timeout, opts.resolver)
        path.timings.dns = lookup.elapsed_ms
        failed = dns_problem(lookup)
        connected = None
        if failed is None:
            if len({a[0] for a in lookup.addresses}) > 1:
                connected = self._each_family(lookup.addresses, what, path)
            else:
                connected = tcp.connect(lookup.addresses, opts.connect_timeout)
            path.timings.connect = connected.elapsed_ms
            failed = tcp_problem(connected, what)
        if failed is not None or connected is None:
            path.problem = _at_proxy(failed, route) if failed else None
            if route.proxy and path.problem:
                path.problem = tunnel.try_direct(host, port, path.problem, self.options)
            return None
        path.notes.append(f"connected to {what} ({connected.peer})")
        return connected.sock, lookup.addresses, what

    def _each_family(self, addresses: list, what: str, path: _Path) -> tcp.TcpResult:
        """A dual-stack name: one connect per family at once; a broken one is a warning."""
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
            waits = opts.connect_timeout * (len(opts.filenames) + 1)
            self.grace = max(self.grace, waits)
        elapsed = next(a.elapsed_ms for a in stack.attempts if a.address == stack.peer)
        return tcp.TcpResult(sock=stack.sock, peer=stack.peer, elapsed_ms=elapsed)

    def _through_proxy(
        self, sock: Any, scheme: str, host: str, port: int, route: Route, path: _Path
    ) -> Any:
        """TLS to an https:// proxy, then CONNECT for https channels; None when done."""
        if not route.proxy:
            return sock
        proxy_scheme = urlsplit(tunnel.with_scheme(route.proxy)).scheme
        if proxy_scheme.startswith("socks"):
            # No CONNECT to probe: the GET goes through the SOCKS proxy.
            sock.close()
            return None
        if proxy_scheme == "https":
            # requests speaks TLS to an https:// proxy before anything else.
            sock, path.problem = tunnel.tls_to_proxy(
                sock, tunnel.proxy_address(route.proxy)[0], route, self.options
            )
            if path.problem:
                return None
        if scheme != "https":
            return sock
        opts = self.options
        answer = proxy.connect(sock, host, port, route.proxy, opts.read_timeout)
        path.timings.connect = (path.timings.connect or 0) + (answer.elapsed_ms or 0)
        refused = connect_problem(answer, route.proxy_source)
        if refused:
            path.problem = tunnel.try_direct(host, port, refused, self.options)
            return None
        path.notes.append(f"the proxy opened a tunnel to {host}:{port}")
        return answer.sock

    def _handshake(
        self,
        sock: Any,
        host: str,
        port: int,
        route: Route,
        path: _Path,
        peer: tuple[list, str],
    ) -> None:
        """TLS with the trust conda uses; a certificate error is explained."""
        opts = self.options
        try:
            context = tls.trust_context(route.verify, route.cert, route.ssl_context)
        except (OSError, ValueError) as exc:
            sock.close()
            path.problem = advice.trust_setting_problem(exc, route)
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
        path.problem = failed

        def reopen() -> Any:
            return tunnel.reopen(*peer, host, port, route, self.options)

        if failed.code in catalogue.CERTIFICATE_CODES:
            path.problem = explain_certificate(failed, host, route, reopen, opts)
        else:
            path.problem = (
                transport.explain_handshake(
                    shaken.error,
                    host,
                    port,
                    route,
                    reopen,
                    opts.read_timeout,
                    context,
                )
                or failed
            )

    def _reopener(self, target: Target, route: Route) -> Callable[[], Any]:
        """A way to connect to the target again as _peer did, resolving on use."""
        url = urlsplit(target.url)
        host, port = url.hostname or "", _port(url)
        peer_host, peer_port = (
            tunnel.proxy_address(route.proxy) if route.proxy else (host, port)
        )
        opts = self.options

        def reopen() -> Any:
            lookup = dns.resolve(
                peer_host, peer_port, opts.connect_timeout, opts.resolver
            )
            if lookup.failure is not None:
                raise OSError(f"{peer_host} does not resolve")
            what = f"{peer_host}:{peer_port}"
            return tunnel.reopen(lookup.addresses, what, host, port, route, opts)

        return reopen

    # -- HTTP and content, per target --------------------------------------

    def _fetch(self, target: Target, route: Route, result: TargetResult) -> None:
        """HTTP and content: the repodata formats in conda's order, then the checks on it."""
        opts = self.options
        base = target.url.rstrip("/") + "/"
        for index, filename in enumerate(opts.filenames):
            last = index == len(opts.filenames) - 1
            answer = http.get(
                route.session,
                base + filename,
                opts.connect_timeout,
                opts.read_timeout,
                max_bytes=opts.max_bytes,
            )
            result.redirects = answer.redirects
            if answer.first_byte_ms is not None:
                result.timings.first_byte = answer.first_byte_ms
            if answer.error is not None:
                url = base + filename
                # A 2xx whose body broke off is an incomplete download, not a
                # refusal or a reset: measured by reading it once more.
                cut = answer.status is not None and install_path.index_cut(
                    route, opts, url, filename
                )
                problem = (
                    cut
                    or transport.explain_request(
                        answer.error,
                        target.host,
                        _port(urlsplit(target.url)),
                        filename,
                        route,
                        self._reopener(target, route),
                        opts.read_timeout,
                        https=urlsplit(target.url).scheme == "https",
                    )
                    or advice.request_problem(
                        answer.error,
                        route,
                        target.host,
                        answered=answer.status is not None,
                        timeout=opts.read_timeout,
                    )
                )
                result.problem, result.url_failed = install_path.name_hop(
                    problem, answer.error, url, target
                )
                return
            if answer.header_defects:
                # http.client stops at the bad line: the rest of the headers
                # (Content-Length, Content-Type) would be read as the body.
                result.problem = Problem(
                    Code.NOT_A_CHANNEL,
                    Layer.HTTP,
                    f"the server's answer to {filename} has malformed headers "
                    f"({'; '.join(answer.header_defects)}): the headers after it "
                    "are read as the body",
                    "ask the server's administrators (or the network team, if a "
                    "proxy rewrites the traffic) to fix the response headers",
                )
                return
            skew = _clock_skew(answer)
            if skew is not None and abs(skew) > opts.skew_seconds:
                result.warnings.append(advice.clock_skew_problem(skew))
            status = answer.status or 0
            if status == 404 and not last:
                # Optional formats (shards, .zst) are missing on many servers.
                result.notes.append(f"{filename}: 404, trying the next format")
                continue
            if not 200 <= status < 300:
                result.problem = answers.explain_status(
                    target, route, answer, filename, self._get_ok
                )
                result.url_failed = answer.final_url or answer.url
                return
            self._fetched(target, route, answer, filename, result)
            return

    def _fetched(
        self,
        target: Target,
        route: Route,
        answer: http.HttpResult,
        filename: str,
        result: TargetResult,
    ) -> None:
        """A 2xx: is it repodata, which package formats, how fast, how fresh."""
        opts = self.options
        result.fetched = answer.final_url or answer.url
        problem = content_problem(
            content.inspect(
                filename, answer.headers.get("Content-Type", ""), answer.head
            )
        )
        if problem:
            result.problem = problem
            return
        result.notes.append(
            f"{filename}: {answer.status}, {len(answer.head)} bytes read"
        )
        if filename == "repodata.json":
            warning = answers.package_formats(route, answer, opts)
            result.warnings += [warning] if warning else []
        if answer.elapsed_ms and answer.elapsed_ms > opts.slow_ms:
            result.warnings.append(advice.slow_problem(answer.elapsed_ms))
        upstream = target.upstream if opts.compare_upstream else None
        if upstream:
            note, warning = answers.compare_upstream(
                upstream, filename, answer, self._get_ok
            )
            result.notes.append(note)
            result.warnings += [warning] if warning else []
        # The requests after the index end before the run's bound does.
        until = self.started + opts.deadline + self.grace - 0.5
        after_index.follow(
            target, self.route_for, opts, filename, answer, until
        ).fold_into(result)

    def _get_ok(self, url: str, filename: str) -> http.HttpResult | None:
        """GET url through its own route; the answer when it is a usable 2xx."""
        opts = self.options
        try:
            route = self.route_for(url)
        except Exception:
            return None
        answer = http.get(route.session, url, opts.connect_timeout, opts.read_timeout)
        ok = answer.error is None and 200 <= (answer.status or 0) < 300
        if (
            not ok
            or not content.inspect(
                filename, answer.headers.get("Content-Type", ""), answer.head
            ).fits
        ):
            return None
        return answer


def _port(url: Any) -> int:
    try:
        port = url.port
    except ValueError:
        port = None
    return port or (443 if url.scheme == "https" else 80)


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


def _clock_skew(answer: http.HttpResult) -> float | None:
    """Server clock minus local clock, in seconds, from the Date header."""
    date = answer.headers.get("Date")
    if not date or answer.received_at is None:
        return None
    try:
        server = parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return server - answer.received_at
