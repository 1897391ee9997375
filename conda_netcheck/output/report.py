"""One redacted Markdown file for the network team: what broke, and what to allow.

The reader is a network engineer who has never run conda: the document says
what was checked, from where, through which proxy, what each layer answered,
which host:port to allow where, and the verdict in their words. Every string
is redacted, and the whole document once more at the end.
"""

from __future__ import annotations

import platform
import re
import ssl
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..config.commands import for_config
from ..config.netconfig import ENV_VARIABLES, NETWORK_KEYS
from ..diagnosis.catalogue import Actor, Subject, action_for
from ..fixtext import Fix
from ..model import Code, Status
from ..redact import REDACTOR
from ..urls import shown_address
from .allowlist import (
    DIRECT,
    PROXY,
    THROUGH_PROXY,
    allowlist,
    allowlist_text,
)
from .render import mark, trust_phrase
from .verdict import Verdict, verdict_of

if TYPE_CHECKING:
    from ..config.commands import Commands
    from ..config.netconfig import NetConfig
    from ..model import Problem, Report, TargetResult
    from .allowlist import Endpoint

#: NetConfig fields and the conda setting each one holds.
CONFIG_FIELDS = (
    ("channels", "channels"),
    ("proxy_servers", "proxy_servers"),
    ("ssl_verify", "ssl_verify"),
    ("client_cert", "client_ssl_cert"),
    ("client_key", "client_ssl_cert_key"),
    ("offline", "offline"),
    ("connect_timeout", "remote_connect_timeout_secs"),
    ("read_timeout", "remote_read_timeout_secs"),
)

_VERSION_ALIASES = {
    "netcheck": "conda-netcheck",
    "conda-netcheck": "conda-netcheck",
    "conda": "conda",
    "python": "Python",
    "openssl": "OpenSSL",
    "os": "OS",
    "platform": "OS",
}

# Backslashes before ASCII punctuation are Markdown escapes: double only those,
# so Windows paths read the same raw and rendered.
_BACKSLASH_RE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")


