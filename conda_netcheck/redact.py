"""The one place that strips secrets from anything conda-netcheck prints.

Everything that reaches a terminal, a JSON document or a log goes through a
`Redactor`: URL user info, Anaconda ``/t/<token>/`` path segments, secret-looking
query parameters, ``Authorization``-style header values, and literal secrets
registered at runtime (a proxy password, a netrc password) in the encodings
they tend to turn up in. Stdlib only, so importing it costs nothing.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "REDACTOR",
    "TOKEN_MASK",
    "RedactingFilter",
    "Redactor",
    "redact_exception",
    "redact_obj",
    "redact_text",
    "redact_traceback",
    "redact_url",
    "install_log_redaction",
]

REDACTED = "<redacted>"
#: conda's own mask for Anaconda tokens (conda.common.url.mask_anaconda_token).
TOKEN_MASK = "<TOKEN>"
#: Shorter literal secrets are not replaced in free text: "abc" would shred it.
MIN_SECRET_LENGTH = 4
#: A piece of a password split at a reserved character is hidden from this length.
MIN_PIECE_LENGTH = 8

# A scheme, then everything up to whitespace, a quote or an angle bracket: what
# ends a URL in logs, reprs and JSON. Our own masks may sit inside a URL (known
# secrets are replaced first), and the URL goes on after them. The lookbehind
# stops a match starting in the middle of a word: linear scan on long text.
_URL_RE = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://(?:[^\s'\"<>]|<redacted>|<TOKEN>)*"
)
# A scheme-relative URL ("//user:pass@host/chan", valid in a channel list).
_RELATIVE_URL_RE = re.compile(
    r"(?<![A-Za-z0-9+.\-:/])//(?:[^\s'\"<>]|<redacted>|<TOKEN>)+"
)
_RESERVED_RE = re.compile(r"[?#/@:\[\]]")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
# Punctuation that ends a sentence rather than a URL ("see http://h/x?sig=1.").
_TRAILING_PUNCTUATION = ".,;:!?)]}"
_AUTHORITY_END_RE = re.compile(r"[/?#]")
# What may follow the "@" that ends user info: a host (name, IPv4, [IPv6]),
# an optional port, then the end of the authority.
_HOSTPORT_RE = re.compile(
    r"(?:\[[^\]\s/?#@]*\]|[^\s/?#@\[\]:]*)(?::[^\s/?#@]*)?(?=[/?#]|$)"
)
# conda matches r"/t/([a-zA-Z0-9-]*)"; mamba also allows "_". Masking the whole
# path segment never leaves a tail of an odd token behind.
_ANACONDA_TOKEN_RE = re.compile(r"/t/[^/?#]+")
_CONDA_TOKEN_RE = re.compile(r"[a-zA-Z0-9-]*")  # conda.common.url's token class
_NOT_TOKEN_RE = re.compile(r"[^A-Za-z0-9_.~-]")
_PARAM_RE = re.compile(r"(?P<name>[^&;=#]+)=(?P<value>[^&;#]*)")
# Long runs of token characters with letters and digits: GitHub/GitLab tokens
# used as the user name (https://ghp_...:x-oauth-basic@github.com).
_TOKENISH_RE = re.compile(
    r"(?=[A-Za-z0-9_\-.~]*[0-9])(?=[A-Za-z0-9_\-.~]*[A-Za-z])[A-Za-z0-9_\-.~]{16,}"
)

_HEADER_RE = re.compile(
    r"(?P<name>\b(?:proxy-authorization|authorization|set-cookie|cookie"
    r"|x-api-key|x-auth-token|private-token|x-amz-security-token))"
    # "Name: v" in dumps; "'Name': 'v'" in reprs and JSON; "Name='v'" in kwargs.
    r"(?P<sep>['\"]?[ \t]*(?::|=(?=[ \t]*['\"]))[ \t]*)"
    r"(?P<quote>['\"])?"
    r"(?P<scheme>(?:basic|bearer|digest|negotiate|ntlm|token|aws4-hmac-sha256)[ \t]+)?"
    r"(?P<value>(?(quote)[^'\"\r\n]*|[^\r\n]*))",
    re.IGNORECASE,
)
# RFC 7235 token68: the credential form of Basic, Bearer, Negotiate and NTLM.
_TOKEN68_RE = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_TOKEN68_SCHEMES = frozenset({"basic", "bearer", "negotiate", "ntlm", "token"})
_SCHEME_PREFIX_RE = re.compile(
    r"(?:basic|bearer|digest|negotiate|ntlm|token|aws4-hmac-sha256)[ \t]+", re.I
)
_BEARER_RE = re.compile(
    r"\b(?P<scheme>Bearer[ \t]+)(?P<token>[A-Za-z0-9\-._~+/]{8,}=*)"
)
_BASIC_RE = re.compile(
    r"\b(?P<scheme>Basic[ \t]+)(?P<token>[A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])"
)

# Names (query parameters, dict keys) whose values are secrets, compared after
# lowercasing and turning "-" and "." into "_". Suffixes catch X-Amz-Signature,
# anaconda_token, proxy_password, accessToken and friends.
_SECRET_NAMES = frozenset({"auth", "pass", "pwd", "sig"})
_SECRET_SUFFIXES = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "apikey",
    "api_key",
    "signature",
    "credential",
    "credentials",
)


def _normalise_name(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _is_secret_key(name: str) -> bool:
    """Tell whether a dict key or header name holds a secret value."""
    name = _normalise_name(name)
    return name in _SECRET_NAMES or name.endswith(_SECRET_SUFFIXES)


def _is_secret_param(name: str) -> bool:
    """Tell whether a URL query parameter holds a secret value."""
    # "key" alone is ambiguous in our own JSON, but in a query it is an API key.
    name = unquote(name)
    return _is_secret_key(name) or _normalise_name(name).endswith("key")


def _looks_like_token(user: str) -> bool:
    return _TOKENISH_RE.fullmatch(user) is not None


# --- URLs -------------------------------------------------------------------


def _redact_userinfo(userinfo: str) -> str:
    if not userinfo:
        return userinfo
    user, colon, password = userinfo.partition(":")
    if not colon:
        # A lone user part is how tokens travel (https://TOKEN@host).
        return REDACTED
    if _looks_like_token(user):
        user = REDACTED
    # An empty password stays visible: it hides nothing and is often the bug.
    return f"{user}:{REDACTED if password else ''}"


def _redact_param(match: re.Match[str]) -> str:
    if _is_secret_param(match["name"]) and match["value"]:
        return f"{match['name']}={REDACTED}"
    return match.group()


def _redact_after_authority(rest: str) -> str:
    path, hash_, fragment = rest.partition("#")
    path, question, query = path.partition("?")
    if "/t/" in path:
        path = _ANACONDA_TOKEN_RE.sub("/t/" + TOKEN_MASK, path)
    if "=" in query:
        query = _PARAM_RE.sub(_redact_param, query)
    # OAuth implicit flows put access_token in the fragment.
    if "=" in fragment:
        fragment = _PARAM_RE.sub(_redact_param, fragment)
    return path + question + query + hash_ + fragment


def _userinfo_end(body: str) -> int:
    """Index of the "@" that ends the user info, or -1; parsing-independent.

    The user info runs from ``//`` to the LAST "@" that is followed by a
    host[:port]: an unencoded "@", "?", "#" or "/" in a password (which makes
    the URL unparseable) still belongs to the user info. A path with an "@"
    in it may lose a piece to the mask: hiding too much is the safe side.
    """
    at = body.rfind("@")
    while at >= 0:
        if _HOSTPORT_RE.match(body, at + 1) and _can_be_userinfo(body[:at]):
            return at
        at = body.rfind("@", 0, at)
    return -1


def _can_be_userinfo(text: str) -> bool:
    # A "/" ends the authority unless what precedes it is "user:pass" (not
    # "host:port"): https://host/pkg@1.0 keeps its host visible.
    first, slash, _ = text.partition("/")
    if not slash:
        return True
    _, colon, after = first.partition(":")
    return bool(colon) and not after.isdigit()


def misread_authority(url: str) -> str | None:
    """What urllib and urllib3 read as the authority when it ends inside the user info.

    An unencoded "/", "?" or "#" in a password ends the authority for every
    parser, so it takes a piece of the password for the host (and connects
    there). None when the parsers and the user info agree.
    """
    sep = url.find("://")
    if sep > 0 and _SCHEME_RE.fullmatch(url, 0, sep):
        body = url[sep + 3 :]
    else:
        body = url[2:] if url.startswith("//") else url
    at = _userinfo_end(body)
    if at < 0:
        return None
    end = _AUTHORITY_END_RE.search(body, 0, at)
    return body[: end.start()] if end else None


def _misread_pieces(authority: str) -> set[str]:
    """The misread authority, its user info and host: all of them pieces of a secret."""
    userinfo, _, hostport = authority.rpartition("@")
    # "alice:Pa" of "alice:Pa/ss@proxy" is read as host "alice", port "Pa":
    # the port is the piece of the password urllib quotes ("could not be cast").
    host, colon, port = hostport.rpartition(":")
    if not colon:
        host = hostport
    user, _, password = userinfo.partition(":")
    return {authority, hostport, host, port, userinfo, password, user}


def _split_authority(body: str) -> tuple[str, str]:
    at = _userinfo_end(body)
    end = _AUTHORITY_END_RE.search(body, at + 1)
    return (body[: end.start()], body[end.start() :]) if end else (body, "")


def _redact_body(body: str) -> str:
    """Redact what follows ``scheme://``: authority, path, query, fragment."""
    authority, rest = _split_authority(body)
    userinfo, at, hostport = authority.rpartition("@")
    if at:
        authority = f"{_redact_userinfo(userinfo)}@{hostport}"
    return authority + _redact_after_authority(rest) if rest else authority


