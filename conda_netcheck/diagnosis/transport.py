"""Transport failures explained: resets, closed handshakes, client certificates,
lone leaves, strict X.509 and dual stack.

One builder per situation; the builders read typed facts from the probes
(`handshake`, `dualstack`, `chain`). What each code means, who acts and its
README line live in the catalogue.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from typing import TYPE_CHECKING, Callable, TypeVar

from ..evidence import (
    FamilyAttempt,
    LoneLeaf,
    ResetCause,
    SecondHandshakeSeen,
    StrictDefect,
)
from ..model import Code, Details, FixLines, Layer, Problem
from ..probes.handshake import Answer, Failure
from ..urls import format_address

if TYPE_CHECKING:
    import socket
    from collections.abc import Iterator

    from ..config.commands import Commands
    from ..model import Route
    from ..probes.chain import IssuerFetch
    from ..probes.dualstack import DualStack
    from ..probes.handshake import CertificateRequest, SecondHandshake

T = TypeVar("T")

#: The alert a verdict stands for when only the second look saw it.
_ALERTS = {Failure.CLIENT_CERT_REQUIRED: "TLSV13_ALERT_CERTIFICATE_REQUIRED"}


def is_ip(host: str) -> bool:
    """Whether the host is an IP address (no SNI is sent for those)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


# -- resets and clean closes ------------------------------------------------


def _follows_name(second: SecondHandshake | None) -> bool:
    """The handshake without the name got a TLS answer: the block is on the name."""
    return second is not None and second.answer in (Answer.COMPLETED, Answer.ALERT)


def _refuses_all(second: SecondHandshake | None) -> bool:
    return second is not None and second.answer in (Answer.RESET, Answer.CLOSED)


def handshake_reset(
    failure: Failure,
    host: str,
    port: int,
    second: SecondHandshake | None,
    proxy: str | None = None,
) -> Problem:
    """A reset or clean close during the TLS handshake, by what the second handshake showed."""
    address = format_address(host, port)
    how = "reset (RST)" if failure is Failure.RESET else "closed (EOF, no TLS alert)"
    summary = f"the connection to {address} was {how} during the TLS handshake"
    if proxy and failure is Failure.CLOSED:
        summary += (
            f" (through the proxy {proxy} a reset beyond it may arrive as a close)"
        )
    details = Details(failure=failure.value, address=address)
    if second is not None:
        seen = SecondHandshakeSeen(
            second.server_name, second.answer.value, round(second.elapsed_ms, 1)
        )
        details = details.merged(second_handshake=seen)
    via = f" through the proxy {proxy}" if proxy else ""
    if _follows_name(second):
        summary += (
            f"; a handshake without the name {host} got a TLS answer: the "
            f"{'reset' if failure is Failure.RESET else 'close'} follows the host "
            f"name: a filter between you and {host} blocks it"
        )
        # Without a proxy the catalogue writes the fix: it knows how to set one.
        fix = f"ask your network team to allow {address}{via}" if proxy else None
        details = details.merged(cause=ResetCause.NAME_FILTER)
    elif _refuses_all(second):
        summary += f"; a handshake without the name {host} ends the same way: "
        summary += "this server (or a device in front of it) ends every handshake"
        fix = _every_handshake_fix(failure, host, port, via)
        details = details.merged(cause=ResetCause.EVERY_HANDSHAKE)
    else:
        fix = _every_handshake_fix(failure, host, port, via)
    return Problem(Code.CONNECTION_RESET, Layer.TLS, summary, fix, details)


def _every_handshake_fix(failure: Failure, host: str, port: int, via: str) -> str:
    address = format_address(host, port)
    if failure is Failure.RESET:
        return (
            f"ask your network team whether a firewall resets connections to "
            f"{address}{via}, and the administrators of {host} whether port {port} "
            "serves https"
        )
    causes = [
        f"a TLS inspection device or proxy that cannot reach {host}: ask your "
        f"network team to let {address} through{via}"
    ]
    if is_ip(host):
        causes.append(
            "a server that needs the host name (SNI): use the channel's host "
            f"name instead of {host}"
        )
    causes.append(
        f"a port that is not TLS: check that {address} serves https (ask the "
        f"administrators of {host})"
    )
    return "likely causes, in order: " + "; ".join(
        f"({n}) {cause}" for n, cause in enumerate(causes, 1)
    )


