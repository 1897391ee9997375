"""The TLS explainer: after a certificate error, the chain, who trusts it, and why.

The handshake probe says only that verification failed. This reads the chain
the server presented, asks conda's trust, certifi's public roots and the
operating system's store about it, and turns the answer into the cause a
person can act on: this machine's clock, TLS inspection, a missing
intermediate, or an authority conda does not trust.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from ..evidence import PerStore
from ..fixtext import Fix
from ..model import Code
from . import advice, catalogue, intercept

if TYPE_CHECKING:
    from ..model import Options, Problem, Route
    from ..probes.chain import PresentedChain

Reopen = Callable[[], Any]


def explain_certificate(
    problem: Problem, host: str, route: Route, reopen: Reopen, options: Options
) -> Problem:
    """The certificate problem with its chain, who trusts it, and the true cause."""
    from ..probes import chain

    timeout = options.read_timeout
    try:
        presented = chain.read_chain(reopen(), host, timeout, reconnect=reopen)
    except OSError as exc:
        return problem.amended(chain_error=str(exc))
    if not presented.certs:
        return problem
    described = [chain.describe(der) for der in presented.certs]
    trust = _who_trusts(presented, host, route, reopen, timeout)
    problem = problem.amended(
        chain=tuple(described),
        certificate=described[0],
        trusted_by=PerStore(**{k: ok for k, (ok, _) in trust.items()}),
        trust_reasons=PerStore(**{k: why for k, (_, why) in trust.items()}),
        chain_note=None if presented.complete else "only the leaf could be read",
    )
    if problem.code in (Code.TLS_EXPIRED, Code.TLS_NOT_YET_VALID):
        return _clock_first(problem, host, reopen, options)
    if problem.code is not Code.TLS_UNTRUSTED:
        return problem
    overridden = _overridden(problem, host, route, presented, options)
    if overridden is not None:
        return overridden
    problem = _interception(problem, host, route, described, trust, options)
    if problem.code is Code.TLS_INTERCEPTED:
        return problem
    return _lone_leaf(problem, host, route, presented, described, trust, options)


def _overridden(
    problem: Problem,
    host: str,
    route: Route,
    presented: PresentedChain,
    options: Options,
) -> Problem | None:
    """ssl_verify's bundle trusts the server; a variable makes conda verify with another.

    requests lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) win over the
    session's verify, which is conda's ssl_verify. The cause is the variable,
    and dropping it is the fix: no root needs adding anywhere.
    """
    import os

    from ..config.trust import drop_override
    from ..probes import chain

    name = options.commands.overrides.get("ssl_verify")
    setting = getattr(route.session, "verify", None)
    if not name or not isinstance(setting, str) or route.ssl_context is not None:
        return None
    if setting == route.verify:
        return None
    trusts, _ = chain.verifies_with(
        presented.certs, host, cafile=os.path.expanduser(setting)
    )
    if not trusts:
        return None
    fix, lines = drop_override(name, options.commands.shell)
    return problem.amended(
        summary=f"{name}={route.verify} overrides ssl_verify: conda verifies "
        f"against {route.verify}, which does not trust {host}; {setting}, which "
        "ssl_verify names, does",
        fix=fix,
        commands=lines,
        missing_root=None,
    )


def _who_trusts(
    presented: PresentedChain, host: str, route: Route, reopen: Reopen, timeout: float
) -> dict[str, tuple[bool | None, str]]:
    """conda's trust, certifi's public roots and the OS store, each with its reason."""
    from ..probes import chain

    bundle = route.verify if isinstance(route.verify, str) else None
    conda = (
        chain.verifies_with_truststore(reopen, host, timeout)
        if route.ssl_context is not None
        else chain.verifies_with(presented.certs, host, cafile=bundle)
    )
    return {
        "conda": conda,
        "certifi": chain.verifies_with(presented.certs, host),
        "os": chain.verifies_with_truststore(reopen, host, timeout),
    }


def _clock_first(
    problem: Problem, host: str, reopen: Reopen, options: Options
) -> Problem:
    """A certificate 'expired' or 'not yet valid' is often this machine's clock."""
    from ..probes import tls

    try:
        server = tls.server_date(reopen(), host, options.read_timeout)
    except OSError:
        return problem
    if server is None:
        return problem
    skew = server - time.time()
    if abs(skew) <= options.skew_seconds:
        return problem.amended(clock_skew_seconds=round(skew))
    direction = "behind" if skew > 0 else "ahead of"
    return problem.amended(
        summary=f"this machine's clock is {advice.duration(abs(skew))} "
        f"{direction} the server's: set it right first; {problem.summary}",
        fix=catalogue.CLOCK_FIX,
        clock_skew_seconds=round(skew),
    )


