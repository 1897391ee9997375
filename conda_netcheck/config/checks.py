"""Configuration checks that need no network: offline mode, CA bundles, timeouts."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..limits import CONNECT_TIMEOUT_FLOOR, READ_TIMEOUT_FLOOR, raised_timeout
from ..model import Code, Finding, Status
from .client_cert import client_certificate
from .commands import Commands, for_config, set_variable, unset_variable
from .osproxy import pac_findings
from .sources import SettingSourceKind
from .trust import bundle_problem as bundle_problem  # re-exported
from .trust import ca_bundles

if TYPE_CHECKING:
    from .loading import BrokenFile
    from .netconfig import NetConfig, SettingProblem


def config_findings(
    cfg: NetConfig, urls: list[str] | tuple[str, ...] = ()
) -> list[Finding]:
    """Every configuration-level problem, in the order a user should fix them.

    `urls` are the targets' URLs, to explain which proxy setting applies to them.
    """
    findings: list[Finding] = [setting_finding(p) for p in cfg.problems]
    findings += [ignored_finding(b) for b in cfg.skipped]
    findings += [unread_finding(path, size) for path, size in cfg.unread]
    findings += condarc_variable(cfg)
    findings += offline(cfg)
    findings += channels(cfg)
    findings += ca_bundles(cfg)
    findings += client_certificate(cfg)
    findings += timeouts(cfg)
    proxies = sets_a_proxy(cfg)
    if proxies:  # with none set, the proxy lint has nothing to read: not loaded
        from .proxylint import lint_proxies

        findings += lint_proxies(cfg)
    findings += pac_findings(cfg)
    if proxies:
        from .proxylint import os_overridden

        findings += os_overridden(cfg)
    findings += no_proxy(cfg, urls)
    findings += anaconda_auth(cfg)
    findings += token_files(cfg)
    findings += netrc_file(cfg)
    return findings


def sets_a_proxy(cfg: NetConfig) -> bool:
    """Whether proxy_servers or any *_proxy variable (in any case) sets a proxy.

    The proxy lint reads only proxy_servers and the non-empty http, https and
    all variables: without any of them it finds nothing.
    """
    return bool(cfg.proxy_servers) or any(
        value for name, value in cfg.env.items() if name.lower().endswith("_proxy")
    )


def netrc_file(cfg: NetConfig) -> list[Finding]:
    """A NETRC that names a FIFO, a device or a huge file: requests would read it."""
    from ..safefiles import MAX_SMALL_FILE_BYTES, path_problem
    from .credentials import netrc_path

    path = netrc_path(cfg.env) if "NETRC" in cfg.env else None
    problem = path_problem(path, MAX_SMALL_FILE_BYTES) if path else None
    if problem is None or problem == "does not exist":
        return []  # a missing NETRC is described with the credentials
    return [
        Finding(
            "NETRC",
            Code.CONFIG_INVALID,
            f"the NETRC environment variable names {path}, which {problem}: "
            "requests reads it to find credentials (on redirects, and for every "
            "request when no other auth is set)",
            f"{set_variable('NETRC', '/path/to/your/.netrc')} (a small regular "
            f"file), or {unset_variable('NETRC')}",
        )
    ]


def token_files(cfg: NetConfig) -> list[Finding]:
    """anaconda-client token files conda cannot read (it reads them all)."""
    from .credentials import binstar_token_dir, unreadable_token_files

    if not cfg.conda:
        return []
    directory = binstar_token_dir()
    return [
        Finding(
            "anaconda-client tokens",
            Code.CONFIG_INVALID,
            f"the token file {path} {what}: conda reads every token file in "
            f"{directory} when it downloads, and cannot read this one (netcheck "
            "checks without these tokens)",
            f"rm {shlex.quote(path)} (then `anaconda login` again if you need it)",
        )
        for path, what in unreadable_token_files(directory)
    ]


#: The file names conda reads from a CONDARC path (conda.common.configuration).
CONDARC_NAMES = (".condarc", "condarc")
YAML_SUFFIXES = (".yml", ".yaml")


def condarc_variable(cfg: NetConfig) -> list[Finding]:
    """CONDARC naming something conda silently skips (missing, a FIFO, a bad name)."""
    import os
    import sys

    from ..safefiles import path_problem

    path = cfg.env.get("CONDARC")
    if not path or not cfg.conda:
        return []
    # Only what makes conda skip the path: netcheck's own size bound is not
    # conda's (conda reads a large file); config-unread says so instead.
    problem = path_problem(path, sys.maxsize, directory_ok=True)
    name = os.path.basename(path.rstrip("/"))
    if problem is None and os.path.isdir(path):
        names = os.listdir(path) if os.access(path, os.R_OK) else []
        if not any(n.endswith(YAML_SUFFIXES) for n in names):
            problem = "is a directory without .yml or .yaml files"
    elif problem is None and not (
        name in CONDARC_NAMES or name.endswith(YAML_SUFFIXES)
    ):
        problem = "is named neither .condarc/condarc nor *.yml/*.yaml"
    if problem is None:
        return []
    return [
        Finding(
            "CONDARC",
            Code.CONFIG_INVALID,
            f"the CONDARC environment variable names {path}, which {problem}: "
            "conda silently ignores it, so none of its settings apply",
            "point CONDARC at your .condarc file (a regular file named .condarc, "
            f"condarc or *.yml), or {unset_variable('CONDARC')}",
        )
    ]


def unread_finding(path: str, size: int) -> Finding:
    """A configuration file over netcheck's bound: netcheck's limit, not conda's."""
    from ..safefiles import MAX_SMALL_FILE_BYTES

    return Finding(
        "condarc",
        Code.CONFIG_UNREAD,
        f"netcheck did not read {path} itself: it is {size / 1048576:.1f} MiB, more "
        f"than the {MAX_SMALL_FILE_BYTES / 1048576:g} MiB netcheck reads from a "
        "configuration file. conda reads it and its settings apply (netcheck checks "
        "them as conda loaded them); netcheck's own look at the file's text (YAML "
        "mistakes, credentials written in it) was skipped",
        f"a .condarc is a few kB: trim {path} (conda parses all of it on every command)",
        status=Status.WARNING,
    )


