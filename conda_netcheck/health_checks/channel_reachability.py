"""conda doctor check `channel-reachability`: a quick verdict per channel, short timeouts."""

from __future__ import annotations

NAME = "channel-reachability"
SUMMARY = (
    "Check that every configured channel answers (run `conda netcheck` for details)"
)

#: doctor runs many checks: keep this one short.
TIMEOUT = 3.0


def check(prefix: str, verbose: bool) -> None:
    """One line per channel URL: reachable, or the diagnosis and its fix."""
    from conda.base.context import context

    from ..config.routes import conda_route
    from ..config.targets import conda_targets, repodata_filenames
    from ..diagnosis.runner import diagnose
    from ..model import Options, Report
    from ..output.render import target_lines, verdict

    targets = conda_targets()
    if not targets:
        print("No channels are configured.\n")
        return
    options = Options(
        connect_timeout=TIMEOUT,
        read_timeout=TIMEOUT,
        filenames=repodata_filenames(),
        offline=bool(context.offline),
    )
    report = Report(targets=diagnose(targets, conda_route, options))
    for result in report.targets:
        print("\n".join(target_lines(result, verbose)))
    print(verdict(report) + "\n")
