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
    from conda.base.context import context

    from ..config.routes import conda_route
    from ..config.targets import conda_targets, repodata_filenames
    from ..diagnosis.runner import diagnose
    from ..model import Options, Status
    from ..output.render import mark
    from ..redact import REDACTOR
    from ..settings import current

    unusable: list = []  # channels conda cannot turn into URLs, as findings
    targets = conda_targets(problems=unusable)
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
    if targets and context.offline:  # network-config reports it and its fix
        lines.append(
            f"{mark(Status.WARNING)} Channels not checked: conda is in offline mode."
        )
    elif targets:
        timeout = current().timeout or TIMEOUT
        options = Options(
            connect_timeout=timeout,
            read_timeout=timeout,
            filenames=repodata_filenames(),
            tar_bz2_only=bool(context.use_only_tar_bz2),
        )
        lines += channel_lines(diagnose(targets, conda_route, options), verbose)
    print("\n".join(lines) + "\n")


def channel_lines(results: list[TargetResult], verbose: bool) -> list[str]:
    """Group the URLs by channel, in the configured order; a line per channel."""
    from ..output.render import target_lines
    from ..redact import REDACTOR

    channels: dict[str, list[TargetResult]] = {}
    for result in results:
        channels.setdefault(result.target.channel, []).append(result)
    lines = []
    for name, group in channels.items():
        lines.append(REDACTOR.text(channel_line(name, group)))
        if verbose:
            for result in group:
                lines += ["  " + line for line in target_lines(result, verbose=True)]
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
