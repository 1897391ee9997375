"""From what went wrong to a cause in one line and the exact fix."""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..model import Code, Layer, Problem
from ..probes.http import RefusedRedirect
from ..redact import REDACTOR

if TYPE_CHECKING:
    from ..model import Route, Target
    from ..probes.http import HttpResult

CERTIFICATE_CODES = frozenset(
    {
        Code.TLS_UNTRUSTED,
        Code.TLS_EXPIRED,
        Code.TLS_NOT_YET_VALID,
        Code.TLS_HOSTNAME_MISMATCH,
    }
)

PROXY_HINT = "conda config --set proxy_servers.https http://PROXY_HOST:PORT"
NEVER_DISABLE = "(never set ssl_verify to false: it turns off all protection)"
CLOCK_FIX = "set this machine's clock right (e.g. timedatectl set-ntp true)"


def fix_for(code: Code, target: Target) -> str | None:
    """The exact fix for a diagnosis code on a target."""
    url = urlsplit(target.url)
    host = url.hostname or ""
    try:
        port = url.port or (443 if url.scheme == "https" else 80)
    except ValueError:  # reported as a configuration finding
        port = 443 if url.scheme == "https" else 80
    where = f"in {target.source}" if target.source else "in your configuration"
    fixes = {
        Code.OFFLINE_MODE: "turn offline mode off: conda config --set offline false "
        "(or unset CONDA_OFFLINE, or drop --offline)",
        Code.DNS_FAILURE: f"check the host name {host} {where}; if it only resolves "
        f"inside your company network, connect to it (VPN) or use the proxy: {PROXY_HINT}",
        Code.CONNECTION_REFUSED: f"check the port of {target.channel} {where}; if the "
        f"network requires a proxy: {PROXY_HINT}; else ask your network team whether "
        f"a firewall rejects {host}:{port}",
        Code.CONNECT_TIMEOUT: f"a firewall probably drops traffic to {host}:{port}: use "
        f"your organisation's proxy ({PROXY_HINT}) or ask your network team to allow it",
        Code.READ_TIMEOUT: f"{host} is too slow or stalled: try again later, or raise "
        "the limit: conda config --set remote_read_timeout_secs 120",
        Code.TLS_UNTRUSTED: "if your organisation inspects TLS, trust the operating "
        "system's store: conda config --set ssl_verify truststore; else give conda the "
        "issuing CA: conda config --set ssl_verify /path/to/ca-bundle.pem "
        + NEVER_DISABLE,
        Code.TLS_EXPIRED: f"check this machine's clock (date -u); if it is right, the "
        f"certificate of {host} has expired: tell the administrators of {host}",
        Code.TLS_NOT_YET_VALID: "check this machine's clock (date -u) and set it right; "
        f"if it is right, tell the administrators of {host}",
        Code.TLS_HOSTNAME_MISMATCH: f"use the host name the certificate was issued for "
        f"{where}, or ask the administrators of {host} for a certificate that names it",
        Code.TLS_ERROR: f"ask the administrators of {host} (or your network team, "
        "if a proxy or firewall is in between) which TLS versions it accepts",
        Code.HTTP_UNAUTHORIZED: f"{target.channel} needs credentials: add a token to the "
        f"channel URL or a 'machine {host}' entry to ~/.netrc; if you sent one, it "
        "is wrong or expired: renew it",
        Code.HTTP_FORBIDDEN: f"{host} refuses access to {target.channel}: check that "
        "your account or token may read it, or ask the channel's administrators",
        Code.HTTP_NOT_FOUND: f"{target.channel} has no '{target.subdir}' at "
        f"{host}: check the channel name or URL {where} (conda config --show-sources)",
        Code.HTTP_RATE_LIMITED: f"{host} limits requests: wait and try again",
        Code.HTTP_SERVER_ERROR: f"{host} failed on its side: try again later; if it "
        "persists, tell the channel's administrators",
        Code.NOT_A_CHANNEL: f"the URL {where} does not serve a conda channel; if it is "
        "a login or captive-portal page, sign in with a browser first, else fix the URL",
        Code.CLOCK_SKEW: CLOCK_FIX,
        Code.SLOW: f"{host} is slow from here: a nearer mirror may help",
    }
    if code in PROXY_CODES:
        return proxy_fix(code, target)
    return fixes.get(code)


PROXY_CODES = frozenset(
    {
        Code.PROXY_UNREACHABLE,
        Code.PROXY_AUTH_FAILED,
        Code.PROXY_REFUSED,
        Code.PROXY_MISCONFIGURED,
    }
)


