"""The scenario table against real local peers, through the conda-free stack."""

from __future__ import annotations

import time

import pytest
from scenarios import SCENARIOS, Context

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.model import Options


@pytest.fixture
def ctx(channel_root, ca, ca_bundle) -> Context:
    return Context(channel_root, ca, ca_bundle)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_scenario_names_the_broken_layer(scenario, ctx, monkeypatch):
    with scenario.start(ctx) as setup:
        if setup.verify:
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", setup.verify)
        for key, value in setup.env.items():
            monkeypatch.setenv(key, value)
        options = Options(
            commands=Commands(),
            connect_timeout=1.0,
            read_timeout=1.0,
            resolver=setup.resolver,
        )
        start = time.monotonic()
        results = diagnose(
            urls_targets([setup.url], ("noarch",)), standalone_route, options
        )
        elapsed = time.monotonic() - start

    (result,) = results
    head = result.headline
    assert (head.code.value if head else "ok") == scenario.diagnosis
    assert (head.layer.value if head else None) == scenario.layer
    assert result.status.value == scenario.status
    if head:
        assert scenario.summary_has in head.summary
        assert head.fix, "every diagnosis comes with a fix"
    # Bounded by about one timeout, never conda's retries with backoff.
    assert elapsed < options.deadline


def test_offline_mode_sends_nothing(channel):
    options = Options(commands=Commands(), offline=True)
    (result,) = diagnose(
        urls_targets([channel.url], ("noarch",)), standalone_route, options
    )
    assert result.problem.code.value == "offline-mode"
    assert "conda config --set offline false" in result.problem.fix
    assert channel.behaviour.requests == []


def test_missing_optional_formats_are_not_errors(channel):
    filenames = ("repodata_shards.msgpack.zst", "repodata.json.zst", "repodata.json")
    options = Options(
        commands=Commands(), connect_timeout=1, read_timeout=1, filenames=filenames
    )
    (result,) = diagnose(
        urls_targets([channel.url], ("noarch",)), standalone_route, options
    )
    assert result.status.value == "ok"
    asked = [path for path, _ in channel.behaviour.requests]
    # Then the tail of repodata.json (a Range request) for the package formats.
    assert asked[:3] == [f"/noarch/{name}" for name in filenames]


def test_reads_only_the_first_kib_of_repodata(channel, channel_root):
    big = b'{"info": {}, "packages": {' + b" " * (5 * 1024 * 1024) + b"}}"
    (channel_root / "noarch" / "repodata.json").write_bytes(big)
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
    (result,) = diagnose(
        urls_targets([channel.url], ("noarch",)), standalone_route, options
    )
    assert result.status.value == "ok"
    assert "4096 bytes read" in " ".join(result.notes)


def test_redirect_chain_is_recorded(ctx):
    (scenario,) = [s for s in SCENARIOS if s.id == "ok-after-redirect"]
    with scenario.start(ctx) as setup:
        options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
        (result,) = diagnose(
            urls_targets([setup.url], ("noarch",)), standalone_route, options
        )
    assert result.redirects == [f"{setup.url}/noarch/repodata.json"]
    assert result.fetched != result.redirects[0]


def test_hosts_are_probed_once_for_all_their_targets(channel):
    calls = []

    def resolver(host, port):
        import socket

        calls.append(host)
        return socket.getaddrinfo("127.0.0.1", port, type=socket.SOCK_STREAM)

    url = channel.url.replace("127.0.0.1", "channel.test")
    subdirs = ("noarch", "linux-64", "osx-64", "win-64")
    options = Options(
        commands=Commands(), connect_timeout=1, read_timeout=1, resolver=resolver
    )
    diagnose(urls_targets([url], subdirs), _no_proxy_route, options)
    assert calls == ["channel.test"]


def _no_proxy_route(url):
    # channel.test only exists for the injected resolver: let requests connect
    # to 127.0.0.1 while the layer probes exercise the name.
    from conda_netcheck.model import Route

    route = standalone_route(url.replace("channel.test", "127.0.0.1"))
    return Route(session=_Rewrite(route.session), verify=route.verify)


