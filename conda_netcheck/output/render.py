"""Text for people, JSON for machines; both pass through the redaction."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..model import Resource, Status
from ..redact import REDACTOR

if TYPE_CHECKING:
    from ..fixtext import FixLines
    from ..model import Finding, Problem, Report, TargetResult

# conda >= 26.1 exports these from conda.base.constants; the same characters
# are used so the output fits conda's own (see `marks`).
OK_MARK, X_MARK, WARN_MARK = "✅", "❌", "⚠️ "


def marks() -> tuple[str, str, str]:
    """conda's OK and X marks when conda has them, and a warning mark."""
    try:
        from conda.base.constants import OK_MARK as ok
        from conda.base.constants import X_MARK as x
    except ImportError:
        ok, x = OK_MARK, X_MARK
    return ok, x, WARN_MARK


def mark(status: Status) -> str:
    """The mark for a status."""
    ok, x, warn = marks()
    return {Status.OK: ok, Status.ERROR: x, Status.WARNING: warn}[status]


def to_dict(report: Report) -> dict[str, Any]:
    """The documented JSON document (additions allowed, renames are breaking)."""
    from .allowlist import allowlist, allowlist_json
    from .verdict import verdict_of

    return REDACTOR.obj(
        {
            "ok": report.ok,
            # The closing sentence of the text output, word for word.
            "verdict": verdict_of(report).sentence(),
            "conda_version": report.conda_version,
            "netcheck_version": report.netcheck_version,
            "conda_config_read": report.conda_config_read,
            "targets": [_target_dict(r) for r in report.targets],
            "channels": _channels(report),
            "findings": [_finding_dict(f) for f in report.findings],
            "allowlist": allowlist_json(allowlist(report)),
            "trust": (
                {"uses": report.trust[0], "why": report.trust[1]}
                if report.trust
                else None
            ),
            "last_failure": _last_failure_dict(report),
            # Seconds spent trying the fixes on a scratch copy (0: none to try).
            "proof_seconds": report.proof_seconds,
        }
    )


def _last_failure_dict(report: Report) -> dict[str, Any] | None:
    """The `last_failure` object: conda's recorded failure and its check (None: none)."""
    from datetime import datetime, timezone

    checked = report.last_failure  # a failure.replay.LastFailureCheck
    if checked is None:
        return None
    failure = checked.failure
    return {
        "when": datetime.fromtimestamp(failure.when, timezone.utc).isoformat(),
        "command": failure.command,
        "url": failure.url,
        "error": failure.error,
        "chain": [
            {"type": link.type, "message": link.message} for link in failure.chain
        ],
        "conda_version": failure.conda_version,
        "still_failing": checked.still_failing,
        "configured": checked.configured,
        "target": _target_dict(checked.result) if checked.result else None,
    }


def _target_dict(result: TargetResult) -> dict[str, Any]:
    target = result.target
    head = result.headline
    return {
        "url": target.url,
        "channel": target.channel,
        "subdir": target.subdir,
        "host": target.host,
        "source": target.source,
        "proxy": target.proxy,
        "proxy_source": str(target.proxy_source) if target.proxy_source else None,
        "status": result.status.value,
        "diagnosis": head.code.value if head else "ok",
        "layer": head.layer.value if head else None,
        "summary": head.summary if head else "reachable",
        "fix": head.fix if head else None,
        **_commands(head.commands if head else None),
        "details": head.details.as_json() if head else {},
        "warnings": [_problem_dict(w) for w in result.warnings if w is not head],
        "resource": _resource(result),
        "url_failed": result.url_failed
        or (target.url if result.problem is not None else None),
        "fetched": result.fetched,
        "redirects": result.redirects,
        "credentials": result.credentials,
        "timings_ms": result.timings.as_dict(),
    }


def _channels(report: Report) -> list[dict[str, Any]]:
    """The targets grouped by channel, in configuration order, then by diagnosis."""
    channels: dict[tuple[str, str], list[int]] = {}
    for index, result in enumerate(report.targets):
        target = result.target
        channels.setdefault((target.channel_url, target.channel), []).append(index)
    return [_channel_dict(report.targets, indexes) for indexes in channels.values()]


def _channel_dict(results: list[TargetResult], indexes: list[int]) -> dict[str, Any]:
    """One channel: its worst status, its subdirs grouped by diagnosis."""
    diagnoses: dict[str, dict[str, Any]] = {}
    for index in indexes:
        head = results[index].headline
        code = head.code.value if head else "ok"
        group = diagnoses.setdefault(
            code,
            {
                "diagnosis": code,
                "layer": head.layer.value if head else None,
                "subdirs": [],
                "targets": [],
            },
        )
        group["subdirs"].append(results[index].target.subdir)
        group["targets"].append(index)
    target = results[indexes[0]].target
    worst = max((results[i].status for i in indexes), key=list(Status).index)
    return {
        "channel": target.channel,
        "url": target.channel_url,
        "source": target.source,
        "status": worst.value,
        "diagnoses": list(diagnoses.values()),
    }


def _resource(result: TargetResult) -> str | None:
    """The kind of request that failed: the index unless a later request did."""
    if result.problem is None:
        return None
    return (result.resource or Resource.INDEX).value


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "diagnosis": problem.code.value,
        "layer": problem.layer.value,
        "summary": problem.summary,
        "fix": problem.fix,
        **_commands(problem.commands),
    }