def request_reset(failure: Failure, host: str, port: int, filename: str) -> Problem:
    """A reset or clean close after the request was sent (no answer came)."""
    address = format_address(host, port)
    how = "reset (RST)" if failure is Failure.RESET else "closed"
    return Problem(
        Code.CONNECTION_RESET,
        Layer.HTTP,
        f"the connection to {address} was {how} after the request for {filename}, "
        "without an answer",
        f"a firewall or filter between you and {host} probably drops this request: "
        f"ask your network team to allow {address}; if it persists without one, "
        f"tell the administrators of {host}",
        Details(failure=failure.value, address=address),
    )


# -- client certificates ----------------------------------------------------


def client_cert_problem(
    failure: Failure,
    host: str,
    configured: str | tuple[str, str] | None,
    request: CertificateRequest | None,
    reason: str | None,
) -> Problem:
    """The server wants a client certificate, or refused the one conda sent."""
    accepted = list(request.authorities) if request and request.seen else []
    details = Details(failure=failure.value, alert=reason, accepted_cas=tuple(accepted))
    issued_by = (
        f"; it accepts certificates issued by: {'; '.join(accepted)}"
        if accepted
        else ""
    )
    if configured:
        cert, key = configured if isinstance(configured, tuple) else (configured, None)
        summary = (
            f"{host} rejected the client certificate conda sends ({cert}; TLS alert "
            f"{reason or 'handshake failure'}){issued_by}"
        )
        fix = (
            f"check the pair conda sends: client_ssl_cert ({cert}) must be a "
            "certificate the server accepts, not expired, issued by a CA it "
            f"trusts, and client_ssl_cert_key ({key or 'the key in the same file'}) "
            f"its key; ask the administrators of {host} for a valid one"
        )
    else:
        how = (
            "TLS 1.3 alert 'certificate required'"
            if failure is Failure.CLIENT_CERT_REQUIRED
            else "a CertificateRequest, then a handshake failure"
        )
        summary = (
            f"{host} requires a client certificate and conda sends none "
            f"({how}){issued_by}"
        )
        fix = None  # the catalogue's, with conda config where it is set
    return Problem(Code.CLIENT_CERT_REQUIRED, Layer.TLS, summary, fix, details)


def is_client_cert(failure: Failure, request: CertificateRequest | None) -> bool:
    """Whether the failure is about the client certificate, on the evidence."""
    if failure in (Failure.CLIENT_CERT_REQUIRED, Failure.CLIENT_CERT_REJECTED):
        return True
    # Alert 40 alone is ambiguous (no shared cipher, too): it means "no
    # client certificate" only after the server asked for one.
    return failure is Failure.HANDSHAKE_FAILURE and request is not None and request.seen


# -- the entry points the runner calls --------------------------------------


def explain_handshake(
    error: BaseException | None,
    host: str,
    port: int,
    route: Route,
    reopen: Callable[[], socket.socket],
    timeout: float,
    context: ssl.SSLContext | None = None,
) -> Problem | None:
    """A better diagnosis for a failed handshake, or None to keep the generic one."""
    from ..probes import handshake

    if error is None:
        return None
    if isinstance(error, ssl.SSLCertVerificationError):
        return _strict_only(error, host, route, reopen, timeout, context)
    errors = list(causes(error))
    failure = handshake.classify(errors)
    if failure in (Failure.RESET, Failure.CLOSED):
        # Same address, same route, no server name (or a plain IP: no SNI anyway).
        second = _second_handshake(reopen, timeout)
        if _refuses_all(second):
            early = _on_accept(host, port, reopen, _shown_proxy(route))
            if early:
                return early
        return handshake_reset(failure, host, port, second, _shown_proxy(route))
    return _client_cert(failure, errors, host, route, reopen, timeout)


