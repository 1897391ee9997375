"""host:port of a URL, as requests and urllib3 read it."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "socks4": 1080, "socks4a": 1080}


def host_port(url: str | None) -> tuple[str, int] | None:
    """(host, port) of a URL or a scheme-less proxy, default port by scheme; None without a host."""
    if not url:
        return None
    if "://" not in url:
        url = "http://" + url  # requests reads "proxy:3128" as http://proxy:3128
    try:  # "Invalid IPv6 URL" comes from urlsplit itself, the port from .port
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not host:
        return None
    scheme = parts.scheme.lower()
    if port is None:
        port = _DEFAULT_PORTS.get(scheme, 1080 if scheme.startswith("socks") else 443)
    return host.lower(), port


def format_address(host: str, port: int) -> str:
    """``host:port``, with brackets around an IPv6 address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
