"""What the network run adds to the configuration findings."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..model import Code, Status

if TYPE_CHECKING:
    from ..model import Finding, TargetResult


def with_expired_roots_in_use(
    findings: list[Finding], results: list[TargetResult]
) -> list[Finding]:
    """Expired certificates in a bundle warn only when a channel is verified with them.

    A bundle with a few expired roots beside valid ones verifies every chain
    that does not end at one of them; a channel that fails as expired while
    verified against that bundle may be one that does.
    """
    expired = {
        str(r.target.verify)
        for r in results
        if r.problem is not None and r.problem.code is Code.TLS_EXPIRED
    }
    return [
        dataclasses.replace(f, status=Status.WARNING)
        if f.expired_in is not None and f.expired_in in expired
        else f
        for f in findings
    ]
