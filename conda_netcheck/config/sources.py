"""Where a proxy or a setting was set, typed: a conda setting, a file, a variable, or the OS."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
