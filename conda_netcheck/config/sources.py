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


@dataclass(frozen=True, eq=False)
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

    @classmethod
    def from_words(cls, text: str) -> ProxySource | None:
        """The source a printed one stands for (a Target built by hand); None if unknown."""
        if text.startswith("proxy_servers."):
            return cls(ProxySourceKind.SETTING, text.removeprefix("proxy_servers."))
        words = text.split()
        if (
            len(words) == 4
            and words[0] == "the"
            and words[2:] == ["environment", "variable"]
        ):
            return cls(ProxySourceKind.VARIABLE, words[1])
        return None

    def __str__(self) -> str:
        return self.words()

    # Equal to its words too: the JSON contract and callers that hold the text.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProxySource):
            return (self.kind, self.name) == (other.kind, other.name)
        if isinstance(other, str):
            return self.words() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.words())