def _redact_url_structure(url: str) -> str:
    sep = url.find("://")
    if sep > 0 and _SCHEME_RE.fullmatch(url, 0, sep):
        return url[: sep + 3] + _redact_body(url[sep + 3 :])
    if url.startswith("//"):
        return "//" + _redact_body(url[2:])
    # Scheme-less forms such as a proxy given as "user:pass@proxy:3128".
    return _redact_body(url)


def _redact_url_match(match: re.Match[str]) -> str:
    url = match.group()
    core = url.rstrip(_TRAILING_PUNCTUATION)
    return _redact_url_structure(core) + url[len(core) :]


# --- headers ----------------------------------------------------------------


def _redact_header(match: re.Match[str]) -> str:
    value = match["value"]
    if not value.strip() or value.startswith(REDACTED):
        return match.group()
    scheme = match["scheme"] or ""
    quote_ = match["quote"] or ""
    tail = ""
    if not quote_ and scheme.strip().lower() in _TOKEN68_SCHEMES:
        # Unquoted "Authorization: Bearer abc (expired)": keep what follows.
        token = _TOKEN68_RE.match(value)
        if token and value[token.end() : token.end() + 1] in ("", " ", "\t"):
            tail = value[token.end() :]
    return f"{match['name']}{match['sep']}{quote_}{scheme}{REDACTED}{tail}"


