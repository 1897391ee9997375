"""The result model: diagnosis codes, layers and the records every renderer reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import ssl

    from .probes.dns import Resolver


class Status(str, Enum):
    """How bad a result is; `warning` still counts as reachable."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


class Layer(str, Enum):
    """The layer a diagnosis belongs to, from the bottom of the stack up."""

    CONFIG = "config"
    DNS = "dns"
    TCP = "tcp"
    PROXY = "proxy"
    TLS = "tls"
    HTTP = "http"
    CONTENT = "content"


class Code(str, Enum):
    """Diagnosis codes: a stable JSON contract (additions fine, renames breaking)."""

    OK = "ok"
    OFFLINE_MODE = "offline-mode"
    DNS_FAILURE = "dns-failure"
    CONNECTION_REFUSED = "connection-refused"
    CONNECT_TIMEOUT = "connect-timeout"
    READ_TIMEOUT = "read-timeout"
    PROXY_MISCONFIGURED = "proxy-misconfigured"
    PROXY_UNREACHABLE = "proxy-unreachable"
    PROXY_AUTH_FAILED = "proxy-auth-failed"
    PROXY_REFUSED = "proxy-refused"
    TLS_UNTRUSTED = "tls-untrusted"
    TLS_INTERCEPTED = "tls-intercepted"
    TLS_EXPIRED = "tls-expired"
    TLS_NOT_YET_VALID = "tls-not-yet-valid"
    TLS_HOSTNAME_MISMATCH = "tls-hostname-mismatch"
    TLS_ERROR = "tls-error"
    CA_BUNDLE_INVALID = "ca-bundle-invalid"
    CLIENT_CERT_INVALID = "client-cert-invalid"
    HTTP_UNAUTHORIZED = "http-unauthorized"
    HTTP_FORBIDDEN = "http-forbidden"
    HTTP_NOT_FOUND = "http-not-found"
    HTTP_RATE_LIMITED = "http-rate-limited"
    HTTP_SERVER_ERROR = "http-server-error"
    NOT_A_CHANNEL = "not-a-channel"
    CLOCK_SKEW = "clock-skew"
    SLOW = "slow"
    # Configuration findings that are not about one target.
    NO_CHANNELS = "no-channels"
    SSL_VERIFY_DISABLED = "ssl-verify-disabled"
    TIMEOUT_TOO_LOW = "timeout-too-low"
    CA_BUNDLE_OVERRIDE = "ca-bundle-override"
    MIRROR_BEHIND = "mirror-behind"
    DEFAULTS_NOT_MIRRORED = "defaults-not-mirrored"
    TAR_BZ2_ONLY = "tar-bz2-only"
    # After the index: what conda fetches next (shards, packages).
    DOWNLOAD_INCOMPLETE = "download-incomplete"
    DOWNLOAD_MISMATCH = "download-mismatch"
    INDEX_CORRUPT = "index-corrupt"
    RANGE_IGNORED = "range-ignored"

    def __str__(self) -> str:
        return self.value


#: Codes that never fail a run on their own.
WARNING_CODES = frozenset(
    {
        Code.CLOCK_SKEW,
        Code.SLOW,
        Code.SSL_VERIFY_DISABLED,
        Code.TIMEOUT_TOO_LOW,
        Code.CA_BUNDLE_OVERRIDE,
        Code.MIRROR_BEHIND,
        Code.DEFAULTS_NOT_MIRRORED,
        Code.TAR_BZ2_ONLY,
        Code.RANGE_IGNORED,
    }
)


class Resource(str, Enum):
    """Which kind of request a result is about (index, shards or a package file)."""

    INDEX = "index"
    SHARDS = "shards"
    PACKAGE = "package"


@dataclass
class Problem:
    """What a probe concluded: a code at a layer, a one-line cause and the fix."""

    code: Code
    layer: Layer
    summary: str
    fix: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        """Warning for the warning codes, error otherwise."""
        return Status.WARNING if self.code in WARNING_CODES else Status.ERROR


