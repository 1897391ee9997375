"""Safe fixes for what netcheck finds: .condarc edits that never weaken security, or a shell line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import quote

from ..codes import Code
from ..config.commands import Shell, unset_variable
from ..config.sources import ProxySource, ProxySourceKind, SettingSourceKind
from ..redact import REDACTOR

if TYPE_CHECKING:
    from ..config.netconfig import NetConfig
    from ..model import Problem, Report
    from .condarc import Change

#: Characters that must be percent-encoded in the user info of a proxy URL.
RESERVED_IN_USERINFO = "@:/?# "


@dataclass
class Fix:
    """One proposed fix: a .condarc change to confirm, or a line for the user's shell."""

    check: str  # the finding or setting it answers (e.g. "proxy_servers.https")
    description: str  # one line, no secret
    key: str | None = None  # the .condarc key changed
    change: Change | None = None
    shell: str | None = None  # for settings made by environment variables
    error: str | None = None  # why the file cannot be edited (nothing is changed)
    #: plans the change again from the file as it is now (after earlier fixes)
    replan: Callable[[], Change] | None = None
    secrets: list[str] = field(default_factory=list)  # masked in the diff
    #: secrets shown by a label in the diff instead of the mask
    labels: dict[str, str] = field(default_factory=dict)
    value: Any = None  # the value the key is set to (None: the key is removed)


def plan_fixes(cfg: NetConfig, report: Report | None = None) -> list[Fix]:
    """Every safe fix for this configuration; `report` adds what the network showed."""
    fixes: list[Fix] = []
    fixes += _proxy_fixes(cfg, report)
    fixes += _ssl_verify_fixes(cfg, report)
    fixes += _offline_fixes(cfg)
    fixes += _environment_fixes(cfg, report)
    return fixes


# -- proxies -----------------------------------------------------------------


def _proxy_fixes(cfg: NetConfig, report: Report | None) -> list[Fix]:
    fixes = []
    for key, value in sorted(cfg.proxy_servers.items()):
        if not isinstance(value, str) or not value.strip():
            continue
        # After a run its evidence says whether the proxy speaks plain HTTP:
        # planning (and --dry-run) then opens no connection.
        setting = ProxySource(ProxySourceKind.SETTING, key)
        probe = _seen_plain_http(report, setting) if report else None
        fixed, why, secrets = fixed_proxy_url(value, probe)
        if fixed is None:
            continue
        dotted = ("proxy_servers", key)
        fix = _file_fix(
            cfg,
            dotted,
            fixed,
            f"proxy_servers.{key}: {why}",
            shell_hint=None,
        )
        if fix:
            fix.secrets = secrets
            fix.labels = _encoding_labels(value, secrets)
            fixes.append(fix)
    return fixes


def _seen_plain_http(
    report: Report, source: ProxySource
) -> Callable[[str], bool] | None:
    """What the run saw of the proxy set in `source`: did it answer TLS with plain HTTP?

    None when no channel went through it: then the proxy is asked, as
    `conda doctor --fix` does, so that both offer the same changes.
    """
    used = [r for r in report.targets if r.target.proxy_source == source]
    if not used:
        return None
    seen = any(
        r.problem is not None and r.problem.details.proxy_speaks == "http" for r in used
    )
    return lambda url: seen


def fixed_proxy_url(value: str, probe: Callable[[str], bool] | None = None):
    """(fixed URL, why, secrets) for a proxy URL with a safe fix, else (None, "", [])."""
    from ..probes.proxy import speaks_plain_http

    probe = probe or speaks_plain_http
    text = value.strip()
    secrets: list[str] = []
    if "://" not in text:
        return f"http://{text}", "add the missing scheme http://", secrets
    scheme, rest = text.split("://", 1)
    if "@" in rest:
        userinfo, hostport = rest.rsplit("@", 1)
        user, sep, password = userinfo.partition(":")
        encoded_user = _encode(user)
        encoded_password = _encode(password)
        if (encoded_user, encoded_password) != (user, password):
            secrets += [password, encoded_password]
            REDACTOR.add(password)
            REDACTOR.add(encoded_password)
            fixed = f"{scheme}://{encoded_user}{sep}{encoded_password}@{hostport}"
            return (
                fixed,
                "percent-encode the reserved characters in the credentials",
                secrets,
            )
    if scheme.lower() == "https" and probe(text):
        return f"http://{rest}", "the proxy answers plain HTTP: use http://", secrets
    return None, "", secrets


