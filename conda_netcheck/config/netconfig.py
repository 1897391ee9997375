"""The network-relevant configuration as plain data, read from conda or from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..limits import CONDA_CONNECT_TIMEOUT, CONDA_READ_TIMEOUT
from .sources import COMMAND_LINE, DEFAULT_SOURCE, SettingSource, proxy_sources

if TYPE_CHECKING:
    from .loading import BrokenFile
    from .sources import ProxySource

#: Environment variables that change how conda (through requests) connects.
ENV_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CONDA_OFFLINE",
    "CONDA_SSL_VERIFY",
    "CONDARC",
    "NETRC",
)

#: conda settings that matter for the network.
NETWORK_KEYS = (
    "channels",
    "default_channels",
    "channel_alias",
    "custom_channels",
    "custom_multichannels",
    "channel_settings",
    "proxy_servers",
    "ssl_verify",
    "client_ssl_cert",
    "client_ssl_cert_key",
    "offline",
    "remote_connect_timeout_secs",
    "remote_read_timeout_secs",
    "remote_max_retries",
    "add_anaconda_token",
)


@dataclass
class NetConfig:
    """What the no-network checks look at; `sources` maps a key to where it is set."""

    offline: bool = False
    ssl_verify: bool | str = True
    client_cert: str | None = None
    client_key: str | None = None
    connect_timeout: float = CONDA_CONNECT_TIMEOUT
    read_timeout: float = CONDA_READ_TIMEOUT
    proxy_servers: dict[str, str] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    default_channels: list[str] | None = None  # None: not read (no conda)
    env: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SettingSource] = field(default_factory=dict)
    #: proxy_servers that anaconda-auth reads, by where they are set.
    anaconda_auth_proxies: dict[str, dict[str, str]] = field(default_factory=dict)
    conda: bool = True  # False when conda's configuration could not be read
    #: settings that could not be used as they are (each names where it is set)
    problems: list[SettingProblem] = field(default_factory=list)
    #: configuration files conda skips whole (with a warning)
    skipped: list[BrokenFile] = field(default_factory=list)
    #: (path, bytes) of configuration files too large for netcheck to read itself.
    unread: list[tuple[str, int]] = field(default_factory=list)
    #: channels / default_channels as each file writes them: key -> path -> list
    lists: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def source(self, key: str) -> SettingSource:
        """Where a key is set: a file, an environment variable, the default."""
        return self.sources.get(key, DEFAULT_SOURCE)

    def proxy_sources(self) -> tuple[tuple[ProxySource, str], ...]:
        """Each proxy_servers key, and each *_PROXY variable requests reads, with its URL."""
        return proxy_sources(self.proxy_servers, self.env)


def environment() -> dict[str, str]:
    """The network-relevant environment variables that are set."""
    return {name: os.environ[name] for name in ENV_VARIABLES if name in os.environ}


def from_environment() -> NetConfig:
    """A configuration made only of environment variables (conda not importable)."""
    return NetConfig(
        env=environment(), conda=False, anaconda_auth_proxies=anaconda_auth_proxies()
    )


def from_conda() -> NetConfig:
    """Read conda's context: the values conda will use and where each was set.

    A value conda rejects, or that cannot be used, becomes a finding in
    `NetConfig.problems` (naming the setting and where it is set) and the
    default stands in for it: the run goes on with what can still be checked.
    """
    from conda.base.context import context

    from ..safefiles import MAX_SMALL_FILE_BYTES, oversized
    from .loading import ignored_files, search_path_files
    from .secrets import register_all

    files = search_path_files()
    # Each file conda has loaded is not parsed again: its secrets are read from
    # conda's own parse, and a file conda loaded is not one it skipped.
    documents = _safe(conda_documents, {})
    register_all(files, anaconda_config_path(), documents)
    sources = _safe(conda_sources, {})
    cfg = NetConfig(env=environment(), sources=sources)
    cfg.skipped = _safe(lambda: ignored_files(files, documents), [])
    cfg.unread = [
        (path, size)
        for path in files
        if (size := oversized(path, MAX_SMALL_FILE_BYTES)) is not None
    ]
    cfg.offline = bool(_setting("offline", False, cfg, lambda: context.offline))
    cfg.ssl_verify = _value("ssl_verify", True, cfg)
    cfg.client_cert = _value("client_ssl_cert", None, cfg)
    cfg.client_key = _value("client_ssl_cert_key", None, cfg)
    cfg.connect_timeout = _timeout("remote_connect_timeout_secs", 9.15, cfg)
    cfg.read_timeout = _timeout("remote_read_timeout_secs", 60.0, cfg)
    proxies = _setting("proxy_servers", {}, cfg, lambda: dict(context.proxy_servers))
    cfg.proxy_servers = _string_mapping("proxy_servers", proxies, cfg)
    # Each setting that feeds channel URLs, so that a broken one is named
    # (context.channels fails on any of them with a bare ValueError).
    for key in ("channel_alias", "default_channels", "custom_channels"):
        # A key set nowhere fails only because conda derives it from one that
        # already failed (custom_channels holds default_channels' hosts).
        derived = bool(cfg.problems) and key not in cfg.sources
        value = _setting(
            key, None, cfg, lambda key=key: getattr(context, key), report=not derived
        )
        if key == "default_channels" and value is not None:
            cfg.default_channels = [str(c) for c in value]
    # A channel conda cannot expand is named by conda_targets, one by one.
    cfg.channels = configured_channels()
    cfg.lists = _safe(file_lists, {})
    cfg.anaconda_auth_proxies = anaconda_auth_proxies()
    return cfg


def conda_documents() -> dict[str, dict[str, Any]]:
    """Each configuration file conda has loaded, by path, as conda parsed it.

    A file conda skips (with a warning) is not among them.
    """
    from conda.base.context import context

    return {
        str(source): {
            key: getattr(raw, "_raw_value", None) for key, raw in values.items()
        }
        for source, values in context.raw_data.items()
        if str(source) not in ("envvars", "cmd_line")
    }


def file_lists() -> dict[str, dict[str, tuple[str, ...]]]:
    """channels and default_channels as each configuration file writes them.

    conda merges a list across files; a fix that edits one entry edits the
    file that holds it, in that file's order.
    """
    from conda.base.context import context

    lists: dict[str, dict[str, tuple[str, ...]]] = {}
    for source, values in context.raw_data.items():
        if str(source) in ("envvars", "cmd_line"):
            continue
        for key in ("channels", "default_channels"):
            raw = getattr(values.get(key), "_raw_value", None)
            if not isinstance(raw, (list, tuple)):
                continue
            written = [getattr(item, "_raw_value", item) for item in raw]
            if all(isinstance(w, str) for w in written):
                lists.setdefault(key, {})[str(source)] = tuple(written)
    return lists


def _safe(read: Any, default: Any) -> Any:
    try:
        return read()
    except Exception:  # conda's raw data itself is odd: no sources then
        return default


def _setting(
    key: str, default: Any, cfg: NetConfig, read: Any, report: bool = True
) -> Any:
    """A context value; conda's validation error becomes a finding, the default stands."""
    try:
        return read()
    except Exception as exc:
        if report:
            cfg.problems.append(invalid_setting(cfg, key, _conda_reason(exc)))
        return default


