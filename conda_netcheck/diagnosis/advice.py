"""From what went wrong to a cause in one line and the exact fix."""

from __future__ import annotations

import http.client
import socket
import ssl
from typing import TYPE_CHECKING, Any

from ..model import Code, Layer, Problem
from ..redact import REDACTOR
from ..redirects import RefusedRedirect

if TYPE_CHECKING:
    from ..model import Route
    from ..probes.http import HttpResult


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
    if getattr(exc, "what", None):  # safefiles.UnsafePath: what the path is
        return str(exc.what)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def status_problem(answer: HttpResult, filename: str, route: Route) -> Problem:
    """A non-2xx answer, by status code."""
    from ..evidence import Details

    status = answer.status or 0
    if route.proxy and from_proxy(answer.headers, status):
        from ..probes.proxy import basic_credentials
        from .proxy import answer_problem

        return answer_problem(
            status,
            answer.reason,
            answer.headers,
            None,
            basic_credentials(route.proxy) is not None,
            route.proxy_source,
        )
    line = f"HTTP {status} {answer.reason}".strip()
    if status == 429:
        retry = answer.headers.get("Retry-After")
        line += f"; retry after {retry} s" if retry else ""
    code, layer, said = _STATUS.get(status) or (
        (Code.HTTP_SERVER_ERROR, Layer.HTTP, "the server failed ({line})")
        if status >= 500
        else (
            Code.NOT_A_CHANNEL,
            Layer.HTTP,
            "unexpected answer to {filename} ({line})",
        )
    )
    summary = said.format(line=line, filename=filename)
    return Problem(code, layer, summary, details=Details(status=status))


#: status -> (code, layer, summary with {line} and {filename})
_STATUS = {
    401: (Code.HTTP_UNAUTHORIZED, Layer.HTTP, "the server wants credentials ({line})"),
    403: (Code.HTTP_FORBIDDEN, Layer.HTTP, "the server refused ({line})"),
    404: (Code.HTTP_NOT_FOUND, Layer.HTTP, "no {filename} at this URL ({line})"),
    407: (Code.PROXY_AUTH_FAILED, Layer.PROXY, "the proxy wants credentials ({line})"),
    410: (Code.HTTP_NOT_FOUND, Layer.HTTP, "no {filename} at this URL ({line})"),
    429: (Code.HTTP_RATE_LIMITED, Layer.HTTP, "rate limited ({line})"),
}


def from_proxy(headers: dict[str, str], status: int) -> bool:
    """Whether an error answer was written by the proxy rather than the server."""
    if status == 407 or "X-Squid-Error" in headers:
        return True
    server = headers.get("Server", "").lower()
    return server.startswith(("squid", "tinyproxy")) and status >= 400


def request_problem(
    exc: BaseException,
    route: Route,
    host: str,
    answered: bool = False,
    timeout: float | None = None,
) -> Problem:
    """The layer and cause behind an exception raised by the requests session.

    `answered`: the headers had arrived (a read timeout then means the server
    stopped; before them, that it never answered).
    """
    from .transport import causes

    chain = list(causes(exc))
    text = REDACTOR.text(str(exc))
    # In this order: an exception can match several (InvalidHeader is a ValueError).
    return (
        _below_http(exc, chain, text, host, answered, timeout)
        or _redirect_problem(exc, chain)
        or _setting_problem(exc, text, route)
        or _unreadable_answer(exc, chain, text)
        or _observed(chain, text)
    )


def _observed(chain: list, text: str) -> Problem:
    """No known cause fits: what the system said, at the layer its errno belongs to."""
    import errno as errnos

    from ..evidence import Details

    error = next((e for e in chain if isinstance(e, OSError) and e.errno), None)
    name = errnos.errorcode.get(error.errno, "") if error is not None else ""
    if name in ("ENETUNREACH", "EHOSTUNREACH", "EADDRNOTAVAIL"):
        return Problem(
            Code.NO_ROUTE,
            Layer.TCP,
            f"no route to the host ({name}): {text}",
            details=Details(reason="unreachable", errno=name),
        )
    if name:
        return Problem(
            Code.CONNECT_FAILED,
            Layer.TCP,
            f"the request failed with {name}: {text}",
            details=Details(errno=name),
        )
    return Problem(
        Code.CONNECT_FAILED,
        Layer.TCP,
        f"the request failed, in a way no known cause fits: {text}",
    )


