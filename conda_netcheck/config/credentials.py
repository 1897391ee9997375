"""Which credential conda would send to a URL, named by its source and never by value.

conda 26 sends credentials in one of two ways, chosen per URL by ``get_session``:

- a ``channel_settings`` entry with ``auth: NAME`` whose handler plugin resolves
  replaces conda's default auth: the handler alone decides what is sent (a
  ``/t/<token>/`` already in the URL still travels, as part of the path);
- otherwise ``CondaHttpAuth`` applies: an anaconda-client token is put into the
  URL when it has none and ``add_anaconda_token`` is true, then user info from
  the URL, or failing that the ``.netrc`` entry requests finds, becomes Basic auth.

`url_credentials`, `netrc_credential` and `anaconda_client_token` need no
conda; `credentials_for` is the conda adapter. Every secret read on the way is
registered with `REDACTOR`, and none is ever put into the returned text.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, unquote_plus, urlsplit

from ..redact import REDACTOR
from ..safefiles import MAX_SMALL_FILE_BYTES, UnsafePath, path_problem, read_text
from .locations import binstar_token_dir, netrc_path

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "Credential",
    "CredentialKind",
    "anaconda_auth_token_state",
    "anaconda_client_token",
    "binstar_token_dir",
    "credentials_for",
    "netrc_credential",
    "netrc_path",
    "url_credentials",
]


class CredentialKind(str, Enum):
    """Where a credential conda may send comes from."""

    URL_TOKEN = "url-token"  # /t/<TOKEN>/ in the channel URL
    ANACONDA_CLIENT_TOKEN = "anaconda-client-token"  # `anaconda login`'s token file
    AUTH_HANDLER = "auth-handler"  # an auth handler plugin from channel_settings
    NETRC = "netrc"  # a .netrc entry, sent by requests
    URL_USERINFO = "url-userinfo"  # user:password@ in the channel URL
    NONE = "none"  # nothing is sent


#: requests' order when NETRC is unset (requests.utils.NETRC_FILES).
#: conda.common.url.split_anaconda_token's pattern, kept identical on purpose.
_CONDA_TOKEN_RE = re.compile(r"/t/([a-zA-Z0-9-]*)")
#: Hosts anaconda-auth serves; the keyring domain its handler looks tokens up in
#: (anaconda_auth._conda.config.TOKEN_DOMAIN_MAP, used when importable).
ANACONDA_AUTH_DOMAINS = {
    "repo.anaconda.cloud": "anaconda.com",
    "repo.anaconda.com": "anaconda.com",
    "repo.continuum.io": "anaconda.com",
}
ANACONDA_AUTH_HANDLER = "anaconda-auth"
#: Channels anyone may read; a token sent to them only gets rejected.
PUBLIC_HOSTS = frozenset({"repo.anaconda.com", "repo.continuum.io"})
PUBLIC_ANACONDA_ORG_CHANNELS = frozenset({"conda-forge", "bioconda"})


@dataclass
class Credential:
    """One credential conda would send (or would skip, when ``sent`` is false)."""

    kind: CredentialKind
    source: str  # where it comes from: a file, "the channel URL", a setting
    detail: str = ""
    warnings: list[str] = field(default_factory=list)
    sent: bool = True  # False: found, but conda does not send it (detail says why)
    withheld_by: str | None = None  # the setting that keeps it from being sent
    #: a .netrc that requests cannot parse (and so ignores whole), and its line
    unparsable: bool = False
    line: int | None = None
    #: an auth handler: False when no installed plugin provides it, None unknown
    installed: bool | None = None

    def __post_init__(self) -> None:
        if self.kind is CredentialKind.NONE:
            self.sent = False

    def describe(self) -> str:
        """A short phrase for a summary line, without any secret."""
        phrases = {
            CredentialKind.URL_TOKEN: "a /t/<TOKEN>/ token in the channel URL",
            CredentialKind.ANACONDA_CLIENT_TOKEN: "the anaconda-client token in "
            f"{self.source}",
            CredentialKind.AUTH_HANDLER: f"the {self.source}",
            CredentialKind.NETRC: f"the .netrc entry in {self.source}",
            CredentialKind.URL_USERINFO: "the user and password in the channel URL",
        }
        phrase = phrases.get(self.kind, "no credential")
        if self.kind is not CredentialKind.NONE and not self.sent:
            why = self.detail or "; ".join(self.warnings) or "not used"
            phrase = f"{phrase} (not sent: {why})"
        return phrase


# --- the URL itself --------------------------------------------------------------


def split_anaconda_token(url: str) -> tuple[str, str | None]:
    """The URL without its ``/t/<token>`` segment, and the token (as conda splits it)."""
    match = _CONDA_TOKEN_RE.search(url)
    token = match.group(1) if match else None
    clean = url.replace("/t/" + token, "", 1) if token is not None else url
    return clean.rstrip("/"), token


def url_credentials(url: str) -> list[Credential]:
    """The ``/t/<token>/`` segment and the user info a URL carries itself."""
    REDACTOR.add_url_credentials(url)
    found: list[Credential] = []
    _, token = split_anaconda_token(url)
    if token:
        found.append(
            Credential(
                CredentialKind.URL_TOKEN,
                "the channel URL",
                "a /t/<TOKEN>/ segment: conda sends it in the path of every request",
            )
        )
    user, password = _userinfo(url)
    if user or password:
        REDACTOR.add_credentials(user, password)
        shown = REDACTOR.text(user) if user else "(empty)"
        detail = (
            f"user {shown} with a password (Basic auth)"
            if password
            else f"user {shown} without a password (Basic auth)"
        )
        found.append(
            Credential(
                CredentialKind.URL_USERINFO,
                "the channel URL",
                detail,
                warnings=[
                    "credentials written into a channel URL end up in logs and "
                    "exported environments: prefer a ~/.netrc entry"
                ],
            )
        )
    return found


def _userinfo(url: str) -> tuple[str, str]:
    """(user, password) as requests.utils.get_auth_from_url reads them."""
    try:
        parts = urlsplit(url)
        return unquote(parts.username or ""), unquote(parts.password or "")
    except ValueError:
        return "", ""


# --- .netrc ------------------------------------------------------------------------


def netrc_credential(
    url: str, env: Mapping[str, str] = os.environ
) -> Credential | None:
    """The .netrc entry requests would use for url; None when there is no .netrc file.

    A file that exists but gives nothing for this host (no entry, unreadable,
    unparsable) comes back with ``sent=False`` and the reason.
    """
    path = netrc_path(env)
    if path is None:
        return None
    warnings = _mode_warnings(path)
    where = " (named by NETRC)" if env.get("NETRC") is not None else ""
    parsed = _read_netrc(path, where, warnings)
    if isinstance(parsed, Credential):
        return parsed
    return _netrc_entry(parsed, _hostname(url), path, where, warnings)


def _unsent_netrc(path: str, why: str, warnings: list[str], **kw: Any) -> Credential:
    return Credential(CredentialKind.NETRC, path, why, warnings, sent=False, **kw)


def _read_netrc(path: str, where: str, warnings: list[str]) -> Any:
    """The parsed file, or the unsent credential that says why it gives nothing."""
    import netrc

    unsafe = path_problem(path, MAX_SMALL_FILE_BYTES)
    if unsafe:
        why = f"{unsafe}{where}: netcheck does not read it (requests would try)"
        return _unsent_netrc(path, why, warnings)
    try:
        parsed = netrc.netrc(path)
    except netrc.NetrcParseError as exc:
        # The message can quote a token of the file: give the line number only.
        why = (
            f"cannot be parsed (line {exc.lineno}){where}: requests ignores the "
            "whole file, so nothing in it is sent"
        )
        return _unsent_netrc(path, why, warnings, unparsable=True, line=exc.lineno)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or (
            "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "unreadable"
        )
        why = f"cannot be read ({reason}){where}: nothing in it is sent"
        return _unsent_netrc(path, why, warnings)
    for login, account, password in parsed.hosts.values():
        REDACTOR.add_credentials(login or account, password)
    return parsed


def _netrc_entry(
    parsed: Any, host: str, path: str, where: str, warnings: list[str]
) -> Credential:
    """The entry requests picks for host: its login and what to watch out for."""
    entry = parsed.authenticators(host) if host else None
    # requests: any(entry), then the login (or the account) and the password.
    if not entry or not any(entry):
        why = f"has no 'machine {host}' entry and no 'default' entry{where}"
        return _unsent_netrc(path, why, warnings)
    login, account, password = entry
    user = login or account or ""
    which = f"machine {host}" if host in parsed.hosts else "default"
    shown = REDACTOR.text(user) if user else "(empty)"
    detail = f"the '{which}' entry, login {shown}{where} (Basic auth)"
    if which == "default":
        warnings.append(
            "a 'default' entry sends its login and password to every host without "
            f"a 'machine' entry of its own, {host} included"
        )
    if not password:
        warnings.append(f"the '{which}' entry has no password: an empty one is sent")
    return Credential(CredentialKind.NETRC, path, detail, warnings)


def _hostname(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


def _mode_warnings(path: str) -> list[str]:
    if os.name == "nt":
        return []
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return []
    if mode & 0o077:
        return [
            f"{path} is open to group or others (mode {mode:04o}): chmod 600 {path}"
        ]
    return []


# --- anaconda-client tokens ----------------------------------------------------------


def _replace_first_api_with_conda(url: str) -> str:
    return re.sub(r"([./])api([./]|$)", r"\1conda\2", url, count=1)


def _token_files(token_dir: str) -> dict[str, str]:
    """URL prefix -> token file, in the order conda's read_binstar_tokens builds it.

    File names only: the tokens themselves are not read here.
    """
    files: dict[str, str] = {}
    try:
        entries = list(os.scandir(token_dir))
    except OSError:
        return files
    for entry in entries:
        if entry.name[-6:] != ".token":
            continue
        prefix = re.sub(r"\.token$", "", unquote_plus(entry.name))
        # Same chained assignment as conda: the api->conda key comes second.
        files[prefix] = files[_replace_first_api_with_conda(prefix)] = entry.path
    return files


def unreadable_token_files(token_dir: str | None = None) -> list[tuple[str, str]]:
    """Token files conda cannot read, as (path, what it is).

    conda reads every ``*.token`` file of the directory on every request it
    authenticates: one FIFO blocks it, ``/dev/zero`` eats its memory, a
    non-UTF-8 file raises.
    """
    found = []
    for path in sorted(set(_token_files(token_dir or binstar_token_dir()).values())):
        try:
            read_text(path)
        except UnsafePath as exc:
            found.append((path, exc.what))
    return found


def anaconda_client_token(
    url: str, add_anaconda_token: bool = True, token_dir: str | None = None
) -> Credential | None:
    """The `anaconda login` token conda would put into url, named by its file.

    conda (CondaHttpAuth.add_binstar_token) injects one only when the URL has no
    token of its own, add_anaconda_token is true, and a token file's URL is a
    prefix of the URL; the first such file wins.
    """
    clean_url, token = split_anaconda_token(url)
    if token:
        return None
    directory = token_dir or binstar_token_dir()
    for prefix, path in _token_files(directory).items():
        if not clean_url.startswith(prefix):
            continue
        detail = f"from `anaconda login` for {REDACTOR.url(prefix)}"
        if not add_anaconda_token:
            return Credential(
                CredentialKind.ANACONDA_CLIENT_TOKEN,
                path,
                f"{detail}; not sent: add_anaconda_token is false",
                sent=False,
                withheld_by="add_anaconda_token",
            )
        try:
            value = read_text(path)
        except UnsafePath as exc:
            return Credential(
                CredentialKind.ANACONDA_CLIENT_TOKEN,
                path,
                f"{detail}; the file {exc.what}: conda fails reading it",
                sent=False,
            )
        REDACTOR.add(value)
        if not value:
            return Credential(
                CredentialKind.ANACONDA_CLIENT_TOKEN,
                path,
                f"{detail}; the file is empty, so conda adds nothing",
                sent=False,
            )
        return Credential(
            CredentialKind.ANACONDA_CLIENT_TOKEN,
            path,
            f"{detail}; conda puts it into the URL as /t/<TOKEN>/ "
            "(add_anaconda_token is true)",
        )
    return None


# --- auth handlers -----------------------------------------------------------------


def _token_domain(host: str) -> str:
    try:
        from anaconda_auth._conda.config import TOKEN_DOMAIN_MAP

        if host in TOKEN_DOMAIN_MAP:
            return TOKEN_DOMAIN_MAP[host].token_domain
    except Exception:  # not installed, or its private layout changed
        pass
    return ANACONDA_AUTH_DOMAINS.get(host, host)


def anaconda_auth_token_state(host: str) -> tuple[str, str]:
    """("present" | "absent" | "unknown", where) for anaconda-auth's token for host.

    The keyring through anaconda_auth's public TokenInfo.load, then the
    conda-token files its handler falls back to (by name and size, unread).
    """
    try:
        from anaconda_auth.exceptions import TokenNotFoundError
        from anaconda_auth.token import TokenInfo
    except Exception:
        return "unknown", "anaconda_auth is not importable here"
    domain = _token_domain(host)
    try:
        from anaconda_auth.token import MIGRATIONS as migrations
    except Exception:
        migrations = {}
    if domain in migrations:
        # TokenInfo.load would migrate (rewrite) this keyring entry: stay read-only.
        return "unknown", f"reading the keyring entry for {domain} would rewrite it"
    try:
        info = TokenInfo.load(domain)
    except TokenNotFoundError:
        info = None
    except Exception as exc:
        return "unknown", f"the keyring could not be read ({type(exc).__name__})"
    if info is not None:
        secrets = [info.api_key, *(t.token for t in (info.repo_tokens or []))]
        for secret in secrets:
            REDACTOR.add(secret)
        if any(secrets):
            return "present", f"in the anaconda-auth keyring for {domain}"
    for prefix, path in _token_files(binstar_token_dir()).items():
        if _hostname(prefix) == host and _non_empty(path):
            return "present", f"in the conda-token file {path}"
    return "absent", (
        f"no token for {domain} in the anaconda-auth keyring and no conda-token "
        f"file for {host}"
    )


def _non_empty(path: str) -> bool:
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _matching_channel_settings(url: str, context: Any) -> dict | None:
    """The channel_settings entry conda's get_session picks for url (the last match)."""
    from fnmatch import fnmatch

    from conda.common.url import urlparse
    from conda.models.channel import Channel

    channel_name = Channel.from_url(url).canonical_name
    if channel_name is None:
        return None
    chosen = None
    parsed_url = urlparse(url)
    for settings in context.channel_settings:
        channel = settings.get("channel", "")
        if channel == channel_name:
            chosen = settings
            continue
        parsed_setting = urlparse(channel)
        # conda requires the same scheme (no downgrade; "*" alone never matches).
        if parsed_setting.scheme != parsed_url.scheme:
            continue
        candidate = (parsed_url.netloc or "") + (parsed_url.path or "")
        pattern = (parsed_setting.netloc or "") + (parsed_setting.path or "")
        if fnmatch(candidate, pattern):
            chosen = settings
    return chosen


