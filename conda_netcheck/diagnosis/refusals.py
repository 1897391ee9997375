"""What a server's refusal says: the reason in its body, Retry-After, and the fix for a 401/403.

config/credentials.py finds which credential conda sends; this module reads
the server's answer to it (a JSON reason, a Retry-After, the terms-of-service
refusal) and writes the fix with the run's commands, so a setting it changes
is changed where it is set.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..config.credentials import (
    ANACONDA_AUTH_HANDLER,
    PUBLIC_ANACONDA_ORG_CHANNELS,
    PUBLIC_HOSTS,
    Credential,
    CredentialKind,
    split_anaconda_token,
)
from ..redact import REDACTOR

if TYPE_CHECKING:
    from ..config.commands import Commands

REASON_LIMIT = 200
_TOS_RE = re.compile(r"terms[\s_-]*of[\s_-]*(?:service|use)|\btos\b", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\s]+")


# --- what the server said ------------------------------------------------------------


def server_reason(body: bytes, content_type: str) -> str | None:
    """The reason/message/detail of a JSON error body, one line, trimmed and redacted."""
    if not body:
        return None
    text = body[:65536].decode("utf-8", "replace")
    if "json" not in (content_type or "").lower() and not text.lstrip().startswith("{"):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # a body nested thousands deep
        return None
    value = _reason_value(document, 0)
    if not value:
        return None
    value = REDACTOR.text(_CONTROL_RE.sub(" ", value).strip())
    if len(value) > REASON_LIMIT:
        value = value[: REASON_LIMIT - 1].rstrip() + "…"
    return value or None


def _reason_value(document: Any, depth: int) -> str | None:
    if depth > 2:
        return None
    if isinstance(document, list):
        return _reason_value(document[0], depth + 1) if document else None
    if not isinstance(document, dict):
        return None
    for key in ("reason", "message", "detail", "error"):
        value = document.get(key)
        if isinstance(value, str) and value.strip() and key != "error":
            return value
        if isinstance(value, (dict, list)):
            found = _reason_value(value, depth + 1)
            if found:
                return found
    return None


def retry_after_seconds(retry_after: str | float | None) -> int | None:
    """Seconds to wait from a Retry-After value (seconds or an HTTP date)."""
    if retry_after is None:
        return None
    if isinstance(retry_after, (int, float)):
        return max(0, int(retry_after))
    value = str(retry_after).strip()
    if value.isdigit():
        return int(value)
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0, round((when - datetime.now(timezone.utc)).total_seconds()))


def tos_or_rate_fix(
    status: int,
    reason: str | None,
    retry_after: str | float | None,
    *,
    channel: str | None = None,
) -> str | None:
    """The fix for Anaconda's terms-of-service refusal or a 429, else None."""
    if reason and _TOS_RE.search(reason):
        where = REDACTOR.url(channel) if channel else "CHANNEL"
        return (
            "accept the channel's terms of service: conda tos accept "
            f"--override-channels --channel {where} (conda tos comes with the "
            "conda-anaconda-tos plugin)"
        )
    if status == 429:
        seconds = retry_after_seconds(retry_after)
        wait = f"wait {seconds} s" if seconds is not None else "wait a minute"
        return f"the server limits requests: {wait}, then try again"
    return None


# --- 401 and 403 ---------------------------------------------------------------------


def _channel_name(channel: str | None) -> str:
    if not channel:
        return ""
    if "://" not in channel:
        return channel.strip("/").split("/")[0]
    path = split_anaconda_token(urlsplit(channel).path)[0]
    return path.strip("/").split("/")[0] if path.strip("/") else ""


def _is_public(host: str, channel: str | None) -> bool:
    if host in PUBLIC_HOSTS:
        return True
    return (
        host == "conda.anaconda.org"
        and _channel_name(channel) in PUBLIC_ANACONDA_ORG_CHANNELS
    )


def _is_anaconda_org(host: str) -> bool:
    return host == "anaconda.org" or host.endswith(".anaconda.org")


def _is_anaconda_auth(host: str, credential: Credential | None = None) -> bool:
    if credential is not None and f"'{ANACONDA_AUTH_HANDLER}'" in credential.source:
        return True
    return host == "repo.anaconda.cloud"