def explain_request(
    error: BaseException,
    host: str,
    port: int,
    filename: str,
    route: Route,
    reopen: Callable[[], socket.socket],
    timeout: float,
    https: bool = True,
) -> Problem | None:
    """A reset, close or client-certificate alert that came with the request."""
    from ..probes import handshake

    errors = list(causes(error))
    failure = handshake.classify(errors)
    if failure in (Failure.RESET, Failure.CLOSED) and https:
        # A TLS 1.3 server's client-certificate alert races with the request:
        # the reset can come first. Ask again without sending a request.
        verdict = _bounded(
            lambda: handshake.verdict_after_handshake(
                reopen(), host, timeout, route.cert
            )
        )
        if verdict is not None:
            failure, errors = verdict, []
    if failure in (Failure.RESET, Failure.CLOSED):
        early = _on_accept(host, port, reopen, _shown_proxy(route))
        return early or request_reset(failure, host, port, filename)
    return _client_cert(failure, errors, host, route, reopen, timeout)


#: How long a silent connection is watched for an unprompted reset or close.
_UNPROMPTED_WAIT = 0.5


def _on_accept(
    host: str, port: int, reopen: Callable[[], socket.socket], proxy: str | None
) -> Problem | None:
    """A peer that ends every connection before anything is sent: the TCP layer."""
    from ..probes import handshake

    try:
        sock = reopen()
    except ConnectionResetError:
        answer: Answer | None = Answer.RESET  # reset as the connection was made
    except OSError:
        return None
    else:
        answer = handshake.ends_unprompted(sock, _UNPROMPTED_WAIT)
    if answer is None:
        return None
    address = format_address(host, port)
    how = "resets (RST)" if answer is Answer.RESET else "closes"
    via = f" through the proxy {proxy}" if proxy else ""
    return Problem(
        Code.CONNECTION_RESET,
        Layer.TCP,
        f"{address} {how} every connection{via} right after accepting it, before "
        "anything is sent: a firewall, or a server that refuses this client",
        f"ask your network team whether a firewall ends connections to {address}"
        f"{via}, and the administrators of {host} whether it refuses connections "
        "from your address",
        Details(failure=answer.value, address=address, when="on-accept"),
    )


def _client_cert(
    failure: Failure,
    errors: list[BaseException],
    host: str,
    route: Route,
    reopen: Callable[[], socket.socket],
    timeout: float,
) -> Problem | None:
    from ..probes import handshake

    if failure not in (
        Failure.CLIENT_CERT_REQUIRED,
        Failure.CLIENT_CERT_REJECTED,
        Failure.HANDSHAKE_FAILURE,
    ):
        return None
    request = _bounded(lambda: handshake.certificate_request(reopen(), host, timeout))
    if not is_client_cert(failure, request):
        return None
    reason = handshake.alert_reason(errors) or _ALERTS.get(failure)
    return client_cert_problem(failure, host, route.cert, request, reason)


def _strict_only(
    error: ssl.SSLCertVerificationError,
    host: str,
    route: Route,
    reopen: Callable[[], socket.socket],
    timeout: float,
    context: ssl.SSLContext | None,
) -> Problem | None:
    """Verification failed under VERIFY_X509_STRICT: does it pass without the flag?"""
    from ..probes import chain, handshake

    strict = context is not None and bool(context.verify_flags & ssl.VERIFY_X509_STRICT)
    if not strict or context is route.ssl_context:
        return None
    if not _bounded(
        lambda: handshake.verifies_without_strict(reopen(), host, context, timeout)
    ):
        return None
    presented = _bounded(
        lambda: chain.read_chain(reopen(), host, timeout, reconnect=reopen)
    )
    certs = list(presented.certs) if presented else []
    if certs:
        bundle = route.verify if isinstance(route.verify, str) else None
        certs += chain.bundle_issuers(certs[-1], bundle)
    return strict_problem(
        host, error.verify_message or str(error), chain.strict_defects(certs)
    )


