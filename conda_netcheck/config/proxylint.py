"""Proxy URLs linted without the network, read the way requests will read them.

Every verdict comes from running requests' and urllib3's own parsing on the
URL, in the order `HTTPAdapter` uses when it opens a proxy
(`select_proxy`, `prepend_scheme_if_needed`, `parse_url`, `get_auth_from_url`,
`ProxyManager`): an *error* means conda cannot use the proxy as written, a
*warning* means conda copes but the URL is fragile or other tools will not.
Nothing here ever shows a password: user info is written ``USER:<password>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..model import Code, Finding, Status
from ..redact import MIN_SECRET_LENGTH
from ..urls import PASSWORD_PLACEHOLDER, USER_PLACEHOLDER, default_port, shown_proxy
from .commands import Commands, Shell, for_config, placeholders, unset_variable
from .sources import (
    SCHEMES,
    ProxySource,
    ProxySourceKind,
    chosen_variables,
    proxy_variables,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from ..fixtext import FixLines
    from .netconfig import NetConfig
    from .osproxy import OSProxies

#: The schemes urllib3's SOCKSProxyManager accepts (it raises for any other).
SOCKS_SCHEMES = ("socks5", "socks5h", "socks4", "socks4a")
#: Characters that end the user info for urllib3: percent-encode them.
BREAKING = {"/": "%2F", "?": "%3F", "#": "%23", "\\": "%5C"}
#: Characters requests copes with in a password, but other parsers may not.
FRAGILE = {"@": "%40", ":": "%3A"}

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
# "http:proxy:8080", "http:/proxy": a known scheme without its "//".
_HALF_SCHEME_RE = re.compile(r"(https?|socks[0-9a-z]*):/?(?!/)", re.IGNORECASE)
# urllib3's parse_url reads "word:" at the start as a scheme (no dots allowed).
_URLLIB3_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+-]*:")
_PERCENT_HEX_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_HOST_RE = re.compile(r"[\w.~%-]+|\[[0-9A-Za-z:.%]+\]")
_KEY_RE = re.compile(r"(?:http|https|all)(?:://[^/\s]+)?")
_PASSWORD = PASSWORD_PLACEHOLDER
_USER = USER_PLACEHOLDER
_QUOTES = "'\""
_HOSTPORT = "PROXY_HOST:PORT"
#: The URL a fix suggests when the one written cannot be repaired.
_ANY_PROXY = f"http://{_HOSTPORT}"
_NO_HOST = "requests finds no host in it"
_NO_PARSE = "urllib3 cannot parse it"
_YOUR_PORT = "your proxy's port"


@dataclass(frozen=True)
class Lint:
    """One problem with a proxy URL: how bad, what is wrong, and the line that fixes it."""

    status: Status  # ERROR: conda cannot use the proxy; WARNING: fragile
    summary: str
    fix: str | None = None
    #: the shell line of `fix`, as it prints it (None when the fix is advice)
    line: str | None = None

    @property
    def commands(self) -> FixLines:
        """`line` as a fix's shell lines, for a finding and a channel's problem alike."""
        from ..fixtext import FixLines

        lines = (self.line,) if self.line else ()
        return FixLines(lines, placeholders(*lines))


@dataclass(frozen=True)
class _Raw:
    """A proxy URL split as written, user info at the LAST "@" as urllib does."""

    scheme: str | None  # lower-cased; None when there is no "scheme://"
    userinfo: str | None  # None when there is no "@"
    hostport: str  # host[:port] as written
    tail: str  # path, query and fragment as written

    @classmethod
    def split(cls, url: str) -> _Raw:
        match = _SCHEME_RE.match(url)
        scheme = match.group(1).lower() if match else None
        rest = url[match.end() :] if match else url.removeprefix("//")
        userinfo, at, after = rest.rpartition("@")
        end = re.search(r"[/?#]", after)
        cut = end.start() if end else len(after)
        return cls(scheme, userinfo if at else None, after[:cut], after[cut:])

    @property
    def host(self) -> str:
        if self.hostport.startswith("["):
            return self.hostport.partition("]")[0] + "]"
        return (
            self.hostport.rpartition(":")[0] if ":" in self.hostport else self.hostport
        )

    @property
    def port(self) -> str | None:
        """The port as written: None without a ":", "" for "proxy:"."""
        after = (
            self.hostport.partition("]")[2]
            if self.hostport.startswith("[")
            else self.hostport
        )
        return after.rpartition(":")[2] if ":" in after else None

    @property
    def user(self) -> str:
        return (self.userinfo or "").partition(":")[0]

    @property
    def password(self) -> str | None:
        user, colon, password = (self.userinfo or "").partition(":")
        return password if colon else None

    def display(self, scheme: str | None = "", hostport: str | None = None) -> str:
        """The URL with user info as placeholders; scheme="" keeps the written one."""
        scheme = self.scheme if scheme == "" else scheme
        text = f"{scheme}://" if scheme else ""
        if self.userinfo is not None:
            text += (_PASSWORD if ":" in self.userinfo else _USER) + "@"
        return text + (self.hostport if hostport is None else hostport) + self.tail


class _Refusal(Enum):
    """Why requests' HTTPAdapter cannot use a proxy URL."""

    PARSE = "parse"  # urllib3 cannot parse it
    NO_HOST = "no-host"  # it names no host
    SOCKS = "socks"  # a SOCKS proxy without PySocks installed
    SOCKS_VERSION = "socks-version"  # a SOCKS scheme urllib3 does not know
    SCHEME = "scheme"  # neither http, https nor SOCKS


