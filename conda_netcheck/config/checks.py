"""Configuration checks that need no network: offline mode, CA bundles, timeouts."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..model import Code, Finding, Status
from .commands import COMMAND_LINE, for_config, unset_variable
from .osproxy import pac_findings
from .proxylint import lint_proxies
from .trust import bundle_problem as bundle_problem  # re-exported
from .trust import ca_bundles, client_certificate

if TYPE_CHECKING:
    from .netconfig import NetConfig


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
    findings += pac_findings(cfg)
    findings += no_proxy(cfg, urls)
    findings += anaconda_auth(cfg)
    return findings


def offline(cfg: NetConfig) -> list[Finding]:
    """offline: true makes conda refuse every download."""
    if not cfg.offline:
        return []
    source = cfg.source("offline")
    if "CONDA_OFFLINE" in source:
        fix = unset_variable("CONDA_OFFLINE")
    elif source == COMMAND_LINE:
        fix = "run the command without --offline"
    else:
        fix = for_config(cfg).set("offline", "false")
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
            for_config(cfg).add("channels", "conda-forge")
            + " (or your organisation's channel)",
        )
    ]


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
                    for_config(cfg).set(key, f"{floor * 10:g}"),
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
