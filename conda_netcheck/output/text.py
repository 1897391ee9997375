"""The text output, the same on a terminal and in a pipe: findings, channels, verdict.

Configuration findings come first (they are usually the cause), then one
block per channel in configuration order, its subdirs on one line when they
share the diagnosis; a cause shared by several channels on one host (DNS,
a refused port, a proxy, TLS) is said once; offline mode once. A terminal
also gets a live line on stderr while the checks run, cleared before the
output, which is never reordered.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from ..model import Code, Layer, Status
from ..redact import REDACTOR
from .render import (
    finding_lines,
    indented_fix,
    mark,
    problem_lines,
    verbose_lines,
)
from .verdict import verdict_of

if TYPE_CHECKING:
    from ..model import Problem, Report, TargetResult

#: Layers probed once per endpoint: their cause is the host's, not the channel's.
HOST_LAYERS = (Layer.DNS, Layer.TCP, Layer.PROXY, Layer.TLS)


@dataclass
class _Group:
    """Targets of one channel URL that share their diagnosis."""

    base: str
    name: str
    results: list[TargetResult] = field(default_factory=list)

    @property
    def head(self) -> TargetResult:
        return self.results[0]

    def title(self) -> str:
        subdirs = ", ".join(r.target.subdir for r in self.results)
        name = f"{self.name}; " if self.name else ""
        return f"{mark(self.head.status)} {self.base}  ({name}{subdirs})"


def text(report: Report, verbose: bool = False, header: bool = True) -> str:
    """The whole text output."""
    urls = [r.target.url for r in report.targets]
    lines = header_lines(report, urls) if header else []
    lines += body_lines(report, verbose)
    return "\n".join(lines)


def header_lines(report: Report, urls: list[str]) -> list[str]:
    """What is checked, with which versions; the trust line when a channel uses TLS."""
    count = len(urls)
    conda = f"conda {report.conda_version}" if report.conda_version else "no conda"
    channels = len({url.rstrip("/").rsplit("/", 1)[0] for url in urls})
    what = (
        f"checking {_plural(channels, 'channel')} ({_plural(count, 'URL')})"
        if count
        else "no channel URL to check"
    )
    lines = [f"conda-netcheck {report.netcheck_version} ({conda}): {what}"]
    # Which certificates are trusted matters only when a channel uses TLS.
    if report.trust and any(url.startswith("https://") for url in urls):
        uses, why = report.trust
        lines.append(REDACTOR.text(f"trust: {uses} ({why})"))
    if not report.conda_config_read:
        why = (
            "conda cannot load it"
            if report.conda_version
            else "conda is not importable"
        )
        lines.append(
            f"note: conda's configuration was not read ({why}); "
            "only the environment (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE, "
            "SSL_CERT_FILE) applies"
        )
    return lines


def body_lines(report: Report, verbose: bool = False) -> list[str]:
    """Findings, then the channels, then conda's last failure checked again, then the verdict."""
    lines: list[str] = []
    for finding in report.findings:
        lines += finding_lines(finding, verbose)
    checked = [r for r in report.targets if not _offline(r)]
    lines += _offline_lines(report)
    groups = _groups(checked, verbose)
    shared = _shared_causes(groups)
    told: set[tuple] = set()
    for group in groups:
        lines.append(REDACTOR.text(group.title()))
        key = _cause_key(group.head)
        if key in shared:
            lines += _shared_lines(group, shared[key], key in told)
            told.add(key)
            rest = group.head.warnings
        else:
            rest = [group.head.problem] if group.head.problem else []
            rest += group.head.warnings
        for problem in rest:
            lines += problem_lines(problem, verbose)
        if verbose:
            lines += verbose_lines(group.head)
    if report.last_failure is not None:
        from ..failure.replay import lines as last_failure_lines

        lines += last_failure_lines(report.last_failure, verbose, report.targets)
    if verbose and report.proof_seconds:  # 0: no fix was tried
        lines.append(
            f"fixes tried on a scratch copy of the configuration in "
            f"{report.proof_seconds:g} s"
        )
    lines.append(verdict_of(report).sentence())
    return [REDACTOR.text(line) for line in lines]


def grouped_lines(results: list[TargetResult]) -> list[str]:
    """Each channel URL's subdirs that share a diagnosis as one block: title, cause, fix."""
    lines: list[str] = []
    for group in _groups(results, verbose=False):
        lines.append(REDACTOR.text(group.title()))
        problems = [group.head.problem] if group.head.problem else []
        for problem in problems + group.head.warnings:
            lines += problem_lines(problem, verbose=True)
    return lines


