"""Where a proxy was set, typed: a conda setting, a variable, or the OS."""

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
