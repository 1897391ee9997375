"""Run the layer probes for every target concurrently and name the first broken layer."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from typing import TYPE_CHECKING, Callable
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
from ..probes.body import load_decoders

# What only a problem needs (the catalogue's fixes, the explainers, the shared
# root fix) is imported where it is used: a healthy run never loads it.
from . import endpoint, follow_index
from .endpoint import Endpoint, port_of
from .index_request import IndexFile, request_index
from .repodata import SHARDS_INDEX

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
    names = options.filenames
    load_decoders(
        zstd=any(n.endswith(".zst") for n in names), msgpack=SHARDS_INDEX in names
    )
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
    done = [r for r in results if r is not None]
    if not any(r.problem for r in done):
        return done
    from .intercept import one_fix_for_roots

    return one_fix_for_roots(done, options.commands)


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
    return TargetResult(target, _with_fix(undecided(problem, options), target, options))


def undecided(problem: Problem, options: Options) -> Problem:
    """A read timeout shorter than conda's is no-answer-yet: conda would still wait.

    netcheck caps its waits to stay fast; a server that answers in 12 s
    works with conda (60 s), so it is neither unreachable nor fine yet.
    """
    if problem.code is not Code.READ_TIMEOUT:
        return problem
    if options.read_timeout >= options.conda_read_timeout:
        return problem
    return Problem(
        Code.NO_ANSWER_YET,
        problem.layer,
        f"{problem.summary}; conda would wait up to {options.conda_read_timeout:g} s",
        details=problem.details,
    )


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
    from . import catalogue

    fix = catalogue.fix_for(
        problem,
        target,
        options.commands,
        options.conda_read_timeout,
        waited=options.read_timeout,
    )
    lines = catalogue.commands_for(
        problem,
        target,
        options.commands,
        options.conda_read_timeout,
        waited=options.read_timeout,
    )
    return dataclasses.replace(problem, fix=fix, commands=lines)


class _Runner:
    """The order of the layers, and the per-run state: each endpoint's probe, the bound."""

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
        #: host:port whose Range support this run has checked (or is checking)
        self._range_checked: set[str] = set()

    def run(self, target: Target) -> TargetResult:
        """One target's result; each problem with the fix for its channel."""
        start = time.monotonic()
        result = self._run(target)
        result.timings.total = (time.monotonic() - start) * 1000
        if result.problem is not None:
            problem = undecided(result.problem, self.options)
            result.problem = _with_fix(problem, target, self.options)
        result.warnings = [_with_fix(w, target, self.options) for w in result.warnings]
        return result

    def _run(self, target: Target) -> TargetResult:
        """The route, the endpoint below HTTP, the index, then what follows it."""
        try:
            route = self.route_for(target.url)
        except Exception as exc:  # a broken setting, reported not raised
            from .advice import route_problem

            return TargetResult(target, route_problem(exc))
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
        index = request_index(target, route, self.route_for, self.options)
        index.fold_into(result)
        if index.found is not None:
            self._follow(target, index.found).fold_into(result)
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
            from .proxy import unusable_proxy

            broken = unusable_proxy(route, scheme, opts.commands)
            if broken:
                return Endpoint(problem=broken)
        return endpoint.probe(scheme, host, port, route, opts, self._extend)

    def _extend(self, seconds: float) -> None:
        """Add to the run's bound: a broken family makes each connection wait."""
        self.grace = max(self.grace, seconds)

    # -- what follows the index, per target --------------------------------

    def _follow(self, target: Target, index: IndexFile) -> follow_index.Followed:
        """The requests after the index, ended before the run's bound is."""
        until = self.started + self.options.deadline + self.grace - 0.5
        return follow_index.follow(
            target,
            self.route_for,
            self.options,
            index.filename,
            index.answer,
            until,
            self._claim_range,
        )

    def _claim_range(self, address: str) -> bool:
        """True once per host:port: its Range support is told once, not per channel."""
        with self._guard:
            if address in self._range_checked:
                return False
            self._range_checked.add(address)
            return True