def _encoding_labels(value: str, secrets: list[str]) -> dict[str, str]:
    """The re-encoded password, named by what changed (the diff's two lines differ)."""
    if len(secrets) != 2:
        return {}
    password, encoded = secrets
    count = sum(ch in RESERVED_IN_USERINFO for ch in password)
    noun = "character" if count == 1 else "characters"
    return {encoded: f"<password: {count} {noun} percent-encoded>"}


def _encode(part: str) -> str:
    # Encode only the characters that break or change the URL; keep an
    # existing %XX as it is (the user may have encoded it already).
    return "".join(
        quote(ch, safe="") if ch in RESERVED_IN_USERINFO else ch for ch in part
    )


# -- ssl_verify -----------------------------------------------------------------


def _ssl_verify_fixes(cfg: NetConfig, report: Report | None) -> list[Fix]:
    from ..config.checks import bundle_problem
    from ..diagnosis.findings import verify_choice

    verify = cfg.ssl_verify
    broken_path = (
        isinstance(verify, str) and verify != "truststore" and bundle_problem(verify)
    )
    if verify is False:
        reason = "ssl_verify is false"
    elif broken_path:
        reason = f"ssl_verify points at {verify}, which {bundle_problem(verify)}"
    elif report is not None and _intercepted_and_os_trusts(report):
        # Named by its key, as every other fix is: "- ssl_verify: ...".
        reason = (
            "ssl_verify: TLS is inspected and the operating system trusts the "
            "inspecting CA"
        )
    else:
        return []
    # The printed fix chooses the same way (diagnosis/findings.py); never
    # anything weaker: without proof truststore works, ssl_verify: false stays
    # and the diagnosis says what was seen instead.
    choice = verify_choice(_truststore_verifies_all(cfg, report), bool(broken_path))
    if choice is None:
        return []
    fix = _file_fix(
        cfg, ("ssl_verify",), choice.value, f"{reason}: {choice.what}", shell_hint=None
    )
    return [fix] if fix else []


def _truststore_verifies_all(cfg: NetConfig, report: Report | None) -> bool | None:
    """Whether the OS store verifies every HTTPS channel, from the run or, without one, asked.

    `conda doctor --fix` has no run: it asks each channel host as netcheck
    does for the hosts its run left unproven, so both offer the same change.
    """
    from ..diagnosis.intercept import truststore_verdict

    if report is not None:
        return truststore_verdict(report.targets)[0]
    if not cfg.conda:
        return None
    from ..config.targets import conda_targets
    from ..model import TargetResult

    return truststore_verdict([TargetResult(t) for t in conda_targets()])[0]


def _intercepted_and_os_trusts(report: Report) -> bool:
    for result in report.targets:
        problem = result.problem
        if problem and problem.code is Code.TLS_INTERCEPTED:
            if _os_trusts(problem):
                return True
    return False


def _os_trusts(problem: Problem) -> bool | None:
    """Whether the OS store accepted the chain a TLS problem saw, on a usable route."""
    details = problem.details
    if details.truststore_usable is False:
        return False
    return details.trusted_by.os if details.trusted_by else None


def declined(report: Report | None, planned: list[Fix] | None = None) -> list[str]:
    """Why --fix leaves a fix to a person: one line each, never a secret.

    When `planned` sets ssl_verify: truststore (the OS store verifies every
    channel), no root certificate is needed from anyone: nothing is declined.
    """
    from ..diagnosis.intercept import truststore_verdict

    if report is None or any(_trusts_the_os(f) for f in planned or ()):
        return []
    kept = _unverified_kept(report)
    needing = [
        r.problem
        for r in report.targets
        if r.problem is not None and r.problem.details.missing_root
    ]
    if not needing:
        return kept
    reasons = kept
    if any(p.details.trusted_by and p.details.trusted_by.os for p in needing):
        verdict, refused = truststore_verdict(report.targets)
        if verdict is not True and refused:
            reasons.append(
                "ssl_verify: truststore is not offered: the operating system's store "
                f"does not verify {', '.join(refused)}"
            )
    names = ", ".join(sorted({f'"{p.details.missing_root}"' for p in needing}))
    reasons.append(
        f"the root certificate must come from you or your IT team ({names}): "
        "netcheck never trusts a CA on its own; save it as the fix says, then run "
        "the fix's commands"
    )
    return reasons


