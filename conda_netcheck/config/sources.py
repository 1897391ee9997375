"""Where a proxy or a setting was set, typed: a conda setting, a file, a variable, or the OS.

Also which *_PROXY variable requests takes for each scheme, as urllib reads them:
the lint and the fixes that drop a proxy read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The proxy keys requests' select_proxy looks up: scheme, then "all".
SCHEMES = ("http", "https", "all")


class ProxySourceKind(str, Enum):
    """What kind of setting chose a proxy."""

    SETTING = "setting"  # conda's proxy_servers.KEY
    VARIABLE = "variable"  # an environment variable (HTTPS_PROXY, all_proxy, ...)
    OS = "os"  # the operating system's proxy settings
    ENVIRONMENT = "environment"  # requests' environment, source not pinned down


@dataclass(frozen=True)
class ProxySource:
    """Where the proxy for a URL was set; `name` is the key, variable or OS source."""

    kind: ProxySourceKind
    name: str = ""

    def words(self) -> str:
        """How the source is printed (and written in JSON): "proxy_servers.https", ..."""
        if self.kind is ProxySourceKind.SETTING:
            return f"proxy_servers.{self.name}"
        if self.kind is ProxySourceKind.VARIABLE:
            return f"the {self.name} environment variable"
        return self.name or "the environment"

    def __str__(self) -> str:
        return self.words()


def proxy_variables(scheme: str) -> tuple[str, str]:
    """The upper- and lower-case variables that set the proxy for a scheme."""
    return f"{scheme.upper()}_PROXY", f"{scheme}_proxy"


def chosen_variables(
    env: Mapping[str, str],
) -> tuple[dict[str, tuple[ProxySource, str]], frozenset[str]]:
    """scheme -> the variable requests takes and its URL; the schemes switched off."""
    chosen: dict[str, tuple[ProxySource, str]] = {}
    emptied: set[str] = set()
    for scheme in SCHEMES:
        upper, lower = proxy_variables(scheme)
        up, low = env.get(upper), env.get(lower)
        # urllib.request.getproxies_environment (POSIX): any case first, then
        # lower-case again, so it wins; an empty lower-case one removes the proxy.
        # On Windows os.environ ignores case, so both names hold the same value.
        if low:
            chosen[scheme] = (ProxySource(ProxySourceKind.VARIABLE, lower), low)
        elif up and low is None:
            chosen[scheme] = (ProxySource(ProxySourceKind.VARIABLE, upper), up)
        elif up and low == "":
            emptied.add(scheme)
    return chosen, frozenset(emptied)


def proxy_sources(
    proxy_servers: Mapping[str, str], env: Mapping[str, str]
) -> tuple[tuple[ProxySource, str], ...]:
    """Each proxy_servers key, and the *_PROXY variable urllib takes per scheme, with its URL."""
    settings = [
        (ProxySource(ProxySourceKind.SETTING, key), url)
        for key, url in proxy_servers.items()
        if url
    ]
    return (*settings, *chosen_variables(env)[0].values())


class SettingSourceKind(str, Enum):
    """Where conda took a setting from."""

    FILE = "file"  # a .condarc (or other configuration) file
    VARIABLE = "variable"  # a CONDA_* environment variable
    COMMAND_LINE = "command-line"  # an option of the command being run
    DEFAULT = "default"  # set nowhere: conda's default


@dataclass(frozen=True)
class SettingSource:
    """Where a setting is set; `name` is the file's path or the variable's name."""

    kind: SettingSourceKind
    name: str = ""

    @classmethod
    def file(cls, path: str) -> SettingSource:
        """A configuration file."""
        return cls(SettingSourceKind.FILE, path)

    @classmethod
    def variable(cls, name: str) -> SettingSource:
        """A CONDA_* environment variable."""
        return cls(SettingSourceKind.VARIABLE, name)

    def words(self) -> str:
        """How the source is printed: a path, "the CONDA_X environment variable", ..."""
        if self.kind is SettingSourceKind.FILE:
            return self.name
        if self.kind is SettingSourceKind.VARIABLE:
            return f"the {self.name} environment variable"
        if self.kind is SettingSourceKind.COMMAND_LINE:
            return "the command line"
        return "conda's default"

    def __str__(self) -> str:
        return self.words()


DEFAULT_SOURCE = SettingSource(SettingSourceKind.DEFAULT)
COMMAND_LINE = SettingSource(SettingSourceKind.COMMAND_LINE)