def _redact_bearer(match: re.Match[str]) -> str:
    token = match["token"]
    # Prose says "Bearer authentication"; real tokens carry digits or punctuation.
    if any(c.isdigit() or c in "-._~+/=" for c in token):
        return match["scheme"] + REDACTED
    return match.group()


def _redact_basic(match: re.Match[str]) -> str:
    try:
        decoded = base64.b64decode(match["token"], validate=True)
    except (binascii.Error, ValueError):
        return match.group()
    return match["scheme"] + REDACTED if b":" in decoded else match.group()


# --- literal secrets ----------------------------------------------------------


def _variants(secret: str) -> set[str]:
    """Return the forms a secret takes in URLs, reprs and JSON."""
    forms = {secret, unquote(secret)}
    for form in list(forms):
        for encoded in (quote(form, safe=""), quote(form), quote_plus(form)):
            forms.add(encoded)
            # quote() writes %4A; hand-written URLs often use %4a.
            forms.add(re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded))
        # A backslash (DOMAIN\user passwords) is doubled by repr() and JSON.
        forms.add(form.replace("\\", "\\\\").replace('"', '\\"'))
        forms.add(repr(form)[1:-1])
        # A piece that a parser takes for a host is printed IDNA-encoded.
        forms.update(_idna_forms(form))
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _idna_forms(text: str) -> set[str]:
    """The ASCII forms of text as a host name, whole and label by label."""
    if text.isascii():
        return set()
    forms = set()
    for name in {text, *text.split(".")}:
        for encode in _IDNA_ENCODERS:
            try:
                forms.add(encode(name.lower()))
            except (UnicodeError, ValueError, ImportError):  # quoted as written
                continue
    return forms


def _idna2003(name: str) -> str:
    return name.encode("idna").decode("ascii")


def _idna2008(name: str) -> str:
    # What urllib3 (and so requests and conda) uses when the package is there.
    import idna

    return idna.encode(name, strict=True, std3_rules=True).decode("ascii")


_IDNA_ENCODERS = (_idna2003, _idna2008)


def _basic_forms(username: str, password: str) -> set[str]:
    """Return ``base64(user:pass)`` as Basic auth headers carry it."""
    forms = set()
    for user in {username, unquote(username)}:
        for pw in {password, unquote(password)}:
            pair = f"{user}:{pw}"
            for encoding in ("utf-8", "latin-1"):  # requests sends latin-1 if it can
                try:
                    raw = pair.encode(encoding)
                except UnicodeEncodeError:
                    continue
                b64 = base64.b64encode(raw).decode("ascii")
                forms.update({b64, b64.rstrip("=")})
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


