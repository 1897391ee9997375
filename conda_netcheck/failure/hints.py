"""Hints appended to conda's network errors: the likely code, its layer and fix, found without network.

conda renders these while it prints the error, so classifying reads only the
exception chain (classes, messages, a response conda kept) and conda's
settings already in memory; `conda netcheck` is named as the proof. A rule
reads the chain into a diagnosis code and typed evidence; the words, the
cause and the fix, are the catalogue's for that code, written with the
commands of this configuration (as `conda netcheck` writes them).
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..codes import Code, Layer
from ..config.commands import Commands
from ..evidence import Details

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..config.netconfig import NetConfig
    from ..config.sources import ProxySource
    from ..model import Target

PROOF = "`conda netcheck` shows which layer fails and proves the fix"
#: The channel when the chain names no URL: a placeholder (host names print in
#: lower case, so not CHANNEL_HOST).
NO_URL = "https://channel_host"
#: urllib3's pool in its messages: "HTTPSConnectionPool(host='h', port=443)".
_POOL_RE = re.compile(r"(HTTPS?)ConnectionPool\(host='([^']+)', port=(\d+)\)")


@dataclass(frozen=True)
class Seen:
    """What a rule reads in the exception chain: the catalogue's code, the layer, the evidence."""

    code: Code
    layer: Layer
    details: Details = field(default_factory=Details)


@dataclass(frozen=True)
class Hint:
    """A hint: a catalogue code, what the chain shows, and the catalogue's fix for it."""

    code: Code
    layer: Layer
    cause: str
    fix: str

    @property
    def hint_code(self) -> str:
        """conda's hint_code: the diagnosis code, in conda's snake case."""
        return "netcheck_" + self.code.value.replace("-", "_")

    def text(self) -> str:
        """The hint as conda prints it."""
        return f"{self.layer.value} layer: {self.cause}. Fix: {self.fix}. {PROOF}."


def is_network_error(error: Any) -> bool:
    """conda's network errors, by class name (they moved between releases); see watch.py."""
    from .watch import network_leaf

    return network_leaf(error) is not None


def error_hints(error: Any) -> Iterator[Any]:
    """The most likely cause with its fix (or the netcheck hint), then config findings."""
    if not is_network_error(error):
        return
    from conda.plugins.types import CondaErrorHint

    from ..redact import REDACTOR

    try:
        from ..config.netconfig import from_conda

        cfg: NetConfig | None = from_conda()
    except Exception:  # a hint must never make conda's error handling fail
        cfg = None
    try:
        cause = classify(error, _setting(cfg))
    except Exception:  # a hint must never make conda's error handling fail
        cause = None
    if cause is not None:
        yield CondaErrorHint(
            text=REDACTOR.text(cause.text()), hint_code=cause.hint_code
        )
    else:
        yield CondaErrorHint(
            text="Run `conda netcheck` to find which network layer fails and how to fix it.",
            hint_code="netcheck_run",
        )
    yield from _config_hints(CondaErrorHint, REDACTOR, cfg, _failing_url(error))


def _failing_url(error: Any) -> str | None:
    from .record import failing_url

    try:
        return failing_url(error)
    except Exception:  # a hint must never make conda's error handling fail
        return None


def _config_hints(
    hint_type: Any, redactor: Any, cfg: NetConfig | None, url: str | None = None
) -> Iterator[Any]:
    from ..config.checks import config_findings
    from ..model import Status

    if cfg is None:
        return
    try:
        findings = config_findings(cfg, [url] if url else [])
    except Exception:  # a hint must never make conda's error handling fail
        return
    for finding in findings:
        if finding.status is Status.OK or not concerns(finding, url):
            continue
        text = finding.summary + (f"; fix: {finding.fix}" if finding.fix else "")
        yield hint_type(
            text=redactor.text(text), hint_code=f"netcheck_{finding.check.lower()}"
        )


def concerns(finding: Any, url: str | None) -> bool:
    """Whether a configuration finding bears on the URL that failed (any, without one)."""
    from urllib.parse import urlsplit

    if not url:
        return True
    parts = urlsplit(url)
    if finding.scheme and parts.scheme.lower() != finding.scheme:
        return False  # e.g. no proxy for https, when an http:// URL failed
    return not finding.public_hosts or _public(parts.hostname or "")


def _public(host: str) -> bool:
    """anaconda.org, conda.anaconda.org, repo.anaconda.com: hosts on the internet."""
    from ..config.credentials import PUBLIC_HOSTS

    host = host.lower()
    return (
        host in PUBLIC_HOSTS
        or host in ("anaconda.org", "anaconda.com")
        or host.endswith((".anaconda.org", ".anaconda.com"))
    )


