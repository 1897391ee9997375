"""Diagnosis codes, layers and statuses: the JSON contract's vocabulary, no dependencies."""

from __future__ import annotations

from enum import Enum


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
    DNS_BLOCKED = "dns-blocked"
    CONNECTION_REFUSED = "connection-refused"
    CONNECT_TIMEOUT = "connect-timeout"
    NO_ROUTE = "no-route"
    CONNECT_FAILED = "connect-failed"
    READ_TIMEOUT = "read-timeout"
    #: no answer within netcheck's wait, which is shorter than conda's: undecided
    NO_ANSWER_YET = "no-answer-yet"
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
    TLS_STALLED = "tls-stalled"
    WRONG_PROTOCOL = "wrong-protocol"
    CA_BUNDLE_INVALID = "ca-bundle-invalid"
    CLIENT_CERT_INVALID = "client-cert-invalid"
    HTTP_UNAUTHORIZED = "http-unauthorized"
    HTTP_FORBIDDEN = "http-forbidden"
    HTTP_NOT_FOUND = "http-not-found"
    HTTP_RATE_LIMITED = "http-rate-limited"
    HTTP_SERVER_ERROR = "http-server-error"
    NOT_A_CHANNEL = "not-a-channel"
    INDEX_EMPTY = "index-empty"
    REDIRECT_LOOP = "redirect-loop"
    ENCODING_MISLABELLED = "encoding-mislabelled"
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
    # Transport failures: resets, client certificates, dual stack, strict X.509.
    CONNECTION_RESET = "connection-reset"
    CLIENT_CERT_REQUIRED = "client-cert-required"
    IPV6_BROKEN = "ipv6-broken"
    IPV4_BROKEN = "ipv4-broken"
    TLS_X509_STRICT = "tls-x509-strict"
    TLS_LEGACY_RENEGOTIATION = "tls-legacy-renegotiation"
    # A value netcheck (or conda) cannot use, named with where it is set.
    CONFIG_INVALID = "config-invalid"
    # A configuration file netcheck did not read itself (over its size bound).
    CONFIG_UNREAD = "config-unread"
    # conda cannot load its configuration at all: it runs no command.
    CONDA_CONFIG_BROKEN = "conda-config-broken"
    # A bug in netcheck itself, reported as a finding instead of a traceback.
    INTERNAL_ERROR = "internal-error"

    def __str__(self) -> str:
        return self.value
