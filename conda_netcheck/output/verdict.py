"""The one verdict of a run: what failed, which fix comes first and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..model import Code, Layer, Status

if TYPE_CHECKING:
    from ..config.sources import ProxySource
    from ..model import Finding, Problem, Report

_ORDER = list(Layer)


@dataclass(frozen=True)
class Cause:
    """One independent reason targets fail: a code at an endpoint."""

    code: Code
    layer: Layer
    where: str  # host:port, or the proxy's when one is in between
    count: int  # how many targets it breaks

    def phrase(self) -> str:
        """'connection-refused (tcp) at 127.0.0.1:8080'."""
        return f"{self.code.value} ({self.layer.value}) at {self.where}"


@dataclass(frozen=True)
class Verdict:
    """What one run comes to; the text and the report both say it from here."""

    total: int
    failed: int
    warned: int
    config_errors: tuple[Finding, ...]
    causes: tuple[Cause, ...]  # lowest layer first
    offline: bool
    #: conda's recorded failure when checking its URL again fails too
    last_failure: Problem | None = None
    #: targets that did not answer within netcheck's wait, shorter than conda's
    undecided: int = 0
    conda_read_timeout: float = 60.0

    @property
    def ok(self) -> bool:
        """Nothing failed: warnings only."""
        return not self.failed and not self.config_errors and not self.last_failure

    @property
    def first(self) -> Cause | None:
        """The cause to fix first: the lowest broken layer hides those above it."""
        return self.causes[0] if self.causes else None

    def sentence(self) -> str:
        """The closing line of the text output."""
        if self.ok and self.undecided:
            return f"Verdict: {self._undecided(f'{self.undecided} of {self.total}')}."
        if self.ok:
            extra = f" ({self.warned} with warnings)" if self.warned else ""
            if not self.total:
                return "Verdict: no channel URL was checked."
            return f"Verdict: all {self.total} targets are reachable{extra}."
        parts = []
        if self.config_errors:
            count = len(self.config_errors)
            parts.append(
                f"the configuration has {_plural(count, 'error')}: fix "
                f"{'it' if count == 1 else 'them'} first (a configuration error hides "
                "everything it touches)"
            )
        if self.offline:
            parts.append("no channel was checked in offline mode")
        elif self.failed:
            parts.append(self._failures())
        if self.last_failure is not None:
            problem = self.last_failure
            answer = "the channels answer, but " if not parts else ""
            if any(c.code is problem.code for c in self.causes):
                # The same diagnosis as a channel's: one cause, one fix.
                return (
                    "Verdict: "
                    + "; then ".join(parts)
                    + f"; the last failure is this same cause ({problem.code.value})."
                )
            parts.append(
                f"{answer}the last failure still happens at the {problem.layer.value} "
                f"layer ({problem.code.value}): apply its fix"
                + (" first" if not self.failed and not self.config_errors else "")
            )
        if self.undecided:
            parts.append(self._undecided(f"{self.undecided} more"))
        return "Verdict: " + "; then ".join(parts) + "."

    def _undecided(self, count: str) -> str:
        wait = f"{self.conda_read_timeout:g}"
        return (
            f"{count} {'target' if self.undecided == 1 else 'targets'} did not "
            f"answer within netcheck's wait, while conda waits {wait} s: not known "
            f"to be unreachable; check again with `conda netcheck --timeout {wait}`"
        )

    def _failures(self) -> str:
        head = f"{self.failed} of {self.total} targets unreachable"
        if len(self.causes) == 1:
            first = self.causes[0]
            return (
                f"{head}; the first broken layer is {first.layer.value} "
                f"({first.code.value} at {first.where}): apply its fix first"
            )
        listed = ", ".join(c.phrase() for c in self.causes)
        return (
            f"{head}, for {len(self.causes)} independent causes ({listed}): each "
            "needs its own fix"
        )


def verdict_of(report: Report) -> Verdict:
    """Compute the verdict once from what the run found."""
    failed = [r for r in report.targets if r.status is Status.ERROR]
    causes: dict[tuple[object, ...], list[tuple[Problem, str]]] = {}
    sources: dict[tuple[object, ...], ProxySource | None] = {}
    for result in failed:
        if result.problem is None:
            continue
        # One cause per endpoint (the proxy's when one is in between), not per subdir.
        # After the index, the host that failed (base_url, shards, a redirect hop).
        url = result.url_failed or result.target.url
        where = _endpoint(result.target.proxy or url)
        key = _same_fix(result.problem, where)
        causes.setdefault(key, []).append((result.problem, where))
        sources.setdefault(key, result.target.proxy_source)
    found = {key: _cause(places) for key, places in causes.items()}
    ordered = sorted(_told_apart(found, sources).values(), key=_sort_key)
    return Verdict(
        total=len(report.targets),
        failed=len(failed),
        warned=sum(
            1
            for r in report.targets
            if r.status is Status.WARNING and r not in report.undecided
        ),
        config_errors=tuple(f for f in report.findings if f.status is Status.ERROR),
        causes=tuple(ordered),
        offline=bool(failed)
        and all(r.problem and r.problem.code is Code.OFFLINE_MODE for r in failed),
        last_failure=_still_failing(report),
        undecided=len(report.undecided),
        conda_read_timeout=report.conda_read_timeout,
    )


def _same_fix(problem: Problem, where: str) -> tuple[object, ...]:
    """What makes two failures one cause: one fix solves both.

    Every root conda lacks is added by the run's one command; a problem of
    the configuration is one setting wherever it shows (the same words: the
    same setting); otherwise a code at one endpoint (two names of one server
    share the fix only when the fix's own words do).
    """
    if problem.details.missing_root:
        return ("the roots conda lacks",)
    if problem.layer is Layer.CONFIG:
        return (problem.code, problem.summary)
    return (problem.code, where)


def _cause(found: list[tuple[Problem, str]]) -> Cause:
    """One cause: the first problem's code, every endpoint it was seen at."""
    first = found[0][0]
    places = list(dict.fromkeys(where for _, where in found))
    where = (
        ", ".join(places[:-1]) + f" and {places[-1]}" if len(places) > 1 else places[0]
    )
    return Cause(first.code, first.layer, where, len(found))


def _told_apart(
    causes: dict[tuple[object, ...], Cause],
    sources: dict[tuple[object, ...], ProxySource | None],
) -> dict[tuple[object, ...], Cause]:
    """Causes that read alike, each named with the proxy setting it is in.

    One proxy URL written in two places (proxy_servers.http and .https,
    HTTP_PROXY and HTTPS_PROXY) is two lines to change: say where each is.
    """
    phrases = Counter(c.phrase() for c in causes.values())
    told = {}
    for key, cause in causes.items():
        source = sources.get(key)
        if phrases[cause.phrase()] > 1 and source is not None:
            cause = replace(cause, where=f"{cause.where} in {source.words()}")
        told[key] = cause
    return told


def _still_failing(report: Report) -> Problem | None:
    checked = report.last_failure  # failure.replay.LastFailureCheck
    if checked is None or not checked.still_failing:
        return None
    return checked.result.problem


def _sort_key(cause: Cause) -> tuple[int, str, str]:
    return (_ORDER.index(cause.layer), cause.where, cause.code.value)


def _endpoint(url: str) -> str:
    from ..urls import shown_address, shown_proxy

    # Without an address, the URL as written, its user info as placeholders:
    # a password too short to be redacted as free text must not show.
    return shown_address(url, unusable=shown_proxy(url))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
