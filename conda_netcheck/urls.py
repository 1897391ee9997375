"""Where conda connects for a URL, and how an address or a proxy is shown: one home.

requests and urllib3 decide the port (the URL's, else the scheme's: a proxy
URL without a port is 80 for http://, 443 for https://), requests reads a
scheme-less proxy ("proxy:3128") as http://. Every probe, explainer and
renderer asks here, so netcheck tests the port conda uses and prints it the
same way everywhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .redact import misread_authority

__all__ = [
    "PASSWORD_PLACEHOLDER",
    "USER_PLACEHOLDER",
    "UNUSABLE_PROXY",
    "default_port",
    "format_address",
    "host_port",
    "port_of",
    "shown_address",
    "shown_proxy",
    "with_scheme",
]

#: urllib3's port_by_scheme, and PySocks' default for every SOCKS scheme.
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SOCKS_PORT = 1080
#: What is shown for a proxy URL with no host conda could connect to.
UNUSABLE_PROXY = "an unusable proxy URL"
#: What is shown instead of a "host" that is a piece of a password.
_MISREAD = "a host read out of the user info"
#: The placeholders a proxy's user info is shown as.
PASSWORD_PLACEHOLDER = "USER:<password>"
USER_PLACEHOLDER = "USER"
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def default_port(scheme: str) -> int:
    """The port urllib3 (or PySocks) connects to for a URL of scheme without a port."""
    scheme = scheme.lower()
    if scheme.startswith("socks"):
        return _SOCKS_PORT
    return _DEFAULT_PORTS.get(scheme, 443)


def with_scheme(url: str) -> str:
    """A proxy URL as requests reads it: a scheme-less ``host:port`` is http://.

    requests' own function, so "proxy:3128" stays what requests makes of it.
    """
    if "://" in url:
        return url
    from requests.utils import prepend_scheme_if_needed

    try:
        return prepend_scheme_if_needed(url, "http")
    except ValueError:  # urllib3 cannot parse it: requests would fail the same way
        return "http://" + url


def port_of(url: str) -> int:
    """The URL's port, else its scheme's (an unreadable port counts as the default)."""
    parts = urlsplit(with_scheme(url.strip()))
    try:
        port = parts.port
    except ValueError:
        port = None
    return port or default_port(parts.scheme)


def host_port(url: str | None) -> tuple[str, int] | None:
    """(host, port) conda connects to for a URL or a proxy URL; None without a host.

    Also None when the parsers would take a piece of the user info for the
    host (an unencoded "#", "?" or "/" in a password): that "host" is a secret.
    """
    if not url:
        return None
    url = with_scheme(url.strip())
    if misread_authority(url) is not None:
        return None
    try:  # "Invalid IPv6 URL" comes from urlsplit itself, the port from .port
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not host:
        return None
    return host.lower(), port or default_port(parts.scheme)


def format_address(host: str, port: int) -> str:
    """``host:port``, with brackets around an IPv6 address."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def shown_address(url: str | None, unusable: str = UNUSABLE_PROXY) -> str:
    """``host:port`` of a URL for messages; never a host read out of user info."""
    if url and misread_authority(with_scheme(url.strip())) is not None:
        return _MISREAD
    address = host_port(url)
    return format_address(*address) if address else unusable


def shown_proxy(url: str, scheme: str | None = None) -> str:
    """A proxy URL as messages show it: stripped, user info as placeholders.

    `scheme` replaces the written one: a fix that changes the scheme keeps
    the user and password, as `USER:<password>`.
    """
    url = url.strip()
    match = _SCHEME_RE.match(url)
    text = f"{match.group(1).lower()}://" if match else ""
    if scheme is not None:
        text = f"{scheme}://"
    rest = url[match.end() :] if match else url.removeprefix("//")
    userinfo, at, after = rest.rpartition("@")
    if at:
        text += (PASSWORD_PLACEHOLDER if ":" in userinfo else USER_PLACEHOLDER) + "@"
    return text + after
