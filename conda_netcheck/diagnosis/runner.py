"""Run the layer probes for every target concurrently and name the first broken layer."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

from ..model import (
    Code,
    Layer,
    Options,
    Problem,
    ProxySource,
    ProxySourceKind,
    Route,
    RouteFactory,
    TargetResult,
    Timings,
)
from ..probes import content, http
from . import advice, after_index, answers, catalogue, endpoint, install_path, transport
from .endpoint import Endpoint, port_of, reopener
from .network import content_problem

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..model import Target


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
    return dataclasses.replace(problem, details=dict(problem.details), fix=fix)


class _Runner:
    """Per-run state: the shared endpoint probes and their locks."""

    def __init__(self, route_for: RouteFactory, options: Options) -> None:
        self.route_for = route_for
        self.options = options
        self._endpoints: dict[tuple, Endpoint] = {}
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
            below = self._endpoint(url.scheme, url.hostname or "", port_of(url), route)
            result.timings = Timings(**vars(below.timings))
            result.notes.extend(below.notes)
            result.warnings.extend(below.warnings)
            if below.problem is not None:
                result.problem = below.problem
                return result
        self._fetch(target, route, result)
        return result

    # -- the layers below HTTP, once per endpoint --------------------------

    def _endpoint(self, scheme: str, host: str, port: int, route: Route) -> Endpoint:
        """The layers below HTTP, probed once per endpoint even under the thread pool."""
        key = (scheme, host, port, route.proxy, str(route.verify), str(route.cert))
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._endpoints:
                self._endpoints[key] = self._probe(scheme, host, port, route)
            return self._endpoints[key]

    def _probe(self, scheme: str, host: str, port: int, route: Route) -> Endpoint:
        """A proxy URL requests cannot use ends it before any traffic; else the layers."""
        opts = self.options
        if route.proxy:
            broken = _unusable_proxy(route, opts, scheme)
            if broken:
                return Endpoint(problem=broken)
        return endpoint.probe(scheme, host, port, route, opts, self._extend)

    def _extend(self, seconds: float) -> None:
        """Add to the run's bound: a broken family makes each connection wait."""
        self.grace = max(self.grace, seconds)

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
                        port_of(urlsplit(target.url)),
                        filename,
                        route,
                        reopener(target.url, route, opts),
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


def _unusable_proxy(route: Route, options: Options, scheme: str) -> Problem | None:
    """A proxy URL requests cannot use: say so before any network traffic."""
    from ..config.proxylint import lint_proxy_url

    lints = lint_proxy_url(
        route.proxy or "",
        setting=_lint_setting(route.proxy_source, scheme),
        commands=options.commands,
    )
    errors = [(summary, fix) for severity, summary, fix in lints if severity == "error"]
    if not errors:
        return None
    summary, fix = errors[0]
    where = route.proxy_source or "the proxy setting"
    return Problem(
        Code.PROXY_MISCONFIGURED,
        Layer.CONFIG,
        f"the proxy URL in {where} cannot be used: {summary}",
        fix,
    )


def _lint_setting(source: ProxySource | None, scheme: str) -> str:
    """The name the proxy lint writes its fix for: proxy_servers.KEY, or the variable."""
    if source is not None and source.kind is ProxySourceKind.SETTING:
        return source.words()
    if source is not None and source.kind is ProxySourceKind.VARIABLE and source.name:
        return source.name
    # The OS settings, or a source that cannot be named: no variable to set,
    # but proxy_servers wins over both (requests prefers the session's proxies).
    return f"proxy_servers.{scheme or 'https'}"


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
