"""conda doctor check `network-config`: offline mode, CA bundles, timeouts; no network."""

from __future__ import annotations

NAME = "network-config"
SUMMARY = "Check network settings (offline mode, CA bundles, proxies, timeouts) without using the network"


def check(prefix: str, verbose: bool) -> None:
    """Print a mark per problem found, or one OK line."""
    from ..checks import config_findings
    from ..findings import Status
    from ..netconfig import from_conda
    from ..render import finding_lines, mark

    findings = config_findings(from_conda())
    if not findings:
        print(f"{mark(Status.OK)} The network configuration has no known problem.\n")
        return
    for finding in findings:
        print("\n".join(finding_lines(finding)))
    print()
