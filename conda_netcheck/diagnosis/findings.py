"""What the network run adds to the configuration findings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Code, Layer, Status
from ..urls import host_port, shown_address

if TYPE_CHECKING:
    from ..config.commands import Commands
    from ..model import Finding, Options, TargetResult


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


@dataclass(frozen=True)
class VerifyChoice:
    """What replaces an ssl_verify that is false or names a path conda cannot use."""

    value: str | None  # "truststore"; None: the key removed (conda's default roots)
    what: str  # the change in words, as `--fix` names it


TRUSTSTORE = VerifyChoice(
    "truststore", "use the operating system's store (ssl_verify: truststore)"
)
DEFAULT_ROOTS = VerifyChoice(None, "remove the key (conda's default roots apply)")


def verify_choice(verdict: bool | None, broken_path: bool) -> VerifyChoice | None:
    """The one choice, for the printed fix and for `--fix` alike.

    The operating system's store only when it verifies every HTTPS channel
    (`verdict`, from intercept.truststore_verdict); else, for a path conda
    cannot use, conda's default roots; else nothing: ssl_verify: false is
    never replaced by a guess.
    """
    if verdict is True:
        return TRUSTSTORE
    if broken_path:
        return DEFAULT_ROOTS
    return None


def with_verify_replaced(
    findings: list[Finding], results: list[TargetResult], options: Options
) -> list[Finding]:
    """ssl_verify false or unusable: its fix, chosen by what the network showed.

    One handshake per direct HTTPS host the run did not already judge, with
    the operating system's store; none in offline mode (the configuration's
    advice stays) and none when no finding needs it.
    """
    if options.offline or not any(f.replaces_verify for f in findings):
        return findings
    from .intercept import truststore_verdict

    verdict, refused = truststore_verdict(results, options.connect_timeout)
    return [
        _verify_replaced(f, verdict, refused, options.commands)
        if f.replaces_verify
        else f
        for f in findings
    ]


def _verify_replaced(
    finding: Finding, verdict: bool | None, refused: list[str], commands: Commands
) -> Finding:
    from ..fixtext import Fix, FixLines

    broken = finding.code is Code.CA_BUNDLE_INVALID
    choice = verify_choice(verdict, broken)
    observed = (
        f"the operating system's store does not verify {', '.join(refused)}"
        if refused
        else "netcheck could not show that the operating system's store verifies "
        "every HTTPS channel"
    )
    if choice is None:
        fix = Fix(
            f"no checked fix: {observed}; give conda the CA that signs your "
            "channels in a bundle and point ssl_verify at it"
        )
        return dataclasses.replace(finding, fix=fix, commands=FixLines())
    if choice is TRUSTSTORE:
        line = commands.set("ssl_verify", "truststore")
        fix = Fix(
            "use the operating system's store, which verifies every HTTPS channel",
            (line,),
        )
    else:
        line = commands.remove("ssl_verify")
        fix = Fix(
            "remove ssl_verify, so that conda's default roots apply",
            (line,),
            observed,
            otherwise="if the bundle moved, point ssl_verify at where it is now",
        )
    return dataclasses.replace(finding, fix=fix, commands=FixLines((line,)))


def with_broken_proxy_not_copied(
    findings: list[Finding], results: list[TargetResult]
) -> list[Finding]:
    """A scheme left without a proxy is not given one this run found broken.

    Copying a proxy that fails for a channel at the proxy layer (a web
    server named as the proxy, a dead or refusing one) would only move that
    failure to the other scheme's channels: the finding says so instead.
    """
    broken = {
        host_port(r.target.proxy): r
        for r in results
        if r.problem is not None and r.problem.layer is Layer.PROXY
    }
    broken.pop(None, None)  # a direct target, or a proxy URL without an address
    if not broken:
        return findings
    return [
        _not_copied(f, broken[host_port(f.copies_proxy)])
        if host_port(f.copies_proxy) in broken
        else f
        for f in findings
    ]


def _not_copied(finding: Finding, failed: TargetResult) -> Finding:
    from ..fixtext import Fix, FixLines

    assert failed.problem is not None
    fix = Fix(
        f"none: the proxy it would copy, {shown_address(finding.copies_proxy)}, "
        f"fails itself ({failed.problem.code.value} for {failed.target.channel})"
    )
    return dataclasses.replace(finding, fix=fix, commands=FixLines())