def _below_http(
    exc: BaseException,
    chain: list,
    text: str,
    host: str,
    answered: bool,
    timeout: float | None,
) -> Problem | None:
    """Certificate, proxy, DNS, TLS, timeouts and refusals: no HTTP answer to read."""
    import requests

    verify_error = _first(chain, ssl.SSLCertVerificationError)
    if verify_error is not None:
        from .tls import verify_problem

        message = verify_error.verify_message or str(verify_error)
        return verify_problem(verify_error.verify_code, message, host)
    if isinstance(exc, requests.exceptions.ProxyError):
        return _proxy_problem(exc, chain, text)
    if _first(chain, socket.gaierror) is not None or "NameResolution" in text:
        return Problem(Code.DNS_FAILURE, Layer.DNS, f"name lookup failed: {text}")
    if isinstance(exc, requests.exceptions.SSLError):
        return Problem(Code.TLS_ERROR, Layer.TLS, f"TLS failed: {text}")
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Problem(Code.CONNECT_TIMEOUT, Layer.TCP, "the connection timed out")
    if isinstance(exc, (requests.exceptions.ReadTimeout, TimeoutError)):
        return Problem(Code.READ_TIMEOUT, Layer.HTTP, _silence(answered, timeout))
    if _first(chain, ConnectionRefusedError) is not None:
        return Problem(Code.CONNECTION_REFUSED, Layer.TCP, "the connection was refused")
    if isinstance(exc, requests.exceptions.ConnectionError) and any(
        isinstance(e, OSError) and e.errno for e in chain
    ):
        return _observed(chain, text)
    return None


def _redirect_problem(exc: BaseException, chain: list) -> Problem | None:
    """A redirect netcheck does not follow (another scheme) or a loop."""
    import requests

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
        return redirect_loop(exc)
    return None


def redirect_loop(exc: BaseException) -> Problem:
    """Too many redirects: the hops as they went, the loop marked where it closes."""
    from ..evidence import Details

    response = getattr(exc, "response", None)
    history = [*getattr(response, "history", ()), *([response] if response else [])]
    hops: list[str] = []
    for hop in history:
        url = REDACTOR.url(getattr(hop, "url", "") or "")
        if url in hops:
            hops.append(url)
            break
        hops.append(url)
    count = len(getattr(response, "history", ()) or ())
    shown = " -> ".join(hops[:6]) + (" -> ..." if len(hops) > 6 else "")
    loops = len(hops) > 1 and hops[-1] in hops[:-1]
    return Problem(
        Code.REDIRECT_LOOP,
        Layer.HTTP,
        (
            f"the server redirects in a loop: {shown}"
            if loops
            else f"the server redirects without end ({count} redirects): {shown}"
        ),
        details=Details(status=getattr(response, "status_code", None)),
    )


def _setting_problem(exc: BaseException, text: str, route: Route) -> Problem | None:
    """A CA bundle or proxy URL that requests refused before sending anything."""
    if isinstance(exc, OSError) and "CA bundle" in text:
        return Problem(Code.CA_BUNDLE_INVALID, Layer.CONFIG, text)
    if isinstance(exc, ValueError) and route.proxy:
        return Problem(
            Code.PROXY_MISCONFIGURED, Layer.CONFIG, f"the proxy URL is invalid: {text}"
        )
    return None


def _unreadable_answer(exc: BaseException, chain: list, text: str) -> Problem | None:
    """Connected and answered, but not in HTTP that requests can read."""
    import requests

    unreadable = (
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
        requests.exceptions.InvalidHeader,
    )
    if (
        not isinstance(exc, unreadable)
        and _first(chain, http.client.HTTPException) is None
    ):
        return None
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return Problem(
            Code.ENCODING_MISLABELLED,
            Layer.HTTP,
            "the server labels its answer with a Content-Encoding (gzip, deflate, br, "
            f"zstd) it is not encoded in: decoding it fails ({text})",
        )
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


def _silence(answered: bool, timeout: float | None) -> str:
    within = f" within {timeout:g} s" if timeout else ""
    if answered:
        return f"the server answered, then stopped sending{within}"
    return f"the server accepted the connection but sent no answer{within}"


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


def _first(chain: list, kind: type) -> Any:
    return next((e for e in chain if isinstance(e, kind)), None)


def clock_skew_problem(skew: float) -> Problem:
    """The server's Date differs from the local clock."""
    from ..evidence import Details

    direction = "behind" if skew > 0 else "ahead of"
    return Problem(
        Code.CLOCK_SKEW,
        Layer.HTTP,
        f"this machine's clock is {duration(abs(skew))} {direction} the server's "
        "(certificates and tokens may look expired or not yet valid)",
        details=Details(skew_seconds=round(skew)),
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
