"""Check the URL of conda's last recorded network failure again, through the same route.

The record is redacted, so the URL is never rebuilt from its text: it is
matched, credentials and tokens aside, against the channels configured now,
and the configured URL (with its credentials) is what gets checked. An index
file is checked the way conda fetches it, through its fallbacks (shards, then
.zst, then repodata.json; current_repodata.json, then repodata.json).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .record import INDEX_FILES, place

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..model import Options, Problem, RouteFactory, Target, TargetResult
    from .record import LastFailure

#: What the redaction leaves in place of a secret: such a URL cannot be sent.
_MARKERS = ("<redacted>", "<TOKEN>", "<password>")
FORGET = "conda netcheck --forget"


@dataclasses.dataclass
class LastFailureCheck:
    """The recorded failure and what checking its URL again found.

    result is None when there was nothing to check: no URL, or (configured
    False) a URL whose channel is no longer configured.
    """

    failure: LastFailure
    result: TargetResult | None = None
    configured: bool = True

    @property
    def still_failing(self) -> bool | None:
        """True/False once checked; None when nothing was checked (no URL, not configured)."""
        from ..model import Status

        if self.result is None:
            return None
        return self.result.status is Status.ERROR


@dataclasses.dataclass(frozen=True)
class Plan:
    """What to request again: the target, the files in conda's order, and whether a package."""

    target: Target
    files: tuple[str, ...]
    package: bool


def conda_files(filename: str, run_files: tuple[str, ...]) -> tuple[str, ...]:
    """The index files conda tries for a recorded one, in order, with the run's settings.

    run_files is conda's path to repodata.json (shards and .zst when enabled);
    current_repodata.json falls back to repodata.json on a 404 (conda's
    SubdirData._load), through .zst the same way.
    """
    if filename.startswith("current_"):
        plain = tuple(f for f in run_files if f.startswith("repodata.json"))
        return tuple(f"current_{f}" for f in plain) + plain
    return run_files


def command_channels(command: str) -> list[str]:
    """The channel URLs a recorded command named with -c/--channel (names are not expanded)."""
    import shlex

    try:
        words = shlex.split(command)
    except ValueError:  # an unbalanced quote: the record is redacted text
        words = command.split()
    found = []
    for at, word in enumerate(words):
        value = None
        if word in ("-c", "--channel") and at + 1 < len(words):
            value = words[at + 1]
        elif word.startswith("--channel="):
            value = word.partition("=")[2]
        elif word.startswith("-c") and len(word) > 2:
            value = word[2:]
        if value and "://" in value:
            found.append(value.rstrip("/"))
    return found


def plan(
    url: str, configured: list[Target], run_files: tuple[str, ...], command: str = ""
) -> Plan | None:
    """What to check for a recorded URL; None when its channel is no longer configured.

    A channel the failed command named with -c counts as configured for it:
    running that command again would ask it again.
    """
    from ..model import Target

    directory, _, filename = url.rstrip("/").rpartition("/")
    index = filename in INDEX_FILES
    files = conda_files(filename, run_files) if index else (filename,)
    where = place(directory)
    for target in configured:
        if place(target.url) == where:
            return Plan(target, files, not index)
    channel, _, subdir = directory.rpartition("/")
    for named in command_channels(command):
        if place(named) == place(channel) and not any(m in url for m in _MARKERS):
            return Plan(
                Target(directory, channel, subdir, "the command that failed"),
                files,
                not index,
            )
    if index or any(marker in url for marker in _MARKERS):
        # An index conda no longer asks for; or a URL whose secrets the
        # record does not hold (never sent as its redacted text).
        return None
    # A package from a host that is not a channel (a CDN behind base_url or a
    # redirect): the record holds it whole.
    return Plan(
        Target(directory, channel, subdir, "the command that failed"), files, True
    )


def check(
    failure: LastFailure,
    route_for: RouteFactory,
    options: Options,
    configured: list[Target],
    package_bytes: int,
) -> LastFailureCheck:
    """Diagnose the recorded URL alone, reading at most package_bytes of a package."""
    from ..diagnosis.runner import diagnose
    from ..model import Layer, Resource

    if not failure.url or urlsplit(failure.url).scheme not in ("http", "https"):
        return LastFailureCheck(failure)
    what = plan(failure.url, configured, options.filenames, failure.command)
    if what is None:
        return LastFailureCheck(failure, configured=False)
    target, filename = what.target, what.files[-1]
    opts = dataclasses.replace(
        options,
        filenames=what.files,
        max_bytes=package_bytes if what.package else options.max_bytes,
        compare_upstream=False,
    )
    (result,) = diagnose([target], route_for, opts)
    if what.package and result.problem:
        # The failing request is the package, not the channel's index.
        problem = result.problem
        if problem.layer is Layer.CONTENT:
            problem = _package_replaced(problem, target, filename)
        result = dataclasses.replace(
            result,
            problem=problem,
            resource=Resource.PACKAGE,
            url_failed=f"{target.url.rstrip('/')}/{filename}",
        )
    return LastFailureCheck(failure, result)