def strict_problem(host: str, message: str, defects: list[tuple[str, str]]) -> Problem:
    """Only Python's strict X.509 checks reject the chain: name the certificate and rule."""
    named = "; ".join(f"{cert}: {defect}" for cert, defect in defects) or message
    summary = (
        f"the certificate chain of {host} fails only the strict X.509 checks that "
        f"urllib3 >= 2.4 turns on with Python >= 3.13 (VERIFY_X509_STRICT): {message} "
        f"({named})"
    )
    fix = None  # the catalogue's, with conda config where it is set
    details = Details(
        verify_message=message,
        defects=tuple(StrictDefect(c, d) for c, d in defects),
    )
    return Problem(Code.TLS_X509_STRICT, Layer.TLS, summary, fix, details)


def _second_handshake(
    reopen: Callable[[], socket.socket], timeout: float
) -> SecondHandshake | None:
    """A handshake without a server name; None when it could not even connect."""
    from ..probes import handshake

    try:
        sock = reopen()
    except ConnectionResetError:
        # Reset as the connection was made, before a byte was sent: this
        # peer refuses every handshake, whatever the name.
        return handshake.SecondHandshake(None, Answer.RESET, 0.0)
    except OSError:
        return None
    return _bounded(lambda: handshake.handshake_as(sock, None, timeout))


def _bounded(probe: Callable[[], T]) -> T | None:
    """Run one extra probe; a failure to even connect means no evidence."""
    try:
        return probe()
    except OSError:
        return None


def _shown_proxy(route: Route) -> str | None:
    from ..urls import shown_address

    return shown_address(route.proxy) if route.proxy else None


def causes(exc: BaseException | None) -> Iterator[BaseException]:
    """The exception and what it wraps (urllib3's .reason, args, __cause__), bounded."""
    seen: set[int] = set()
    stack = [exc]
    while stack and len(seen) < 50:
        item = stack.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack.extend(
            [
                getattr(item, "reason", None),
                item.__cause__,
                item.__context__,
                *[a for a in item.args if isinstance(a, BaseException)],
            ]
        )


# -- a lone leaf: a private root, or a missing intermediate -------------------


def lone_leaf(
    host: str,
    issuer: str,
    fetched: IssuerFetch,
    public_host: bool,
    os_trusts: bool | None,
    with_intermediate: bool | None = None,
    bundle: str | None = None,
    *,
    commands: Commands,
    issuer_proxy: str | None = None,
) -> Problem:
    """Only a leaf came and no store has its issuer: decide by the AIA evidence.

    `os_trusts`: the OS store verifies the server (and this conda can use
    it); `with_intermediate`: conda's trust accepts leaf + fetched issuer;
    `bundle`: the CA file conda verifies with (None: certifi's);
    `issuer_proxy`: the proxy the issuer was fetched through, as it may be
    shown.
    """
    from .intercept import root_fix

    details = Details(
        ca_issuers=fetched.url, issuer=issuer, ca_issuers_error=fetched.error or None
    )
    if fetched.der is not None and fetched.self_signed:
        details = details.merged(lone_leaf=LoneLeaf.PRIVATE_ROOT)
        summary = (
            f"the certificate of {host} is issued directly by the root CA "
            f"{fetched.label} (self-signed, fetched from {fetched.url}), which conda "
            "does not trust: the server rightly sends only its own certificate; "
            "conda needs that CA"
        )
        fix, lines = root_fix(
            _bare(issuer), os_trusts, commands=commands, bundle=bundle
        )
        details = details.merged(missing_root=_bare(issuer))
        return Problem(Code.TLS_UNTRUSTED, Layer.TLS, summary, fix, details, lines)
    if fetched.der is not None:
        return _missing_intermediate(
            host, fetched, with_intermediate, bundle, details, commands, issuer_proxy
        )
    if os_trusts:
        # The OS store verified this very chain: nothing is missing from it.
        details = details.merged(lone_leaf=LoneLeaf.OS_TRUSTED)
        summary = (
            f"{host} sends only its own certificate, issued by {issuer}: the "
            "operating system's store accepts it, conda's trust does not have that CA"
        )
        fix, lines = root_fix(_bare(issuer), True, commands=commands, bundle=bundle)
        details = details.merged(missing_root=_bare(issuer))
        return Problem(Code.TLS_UNTRUSTED, Layer.TLS, summary, fix, details, lines)
    return _no_evidence(host, issuer, public_host, os_trusts, details, commands, bundle)


