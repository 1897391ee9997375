"""Configuration checks that need no network: offline mode, CA bundles, timeouts."""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .findings import Code, Finding, Status
from .proxylint import lint_proxies

if TYPE_CHECKING:
    from .netconfig import NetConfig

PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


def config_findings(
    cfg: NetConfig, urls: list[str] | tuple[str, ...] = ()
) -> list[Finding]:
    """Every configuration-level problem, in the order a user should fix them.

    `urls` are the targets' URLs, to explain which proxy setting applies to them.
    """
    findings: list[Finding] = []
    findings += offline(cfg)
    findings += channels(cfg)
    findings += ca_bundles(cfg)
    findings += client_certificate(cfg)
    findings += timeouts(cfg)
    findings += lint_proxies(cfg)
    findings += no_proxy(cfg, urls)
    findings += anaconda_auth(cfg)
    return findings


def offline(cfg: NetConfig) -> list[Finding]:
    """offline: true makes conda refuse every download."""
    if not cfg.offline:
        return []
    source = cfg.source("offline")
    if "CONDA_OFFLINE" in source:
        fix = "unset CONDA_OFFLINE"
    elif source == "the command line":
        fix = "run the command without --offline"
    else:
        fix = f"conda config --file {source} --set offline false"
    return [
        Finding(
            "offline",
            Code.OFFLINE_MODE,
            f"offline mode is on (set in {source}): conda downloads nothing",
            fix,
        )
    ]


def channels(cfg: NetConfig) -> list[Finding]:
    """With no channel configured conda has nowhere to download from."""
    if not cfg.conda or cfg.channels:
        return []
    return [
        Finding(
            "channels",
            Code.NO_CHANNELS,
            "no channels are configured: conda has nowhere to download from",
            "conda config --add channels conda-forge (or your organisation's channel)",
        )
    ]


def ca_bundles(cfg: NetConfig) -> list[Finding]:
    """ssl_verify and the CA variables must point at usable PEM files."""
    findings: list[Finding] = []
    if cfg.ssl_verify is False:
        findings.append(
            Finding(
                "ssl_verify",
                Code.SSL_VERIFY_DISABLED,
                f"ssl_verify is false (set in {cfg.source('ssl_verify')}): conda "
                "accepts any certificate, so anyone on the network can serve you "
                "packages",
                "conda config --set ssl_verify truststore (uses your operating "
                "system's certificates, including your organisation's)",
            )
        )
    elif isinstance(cfg.ssl_verify, str) and cfg.ssl_verify != "truststore":
        problem = bundle_problem(cfg.ssl_verify)
        if problem:
            findings.append(
                Finding(
                    "ssl_verify",
                    Code.CA_BUNDLE_INVALID,
                    f"ssl_verify (set in {cfg.source('ssl_verify')}) points at "
                    f"{cfg.ssl_verify}, which {problem}",
                    "conda config --set ssl_verify truststore, or point it at your "
                    "organisation's CA bundle",
                )
            )
    # requests reads REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE, and lets it win
    # over the session's verify setting: only the first one set applies.
    name = next(
        (n for n in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if cfg.env.get(n)), None
    )
    if name:
        path = cfg.env[name]
        problem = bundle_problem(path)
        if problem:
            findings.append(
                Finding(
                    name,
                    Code.CA_BUNDLE_INVALID,
                    f"{name} points at {path}, which {problem}; requests lets it "
                    "override conda's ssl_verify",
                    f"unset {name} (or point it at a PEM bundle that exists)",
                )
            )
        elif cfg.conda and cfg.ssl_verify not in (True, False, path):
            findings.append(
                Finding(
                    name,
                    Code.CA_BUNDLE_OVERRIDE,
                    f"{name}={path} overrides ssl_verify: {cfg.ssl_verify} (set in "
                    f"{cfg.source('ssl_verify')}): conda verifies against {path}",
                    f"unset {name}, or drop ssl_verify if {path} is the bundle you want",
                )
            )
    if cfg.ssl_verify == "truststore" and cfg.env.get("SSL_CERT_FILE"):
        path = cfg.env["SSL_CERT_FILE"]
        problem = bundle_problem(path)
        if problem:
            findings.append(
                Finding(
                    "SSL_CERT_FILE",
                    Code.CA_BUNDLE_INVALID,
                    f"SSL_CERT_FILE points at {path}, which {problem}; with "
                    "ssl_verify: truststore it replaces the system's roots",
                    "unset SSL_CERT_FILE",
                )
            )
    return findings


def bundle_problem(path: str) -> str | None:
    """Why a CA path is unusable, or None when it holds loadable certificates."""
    if not os.path.exists(path):
        return "does not exist"
    if os.path.isdir(path):
        return None  # a c_rehash directory: OpenSSL reads it lazily
    try:
        with open(path, "rb") as handle:
            data = handle.read(8 * 1024 * 1024)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if PEM_CERTIFICATE.encode() not in data:
        return "holds no PEM certificate"
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, ValueError) as exc:
        return f"cannot be loaded ({exc})"
    return None