def advice_for_status(
    status: int,
    host: str,
    credentials: list[Credential],
    body_reason: str | None,
    commands: Commands,
    *,
    channel: str | None = None,
) -> tuple[str, str]:
    """(summary suffix, fix) for an HTTP error, from what conda sent to host.

    The suffix says what was sent and quotes the server; the fix is one line.
    """
    sent = [c for c in credentials if c.sent and c.kind is not CredentialKind.NONE]
    said = f'; the server says: "{body_reason}"' if body_reason else ""
    special = tos_or_rate_fix(status, body_reason, None, channel=channel)
    if status not in (401, 403):
        return said, special or ""
    what = (
        "; sent: " + ", ".join(c.describe() for c in sent)
        if sent
        else "; no credential was sent"
    )
    if special:
        return what + said, special
    if not sent:
        return what + said, _add_credential_fix(host, credentials, commands)
    tokens = [
        c
        for c in sent
        if c.kind in (CredentialKind.URL_TOKEN, CredentialKind.ANACONDA_CLIENT_TOKEN)
    ]
    if tokens and _is_public(host, channel):
        name = _channel_name(channel) or host
        return (
            f"{what}{said}; {name} is public and rejects the token",
            _drop_token_fix(tokens, commands),
        )
    return what + said, _renew_fix(sent, host, status)


def _add_credential_fix(
    host: str, credentials: list[Credential], commands: Commands
) -> str:
    by_kind = {c.kind: c for c in credentials}
    netrc = by_kind.get(CredentialKind.NETRC)
    if netrc is not None and netrc.unparsable:
        at = f" at line {netrc.line}" if netrc.line else ""
        return (
            f"fix the syntax of {netrc.source}{at}: requests ignores the whole file "
            "while it cannot be parsed"
        )
    handler = by_kind.get(CredentialKind.AUTH_HANDLER)
    if handler is not None and handler.installed is False:
        if _is_anaconda_auth(host, handler):
            return (
                "install the auth handler, then your token: conda install "
                "anaconda-auth, then anaconda token install"
            )
        return f"install the conda plugin that provides the {handler.source}"
    if _is_anaconda_auth(host, handler):
        return "install your Anaconda token: anaconda token install"
    if _is_anaconda_org(host):
        token = by_kind.get(CredentialKind.ANACONDA_CLIENT_TOKEN)
        if token is not None and token.withheld_by == "add_anaconda_token":
            return "let conda add your anaconda.org token: " + commands.set(
                "add_anaconda_token", "true"
            )
        return (
            "log in so conda adds your token: anaconda login (keep add_anaconda_token "
            "true), or put a token into the channel URL: "
            "https://conda.anaconda.org/t/<TOKEN>/CHANNEL"
        )
    path = netrc.source if netrc is not None else "~/.netrc"
    return (
        f"add your login for {host} to {path}: machine {host} login USER "
        f"password <password> (then chmod 600 {path})"
    )


def _drop_token_fix(tokens: list[Credential], commands: Commands) -> str:
    fixes = []
    for credential in tokens:
        if credential.kind is CredentialKind.URL_TOKEN:
            fixes.append(
                "remove the /t/<TOKEN>/ segment from the channel URL "
                "(conda config --show-sources shows where it is set)"
            )
        else:
            fixes.append(
                "stop conda adding your anaconda.org token here: "
                f"{commands.set('add_anaconda_token', 'false')} (or anaconda "
                f"logout, which deletes {credential.source})"
            )
    return "; ".join(fixes)


def _renew_fix(sent: list[Credential], host: str, status: int) -> str:
    problem = (
        "it is wrong or expired, or may not read this channel"
        if status == 403
        else "it is wrong or expired"
    )
    fixes = []
    for credential in sent:
        if credential.kind is CredentialKind.URL_TOKEN:
            fixes.append(
                "replace the /t/<TOKEN>/ segment of the channel URL with a valid token "
                "(conda config --show-sources shows where it is set)"
            )
        elif credential.kind is CredentialKind.ANACONDA_CLIENT_TOKEN:
            fixes.append(f"anaconda login (renews {credential.source})")
        elif credential.kind is CredentialKind.AUTH_HANDLER:
            if _is_anaconda_auth(host, credential):
                fixes.append("anaconda token install")
            else:
                fixes.append(
                    f"renew the credential of the {credential.source} as its plugin "
                    "documents"
                )
        elif credential.kind is CredentialKind.NETRC:
            fixes.append(
                f"edit {credential.source}: correct the login and password for {host}"
            )
        elif credential.kind is CredentialKind.URL_USERINFO:
            fixes.append(
                "correct the user and password in the channel URL (percent-encode "
                "@ : / ? # % in the password), or move them to ~/.netrc"
            )
    return f"{problem}: renew it: " + "; ".join(fixes)