@dataclass(frozen=True)
class _Opened:
    """What requests' HTTPAdapter makes of a proxy URL, or why it gives up."""

    problem: _Refusal | None = None
    message: str = ""  # the library's message; may quote the URL, redact first
    scheme: str | None = None
    host: str | None = None
    port: int | None = None
    sends_credentials: bool = False


def _socks_supported() -> bool:
    """True when requests found urllib3's SOCKS support (PySocks) at import."""
    from requests.adapters import SOCKSProxyManager

    # requests replaces the class by a function raising InvalidSchema("Missing
    # dependencies for SOCKS support.") when `import socks` fails.
    return isinstance(SOCKSProxyManager, type)


def _open(url: str) -> _Opened:
    """Parse a proxy URL exactly as HTTPAdapter.get_connection_with_tls_context does."""
    from requests.utils import get_auth_from_url, prepend_scheme_if_needed
    from urllib3.exceptions import LocationParseError, ProxySchemeUnknown
    from urllib3.util import parse_url

    try:
        proxy = prepend_scheme_if_needed(url, "http")
        parsed = parse_url(proxy)
    except LocationParseError as exc:
        return _Opened(_Refusal.PARSE, str(exc))
    except TypeError:
        # requests' own bug: "http://user:pw@" (user info, no host) breaks its
        # prepend_scheme_if_needed with "expected str instance, NoneType found".
        return _Opened(_Refusal.NO_HOST, "the URL names no host")
    if not parsed.host:
        return _Opened(_Refusal.NO_HOST, "the URL names no host")
    scheme = parsed.scheme
    try:
        username = get_auth_from_url(proxy)[0]
    except ValueError:  # stdlib urlparse: "Invalid IPv6 URL"
        username = ""
    # proxy_headers() adds Proxy-Authorization only when username is non-empty,
    # and get_auth_from_url() returns ("", "") when there is no password.
    sends = bool(username)
    if proxy.lower().startswith("socks"):
        if not _socks_supported():
            return _Opened(
                _Refusal.SOCKS, "Missing dependencies for SOCKS support.", scheme
            )
        if scheme not in SOCKS_SCHEMES:
            return _Opened(_Refusal.SOCKS_VERSION, "", scheme)
        return _Opened(None, "", scheme, parsed.host, parsed.port, sends)
    if scheme not in ("http", "https"):
        return _Opened(_Refusal.SCHEME, str(ProxySchemeUnknown(scheme)), scheme)
    # ProxyManager: a missing (or zero) port becomes the scheme's default.
    port = parsed.port or default_port(scheme)
    return _Opened(None, "", scheme, parsed.host, port, sends)


def _scrub(text: str, secrets: list[str]) -> str:
    """Last line of defence: no form of the user info may survive in a message."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "<password>")
    return text


def _fixed(status: Status, summary: str, line: str, note: str = "") -> Lint:
    """A lint whose fix is one shell line, with a note after it in parentheses."""
    return Lint(status, summary, f"{line} ({note})" if note else line, line)


def _secrets(url: str) -> list[str]:
    """The forms of the URL's password that no message may show."""
    raw = _Raw.split(url.strip())
    # A user info without ":" is a user name (messages never print it either,
    # but scrubbing it would also eat words like "user" from the text).
    if not raw.password:
        return []
    return [raw.userinfo or "", raw.password, unquote(raw.password)]