def _interception(
    problem: Problem,
    host: str,
    route: Route,
    described: list[dict[str, Any]],
    trust: dict[str, tuple[bool | None, str]],
    options: Options,
) -> Problem:
    """Name a TLS-inspecting product, and the fix that trusts its CA."""
    usable = not route.proxy or route.truststore_through_proxy
    os_ok = trust["os"][0]
    verdict = intercept.interception_verdict(
        described,
        via_proxy=bool(route.proxy),
        host=host,
        publicly_trusted=bool(trust["certifi"][0]),
        # The OS store only helps if this conda uses it on this route.
        os_trusts=os_ok if usable else None,
        conda_trusts=bool(trust["conda"][0]),
        commands=options.commands,
        bundle=intercept.current_bundle(route.verify)
        if route.ssl_context is None
        else None,
    )
    if verdict.code is None:
        return problem.amended(truststore_usable=usable)
    fix = verdict.fix or ""
    if os_ok and not usable:
        # The other way: a conda that uses the store the OS already trusts it in.
        other = intercept.NO_TRUSTSTORE_THROUGH_PROXY
        fix = fix.instead(other) if isinstance(fix, Fix) else f"{fix}; {other}"
    return problem.amended(
        code=verdict.code,
        summary=verdict.summary,
        fix=fix,
        truststore_usable=usable,
        product=verdict.product,
        issuer=verdict.issuer,
        missing_root=verdict.root if verdict.adds_root else None,
        commands=verdict.commands,
    )


def _lone_leaf(
    problem: Problem,
    host: str,
    route: Route,
    presented: PresentedChain,
    described: list[dict[str, Any]],
    trust: dict[str, tuple[bool | None, str]],
    options: Options,
) -> Problem:
    """The server sent only its own certificate: a private root, or a missing intermediate?

    From the leaf alone the two look the same: the issuer fetched from the
    leaf's AIA caIssuers URL (through the route's session) tells them apart.
    """
    from ..probes import chain
    from . import transport

    if (
        len(presented.certs) != 1
        or not presented.complete
        or described[0].get("self_issued")
        or trust["conda"][0]
    ):
        return problem
    timeout = options.read_timeout
    fetched = chain.fetch_issuer(presented.certs[0], route.session, timeout)
    bundle = route.verify if isinstance(route.verify, str) else None
    extended = None
    if fetched.der is not None and not fetched.self_signed:
        extended, _ = chain.verifies_with(
            [*presented.certs, fetched.der], host, cafile=bundle
        )
    usable = not route.proxy or route.truststore_through_proxy
    better = transport.lone_leaf(
        host,
        described[0].get("issuer_cn") or described[0].get("issuer") or "its issuer",
        fetched,
        intercept.is_public_channel_host(host),
        trust["os"][0] if usable else None,
        extended,
        bundle if route.ssl_context is None else None,
        commands=options.commands,
        issuer_proxy=_issuer_proxy(route, fetched.url),
    )
    # The lone leaf's own verdict says whether a root is what conda lacks.
    fields = {"missing_root": None, **better.details.fields_set()}
    return problem.amended(
        summary=better.summary, fix=better.fix, commands=better.commands, **fields
    )


def _issuer_proxy(route: Route, url: str | None) -> str | None:
    """The proxy the session fetched `url` through, with placeholders for its secrets."""
    from ..config.routes import session_proxy
    from ..urls import shown_proxy

    proxy = session_proxy(route.session, url) if url else None
    return shown_proxy(proxy) if proxy else None
