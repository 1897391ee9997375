"""The operating system's proxy settings, which requests reads when no *_proxy variable is set.

urllib's `getproxies()` (what requests calls) falls back, when the
environment has no proxy variable at all, to the Windows registry's Internet
Settings (the "Internet Options" dialog) or to macOS's System Configuration
(`_scproxy`). conda then uses that proxy without any .condarc line saying so.
A PAC script (Windows `AutoConfigURL`, or a `.pac` URL put where a proxy URL
belongs) is never run by requests: conda cannot use it.

The registry is parsed as urllib parses it, so the proxy named here is the
one requests picks. No network, no conda.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..model import Code, Finding, Status

if TYPE_CHECKING:
    from .netconfig import NetConfig

WINDOWS_SOURCE = "Windows Internet Options"
MACOS_SOURCE = "macOS network settings (System Settings > Network > Proxies)"
INTERNET_SETTINGS = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
#: The platform whose sources apply (tests force the Windows and macOS branches).
PLATFORM = sys.platform


@dataclass(frozen=True)
class OSProxies:
    """What the operating system says: the proxies urllib would return, and a PAC URL."""

    source: str
    proxies: dict[str, str] = field(default_factory=dict)
    pac_url: str | None = None


def os_proxies(platform: str | None = None) -> OSProxies | None:
    """The OS proxy settings on Windows and macOS; None elsewhere or when unreadable."""
    platform = platform or PLATFORM
    try:
        if platform == "win32":
            return windows_proxies()
        if platform == "darwin":
            return macos_proxies()
    except Exception:  # a broken registry or framework must not break the check
        return None
    return None


def windows_proxies() -> OSProxies | None:
    """HKCU Internet Settings: ProxyEnable/ProxyServer as urllib reads them, and AutoConfigURL."""
    try:
        import winreg
    except ImportError:
        return None
    try:
        key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, INTERNET_SETTINGS)
    except OSError:
        return None
    try:
        enabled = _query(winreg, key, "ProxyEnable")
        server = _query(winreg, key, "ProxyServer") if enabled else None
        pac = _query(winreg, key, "AutoConfigURL")
    finally:
        key.Close()
    proxies = parse_proxy_server(str(server)) if server else {}
    return OSProxies(WINDOWS_SOURCE, proxies, str(pac) if pac else None)


def _query(winreg: Any, key: Any, name: str) -> Any:
    try:
        return winreg.QueryValueEx(key, name)[0]
    except OSError:  # the value is not set
        return None


def parse_proxy_server(server: str) -> dict[str, str]:
    """ProxyServer ("host:port" or "http=h:p;https=h:p;socks=h:p") the way urllib parses it."""
    if "=" not in server and ";" not in server:
        server = f"http={server};https={server};ftp={server}"
    proxies: dict[str, str] = {}
    for part in server.split(";"):
        if "=" not in part:
            continue
        protocol, address = part.split("=", 1)
        if not re.match("(?:[^/:]+)://", address):
            if protocol in ("http", "https", "ftp"):
                address = "http://" + address  # Windows' default proxy type
            elif protocol == "socks":
                address = "socks://" + address
        proxies[protocol] = address
    if proxies.get("socks"):  # SOCKS for HTTP(S) when nothing else is given
        address = re.sub(r"^socks://", "socks4://", proxies["socks"])
        proxies["http"] = proxies.get("http") or address
        proxies["https"] = proxies.get("https") or address
    return proxies


def macos_proxies() -> OSProxies | None:
    """System Configuration's proxies, through the same `_scproxy` call urllib makes."""
    try:
        import _scproxy
    except ImportError:
        return None
    return OSProxies(MACOS_SOURCE, dict(_scproxy._get_proxies() or {}))