def _auth_handler_credential(url: str, context: Any) -> Credential | None:
    settings = _matching_channel_settings(url, context)
    if not settings:
        return None
    name = str(settings.get("auth", "") or "").strip()
    if not name:
        return None
    pattern = REDACTOR.url(str(settings.get("channel", "")))
    source = f"auth handler '{name}' (channel_settings: channel {pattern})"
    try:
        handler = context.plugin_manager.get_auth_handler(name)
    except Exception as exc:
        return Credential(
            CredentialKind.AUTH_HANDLER,
            source,
            f"whether it is installed is unknown: conda's plugins failed to load "
            f"({type(exc).__name__})",
        )
    if handler is None:
        return Credential(
            CredentialKind.AUTH_HANDLER,
            source,
            f"no installed plugin provides the auth handler '{name}': conda silently "
            "falls back to its default auth (anaconda-client token, URL user info, "
            ".netrc)",
            warnings=[
                f"install the plugin that provides '{name}'"
                + (
                    " (conda install anaconda-auth)"
                    if name == ANACONDA_AUTH_HANDLER
                    else ""
                )
            ],
            sent=False,
            installed=False,
        )
    origin = f"{handler.__module__}.{handler.__qualname__}"
    detail = f"installed and resolvable ({origin}); it decides what is sent"
    if name == ANACONDA_AUTH_HANDLER or handler.__module__.startswith("anaconda_auth"):
        state, where = anaconda_auth_token_state(_hostname(url))
        detail = f"installed and resolvable ({origin}); token {state}: {where}"
        if state == "absent":
            return Credential(
                CredentialKind.AUTH_HANDLER, source, detail, sent=False, installed=True
            )
    return Credential(CredentialKind.AUTH_HANDLER, source, detail, installed=True)


