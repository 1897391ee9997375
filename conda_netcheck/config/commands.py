"""Change this setting where it is set: `conda config` lines and shell variable lines.

conda reads several files and the environment, and the last source wins: a
key in `$CONDA_PREFIX/.condarc` or `$CONDARC` beats `~/.condarc`, where a bare
`conda config --set` writes. A fix is only true when it edits the source that
wins, so every command names that file (`--file`), or is a line for the
user's shell when an environment variable sets the key. Each line carries the
`Edit` it makes (fixtext.Line), built here with its text.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..urls import host_port
from .sources import (
    DEFAULT_SOURCE,
    ProxySource,
    ProxySourceKind,
    SettingSource,
    SettingSourceKind,
)

# The lines' edits (fixtext) load when a fix is written: a healthy run writes none.
if TYPE_CHECKING:
    from ..fixtext import Line
    from .netconfig import NetConfig


class Shell(str, Enum):
    """The shells whose variable syntax the fixes are written in."""

    POSIX = "posix"
    FISH = "fish"
    POWERSHELL = "powershell"
    CMD = "cmd"


def current_shell() -> Shell:
    """The user's shell, from $SHELL (POSIX) or PSModulePath (Windows)."""
    if sys.platform == "win32":
        return Shell.POWERSHELL if os.environ.get("PSModulePath") else Shell.CMD
    name = os.path.basename(os.environ.get("SHELL", ""))
    return Shell.FISH if name == "fish" else Shell.POSIX


def set_variable(name: str, value: str, shell: Shell | None = None) -> Line:
    """The line that sets an environment variable in `shell`."""
    from ..fixtext import Line, SetVariable

    shell = shell or current_shell()
    if shell is Shell.FISH:
        text = f"set -gx {name} {_quote(value, shell)}"
    elif shell is Shell.POWERSHELL:
        # Single quotes: PowerShell expands `$` and backticks inside double ones.
        text = f"$env:{name} = '{_powershell_literal(value)}'"
    elif shell is Shell.CMD:
        # Quoting the whole assignment keeps `&`, `|`, `<`, `>` out of cmd's hands.
        text = f'set "{name}={value}"'
    else:
        text = f"export {name}={_quote(value, shell)}"
    return Line(text, SetVariable(name, value))


def _powershell_literal(value: str) -> str:
    """`value` inside a PowerShell single-quoted string: each quote doubled."""
    return value.replace("'", "''")


def unset_variable(name: str, shell: Shell | None = None) -> Line:
    """The line that removes an environment variable in `shell`."""
    from ..fixtext import Line, UnsetVariable

    shell = shell or current_shell()
    if shell is Shell.FISH:
        text = f"set -e {name}"
    elif shell is Shell.POWERSHELL:
        text = f"Remove-Item Env:{name}"
    elif shell is Shell.CMD:
        text = f"set {name}="
    else:
        text = f"unset {name}"
    return Line(text, UnsetVariable(name))


def concatenate(parts: list[str], target: str, shell: Shell | None = None) -> Line:
    """The line that writes a bundle from `parts`, in order: `cat PARTS > TARGET`.

    PowerShell's `Get-Content ... | Set-Content` for Windows shells. `target`
    is written as given (a `~/` path stays unquoted so that the shell expands it).
    """
    from ..fixtext import Line, WriteBundle

    shell = shell or current_shell()
    if shell in (Shell.POWERSHELL, Shell.CMD):
        sources = ", ".join([f'"{parts[0]}"', *parts[1:]])
        text = f"Get-Content {sources} | Set-Content {target}"
    else:
        text = f"cat {' '.join(quote_path(p) for p in parts)} > {target}"
    return Line(text, WriteBundle(target, tuple(parts)))


#: How to turn each form a CA server answers in into PEM (openssl reads stdin).
_TO_PEM = {
    "der": "openssl x509 -inform DER",
    "pem": "openssl x509",
    "pkcs7-der": "openssl pkcs7 -inform DER -print_certs",
    "pkcs7-pem": "openssl pkcs7 -print_certs",
}


