"""The proxy explainer: a proxy URL requests cannot use, a CONNECT that opened no
tunnel, or a proxy's non-200 answer (authentication, refusal, an upstream
failure), in words and with its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config.proxylint import lint_proxy_url
from ..model import Code, Details, Layer, Problem, Status
from ..probes.proxy import ConnectFailure, auth_schemes

if TYPE_CHECKING:
    from ..config.commands import Commands
    from ..config.sources import ProxySource
    from ..model import Route
    from ..probes.proxy import ProxyAnswer


#: What a server that does not implement CONNECT answers it: no proxy tunnels there.
NOT_A_PROXY = (405, 501)


def not_a_proxy(answer: str, details: Details | None = None) -> Problem:
    """The proxy address serves a web server, which answered CONNECT with `answer`."""
    return Problem(
        Code.PROXY_MISCONFIGURED,
        Layer.PROXY,
        f"the proxy address is not a proxy: it answered CONNECT with {answer}, as "
        "a web server does (a proxy opens a tunnel for HTTPS with CONNECT)",
        details=(details or Details()).merged(proxy_speaks="web"),
    )


def unusable_proxy(route: Route, scheme: str, commands: Commands) -> Problem | None:
    """A proxy URL requests cannot use, said before any traffic; `scheme` is the URL's."""
    lints = lint_proxy_url(
        route.proxy or "",
        source=route.proxy_source,
        scheme=scheme or "https",
        commands=commands,
    )
    error = next((lint for lint in lints if lint.status is Status.ERROR), None)
    if error is None:
        return None
    where = route.proxy_source.words() if route.proxy_source else "the proxy setting"
    return Problem(
        Code.PROXY_MISCONFIGURED,
        Layer.CONFIG,
        f"the proxy URL in {where} cannot be used: {error.summary}",
        error.fix,
        # The same line as the configuration finding's: proven once, marked alike.
        commands=error.commands,
    )


def connect_problem(answer: ProxyAnswer, source: ProxySource | None) -> Problem | None:
    """Why CONNECT opened no tunnel; None when it did. `source` sets the proxy URL."""
    authority = answer.authority
    if answer.failure is None:
        return None
    if answer.failure is ConnectFailure.STALLED:
        return Problem(
            Code.READ_TIMEOUT,
            Layer.PROXY,
            f"the proxy accepted the connection but did not answer CONNECT "
            f"{authority} within {answer.timeout:g} s",
        )
    if answer.failure is ConnectFailure.CLOSED:
        return Problem(
            Code.PROXY_REFUSED,
            Layer.PROXY,
            f"the proxy closed the connection on CONNECT {authority} ({answer.error})",
        )
    return answer_problem(
        answer.status,
        answer.reason,
        answer.headers,
        answer.title,
        answer.sent_credentials,
        source,
        method=f"CONNECT {authority}",
    )


def answer_problem(
    status: int | None,
    reason: str,
    headers: dict[str, str],
    title: str | None,
    sent_credentials: bool,
    source: ProxySource | None = None,
    method: str | None = None,
) -> Problem:
    """What a proxy's non-200 answer means: auth, refusal, or an upstream failure."""
    line = f"{status} {reason}".strip() if status else reason or "no HTTP answer"
    squid = headers.get("X-Squid-Error")
    said = (
        "; the proxy says: " + ", ".join(x for x in (squid, title) if x)
        if (squid or title)
        else ""
    )
    details = Details(
        status=status, x_squid_error=squid, title=title, method=method or None
    )
    if status in (407, 401):
        schemes = auth_schemes(headers)
        details = details.merged(auth_schemes=tuple(schemes))
        where = f"the proxy URL in {source.words()}" if source else "the proxy URL"
        sent = (
            f"credentials from {where} were sent and refused"
            if sent_credentials
            else f"no credentials were sent ({where} has none)"
        )
        offer = f"; it offers {', '.join(schemes)}" if schemes else ""
        summary = f"the proxy wants authentication ({line}): {sent}{offer}"
        # The fix is the catalogue's: a password, or a local helper when the
        # proxy offers no Basic (auth_schemes), written where the proxy is set.
        return Problem(Code.PROXY_AUTH_FAILED, Layer.PROXY, summary, None, details)
    if status in NOT_A_PROXY and (method or "").startswith("CONNECT "):
        return not_a_proxy(line, details)
    if status is not None and status >= 500:
        return Problem(
            Code.PROXY_REFUSED,
            Layer.PROXY,
            f"the proxy could not reach the server ({line}){said}: a DNS or routing "
            "failure on the proxy's side, not this machine's",
            "ask your network team: the proxy cannot reach this host",
            details,
        )
    return Problem(
        Code.PROXY_REFUSED,
        Layer.PROXY,
        f"the proxy refused ({line}){said}",
        None,
        details,
    )
