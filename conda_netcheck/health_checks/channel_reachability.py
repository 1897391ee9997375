"""conda doctor check `channel-reachability`: one line per channel, short timeouts."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import TargetResult

NAME = "channel-reachability"
SUMMARY = (
    "Check that every configured channel answers (run `conda netcheck` for details)"
)

#: doctor runs many checks: keep this one short (plugins.netcheck_timeout overrides).
TIMEOUT = 3.0


def check(prefix: str, verbose: bool) -> None:
    """One marked line per channel; each URL's cause and fix with --verbose."""
    from ..diagnosis.runner import diagnose
    from ..model import Status
    from ..output.render import mark
    from ..redact import REDACTOR
    from ..run import Arguments, from_conda

    # The configured channels only; doctor runs many checks: short timeouts.
    built = from_conda(Arguments(fallback_timeout=TIMEOUT, extra_urls=False))
    targets, unusable = built.targets, built.unusable
    if not targets and not unusable:
        print(
            f"{mark(Status.ERROR)} No channels are configured: conda has nothing to download from.\n"
        )
        return
    # Never a silent skip: conda fails on such a channel too.
    lines = [
        REDACTOR.text(f"{mark(Status.ERROR)} {f.summary}")
        + (f"\n    fix: {REDACTOR.text(f.fix or '')}" if verbose else "")
        for f in unusable
    ]
    if targets and built.options.offline:  # network-config reports it and its fix
        lines.append(
            f"{mark(Status.WARNING)} Channels not checked: conda is in offline mode."
        )
    elif targets:
        results = diagnose(targets, built.route_for, built.options)
        lines += channel_lines(results, verbose)
    print("\n".join(lines) + "\n")


def channel_lines(results: list[TargetResult], verbose: bool) -> list[str]:
    """Group the URLs by channel, in the configured order; a line per channel."""
    from ..output.text import grouped_lines
    from ..redact import REDACTOR

    channels: dict[str, list[TargetResult]] = {}
    for result in results:
        channels.setdefault(result.target.channel, []).append(result)
    lines = []
    for name, group in channels.items():
        lines.append(REDACTOR.text(channel_line(name, group)))
        if verbose:  # the subdirs that share a cause and fix, once (as netcheck)
            lines += ["  " + line for line in grouped_lines(group)]
    return lines


def channel_line(name: str, group: list[TargetResult]) -> str:
    """The channel's worst result, with the layer it broke at."""
    from ..model import Layer, Status
    from ..output.render import mark

    failed = [r for r in group if r.status is Status.ERROR and r.problem]
    if failed:
        problem = failed[0].problem
        assert problem is not None
        where = (
            f"{len(failed)} of {len(group)} URLs fail" if len(group) > 1 else "fails"
        )
        if problem.layer is Layer.CONFIG:  # network-config names it and its fix
            return f"{mark(Status.ERROR)} {name}: not checked, {problem.code.value} (see network-config)"
        return (
            f"{mark(Status.ERROR)} {name}: {where} at the {problem.layer.value} layer "
            f"({problem.code.value}): {problem.summary}"
        )
    warned = [r for r in group if r.status is Status.WARNING and r.headline]
    if warned:
        warning = warned[0].headline
        assert warning is not None
        return f"{mark(Status.WARNING)} {name}: reachable; {warning.code.value}: {warning.summary}"
    return f"{mark(Status.OK)} {name}: reachable"