def _scrubbed(lint: Lint, secrets: list[str]) -> Lint:
    """The same lint with every form of the password scrubbed from its text."""
    fix = None if lint.fix is None else _scrub(lint.fix, secrets)
    line = None if lint.line is None else _scrub(lint.line, secrets)
    return Lint(lint.status, _scrub(lint.summary, secrets), fix, line)


def _fixer(
    source: ProxySource | None, scheme: str, commands: Commands
) -> Callable[[str], str]:
    """fix(value): the line that sets the proxy to value where `source` sets it."""
    return lambda value: commands.set_proxy(f"{scheme}://", value, source)


def lint_proxy_url(
    url: str,
    *,
    source: ProxySource | None = None,
    scheme: str = "https",
    commands: Commands,
) -> list[Lint]:
    """The problems with one proxy URL; no network, no secrets.

    ``source`` is where the URL is set and only shapes the fix, which
    ``commands`` writes; when it names no setting or variable (the OS
    settings), the fix sets the proxy for ``scheme`` (a URL's scheme).
    """
    secrets = _secrets(url)
    lints = _lint(url, _fixer(source, scheme, commands))
    return [_scrubbed(lint, secrets) for lint in lints]


def _takes_host(host: str | None) -> str:
    return f"requests takes the host to be {host!r}"


def _urllib3_says(opened: _Opened, text: str, raw: _Raw) -> str:
    """urllib3's parse error, whose message quotes the whole URL, user info included."""
    return opened.message.replace(text, raw.display())


def _lint(url: str, fix: Callable[[str], str]) -> list[Lint]:
    """The problems of the URL as written: what surrounds it, then the URL itself."""
    from .osproxy import is_pac_url, pac_as_proxy

    if is_pac_url(url):  # a port or scheme fix for it would do nothing
        # The proxy the PAC script names comes first; px is the other way.
        return [Lint(Status.ERROR, *pac_as_proxy(url, fix), fix(_ANY_PROXY))]
    if not url.strip():
        return [_blank(url, fix)]
    text = url.strip()
    lints = [_outer_whitespace(url, text, fix)] if text != url else []
    if text[0] in _QUOTES or text[-1] in _QUOTES:
        lints.append(_quoted(text, fix))
        text = text.strip(_QUOTES).strip()
    return lints + _lint_url(text, fix)


def _blank(url: str, fix: Callable[[str], str]) -> Lint:
    """An empty value, or one of whitespace only."""
    if url:
        summary = "holds only whitespace, not a proxy URL"
    else:
        # select_proxy() returns "" and HTTPAdapter treats it as "no proxy".
        summary = (
            "is empty: requests ignores it and conda connects directly, without a proxy"
        )
    return _fixed(Status.ERROR, summary, fix(_ANY_PROXY))


def _outer_whitespace(url: str, text: str, fix: Callable[[str], str]) -> Lint:
    """Whitespace before or after the URL: fatal unless requests strips it."""
    where = " and ".join(
        side
        for side, present in (
            ("leading", url[0].isspace()),
            ("trailing", url[-1].isspace()),
        )
        if present
    )
    raw = _Raw.split(text)
    broken, clean = _open(url), _open(text)
    if broken.problem is _Refusal.PARSE:
        severity, effect = Status.ERROR, _NO_PARSE
    elif clean.problem is not None:
        severity, effect = Status.ERROR, "remove it"  # other problems, below
    elif (broken.host, broken.port) == (clean.host, clean.port):
        severity, effect = Status.WARNING, "requests strips it, other tools may not"
    else:
        severity, effect = Status.ERROR, _takes_host(broken.host)
    return _fixed(
        severity,
        f"has {where} whitespace ({raw.display()}): {effect}",
        fix(raw.display()),
    )


def _quoted(text: str, fix: Callable[[str], str]) -> Lint:
    """Quotes around the URL, which requests keeps as part of it."""
    opened = _open(text)
    where = _takes_host(opened.host) if opened.host else _NO_PARSE
    unquoted = text.strip(_QUOTES).strip()
    return _fixed(
        Status.ERROR,
        f"is wrapped in quotes, which become part of the URL: {where}",
        fix(_Raw.split(unquoted).display()),
    )