class _Rewrite:
    def __init__(self, session):
        self.session = session

    def get(self, url, **kwargs):
        return self.session.get(url.replace("channel.test", "127.0.0.1"), **kwargs)


def test_forty_slow_targets_all_finish(channel):
    def slow(handler):
        time.sleep(0.5)
        return False

    channel.behaviour.handler = slow
    urls = [f"{channel.url}/c{i}" for i in range(20)]
    for i in range(20):
        for subdir in ("noarch", "linux-64"):
            (channel.behaviour.root / f"c{i}" / subdir).mkdir(parents=True)
            (channel.behaviour.root / f"c{i}" / subdir / "repodata.json").write_text(
                "{}"
            )
    options = Options(commands=Commands(), connect_timeout=2, read_timeout=3)
    targets = urls_targets(urls, ("noarch", "linux-64"))
    results = diagnose(targets, standalone_route, options)
    # In the order given, whatever order they finished in (the speed-up is
    # measured by benchmarks/bench.py, not here).
    assert [r.target for r in results] == targets
    assert [r.status.value for r in results] == ["ok"] * 40


def test_leaf_only_server_without_aia_names_both_causes(
    channel_root, tmp_path, monkeypatch
):
    import ssl

    import trustme
    from support.servers import channel_server

    root = trustme.CA()
    leaf = root.create_child_ca().issue_cert("127.0.0.1")
    cert, key = tmp_path / "leaf.pem", tmp_path / "leaf.key"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    bundle = tmp_path / "root.pem"
    root.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    with channel_server(channel_root, tls=context) as server:
        options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
        (result,) = diagnose(
            urls_targets([server.url], ("noarch",)), standalone_route, options
        )
    assert result.problem.code.value == "tls-untrusted"
    # No AIA to tell: a private CA (likelier for 127.0.0.1) or a missing
    # intermediate, both named.
    assert "sends only its own certificate" in result.problem.summary
    assert "private CA" in result.problem.summary
    assert "full certificate chain" in result.problem.fix
    # From the leaf alone a private root looks the same: the fix names both.
    assert "is your organisation's CA, give conda the root certificate" in (
        result.problem.fix.sentence
    )


def test_a_mirror_listing_only_tar_bz2_is_a_warning(tmp_path):
    from support.servers import channel_server, make_channel

    root = make_channel(tmp_path / "old-mirror", conda_format=False)
    with channel_server(root) as server:
        options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
        (result,) = diagnose(
            urls_targets([server.url], ("noarch",)), standalone_route, options
        )
        ranges = [h.get("Range") for _, h in server.behaviour.requests]
    assert result.status.value == "warning"
    assert result.warnings[0].code.value == "tar-bz2-only"
    assert "bytes=-4096" in ranges  # only the tail was read


def test_a_channel_with_both_formats_is_ok(channel):
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
    (result,) = diagnose(
        urls_targets([channel.url], ("noarch",)), standalone_route, options
    )
    assert result.status.value == "ok"


def test_a_server_stuck_on_old_tls_names_the_versions(
    channel_root, ca, ca_bundle, monkeypatch
):
    import ssl
    import warnings

    from support.servers import channel_server

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 on purpose
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_bundle)
    with channel_server(channel_root, tls=context) as server:
        options = Options(commands=Commands(), connect_timeout=1, read_timeout=2)
        (result,) = diagnose(
            urls_targets([server.url], ("noarch",)), standalone_route, options
        )
    assert result.problem.code.value == "tls-error"
    assert "this client offers TLS 1.2 to TLS 1.3" in result.problem.summary


def test_a_silent_server_is_checked_again_with_condas_timeout_first(ctx):
    (scenario,) = [s for s in SCENARIOS if s.id == "http-never-answers"]
    with scenario.start(ctx) as setup:
        options = Options(
            commands=Commands(),
            connect_timeout=1,
            read_timeout=1,
            conda_read_timeout=60,
        )
        (result,) = diagnose(
            urls_targets([setup.url], ("noarch",)), standalone_route, options
        )
    assert "stopped" not in result.problem.summary  # it never started
    assert "this check waited 1 s, conda waits 60 s" in result.problem.fix
    assert "--timeout 60" in result.problem.fix