def environment_has_proxy(environ: dict[str, str] | None = None) -> bool:
    """Any *_proxy variable set, as urllib counts them: then it never reads the OS settings.

    urllib.request.getproxies_environment: a variable in any case counts, then
    an empty lower-case one removes its scheme again (HTTPS_PROXY=x with
    https_proxy= leaves none, and the OS settings apply).
    """
    environ = os.environ if environ is None else environ
    schemes = {
        name.lower()[:-6]
        for name, value in environ.items()
        if value and name.lower().endswith("_proxy")
    }
    for name, value in environ.items():  # the second pass: "_proxy" in lower case
        if name.endswith("_proxy"):
            (schemes.add if value else schemes.discard)(name.lower()[:-6])
    return bool(schemes)


def source_of(proxy: str, scheme: str, settings: OSProxies | None = None) -> str | None:
    """The OS source's name when `proxy` is the one it gives for `scheme`."""
    if environment_has_proxy():
        return None
    settings = settings if settings is not None else os_proxies()
    if settings is None:
        return None
    for key in (scheme, "all"):
        if settings.proxies.get(key) == proxy:
            return settings.source
    return None


def is_pac_url(url: str) -> bool:
    """A proxy auto-configuration script's URL (…/proxy.pac, …/wpad.dat)."""
    path = url.split("?", 1)[0].split("#", 1)[0].lower().rstrip("/")
    return path.endswith((".pac", "/wpad.dat"))


def pac_findings(cfg: NetConfig, settings: OSProxies | None = None) -> list[Finding]:
    """A PAC script in the OS settings that conda cannot use.

    A PAC URL put where a proxy belongs (proxy_servers, a variable) is
    reported by the proxy lint, with `pac_as_proxy`'s words.
    """
    settings = settings if settings is not None else os_proxies()
    if settings is None or not settings.pac_url:
        return []
    finding = _os_pac(settings, cfg)
    return [finding] if finding is not None else []


#: The proxy a PAC script names, which the user reads from the script.
NAMED_PROXY = "http://PROXY_HOST:PORT"


def pac_as_proxy(url: str, fix: Callable[[str], str]) -> tuple[str, str]:
    """(summary, fix) for a PAC script's URL given as a proxy; fix(value) sets the same setting."""
    from ..redact import REDACTOR

    shown = REDACTOR.url(url)
    return (
        f"is a proxy auto-configuration (PAC) script's URL ({shown}), not a proxy: "
        "conda (requests) would send every request to that web server as if it "
        "were the proxy; conda cannot run PAC scripts",
        f"set the proxy the PAC script names for the channel's host: "
        f"{fix(NAMED_PROXY)}; or run a local helper that understands "
        f"PAC, such as px (`px --pac={shown}`), and use it: {fix('http://127.0.0.1:3128')}",
    )


def _os_pac(settings: OSProxies, cfg: NetConfig) -> Finding | None:
    from ..fixtext import FixLines
    from ..redact import REDACTOR
    from .commands import for_config, placeholders
    from .sources import ProxySource, ProxySourceKind

    static = settings.proxies.get("https") or settings.proxies.get("http")
    if environment_has_proxy(cfg.env):
        return None  # urllib never reads the OS settings then
    if cfg.proxy_servers and not static:
        return None  # conda's own proxy setting applies: the PAC script plays no part
    pac = REDACTOR.url(settings.pac_url or "")
    if static:
        what = f"conda uses only the fixed proxy {REDACTOR.url(static)} set there"
    else:
        what = (
            "conda connects directly, which fails for hosts the script sends "
            "through a proxy"
        )
    # A fixed proxy in the OS settings wins over proxy_servers: only a variable
    # overrides it. Without one, proxy_servers is the place.
    source = ProxySource(ProxySourceKind.OS, settings.source) if static else None

    def fix(value: str) -> str:
        return for_config(cfg).set_proxy("https://", value, source)

    line = fix(NAMED_PROXY)
    return Finding(
        settings.source,
        Code.PROXY_MISCONFIGURED,
        f"use a proxy auto-configuration script ({pac}); conda (requests) cannot "
        f"run PAC scripts: {what}",
        pac_as_proxy(settings.pac_url or "", fix)[1],
        status=Status.WARNING,
        # The proxy the script names comes first; px is the other way.
        commands=FixLines((line,), placeholders(line)),
    )