def _lint_url(text: str, fix: Callable[[str], str]) -> list[Lint]:
    """The problems of a stripped, unquoted URL: one URL, its scheme, its parts."""
    raw = _Raw.split(text)
    outside = (raw.scheme or "") + raw.hostport + raw.tail
    if re.search(r"\s", outside) or text.count("://") > 1:
        return [_not_one_url(text, raw, fix)]
    text, lints = _scheme(text, raw, fix)
    # Read on as requests would, unless the scheme is wrong past repairing.
    usable = ("http", "https", *SOCKS_SCHEMES)
    scheme = _Raw.split(text).scheme
    if lints and lints[-1].status is Status.ERROR and scheme not in usable:
        return lints
    return lints + _lint_parts(text, fix)


def _not_one_url(text: str, raw: _Raw, fix: Callable[[str], str]) -> Lint:
    """Whitespace inside the URL, or more than one URL in the value."""
    opened = _open(text)
    several = text.count("://") > 1
    what = "holds more than one URL" if several else "contains whitespace"
    if opened.problem is _Refusal.PARSE:
        where = _NO_PARSE
    else:
        where = _takes_host(opened.host) if opened.host else _NO_HOST
    return _fixed(
        Status.ERROR,
        f"{what} ({raw.display()}): {where}; it must be one URL",
        fix(_ANY_PROXY),
    )


def _lint_parts(text: str, fix: Callable[[str], str]) -> list[Lint]:
    """The user info, host and port of a URL whose scheme requests can use."""
    raw, opened = _Raw.split(text), _open(text)
    lints: list[Lint] = []
    explained = False  # a lint already says why urllib3 cannot parse the URL
    if raw.userinfo is not None:
        lints, explained = _credentials(raw, opened, fix)
        if any(lint.status is Status.ERROR for lint in lints):
            # The host requests found is then a piece of the user info.
            return lints
    if opened.problem is None and not _HOST_RE.fullmatch(opened.host or ""):
        summary = f"is not a URL: {_takes_host(opened.host)}"
        return [*lints, _fixed(Status.ERROR, summary, fix(_ANY_PROXY))]
    if raw.scheme in ("http", "https"):
        found, port_explained = _port(raw, opened, text, fix)
        lints += found
        explained = explained or port_explained
    return lints + _unparsed(raw, opened, text, explained, fix)


def _unparsed(
    raw: _Raw, opened: _Opened, text: str, explained: bool, fix: Callable[[str], str]
) -> list[Lint]:
    """A URL urllib3 finds no host in, or cannot parse for a reason not yet said."""
    if opened.problem is _Refusal.NO_HOST:
        summary = f"names no proxy host ({raw.display()})"
        return [_fixed(Status.ERROR, summary, fix(raw.display(hostport=_HOSTPORT)))]
    if opened.problem is _Refusal.PARSE and not explained:
        summary = f"is not a valid URL (urllib3: {_urllib3_says(opened, text, raw)})"
        return [_fixed(Status.ERROR, summary, fix(_ANY_PROXY))]
    return []


def _scheme(text: str, raw: _Raw, fix: Callable[[str], str]) -> tuple[str, list[Lint]]:
    """Scheme problems, and the URL with the scheme repaired for the next checks."""
    half = _HALF_SCHEME_RE.match(text)
    if raw.scheme is None and half:
        return _half_scheme(text, half, fix)
    if raw.scheme is None:
        return _no_scheme(text, raw, fix)
    if raw.scheme == "https":
        return text, [_tls_to_the_proxy(raw, fix)]
    if raw.scheme.startswith("socks"):
        return text, _socks(raw, fix)
    opened = _open(text)
    if opened.problem is not _Refusal.SCHEME:
        return text, []
    summary = (
        f"uses {raw.scheme}://, which requests cannot use for a proxy "
        f"(urllib3: {opened.message})"
    )
    return text, [_fixed(Status.ERROR, summary, fix(raw.display(scheme="http")))]


def _half_scheme(
    text: str, half: re.Match[str], fix: Callable[[str], str]
) -> tuple[str, list[Lint]]:
    """A known scheme without its "//" ("http:proxy:8080"), and the URL repaired."""
    scheme = half.group(1).lower()
    repaired = f"{scheme}://{text[half.end() :].lstrip('/')}"
    opened = _open(text)
    effect = _NO_HOST if opened.problem else _takes_host(opened.host)
    summary = f"writes '{half.group()}' without '//' after the scheme: {effect}"
    return repaired, [
        _fixed(Status.ERROR, summary, fix(_Raw.split(repaired).display()))
    ]