def save_certificate(
    url: str, pem: str, form: str, file: str, proxy: str | None = None
) -> Line:
    """The line that downloads the CA certificate at `url` and saves it as PEM in `file`.

    `form`: what the server answers (a key of _TO_PEM); `pem`: that
    certificate as netcheck fetched it, what the line saves. `proxy`: the
    proxy URL to fetch through, as it may be shown (placeholders for secrets).
    """
    from ..fixtext import Line, SaveCertificate

    via = f"--proxy {shlex.quote(proxy)} " if proxy else ""
    text = (
        f"curl -fsS {via}{shlex.quote(url)} | {_TO_PEM[form]} -out {quote_path(file)}"
    )
    return Line(text, SaveCertificate(file, url, pem))


def proxy_key(url: str, configured: dict[str, str] | None = None) -> str:
    """The proxy_servers key requests picks for url: the one set, else url's scheme.

    requests tries `scheme://host`, `scheme`, `all://host`, `all` in that order;
    a fix for an `http://` channel belongs in `proxy_servers.http`.
    """
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    candidates = (f"{scheme}://{parts.hostname}", scheme, f"all://{parts.hostname}")
    for key in (*candidates, "all"):
        if configured and key in configured:
            return f"proxy_servers.{key}"
    return f"proxy_servers.{scheme}"


def proxy_variable(url: str) -> str:
    """The environment variable requests reads for url's scheme (HTTPS_PROXY, HTTP_PROXY)."""
    scheme = urlsplit(url).scheme or "https"
    return f"{scheme.upper()}_PROXY"


#: The placeholders a fix line may hold; the user replaces them.
PLACEHOLDERS = ("USER:<password>", "USER@", "PROXY_HOST:PORT", ":PORT")


def placeholders(*lines: str) -> tuple[str, ...]:
    """The placeholders these lines hold, each once, in order.

    `host:PORT` asks for the port only; `PROXY_HOST:PORT` for both.
    """
    found = list(dict.fromkeys(p for p in PLACEHOLDERS for line in lines if p in line))
    for whole, part in (("USER:<password>", "USER@"), ("PROXY_HOST:PORT", ":PORT")):
        if whole in found and part in found:
            found.remove(part)
    return tuple(dict.fromkeys(p.rstrip("@").lstrip(":") for p in found))


def proxy_placeholder(
    url: str | None, hostport: str = "PROXY_HOST:PORT", scheme: str = "http"
) -> str:
    """A proxy URL for a fix: `url`'s user info as placeholders, never its values.

    The proxy that asked for a user and password still does: a fix that
    leaves them out gets a 407.
    """
    rest = (url or "").strip().split("://", 1)[-1]
    userinfo, at, _ = rest.rpartition("@")
    if not at:
        return f"{scheme}://{hostport}"
    return f"{scheme}://{'USER:<password>' if ':' in userinfo else 'USER'}@{hostport}"