def _unverified_kept(report: Report) -> list[str]:
    """ssl_verify: false, left as it is (nothing weaker, no guess): why, in one line."""
    if not any(f.code is Code.SSL_VERIFY_DISABLED for f in report.findings):
        return []
    return [
        "ssl_verify: false is left as it is: netcheck changes it only to the "
        "operating system's store, where that verifies every HTTPS channel "
        "(the finding says what the run saw)"
    ]


def _trusts_the_os(fix: Fix) -> bool:
    return fix.key == "ssl_verify" and fix.value == "truststore"


# -- offline ------------------------------------------------------------------


def _offline_fixes(cfg: NetConfig) -> list[Fix]:
    if not cfg.offline:
        return []
    fix = _file_fix(
        cfg,
        ("offline",),
        None,
        "offline: true makes conda download nothing: remove it (it may be intended)",
        shell_hint=unset_variable("CONDA_OFFLINE"),
    )
    return [fix] if fix else []


# -- environment variables: a line for the user's shell ---------------------------


def _environment_fixes(cfg: NetConfig, report: Report | None = None) -> list[Fix]:
    from ..config.checks import bundle_problem

    fixes = []
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        path = cfg.env.get(name)
        if path and bundle_problem(path):
            fixes.append(
                Fix(
                    name,
                    f"{name} points at {path}, which {bundle_problem(path)}: conda "
                    "cannot change your environment",
                    shell=unset_line(name),
                )
            )
    for lower in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        upper = lower.upper()
        if (
            cfg.env.get(lower)
            and cfg.env.get(upper)
            and cfg.env[lower] != cfg.env[upper]
        ):
            fixes.append(_disagreeing(lower, upper, report))
    return fixes


def _disagreeing(lower: str, upper: str, report: Report | None) -> Fix:
    """Keep one of two proxy variables: the one whose proxy answers, when the run shows it.

    requests uses the lower-case one; unsetting the upper-case one changes
    nothing for conda, so when the run found the lower-case one's proxy dead,
    that is the one to drop (requests then reads the upper-case one).
    """
    if report is not None and _unreachable(report, lower):
        return Fix(
            lower,
            f"{lower} names a proxy that does not answer and {upper} another "
            f"(requests uses {lower}): drop {lower}, so that {upper} applies",
            shell=unset_line(lower),
        )
    return Fix(
        upper,
        f"{lower} and {upper} disagree (requests uses {lower}): keep one",
        shell=unset_line(upper),
    )


def _unreachable(report: Report, variable: str) -> bool:
    source = ProxySource(ProxySourceKind.VARIABLE, variable)
    return any(
        r.target.proxy_source == source
        and r.problem is not None
        and r.problem.code is Code.PROXY_UNREACHABLE
        for r in report.targets
    )


def unset_line(name: str, shell: str | None = None) -> str:
    """The line that removes an environment variable, in the user's shell."""
    return unset_variable(name, Shell(shell) if shell else None)


# -- where a key lives ------------------------------------------------------------------


