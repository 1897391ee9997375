"""Hints appended to conda's network errors: instant, no network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

NETWORK_ERRORS = ("CondaHTTPError", "CondaSSLError", "ProxyError", "OfflineError")


def is_network_error(error: Any) -> bool:
    """conda's network error classes, matched by name (they moved between releases)."""
    return any(cls.__name__ in NETWORK_ERRORS for cls in type(error).__mro__)


def error_hints(error: Any) -> Iterator[Any]:
    """The netcheck hint, then any cause the configuration check already names."""
    if not is_network_error(error):
        return
    from conda.plugins.types import CondaErrorHint

    from .config.checks import config_findings
    from .config.netconfig import from_conda
    from .model import Status
    from .redact import REDACTOR

    yield CondaErrorHint(
        text="Run `conda netcheck` to find which network layer fails and how to fix it.",
        hint_code="netcheck_run",
    )
    try:
        findings = config_findings(from_conda())
    except Exception:  # a hint must never make conda's error handling fail
        return
    for finding in findings:
        if finding.status is Status.OK:
            continue
        text = finding.summary + (f"; fix: {finding.fix}" if finding.fix else "")
        yield CondaErrorHint(
            text=REDACTOR.text(text), hint_code=f"netcheck_{finding.check.lower()}"
        )