def _missing_intermediate(
    host: str,
    fetched: IssuerFetch,
    with_intermediate: bool | None,
    bundle: str | None,
    details: Details,
    commands: Commands,
    proxy: str | None = None,
) -> Problem:
    """The AIA issuer is an intermediate: the server's chain is incomplete."""
    from ..config.commands import concatenate, placeholders, save_certificate
    from ..config.trust import bundle_parts
    from ..fixtext import Fix, Line
    from . import intercept
    from .catalogue import NEVER_DISABLE_WHY
    from .intercept import admins

    details = details.merged(
        lone_leaf=LoneLeaf.MISSING_INTERMEDIATE, missing_intermediate=True
    )
    summary = (
        f"{host} sends only its own certificate: the intermediate CA {fetched.label} "
        f"(fetched from {fetched.url}) is missing from the chain"
    )
    if with_intermediate is False:
        summary += (
            "; even with it, conda's trust does not accept the chain: the root "
            "above it is not in conda's trust either"
        )
        fix = f"{admins(host)}; and give conda the root CA above {fetched.label}"
        return Problem(Code.TLS_UNTRUSTED, Layer.TLS, summary, fix, details)
    if with_intermediate:
        summary += "; with it, conda's trust accepts the chain"
    assert fetched.url and fetched.der and fetched.form
    saved = "intermediate.pem"
    save = save_certificate(
        fetched.url, ssl.DER_cert_to_PEM_cert(fetched.der), fetched.form, saved, proxy
    )
    if fetched.certificates > 1:
        # openssl would save every certificate of the answer, not the one
        # netcheck checked: the line is printed, but cannot be tried.
        save = Line(str(save))
    # The same roots conda uses now, plus the intermediate.
    # The literal path: the `python` on PATH need not be conda's.
    roots = bundle or intercept.current_bundle(True) or ""
    if bundle and os.path.isdir(bundle):
        quoted = _shell_quote(roots)
        steps: tuple[str, ...] = (
            save,
            f"cp {saved} {quoted}",
            f"openssl rehash {quoted}",
        )
    else:
        target = intercept.combined_path(bundle)
        steps = (
            save,
            concatenate([*bundle_parts(roots), saved], target, commands.shell),
            commands.set("ssl_verify", target),
        )
    fix = Fix(
        f"{admins(host)}; meanwhile give conda the intermediate with its roots",
        steps,
        why=NEVER_DISABLE_WHY,
    )
    lines = FixLines(steps, placeholders(*steps))
    return Problem(Code.TLS_UNTRUSTED, Layer.TLS, summary, fix, details, lines)


def _no_evidence(
    host: str,
    issuer: str,
    public_host: bool,
    os_trusts: bool | None,
    details: Details,
    commands: Commands,
    bundle: str | None = None,
) -> Problem:
    """No AIA to tell: both causes, the likelier first."""
    from .intercept import admins, root_fix

    details = details.merged(lone_leaf=LoneLeaf.UNKNOWN, missing_root=_bare(issuer))
    text, lines = root_fix(_bare(issuer), os_trusts, commands=commands, bundle=bundle)
    ca_fix = text.when(f"if {issuer} is your organisation's CA")
    if public_host:
        summary = (
            f"{host} sends only its own certificate, issued by {issuer}, which conda "
            "does not trust: most likely the server leaves out its intermediate "
            f"certificate; else {issuer} is a private CA"
        )
        fix = ca_fix.instead(admins(host))  # the server's fix is not yours to run
    else:
        summary = (
            f"{host} sends only its own certificate, issued by {issuer}, which conda "
            f"does not trust: most likely {issuer} is your organisation's private CA "
            "(the usual internal mirror); else the server leaves out an intermediate "
            "certificate"
        )
        fix = ca_fix.instead(admins(host))
    return Problem(Code.TLS_UNTRUSTED, Layer.TLS, summary, fix, details, lines)