def _no_scheme(
    text: str, raw: _Raw, fix: Callable[[str], str]
) -> tuple[str, list[Lint]]:
    """A URL without a scheme: a warning when requests' http:// default works."""
    repaired = "http://" + text.removeprefix("//")
    display = _Raw.split(repaired).display()
    opened = _open(text)
    if opened.problem is None and opened.scheme == "http":
        summary = (
            f"has no scheme ({raw.display()}): requests assumes http://, "
            "other tools may not"
        )
        return repaired, [_fixed(Status.WARNING, summary, fix(display))]
    prefix = _URLLIB3_SCHEME_RE.match(text)
    if raw.userinfo is None and prefix:
        why = f"requests reads '{prefix.group()}' as the scheme and finds no host"
    else:
        why = "requests cannot find the proxy host without one"
    summary = f"has no scheme ({raw.display()}): {why}"
    return repaired, [_fixed(Status.ERROR, summary, fix(display))]


def _tls_to_the_proxy(raw: _Raw, fix: Callable[[str], str]) -> Lint:
    """An https:// proxy URL, which most proxies do not speak."""
    return _fixed(
        Status.WARNING,
        f"uses https:// ({raw.display()}): requests then speaks TLS to the "
        "proxy itself, and most proxies speak plain HTTP, so the handshake "
        "fails with 'wrong version number'; with http:// HTTPS downloads are "
        "still encrypted end to end (CONNECT tunnel)",
        fix(raw.display(scheme="http")),
    )


def _socks(raw: _Raw, fix: Callable[[str], str]) -> list[Lint]:
    """A SOCKS scheme urllib3 does not know, or SOCKS without PySocks."""
    lints = []
    if raw.scheme not in SOCKS_SCHEMES:
        lints.append(
            _fixed(
                Status.ERROR,
                f"uses {raw.scheme}://, which names no SOCKS version: urllib3 "
                "accepts socks5h://, socks5://, socks4a:// and socks4://",
                fix(raw.display(scheme="socks5h")),
            )
        )
    if not _socks_supported():
        lints.append(
            Lint(
                Status.ERROR,
                f"is a SOCKS proxy ({raw.display()}) but PySocks is not installed: "
                "requests fails with 'Missing dependencies for SOCKS support.'",
                f"conda install pysocks (or use the HTTP proxy: {fix(_ANY_PROXY)})",
            )
        )
    return lints


def _credentials(
    raw: _Raw, opened: _Opened, fix: Callable[[str], str]
) -> tuple[list[Lint], bool]:
    """Problems in the user info, judged on the raw text between :// and the last @.

    One lint names every character to encode, in the user name and the password:
    one fix line rewrites them all. The flag is True when an unencoded character
    explains urllib3's parse error.
    """
    parts = [("user name", raw.user)]
    if raw.password is not None:
        parts.append(("password", raw.password))
    found = [(name, _to_encode(name, part)) for name, part in parts]
    found = [(name, chars) for name, chars in found if chars]
    breaking = any(c.breaking for _, chars in found for c in chars)
    lints = [_encoding_lint(found, opened, fix(raw.display()))] if found else []
    if opened.problem is None and not opened.sends_credentials and not breaking:
        lints.append(_no_credentials(raw, fix))
    return lints, breaking and opened.problem is _Refusal.PARSE


@dataclass(frozen=True)
class _Unencoded:
    """A character of the user info to percent-encode, and why."""

    shown: str  # "'#'", "space", "literal '%'"
    code: str  # "%23"
    breaking: bool  # it ends the user info for every parser
    why: str


def _to_encode(name: str, part: str) -> list[_Unencoded]:
    """The characters of one part of the user info that must or should be encoded."""
    found = [
        _Unencoded(f"'{char}'", code, True, "ends the user info")
        for char, code in BREAKING.items()
        if char in part
    ]
    found += [
        _Unencoded(f"'{char}'", code, False, "other tools may split at it")
        for char, code in FRAGILE.items()
        if char in part and not (char == ":" and name == "user name")
    ]
    if _PERCENT_HEX_RE.search(part):
        found.append(
            _Unencoded(
                "literal '%'",
                "%25",
                False,
                f"requests decodes %XX, so the proxy gets a different {name} "
                "(and answers 407) unless it is encoded on purpose",
            )
        )
    if re.search(r"\s", part):
        found.append(_Unencoded("space", "%20", False, "other tools may not send it"))
    return found