@lru_cache(maxsize=32)
def _literal_pattern(secrets: frozenset[str]) -> re.Pattern[str] | None:
    if not secrets:
        return None
    # Longest first: alternation takes the first branch that matches, and a
    # shorter variant must not leave the tail of a longer one behind. Any case:
    # a piece of a password that a parser took for a host comes out lowercased.
    ordered = sorted(secrets, key=lambda s: (-len(s), s))
    return re.compile("|".join(map(re.escape, ordered)), re.IGNORECASE)


class Redactor:
    """Known secrets plus the rules that strip them from text, URLs and JSON."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # One attribute, swapped whole, so readers never need the lock.
        self._state: tuple[frozenset[str], re.Pattern[str] | None] = (frozenset(), None)

    def _register(self, forms: Iterable[str]) -> None:
        with self._lock:
            secrets = self._state[0].union(forms)
            if secrets != self._state[0]:
                self._state = (secrets, _literal_pattern(secrets))

    def add(self, secret: str | None) -> None:
        """Register a secret value, with its percent-encoded and decoded forms."""
        if secret:
            self._register(_variants(secret))

    def add_credentials(self, username: str | None, password: str | None) -> None:
        """Register a password and the Basic auth ``base64(user:pass)`` it yields."""
        if not password:
            return
        forms = _variants(password) | _basic_forms(username or "", password)
        if username and _looks_like_token(username):
            forms |= _variants(username)
        self._register(forms)

    def add_url_credentials(self, url: str | None) -> None:
        """Register the password, user-info token, /t/ token and secret query values of a URL."""
        if not url:
            return
        sep = url.find("://")
        authority, rest = _split_authority(url[sep + 3 :] if sep > 0 else url)
        userinfo, at, hostport = authority.rpartition("@")
        if at and userinfo:
            user, colon, password = userinfo.partition(":")
            if colon:
                self.add_credentials(user, password)
                if password and sep <= 0:
                    # Without a scheme the URL is shown as written (structural
                    # redaction needs "://"): a password too short to be
                    # replaced alone ("bob:pw@proxy") is replaced with its user.
                    self.add(
                        userinfo
                        if len(userinfo) >= MIN_SECRET_LENGTH
                        else f"{userinfo}@"
                    )
            else:
                self.add(user)
            # A parser that stops at an unencoded reserved character quotes a
            # piece of the password alone ("Port could not be cast ... 'piece'").
            for piece in _RESERVED_RE.split(password if colon else user):
                if len(piece) >= MIN_PIECE_LENGTH:  # "http" must stay readable
                    self.add(piece)
        # A parser that ends the authority at a "/", "?" or "#" inside the
        # password takes a piece of it for the host (lowercased, IDNA-encoded
        # as it prints it) and quotes that piece in its errors.
        misread = misread_authority(url)
        if misread is not None:
            # Only pieces of the password (or of a lone user part, a token):
            # a user name read as the host ("https://http:ab/cd@h") is no secret.
            secret = (password if colon else user).lower() if at and userinfo else ""
            for piece in _misread_pieces(misread):
                if piece and piece.lower() in secret:
                    self.add(piece)
        # A "port" that is a token (https://host:TOKEN/) is quoted alone in
        # urllib's "Port could not be cast" error.
        port = (hostport if at else authority).rpartition("]")[2].rpartition(":")[2]
        if port and not port.isdigit() and _looks_like_token(port):
            self.add(port)
        rest = rest.partition("#")[0]
        path, _, query = rest.partition("?")
        for token in _ANACONDA_TOKEN_RE.finditer(path):
            self._add_token(token.group()[3:])
        for param in _PARAM_RE.finditer(query):
            if _is_secret_param(param["name"]):
                self.add(param["value"])

    def _add_token(self, token: str) -> None:
        """A /t/ token, and the pieces of it that conda's token pattern leaves behind."""
        self.add(token)
        # conda strips "/t/" plus [A-Za-z0-9-]*: the rest of an odd token stays
        # in the URL, where it reads as part of the host or port in errors.
        kept = _CONDA_TOKEN_RE.match(token)
        tail = token[kept.end() :] if kept else token
        if tail and tail != token:
            self.add(tail)
            self.add(tail[1:])
        for piece in _NOT_TOKEN_RE.split(token):
            if len(piece) >= MIN_PIECE_LENGTH:
                self.add(piece)

    def clear(self) -> None:
        """Forget every registered secret."""
        with self._lock:
            self._state = (frozenset(), None)

    @property
    def secrets(self) -> frozenset[str]:
        """The registered secrets in every form that gets replaced."""
        return self._state[0]

    def url(self, url: str) -> str:
        """Return ``url`` with credentials, tokens and secret parameters redacted."""
        return _redact_url_structure(self._literals(url, ()))

    def text(self, text: str, secrets: Iterable[str] = ()) -> str:
        """Return ``text`` with URLs, auth headers and known secrets redacted."""
        # Known secrets first: the structural rules below could split one
        # (a "/" in a password ends the URL authority) and leave a piece behind.
        text = self._literals(text, secrets)
        if "://" in text:
            text = _URL_RE.sub(_redact_url_match, text)
        if "//" in text:
            text = _RELATIVE_URL_RE.sub(_redact_url_match, text)
        text = _HEADER_RE.sub(_redact_header, text)
        if "earer" in text:
            text = _BEARER_RE.sub(_redact_bearer, text)
        if "asic" in text:
            text = _BASIC_RE.sub(_redact_basic, text)
        return text

    def _literals(self, text: str, extra: Iterable[str]) -> str:
        known, pattern = self._state
        extra_forms = set().union(*map(_variants, filter(None, extra)))
        if extra_forms - known:
            pattern = _literal_pattern(known | extra_forms)
        return pattern.sub(REDACTED, text) if pattern else text

    def obj(self, obj: Any) -> Any:
        """Return a redacted copy of a JSON-like document (dicts, lists, strings)."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, Mapping):
            return {
                self.obj(key): self._value(key, value) for key, value in obj.items()
            }
        if isinstance(obj, list):
            return [self.obj(item) for item in obj]
        if isinstance(obj, tuple):
            items = [self.obj(item) for item in obj]
            return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
        if isinstance(obj, (set, frozenset)):
            return type(obj)(self.obj(item) for item in obj)
        return obj

    def _value(self, key: Any, value: Any) -> Any:
        if (
            isinstance(key, str)
            and isinstance(value, str)
            and value
            and _is_secret_key(key)
        ):
            # {"Authorization": "Basic abc"} keeps the scheme: it helps diagnosis.
            scheme = _SCHEME_PREFIX_RE.match(value)
            return (scheme.group() if scheme else "") + REDACTED
        return self.obj(value)


#: The process-wide registry: probes register secrets, renderers redact.
REDACTOR = Redactor()


def redact_url(url: str) -> str:
    """Return ``url`` redacted with the default `REDACTOR`."""
    return REDACTOR.url(url)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` redacted with the default `REDACTOR` plus ``secrets``."""
    return REDACTOR.text(text, secrets)


