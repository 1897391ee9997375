"""The requests after the index: bounded GETs through conda's session, and what they found.

Both halves of the walk after the index (the index formats, then the packages)
ask through one Fetcher, so they share the run's remaining time and add to one
Followed.

Requests that do not need each other's answer (the index beside the shards,
each package, a package and its Range check) are sent at once on a slow link:
each goes through a `fork()` of the fetcher, and `absorb()` then adds their
findings in conda's order, as if they had been sent one after another (nothing
after the first problem), so the answer does not depend on which came first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..probes import body as bodies
from . import advice, download_problems

if TYPE_CHECKING:
    from ..model import Options, Problem, Resource, RouteFactory, Target, TargetResult


@dataclass
class Followed:
    """What the requests after the index found, to fold into a TargetResult."""

    problem: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reached: list[str] = field(default_factory=list)
    resource: Resource | None = None
    url_failed: str | None = None

    def fold_into(self, result: TargetResult) -> None:
        """Add these findings to a target's result (before it is returned)."""
        result.problem = result.problem or self.problem
        result.warnings.extend(self.warnings)
        result.notes.extend(self.notes)
        result.reached.extend(u for u in self.reached if u not in result.reached)
        if self.problem is not None:
            result.resource = self.resource
            result.url_failed = self.url_failed


class Fetcher:
    """Bounded GETs for one target within the run's time, their findings in `out`."""

    def __init__(
        self,
        target: Target,
        route_for: RouteFactory,
        options: Options,
        until: float | None = None,
        claim_range: Callable[[str], bool] | None = None,
    ):
        self.target = target
        self.route_for = route_for
        self.options = options
        self.out = Followed()
        self.end = time.monotonic() + options.connect_timeout + options.read_timeout
        if until is not None:
            self.end = min(self.end, until)
        #: True the first time a host:port is named in the run: its Range support
        #: is checked and told once, not once per channel and subdir on it.
        self.claim_range = claim_range or (lambda _address: True)

    def fork(self) -> Fetcher:
        """A fetcher for requests sent beside this one's: same bound, its own findings."""
        child = Fetcher(
            self.target, self.route_for, self.options, self.end, self.claim_range
        )
        child.end = self.end
        return child

    def absorb(self, *children: Fetcher) -> None:
        """The forks' findings in the order given, up to and including the first problem."""
        for child in children:
            if self.out.problem is not None:
                return
            found = child.out
            self.out.warnings.extend(found.warnings)
            self.out.notes.extend(found.notes)
            self.out.reached.extend(
                u for u in found.reached if u not in self.out.reached
            )
            if found.problem is not None:
                self.fail(found.problem, found.resource, found.url_failed or "")

    def timeouts(self, left: float) -> tuple[float, float]:
        """Connect and read timeouts that fit in what is left of the run."""
        # A third each: a name whose first address does not answer costs two
        # connects (the next address is tried), then the read.
        return (
            min(self.options.connect_timeout, left / 3),
            min(self.options.read_timeout, left / 3),
        )

    def fail(self, problem: Problem, resource: Resource, url: str) -> None:
        """Record the problem that ends the walk, with the resource and URL it names."""
        self.out.problem = problem
        self.out.resource = resource
        self.out.url_failed = url

    def get(
        self,
        url: str,
        max_bytes: int,
        resource: Resource,
        what: str,
        why: str,
        headers: dict[str, str] | None = None,
        missing_ok: bool = False,
    ) -> bodies.Body | None:
        """One bounded GET through conda's session for url; None (and a problem) on failure.

        missing_ok: a 404 is a note, not a problem (an optional format).
        """
        left = self.end - time.monotonic()
        if left <= 0.2:
            self.out.notes.append(f"{what}: not fetched, the run's time is up")
            return None
        try:
            route = self.route_for(url)
        except Exception as exc:
            self.fail(advice.route_problem(exc), resource, url)
            return None
        connect, read = self.timeouts(left)
        got = bodies.fetch(route.session, url, connect, read, max_bytes, headers)
        self.out.reached.append(url)
        hops = (*got.redirects, got.final_url or got.failed_url or url)
        self.out.reached.extend(u for u in hops if u not in self.out.reached)
        if got.redirects:
            self.out.notes.append(
                f"{what}: redirected to {download_problems.shown(got.final_url or url)}"
            )
        if missing_ok and got.status == 404:
            self.out.notes.append(f"{what}: 404, conda reads the next format")
            return None
        problem = download_problems.answer_problem(
            got, route, self.target, what, why, resource, self.options
        )
        if problem is not None:
            self.fail(problem, resource, got.failed_url or got.final_url or url)
            return None
        return got

    def probe(
        self, url: str, max_bytes: int, headers: dict[str, str]
    ) -> bodies.Body | None:
        """A GET only looked at (nothing recorded); None without a route or time left."""
        try:
            route = self.route_for(url)
        except Exception:
            return None
        left = self.end - time.monotonic()
        if left <= 0.2:
            return None
        return bodies.fetch(
            route.session, url, *self.timeouts(left), max_bytes, headers
        )


def together(calls: list[Callable[[], None]], until: float) -> None:
    """Run the calls at once (each bounded by its own timeouts); return when all end.

    A call still running at `until` (plus a second for its answer to be read)
    is left behind: its fork's findings are then whatever it found so far. An
    exception in a call is raised here, in the caller's thread, as if the calls
    had run one after another: a bug stays the target's finding.
    """
    if len(calls) == 1:
        calls[0]()
        return
    raised: list[BaseException] = []

    def guarded(call: Callable[[], None]) -> None:
        try:
            call()
        except BaseException as exc:  # handed to the caller below
            raised.append(exc)

    threads = [
        threading.Thread(
            target=guarded, args=(call,), name="netcheck-fetch", daemon=True
        )
        for call in calls
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, until + 1.0 - time.monotonic()))
    if raised:
        raise raised[0]
