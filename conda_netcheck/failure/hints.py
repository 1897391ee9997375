"""Hints appended to conda's network errors: the likely layer and fix, found without network.

conda renders these while it prints the error, so classifying reads only the
exception chain (classes, messages, a response conda kept) and conda's
settings already in memory; `conda netcheck` is named as the proof.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config.commands import Commands
from ..model import Layer

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ..config.netconfig import NetConfig
    from ..config.sources import ProxySource

PROOF = "`conda netcheck` shows which layer fails and proves the fix"


@dataclass(frozen=True)
class Cause:
    """What the exception chain says: a kind, its layer, the cause and the fix."""

    kind: str  # hint_code suffix
    layer: Layer
    cause: str
    fix: str

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
            text=REDACTOR.text(cause.text()), hint_code=f"netcheck_{cause.kind}"
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

    def set(self, key: str, value: str) -> str:
        """The command that sets key where it is set now (`--file` when not ~/.condarc)."""
        return self.commands.set(key, value)

    def set_proxy(self, value: str) -> str:
        """The command that sets the proxy for the failing URL's scheme where it is set now."""
        http = self.url.lower().startswith("http://")
        source = self.http_source if http else self.https_source
        return self.commands.set_proxy("http://" if http else "https://", value, source)

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
        environment_source(os.environ, "https"),
        environment_source(os.environ, "http"),
        ssl_verify=cfg.ssl_verify if cfg is not None else True,
    )


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


def classify(error: BaseException, proxies: Setting | None = None) -> Cause | None:
    """The most likely cause of a network error, from its chain alone."""
    from dataclasses import replace

    from .record import failing_url

    proxies = Setting() if proxies is None else proxies
    url = failing_url(error)
    if url:  # a fix for an http:// channel sets proxy_servers.http, not .https
        proxies = replace(proxies, url=url)
    names, text = chain_texts(error)
    return classify_texts(names, text, proxies, error)


def classify_texts(
    names: Sequence[str],
    text: str,
    proxies: Setting | None = None,
    error: Any = None,
) -> Cause | None:
    """The most likely cause from what a chain says: its class names and messages."""
    proxies = Setting() if proxies is None else proxies
    for rule in RULES:
        cause = rule(error, names, text, proxies)
        if cause is not None:
            return cause
    return None