@dataclass(frozen=True)
class Setting:
    """What a hint may know of the configuration: the proxies, and where keys are set."""

    proxies: dict[str, str] = field(default_factory=dict)
    commands: Commands = field(default_factory=Commands)
    #: the variable or OS setting that gives https its proxy (it beats proxy_servers)
    https_source: ProxySource | None = None
    #: the same for http: an http:// channel's proxy is proxy_servers.http or HTTP_PROXY
    http_source: ProxySource | None = None
    #: the URL that failed; its scheme picks the proxy setting a fix changes
    url: str = "https://"
    #: conda's ssl_verify: a fix never suggests what is already set
    ssl_verify: bool | str = True

    def get(self, name: str, default: Any = None) -> Any:
        return self.proxies.get(name, default)

    def values(self) -> Any:
        return self.proxies.values()

    def __bool__(self) -> bool:
        return bool(self.proxies)


def _setting(cfg: NetConfig | None) -> Setting:
    """The hints' view of the configuration; a bare one when it cannot be read."""
    from ..config.commands import for_config
    from ..config.proxylint import environment_source

    commands = for_config(cfg) if cfg is not None else Commands()
    return Setting(
        _proxies(cfg),
        commands,
        environment_source(os.environ, "https") or _setting_source(cfg, "https"),
        environment_source(os.environ, "http") or _setting_source(cfg, "http"),
        ssl_verify=cfg.ssl_verify if cfg is not None else True,
    )


def _setting_source(cfg: NetConfig | None, scheme: str) -> ProxySource | None:
    """The proxy_servers key that gives scheme its proxy when no variable does."""
    from ..config.sources import ProxySource, ProxySourceKind

    for key in (scheme, "all"):  # requests' order, host-specific keys aside
        if cfg is not None and cfg.proxy_servers.get(key):
            # Dropping it is `--remove-key proxy_servers.KEY`: NO_PROXY would not.
            return ProxySource(ProxySourceKind.SETTING, key)
    return None


def _proxies(cfg: NetConfig | None) -> dict[str, str]:
    """The proxies conda would use, from .condarc and the variables (no network)."""
    from ..config.proxylint import variable_proxies

    found = dict(cfg.proxy_servers) if cfg is not None else {}
    # requests lets a variable win over proxy_servers for the same scheme.
    return {**found, **variable_proxies(os.environ)}


def chain_texts(error: BaseException) -> tuple[list[str], str]:
    """The class names along the chain, and all messages joined."""
    from .record import chain

    links = list(chain(error))
    names = [cls.__name__ for link in links for cls in type(link).__mro__]
    texts = [_safe_str(link) for link in links]
    # CondaHTTPError keeps the response only as text (status line and headers).
    details = getattr(error, "_kwargs", None) or {}
    texts.append(str(details.get("response_details") or ""))
    return names, "\n".join(texts)


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:
        return ""


def classify(error: BaseException, proxies: Setting | None = None) -> Hint | None:
    """The most likely cause of a network error, from its chain alone."""
    from .record import failing_url

    proxies = Setting() if proxies is None else proxies
    url = failing_url(error)
    if url:  # a fix for an http:// channel sets proxy_servers.http, not .https
        proxies = dataclasses.replace(proxies, url=url)
    names, text = chain_texts(error)
    return classify_texts(names, text, proxies, error)


def classify_texts(
    names: Sequence[str],
    text: str,
    proxies: Setting | None = None,
    error: Any = None,
) -> Hint | None:
    """The most likely cause from what a chain says: its class names and messages."""
    proxies = Setting() if proxies is None else proxies
    pool = _POOL_RE.search(text)
    if pool and "//" not in proxies.url.strip("/"):
        # No URL in the chain: the host and port urllib3 names.
        scheme, host, port = pool.group(1).lower(), pool.group(2), pool.group(3)
        proxies = dataclasses.replace(proxies, url=f"{scheme}://{host}:{port}/")
    for rule in RULES:
        seen = rule(error, names, text, proxies)
        if seen is not None:
            return _hint(seen, proxies)
    return None


def _hint(seen: Seen, setting: Setting) -> Hint:
    """The catalogue's words for what the chain shows: the cause, and the fix for this configuration."""
    from ..diagnosis.catalogue import Subject, entry
    from ..model import Problem

    record = entry(seen.code)
    target = _target(setting)
    problem = Problem(seen.code, seen.layer, "", details=seen.details)
    cause = (
        record.hint(Subject(target, problem, setting.commands)) if record.hint else ""
    )
    problem = dataclasses.replace(problem, summary=cause)
    fix = record.fix(Subject(target, problem, setting.commands)) or ""
    return Hint(seen.code, seen.layer, cause, fix)