def _conda_reason(exc: BaseException) -> str:
    from ..redact import REDACTOR

    text = str(exc).strip().splitlines()
    # conda: "Parameter K = V declared in <<merged>> is invalid.\n<reason>"
    reason = text[-1] if text else type(exc).__name__
    if isinstance(exc, (AttributeError, TypeError)):
        # conda met a number, list or mapping where it expects a string.
        reason = f"a key or value has the wrong type ({reason})"
    return REDACTOR.text(reason or type(exc).__name__)


@dataclass(frozen=True)
class SettingProblem:
    """A setting that cannot be used: which, where it is set, and why."""

    key: str
    where: SettingSource
    reason: str


def invalid_setting(cfg: NetConfig, key: str, reason: str) -> SettingProblem:
    """The problem with a setting, with where it is set."""
    return SettingProblem(key, cfg.source(key), reason)


#: Longer than this is no timeout (and overflows the socket layer).
MAX_TIMEOUT_SECONDS = 86400.0


def _timeout(key: str, default: float, cfg: NetConfig) -> float:
    from conda.base.context import context

    value = _setting(key, default, cfg, lambda: getattr(context, key))
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if number == number and 0 < number <= MAX_TIMEOUT_SECONDS:
        return number
    cfg.problems.append(
        invalid_setting(
            cfg,
            key,
            f"{value!r} is not a usable timeout (a number of seconds between 0 "
            f"and {MAX_TIMEOUT_SECONDS:g} is needed)",
        )
    )
    return default


def _string_mapping(key: str, value: Any, cfg: NetConfig) -> dict[str, str]:
    """proxy_servers as strings; a non-string entry becomes a finding."""
    result = {}
    for name, item in (value or {}).items():
        if isinstance(item, str) and isinstance(name, str):
            result[name] = item
        elif item is not None:
            cfg.problems.append(
                invalid_setting(
                    cfg,
                    key,
                    f"the entry {name!r} is a {type(item).__name__}, not a URL",
                )
            )
    return result


def _value(key: str, default: Any, cfg: NetConfig | None = None) -> Any:
    """A context value; when conda rejects it (a CA path that does not exist), the raw text.

    conda validates ssl_verify and the client certificate paths when they are
    read, so a missing file makes every command fail with a validation error
    that names no fix. netcheck reads the raw value instead and reports it.
    A value that is no path at all (a mapping, a list) is a finding.
    """
    from conda.base.context import context

    try:
        value = getattr(context, key)
    except Exception:
        value = _raw_value(key)
    if value is None or isinstance(value, (bool, str)):
        return default if value is None else value
    if cfg is not None:
        cfg.problems.append(
            invalid_setting(
                cfg, key, f"it is a {type(value).__name__}, not a path or true/false"
            )
        )
    return default