def offline(cfg: NetConfig) -> list[Finding]:
    """offline: true makes conda refuse every download."""
    if not cfg.offline:
        return []
    from ..fixtext import FixLines

    source = cfg.source("offline")
    if source.kind is SettingSourceKind.COMMAND_LINE:
        fix, lines = "run the command without --offline", FixLines()
    else:
        # The variable's unset line, or --set in the file that sets it.
        if source.kind is SettingSourceKind.VARIABLE:
            fix = unset_variable(source.name)
        else:
            fix = for_config(cfg).set("offline", "false")
        lines = FixLines((fix,))
    return [
        Finding(
            "offline",
            Code.OFFLINE_MODE,
            f"offline mode is on (set in {source}): conda downloads nothing",
            fix,
            commands=lines,
        )
    ]


def channels(cfg: NetConfig) -> list[Finding]:
    """With no channel configured conda has nowhere to download from."""
    if not cfg.conda or cfg.channels and not _only_empty_defaults(cfg):
        return []
    from ..fixtext import FixLines

    if cfg.channels:
        line = for_config(cfg).remove("default_channels")
        return [
            Finding(
                "channels",
                Code.NO_CHANNELS,
                "channels lists only defaults, and default_channels is empty: "
                "conda has nowhere to download from",
                f"{line} (or add your mirror's URLs to it)",
                commands=FixLines((line,)),
            )
        ]
    line = for_config(cfg).add("channels", "conda-forge")
    return [
        Finding(
            "channels",
            Code.NO_CHANNELS,
            "no channels are configured: conda has nowhere to download from",
            f"{line} (or your organisation's channel)",
            commands=FixLines((line,)),
        )
    ]


def _only_empty_defaults(cfg: NetConfig) -> bool:
    from .targets import DEFAULTS

    return set(cfg.channels) == {DEFAULTS} and cfg.default_channels == []


def timeouts(cfg: NetConfig) -> list[Finding]:
    """Very low timeouts make slow but working networks look broken."""
    findings = []
    for key, value, floor in (
        ("remote_connect_timeout_secs", cfg.connect_timeout, CONNECT_TIMEOUT_FLOOR),
        ("remote_read_timeout_secs", cfg.read_timeout, READ_TIMEOUT_FLOOR),
    ):
        if value < floor:
            from ..fixtext import FixLines

            line = for_config(cfg).set(key, f"{raised_timeout(value, floor):g}")
            findings.append(
                Finding(
                    key,
                    Code.TIMEOUT_TOO_LOW,
                    f"{key} is {value:g} s (set in {cfg.source(key)}): slow "
                    "networks will look broken",
                    line,
                    commands=FixLines((line,)),
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
        # urllib honours "*" only as the whole value: in a list it matches nothing.
        why = _no_proxy_entry_problem(entry, alone=value == "*")
        if why:
            findings.append(
                Finding(
                    name,
                    Code.PROXY_MISCONFIGURED,
                    f"{name} entry {entry!r} {why}",
                    _no_proxy_entry_fix(entry, name),
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


def _no_proxy_entry_problem(entry: str, alone: bool = False) -> str | None:
    if entry == "*" and not alone:
        return "never matches: '*' means every host only as the whole value"
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


def _no_proxy_entry_fix(entry: str, name: str = "NO_PROXY") -> str:
    if entry == "*":
        return (
            f"set {name} to * alone to skip the proxy for every host, or drop the entry"
        )
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


def setting_finding(problem: SettingProblem) -> Finding:
    """A setting that cannot be used: what, where, and the command that fixes it."""
    from ..fixtext import FixLines

    key, where = problem.key, problem.where
    lines = FixLines()
    if where.kind in (SettingSourceKind.DEFAULT, SettingSourceKind.COMMAND_LINE):
        fix = f"conda config --show-sources (then fix {key} where it is set)"
    else:
        # Removed where it is set: the variable's line, or --file for its file.
        line = Commands({key: where}).remove(key)
        fix, lines = f"{line} (or set it right)", FixLines((line,))
    return Finding(
        key,
        Code.CONFIG_INVALID,
        f"{key} (set in {where}) cannot be used: {problem.reason}; netcheck checks "
        "with conda's default instead",
        fix,
        commands=lines,
    )


def ignored_finding(broken: BrokenFile) -> Finding:
    """The finding for a file conda reads as if it were not there."""
    return Finding(
        "condarc",
        Code.CONFIG_INVALID,
        f"{broken.where()}: {broken.problem}; conda ignores this whole file "
        "(with a warning), so none of its settings apply",
        f"edit {broken.where()} (YAML: spaces, not tabs; a space after each colon)",
    )


def broken_config_finding(broken: BrokenFile | None, error: BaseException) -> Finding:
    """The finding for conda's failure to load its configuration."""
    from ..redact import redact_exception

    if broken is None:
        summary = (
            "conda cannot load its configuration "
            f"({redact_exception(error)}): no conda command runs until it is fixed"
        )
        fix = "conda config --show-sources names the files; check each one"
    else:
        summary = (
            f"{broken.where()}: {broken.problem}; conda cannot load its "
            "configuration, so no conda command runs until this is fixed"
        )
        fix = f"edit {broken.where()} (or move the file away) and run this check again"
    return Finding("condarc", Code.CONDA_CONFIG_BROKEN, summary, fix)