def _target(setting: Setting) -> Target:
    """The failing URL as a target: its directory, the proxy and trust conda used for it."""
    from ..model import Target

    url = setting.url if "//" in setting.url.strip("/") else NO_URL
    base = url.rsplit("/", 1)[0] if url.count("/") > 3 else url
    http = url.lower().startswith("http://")
    return Target(
        base,
        base.rsplit("/", 1)[0],
        base.rsplit("/", 1)[-1],
        proxy=_proxy_for(setting),
        proxy_source=setting.http_source if http else setting.https_source,
        verify=setting.ssl_verify,
    )


def _proxy_for(setting: Setting) -> str | None:
    """The proxy requests picks for the failing URL's scheme: that one, else "all"."""
    scheme = "http" if setting.url.lower().startswith("http://") else "https"
    other = "https" if scheme == "http" else "http"
    return setting.get(scheme) or setting.get("all") or setting.get(other)


def _offline(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if "OfflineError" not in names:
        return None
    return Seen(Code.OFFLINE_MODE, Layer.CONFIG)


_SOCKS_VARIABLES = (
    "ALL_PROXY",
    "all_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
)


def _socks(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if "CondaDependencyError" not in names or "SOCKS" not in text:
        return None
    # The variables to leave out of the one install of PySocks.
    variables = tuple(
        name
        for name in _SOCKS_VARIABLES
        if os.environ.get(name, "").lower().startswith("socks")
    )
    return Seen(
        Code.PROXY_MISCONFIGURED, Layer.PROXY, Details(socks_variables=variables)
    )


_PROXY_407_RE = re.compile(r"407 Proxy Auth|Proxy Authentication Required|HTTP 407")
_PROXY_AUTH_RE = re.compile(r"proxy-authenticate['\"]?\s*[:=]\s*['\"]?(\w+)", re.I)


def _proxy_auth(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Seen | None:
    if not _PROXY_407_RE.search(text):
        return None
    scheme = _auth_scheme(error, text)
    return Seen(
        Code.PROXY_AUTH_FAILED,
        Layer.PROXY,
        Details(auth_schemes=(scheme,) if scheme else None),
    )


def _auth_scheme(error: Any, text: str) -> str | None:
    """The Proxy-Authenticate scheme from a response conda kept, else from the text."""
    from .record import chain

    for link in chain(error):
        for holder in (link, getattr(link, "_kwargs", None) or {}):
            response = (
                holder.get("response")
                if isinstance(holder, dict)
                else getattr(holder, "response", None)
            )
            headers = getattr(response, "headers", None)
            if headers and headers.get("Proxy-Authenticate"):
                return headers["Proxy-Authenticate"].split()[0]
    match = _PROXY_AUTH_RE.search(text)
    return match.group(1) if match else None


# urllib3's OSError when the proxy answers CONNECT with what a web server says
# to a method it does not implement (http.server: "501 Unsupported method").
_NOT_A_PROXY_RE = re.compile(r"Tunnel connection failed: (?:405|501)\b")


def _not_a_proxy(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Seen | None:
    if not _NOT_A_PROXY_RE.search(text):
        return None
    return Seen(Code.PROXY_MISCONFIGURED, Layer.PROXY, Details(proxy_speaks="web"))


def _renegotiation(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Seen | None:
    if "UNSAFE_LEGACY_RENEGOTIATION_DISABLED" not in text:
        return None
    return Seen(Code.TLS_LEGACY_RENEGOTIATION, Layer.TLS)


def _eof(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    wrong_version = "WRONG_VERSION_NUMBER" in text or "wrong version number" in text
    eof = "EOF occurred in violation of protocol" in text
    if not (eof or wrong_version):
        return None
    # The fix sets the proxy of https downloads: that one first.
    https_proxy = next(
        (
            u
            for u in (proxies.get("https"), *proxies.values())
            if u and u.strip().lower().startswith("https://")
        ),
        None,
    )
    if https_proxy:
        return Seen(Code.PROXY_MISCONFIGURED, Layer.PROXY, Details(proxy_speaks="http"))
    if not eof:
        return None
    return Seen(
        Code.CONNECTION_RESET, Layer.TLS, Details(failure="closed", when="handshake")
    )


# "issuer: 'Zscaler Root CA'" or "issuer=CN=...": a name after = or :, never
# OpenSSL's "unable to get local issuer certificate (_ssl.c:1006)".
_ISSUER_RE = re.compile(r"issuer\s*[=:]\s*['\"]?([^'\"\n,)]+)", re.I)
_MISMATCH_RE = re.compile(
    r"(?:Hostname|IP address) mismatch, certificate is not valid for '([^']+)'"
)


def _untrusted(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Seen | None:
    if (
        "CERTIFICATE_VERIFY_FAILED" not in text
        and "certificate verify failed" not in text
    ):
        return None
    from ..diagnosis.intercept import product_of

    found = product_of(text)
    product = found.name if found else None
    match = _ISSUER_RE.search(text)
    issuer = product or (match.group(1).strip() if match else None)
    details = Details(issuer=issuer, product=product, verify_code=_verify_code(text))
    mismatch = _MISMATCH_RE.search(text)
    if mismatch and not product:  # trusting another CA would not help
        details = details.merged(hostname=mismatch.group(1))
        return Seen(Code.TLS_HOSTNAME_MISMATCH, Layer.TLS, details)
    if "expired" in text and not product:
        return Seen(Code.TLS_EXPIRED, Layer.TLS, details)
    # A known TLS-inspecting product re-signs the connection: tls-intercepted.
    code = Code.TLS_INTERCEPTED if product else Code.TLS_UNTRUSTED
    return Seen(code, Layer.TLS, details)


def _verify_code(text: str) -> int | None:
    """OpenSSL's verify code for a self-signed certificate, from its message."""
    if re.search(r"self[- ]signed certificate in certificate chain", text):
        return 19  # X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
    if re.search(r"self[- ]signed", text):
        return 18  # X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
    return None


def _reset(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if "ConnectionResetError" not in names and "Connection reset by peer" not in text:
        return None
    # Over HTTPS, a reset before any answer comes in (or right after) the TLS
    # handshake, whose ClientHello names the host: what filters act on.
    tls = "HTTPSConnectionPool" in text or "SSL" in text or "handshake" in text
    layer = Layer.PROXY if proxies else Layer.TLS if tls else Layer.TCP
    return Seen(
        Code.CONNECTION_RESET,
        layer,
        Details(failure="reset", when="handshake" if tls else None),
    )


def _checksum(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if "ChecksumMismatchError" not in names:
        return None
    return Seen(Code.DOWNLOAD_MISMATCH, Layer.CONTENT)


def _refused(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if "ConnectionRefusedError" not in names and "Connection refused" not in text:
        return None
    if proxies:
        return Seen(
            Code.PROXY_UNREACHABLE, Layer.PROXY, Details(cause=Code.CONNECTION_REFUSED)
        )
    return Seen(Code.CONNECTION_REFUSED, Layer.TCP)


#: urllib3 when the proxy's own connection fails ("Unable to connect to proxy").
_PROXY_DOWN_RE = re.compile(r"Unable to connect to proxy", re.I)
_DNS_TEXTS = (
    "Name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "Temporary failure in name resolution",
    "Failed to resolve",
    "No address associated with hostname",
)


def _dns(error: Any, names: Sequence[str], text: str, proxies: Any) -> Seen | None:
    if not any(needle in text for needle in _DNS_TEXTS):
        return None
    if _proxy_for(proxies) and _PROXY_DOWN_RE.search(text):
        # urllib3 resolves the proxy's name, not the channel's: the proxy is
        # what cannot be reached.
        return Seen(
            Code.PROXY_UNREACHABLE, Layer.PROXY, Details(cause=Code.DNS_FAILURE)
        )
    return Seen(Code.DNS_FAILURE, Layer.DNS)


RULES = (
    _offline,
    _socks,
    _proxy_auth,
    _not_a_proxy,
    _renegotiation,
    _eof,
    _untrusted,
    _checksum,
    _reset,
    _dns,
    _refused,
)

#: Every code a hint can name: each has its catalogue entry and fix.
CODES = frozenset(
    {
        Code.OFFLINE_MODE,
        Code.PROXY_MISCONFIGURED,
        Code.PROXY_AUTH_FAILED,
        Code.TLS_LEGACY_RENEGOTIATION,
        Code.CONNECTION_RESET,
        Code.TLS_HOSTNAME_MISMATCH,
        Code.TLS_EXPIRED,
        Code.TLS_INTERCEPTED,
        Code.TLS_UNTRUSTED,
        Code.DOWNLOAD_MISMATCH,
        Code.PROXY_UNREACHABLE,
        Code.CONNECTION_REFUSED,
        Code.DNS_FAILURE,
    }
)
