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
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..model import Code, Finding, Status
from ..redact import MIN_SECRET_LENGTH
from .commands import Commands, for_config
from .sources import ProxySource, ProxySourceKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from .netconfig import NetConfig

#: The proxy keys requests' select_proxy looks up: scheme, then "all".
SCHEMES = ("http", "https", "all")
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
_KEY_RE = re.compile(r"(?:http|https|all)(?://[^/\s]+)?")
_PASSWORD = "USER:<password>"
_USER = "USER"


@dataclass(frozen=True)
class Lint:
    """One problem with a proxy URL: how bad, what is wrong, and the line that fixes it."""

    status: Status  # ERROR: conda cannot use the proxy; WARNING: fragile
    summary: str
    fix: str | None = None


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


@dataclass(frozen=True)
class _Opened:
    """What requests' HTTPAdapter makes of a proxy URL, or why it gives up."""

    problem: str | None = None  # parse, no-host, socks, socks-version, scheme
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
    from urllib3.poolmanager import port_by_scheme
    from urllib3.util import parse_url

    try:
        proxy = prepend_scheme_if_needed(url, "http")
        parsed = parse_url(proxy)
    except LocationParseError as exc:
        return _Opened("parse", str(exc))
    except TypeError:
        # requests' own bug: "http://user:pw@" (user info, no host) breaks its
        # prepend_scheme_if_needed with "expected str instance, NoneType found".
        return _Opened("no-host", "the URL names no host")
    if not parsed.host:
        return _Opened("no-host", "the URL names no host")
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
            return _Opened("socks", "Missing dependencies for SOCKS support.", scheme)
        if scheme not in SOCKS_SCHEMES:
            return _Opened("socks-version", "", scheme)
        return _Opened(None, "", scheme, parsed.host, parsed.port, sends)
    if scheme not in ("http", "https"):
        return _Opened("scheme", str(ProxySchemeUnknown(scheme)), scheme)
    # ProxyManager: a missing (or zero) port becomes the scheme's default.
    port = parsed.port or port_by_scheme.get(scheme, 80)
    return _Opened(None, "", scheme, parsed.host, port, sends)


