"""The result model: diagnosis codes, layers and the records every renderer reads.

A leaf: it imports only the vocabulary (codes), the evidence records and the
time limits, so that every layer can look down at it (tests/test_layout.py pins this).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

# The enums live with no dependency so that the catalogue can use them; they
# are part of the model's API.
from .codes import Code, Layer, Status

# The caps on conda's timeouts live where the argument parser reads them cheaply.
from .limits import CONDA_READ_TIMEOUT
from .limits import MAX_CONNECT_TIMEOUT as MAX_CONNECT_TIMEOUT
from .limits import MAX_READ_TIMEOUT as MAX_READ_TIMEOUT

if TYPE_CHECKING:
    import ssl

    from .config.commands import Commands
    from .config.sources import ProxySource
    from .evidence import Details
    from .fixtext import FixLines

__all__ = [
    "Code",
    "Details",
    "FixLines",
    "Layer",
    "Resource",
    "Status",
]

#: resolve(host, port) -> getaddrinfo-style results; tests inject one.
Resolver = Callable[[str, int], list]


def __getattr__(name: str) -> Any:
    """`Details` and `FixLines`, loaded on first use: a healthy run makes no problem and no fix."""
    if name == "Details":
        from .evidence import Details

        return Details
    if name == "FixLines":
        from .fixtext import FixLines

        return FixLines
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def no_details() -> Details:
    """The evidence of a problem that records none."""
    from .evidence import Details

    return Details()


def no_commands() -> FixLines:
    """The shell lines of a fix that has none (advice, or no fix)."""
    from .fixtext import FixLines

    return FixLines()


def severity(code: Code) -> Status:
    """How bad a code is, from the diagnosis catalogue (its one home)."""
    # Looked up when first asked, not at import: the catalogue writes fixes
    # with config's commands, and the model stays a leaf that loads nothing.
    from .diagnosis.catalogue import CATALOGUE

    return CATALOGUE[code].severity


class Resource(str, Enum):
    """Which kind of request a result is about (index, shards or a package file)."""

    INDEX = "index"
    SHARDS = "shards"
    PACKAGE = "package"


@dataclass(frozen=True)
class Problem:
    """What a layer concluded: a code, a one-line cause and the fix; never edited.

    An explainer that learns more makes a new one with `amended`.
    """

    code: Code
    layer: Layer
    summary: str
    fix: str | None = None
    details: Details = field(default_factory=no_details)
    #: the shell lines of `fix`, as it prints them (none when it is advice)
    commands: FixLines = field(default_factory=no_commands)

    def amended(
        self,
        *,
        more: str = "",
        summary: str | None = None,
        fix: str | None = None,
        code: Code | None = None,
        commands: FixLines | None = None,
        **details: Any,
    ) -> Problem:
        """A new problem: `more` appended to the summary (or a new one), evidence added.

        A new fix drops the old fix's lines unless `commands` gives its own.
        """
        if commands is None:
            commands = self.commands if fix is None else no_commands()
        return Problem(
            code or self.code,
            self.layer,
            (self.summary if summary is None else summary) + more,
            self.fix if fix is None else fix,
            self.details.merged(**details),
            commands,
        )

    @property
    def status(self) -> Status:
        """Warning for the warning codes, error otherwise."""
        return Status.WARNING if severity(self.code) is Status.WARNING else Status.ERROR


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
    proxy_source: ProxySource | None = None
    verify: bool | str | None = None  # the trust requests will use, env included
    upstream: str | None = None  # the public channel/subdir this one mirrors, if any

    @property
    def host(self) -> str:
        """The channel's host, without credentials or port."""
        from urllib.parse import urlsplit

        return urlsplit(self.url).hostname or ""

    @property
    def channel_url(self) -> str:
        """The channel's URL: this target's without its subdir."""
        return self.url.rstrip("/").rsplit("/", 1)[0]


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
    status: Status | None = None  # OK: a note, shown with -v only
    #: the CA bundle that holds expired certificates beside valid ones
    expired_in: str | None = None
    #: the only URL scheme it concerns (a scheme left without a proxy); None: all
    scheme: str | None = None
    #: the proxy URL its fix gives that scheme (the other scheme's), as shown
    copies_proxy: str | None = None
    #: it concerns public hosts only (a CA bundle without the public roots)
    public_hosts: bool = False
    #: its fix replaces ssl_verify (false, or a path conda cannot use), with
    #: what the network shows to verify every channel (diagnosis/findings.py)
    replaces_verify: bool = False
    #: the shell lines of `fix`, as it prints them (none when it is advice)
    commands: FixLines = field(default_factory=no_commands)

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = severity(self.code)