@dataclass
class Timings:
    """Per-phase durations in milliseconds; None where a phase did not run."""

    dns: float | None = None
    connect: float | None = None
    tls: float | None = None
    first_byte: float | None = None
    total: float | None = None

    LABELS = {
        "dns": "DNS",
        "connect": "connect",
        "tls": "TLS",
        "first_byte": "first byte",
        "total": "total",
    }

    def parts(self) -> list[str]:
        """'DNS 1.2 ms'-style phrases for the phases that ran."""
        timings = self.as_dict()
        return [
            f"{label} {timings[key]:g} ms"
            for key, label in self.LABELS.items()
            if timings[key] is not None
        ]

    def as_dict(self) -> dict[str, float | None]:
        """Rounded to 0.1 ms for display and JSON."""
        return {
            k: (None if v is None else round(v, 1)) for k, v in asdict(self).items()
        }


@dataclass
class Target:
    """One URL conda would request, and where it came from."""

    url: str  # the channel/subdir base URL, possibly with credentials
    channel: str  # the name as configured ("defaults", "conda-forge", a URL)
    subdir: str
    source: str = ""  # the configuration that produced the URL
    proxy: str | None = None  # effective proxy URL, None when direct
    proxy_source: str | None = None
    verify: bool | str | None = None  # the trust requests will use, env included
    upstream: str | None = None  # the public channel/subdir this one mirrors, if any

    @property
    def host(self) -> str:
        """The channel's host, without credentials or port."""
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or ""


@dataclass
class TargetResult:
    """The verdict for one target."""

    target: Target
    problem: Problem | None = None
    warnings: list[Problem] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    fetched: str | None = None  # the URL that answered (repodata file)
    redirects: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)  # by source, never by value
    notes: list[str] = field(default_factory=list)  # details shown with -v
    #: the request that failed: its kind and URL (a redirect hop when one failed)
    resource: Resource | None = None
    url_failed: str | None = None
    #: every other URL requested after the index (shards, packages, their redirects)
    reached: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """Error when a layer broke, warning when only warnings were found."""
        if self.problem is not None:
            return self.problem.status
        return Status.WARNING if self.warnings else Status.OK

    @property
    def headline(self) -> Problem | None:
        """The problem to show first: the error, else the first warning."""
        return self.problem or (self.warnings[0] if self.warnings else None)


@dataclass
class Finding:
    """A configuration-level result found without the network."""

    check: str
    code: Code
    summary: str
    fix: str | None = None
    status: Status | None = None

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = (
                Status.OK
                if self.code is Code.OK
                else Status.WARNING
                if self.code in WARNING_CODES
                else Status.ERROR
            )


@dataclass
class Report:
    """Everything one run found."""

    targets: list[TargetResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    conda_version: str | None = None
    netcheck_version: str = ""
    conda_config_read: bool = True
    trust: tuple[str, str] | None = None  # (what conda verifies against, why)

    @property
    def ok(self) -> bool:
        """True when every target is reachable and no finding is an error."""
        return all(t.status is not Status.ERROR for t in self.targets) and all(
            f.status is not Status.ERROR for f in self.findings
        )


@dataclass
class Route:
    """How one URL is reached: the session and settings conda would use for it."""

    session: Any  # a requests.Session that never retries and never prompts
    proxy: str | None = None  # with credentials: only for connecting, never shown
    proxy_source: str | None = None
    verify: bool | str = True
    cert: str | tuple[str, str] | None = None
    ssl_context: ssl.SSLContext | None = None  # truststore, when conda uses it
    #: False on conda < 26.7: ssl_verify: truststore is not used through a proxy
    truststore_through_proxy: bool = True
    #: which credentials would be sent to a URL (by source, never by value)
    credentials: Callable[[str], list] | None = None


RouteFactory = Callable[[str], Route]


@dataclass
class Options:
    """Time bounds and knobs of one run."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    filenames: tuple[str, ...] = ("repodata.json",)
    resolver: Resolver | None = None
    slow_ms: float = 5000.0
    skew_seconds: float = 300.0
    max_workers: int = 64
    try_direct: bool = True  # when the proxy fails, try once without it
    compare_upstream: bool = False  # fetch each mirror's upstream too (Target.upstream)
    offline: bool = False
    #: after the index, fetch one shard and the smallest packages (read whole up to this)
    check_packages: bool = True
    package_bytes: int = 1024 * 1024

    @property
    def deadline(self) -> float:
        """The longest a whole run may take, in seconds: about one timeout.

        The checks after the index (shards, packages) share one more timeout pair.
        """
        after_index = (
            self.connect_timeout + self.read_timeout if self.check_packages else 0
        )
        return self.connect_timeout * 2 + self.read_timeout + 2.0 + after_index