def _scrub(text: str, secrets: list[str]) -> str:
    """Last line of defence: no form of the user info may survive in a message."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "<password>")
    return text


def _fixer(
    source: ProxySource | None, scheme: str, commands: Commands | None
) -> Callable[[str], str]:
    """fix(value): the line that sets the proxy to value where `source` sets it."""
    commands = commands or Commands()
    return lambda value: commands.set_proxy(f"{scheme}://", value, source)


def lint_proxy_url(
    url: str,
    *,
    source: ProxySource | None = None,
    scheme: str = "https",
    commands: Commands | None = None,
) -> list[Lint]:
    """The problems with one proxy URL; no network, no secrets.

    ``source`` is where the URL is set and only shapes the fix, as ``commands``
    writes it; when it names no setting or variable (the OS settings), the fix
    sets the proxy for ``scheme`` in ``proxy_servers``, which wins over them.
    """
    issues = _lint(url, _fixer(source, scheme, commands))
    raw = _Raw.split(url.strip())
    # A user info without ":" is a user name (messages never print it either,
    # but scrubbing it would also eat words like "user" from the text).
    secrets = []
    if raw.password:
        secrets += [raw.userinfo or "", raw.password, unquote(raw.password)]
    return [
        Lint(
            lint.status,
            _scrub(lint.summary, secrets),
            None if lint.fix is None else _scrub(lint.fix, secrets),
        )
        for lint in issues
    ]


def _lint(url: str, fix: Callable[[str], str]) -> list[Lint]:
    from .osproxy import is_pac_url, pac_as_proxy

    if is_pac_url(url):  # a port or scheme fix for it would do nothing
        return [Lint(Status.ERROR, *pac_as_proxy(url, fix))]
    if not url:
        # select_proxy() returns "" and HTTPAdapter treats it as "no proxy".
        return [
            Lint(
                Status.ERROR,
                "is empty: requests ignores it and conda connects directly, "
                "without a proxy",
                fix("http://PROXY_HOST:PORT"),
            )
        ]
    if not url.strip():
        return [
            Lint(
                Status.ERROR,
                "holds only whitespace, not a proxy URL",
                fix("http://PROXY_HOST:PORT"),
            )
        ]
    issues: list[Lint] = []
    text = url.strip()
    if text != url:
        issues.append(_outer_whitespace(url, text, fix))
    if text[0] in "'\"" or text[-1] in "'\"":
        opened = _open(text)
        text = text.strip("'\"").strip()
        where = (
            f"requests takes the host to be {opened.host!r}"
            if opened.host
            else "urllib3 cannot parse it"
        )
        issues.append(
            Lint(
                Status.ERROR,
                f"is wrapped in quotes, which become part of the URL: {where}",
                fix(_Raw.split(text).display()),
            )
        )
    raw = _Raw.split(text)
    outside = (raw.scheme or "") + raw.hostport + raw.tail
    if re.search(r"\s", outside) or text.count("://") > 1:
        opened = _open(text)
        several = text.count("://") > 1
        what = "holds more than one URL" if several else "contains whitespace"
        where = (
            "urllib3 cannot parse it"
            if opened.problem == "parse"
            else f"requests takes the host to be {opened.host!r}"
            if opened.host
            else "requests finds no host in it"
        )
        issues.append(
            Lint(
                Status.ERROR,
                f"{what} ({raw.display()}): {where}; it must be one URL",
                fix("http://PROXY_HOST:PORT"),
            )
        )
        return issues
    text, scheme_issues = _scheme(text, raw, fix)
    issues += scheme_issues
    if (
        scheme_issues
        and scheme_issues[-1].status is Status.ERROR
        and _Raw.split(text).scheme not in ("http", "https", *SOCKS_SCHEMES)
    ):
        return issues
    raw = _Raw.split(text)
    opened = _open(text)
    explained = False
    if raw.userinfo is not None:
        found, explained = _credentials(raw, opened, fix)
        issues += found
        if any(lint.status is Status.ERROR for lint in found):
            # The host requests found is then a piece of the user info.
            return issues
    if opened.problem is None and not _HOST_RE.fullmatch(opened.host or ""):
        issues.append(
            Lint(
                Status.ERROR,
                f"is not a URL: requests takes the host to be {opened.host!r}",
                fix("http://PROXY_HOST:PORT"),
            )
        )
        return issues
    if raw.scheme in ("http", "https"):
        found, port_explained = _port(raw, opened, text, fix)
        issues += found
        explained = explained or port_explained
    if opened.problem == "no-host":
        issues.append(
            Lint(
                Status.ERROR,
                f"names no proxy host ({raw.display()})",
                fix(raw.display(hostport="PROXY_HOST:PORT")),
            )
        )
    elif opened.problem == "parse" and not explained:
        # urllib3's message quotes the whole URL, user info included.
        message = opened.message.replace(text, raw.display())
        issues.append(
            Lint(
                Status.ERROR,
                f"is not a valid URL (urllib3: {message})",
                fix("http://PROXY_HOST:PORT"),
            )
        )
    return issues


def _outer_whitespace(url: str, text: str, fix: Callable[[str], str]) -> Lint:
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
    if broken.problem == "parse":
        severity, effect = Status.ERROR, "urllib3 cannot parse it"
    elif clean.problem is not None:
        severity, effect = (
            Status.ERROR,
            "remove it",
        )  # the URL has other problems, below
    elif (broken.host, broken.port) == (clean.host, clean.port):
        severity, effect = Status.WARNING, "requests strips it, other tools may not"
    else:
        severity, effect = (
            Status.ERROR,
            f"requests takes the host to be {broken.host!r}",
        )
    return Lint(
        severity,
        f"has {where} whitespace ({raw.display()}): {effect}",
        fix(raw.display()),
    )


def _scheme(text: str, raw: _Raw, fix: Callable[[str], str]) -> tuple[str, list[Lint]]:
    """Scheme problems, and the URL with the scheme repaired for the next checks."""
    half = _HALF_SCHEME_RE.match(text)
    if raw.scheme is None and half:
        scheme = half.group(1).lower()
        repaired = f"{scheme}://{text[half.end() :].lstrip('/')}"
        opened = _open(text)
        effect = (
            "requests finds no host in it"
            if opened.problem
            else f"requests takes the host to be {opened.host!r}"
        )
        return repaired, [
            Lint(
                Status.ERROR,
                f"writes '{half.group()}' without '//' after the scheme: {effect}",
                fix(_Raw.split(repaired).display()),
            )
        ]
    if raw.scheme is None:
        repaired = "http://" + text.removeprefix("//")
        display = _Raw.split(repaired).display()
        opened = _open(text)
        if opened.problem is None and opened.scheme == "http":
            return repaired, [
                Lint(
                    Status.WARNING,
                    f"has no scheme ({raw.display()}): requests assumes http://, "
                    "other tools may not",
                    fix(display),
                )
            ]
        prefix = _URLLIB3_SCHEME_RE.match(text)
        if raw.userinfo is None and prefix:
            why = f"requests reads '{prefix.group()}' as the scheme and finds no host"
        else:
            why = "requests cannot find the proxy host without one"
        return repaired, [
            Lint(Status.ERROR, f"has no scheme ({raw.display()}): {why}", fix(display))
        ]
    if raw.scheme == "https":
        return text, [
            Lint(
                Status.WARNING,
                f"uses https:// ({raw.display()}): requests then speaks TLS to the "
                "proxy itself, and most proxies speak plain HTTP, so the handshake "
                "fails with 'wrong version number'; with http:// HTTPS downloads are "
                "still encrypted end to end (CONNECT tunnel)",
                fix(raw.display(scheme="http")),
            )
        ]
    if raw.scheme.startswith("socks"):
        issues = []
        if raw.scheme not in SOCKS_SCHEMES:
            issues.append(
                Lint(
                    Status.ERROR,
                    f"uses {raw.scheme}://, which names no SOCKS version: urllib3 "
                    "accepts socks5h://, socks5://, socks4a:// and socks4://",
                    fix(raw.display(scheme="socks5h")),
                )
            )
        if not _socks_supported():
            issues.append(
                Lint(
                    Status.ERROR,
                    f"is a SOCKS proxy ({raw.display()}) but PySocks is not installed: "
                    "requests fails with 'Missing dependencies for SOCKS support.'",
                    "conda install pysocks (or use the HTTP proxy: "
                    f"{fix('http://PROXY_HOST:PORT')})",
                )
            )
        return text, issues
    opened = _open(text)
    if opened.problem == "scheme":
        return text, [
            Lint(
                Status.ERROR,
                f"uses {raw.scheme}://, which requests cannot use for a proxy "
                f"(urllib3: {opened.message})",
                fix(raw.display(scheme="http")),
            )
        ]
    return text, []


def _credentials(
    raw: _Raw, opened: _Opened, fix: Callable[[str], str]
) -> tuple[list[Lint], bool]:
    """Problems in the user info, judged on the raw text between :// and the last @."""
    issues: list[Lint] = []
    explained = False
    parts = [("user name", raw.user)]
    if raw.password is not None:
        parts.append(("password", raw.password))
    for name, part in parts:
        for char, code in BREAKING.items():
            if char not in part:
                continue
            if opened.problem == "parse":
                effect = "urllib3 cannot parse the URL"
                explained = True
            else:
                # The host is then a piece of the user info: don't print it.
                effect = "requests connects to the wrong host (a piece of the user info) and sends no credentials"
            issues.append(
                Lint(
                    Status.ERROR,
                    f"the proxy {name} contains an unencoded '{char}': {effect}; "
                    f"it must be written as {code}",
                    f"{fix(raw.display())} (with each '{char}' in the {name} written as {code})",
                )
            )
    for name, part in parts:
        fragile = [
            c for c in FRAGILE if c in part and not (c == ":" and name == "user name")
        ]
        for char in fragile:
            issues.append(
                Lint(
                    Status.WARNING,
                    f"the proxy {name} contains an unencoded '{char}': requests "
                    "splits the user info at the last '@' and copes, other tools "
                    f"may choke; percent-encode '{char}' as {FRAGILE[char]}",
                    f"{fix(raw.display())} (with each '{char}' in the {name} written as {FRAGILE[char]})",
                )
            )
        if _PERCENT_HEX_RE.search(part):
            issues.append(
                Lint(
                    Status.WARNING,
                    f"the proxy {name} contains '%' followed by two hex digits, which "
                    f"requests decodes, so the proxy gets a different {name} (and "
                    "answers 407) unless you percent-encoded it on purpose; a literal "
                    "'%' must be written as %25",
                    f"{fix(raw.display())} (with each literal '%' in the {name} written as %25)",
                )
            )
        if re.search(r"\s", part):
            issues.append(
                Lint(
                    Status.WARNING,
                    f"the proxy {name} contains whitespace: requests sends it as is, "
                    "other tools may not; percent-encode a space as %20",
                    f"{fix(raw.display())} (with each space in the {name} written as %20)",
                )
            )
    broken = any(lint.status is Status.ERROR for lint in issues)
    if opened.problem is None and not opened.sends_credentials and not broken:
        if raw.password is None:
            why = f"has a user name but no password ({raw.display()})"
        else:
            why = f"has an empty user name ({raw.display()})"
        issues.append(
            Lint(
                Status.WARNING,
                f"{why}: requests then sends no credentials at all",
                fix(raw.display().replace(f"{_USER}@", f"{_PASSWORD}@")),
            )
        )
    return issues, explained