def redact_obj(obj: Any) -> Any:
    """Return a redacted copy of a JSON-like document using the default `REDACTOR`."""
    return REDACTOR.obj(obj)


def redact_exception(exc: BaseException) -> str:
    """Return ``"Type: message"`` for an exception, redacted."""
    try:
        message = str(exc)
    except Exception:  # a broken __str__ must not hide the original error
        message = "<unprintable>"
    name = type(exc).__name__
    return REDACTOR.text(f"{name}: {message}" if message else name)


def redact_traceback(exc: BaseException) -> str:
    """Return the full formatted traceback of ``exc``, redacted."""
    import traceback

    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return REDACTOR.text("".join(lines))


class RedactingFilter(logging.Filter):
    """Logging filter that redacts each record's message and traceback in place."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or REDACTOR

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` and let it through."""
        try:
            message = record.getMessage()
        except Exception:  # leave bad format args for logging to report
            return True
        record.msg, record.args = self.redactor.text(message), None
        # Formatter.format() reuses a pre-set exc_text instead of re-formatting,
        # and a handler without this filter may have set it already.
        if record.exc_text:
            record.exc_text = self.redactor.text(record.exc_text)
        elif record.exc_info:
            record.exc_text = self.redactor.text(
                logging.Formatter().formatException(record.exc_info)
            )
        if record.stack_info:
            record.stack_info = self.redactor.text(record.stack_info)
        return True


def install_log_redaction(redactor: Redactor | None = None) -> None:
    """Put a `RedactingFilter` on every logging handler there is (conda's, urllib3's).

    A filter on a handler sees every record that reaches it, propagated or
    not: urllib3's retry warnings and conda's debug lines quote URLs.
    """
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {id(h): h for logger in loggers for h in getattr(logger, "handlers", ())}
    if logging.lastResort is not None:
        handlers[id(logging.lastResort)] = logging.lastResort
    for handler in handlers.values():
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
