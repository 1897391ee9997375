"""The network-relevant configuration as plain data, read from conda or from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

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


#: conda's remote_connect_timeout_secs and remote_read_timeout_secs when unset.
CONDA_CONNECT_TIMEOUT = 9.15
CONDA_READ_TIMEOUT = 60.0


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
    env: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    #: proxy_servers that anaconda-auth reads, by where they are set.
    anaconda_auth_proxies: dict[str, dict[str, str]] = field(default_factory=dict)
    conda: bool = True  # False when conda's configuration could not be read

    def source(self, key: str) -> str:
        """Where a key is set, in words: a file, an environment variable, the default."""
        return self.sources.get(key, "conda's default")


def environment() -> dict[str, str]:
    """The network-relevant environment variables that are set."""
    return {name: os.environ[name] for name in ENV_VARIABLES if name in os.environ}


def from_environment() -> NetConfig:
    """A configuration made only of environment variables (conda not importable)."""
    return NetConfig(
        env=environment(), conda=False, anaconda_auth_proxies=anaconda_auth_proxies()
    )


def from_conda() -> NetConfig:
    """Read conda's context: the values conda will use and where each was set."""
    from conda.base.context import context

    return NetConfig(
        offline=bool(context.offline),
        ssl_verify=_value("ssl_verify", True),
        client_cert=_value("client_ssl_cert", None),
        client_key=_value("client_ssl_cert_key", None),
        connect_timeout=float(context.remote_connect_timeout_secs),
        read_timeout=float(context.remote_read_timeout_secs),
        proxy_servers=dict(context.proxy_servers or {}),
        channels=list(context.channels),
        env=environment(),
        sources=conda_sources(),
        anaconda_auth_proxies=anaconda_auth_proxies(),
    )


def _value(key: str, default: Any) -> Any:
    """A context value; when conda rejects it (a CA path that does not exist), the raw text.

    conda validates ssl_verify and the client certificate paths when they are
    read, so a missing file makes every command fail with a validation error
    that names no fix. netcheck reads the raw value instead and reports it.
    """
    from conda import CondaError
    from conda.base.context import context

    try:
        return getattr(context, key)
    except CondaError:
        raw = None
        for values in context.raw_data.values():
            if key in values:
                raw = values[key].value(None)
        return raw if raw is not None else default


def conda_sources() -> dict[str, str]:
    """For each network key, the last configuration source that sets it (it wins)."""
    from conda.base.context import context

    sources: dict[str, str] = {}
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


def _describe(source: Any, key: str) -> str:
    text = str(source)
    if text == "envvars":
        return f"the CONDA_{key.upper()} environment variable"
    if text == "cmd_line":
        return "the command line"
    return text


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
        except ValueError:
            value = None
        if isinstance(value, dict):
            found["the ANACONDA_AUTH_PROXY_SERVERS environment variable"] = value
    path = anaconda_config_path()
    try:
        import tomllib
    except ImportError:  # Python < 3.11: anaconda-auth's TOML is not read
        return found
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, ValueError):
        return found
    auth = data.get("plugin", {}).get("auth", {})
    if isinstance(auth.get("proxy_servers"), dict):
        found[f"{path} [plugin.auth]"] = auth["proxy_servers"]
    for name, site in (data.get("sites") or {}).items():
        if isinstance(site, dict) and isinstance(site.get("proxy_servers"), dict):
            found[f"{path} [sites.{name}]"] = site["proxy_servers"]
    return found