def _port(
    raw: _Raw, opened: _Opened, text: str, fix: Callable[[str], str]
) -> tuple[list[Lint], bool]:
    """A missing, zero, non-numeric or out-of-range port."""
    port = raw.port
    with_port = fix(raw.display(hostport=f"{raw.host}:PORT"))
    if port is None or port == "" or (port.isdigit() and int(port) == 0):
        if opened.problem is not None:
            return [], False
        if port:  # port 0: no proxy listens there, whatever urllib3 makes of it
            return [
                Lint(
                    Status.ERROR,
                    f"has port 0 ({raw.display()}): no proxy listens on port 0 "
                    f"(requests connects to port {opened.port})",
                    f"{with_port} (your proxy's port)",
                )
            ], False
        return [
            Lint(
                Status.WARNING,
                f"has no port ({raw.display()}): requests connects to port {opened.port}, "
                "the scheme's default; proxies usually listen on 3128 or 8080",
                f"{with_port} (your proxy's port)",
            )
        ], False
    if port.isdigit() and int(port) <= 65535:
        return [], False
    what = "is above 65535" if port.isdigit() else "is not a number"
    quoted = ""
    if opened.problem == "parse":
        # urllib3's message quotes the whole URL, user info included.
        quoted = f" (urllib3: {opened.message.replace(text, raw.display())})"
    return [
        Lint(
            Status.ERROR,
            f"the port {port!r} {what}{quoted}",
            f"{with_port} (your proxy's port)",
        )
    ], True


