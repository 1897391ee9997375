"""conda doctor check `network-last-failure`: check the URL of conda's last network failure again."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..failure.replay import LastFailureCheck

NAME = "network-last-failure"
SUMMARY = "Check again the URL of conda's last recorded network failure"

TIMEOUT = 3.0


def check(prefix: str, verbose: bool) -> None:
    """A marked line: the failure still happens (and where), or no longer does."""
    from ..model import Status
    from ..output.render import mark
    from ..run import Arguments, from_conda

    built = from_conda(Arguments(fallback_timeout=TIMEOUT))
    settings = built.settings
    failure = built.recorded_failure()
    if failure is None:
        hours = f"{settings.last_failure_hours:g}"
        print(
            f"{mark(Status.OK)} No network failure was recorded in the last {hours} hours.\n"
        )
        return
    checked = built.replay(failure)
    print("\n".join(replay_lines(checked, verbose)) + "\n")


def replay_lines(checked: LastFailureCheck, verbose: bool) -> list[str]:
    """One line in conda's style; the error, the URL and the fix with --verbose."""
    from ..failure.record import ago
    from ..failure.replay import FORGET
    from ..model import Status
    from ..output.render import mark
    from ..redact import REDACTOR

    failure = checked.failure
    what = f"The last failure (`{failure.command}`, {ago(failure.when)})"
    result = checked.result
    if not checked.configured:
        line = (
            f"{mark(Status.OK)} {what} was at {failure.url}, which is no longer "
            f"configured; `{FORGET}` clears the record"
        )
    elif result is None:
        line = f"{mark(Status.WARNING)} {what} has no URL to check: {failure.error}"
    elif result.problem is not None and not checked.still_failing:
        # no answer within this check's wait, while conda would still wait
        problem = result.problem
        line = (
            f"{mark(Status.WARNING)} {what} is not known to happen again "
            f"({problem.code.value}): {problem.summary}"
        )
    elif not checked.still_failing:
        line = (
            f"{mark(Status.OK)} {what} no longer happens: {failure.url} answers now; "
            f"`{FORGET}` clears the record"
        )
    else:
        problem = result.problem
        line = (
            f"{mark(Status.ERROR)} {what} still happens at the {problem.layer.value} "
            f"layer ({problem.code.value}): {problem.summary}"
        )
    lines = [line]
    if verbose:
        lines.append(f"    error: {failure.error}")
        if failure.url:
            lines.append(f"    url: {failure.url}")
        if result is not None and result.problem and result.problem.fix:
            lines.append(f"    fix: {result.problem.fix}")
    return [REDACTOR.text(text) for text in lines]