@dataclass
class Report:
    """Everything one run found."""

    targets: list[TargetResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    conda_version: str | None = None
    netcheck_version: str = ""
    conda_config_read: bool = True
    trust: tuple[str, str] | None = None  # (what conda verifies against, why)
    last_failure: Any = (
        None  # failure.replay.LastFailureCheck: conda's recorded failure
    )
    #: conda's remote_read_timeout_secs: how long conda waits where netcheck stopped
    conda_read_timeout: float = CONDA_READ_TIMEOUT
    #: seconds spent trying the fixes on a scratch copy (fix/proof.py); 0: none
    proof_seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """A target is unreachable, a finding is an error, or the last failure still happens."""
        return (
            any(t.status is Status.ERROR for t in self.targets)
            or any(f.status is Status.ERROR for f in self.findings)
            or bool(getattr(self.last_failure, "still_failing", False))
        )

    @property
    def undecided(self) -> list[TargetResult]:
        """Targets that did not answer within netcheck's wait while conda would still wait."""
        return [
            t
            for t in self.targets
            if t.problem is not None and t.problem.code is Code.NO_ANSWER_YET
        ]

    @property
    def ok(self) -> bool:
        """True when every target is reachable, no finding is an error and the last failure is gone."""
        return not self.failed and not self.undecided

    @property
    def exit_status(self) -> int:
        """0 when ok, 1 when something fails, 3 when only undecided targets are left."""
        if self.failed:
            return 1
        return 3 if self.undecided else 0


@dataclass
class Route:
    """How one URL is reached: the session and settings conda would use for it."""

    session: Any  # a requests.Session that never retries and never prompts
    proxy: str | None = None  # with credentials: only for connecting, never shown
    proxy_source: ProxySource | None = None
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
    """Time bounds and knobs of one run; built by `run.options_for`."""

    #: writes "change this setting where it is set" for this configuration
    commands: Commands
    connect_timeout: float = MAX_CONNECT_TIMEOUT
    read_timeout: float = MAX_READ_TIMEOUT
    filenames: tuple[str, ...] = ("repodata.json",)
    resolver: Resolver | None = None
    slow_ms: float = 5000.0
    skew_seconds: float = 300.0
    max_workers: int = 64
    try_direct: bool = True  # when the proxy fails, try once without it
    compare_upstream: bool = False  # fetch each mirror's upstream too (Target.upstream)
    offline: bool = False
    max_bytes: int = 4096  # read at most this much of each file fetched
    #: conda's own remote_read_timeout_secs, which fixes are written against
    conda_read_timeout: float = CONDA_READ_TIMEOUT
    #: after the index, fetch one shard and the smallest packages (read whole up to this)
    check_packages: bool = True
    package_bytes: int = 1024 * 1024
    #: conda's use_only_tar_bz2: it downloads .tar.bz2 files only
    tar_bz2_only: bool = False
    #: the connect timeout conda itself uses (remote_connect_timeout_secs), which
    #: it waits on each address that does not answer; None: connect_timeout
    client_connect_timeout: float | None = None

    @property
    def deadline(self) -> float:
        """The longest a whole run may take, in seconds: about one timeout.

        The checks after the index (shards, packages) share one more timeout pair.
        """
        after_index = (
            self.connect_timeout + self.read_timeout if self.check_packages else 0
        )
        return self.connect_timeout * 2 + self.read_timeout + 2.0 + after_index