def _offline(result: TargetResult) -> bool:
    return result.problem is not None and result.problem.code is Code.OFFLINE_MODE


def _offline_lines(report: Report) -> list[str]:
    """Offline mode once: the finding says why; the channels it stops are listed."""
    stopped = [r for r in report.targets if _offline(r)]
    if not stopped:
        return []
    names = list(dict.fromkeys(r.target.channel for r in stopped))
    lines = [f"{mark(Status.ERROR)} not checked in offline mode: {', '.join(names)}"]
    said = any(f.code is Code.OFFLINE_MODE for f in report.findings)
    fix = stopped[0].problem.fix if stopped[0].problem else None
    if not said:
        lines += indented_fix(fix)
    return lines


def _groups(results: list[TargetResult], verbose: bool) -> list[_Group]:
    """One group per channel URL and diagnosis, in configuration order."""
    groups: dict[tuple, _Group] = {}
    for result in results:
        base = result.target.channel_url
        name = "" if "://" in result.target.channel else result.target.channel
        # With -v every target keeps its own timings and notes.
        key = (base, name, _signature(result), result.target.url if verbose else "")
        groups.setdefault(key, _Group(base, name)).results.append(result)
    return list(groups.values())


def _signature(result: TargetResult) -> tuple:
    problems = ([result.problem] if result.problem else []) + result.warnings
    return tuple((p.code, p.summary, p.fix) for p in problems)


def _cause_key(result: TargetResult) -> tuple | None:
    problem = result.problem
    if problem is None or problem.layer not in HOST_LAYERS:
        return None
    endpoint = result.target.proxy or result.target.url.split("/")[2]
    return (endpoint, problem.code, problem.summary)


def _shared_causes(groups: list[_Group]) -> dict[tuple, list[_Group]]:
    """Causes found once per host that break more than one channel."""
    by_cause: dict[tuple, list[_Group]] = {}
    for group in groups:
        key = _cause_key(group.head)
        if key is not None:
            by_cause.setdefault(key, []).append(group)
    return {
        key: found
        for key, found in by_cause.items()
        if len({g.base for g in found}) > 1
    }


def _host_lines(groups: list[_Group]) -> list[str]:
    """A cause shared by several channels, said once; the fix once when it is the same."""
    first = groups[0].head.problem
    assert first is not None
    others = ", ".join(dict.fromkeys(g.base for g in groups[1:]))
    lines = problem_lines(first)
    if not _same_fix(groups):  # the fix names the channel: each block keeps its own
        lines = problem_lines(dataclasses.replace(first, fix=None))
        lines[1:1] = indented_fix(first.fix)
    lines.append(f"    the same cause breaks {others} (below)")
    return lines


def _shared_lines(group: _Group, groups: list[_Group], told: bool) -> list[str]:
    """The first channel with a shared cause says it; the others point at it."""
    if not told:
        return _host_lines(groups)
    lines = [
        f"    {_cause_phrase(group.head)}: the same cause as {groups[0].base} above"
    ]
    if not _same_fix(groups) and group.head.problem:
        lines += indented_fix(group.head.problem.fix)
    return lines


def _same_fix(groups: list[_Group]) -> bool:
    return len({g.head.problem.fix for g in groups if g.head.problem}) == 1


def _cause_phrase(result: TargetResult) -> str:
    problem: Problem | None = result.problem
    return f"{problem.code.value} ({problem.layer.value})" if problem else "ok"


class LiveLine:
    """One line on a terminal's stderr that says how far the run is; cleared at the end."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        import threading

        self.total = total
        self.done = 0
        # The last failure's re-check reports from its own thread.
        self._lock = threading.Lock()
        self.stream = stream or sys.stderr
        self.on = self.stream.isatty() and total > 0

    def update(self, result: TargetResult) -> None:
        """Count one finished target and show its channel and mark."""
        with self._lock:
            self.done += 1
            if not self.on:
                return
            line = (
                f"checked {self.done}/{self.total}: {mark(result.status)} "
                f"{REDACTOR.text(result.target.url)}"
            )
            self.stream.write("\r\033[K" + line[:200])
            self.stream.flush()

    def clear(self) -> None:
        """Remove the line before the output is printed."""
        with self._lock:
            if self.on:
                self.stream.write("\r\033[K")
                self.stream.flush()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