def lint_proxies(cfg: NetConfig) -> list[Finding]:
    """Lint conda's proxy_servers and the *_PROXY variables, and how they combine."""
    from .osproxy import is_pac_url

    findings: list[Finding] = []
    commands = for_config(cfg)

    def add(check: str, issues: list[Lint]) -> None:
        for lint in issues:
            findings.append(
                Finding(
                    check,
                    Code.PROXY_MISCONFIGURED,
                    lint.summary,
                    lint.fix,
                    status=lint.status,
                )
            )

    for key, url in cfg.proxy_servers.items():
        check = f"proxy_servers.{key}"
        if not _KEY_RE.fullmatch(key):
            add(
                check,
                [
                    Lint(
                        Status.WARNING,
                        f"conda never uses the key {key!r}: requests looks up "
                        "http, https, all, and scheme://host (lower-case)",
                        "rename it in your .condarc: proxy_servers.https or proxy_servers.http",
                    )
                ],
            )
        setting = ProxySource(ProxySourceKind.SETTING, key)
        add(check, lint_proxy_url(url or "", source=setting, commands=commands))

    env_proxies: dict[str, tuple[str, str]] = {}  # scheme -> (variable, url)
    emptied: set[str] = set()  # schemes an empty lower-case variable switched off
    for scheme in SCHEMES:
        upper, lower = f"{scheme.upper()}_PROXY", f"{scheme}_proxy"
        up, low = cfg.env.get(upper), cfg.env.get(lower)
        for name, value in ((upper, up), (lower, low)):
            # An empty variable is how people switch a proxy off: not an error.
            if value:
                variable = ProxySource(ProxySourceKind.VARIABLE, name)
                add(name, lint_proxy_url(value, source=variable, commands=commands))
        # urllib.request.getproxies_environment (POSIX): any case first, then
        # lower-case again, so it wins; an empty lower-case one removes the proxy.
        # On Windows os.environ ignores case, so both names hold the same value.
        if low:
            env_proxies[scheme] = (lower, low)
        elif up and low is None:
            env_proxies[scheme] = (upper, up)
        if up and low is not None and low != up:
            if not low:
                emptied.add(scheme)
                add(
                    lower,
                    [
                        Lint(
                            Status.WARNING,
                            f"is set but empty, which makes requests ignore {upper} "
                            f"({_Raw.split(up.strip()).display()}): conda connects "
                            f"without a proxy where {upper} would apply",
                            f"unset {lower} (or unset {upper} too if no proxy is wanted)",
                        )
                    ],
                )
            else:
                add(
                    upper,
                    [
                        Lint(
                            Status.WARNING,
                            f"differs from {lower}: requests (so conda) uses {lower} "
                            f"({_Raw.split(low.strip()).display()}) and ignores {upper} "
                            f"({_Raw.split(up.strip()).display()}); programs that read "
                            "the upper-case one first (Go programs) use the other",
                            f"unset {upper}, or set both to the same URL",
                        )
                    ],
                )

    configured = {k: v for k, v in cfg.proxy_servers.items() if k in SCHEMES and v}
    for key, url in configured.items():
        if key in env_proxies and env_proxies[key][1] != url:
            name, value = env_proxies[key]
            add(
                f"proxy_servers.{key}",
                [
                    Lint(
                        Status.WARNING,
                        f"is overridden by {name}: requests lets the environment win "
                        "over the session's proxies, so conda uses "
                        f"{_Raw.split(value.strip()).display()}, not "
                        f"{_Raw.split(url.strip()).display()} (except for hosts in "
                        "NO_PROXY)",
                        f"unset {name} (or set it to the same URL)",
                    )
                ],
            )

    covered = set(configured) | set(env_proxies)
    if "all" not in covered:
        setters = {
            "proxy_servers": {
                k: (f"proxy_servers.{k}", v) for k, v in configured.items()
            },
            "environment": env_proxies,
        }
        for where, schemes in setters.items():
            for present, missing in (("http", "https"), ("https", "http")):
                if present not in schemes or missing in covered | emptied:
                    continue
                check, url = schemes[present]
                if is_pac_url(url):  # copying it would spread the mistake
                    continue
                display = _Raw.split(url.strip()).display()
                if "://" not in display:  # suggest the URL in its working form
                    display = f"http://{display}"
                if where == "proxy_servers":
                    source = ProxySource(ProxySourceKind.SETTING, missing)
                else:
                    name = (
                        f"{missing.upper()}_PROXY"
                        if check.isupper()
                        else f"{missing}_proxy"
                    )
                    source = ProxySource(ProxySourceKind.VARIABLE, name)
                fix = _fixer(source, missing, commands)(display)
                effect = (
                    "conda downloads https:// channels (conda-forge, defaults: nearly "
                    "all repodata) directly, without the proxy"
                    if missing == "https"
                    else "conda fetches http:// URLs directly, without the proxy"
                )
                add(
                    check,
                    [
                        Lint(
                            Status.WARNING,
                            f"sets a proxy for {present} but none is set for {missing}: {effect}",
                            fix,
                        )
                    ],
                )
    return findings