def proxy_fix(code: Code, target: Target) -> str:
    """The exact command for a proxy problem, where the proxy was set; never the password."""
    try:
        proxy = urlsplit(target.proxy or "http://PROXY_HOST:PORT")
        address = (
            f"{proxy.hostname}:{proxy.port or 80}"
            if proxy.hostname
            else "PROXY_HOST:PORT"
        )
    except ValueError:  # an unparseable proxy URL: its parts would mislead
        address = "PROXY_HOST:PORT"
    source = target.proxy_source or "proxy_servers.https"
    with_user = f"http://USER:<password>@{address}"
    plain = f"http://{address}"
    if source.startswith("proxy_servers."):
        key = source.split(".", 1)[1]
        set_it = f"conda config --set proxy_servers.{key}"
        drop = "conda config --remove-key proxy_servers"
    else:
        variable = source.split()[1] if source.startswith("the ") else "HTTPS_PROXY"
        set_it = f"export {variable}="
        drop = f"unset {variable}"
    joiner = "" if set_it.endswith("=") else " "
    if code is Code.PROXY_AUTH_FAILED:
        return (
            f"give the proxy your user and password: {set_it}{joiner}{with_user} "
            "(percent-encode @ : / ? # % in the password)"
        )
    if code is Code.PROXY_UNREACHABLE:
        return (
            f"fix the proxy address ({set_it}{joiner}{plain} with the right host and "
            f"port), or if you need no proxy: {drop}"
        )
    if code is Code.PROXY_MISCONFIGURED:
        return f"write the proxy as a full URL: {set_it}{joiner}{plain}"
    return "ask your network team to allow this host and port through the proxy"


def route_problem(exc: Exception) -> Problem:
    """conda could not even build a session for the URL (an invalid setting)."""
    first = REDACTOR.text(
        str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    )
    text = str(exc).lower()
    if "proxy" in text:
        code = Code.PROXY_MISCONFIGURED
    elif "bundle" in text or "ssl_verify" in text:
        code = Code.CA_BUNDLE_INVALID
    else:  # some other setting conda cannot use (a mapping where a path belongs)
        code = Code.CONFIG_INVALID
    return Problem(
        code,
        Layer.CONFIG,
        f"conda cannot build its session: {first}",
        "fix the setting named above (conda config --show-sources shows where it is set)",
    )


def trust_setting_problem(exc: Exception, route: Route) -> Problem:
    """The CA bundle or client certificate conda is told to use cannot be loaded."""
    cert_paths = route.cert if isinstance(route.cert, tuple) else (route.cert,)
    unsafe_cert = getattr(exc, "path", None) in cert_paths
    if unsafe_cert or (
        route.cert and ("PEM" in str(exc) or isinstance(exc, ssl.SSLError))
    ):
        return Problem(
            Code.CLIENT_CERT_INVALID,
            Layer.CONFIG,
            f"the client certificate or key cannot be loaded: {_reason(exc)}",
            fix="fix client_ssl_cert / client_ssl_cert_key: conda config --show-sources",
        )
    return Problem(
        Code.CA_BUNDLE_INVALID,
        Layer.CONFIG,
        f"the CA bundle {getattr(exc, 'path', None) or route.verify} cannot be "
        f"loaded: {_reason(exc)}",
        fix="point ssl_verify (or REQUESTS_CA_BUNDLE) at a PEM file that exists, or "
        "use the operating system's store: conda config --set ssl_verify truststore",
    )


def _reason(exc: Exception) -> str:
    if getattr(exc, "what", None):  # config.files.UnsafePath: what the path is
        return str(exc.what)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def status_problem(answer: HttpResult, filename: str, route: Route) -> Problem:
    """A non-2xx answer, by status code."""
    status = answer.status or 0
    if route.proxy and from_proxy(answer.headers, status):
        from ..probes.proxy import answer_problem, basic_credentials

        return answer_problem(
            status,
            answer.reason,
            answer.headers,
            None,
            basic_credentials(route.proxy) is not None,
            route.proxy_source,
        )
    line = f"HTTP {status} {answer.reason}".strip()
    details: dict[str, Any] = {"status": status}
    if status == 401:
        return Problem(
            Code.HTTP_UNAUTHORIZED,
            Layer.HTTP,
            f"the server wants credentials ({line})",
            details=details,
        )
    if status == 403:
        return Problem(
            Code.HTTP_FORBIDDEN, Layer.HTTP, f"the server refused ({line})", details
        )
    if status in (404, 410):
        return Problem(
            Code.HTTP_NOT_FOUND,
            Layer.HTTP,
            f"no {filename} at this URL ({line})",
            details=details,
        )
    if status == 407:
        return Problem(
            Code.PROXY_AUTH_FAILED,
            Layer.PROXY,
            f"the proxy wants credentials ({line})",
            details=details,
        )
    if status == 429:
        retry = answer.headers.get("Retry-After")
        wait = f"; retry after {retry} s" if retry else ""
        return Problem(
            Code.HTTP_RATE_LIMITED, Layer.HTTP, f"rate limited ({line}{wait})", details
        )
    if status >= 500:
        return Problem(
            Code.HTTP_SERVER_ERROR,
            Layer.HTTP,
            f"the server failed ({line})",
            details=details,
        )
    return Problem(
        Code.NOT_A_CHANNEL,
        Layer.HTTP,
        f"unexpected answer to {filename} ({line})",
        details=details,
    )