def _offline(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
    if "OfflineError" not in names:
        return None
    return Cause(
        "offline",
        Layer.CONFIG,
        "conda is in offline mode, so it downloads nothing",
        f"`{proxies.set('offline', 'false')}` (or drop --offline / CONDA_OFFLINE)",
    )


def _socks(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
    if "CondaDependencyError" not in names or "SOCKS" not in text:
        return None
    return Cause(
        "socks_without_pysocks",
        Layer.PROXY,
        "the proxy is a SOCKS proxy and PySocks, which requests needs for it, "
        "is not installed",
        f"install PySocks once without the SOCKS proxy: {_without_socks(proxies)}; "
        "or use an HTTP proxy instead",
    )


def _without_socks(proxies: dict[str, str]) -> str:
    """The one command that installs pysocks with the SOCKS variables unset."""
    names = [
        name
        for name in (
            "ALL_PROXY",
            "all_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
        )
        if os.environ.get(name, "").lower().startswith("socks")
    ]
    if not names:  # set in proxy_servers: conda has no per-command override
        return "remove the socks entry from proxy_servers, `conda install pysocks`, then put it back"
    if os.name == "nt":
        cmd = " & ".join(f"set {n}=" for n in names)
        ps = "; ".join(f"$env:{n}=''" for n in names)
        return (
            f"in a new cmd window `{cmd} & conda install pysocks` "
            f"(PowerShell: `{ps}; conda install pysocks`)"
        )
    unset = " ".join(f"-u {n}" for n in names)
    return f"`env {unset} conda install pysocks`"


_PROXY_407_RE = re.compile(r"407 Proxy Auth|Proxy Authentication Required|HTTP 407")
_PROXY_AUTH_RE = re.compile(r"proxy-authenticate['\"]?\s*[:=]\s*['\"]?(\w+)", re.I)


def _proxy_auth(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Cause | None:
    if not _PROXY_407_RE.search(text):
        return None
    scheme = _auth_scheme(error, text)
    proxy = _shown_proxy(proxies)
    if scheme and scheme.lower() in ("ntlm", "negotiate", "kerberos"):
        fix = (
            f"conda cannot answer {scheme}: run a local helper such as px or cntlm "
            "that authenticates for you, and set proxy_servers to it "
            f"(`{proxies.set_proxy('http://127.0.0.1:3128')}`)"
        )
    else:
        fix = (
            "put the user name and password (percent-encoded) in the proxy URL: "
            f"`{proxies.set_proxy(f'http://USER:<password>@{proxy}')}`"
        )
    asked = f" with the {scheme} scheme" if scheme else ""
    return Cause(
        "proxy_auth",
        Layer.PROXY,
        f"the proxy asked for credentials (407){asked} and none were accepted",
        fix,
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


def _shown_proxy(proxies: Setting) -> str:
    from ..urls import format_address, host_port

    # The proxy requests picks for the failing URL's scheme: that one, else "all".
    scheme = "http" if getattr(proxies, "url", "").startswith("http://") else "https"
    other = "https" if scheme == "http" else "http"
    url = proxies.get(scheme) or proxies.get("all") or proxies.get(other)
    address = host_port(url)
    return format_address(*address) if address else "PROXY_HOST:PORT"


def _renegotiation(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Cause | None:
    if "UNSAFE_LEGACY_RENEGOTIATION_DISABLED" not in text:
        return None
    return Cause(
        "legacy_renegotiation",
        Layer.TLS,
        "the server (or a TLS-inspecting proxy) needs unsafe legacy renegotiation, "
        "which OpenSSL 3 refuses",
        # Re-enabling legacy renegotiation would weaken every connection
        # conda makes: the fix is on the other side.
        "ask your network team to update that server or proxy so that it "
        "supports secure renegotiation (RFC 5746), or to let you use one that does",
    )


def _eof(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
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
        from ..urls import shown_proxy

        # The same proxy with http://; its user and password kept as
        # placeholders (without them the next request is a 407).
        fixed = shown_proxy(https_proxy, scheme="http")
        return Cause(
            "proxy_https_scheme",
            Layer.PROXY,
            "the TLS handshake with the proxy failed: the proxy URL says https:// "
            "but most proxies speak plain HTTP on their port (HTTPS downloads stay "
            "encrypted through the tunnel)",
            f"write the proxy URL with http:// (`{proxies.set_proxy(fixed)}`)",
        )
    if not eof:
        return None
    return Cause(
        "tls_eof",
        Layer.TLS,
        "the connection was closed during the TLS handshake (a firewall or proxy "
        "that filters HTTPS by host name, or a proxy conda does not know of)",
        "ask the network team to allow the channel's host, or set proxy_servers to "
        "the proxy this network requires",
    )


# "issuer: 'Zscaler Root CA'" or "issuer=CN=...": a name after = or :, never
# OpenSSL's "unable to get local issuer certificate (_ssl.c:1006)".
_ISSUER_RE = re.compile(r"issuer\s*[=:]\s*['\"]?([^'\"\n,)]+)", re.I)
_MISMATCH_RE = re.compile(
    r"(?:Hostname|IP address) mismatch, certificate is not valid for '([^']+)'"
)


def _untrusted(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Cause | None:
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
    who = f" issued by {issuer}" if issuer else ""
    from ..diagnosis.catalogue import CLOCK_FIX, NEVER_DISABLE

    mismatch = _MISMATCH_RE.search(text)
    if mismatch and not product:  # trusting another CA would not help
        return Cause(
            "tls_hostname_mismatch",
            Layer.TLS,
            f"the server's certificate{who} is not valid for "
            f"{mismatch.group(1)}, the name in the channel URL",
            "use the host name the certificate is issued for in the channel URL, "
            "or ask the server's administrators for a certificate that covers "
            f"{mismatch.group(1)} {NEVER_DISABLE}",
        )
    if "expired" in text and not product:
        return Cause(
            "tls_expired",
            Layer.TLS,
            f"the server's certificate{who} has expired (or this computer's clock "
            "is wrong)",
            f"if this computer's clock is wrong, {CLOCK_FIX}; else ask the "
            f"server's administrators to renew the certificate {NEVER_DISABLE}",
        )
    if "self-signed" in text or "self signed" in text or product:
        why = f"the server presented a certificate{who} that conda does not trust"
        if not who:
            why += " (often a network box that inspects HTTPS)"
    else:
        why = f"conda cannot verify the server's certificate{who}: its issuer is not in conda's CA bundle"
    return Cause("tls_untrusted", Layer.TLS, why, _trust_fix(proxies))


def _trust_fix(proxies: Setting) -> str:
    """Trust the organisation's root; never ssl_verify: truststore when it is set already."""
    from ..diagnosis.catalogue import NEVER_DISABLE

    if proxies.ssl_verify == "truststore":
        return (
            "conda already trusts the operating system's store (ssl_verify: "
            "truststore), which lacks this issuer: if your organisation inspects "
            "HTTPS, add its root CA to the operating system's store, or point "
            f"ssl_verify at the organisation's CA file {NEVER_DISABLE}"
        )
    return (
        "if your organisation inspects HTTPS, trust its root the way the operating "
        f"system does: `{proxies.set('ssl_verify', 'truststore')}`, or point "
        f"ssl_verify at the organisation's CA file {NEVER_DISABLE}"
    )


def _reset(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
    if "ConnectionResetError" not in names and "Connection reset by peer" not in text:
        return None
    # Over HTTPS, a reset before any answer comes in (or right after) the TLS
    # handshake, whose ClientHello names the host: what filters act on.
    tls = "HTTPSConnectionPool" in text or "SSL" in text or "handshake" in text
    layer = Layer.PROXY if proxies else Layer.TLS if tls else Layer.TCP
    during = "during the TLS handshake " if tls else ""
    return Cause(
        "connection_reset",
        layer,
        f"the connection was reset {during}by something on the way (a firewall or "
        "filtering proxy that blocks this host)",
        "ask the network team to allow the channel's host and port; if this "
        "network requires a proxy, set it: "
        f"`{proxies.set_proxy('http://PROXY_HOST:PORT')}`",
    )


def _checksum(
    error: Any, names: Sequence[str], text: str, proxies: Any
) -> Cause | None:
    if "ChecksumMismatchError" not in names:
        return None
    return Cause(
        "checksum_mismatch",
        Layer.CONTENT,
        "the downloaded file is not the package the channel lists: often a proxy or "
        "firewall block page, a captive portal or a truncated download in its place",
        "see what the server sends for that URL (`conda netcheck` reads its first "
        "bytes), then `conda clean --packages --tarballs` and retry once it is fixed",
    )


def _refused(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
    if "ConnectionRefusedError" not in names and "Connection refused" not in text:
        return None
    if proxies:
        return Cause(
            "proxy_refused",
            Layer.PROXY,
            f"the connection was refused: is the proxy {_shown_proxy(proxies)} running?",
            "check the proxy host and port in proxy_servers / the *_PROXY variables",
        )
    return Cause(
        "connection_refused",
        Layer.TCP,
        "the server refused the connection (nothing listens on that port, or a "
        "firewall rejects it)",
        "check the channel URL's host and port; if this network requires a proxy, "
        "set proxy_servers",
    )


_DNS_TEXTS = (
    "Name or service not known",
    "nodename nor servname",
    "getaddrinfo failed",
    "Temporary failure in name resolution",
    "Failed to resolve",
    "No address associated with hostname",
)


def _dns(error: Any, names: Sequence[str], text: str, proxies: Any) -> Cause | None:
    if not any(needle in text for needle in _DNS_TEXTS):
        return None
    return Cause(
        "dns",
        Layer.DNS,
        "the host name could not be resolved",
        "check the spelling of the channel (or proxy) host; on a network that "
        "allows the web only through a proxy, set proxy_servers",
    )


RULES = (
    _offline,
    _socks,
    _proxy_auth,
    _renegotiation,
    _eof,
    _untrusted,
    _checksum,
    _reset,
    _dns,
    _refused,
)