def _shell_quote(path: str) -> str:
    import shlex

    return shlex.quote(path)


def _bare(label: str) -> str:
    return label.strip('"')


# -- dual stack ---------------------------------------------------------------

#: How to make this machine prefer IPv4 (when IPv6 is the broken family).
PREFER_IPV4 = {
    "linux": "on Linux prefer IPv4: add the line 'precedence ::ffff:0:0/96 100' to "
    "/etc/gai.conf",
    "win32": "on Windows prefer IPv4 (as administrator): netsh interface ipv6 set "
    "prefixpolicy ::ffff:0:0/96 60 4",
    "darwin": "on macOS turn IPv6 off for the network service in use: networksetup "
    '-setv6off "Wi-Fi"',
}


def dual_stack(
    stack: DualStack, what: str, client_timeout: float, platform: str | None = None
) -> Problem | None:
    """One family works and the other does not: a warning with the delay conda pays."""
    import sys

    from ..probes.dualstack import Family, Outcome

    v4, v6 = stack.works(Family.IPV4), stack.works(Family.IPV6)
    if v6 is False and v4:
        broken, working, code = Family.IPV6, "IPv4", Code.IPV6_BROKEN
    elif v4 is False and v6:
        broken, working, code = Family.IPV4, "IPv6", Code.IPV4_BROKEN
    else:
        return None
    ahead = stack.ahead_of_first_working(broken)
    failed = next(a for a in stack.attempts if a.family is broken)
    if ahead == 0 or failed.outcome is not Outcome.TIMEOUT:
        # The working family comes first, or the broken one fails at once
        # (no route, refused): conda moves on without waiting.
        return None
    name = "IPv6" if broken is Family.IPV6 else "IPv4"
    delay = ahead * client_timeout
    summary = (
        f"{what} works over {working}, but {name} is broken here ({failed.address} "
        f"did not answer within {failed.elapsed_ms / 1000:.1f} s): conda tries {name} "
        f"first, so every connection waits about {delay:g} s ({ahead} {name} "
        f"address{'es' if ahead > 1 else ''} x remote_connect_timeout_secs "
        f"{client_timeout:g} s) before {working} answers"
    )
    repair = f"repair {name} routing on this network (ask your network team)"
    platform = platform or sys.platform
    key = "linux" if platform.startswith("linux") else platform
    if broken is Family.IPV6 and key in PREFER_IPV4:
        fix = f"{repair}, or {PREFER_IPV4[key]}"
    elif broken is Family.IPV6:
        fix = f"{repair}, or make this machine prefer IPv4"
    else:
        fix = (
            f"{repair}; on Linux, a 'precedence ::ffff:0:0/96 100' line in "
            "/etc/gai.conf makes IPv4 come first: remove it"
        )
    details = Details(
        addresses=tuple(
            FamilyAttempt(
                a.address, a.family.value, a.outcome.value, round(a.elapsed_ms, 1)
            )
            for a in stack.attempts
        ),
        delay_seconds=round(delay, 1),
    )
    return Problem(code, Layer.TCP, summary, fix, details)


def address_notes(stack: DualStack) -> list[str]:
    """One -v line per address tried: the outcome and its time."""
    return [
        f"{a.address} ({a.family.value}): {a.outcome.value} in {a.elapsed_ms:.1f} ms"
        for a in stack.attempts
    ]
