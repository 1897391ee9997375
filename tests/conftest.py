"""Shared fixtures: isolation from the real network, local peers, and conda when importable."""

from __future__ import annotations

import ctypes
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

try:
    import conda.base.context  # noqa: F401
except Exception:  # conda is not on PyPI: fresh machines have none
    HAS_CONDA = False
else:
    HAS_CONDA = True

if HAS_CONDA:
    pytest_plugins = ("conda.testing.fixtures",)

NO_CONDA_REASON = (
    "conda is not importable here (it is not on PyPI): install conda into this "
    "environment to run the tests that go through conda"
)
needs_conda = pytest.mark.skipif(not HAS_CONDA, reason=NO_CONDA_REASON)


def has_plugin_type(name: str) -> bool:
    """Whether this conda declares the plugin hook type `name` (conda.plugins.types)."""
    try:
        types = importlib.import_module("conda.plugins.types")
    except ImportError:
        return False
    return hasattr(types, name)


#: Error hints and exception observers arrived in conda 26.7 (version gates,
#: allowed in CI).
needs_hints = pytest.mark.skipif(
    not has_plugin_type("CondaErrorHint"),
    reason="needs conda >= 26.7 (conda_error_hints)",
)
needs_observers = pytest.mark.skipif(
    not has_plugin_type("CondaExceptionObserver"),
    reason="needs conda >= 26.7 (exception observers)",
)

CLONE_NEWNET = 0x40000000


def _isolate_network() -> str:
    """Move the test process into a fresh network namespace with only loopback.

    Then no test can reach a real resolver or host by accident: any address
    but 127.0.0.0/8 and ::1 is unreachable. Needs root; set
    NETCHECK_TEST_NETNS=0 to opt out.
    """
    if os.environ.get("NETCHECK_TEST_NETNS") == "0":
        return "network isolation disabled by NETCHECK_TEST_NETNS=0"
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "not isolated in a network namespace (needs root on Linux)"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        return f"unshare(CLONE_NEWNET) failed: errno {ctypes.get_errno()}"
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
    return "tests run in a private network namespace (loopback only)"


def pytest_configure(config: pytest.Config) -> None:
    config._netcheck_isolation = _isolate_network()  # type: ignore[attr-defined]


#: With NETCHECK_NO_SKIPS=1 (CI with conda), a skip is a failure unless it is
#: a version gate ("needs conda >= 26.7") or something root cannot test.
ALLOWED_SKIP = re.compile(r">= ?\d|as root")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("NETCHECK_NO_SKIPS") != "1" or not report.skipped:
        return
    if hasattr(report, "wasxfail"):
        return
    reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else "")
    if not ALLOWED_SKIP.search(reason):
        report.outcome = "failed"
        report.longrepr = f"NETCHECK_NO_SKIPS=1 and this test skipped: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item):
    if HAS_CONDA:
        from conda.base.context import context

        item._netcheck_conda_data = context.raw_data  # type: ignore[attr-defined]
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A test that read another configuration into conda's context leaves none of it behind.

    Tests reset the context in their own fixtures' teardown, while their
    CONDARC and HOME are still set, so the next test would start with their
    proxy or CA bundle. After every fixture is torn down (the variables are
    restored), read conda's files again if the test changed the context.
    """
    yield
    before = getattr(item, "_netcheck_conda_data", None)
    if HAS_CONDA and before is not None:
        from conda.base.context import context

        if context.raw_data is not before:
            from conda_netcheck.run import reread_conda

            reread_conda(None)


def pytest_report_header(config: pytest.Config) -> list[str]:
    conda = "conda: importable" if HAS_CONDA else f"conda: {NO_CONDA_REASON}"
    return [config._netcheck_isolation, conda]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No proxy or CA variable of the developer's shell leaks into a test."""
    from conda_netcheck.config.netconfig import ENV_VARIABLES

    for name in ENV_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    monkeypatch.delenv("ANACONDA_AUTH_PROXY_SERVERS", raising=False)
    monkeypatch.setenv(
        "ANACONDA_CONFIG_TOML", str(tmp_path / "no-anaconda-config.toml")
    )


@pytest.fixture(autouse=True)
def _forget_secrets():
    """Each test starts with no registered secret: none masks another test's output."""
    from conda_netcheck.redact import REDACTOR

    REDACTOR.clear()
    yield
    REDACTOR.clear()


@pytest.fixture
def channel_root(tmp_path: Path) -> Path:
    """A tiny real conda channel on disk."""
    from support.servers import make_channel

    return make_channel(tmp_path / "channel")


@pytest.fixture
def channel(channel_root: Path):
    """The tiny channel served over plain HTTP on an ephemeral port."""
    from support.servers import channel_server

    with channel_server(channel_root) as server:
        yield server


@pytest.fixture(scope="session")
def ca():
    """A test CA (trustme) that tests trust explicitly."""
    import trustme

    return trustme.CA()


@pytest.fixture(scope="session")
def ca_bundle(ca, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test CA as a PEM file, for ssl_verify / REQUESTS_CA_BUNDLE."""
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)
