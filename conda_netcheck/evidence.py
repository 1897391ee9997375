"""The evidence behind a problem: every fact a probe or explainer records, declared.

JSON writes `Details` as the flat "details" object of a target, with the
fields that are set; the field names are that object's keys.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .codes import Code
    from .probes.chain import CertificateInfo

T = TypeVar("T")


class ResetCause(str, Enum):
    """What a second handshake showed about a reset or close during the handshake."""

    NAME_FILTER = "name-filter"  # only a handshake naming the host is ended
    EVERY_HANDSHAKE = "every-handshake"  # the peer ends every handshake


class LoneLeaf(str, Enum):
    """Why a server that sent only its own certificate is not trusted."""

    PRIVATE_ROOT = "private-root"  # issued directly by a root conda lacks
    OS_TRUSTED = "os-trusted"  # the OS store has the issuer, conda's trust not
    MISSING_INTERMEDIATE = "missing-intermediate"  # the server's chain is short
    UNKNOWN = "unknown"  # no AIA evidence to tell


@dataclass(frozen=True)
class FamilyAttempt:
    """One connect per address family to a dual-stack name."""

    address: str
    family: str
    outcome: str
    ms: float


@dataclass(frozen=True)
class SecondHandshakeSeen:
    """The handshake without the host name that tells a name filter from a dead port."""

    server_name: str | None
    answer: str
    ms: float


@dataclass(frozen=True)
class StrictDefect:
    """A certificate and the VERIFY_X509_STRICT rule it breaks."""

    certificate: str
    defect: str


@dataclass(frozen=True)
class PerStore(Generic[T]):
    """One value for each trust a certificate is checked against."""

    conda: T
    certifi: T
    os: T


@dataclass(frozen=True)
class Details:
    """Typed evidence for one problem; unset (None) fields are left out of JSON."""

    # -- DNS, TCP and the connection ------------------------------------------
    reason: str | None = None  # the DNS failure, "unreachable", or OpenSSL's reason
    failure: str | None = None  # how a connection ended: "reset", "closed", ...
    when: str | None = None  # "connect", "on-accept", "handshake"
    address: str | None = None  # host:port
    answers: tuple[str, ...] | None = None  # what DNS answered, when it means "blocked"
    errno: str | None = None  # the socket error's name ("ENETUNREACH")
    addresses: tuple[FamilyAttempt, ...] | None = None
    delay_seconds: float | None = None
    cause: ResetCause | Code | None = None  # for proxy-unreachable: the code below
    second_handshake: SecondHandshakeSeen | None = None
    # -- the proxy --------------------------------------------------------------
    direct: str | None = None  # "works", or the code a direct connection got
    #: "http": plain HTTP where TLS was expected; "web": a web server, no
    #: proxy; "tls": TLS where an http:// proxy URL expects plain HTTP
    proxy_speaks: str | None = None
    x_squid_error: str | None = None
    method: str | None = None  # the request the proxy answered, "CONNECT h:443"
    auth_schemes: tuple[str, ...] | None = None
    #: SOCKS without PySocks: the variables that name the SOCKS proxy (none: proxy_servers)
    socks_variables: tuple[str, ...] | None = None
    # -- TLS ---------------------------------------------------------------------
    offered: str | None = None  # the TLS versions this client offers
    port_speaks: str | None = None  # "http" or "tls": the other protocol answered
    answer: str | None = None  # what it answered: a status line, a TLS version
    alert: str | None = None
    accepted_cas: tuple[str, ...] | None = None
    verify_code: int | None = None
    verify_message: str | None = None
    #: the name a certificate was checked against (a hostname mismatch)
    hostname: str | None = None
    defects: tuple[StrictDefect, ...] | None = None
    # -- certificates --------------------------------------------------------------
    chain: tuple[CertificateInfo, ...] | None = None
    certificate: CertificateInfo | None = None
    chain_note: str | None = None
    chain_error: str | None = None
    trusted_by: PerStore[bool | None] | None = None
    trust_reasons: PerStore[str] | None = None
    truststore_usable: bool | None = None
    product: str | None = None  # the TLS-inspecting product recognised
    issuer: str | None = None
    ca_issuers: str | None = None  # the AIA caIssuers URL of a lone leaf
    ca_issuers_error: str | None = None
    lone_leaf: LoneLeaf | None = None
    missing_intermediate: bool | None = None
    missing_root: str | None = None  # the root CA the fix gives conda, by name
    clock_skew_seconds: int | None = None
    # -- HTTP and content ------------------------------------------------------------
    status: int | None = None
    title: str | None = None  # an HTML page's <title>
    content_type: str | None = None
    html: bool | None = None
    credentials: tuple[str, ...] | None = None  # what was sent, by source
    missing_subdir: str | None = None
    nearby: str | None = None  # where this server has the channel instead
    skew_seconds: int | None = None
    behind_seconds: int | None = None
    upstream: str | None = None
    received: int | None = None
    announced: int | None = None
    setting: str | None = None  # the setting that avoids a corrupt file
    url_failed: str | None = None

    def merged(self, **changes: Any) -> Details:
        """These details with `changes` set; an undeclared name is a TypeError."""
        return dataclasses.replace(self, **changes) if changes else self

    def fields_set(self) -> dict[str, Any]:
        """The fields that hold a value, in declaration order."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not None
        }

    def as_json(self) -> dict[str, Any]:
        """The "details" object of the JSON output."""
        return {name: _plain(value) for name, value in self.fields_set().items()}

    def __bool__(self) -> bool:
        return bool(self.fields_set())


def _plain(value: Any) -> Any:
    """JSON-ready: dataclasses to objects, tuples to lists, enums to their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