def configured_channels() -> list[str]:
    """The channels setting; the names as written when conda cannot expand one."""
    from conda.base.context import context

    channels = _safe(lambda: list(context.channels), None)
    return channels if channels is not None else _raw_channels()


def _raw_channels() -> list[str]:
    """The channel names as written, when conda cannot expand them.

    conda's own merged list first: files, CONDA_CHANNELS and the command line,
    in conda's order, exactly what context.channels then fails to expand.
    """
    from conda.base.context import context

    merged = _safe(lambda: list(context._channels), None)
    if merged is not None:
        return [str(name) for name in dict.fromkeys(merged)]
    names: list[str] = []
    for values in context.raw_data.values():
        if "channels" not in values:
            continue
        try:
            items = values["channels"].value(None)
        except Exception:
            continue
        for item in items if isinstance(items, (list, tuple)) else ():
            value = item.value(None) if hasattr(item, "value") else item
            if isinstance(value, str) and value not in names:
                names.append(value)
    return names


def raw_channel_source(name: str) -> str | None:
    """Where a channel as written comes from: CONDA_CHANNELS, a file, or the command line."""
    from conda.base.context import context

    for source, values in context.raw_data.items():
        raw = getattr(values.get("channels"), "_raw_value", None)
        items = raw.split(",") if isinstance(raw, str) else raw or ()
        written = [getattr(i, "_raw_value", i) for i in items]
        if name in (w.strip() if isinstance(w, str) else w for w in written):
            if source == "envvars":
                return "the CONDA_CHANNELS variable"
            if source == "cmd_line":
                return "the command line"
            return f"channels in {source}"
    return None


def _raw_value(key: str) -> Any:
    from conda.base.context import context

    raw = None
    for values in context.raw_data.values():
        if key in values:
            try:
                raw = values[key].value(None)
            except Exception:  # a mapping or list where a scalar belongs
                raw = {}
    return raw


def conda_sources() -> dict[str, SettingSource]:
    """For each network key, the last configuration source that sets it (it wins)."""
    from conda.base.context import context

    sources: dict[str, SettingSource] = {}
    # raw_data, not collect_all(): the latter raises on any invalid value.
    for source, values in context.raw_data.items():
        for key in values:
            if key in NETWORK_KEYS:
                sources[key] = _describe(source, key)
            if key == "proxy_servers":
                # Maps merge across files: each entry keeps its own file.
                raw = getattr(values[key], "_raw_value", None)
                for name in raw if isinstance(raw, dict) else ():
                    sources[f"proxy_servers.{name}"] = _describe(source, key)
    return sources


def _describe(source: Any, key: str) -> SettingSource:
    """A source of conda's raw_data: "envvars", "cmd_line", or a file's path."""
    text = str(source)
    if text == "envvars":
        return SettingSource.variable(f"CONDA_{key.upper()}")
    if text == "cmd_line":
        return COMMAND_LINE
    return SettingSource.file(text)


def anaconda_config_path() -> str:
    """anaconda-auth's configuration file (ANACONDA_CONFIG_TOML or ~/.anaconda/config.toml)."""
    return os.environ.get("ANACONDA_CONFIG_TOML") or os.path.expanduser(
        "~/.anaconda/config.toml"
    )


def anaconda_auth_proxies() -> dict[str, dict[str, str]]:
    """proxy_servers from anaconda-auth's config file and variable; read-only."""
    import json

    found: dict[str, dict[str, str]] = {}
    variable = os.environ.get("ANACONDA_AUTH_PROXY_SERVERS")
    if variable:
        try:
            value = json.loads(variable)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, dict):
            found["the ANACONDA_AUTH_PROXY_SERVERS environment variable"] = value
    path = anaconda_config_path()
    if not os.path.isfile(path):
        return found  # the usual case: no need to load a TOML parser
    try:
        import tomllib
    except ImportError:  # Python < 3.11: anaconda-auth's TOML is not read
        return found
    from ..safefiles import read_text

    try:
        data = tomllib.loads(read_text(path))
    except (OSError, ValueError):  # UnsafePath is an OSError
        return found
    plugin = data.get("plugin")
    auth = plugin.get("auth") if isinstance(plugin, dict) else None
    if isinstance(auth, dict) and isinstance(auth.get("proxy_servers"), dict):
        found[f"{path} [plugin.auth]"] = auth["proxy_servers"]
    sites = data.get("sites")
    for name, site in sites.items() if isinstance(sites, dict) else ():
        if isinstance(site, dict) and isinstance(site.get("proxy_servers"), dict):
            found[f"{path} [sites.{name}]"] = site["proxy_servers"]
    return found