def client_certificate(cfg: NetConfig) -> list[Finding]:
    """client_ssl_cert and its key must exist."""
    findings = []
    for key, path in (
        ("client_ssl_cert", cfg.client_cert),
        ("client_ssl_cert_key", cfg.client_key),
    ):
        if path and not os.path.isfile(path):
            findings.append(
                Finding(
                    key,
                    Code.CLIENT_CERT_INVALID,
                    f"{key} (set in {cfg.source(key)}) points at {path}, which "
                    "does not exist",
                    f"conda config --remove-key {key}, or point it at your "
                    "certificate file",
                )
            )
    return findings


def timeouts(cfg: NetConfig) -> list[Finding]:
    """Very low timeouts make slow but working networks look broken."""
    findings = []
    for key, value, floor in (
        ("remote_connect_timeout_secs", cfg.connect_timeout, 1.0),
        ("remote_read_timeout_secs", cfg.read_timeout, 5.0),
    ):
        if value < floor:
            findings.append(
                Finding(
                    key,
                    Code.TIMEOUT_TOO_LOW,
                    f"{key} is {value:g} s (set in {cfg.source(key)}): slow "
                    "networks will look broken",
                    f"conda config --set {key} {floor * 10:g}",
                )
            )
    return findings


def no_proxy(cfg: NetConfig, urls: list[str] | tuple[str, ...] = ()) -> list[Finding]:
    """NO_PROXY traps: entries requests never matches, and proxy_servers ignoring it."""
    from requests.utils import select_proxy, should_bypass_proxies

    # requests reads no_proxy before NO_PROXY (as curl and wget do).
    name = next((n for n in ("no_proxy", "NO_PROXY") if cfg.env.get(n)), None)
    if name is None:
        return []
    value = cfg.env[name]
    findings: list[Finding] = []
    for entry in (e.strip() for e in value.split(",")):
        why = _no_proxy_entry_problem(entry)
        if why:
            findings.append(
                Finding(
                    name,
                    Code.PROXY_MISCONFIGURED,
                    f"{name} entry {entry!r} {why}",
                    _no_proxy_entry_fix(entry),
                    status=Status.WARNING,
                )
            )
    for url in urls:
        via = select_proxy(url, cfg.proxy_servers) if cfg.proxy_servers else None
        if via and should_bypass_proxies(url, value):
            host = urlsplit(url).hostname
            findings.append(
                Finding(
                    name,
                    Code.PROXY_MISCONFIGURED,
                    f"{name} lists {host}, but conda still sends it through "
                    "proxy_servers: requests applies NO_PROXY only to proxies from the "
                    "environment",
                    "to reach it directly, set the proxy in the environment instead "
                    "(HTTPS_PROXY / HTTP_PROXY honour NO_PROXY) and conda config "
                    "--remove-key proxy_servers",
                    status=Status.WARNING,
                )
            )
            break  # one is enough to explain the trap
    return findings


def _no_proxy_entry_problem(entry: str) -> str | None:
    if entry.startswith("*.") or (entry.startswith("*") and len(entry) > 1):
        return "never matches: requests takes no wildcards (only a lone '*')"
    if "://" in entry:
        return "never matches: NO_PROXY takes host names, not URLs"
    if "/" in entry:
        return (
            "is a CIDR range: it matches only URLs written with an IP address, not "
            "host names that resolve into it"
        )
    return None


def _no_proxy_entry_fix(entry: str) -> str:
    if entry.startswith("*"):
        return (
            f"write it as {entry.lstrip('*')} (a leading dot matches every subdomain)"
        )
    if "://" in entry:
        return f"write only the host: {urlsplit(entry).hostname}"
    return "list the host names too"


def anaconda_auth(cfg: NetConfig) -> list[Finding]:
    """anaconda-auth (repo.anaconda.cloud sign-in) with other proxies than conda."""
    findings = []
    for where, proxies in cfg.anaconda_auth_proxies.items():
        if proxies != cfg.proxy_servers:
            conda_side = _proxy_list(cfg.proxy_servers) or "no proxy"
            findings.append(
                Finding(
                    "anaconda-auth",
                    Code.PROXY_MISCONFIGURED,
                    f"anaconda-auth uses proxy_servers {_proxy_list(proxies) or 'none'} "
                    f"(set in {where}) but conda uses {conda_side}: signing in and "
                    "downloading take different routes",
                    f"make them the same: edit proxy_servers in {where.split(' [')[0]}, "
                    "or conda config --set proxy_servers.https to match",
                    status=Status.WARNING,
                )
            )
    return findings


def _proxy_list(proxies: dict[str, str]) -> str:
    # Shown through the redaction like every output; keys sorted for a stable text.
    return ", ".join(f"{k}={v}" for k, v in sorted(proxies.items()))