# --- the conda adapter ---------------------------------------------------------------


def credentials_for(url: str) -> list[Credential]:
    """What conda would send to url, by source; a "none" entry first when nothing is."""
    from conda.base.context import context

    host = _hostname(url)
    found = url_credentials(url)
    handler = _auth_handler_credential(url, context)
    handler_active = handler is not None and handler.installed is not False
    if handler is not None:
        found.append(handler)
    replaced = (
        f"not sent: the auth handler from channel_settings replaces conda's "
        f"default auth for {host}"
    )
    userinfo = next((c for c in found if c.kind is CredentialKind.URL_USERINFO), None)
    if userinfo is not None and handler_active:
        userinfo.sent = False
        userinfo.warnings.append(replaced)
    token = anaconda_client_token(url, bool(context.add_anaconda_token))
    if token is not None:
        if handler_active and token.sent:
            token.sent = False
            token.warnings.append(replaced)
        found.append(token)
    netrc = netrc_credential(url)
    if netrc is not None:
        if handler_active and netrc.sent:
            netrc.sent = False
            netrc.warnings.append(replaced)
        elif userinfo is not None and netrc.sent:
            netrc.sent = False
            netrc.warnings.append("not sent: the user info in the URL comes first")
        found.append(netrc)
    elif os.environ.get("NETRC"):
        found.append(
            Credential(
                CredentialKind.NETRC,
                os.environ["NETRC"],
                "named by NETRC but does not exist: requests then reads no .netrc "
                "at all (not ~/.netrc either)",
                sent=False,
            )
        )
    if not any(c.sent for c in found):
        found.insert(
            0,
            Credential(CredentialKind.NONE, "", f"conda sends no credential to {host}"),
        )
    return found
