"""conda doctor check `network-config`: offline mode, CA bundles, proxies, timeouts; no network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argparse import Namespace

NAME = "network-config"
SUMMARY = (
    "Check network settings (offline mode, CA bundles, proxies, timeouts) "
    "without using the network"
)
FIX = "Fix proxy URLs, ssl_verify and offline mode in the .condarc that sets them"


def check(prefix: str, verbose: bool) -> None:
    """A marked line per problem found (its fix with --verbose), or one OK line."""
    from ..config.checks import config_findings
    from ..config.netconfig import from_conda
    from ..model import Status
    from ..output.render import finding_lines, mark

    findings = config_findings(from_conda())
    if all(f.status is Status.OK for f in findings):
        print(f"{mark(Status.OK)} The network configuration has no known problem.")
    for finding in findings:
        lines = finding_lines(finding, verbose)  # notes (status ok) only with -v
        if lines:
            print("\n".join(lines if verbose else lines[:1]))
    print()


def fix(prefix: str, args: Namespace, confirm: Any) -> int:
    """Offer each safe fix (never ssl_verify: false), apply what is confirmed, re-check.

    The fixes are planned from a run over the configured channels, as
    `conda netcheck --fix` plans them: what only the network shows (TLS
    inspected by a CA the operating system trusts, a proxy that speaks plain
    HTTP) is offered by both or by neither, and both say why they decline.
    """
    from ..fix.fixers import apply_fixes
    from ..fix.proof import proven_fixes
    from ..run import Arguments, from_conda
    from .channel_reachability import TIMEOUT

    built = from_conda(Arguments(fallback_timeout=TIMEOUT, extra_urls=False))
    report = built.diagnose(built.report())
    # Proven on a scratch copy first, as `conda netcheck --fix` does.
    fixes, reasons = proven_fixes(built, report)
    return apply_fixes(fixes, confirm, recheck=recheck, reasons=reasons)


def recheck(applied: Any) -> tuple[bool, str]:
    """Re-read conda's configuration and run the check the fix was for."""
    from conda.base.context import context, reset_context

    from ..config.checks import config_findings
    from ..config.netconfig import from_conda
    from ..model import Status

    # Keep the command line (--yes, --dry-run) while re-reading the files.
    reset_context(argparse_args=getattr(context, "_argparse_args", None))
    remaining = [
        f
        for f in config_findings(from_conda())
        if f.status is Status.ERROR
        and f.check.split(".")[0] == applied.check.split(".")[0]
    ]
    if remaining:
        return False, f"still failing: {remaining[0].summary}"
    return True, f"{applied.check} now passes"