@dataclass(frozen=True)
class Commands:
    """Writes the command that changes a key where it is set, for one configuration."""

    #: key (or dotted proxy_servers.KEY) -> where it is set, as `NetConfig.sources`
    sources: dict[str, SettingSource] = field(default_factory=dict)
    conda: bool = True  # False: no conda here, only variables can be set
    shell: Shell | None = None
    #: key -> the environment variable that wins over it (REQUESTS_CA_BUNDLE
    #: over an ssl_verify path: requests lets the variable win)
    overrides: dict[str, str] = field(default_factory=dict)
    #: channels / default_channels as each file writes them (`NetConfig.lists`)
    lists: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    #: each proxy_servers key and each *_PROXY variable requests reads, with its URL
    proxies: tuple[tuple[ProxySource, str], ...] = ()

    def source(self, key: str) -> SettingSource:
        """Where key is set: the most specific source known, else conda's default."""
        top = key.split(".", 1)[0]
        return self.sources.get(key) or self.sources.get(top) or DEFAULT_SOURCE

    def set(self, key: str, value: str) -> Line:
        """`conda config [--file FILE] --set KEY VALUE`, or the variable line."""
        winner = self.overrides.get(key)
        if winner and value not in ("truststore", "true", "false"):
            return set_variable(winner, value, self.shell)
        variable = self._variable(key)
        if variable:
            return set_variable(variable, value, self.shell)
        unnamable = self._by_hand(key, f"set its value to {value}")
        if unnamable:
            return unnamable
        from ..fixtext import Line, SetKey

        return Line(
            f"conda config{self._file(key)} --set {key} {_quote(value, self.shell)}",
            SetKey(self._path(key), key, value),
        )

    def remove(self, key: str) -> Line:
        """`conda config [--file FILE] --remove-key KEY`, or the line that unsets the variable."""
        variable = self._variable(key)
        if variable:
            return unset_variable(variable, self.shell)
        unnamable = self._by_hand(key, "delete it")
        if unnamable:
            return unnamable
        from ..fixtext import Line, RemoveKey

        return Line(
            f"conda config{self._file(key)} --remove-key {key}",
            RemoveKey(self._path(key), key),
        )

    def _by_hand(self, key: str, what: str) -> Line | None:
        """The edit by hand of a map entry whose name has a dot, which conda config cannot name.

        conda splits `proxy_servers.https://10.0.0.1` at every dot and
        refuses it (CondaKeyError: invalid parameter), so no `conda config`
        line can change a per-host entry.
        """
        top, _, entry = key.partition(".")
        if "." not in entry:
            return None
        from ..fixtext import manual_line

        where = self._path(key) or "~/.condarc"
        return manual_line(
            f"in {where}, under {top}, find the entry {entry!r} and {what} "
            "(conda config cannot name a key that has a dot)"
        )

    def add(self, key: str, value: str) -> Line:
        """`conda config [--file FILE] --add KEY VALUE` (lists: channels, default_channels)."""
        from ..fixtext import Line, ListEdit

        return Line(
            f"conda config{self._file(key)} --add {key} {_quote(value, self.shell)}",
            ListEdit(self._path(key), key, "add", value),
        )

    def set_proxy(self, url: str, proxy: str, source: ProxySource | None) -> Line:
        """The line that points the proxy used for url at `proxy`, where it is set.

        requests lets the environment win over the session's proxies (conda's
        proxy_servers) for the same scheme: a variable, else the operating
        system's settings. Only a variable overrides those, so a proxy from
        the OS (or from a source not pinned down) gets the variable's line.
        """
        if source is not None and source.kind is ProxySourceKind.SETTING:
            return self.set(f"proxy_servers.{source.name}", proxy)
        if source is not None and source.kind is ProxySourceKind.VARIABLE:
            return set_variable(source.name, proxy, self.shell)
        if (source is not None and source.kind in _ENVIRONMENT) or not self.conda:
            return set_variable(proxy_variable(url), proxy, self.shell)
        return self.set(proxy_key(url), proxy)

    def drop_proxy(self, url: str, source: ProxySource | None) -> Line:
        """The line that stops using the proxy chosen for url."""
        if source is not None and source.kind is ProxySourceKind.SETTING:
            return self.remove(f"proxy_servers.{source.name}")
        if source is not None and source.kind is ProxySourceKind.VARIABLE:
            return unset_variable(source.name, self.shell)
        # No variable to unset: NO_PROXY makes requests skip the OS's proxy.
        return set_variable("NO_PROXY", urlsplit(url).hostname or "HOST", self.shell)

    def named_alike(
        self, source: ProxySource | None, proxy: str | None
    ) -> tuple[tuple[ProxySource | None, str], ...]:
        """Every source naming the address that `source` (set to `proxy`) names, itself too.

        In the order they are read, so that every channel prints the same
        lines: one proxy address in HTTP_PROXY and HTTPS_PROXY (or two
        proxy_servers keys) is one cause, and one fix changes it everywhere.
        """
        value = dict(self.proxies).get(source) if source is not None else None
        address = host_port(value or proxy) if (value or proxy) else None
        named = tuple(
            (other, url)
            for other, url in self.proxies
            if address is not None and host_port(url) == address
        )
        if any(other == source for other, _ in named):
            return named
        return ((source, proxy or ""),)

    def drop_everywhere(
        self, url: str, source: ProxySource | None, proxy: str | None = None
    ) -> tuple[Line, ...]:
        """The lines that stop using the proxy chosen for url, wherever it is named."""
        named = self.named_alike(source, proxy)
        return tuple(dict.fromkeys(self.drop_proxy(url, other) for other, _ in named))

    def repoint_everywhere(
        self, url: str, source: ProxySource | None, proxy: str | None = None
    ) -> tuple[Line, ...]:
        """The lines that point every source naming url's proxy at the right one.

        Each keeps its own user info as placeholders (`proxy_placeholder`).
        """
        named = self.named_alike(source, proxy)
        return tuple(
            dict.fromkeys(
                self.set_proxy(url, proxy_placeholder(value), other)
                for other, value in named
            )
        )

    def replace_channel(self, old: str, new: str) -> tuple[Line, ...]:
        """The lines that put `new` where the file that lists `old` has it.

        Channel order is priority: `conda config` only removes, prepends and
        appends, so the entries after it are moved behind `new` again. None
        when no file lists `old` as written, or it holds credentials (a
        command would print them).
        """
        if "@" in old or "/t/" in old:
            return ()
        for key in ("channels", "default_channels"):
            for path, items in self.lists.get(key, {}).items():
                written = [i for i in items if i.rstrip("/") == old.rstrip("/")]
                if written:
                    return self._moved(key, path, items, written[0], new)
        return ()

    def _moved(
        self, key: str, path: str, items: tuple[str, ...], old: str, new: str
    ) -> tuple[Line, ...]:
        from ..fixtext import Line, ListEdit

        where = f" --file {quote_path(path)}"
        after = items[items.index(old) + 1 :]

        def line(verb: str, value: str) -> Line:
            return Line(
                f"conda config{where} --{verb} {key} {_quote(value, self.shell)}",
                ListEdit(path, key, verb, value),
            )

        if items[0] == old:
            return (line("remove", old), line("prepend", new))
        return (
            line("remove", old),
            *(line("remove", item) for item in after),
            line("append", new),
            *(line("append", item) for item in after),
        )

    def configured_proxy(self, url: str) -> str | None:
        """The proxy_servers.KEY set for url (requests' order of keys), or None."""
        prefix = "proxy_servers."
        keys = {k[len(prefix) :]: "" for k in self.sources if k.startswith(prefix)}
        key = proxy_key(url, keys)
        return key if key[len(prefix) :] in keys else None

    def _variable(self, key: str) -> str | None:
        source = self.source(key)
        return source.name if source.kind is SettingSourceKind.VARIABLE else None

    def _path(self, key: str) -> str | None:
        """The file `conda config` edits for key; None: its default, ~/.condarc."""
        source = self.source(key)
        return source.name if source.kind is SettingSourceKind.FILE else None

    def _file(self, key: str) -> str:
        source = self.source(key)
        if source.kind is not SettingSourceKind.FILE:
            # Set nowhere: `conda config --set` writes ~/.condarc, which conda reads.
            return ""
        if self.shell in (Shell.POWERSHELL, Shell.CMD):
            return f" --file {_quote(source.name, self.shell)}"
        return f" --file {quote_path(source.name)}"


#: Proxy sources only a variable overrides (requests prefers them to proxy_servers).
_ENVIRONMENT = (ProxySourceKind.OS, ProxySourceKind.ENVIRONMENT)


def for_config(cfg: NetConfig, shell: Shell | None = None) -> Commands:
    """The commands for one configuration: where each key is set, conda or not."""
    variable = next(
        (n for n in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if cfg.env.get(n)), None
    )
    overrides = {"ssl_verify": variable} if variable else {}
    return Commands(
        dict(cfg.sources),
        cfg.conda,
        shell,
        overrides,
        cfg.lists,
        cfg.proxy_sources(),
    )


def quote_path(path: str) -> str:
    """A path for a shell command line; ~/ stays unquoted so that the shell expands it."""
    if path.startswith("~/") and shlex.quote(path[2:]) == path[2:]:
        return path
    return shlex.quote(path)


def _quote(value: str, shell: Shell | None = None) -> str:
    shell = shell or current_shell()
    if shell in (Shell.POWERSHELL, Shell.CMD):
        # Single quotes are literal in cmd; double quotes work in both.
        return f'"{value}"' if not value or " " in value else value
    return quote_path(value) if value else "''"
