"""Check the URL of conda's last recorded network failure again, through the same route."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from .lastfailure import LastFailure
    from .model import Options, Problem, RouteFactory, Target, TargetResult

PACKAGE_SUFFIXES = (".conda", ".tar.bz2")


@dataclasses.dataclass
class LastFailureCheck:
    """The recorded failure and what checking its URL again found (None: no URL)."""

    failure: LastFailure
    result: TargetResult | None = None

    @property
    def still_failing(self) -> bool | None:
        """True/False once checked; None when the record has no URL to check."""
        if self.result is None:
            return None
        return self.result.problem is not None


def target_for(url: str, configured: list[Target]) -> tuple[Target, str]:
    """The Target (a directory URL) and file name for a recorded URL.

    The record is redacted: when a configured channel URL (with its
    credentials) redacts to the recorded directory, that one is used, so the
    check sends what conda sent.
    """
    from .model import Target
    from .redact import REDACTOR

    directory, _, filename = url.rstrip("/").rpartition("/")
    for target in configured:
        if REDACTOR.url(target.url).rstrip("/") == directory:
            return target, filename
    parts = urlsplit(directory)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    subdir = clean.rsplit("/", 1)[-1]
    channel = clean.rsplit("/", 1)[0]
    return Target(clean, channel, subdir, "the command that failed"), filename


def check(
    failure: LastFailure,
    route_for: RouteFactory,
    options: Options,
    configured: list[Target],
    package_bytes: int,
) -> LastFailureCheck:
    """Diagnose the recorded URL alone, reading at most package_bytes of a package."""
    from .diagnosis.runner import diagnose
    from .model import Layer, Resource

    if not failure.url or urlsplit(failure.url).scheme not in ("http", "https"):
        return LastFailureCheck(failure)
    target, filename = target_for(failure.url, configured)
    is_package = filename.endswith(PACKAGE_SUFFIXES)
    opts = dataclasses.replace(
        options,
        filenames=(filename,),
        max_bytes=package_bytes if is_package else options.max_bytes,
        compare_upstream=False,
    )
    (result,) = diagnose([target], route_for, opts)
    if is_package and result.problem:
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
    from .diagnosis.install_path import replaced

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


def lines(checked: LastFailureCheck, verbose: bool = False) -> list[str]:
    """What a person reads: the failure in one line, then whether it still happens."""
    from .lastfailure import ago
    from .output.render import mark, target_lines
    from .redact import REDACTOR

    failure = checked.failure
    out = [
        f"The last failure (`{failure.command}`, {ago(failure.when)}): "
        + REDACTOR.text(failure.error)
    ]
    result = checked.result
    if result is None:
        out.append("    (no URL was recorded: the channels are checked below)")
        return out
    if result.problem is None:
        out.append(
            f"{mark(result.status)} it no longer fails: {failure.url} answers now"
        )
        return out
    problem = result.problem
    out.append(
        f"{mark(result.status)} it still fails at the {problem.layer.value} layer: "
        f"{failure.url}"
    )
    out += target_lines(result, verbose)[1:]
    return out