def _package_replaced(problem: Problem, target: Target, filename: str) -> Problem:
    """A package answered by something else (a block page): download-mismatch, as after the index."""
    from ..diagnosis.download_problems import replaced

    content_type = problem.details.content_type or ""
    title = problem.details.title
    # The content probe judged the body itself: markup without a <title>,
    # served as application/octet-stream, is a block page too.
    html = (
        bool(problem.details.html)
        or title is not None
        or "html" in content_type.lower()
    )
    url = f"{target.url.rstrip('/')}/{filename}"
    return replaced(
        f"the package {filename}",
        url,
        "it is not a conda package",
        content_type,
        html,
        str(title) if title is not None else None,
    )


def lines(
    checked: LastFailureCheck,
    verbose: bool = False,
    channels: list[TargetResult] | None = None,
) -> list[str]:
    """What a person reads: the failure in one line, then whether it still happens.

    channels are the run's results: a cause one of them already shows is
    pointed at, not said twice.
    """
    from ..model import Status
    from ..output.render import mark, target_lines
    from ..redact import REDACTOR
    from .record import ago

    failure = checked.failure
    out = [
        f"The last failure (`{failure.command}`, {ago(failure.when)}): "
        + REDACTOR.text(failure.error)
    ]
    result = checked.result
    if not checked.configured:
        out += [
            f"{mark(Status.OK)} {failure.url} is no longer configured: conda does "
            "not ask for it any more",
            f"    `{FORGET}` clears this record",
        ]
        return [REDACTOR.text(line) for line in out]
    if result is None:
        out.append("    (no URL was recorded: the channels are checked above)")
        return out
    if result.problem is None or result.status is not Status.ERROR:
        if result.problem is None:
            out.append(
                f"{mark(result.status)} it no longer fails: {failure.url} answers now"
            )
        else:  # no answer within netcheck's wait, where conda would still wait
            out.append(f"{mark(result.status)} not known to fail: {failure.url}")
            out += target_lines(result, verbose)[1:]
        out.append(f"    `{FORGET}` clears this record")
        return [REDACTOR.text(line) for line in out]
    problem = result.problem
    assert problem is not None
    out.append(
        f"{mark(result.status)} it still fails at the {problem.layer.value} layer: "
        f"{failure.url}"
    )
    same = _shown_by(result, channels or [])
    if same is not None:
        out.append(
            f"    {problem.code.value} ({problem.layer.value}): the same cause as "
            f"{same.target.channel_url} above"
        )
    else:
        out += target_lines(result, verbose)[1:]
    return [REDACTOR.text(line) for line in out]


def _shown_by(
    result: TargetResult, channels: list[TargetResult]
) -> TargetResult | None:
    """The channel result that already shows this cause: the same code at the same place."""
    problem = result.problem
    for other in channels:
        if (
            other.problem is not None
            and other.problem.code is problem.code
            and other.problem.summary == problem.summary
            and place(other.target.url)[:3] == place(result.target.url)[:3]
        ):
            return other
    return None


class Pending:
    """A replay running beside the main run, under the same time bound."""

    def __init__(
        self,
        failure: LastFailure,
        route_for: RouteFactory,
        options: Options,
        configured: list[Target],
        package_bytes: int,
        on_result: Callable[[TargetResult], None] | None = None,
    ) -> None:
        import threading

        self.failure = failure
        self.options = options
        self._checked: LastFailureCheck | None = None

        def work() -> None:
            try:
                checked = check(failure, route_for, options, configured, package_bytes)
            except Exception:  # reported as unchecked, never a traceback
                checked = LastFailureCheck(failure)
            self._checked = checked
            if on_result and checked.result is not None:
                on_result(checked.result)

        self._thread = threading.Thread(
            target=work, name="netcheck-last-failure", daemon=True
        )
        self._thread.start()

    def wait(self) -> LastFailureCheck:
        """The replay's outcome; unchecked if it outlives the run's bound (it cannot)."""
        # diagnose() ends within options.deadline plus a broken family's grace.
        self._thread.join(self.options.deadline * 2 + 5)
        return self._checked or LastFailureCheck(self.failure)