def from_proxy(headers: dict[str, str], status: int) -> bool:
    """Whether an error answer was written by the proxy rather than the server."""
    if status == 407 or "X-Squid-Error" in headers:
        return True
    server = headers.get("Server", "").lower()
    return server.startswith(("squid", "tinyproxy")) and status >= 400


def request_problem(exc: BaseException, route: Route, host: str) -> Problem:
    """The layer and cause behind an exception raised by the requests session."""
    import requests

    chain = list(_causes(exc))
    text = REDACTOR.text(str(exc))
    verify_error = _first(chain, ssl.SSLCertVerificationError)
    if verify_error is not None:
        from ..probes.tls import verify_problem

        return verify_problem(verify_error, host)
    if isinstance(exc, requests.exceptions.ProxyError):
        return _proxy_problem(exc, chain, text)
    if _first(chain, socket.gaierror) is not None or "NameResolution" in text:
        return Problem(Code.DNS_FAILURE, Layer.DNS, f"name lookup failed: {text}")
    if isinstance(exc, requests.exceptions.SSLError):
        return Problem(Code.TLS_ERROR, Layer.TLS, f"TLS failed: {text}")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Problem(Code.CONNECT_TIMEOUT, Layer.TCP, "the connection timed out")
    if isinstance(exc, (requests.exceptions.ReadTimeout, TimeoutError)):
        return Problem(Code.READ_TIMEOUT, Layer.HTTP, "the server stopped answering")
    if _first(chain, ConnectionRefusedError) is not None:
        return Problem(Code.CONNECTION_REFUSED, Layer.TCP, "the connection was refused")
    refused = _first(chain, RefusedRedirect)
    if refused is not None:
        return Problem(
            Code.NOT_A_CHANNEL,
            Layer.HTTP,
            f"the server redirects to a {refused.scheme}: URL "
            f"({REDACTOR.text(refused.location)}); a channel must answer over "
            "http(s), and netcheck never follows a redirect to another scheme",
            fix="check the channel URL, or ask the server's administrators why it "
            f"redirects to {refused.scheme}:",
        )
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return Problem(Code.NOT_A_CHANNEL, Layer.HTTP, "the server redirects in a loop")
    if isinstance(exc, OSError) and "CA bundle" in text:
        return Problem(Code.CA_BUNDLE_INVALID, Layer.CONFIG, text)
    if isinstance(exc, ValueError) and route.proxy:
        return Problem(
            Code.PROXY_MISCONFIGURED, Layer.CONFIG, f"the proxy URL is invalid: {text}"
        )
    if (
        isinstance(
            exc,
            (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                requests.exceptions.InvalidHeader,
            ),
        )
        or _first(chain, http.client.HTTPException) is not None
    ):
        # Connected and answered, but not in HTTP that requests can read.
        closed = _first(chain, http.client.RemoteDisconnected) is not None
        return Problem(
            Code.NOT_A_CHANNEL,
            Layer.HTTP,
            "the server closed the connection without an answer"
            if closed
            else f"the server's answer is malformed HTTP: {text}",
            fix="ask the server's administrators (or the network team, if a proxy "
            "or firewall rewrites the traffic) to look at this answer",
        )
    return Problem(Code.CONNECTION_REFUSED, Layer.TCP, f"the request failed: {text}")


def _proxy_problem(exc: BaseException, chain: list, text: str) -> Problem:
    if "407" in text:
        return Problem(
            Code.PROXY_AUTH_FAILED,
            Layer.PROXY,
            "the proxy rejected the credentials or got none (407)",
        )
    if _first(chain, ConnectionRefusedError) is not None or "refused" in text:
        return Problem(
            Code.PROXY_UNREACHABLE, Layer.PROXY, "the proxy refused the connection"
        )
    return Problem(Code.PROXY_REFUSED, Layer.PROXY, f"the proxy refused: {text}")


def _causes(exc: BaseException | None):
    """Walk urllib3's .reason, args and __cause__/__context__ links, bounded."""
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


def _first(chain: list, kind: type) -> Any:
    return next((e for e in chain if isinstance(e, kind)), None)


def clock_skew_problem(skew: float) -> Problem:
    """The server's Date differs from the local clock."""
    direction = "behind" if skew > 0 else "ahead of"
    return Problem(
        Code.CLOCK_SKEW,
        Layer.HTTP,
        f"this machine's clock is {duration(abs(skew))} {direction} the server's "
        "(certificates and tokens may look expired or not yet valid)",
        details={"skew_seconds": round(skew)},
    )


def slow_problem(elapsed_ms: float) -> Problem:
    """The request worked but took long."""
    return Problem(Code.SLOW, Layer.HTTP, f"the answer took {elapsed_ms / 1000:.1f} s")


def duration(seconds: float) -> str:
    """Seconds in the unit a person reads: minutes, hours or days."""
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"