def _encoding_lint(
    found: list[tuple[str, list[_Unencoded]]], opened: _Opened, rewritten: str
) -> Lint:
    """One lint for every unencoded character of the user info."""
    where = "; the ".join(
        f"{name} contains {_listed([c.shown for c in chars])}" for name, chars in found
    )
    every = [c for _, chars in found for c in chars]
    breaking = [c.shown for c in every if c.breaking]
    if not breaking:
        effect = "requests copes, but " + "; ".join(dict.fromkeys(c.why for c in every))
    elif opened.problem is _Refusal.PARSE:
        verb = "makes" if len(breaking) == 1 else "make"
        effect = f"{_listed(breaking)} {verb} urllib3 unable to parse the URL"
    else:
        # The host is then a piece of the user info: don't print it.
        effect = (
            f"at {_listed(breaking)} requests ends the user info, connects to the "
            "wrong host (a piece of the user info) and sends no credentials"
        )
    codes = ", ".join(f"{c.shown} as {c.code}" for c in every)
    names = " and ".join(name for name, _ in found)
    return _fixed(
        Status.ERROR if breaking else Status.WARNING,
        f"the proxy {where} unencoded: {effect}; percent-encode {codes}",
        rewritten,
        f"with the {names} percent-encoded: {codes}",
    )


def _listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def _no_credentials(raw: _Raw, fix: Callable[[str], str]) -> Lint:
    """User info that requests sends nothing for: no password, or no user name."""
    if raw.password is None:
        why = f"has a user name but no password ({raw.display()})"
    else:
        why = f"has an empty user name ({raw.display()})"
    return _fixed(
        Status.WARNING,
        f"{why}: requests then sends no credentials at all",
        fix(raw.display().replace(f"{_USER}@", f"{_PASSWORD}@")),
    )


def _port(
    raw: _Raw, opened: _Opened, text: str, fix: Callable[[str], str]
) -> tuple[list[Lint], bool]:
    """A missing, zero, non-numeric or out-of-range port; True when it is why urllib3 fails."""
    port = raw.port
    with_port = fix(raw.display(hostport=f"{raw.host}:PORT"))
    if port is None or port == "" or (port.isdigit() and int(port) == 0):
        if opened.problem is not None:
            return [], False
        return [_no_port(raw, opened, with_port)], False
    if port.isdigit() and int(port) <= 65535:
        return [], False
    what = "is above 65535" if port.isdigit() else "is not a number"
    quoted = ""
    if opened.problem is _Refusal.PARSE:
        quoted = f" (urllib3: {_urllib3_says(opened, text, raw)})"
    summary = f"the port {port!r} {what}{quoted}"
    return [_fixed(Status.ERROR, summary, with_port, _YOUR_PORT)], True


def _no_port(raw: _Raw, opened: _Opened, with_port: str) -> Lint:
    """No port, an empty one, or port 0."""
    if raw.port:  # port 0: no proxy listens there, whatever urllib3 makes of it
        return _fixed(
            Status.ERROR,
            f"has port 0 ({raw.display()}): no proxy listens on port 0 "
            f"(requests connects to port {opened.port})",
            with_port,
            _YOUR_PORT,
        )
    return _fixed(
        Status.WARNING,
        f"has no port ({raw.display()}): requests connects to port {opened.port}, "
        "the scheme's default; proxies usually listen on 3128 or 8080",
        with_port,
        _YOUR_PORT,
    )


@dataclass(frozen=True)
class _Chosen:
    """A proxy URL requests uses for a scheme, and the setting or variable that holds it."""

    source: ProxySource  # a proxy_servers key or a *_PROXY variable
    url: str

    @property
    def check(self) -> str:
        """The finding's name for the source: proxy_servers.KEY, or the variable."""
        if self.source.kind is ProxySourceKind.SETTING:
            return self.source.words()
        return self.source.name


@dataclass(frozen=True)
class _Environment:
    """The proxies requests takes from the *_PROXY variables, as urllib reads them."""

    chosen: dict[str, _Chosen]  # scheme -> the variable that wins, and its URL
    emptied: frozenset[str]  # schemes an empty lower-case variable switched off


def lint_proxies(cfg: NetConfig) -> list[Finding]:
    """Lint conda's proxy_servers and the *_PROXY variables, and how they combine."""
    commands = for_config(cfg)
    configured = {
        key: _Chosen(ProxySource(ProxySourceKind.SETTING, key), url)
        for key, url in cfg.proxy_servers.items()
        if key in SCHEMES and url
    }
    environment = _environment(cfg.env)
    return [
        *_lint_proxy_servers(cfg.proxy_servers, commands),
        *_lint_variables(cfg.env, commands),
        *_overridden(configured, environment.chosen, commands),
        *_missing_schemes(configured, environment, commands),
    ]