def markdown_report(
    report: Report,
    cfg: NetConfig,
    versions: dict[str, str],
    now: datetime | None = None,
) -> str:
    """The whole redacted, shareable Markdown report."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    endpoints = allowlist(report)
    sections = [
        _title(report, now),
        _verdict(report, for_config(cfg)),
        _targets(report),
        _allowlist(endpoints),
        _findings(report),
        _configuration(cfg),
        _environment(cfg),
        _versions(report, versions),
        _rerun(),
    ]
    document = "\n\n".join(section.strip("\n") for section in sections) + "\n"
    # The final pass is the safety net; escaping "<" afterwards only adds
    # backslashes, so "<redacted>" shows in rendered prose instead of vanishing
    # as an unknown HTML tag.
    return _escape_html(REDACTOR.text(document))


def default_versions(report: Report) -> dict[str, str]:
    """netcheck, conda, Python, OpenSSL and OS versions of this run."""
    return {
        "conda-netcheck": report.netcheck_version or "unknown",
        "conda": report.conda_version or "not importable",
        "Python": platform.python_version(),
        "OpenSSL": ssl.OPENSSL_VERSION,
        "OS": platform.platform(),
    }


# -- sections -----------------------------------------------------------------


def _title(report: Report, now: datetime) -> str:
    checked = len(report.targets)
    return "\n".join(
        [
            "# conda network report",
            "",
            f"Generated {now:%Y-%m-%d %H:%M} UTC by conda-netcheck "
            f"{_md(report.netcheck_version or '')}, on the machine where conda "
            f"runs. It checked {checked} channel URL{'s' if checked != 1 else ''} "
            "conda would download from, layer by layer (DNS, TCP, proxy, TLS, HTTP, "
            "content), and says which host and port to allow where.",
            "",
            "Passwords and tokens are replaced by `<redacted>` and `<TOKEN>`: "
            "this file is safe to share.",
        ]
    )


def _verdict(report: Report, commands: Commands) -> str:
    verdict = verdict_of(report)
    total = verdict.total
    lines = ["## Verdict", ""]
    if not report.targets:
        lines.append("**No channel URL was checked.**")
    elif verdict.failed:
        lines.append(
            f"**{verdict.failed} of {_plural(total, 'channel URL')} cannot be used "
            f"from this machine.** {_causes(verdict)}"
        )
    else:
        extra = f", {verdict.warned} with warnings" if verdict.warned else ""
        which = "The channel URL is" if total == 1 else f"All {total} channel URLs are"
        lines.append(
            f"**{which} reachable{extra}.** Nothing on the network needs to change."
        )
    if verdict.config_errors:
        lines += [
            "",
            f"conda's configuration has {_plural(len(verdict.config_errors), 'error')}, "
            "listed under Findings: fix them first, they hide everything they touch.",
        ]
    actions = _actions(report, commands)
    for actor in (Actor.NETWORK, Actor.YOU, Actor.SERVER):
        items = actions.get(actor)
        if not items:
            continue
        lines += ["", f"### {actor.value}"]
        for (sentence, to_run), channels in items.items():
            # A blank line after the heading and after a code block, none between items.
            if lines[-1].startswith(("###", "  ```")):
                lines.append("")
            lines.append(f"- {_md(sentence)} — {_md(_label(channels))}")
            if to_run:
                lines += ["", "  ```sh"]
                lines += [f"  {command}" for command in to_run]
                lines += ["  ```"]
    return "\n".join(lines).rstrip("\n")


def _causes(verdict: Verdict) -> str:
    """Which fix comes first, or that the failures are independent."""
    if verdict.offline:
        return "conda is in offline mode: nothing was sent."
    first = verdict.first
    if first is None:
        return ""
    if len(verdict.causes) == 1:
        return (
            f"The lowest broken layer is {first.layer.value} (`{first.code.value}` at "
            f"{_code(first.where)}): fix it first, it can hide the layers above."
        )
    listed = ", ".join(
        f"`{c.code.value}` ({c.layer.value}) at {_code(c.where)}"
        for c in verdict.causes
    )
    return (
        f"They fail for {len(verdict.causes)} independent causes ({listed}): each "
        "needs its own fix."
    )


def _targets(report: Report) -> str:
    lines = ["## Targets", ""]
    if not report.targets:
        return "\n".join([*lines, "No channel URL was checked."])
    lines += [
        "Each URL is a channel subdirectory conda downloads `repodata.json` from.",
        "",
        "| # | URL | Channel | Status | Diagnosis | Layer | Route | Total |",
        "|---|-----|---------|--------|-----------|-------|-------|------:|",
    ]
    for index, result in enumerate(report.targets, 1):
        target = result.target
        head = result.headline
        route = f"proxy {_code(_hostport(target.proxy))}" if target.proxy else "direct"
        total = result.timings.as_dict()["total"]
        lines.append(
            _row(
                str(index),
                _code(target.url),
                _code(target.channel),
                f"{mark(result.status).strip()} {result.status.value}",
                _code(head.code.value if head else Code.OK.value),
                head.layer.value if head else "",
                route,
                f"{total:g} ms" if total is not None else "",
            )
        )
    for index, result in enumerate(report.targets, 1):
        lines += ["", *_target_details(index, result)]
    return "\n".join(lines)


def _target_details(index: int, result: TargetResult) -> list[str]:
    target = result.target
    lines = [f"### {index}. {_code(target.url)}", ""]
    problems = ([result.problem] if result.problem else []) + result.warnings
    if not problems:
        lines.append(f"- **Status:** {mark(Status.OK)} ok: reachable")
    for problem in problems:
        lines += _problem_lines(problem)
    source = f", from {_md(target.source)}" if target.source else ""
    lines.append(f"- **Channel:** {_code(target.channel)}{source}")
    if target.proxy:
        origin = f" (from {_md(target.proxy_source)})" if target.proxy_source else ""
        lines.append(f"- **Route:** through the proxy {_code(target.proxy)}{origin}")
    else:
        lines.append("- **Route:** direct connection, no proxy")
    if target.verify is not None:
        lines.append(f"- **Trust:** {_md(trust_phrase(target.verify))}")
    timings = _timings(result)
    if timings:
        lines.append(f"- **Timings:** {timings}")
    chain = [*result.redirects]
    if result.fetched and (not chain or chain[-1] != result.fetched):
        chain.append(result.fetched)
    if result.redirects:
        lines.append("- **Redirect chain:** " + " → ".join(_code(url) for url in chain))
    elif result.fetched:
        lines.append(f"- **Fetched:** {_code(result.fetched)}")
    if result.notes:
        lines.append("- **Details:**")
        lines += [f"  - {_md(note)}" for note in result.notes]
    return lines


def _problem_lines(problem: Problem) -> list[str]:
    lines = [
        f"- **Status:** {mark(problem.status).strip()} {problem.status.value}: "
        f"`{problem.code.value}` at the {problem.layer.value} layer",
        f"- **Cause:** {_md(problem.summary)}",
    ]
    lines += _fix_lines(problem.fix)
    certificate = problem.details.certificate
    if certificate:
        names = ", ".join(certificate.get("names") or []) or "no names"
        lines.append(
            f"- **Certificate presented:** subject {_code(certificate.get('subject'))}, "
            f"issued by {_code(certificate.get('issuer'))}, valid for {_md(names)}, "
            f"until {_md(str(certificate.get('not_after', '?')))}"
        )
    facts = [
        f"{key} {_code(value)}"
        for key, value in REDACTOR.obj(problem.details.as_json()).items()
        if key != "certificate" and value not in (None, "", [], {})
    ]
    if facts:
        lines.append(f"- **Evidence:** {', '.join(facts)}")
    return lines


def _allowlist(endpoints: list[Endpoint]) -> str:
    lines = ["## Allowlist", ""]
    if not endpoints:
        return "\n".join([*lines, "No channel URL was checked: nothing to allow."])
    lines += [
        "Every host and port conda needs for this configuration, redirects "
        "included. One `host:port  # why` per line.",
    ]
    groups = (
        (DIRECT, "From this machine, direct (outbound TCP):"),
        (PROXY, "From this machine to the proxy:"),
        (
            THROUGH_PROXY,
            "On the proxy: let these through (CONNECT for https, a forwarded GET "
            "for http). This machine does not connect to them directly.",
        ),
    )
    for kind, intro in groups:
        chosen = [e for e in endpoints if e.kind == kind]
        if chosen:
            lines += ["", intro, "", "```text", allowlist_text(chosen), "```"]
    return "\n".join(lines)


def _findings(report: Report) -> str:
    lines = ["## Findings", ""]
    if not report.findings:
        return "\n".join(
            [*lines, "conda's configuration raised no finding without the network."]
        )
    lines += [
        "Checks of conda's configuration, made without the network.",
        "",
        "| Status | Check | Diagnosis | Summary | Fix |",
        "|--------|-------|-----------|---------|-----|",
    ]
    for finding in report.findings:
        status = finding.status or Status.ERROR
        lines.append(
            _row(
                f"{mark(status).strip()} {status.value}",
                _md(finding.check),
                _code(finding.code.value),
                _md(finding.summary),
                _md(finding.fix or ""),
            )
        )
    return "\n".join(lines)


def _configuration(cfg: NetConfig) -> str:
    lines = ["## Configuration", ""]
    if not cfg.conda:
        lines += [
            "conda's configuration was **not read** (conda is not importable here, "
            "or cannot load it): "
            "only the environment variables below apply.",
            "",
        ]
    lines += [
        "conda's settings that change how it connects, and where each is set "
        "(as `conda config --show-sources`, network keys only).",
        "",
        "| Setting | Value | Set in |",
        "|---------|-------|--------|",
    ]
    shown = set()
    for name, key in CONFIG_FIELDS:
        shown.add(key)
        lines.append(
            _row(
                _code(key), _value(getattr(cfg, name, None)), _md(str(cfg.source(key)))
            )
        )
    for key in NETWORK_KEYS:
        if key in shown:
            continue
        value = getattr(cfg, key, None)
        if key in cfg.sources or value not in (None, "", [], {}):
            # A key netcheck does not keep (channel_alias, custom_channels...).
            text = (
                _value(value) if value is not None else f"`conda config --show {key}`"
            )
            lines.append(_row(_code(key), text, _md(str(cfg.source(key)))))
    for where, servers in cfg.anaconda_auth_proxies.items():
        lines.append(_row("anaconda-auth `proxy_servers`", _value(servers), _md(where)))
    return "\n".join(lines)


def _environment(cfg: NetConfig) -> str:
    lines = ["## Environment variables", ""]
    env = {name: cfg.env[name] for name in ENV_VARIABLES if name in cfg.env}
    env.update({k: v for k, v in cfg.env.items() if k not in env})
    if not env:
        return "\n".join(
            [
                *lines,
                "None of the variables that change conda's connections is set "
                f"(looked for {', '.join(f'`{n}`' for n in ENV_VARIABLES)}).",
            ]
        )
    lines += [
        "Set in conda's environment; values redacted.",
        "",
        "| Variable | Value |",
        "|----------|-------|",
    ]
    for name, value in env.items():
        lines.append(_row(_code(name), _code(_redact_setting(value))))
    return "\n".join(lines)


def _versions(report: Report, versions: dict[str, str]) -> str:
    merged = default_versions(report)
    for name, value in versions.items():
        merged[_VERSION_ALIASES.get(name.lower(), name)] = value
    lines = ["## Versions", "", "| Component | Version |", "|-----------|---------|"]
    lines += [_row(_md(name), _code(value)) for name, value in merged.items()]
    return "\n".join(lines)


def _rerun() -> str:
    return "\n".join(
        [
            "## Checking again",
            "",
            "After a change, run on the same machine:",
            "",
            "```sh",
            "conda netcheck -v",
            "conda netcheck --report conda-network-report.md",
            "```",
        ]
    )


# -- the verdict in plain words -----------------------------------------------


@dataclass(frozen=True)
class _Affected:
    """What an action is for: a channel, or a configuration check."""

    name: str
    check: bool = False


Actions = dict[Actor, dict[tuple[str, tuple[str, ...]], list[_Affected]]]


def _actions(report: Report, commands: Commands) -> Actions:
    """actor -> {(sentence, commands): what it affects}, in the order first seen."""
    actions: Actions = {}
    for result in report.targets:
        if result.problem is None:
            continue
        # A request after the index (a package or shard host, a redirect hop)
        # is said of the host that failed, not of the channel's.
        target = result.target
        if result.url_failed:
            target = replace(target, url=result.url_failed.rsplit("/", 1)[0])
        action = action_for(Subject(target, result.problem, commands))
        key = (action.sentence, action.commands)
        affected = actions.setdefault(action.actor, {}).setdefault(key, [])
        if _Affected(result.target.channel) not in affected:
            affected.append(_Affected(result.target.channel))
    for finding in report.findings:
        if finding.status is Status.ERROR:
            sentence = finding.summary + (
                f"; fix: {finding.fix}" if finding.fix else ""
            )
            key = (sentence, ())
            actions.setdefault(Actor.YOU, {}).setdefault(key, []).append(
                _Affected(finding.check, check=True)
            )
    return actions


# -- formatting -----------------------------------------------------------------


def _fix_lines(fix: str | None) -> list[str]:
    """The fix: its sentence, a numbered line per step, the other way, the why."""
    if not fix:
        return []
    if not isinstance(fix, Fix):
        return [f"- **Fix:** {_md(fix)}"]
    lines = [f"- **Fix:** {_md(fix.sentence)}"]
    lines += [f"  {n}. {_md(step)}" for n, step in enumerate(fix.steps, 1)]
    if fix.otherwise:
        lines.append(f"  - else: {_md(fix.otherwise)}")
    if fix.why:
        lines.append(f"  - why: {_md(fix.why)}")
    return lines


def _md(text: Any) -> str:
    """Redacted prose for Markdown: HTML-looking masks and table pipes escaped."""
    text = REDACTOR.text(str(text)).replace("\r", " ").replace("\n", " ")
    text = _BACKSLASH_RE.sub(r"\\\\", text)
    return text.replace("|", "\\|")


def _code(text: Any) -> str:
    """Redacted inline code; `<redacted>` stays visible there."""
    if text is None or text == "":
        return "—"
    text = REDACTOR.text(str(text)).replace("\r", " ").replace("\n", " ")
    # GFM splits table cells on "|" even inside code spans.
    text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape_html(document: str) -> str:
    """Escape "<" outside code spans and fenced blocks: Markdown reads it as HTML."""
    lines = []
    fenced = False
    for line in document.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            lines.append(line)
            continue
        lines.append(line if fenced else _escape_line(line))
    return "\n".join(lines)


def _escape_line(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        if line[i] == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            fence = "`" * run
            end = _closing(line, i + run, fence)
            if end is not None:
                out.append(line[i : end + run])
                i = end + run
                continue
            out.append(fence)
            i += run
            continue
        out.append("\\<" if line[i] == "<" else line[i])
        i += 1
    return "".join(out)


def _closing(line: str, start: int, fence: str) -> int | None:
    """Where the backtick run equal to ``fence`` closing a code span starts."""
    i = line.find(fence, start)
    while i != -1:
        before = line[i - 1] if i > 0 else ""
        after = line[i + len(fence) : i + len(fence) + 1]
        if before != "`" and after != "`":
            return i
        i = line.find(fence, i + 1)
    return None


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _value(value: Any) -> str:
    """A configuration value as inline code, redacted; — when unset."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _code("true" if value else "false")
    if isinstance(value, dict):
        return ", ".join(
            f"{_code(key)}: {_code(_redact_setting(str(item)))}"
            for key, item in REDACTOR.obj(value).items()
        )
    if isinstance(value, (list, tuple)):
        return ", ".join(_code(item) for item in value)
    return _code(_redact_setting(str(value)))


def _redact_setting(value: str) -> str:
    """A setting's value: scheme-less proxies (user:pw@host:port) included."""
    if "@" in value and "://" not in value and " " not in value.strip():
        return REDACTOR.url(value)
    return REDACTOR.text(value)


def _hostport(url: str | None) -> str:
    """host:port of a URL (default port by scheme), without credentials."""
    return shown_address(url)


def _label(affected: list[_Affected]) -> str:
    """ "affects channel a", "affects channels a, b", "from the proxy check"."""
    checks = [a.name for a in affected if a.check]
    channels = [a.name for a in affected if not a.check]
    parts = []
    if channels:
        noun = "channel" if len(channels) == 1 else "channels"
        parts.append(f"affects {noun} {', '.join(channels)}")
    if checks:
        noun = "check" if len(checks) == 1 else "checks"
        parts.append(f"from the {', '.join(checks)} {noun}")
    return "; ".join(parts)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _timings(result: TargetResult) -> str:
    return " · ".join(result.timings.parts())
