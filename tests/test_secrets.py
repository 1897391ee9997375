"""Planted secrets never appear in any output: text, -v, --json, errors."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import needs_conda

from conda_netcheck.config import secrets as config_secrets
from conda_netcheck.redact import REDACTED, Redactor

TOKEN = "tk-Planted7Token9"
URL_PASSWORD = "url-Planted3Pass"
PROXY_PASSWORD = "pr0xy-Planted5Pw"
NETRC_PASSWORD = "n3trc-Planted1Pw"
SECRETS = (TOKEN, URL_PASSWORD, PROXY_PASSWORD, NETRC_PASSWORD)


def assert_no_secret(*outputs: str) -> None:
    text = "\n".join(o or "" for o in outputs)
    for secret in SECRETS:
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:12] not in text
    for user, secret in (("bob", PROXY_PASSWORD), ("alice", NETRC_PASSWORD)):
        assert base64.b64encode(f"{user}:{secret}".encode()).decode() not in text


@pytest.fixture
def netrc(tmp_path, monkeypatch):
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login alice password {NETRC_PASSWORD}\n")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    return path


@needs_conda
@pytest.mark.parametrize(
    "proxy_up", [True, False], ids=["proxy-401-upstream", "proxy-down"]
)
@pytest.mark.parametrize("flags", [(), ("-v",), ("--json",), ("--json", "-v")], ids=str)
def test_conda_netcheck_prints_no_secret(
    flags, proxy_up, channel, netrc, tmp_path, conda_cli, monkeypatch
):
    from conda.base.context import reset_context
    from support.proxies import proxypy_proxy
    from support.servers import closed_port

    channel.behaviour.status = 401  # so every target fails and shows its error
    host = channel.url.split("://")[1]
    url = f"http://carol:{URL_PASSWORD}@{host}/t/{TOKEN}/private"
    with proxypy_proxy(tmp_path, users={"bob": PROXY_PASSWORD}) as proxy:
        port = proxy.port if proxy_up else closed_port()
        proxy_url = f"http://bob:{PROXY_PASSWORD}@127.0.0.1:{port}"
        condarc = tmp_path / "condarc"
        condarc.write_text(
            json.dumps(
                {
                    "channels": [url],
                    "default_channels": [url],
                    "channel_alias": channel.url,
                    "proxy_servers": {"http": proxy_url, "https": proxy_url},
                }
            )
        )
        monkeypatch.setenv("CONDARC", str(condarc))
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        reset_context()
        out, err, code = conda_cli("netcheck", "--timeout", "1", *flags)
    assert code == 1
    assert_no_secret(out, err)
    assert "<redacted>" in out or "<TOKEN>" in out


def test_standalone_prints_no_secret(channel, netrc, tmp_path):
    import os
    import subprocess
    import sys

    shim = tmp_path / "shim" / "conda"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError\n")
    channel.behaviour.status = 403
    host = channel.url.split("://")[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(shim.parent),
        "HTTP_PROXY": f"http://bob:{PROXY_PASSWORD}@127.0.0.1:9",
    }
    for flags in ((), ("-v",), ("--json",)):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "conda_netcheck",
                "--timeout",
                "1",
                *flags,
                f"http://carol:{URL_PASSWORD}@{host}/t/{TOKEN}/x",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert_no_secret(proc.stdout, proc.stderr)


# -- Setting names that carry secrets, whatever their case --------------------

_VALUE = "Vx7-planted-secret-value"

SECRET_NAMES = [
    "token",
    "TOKEN",
    "Token",
    "anaconda_token",
    "ANACONDA_TOKEN",
    "password",
    "Password",
    "PROXY_PASSWORD",
    "passwd",
    "secret",
    "Client_Secret",
    "api_key",
    "Api_Key",
    "APIKEY",
    "credential",
    "Credentials",
]
PLAIN_NAMES = ["channel_alias", "CHANNELS", "Ssl_Verify", "user", "Monkey"]


@pytest.mark.parametrize("name", SECRET_NAMES)
@pytest.mark.parametrize("form", ["yaml", "toml", "environment"])
def test_a_secret_named_setting_is_registered_whatever_its_case(name, form):
    redactor = Redactor()
    if form == "yaml":
        config_secrets.register_text(f"{name}: {_VALUE}\n", redactor)
    elif form == "toml":
        config_secrets.register_text(f'{name} = "{_VALUE}"\n', redactor)
    else:
        config_secrets.register_environment({f"CONDA_{name}": _VALUE}, redactor)
    assert redactor.text(f"value {_VALUE} seen") == f"value {REDACTED} seen"


@pytest.mark.parametrize("name", PLAIN_NAMES)
@pytest.mark.parametrize("form", ["yaml", "environment"])
def test_a_setting_without_a_secret_name_keeps_its_value(name, form):
    redactor = Redactor()
    if form == "yaml":
        config_secrets.register_text(f"{name}: {_VALUE}\n", redactor)
    else:
        config_secrets.register_environment({f"CONDA_{name}": _VALUE}, redactor)
    assert redactor.text(f"value {_VALUE} seen") == f"value {_VALUE} seen"


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_a_secret_named_key_of_a_document_is_redacted_whatever_its_case(name):
    out = Redactor().obj({name: _VALUE, "channel": "conda-forge"})
    assert out == {name: REDACTED, "channel": "conda-forge"}