def _finding(check: str, lint: Lint) -> Finding:
    return Finding(
        check,
        Code.PROXY_MISCONFIGURED,
        lint.summary,
        lint.fix,
        status=lint.status,
        commands=lint.commands,
    )


def _lint_proxy_servers(
    proxy_servers: dict[str, str], commands: Commands
) -> list[Finding]:
    """Each proxy_servers value, and keys that requests never looks up."""
    findings = []
    for key, url in proxy_servers.items():
        setting = ProxySource(ProxySourceKind.SETTING, key)
        check = setting.words()
        if not _KEY_RE.fullmatch(key):
            unused = Lint(
                Status.WARNING,
                f"conda never uses the key {key!r}: requests looks up "
                "http, https, all, and scheme://host (lower-case)",
                "rename it in your .condarc: proxy_servers.https or proxy_servers.http",
            )
            findings.append(_finding(check, unused))
        lints = lint_proxy_url(url or "", source=setting, commands=commands)
        findings += [_finding(check, lint) for lint in lints]
    return findings


def _lint_variables(env: dict[str, str], commands: Commands) -> list[Finding]:
    """Each *_PROXY variable's URL, and upper- and lower-case ones that disagree."""
    findings = []
    for scheme in SCHEMES:
        for name in proxy_variables(scheme):
            # An empty variable is how people switch a proxy off: not an error.
            if env.get(name):
                variable = ProxySource(ProxySourceKind.VARIABLE, name)
                lints = lint_proxy_url(env[name], source=variable, commands=commands)
                findings += [_finding(name, lint) for lint in lints]
        findings += _case_conflict(env, scheme, commands.shell)
    return findings


def os_overridden(cfg: NetConfig, settings: OSProxies | None = None) -> list[Finding]:
    """proxy_servers values the OS settings override: requests lets them win.

    With no *_proxy variable, urllib's getproxies() returns the OS proxies and
    requests prefers them to the session's (conda's proxy_servers) for the
    same scheme; a variable would override the OS settings.
    """
    from .osproxy import environment_has_proxy, os_proxies

    if environment_has_proxy(cfg.env):
        return []
    settings = settings if settings is not None else os_proxies()
    if settings is None:
        return []
    commands = for_config(cfg)
    findings = []
    for scheme in ("http", "https"):
        configured = cfg.proxy_servers.get(scheme) or cfg.proxy_servers.get("all")
        used = settings.proxies.get(scheme)
        if not configured or not used or used == configured:
            continue
        from ..fixtext import FixLines

        source = ProxySource(ProxySourceKind.OS, settings.source)
        # Never the password: its user info is a placeholder the user fills in.
        line = commands.set_proxy(f"{scheme}://", shown_proxy(configured), source)
        findings.append(
            Finding(
                f"proxy_servers.{scheme}",
                Code.PROXY_MISCONFIGURED,
                f"is overridden by {settings.source}: with no *_PROXY variable set, "
                "requests lets the operating system's proxy win over the "
                f"session's proxies, so conda uses {shown_proxy(used)}, not "
                f"{shown_proxy(configured)}",
                f"set the variable, which wins over the operating system's "
                f"settings: {line}; or change the proxy in {settings.source}",
                status=Status.WARNING,
                commands=FixLines((line,), placeholders(line)),
            )
        )
    return findings


def variable_proxies(env: Mapping[str, str]) -> dict[str, str]:
    """scheme -> the proxy URL the *_PROXY variables give it, as urllib reads them."""
    return {scheme: c.url for scheme, c in _environment(dict(env)).chosen.items()}


def environment_source(env: Mapping[str, str], scheme: str) -> ProxySource | None:
    """The variable, else the OS setting, whose proxy requests prefers to proxy_servers.

    requests merges the environment's proxies over the session's key by key:
    a variable for this very scheme wins; the OS settings count only when no
    *_proxy variable is set at all.
    """
    from .osproxy import environment_has_proxy, os_proxies

    chosen = _environment(dict(env)).chosen.get(scheme)
    if chosen is not None:
        return chosen.source
    if environment_has_proxy(dict(env)):
        return None
    settings = os_proxies()
    if settings is not None and settings.proxies.get(scheme):
        return ProxySource(ProxySourceKind.OS, settings.source)
    return None