def _file_fix(
    cfg: NetConfig,
    keys: tuple[str, ...],
    value: Any,
    description: str,
    shell_hint: str | None,
) -> Fix | None:
    """A change in the file that really sets the key; an env-set key gets a shell line."""
    from ..config.setting_file import find_source
    from .condarc import plan_remove, plan_set

    dotted = ".".join(keys)
    source = cfg.source(keys[0])
    path = find_source(keys if len(keys) > 1 else keys[0])
    if path is None or source.kind in (
        SettingSourceKind.VARIABLE,
        SettingSourceKind.COMMAND_LINE,
    ):
        variable = f"CONDA_{keys[0].upper()}"
        return Fix(
            dotted,
            f"{description} (set by {source}: not a file netcheck edits)",
            shell=shell_hint or unset_line(variable),
        )
    from ..exceptions import CondaRCEditError

    def replan() -> Change:
        if value is None:
            return plan_remove(path, keys)
        return plan_set(path, keys, value)

    try:
        change = replan()
    except CondaRCEditError as exc:
        return Fix(dotted, description, key=dotted, error=str(exc))
    if not change.changed:
        return None
    return Fix(
        dotted, description, key=dotted, change=change, replan=replan, value=value
    )


def masked_diff(fix: Fix) -> str:
    """The unified diff of a fix with every secret masked."""
    if fix.change is None:
        return ""
    return REDACTOR.text(fix.change.diff(mask=fix.secrets, labels=fix.labels))


def apply_fixes(
    fixes: list[Fix],
    confirm: Callable[[str], Any],
    recheck: Callable[[Fix], tuple[bool, str]] | None = None,
    out: Callable[[str], None] = print,
    left: list[str] | None = None,
    reasons: list[str] | None = None,
) -> int:
    """Show each fix, ask, apply, re-check; 0 when every applied fix now passes.

    `confirm` is conda's: it raises DryRunExit under --dry-run and
    CondaSystemExit when declined; both skip this fix and go on to the next.
    `reasons`: why the fixes left to people are not applied here.
    """
    if reasons:
        out("Not changed automatically:")
        out("\n".join(f"- {REDACTOR.text(line)}" for line in reasons))
    if not fixes:
        if left:
            # Problems remain, but none is a setting netcheck may change.
            out("Nothing can be fixed automatically; these need a person:")
            out("\n".join(f"- {REDACTOR.text(line)}" for line in left))
            return 1
        out("Nothing to fix.")
        return 0
    backed_up: set[str] = set()  # one backup per file per run: the original
    results = [_apply_one(fix, confirm, recheck, out, backed_up) for fix in fixes]
    return 0 if all(results) else 1


def _apply_one(
    fix: Fix,
    confirm: Callable[[str], Any],
    recheck: Callable[[Fix], tuple[bool, str]] | None,
    out: Callable[[str], None],
    backed_up: set[str],
) -> bool:
    """One fix: shown, replanned, confirmed, applied and re-checked; False on failure."""
    from ..exceptions import CondaRCEditError

    out(REDACTOR.text(f"- {fix.description}"))
    if fix.error:
        out(f"  {REDACTOR.text(fix.error)}")
        return False
    if fix.change is None:
        out(f"  run this in your shell: {REDACTOR.text(fix.shell or '')}")
        return True
    try:
        if fix.replan is not None:
            fix.change = fix.replan()  # an earlier fix may have edited the same file
            if not fix.change.changed:
                out("  already done")
                return True
        out(masked_diff(fix).rstrip("\n"))
        if not _confirmed(fix, confirm, out):
            return True
        first = str(fix.change.path) not in backed_up
        backup = fix.change.apply(backup=first)
    except CondaRCEditError as exc:
        out(f"  {exc}")
        return False
    backed_up.add(str(fix.change.path))
    kept = f"backup: {backup}" if backup else "backed up before the first change"
    out(f"  applied to {fix.change.path} ({kept})")
    if recheck is None:
        return True
    passed, text = recheck(fix)
    out(f"  re-check: {REDACTOR.text(text)}")
    return passed


def _confirmed(
    fix: Fix, confirm: Callable[[str], Any], out: Callable[[str], None]
) -> bool:
    """conda's confirmation: False under --dry-run or when declined."""
    try:
        from conda.exceptions import CondaSystemExit, DryRunExit
    except ImportError:  # pragma: no cover - the fixers run inside conda
        CondaSystemExit = DryRunExit = SystemExit  # noqa: N806
    assert fix.change is not None
    try:
        fix.change.check()
        confirm(f"Apply this change to {fix.change.path}?")
    except DryRunExit:
        out("  (dry run: nothing changed)")
        return False
    except CondaSystemExit:
        out("  skipped")
        return False
    return True