def _commands(lines: FixLines | None) -> dict[str, Any]:
    """The fix's shell lines as printed, what the user supplies, whether it is proven."""
    if lines is None:  # no fix (every healthy target): the fix module stays unloaded
        return {"commands": [], "needs": [], "checked": False, "proof": None}
    # An empty FixLines is false but may still say why (a conflict).
    return {
        "commands": [REDACTOR.text(line) for line in lines.lines],
        "needs": list(lines.needs),
        "checked": lines.checked,
        "proof": REDACTOR.text(lines.proof) if lines.proof else None,
    }


def _finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check,
        "status": finding.status.value,
        "diagnosis": finding.code.value,
        "summary": finding.summary,
        "fix": finding.fix,
        **_commands(finding.commands),
    }


def to_json(report: Report) -> str:
    """One JSON document."""
    return json.dumps(to_dict(report), indent=2, default=str)


def target_lines(result: TargetResult, verbose: bool = False) -> list[str]:
    """The lines for one target: a mark and the URL, then cause and fix if any."""
    target = result.target
    name = "" if "://" in target.channel else f"  ({target.channel})"
    lines = [f"{mark(result.status)} {target.url}{name}"]
    problems = ([result.problem] if result.problem else []) + result.warnings
    for problem in problems:
        lines += problem_lines(problem, verbose)
    if verbose:
        lines += verbose_lines(result)
    return [REDACTOR.text(line) for line in lines]


def problem_lines(problem: Problem, verbose: bool = False) -> list[str]:
    """A problem's code, layer and cause, its fix, and the certificate it is about."""
    lines = [f"    {problem.code.value} ({problem.layer.value}): {problem.summary}"]
    lines += indented_fix(problem.fix, verbose)
    lines += _certificate_lines(problem, verbose)
    return [REDACTOR.text(line) for line in lines]


def _certificate_lines(problem: Problem, verbose: bool) -> list[str]:
    """The presented certificate(s): the leaf in short, the whole chain with -v."""
    details = problem.details
    chain = details.chain or ((details.certificate,) if details.certificate else ())
    if not chain:
        return []
    lines = []
    for index, cert in enumerate(chain if verbose else chain[:1]):
        label = "certificate" if index == 0 else f"  issued by [{index}]"
        names = ", ".join(cert.get("names") or []) or "no names"
        line = f"    {label}: {cert.get('subject')}, issued by {cert.get('issuer')}"
        if index == 0:
            line += f", valid for {names}"
        if verbose:
            line += f" ({cert.get('not_before', '')[:10]} to {cert.get('not_after', '')[:10]})"
        lines.append(line)
    trusted = details.trusted_by
    if trusted:

        def word(value: bool | None) -> str:
            return {True: "accepts", False: "rejects", None: "unknown"}[value]

        lines.append(
            f"    conda's trust {word(trusted.conda)}, certifi's public roots "
            f"{word(trusted.certifi)}, the OS store {word(trusted.os)}"
        )
    return lines


def verbose_lines(result: TargetResult) -> list[str]:
    """With -v: where the URL comes from, the proxy, trust, credentials, timings."""
    target = result.target
    lines = [f"    from: {target.source}"] if target.source else []
    if target.proxy:
        lines.append(f"    proxy: {target.proxy} (from {target.proxy_source})")
    else:
        lines.append("    proxy: none (direct connection)")
    if target.url.lower().startswith("https://"):
        # Which certificates are trusted means nothing to a plain http:// channel.
        lines.append(f"    trust: {trust_phrase(target.verify)}")
    if result.credentials:
        lines.append(f"    credentials: {'; '.join(result.credentials)}")
    parts = result.timings.parts()
    if parts:
        lines.append(f"    timings: {', '.join(parts)}")
    for url in result.redirects:
        lines.append(f"    redirected from: {url}")
    if result.fetched:
        lines.append(f"    fetched: {result.fetched}")
    lines += [f"    then: {url}" for url in result.reached if url != result.fetched]
    lines += [f"    {note}" for note in result.notes]
    return lines


def trust_phrase(verify: bool | str | None) -> str:
    """What a target's certificates are checked against, in words."""
    if verify is False:
        return "none: ssl_verify is false, certificates are not checked"
    if verify is True or verify is None:
        return "certifi's public roots (the default)"
    if str(verify).startswith("truststore"):
        return "the operating system's trust store (truststore)"
    return f"the CA bundle {verify}"


def finding_lines(finding: Finding, verbose: bool = False) -> list[str]:
    """A configuration finding: mark, summary and fix; a note (status ok) only with -v."""
    if finding.status is Status.OK and not verbose:
        return []
    lines = [
        f"{mark(finding.status or Status.ERROR)} {finding.check}: {finding.summary}"
    ]
    lines += indented_fix(finding.fix, verbose)
    return [REDACTOR.text(line) for line in lines]


def indented_fix(fix: str | None, verbose: bool = False) -> list[str]:
    """A fix under its problem: the sentence, its numbered steps, the why with -v."""
    from ..fixtext import fix_lines

    return [REDACTOR.text(f"    {line}") for line in fix_lines(fix, verbose)]


def verdict(report: Report) -> str:
    """One closing line that says what to do first."""
    from .verdict import verdict_of

    return verdict_of(report).sentence()