def _environment(env: dict[str, str]) -> _Environment:
    """Which variable requests takes for each scheme, and which are switched off."""
    chosen, emptied = chosen_variables(env)
    return _Environment(
        {scheme: _Chosen(*found) for scheme, found in chosen.items()}, emptied
    )


def _case_conflict(
    env: dict[str, str], scheme: str, shell: Shell | None
) -> list[Finding]:
    """An upper-case variable that the lower-case one overrides or switches off."""
    upper, lower = proxy_variables(scheme)
    up, low = env.get(upper), env.get(lower)
    if not up or low is None or low == up:
        return []
    if not low:
        emptied = Lint(
            Status.WARNING,
            f"is set but empty, which makes requests ignore {upper} "
            f"({shown_proxy(up)}): conda connects without a proxy where {upper} "
            "would apply",
            f"{unset_variable(lower, shell)} (or {unset_variable(upper, shell)} too "
            "if no proxy is wanted)",
            unset_variable(lower, shell),
        )
        return [_finding(lower, emptied)]
    differs = Lint(
        Status.WARNING,
        f"differs from {lower}: requests (so conda) uses {lower} "
        f"({shown_proxy(low)}) and ignores {upper} ({shown_proxy(up)}); programs that "
        "read the upper-case one first (Go programs) use the other",
        f"{unset_variable(upper, shell)}, or set both to the same URL",
        unset_variable(upper, shell),
    )
    return [_finding(upper, differs)]


def _overridden(
    configured: dict[str, _Chosen],
    environment: dict[str, _Chosen],
    commands: Commands,
) -> list[Finding]:
    """proxy_servers values that a variable overrides: requests lets it win.

    The line makes the setting say what conda uses now, which changes
    nothing for any channel; unsetting the variable would switch every
    channel of that scheme to the other proxy, which may not answer.
    """
    findings = []
    for key, setting in configured.items():
        variable = environment.get(key)
        if variable is None or variable.url == setting.url:
            continue
        name = variable.source.name
        line = commands.set_proxy(
            f"{key}://", shown_proxy(variable.url), setting.source
        )
        lint = _fixed(
            Status.WARNING,
            f"is overridden by {name}: requests lets the environment win "
            "over the session's proxies, so conda uses "
            f"{shown_proxy(variable.url)}, not {shown_proxy(setting.url)} (except for "
            "hosts in NO_PROXY)",
            line,
            f"the proxy conda uses now; or, if {shown_proxy(setting.url)} is the "
            f"one to use, {unset_variable(name, commands.shell)}",
        )
        findings.append(_finding(setting.check, lint))
    return findings


def _missing_schemes(
    configured: dict[str, _Chosen], environment: _Environment, commands: Commands
) -> list[Finding]:
    """A proxy for http but none for https (or the reverse), in either source."""
    covered = set(configured) | set(environment.chosen)
    if "all" in covered:
        return []
    findings = []
    for chosen in (configured, environment.chosen):
        for present, missing in (("http", "https"), ("https", "http")):
            if present in chosen and missing not in covered | environment.emptied:
                findings += _missing_scheme(chosen[present], present, missing, commands)
    return findings


def _missing_scheme(
    chosen: _Chosen, present: str, missing: str, commands: Commands
) -> list[Finding]:
    """The warning that `missing` goes direct, with the line that sets its proxy too."""
    from .osproxy import is_pac_url

    if is_pac_url(chosen.url):  # copying it would spread the mistake
        return []
    display = shown_proxy(chosen.url)
    if "://" not in display:  # suggest the URL in its working form
        display = f"http://{display}"
    effect = (
        "conda downloads https:// channels (conda-forge, defaults: nearly "
        "all repodata) directly, without the proxy"
        if missing == "https"
        else "conda fetches http:// URLs directly, without the proxy"
    )
    fix = _fixer(_sibling(chosen.source, missing), missing, commands)(display)
    summary = f"sets a proxy for {present} but none is set for {missing}: {effect}"
    finding = _finding(chosen.check, _fixed(Status.WARNING, summary, fix))
    # The URL as shown: its address is what counts, never its credentials.
    return [replace(finding, scheme=missing, copies_proxy=display)]


def _sibling(source: ProxySource, scheme: str) -> ProxySource:
    """The same kind of setting for another scheme; a variable keeps its case."""
    if source.kind is ProxySourceKind.SETTING:
        return ProxySource(ProxySourceKind.SETTING, scheme)
    upper, lower = proxy_variables(scheme)
    name = upper if source.name.isupper() else lower
    return ProxySource(ProxySourceKind.VARIABLE, name)
