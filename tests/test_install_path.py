"""After the index: shards, base_url and real packages, broken the ways conda meets them.

Each fault is shown twice: netcheck names it (code, resource, the failing URL)
and conda's own `conda create --download-only` (or `conda search` for shards,
which conda 26's classic solver does not read) fails on the same server.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda
from support.channel_faults import (
    CONDA_PKG,
    TAR_PKG,
    RealChannel,
    block_page,
    chain,
    conda_download,
    conda_package,
    cut_body,
    forbidden,
    forbidden_html,
    ignore_range,
    make_real_channel,
    promise_more,
    record,
    redirect_packages,
    reset_before_answer,
    serve_ranges,
    tar_bz2_package,
)
from support.servers import channel_server, closed_port

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.model import Code, Details, Options
from conda_netcheck.output import render

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

try:
    import conda._private.shards  # noqa: F401
except Exception:  # conda < 26 reads no shards, or no conda
    HAS_SHARDS = False
else:
    HAS_SHARDS = True
needs_conda_shards = pytest.mark.skipif(
    not HAS_SHARDS, reason="needs conda >= 26 (a sharded index reader)"
)

JSON_ONLY = ("repodata.json.zst", "repodata.json")
SHARDED = ("repodata_shards.msgpack.zst", *JSON_ONLY)


def check(url: str, filenames=JSON_ONLY, **options):
    """netcheck on the channel's noarch, without conda's configuration."""
    options = {"connect_timeout": 2, "read_timeout": 3, **options}
    opts = Options(commands=Commands(), filenames=filenames, **options)
    (result,) = diagnose(urls_targets([url], ("noarch",)), standalone_route, opts)
    return result


@pytest.fixture
def real(tmp_path: Path):
    return make_real_channel(tmp_path / "channel")


@pytest.fixture
def server(real):
    with channel_server(real.root) as server:
        server.behaviour.content_type = "application/octet-stream"
        server.behaviour.handler = serve_ranges(real.root)
        yield server


def test_healthy_channel_fetches_one_package_of_each_format(server):
    result = check(server.url)
    assert result.status.value == "ok"
    asked = [path for path, _ in server.behaviour.requests]
    assert f"/noarch/{CONDA_PKG}" in asked and f"/noarch/{TAR_PKG}" in asked
    assert any("size and sha256 match" in note for note in result.notes)


@needs_conda
def test_healthy_channel_conda_downloads_too(server, tmp_path):
    assert conda_download(tmp_path, server.url, "netcheck-demo").ok


# -- (1) packages: the false-ok cases -------------------------------------------

PACKAGE_FAULTS = [
    # id, handler factory, spec conda installs, code, words the summary has
    ("403-html", lambda r: forbidden_html(".conda"), "netcheck-demo",
     "http-forbidden", "Access Denied - Content Filter"),
    ("403-plain", lambda r: forbidden(".conda"), "netcheck-demo",
     "http-forbidden", "the server refused (HTTP 403"),
    ("cut-fin", lambda r: cut_body(r.root, ".conda", 0.5), "netcheck-demo",
     "download-incomplete", "ended after"),
    ("cut-rst", lambda r: cut_body(r.root, ".conda", 0.5, reset=True), "netcheck-demo",
     "download-incomplete", "ended after"),
    ("block-page", lambda r: block_page(".conda"), "netcheck-demo",
     "download-mismatch", "'Web Page Blocked'"),
    ("block-page-tar-bz2", lambda r: block_page(".tar.bz2"), "netcheck-tiny",
     "download-mismatch", "'Web Page Blocked'"),
    ("rst-before-answer", lambda r: reset_before_answer(".conda"), "netcheck-demo",
     "connection-reset", "was reset (RST) after the request"),
]  # fmt: skip


@pytest.mark.parametrize(
    "handler, spec, code, words",
    [case[1:] for case in PACKAGE_FAULTS],
    ids=[case[0] for case in PACKAGE_FAULTS],
)
def test_package_fault_is_named_with_its_url(real, server, handler, spec, code, words):
    server.behaviour.handler = chain(handler(real), serve_ranges(real.root))
    result = check(server.url)
    assert result.problem.code.value == code
    assert words in result.problem.summary
    assert result.resource.value == "package"
    assert result.url_failed.startswith(f"{server.url}/noarch/netcheck-")
    assert isinstance(result.problem.fix, str) and result.problem.fix
    text = "\n".join(render.target_lines(result))
    assert result.url_failed in text
    assert f"    fix: {result.problem.fix}" in text


@needs_conda
@pytest.mark.parametrize(
    "handler, spec",
    [case[1:3] for case in PACKAGE_FAULTS],
    ids=[case[0] for case in PACKAGE_FAULTS],
)
def test_package_fault_breaks_condas_own_download(
    real, server, tmp_path, handler, spec
):
    server.behaviour.handler = chain(handler(real), serve_ranges(real.root))
    run = conda_download(tmp_path, server.url, spec)
    assert not run.ok
    assert "CondaExitZero" not in run.out


def test_cut_package_says_how_far_it_got(real, server):
    server.behaviour.handler = chain(
        cut_body(real.root, ".conda", 1000), serve_ranges(real.root)
    )
    result = check(server.url)
    size = len(real.packages[CONDA_PKG])
    assert f"ended after 1,000 of {size:,} bytes" in result.problem.summary
    assert result.problem.details == Details(received=1000, announced=size)


def test_block_page_says_it_is_a_block_page(real, server):
    server.behaviour.handler = chain(block_page(".conda"), serve_ranges(real.root))
    result = check(server.url)
    assert (
        "an HTML page titled 'Web Page Blocked' (a block page)"
        in result.problem.summary
    )
    assert "allow .conda and .tar.bz2 files" in result.problem.fix


@pytest.fixture
def refused_base(tmp_path: Path):
    """repodata v2 whose info.base_url is a host that refuses connections."""
    port = closed_port()
    real = make_real_channel(
        tmp_path / "moved", base_url=f"http://127.0.0.1:{port}/pkgs/noarch/"
    )
    with channel_server(real.root) as server:
        server.behaviour.content_type = "application/octet-stream"
        yield server, port


def test_base_url_host_refusing_is_named(refused_base):
    server, port = refused_base
    result = check(server.url)
    assert result.problem.code.value == "connection-refused"
    assert result.resource.value == "package"
    assert result.url_failed == f"http://127.0.0.1:{port}/pkgs/noarch/{CONDA_PKG}"
    assert f"127.0.0.1:{port}" in result.problem.fix
    assert "base_url" in result.problem.fix


@needs_conda
def test_base_url_host_refusing_breaks_condas_download(refused_base, tmp_path):
    server, port = refused_base
    run = conda_download(tmp_path, server.url, "netcheck-demo")
    assert not run.ok
    assert f"127.0.0.1:{port}" in run.out


def test_base_url_on_a_second_server_is_followed(tmp_path):
    packages_root = tmp_path / "cdn"
    with channel_server(packages_root) as cdn:
        cdn.behaviour.handler = serve_ranges(packages_root)
        real = make_real_channel(tmp_path / "ch", base_url=f"{cdn.url}/noarch/")
        (packages_root / "noarch").mkdir(parents=True)
        for name, data in real.packages.items():  # the files on the second server
            (packages_root / "noarch" / name).write_bytes(data)
        with channel_server(real.root) as server:
            result = check(server.url)
    assert result.status.value == "ok"
    assert any(path.endswith(CONDA_PKG) for path, _ in cdn.behaviour.requests)
    assert not any(path.endswith(CONDA_PKG) for path, _ in server.behaviour.requests)
    assert f"{cdn.url}/noarch/{CONDA_PKG}" in result.reached


# -- (2) an index that ends early -------------------------------------------------


def test_index_cut_short_is_incomplete_not_refused(real, server):
    server.behaviour.handler = promise_more(
        "/repodata.json",
        b'{"info": {"subdir": "noarch"}, "packages": {' + b" " * 60,
        100_000,
    )
    result = check(server.url, filenames=("repodata.json",))
    assert result.problem.code.value == "download-incomplete"
    assert "repodata.json" in result.problem.summary
    assert "of 100,000 bytes" in result.problem.summary
    assert result.problem.details.announced == 100_000


# -- (3) a truncated repodata.json.zst ----------------------------------------------


@pytest.fixture
def truncated_zst(real):
    path = real.path("repodata.json.zst")
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    return real


def test_truncated_zst_is_index_corrupt_with_the_setting(truncated_zst, server):
    result = check(server.url)
    assert result.problem.code.value == "index-corrupt"
    assert "repodata.json.zst" in result.problem.summary
    assert "conda config --set repodata_use_zst false" in result.problem.fix
    assert "conda clean --index-cache" in result.problem.fix


@needs_conda
def test_truncated_zst_breaks_conda_and_the_fix_works(truncated_zst, server, tmp_path):
    broken = conda_download(tmp_path, server.url, "netcheck-demo")
    assert not broken.ok
    fixed = conda_download(
        tmp_path, server.url, "netcheck-demo", {"CONDA_REPODATA_USE_ZST": "false"}
    )
    assert fixed.ok, fixed.out


# -- (4) shards -----------------------------------------------------------------------


@needs_conda_shards
def test_condas_own_reader_accepts_the_test_shard_index(real):
    import msgpack
    from conda._private.shards.shards import Shards
    from conda._private.zstd import capped_decompress

    url = "http://127.0.0.1:1/noarch/repodata_shards.msgpack.zst"
    raw = real.path("repodata_shards.msgpack.zst").read_bytes()
    shards = Shards(msgpack.loads(capped_decompress(raw, 2**20)), url)
    shard_url = shards.shard_url("netcheck-demo")
    name = shard_url.rsplit("/", 1)[1]
    shard = msgpack.loads(
        capped_decompress(real.path(f"shards/{name}").read_bytes(), 2**20)
    )
    assert shard_url.startswith("http://127.0.0.1:1/noarch/shards/")
    assert CONDA_PKG in shard["packages.conda"]
    assert shards.base_url == "http://127.0.0.1:1/noarch/"


def test_sharded_channel_reads_one_shard(server):
    result = check(server.url, filenames=SHARDED)
    assert result.status.value == "ok"
    asked = [path for path, _ in server.behaviour.requests]
    assert any(p.startswith("/noarch/shards/") for p in asked)
    assert f"/noarch/{CONDA_PKG}" in asked


@pytest.fixture
def refused_shards(tmp_path: Path):
    port = closed_port()
    real = make_real_channel(tmp_path / "ch", shards=False)
    repodata = json.loads(real.path("repodata.json").read_text())
    real.write_shards(
        "noarch", repodata, shards_base_url=f"http://127.0.0.1:{port}/shards/"
    )
    with channel_server(real.root) as server:
        server.behaviour.content_type = "application/octet-stream"
        yield server, port


def test_shards_base_url_refusing_names_the_shard(refused_shards):
    server, port = refused_shards
    result = check(server.url, filenames=SHARDED)
    assert result.problem.code.value == "connection-refused"
    assert result.resource.value == "shards"
    assert result.url_failed.startswith(f"http://127.0.0.1:{port}/shards/")
    assert "conda config --set repodata_use_shards false" in result.problem.fix


@needs_conda_shards
def test_shards_base_url_refusing_breaks_conda_search_and_the_fix_works(
    refused_shards, tmp_path
):
    server, _ = refused_shards
    broken = conda_download(tmp_path, server.url, "netcheck-demo", search=True)
    assert not broken.ok
    fixed = conda_download(
        tmp_path,
        server.url,
        "netcheck-demo",
        {"CONDA_REPODATA_USE_SHARDS": "false"},
        search=True,
    )
    assert fixed.ok, fixed.out


def test_truncated_shard_index_is_index_corrupt(real, server):
    path = real.path("repodata_shards.msgpack.zst")
    path.write_bytes(path.read_bytes()[:-20])
    result = check(server.url, filenames=SHARDED)
    assert result.problem.code.value == "index-corrupt"
    assert result.resource.value == "shards"
    assert "conda config --set repodata_use_shards false" in result.problem.fix


def test_zstd_bomb_shard_index_is_refused_within_the_bound(real, server):
    from conda_netcheck.probes.body import _zstd_module

    bomb = _zstd_module().compress(b"\0" * (512 * 1024 * 1024))
    real.path("repodata_shards.msgpack.zst").write_bytes(bomb)
    result = check(server.url, filenames=SHARDED)
    assert len(bomb) < 64 * 1024
    assert result.problem is not None, result.notes
    assert result.problem.code.value == "index-corrupt"
    assert "conda refuses" in result.problem.summary


# -- (6) Range and redirects ------------------------------------------------------------


@pytest.fixture
def large(tmp_path: Path):
    """A channel with a small .conda and a .tar.bz2 over RESUME_MATTERS."""
    from conda_netcheck.diagnosis.packages import RESUME_MATTERS

    return make_real_channel(tmp_path / "large", tar_padding=RESUME_MATTERS + 4096)


def test_range_ignored_is_a_warning(large):
    with channel_server(large.root) as server:
        server.behaviour.handler = ignore_range(large.root)
        result = check(server.url)
    assert result.status.value == "warning"
    # Told once for the host, though the small package's resume check and the
    # large package's first bytes both found it.
    assert [w.code.value for w in result.warnings] == ["range-ignored"]
    assert f"127.0.0.1:{server.port} answers a Range request" in (
        result.warnings[0].summary
    )


def test_range_ignored_is_not_told_when_every_package_is_small(real, server):
    """Resuming a download of a few KB saves nothing: no warning, no Range probe."""
    server.behaviour.handler = ignore_range(real.root)
    result = check(server.url)
    assert result.status.value == "ok"
    assert not result.warnings
    assert not [h for _, h in server.behaviour.requests if "Range" in h]


def test_range_ignored_is_told_once_per_host(large):
    """Two channels (and two subdirs each) on one host:port: one warning, one probe."""
    make_real_channel(large.root / "mirror", tar_padding=2 * 1024 * 1024)
    with channel_server(large.root) as server:
        server.behaviour.handler = ignore_range(large.root)
        urls = [server.url, f"{server.url}/mirror"]
        opts = Options(
            commands=Commands(),
            filenames=JSON_ONLY,
            connect_timeout=2,
            read_timeout=3,
        )
        results = diagnose(
            urls_targets(urls, ("noarch", "linux-64")), standalone_route, opts
        )
    told = [w for r in results for w in r.warnings if w.code is Code.RANGE_IGNORED]
    assert len(told) == 1
    resumes = [
        h["Range"]
        for _, h in server.behaviour.requests
        if h.get("Range", "").endswith("-")  # bytes=N-, as conda resumes
    ]
    assert len(resumes) <= 1
    assert all(r.problem is None for r in results)


def test_package_redirect_to_a_dead_host_names_the_hop(real, server):
    port = closed_port()
    redirect = redirect_packages(f"http://127.0.0.1:{port}/cdn")
    server.behaviour.handler = chain(redirect, serve_ranges(real.root))
    result = check(server.url)
    assert result.problem.code.value == "connection-refused"
    assert result.url_failed == f"http://127.0.0.1:{port}/cdn/noarch/{CONDA_PKG}"
    assert f"redirected from {server.url}/noarch/{CONDA_PKG}" in result.problem.summary
    assert f"http://127.0.0.1:{port}/cdn/noarch/{CONDA_PKG}" in result.reached


def test_index_redirect_to_a_dead_host_names_the_hop(server):
    port = closed_port()
    server.behaviour.handler = None
    server.behaviour.redirect_to = f"http://127.0.0.1:{port}"
    result = check(server.url, filenames=("repodata.json",))
    assert result.problem.code.value == "connection-refused"
    assert result.url_failed == f"http://127.0.0.1:{port}/noarch/repodata.json"
    assert f"127.0.0.1:{port}" in result.problem.fix


# -- (5) JSON, text, allowlist and report name the request that failed ---------------


def test_json_and_allowlist_name_the_base_url_host(refused_base, tmp_path):
    from conda_netcheck.config.netconfig import from_environment
    from conda_netcheck.model import Report
    from conda_netcheck.output.allowlist import allowlist
    from conda_netcheck.output.report import markdown_report

    server, port = refused_base
    report = Report(targets=[check(server.url)])
    target = render.to_dict(report)["targets"][0]
    assert target["resource"] == "package"
    assert target["url_failed"] == f"http://127.0.0.1:{port}/pkgs/noarch/{CONDA_PKG}"
    addresses = {e.address: e.why for e in allowlist(report)}
    assert f"127.0.0.1:{port}" in addresses
    assert "downloads (shards, packages)" in addresses[f"127.0.0.1:{port}"]
    from conda_netcheck.output.text import text as text_of

    text = text_of(report)
    assert f"http://127.0.0.1:{port}/pkgs/noarch/{CONDA_PKG}" in text
    from conda_netcheck.output.verdict import verdict_of

    assert f"connection-refused at 127.0.0.1:{port}" in verdict_of(report).sentence()
    markdown = markdown_report(report, from_environment(), {})
    assert f"allow outbound TCP to 127.0.0.1:{port}" in markdown


def test_an_index_failure_is_the_index_resource(tmp_path):
    port = closed_port()
    report_target = check(f"http://127.0.0.1:{port}", filenames=("repodata.json",))
    from conda_netcheck.model import Report

    target = render.to_dict(Report(targets=[report_target]))["targets"][0]
    assert target["resource"] == "index"
    assert target["url_failed"] == f"http://127.0.0.1:{port}/noarch"


def test_a_healthy_target_has_no_failed_resource(server):
    from conda_netcheck.model import Report

    target = render.to_dict(Report(targets=[check(server.url)]))["targets"][0]
    assert (target["resource"], target["url_failed"]) == (None, None)


def test_index_only_fetches_no_package(server):
    result = check(server.url, check_packages=False)
    assert result.status.value == "ok"
    assert not any(
        p.endswith((".conda", ".tar.bz2")) for p, _ in server.behaviour.requests
    )


# -- proxies: Basic auth and a size cap -------------------------------------------------


def test_packages_go_through_the_proxy_with_basic_auth(server, tmp_path, monkeypatch):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path, users={"bob": "pr0xy-Secret"}) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url_with("bob", "pr0xy-Secret"))
        result = check(server.url)
        log = proxy.wait_for_log(CONDA_PKG, TAR_PKG)
    assert result.status.value == "ok", result.problem
    assert CONDA_PKG in log and TAR_PKG in log


@pytest.fixture
def capped_squid(tmp_path):
    from support.proxies import squid_proxy

    with squid_proxy(tmp_path, extra_lines=["reply_body_max_size 2 KB"]) as proxy:
        yield proxy


def test_squid_size_cap_is_named_on_the_package(server, capped_squid, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", capped_squid.url)
    result = check(server.url)
    assert result.resource.value == "package"
    assert result.problem.layer.value == "proxy"
    assert "ERR_TOO_BIG" in result.problem.summary
    assert result.url_failed.endswith(".conda")


@needs_conda
def test_squid_size_cap_breaks_condas_download(server, capped_squid, tmp_path):
    env = {"HTTP_PROXY": capped_squid.url, "http_proxy": capped_squid.url}
    run = conda_download(tmp_path, server.url, "netcheck-demo", env)
    assert not run.ok


def test_truncated_zst_is_found_beside_a_healthy_shard_index(truncated_zst, server):
    # conda 26's classic solver reads repodata.json.zst even when shards exist.
    result = check(server.url, filenames=SHARDED)
    assert result.problem.code.value == "index-corrupt"
    assert result.url_failed.endswith("/noarch/repodata.json.zst")


# -- through `conda netcheck` with conda's own settings (shards and zst on) --------------


@pytest.fixture
def conda_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A .condarc that is the only configuration conda reads; no public channel."""
    from conda.base.context import reset_context

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))

    def write(url: str) -> None:
        path = tmp_path / "condarc"
        path.write_text(
            json.dumps(
                {"channels": [url], "default_channels": [url], "channel_alias": url}
            )
        )
        monkeypatch.setenv("CONDARC", str(path))
        reset_context()

    yield write
    reset_context()


@needs_conda
def test_conda_netcheck_json_names_the_corrupt_zst(
    truncated_zst, server, conda_settings, conda_cli
):
    conda_settings(server.url)
    out, _, code = conda_cli(
        "netcheck", "--json", "--timeout", "2", f"{server.url}/noarch"
    )
    (target,) = [t for t in json.loads(out)["targets"] if t["subdir"] == "noarch"]
    assert code == 1
    assert target["diagnosis"] == "index-corrupt"
    assert target["resource"] == "index"
    assert target["url_failed"] == f"{server.url}/noarch/repodata.json.zst"
    assert "conda config --set repodata_use_zst false" in target["fix"]


@needs_conda_shards
def test_conda_netcheck_allowlist_lists_the_shards_host(
    refused_shards, conda_settings, conda_cli
):
    server, port = refused_shards
    conda_settings(server.url)
    out, _, code = conda_cli(
        "netcheck", "--allowlist", "--timeout", "2", f"{server.url}/noarch"
    )
    assert code == 1
    assert (
        f"127.0.0.1:{port}  # downloads (shards, packages) of channel {server.url}"
        in out
    )


# -- packages over the byte bound: Range for the first bytes ------------------------------


def test_a_package_over_the_bound_is_read_by_its_first_bytes(server):
    result = check(server.url, package_bytes=1000)
    assert result.status.value == "ok"
    ranges = [
        h.get("Range") for p, h in server.behaviour.requests if p.endswith(".conda")
    ]
    # Both ends, asked at once; never the whole file.
    assert sorted(ranges) == ["bytes=-1024", "bytes=0-1023"]
    assert any("first 1,024 bytes look right" in note for note in result.notes)
    assert any("its size is the index's" in note for note in result.notes)


def test_a_package_over_the_bound_without_range_is_a_warning(large):
    with channel_server(large.root) as server:
        server.behaviour.handler = ignore_range(large.root)
        result = check(server.url, package_bytes=1000)
    assert result.status.value == "warning"
    assert [w.code.value for w in result.warnings] == ["range-ignored"]


def test_a_package_missing_from_the_mirror_is_named(real, server):
    real.path(TAR_PKG).unlink()
    result = check(server.url)
    assert result.problem.code.value == "http-not-found"
    assert result.url_failed == f"{server.url}/noarch/{TAR_PKG}"
    assert "the mirror is incomplete or out of sync" in result.problem.fix


# -- bounds -------------------------------------------------------------------------------


def test_a_trickling_package_server_is_cut_off_at_the_deadline(real, server):
    import time

    def trickle(req) -> bool:
        if not req.path.endswith(".conda"):
            return False
        req.send_response(200)
        req.send_header("Content-Length", "100000")
        req.end_headers()
        for _ in range(40):  # one byte every 0.25 s: never a read timeout
            try:
                req.wfile.write(b"P")
                req.wfile.flush()
            except OSError:
                return True
            time.sleep(0.25)
        return True

    server.behaviour.handler = chain(trickle, serve_ranges(real.root))
    start = time.monotonic()
    result = check(server.url, connect_timeout=1, read_timeout=1)
    elapsed = time.monotonic() - start
    # netcheck's wait (1 s) is shorter than conda's (60 s): not unreachable yet
    assert result.problem.code.value == "no-answer-yet"
    assert result.resource.value == "package"
    assert (
        elapsed
        < Options(commands=Commands(), connect_timeout=1, read_timeout=1).deadline
    )


def test_zstd_decoding_is_bounded_in_output():
    from conda_netcheck.probes.body import Zstd, _zstd_module, unzstd

    bomb = _zstd_module().compress(b"\0" * (64 * 1024 * 1024))
    decoded = unzstd(bomb, True, 1024 * 1024, count_to=8 * 1024 * 1024)
    assert decoded.state is Zstd.OVER_BOUND
    assert len(decoded.data) == 1024 * 1024
    assert 8 * 1024 * 1024 < decoded.size <= 13 * 1024 * 1024


# -- every scenario through `conda netcheck` itself --------------------------------------


def _redirect_packages_to(port: int):
    return redirect_packages(f"http://127.0.0.1:{port}/cdn")


def _truncate(real, name: str, keep: int = -20) -> None:
    path = real.path(name)
    path.write_bytes(path.read_bytes()[:keep])


CONDA_SCENARIOS = [
    # id, setup(real, server), diagnosis, resource
    ("403-html", lambda r, s: forbidden_html(".conda"), "http-forbidden", "package"),
    ("cut-fin", lambda r, s: cut_body(r.root, ".conda", 0.5), "download-incomplete", "package"),
    ("cut-rst", lambda r, s: cut_body(r.root, ".conda", 0.5, True), "download-incomplete", "package"),
    ("block-page", lambda r, s: block_page(".conda"), "download-mismatch", "package"),
    ("redirect-dead", lambda r, s: _redirect_packages_to(closed_port()), "connection-refused", "package"),
    ("index-cut", lambda r, s: promise_more("/repodata.json.zst", b"\x28\xb5\x2f\xfd", 100_000),
     "download-incomplete", "index"),
    ("zst-truncated", lambda r, s: _truncate(r, "repodata.json.zst", 100), "index-corrupt", "index"),
    ("shard-index-truncated", lambda r, s: _truncate(r, "repodata_shards.msgpack.zst"), "index-corrupt", "shards"),
]  # fmt: skip


@needs_conda
@pytest.mark.parametrize(
    "setup, diagnosis, resource",
    [
        pytest.param(
            *case[1:],
            id=case[0],
            # conda < 26 reads no shards: those faults do not reach it.
            marks=[needs_conda_shards] if case[3] == "shards" else [],
        )
        for case in CONDA_SCENARIOS
    ],
)
def test_conda_netcheck_names_the_fault(
    real, server, conda_settings, conda_cli, setup, diagnosis, resource
):
    handler = setup(real, server)
    if handler is not None:
        server.behaviour.handler = chain(handler, serve_ranges(real.root))
    conda_settings(server.url)
    out, _, code = conda_cli(
        "netcheck", "--json", "--timeout", "2", f"{server.url}/noarch"
    )
    (target,) = [t for t in json.loads(out)["targets"] if t["subdir"] == "noarch"]
    assert (target["diagnosis"], target["resource"]) == (diagnosis, resource)
    assert target["url_failed"].startswith("http://127.0.0.1:")
    assert target["fix"]
    assert code == 1


@needs_conda
def test_conda_netcheck_is_ok_on_a_healthy_channel_with_packages(
    server, conda_settings, conda_cli
):
    conda_settings(server.url)
    out, _, code = conda_cli(
        "netcheck", "--json", "--timeout", "2", f"{server.url}/noarch"
    )
    document = json.loads(out)
    assert {t["diagnosis"] for t in document["targets"]} == {"ok"}
    assert code == 0


def test_packages_redirected_to_a_cdn_are_followed_and_allowed(real, server, tmp_path):
    from conda_netcheck.model import Report
    from conda_netcheck.output.allowlist import allowlist

    with channel_server(real.root) as cdn:
        cdn.behaviour.handler = serve_ranges(real.root)
        redirect = redirect_packages(cdn.url, (".conda", ".tar.bz2"))
        server.behaviour.handler = chain(redirect, serve_ranges(real.root))
        result = check(server.url)
    assert result.status.value == "ok", result.problem
    assert f"{cdn.url}/noarch/{CONDA_PKG}" in result.reached
    assert any(f"redirected to {cdn.url}" in note for note in result.notes)
    why = {e.address: e.why for e in allowlist(Report(targets=[result]))}
    assert f"127.0.0.1:{cdn.port}" in why


def test_a_package_over_the_bound_whose_size_differs_is_a_mismatch(real, server):
    path = real.path(CONDA_PKG)
    path.write_bytes(path.read_bytes() + b"\0" * 100)  # the mirror's file grew
    result = check(server.url, package_bytes=1000)
    assert result.problem.code.value == "download-mismatch"
    size = len(real.packages[CONDA_PKG])
    assert f"the server has {size + 100:,} bytes, the index says {size:,}" in (
        result.problem.summary
    )


@needs_conda
@pytest.mark.parametrize(
    "handler, conda_says",
    [
        pytest.param(
            lambda r: promise_more("/repodata.json.zst", b"\x28\xb5\x2f\xfd", 100_000),
            # conda 26 lets urllib3's error through, 24.11 wraps it
            ("IncompleteRead(4 bytes read, 99996 more expected)", "CONNECTION FAILED"),
            id="index-cut",
        ),
        pytest.param(
            lambda r: _redirect_packages_to(closed_port()),
            ("CONNECTION FAILED",),
            id="redirect-dead",
        ),
    ],
)
def test_the_index_cut_and_the_dead_redirect_break_condas_download(
    real, server, tmp_path, handler, conda_says
):
    server.behaviour.handler = chain(handler(real), serve_ranges(real.root))
    run = conda_download(tmp_path, server.url, "netcheck-demo")
    assert not run.ok
    assert any(words in run.out for words in conda_says), run.out[-800:]


# -- a slow link: requests that need no answer of each other are sent at once -------------


def _together(parties: int, wanted: Callable[[str, dict], bool]) -> Callable:
    """A handler that holds each wanted request until `parties` of them are in flight.

    Sent one after another, they never meet: the first waits out the bound and is
    answered 503, which the run reports. No clock is read by the test.
    """
    import threading

    barrier = threading.Barrier(parties, timeout=2.5)

    def handler(req) -> bool:
        if not wanted(req.path, dict(req.headers)):
            return False
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            req.send_response(503)
            req.send_header("Content-Length", "0")
            req.end_headers()
            return True
        return False

    return handler


def test_the_shard_and_the_json_index_beside_it_are_asked_at_once(real, server):
    def wanted(path: str, headers: dict) -> bool:
        return path.startswith("/noarch/") and (
            "/shards/" in path or path.endswith("repodata.json.zst")
        )

    server.behaviour.handler = chain(_together(2, wanted), serve_ranges(real.root))
    result = check(server.url, SHARDED, read_timeout=5)
    assert result.problem is None, result.problem
    assert any(p.startswith("/noarch/shards/") for p, _ in server.behaviour.requests)


def test_the_packages_and_their_range_checks_are_asked_at_once(large):
    """The small package whole, its resume check, the large one's two ends: 4 at once."""

    def wanted(path: str, headers: dict) -> bool:
        return path.endswith((".conda", ".tar.bz2"))

    with channel_server(large.root) as server:
        server.behaviour.handler = chain(_together(4, wanted), serve_ranges(large.root))
        result = check(server.url, read_timeout=5)
    assert result.problem is None, result.problem
    ranges = sorted(
        h.get("Range", "whole")
        for p, h in server.behaviour.requests
        if p.endswith((".conda", ".tar.bz2"))
    )
    assert len(ranges) == 4 and "whole" in ranges


@needs_conda
@pytest.mark.parametrize(
    ("conda_waits", "status", "diagnosis", "fix"),
    [
        # conda waits no longer than this run did: give conda longer, in its
        # file, as long as the finding for a timeout below 5 s asks
        (1, 1, "read-timeout", "sent nothing within conda's 1 s: try again later; if it is only "
         "slow, give it longer: conda config --file {rc} --set "
         "remote_read_timeout_secs 50"),
        # conda waits longer than this run did: not unreachable yet, check
        # again as long first
        (20, 3, "no-answer-yet", "this check waited 1 s, conda waits 20 s (remote_read_timeout_secs): "
         "check again with --timeout 20"),
    ],
    ids=["conda-waits-as-long", "conda-waits-longer"],
)  # fmt: skip
def test_a_stalled_package_fix_is_written_for_the_configuration(
    real,
    server,
    conda_settings,
    conda_cli,
    tmp_path,
    conda_waits,
    status,
    diagnosis,
    fix,
):
    """A fix after the index uses the run's commands and timeouts, as the index's do."""
    import time

    from conda.base.context import reset_context

    def stall(req) -> bool:
        if not req.path.endswith(".conda"):
            return False
        req.send_response(200)
        req.send_header("Content-Length", "100000")
        req.end_headers()
        req.wfile.write(b"P")
        req.wfile.flush()
        time.sleep(4)  # past the run's bound (--timeout 1), then give up
        return True

    server.behaviour.handler = chain(stall, serve_ranges(real.root))
    conda_settings(server.url)
    rc = tmp_path / "condarc"
    settings = json.loads(rc.read_text())
    rc.write_text(json.dumps({**settings, "remote_read_timeout_secs": conda_waits}))
    reset_context()
    out, _, code = conda_cli(
        "netcheck", "--json", "--timeout", "1", f"{server.url}/noarch"
    )
    (target,) = [t for t in json.loads(out)["targets"] if t["subdir"] == "noarch"]
    assert code == status
    assert (target["diagnosis"], target["resource"]) == (diagnosis, "package")
    assert fix.format(rc=rc) in target["fix"]


@pytest.fixture(scope="module")
def sized(tmp_path_factory):
    """One channel server for the size cases; each case restores the package."""
    real = make_real_channel(tmp_path_factory.mktemp("sized") / "channel")
    path = real.path(CONDA_PKG)
    original = path.read_bytes()
    with channel_server(real.root) as server:
        server.behaviour.content_type = "application/octet-stream"
        server.behaviour.handler = serve_ranges(real.root)
        yield server, path, original


@pytest.fixture
def package(sized):
    server, path, original = sized
    yield server, path, original
    path.write_bytes(original)


@pytest.mark.parametrize("delta", [-100, -1, 1, 100], ids=lambda d: f"{d:+d}-bytes")
@pytest.mark.parametrize("whole", [True, False], ids=["under-bound", "over-bound"])
def test_a_package_whose_size_is_not_the_indexs_is_a_mismatch(package, delta, whole):
    server, path, data = package
    size = len(data)
    path.write_bytes(data + b"\0" * delta if delta > 0 else data[:delta])
    # Under the bound the file is read whole; over it, Range reads its ends.
    result = check(server.url, package_bytes=size * 2 if whole else 1000)
    assert result.problem is not None, result.notes
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    assert result.problem.summary.startswith(f"the package {CONDA_PKG} (")
    said = (
        f"{size + delta:,} bytes instead of {size:,}"
        if whole
        else f"the server has {size + delta:,} bytes, the index says {size:,}"
    )
    assert said in result.problem.summary


def test_a_package_one_byte_over_a_bound_equal_to_its_size_is_a_mismatch(package):
    server, path, data = package
    path.write_bytes(data + b"\0")
    result = check(server.url, package_bytes=len(data))
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    size = len(data)
    assert f"{size + 1:,} bytes instead of {size:,}" in result.problem.summary


def test_a_package_of_the_indexs_size_is_not_a_mismatch(package):
    server, _, _ = package
    result = check(server.url, package_bytes=1 << 20)
    assert result.problem is None
    assert any(
        f"the package {CONDA_PKG}: " in n and "size and sha256 match" in n
        for n in result.notes
    )


@pytest.mark.parametrize(
    ("subdir_url", "base_url", "packages_at"),
    [
        ("http://h.test/c/noarch", "pkgs/", "http://h.test/c/noarch/pkgs/"),
        ("http://h.test/c/noarch/", "pkgs/", "http://h.test/c/noarch/pkgs/"),
        # No trailing slash: conda's join reads "pkgs" as a file in the subdir.
        ("http://h.test/c/noarch", "pkgs", "http://h.test/c/noarch/"),
        ("http://h.test/c/noarch", "../pkgs/", "http://h.test/c/pkgs/"),
        ("http://h.test/c/noarch", "./", "http://h.test/c/noarch/"),
        ("http://h.test/c/noarch", "/pool/", "http://h.test/pool/"),
        (
            "http://h.test/c/noarch",
            "https://cdn.test/c/noarch",
            "https://cdn.test/c/noarch/",
        ),
        ("http://h.test/c/noarch", "https://cdn.test/x/", "https://cdn.test/x/"),
        ("http://h.test/c/noarch", "s3://bucket/c/noarch", "s3://bucket/c/noarch/"),
        ("s3://bucket/c/noarch", "../pkgs/", "s3://bucket/c/pkgs/"),
        ("http://h.test:8080/c/noarch", "pkgs/", "http://h.test:8080/c/noarch/pkgs/"),
        ("http://h.test/c/noarch", None, "http://h.test/c/noarch/"),
        ("http://h.test/c/noarch/", "", "http://h.test/c/noarch/"),
    ],
)
def test_base_url_is_joined_onto_the_subdir_url_with_its_slash(
    subdir_url, base_url, packages_at
):
    from conda_netcheck.diagnosis import repodata as index

    assert index.packages_base_from_json(subdir_url, base_url) == packages_at
    if base_url and HAS_SHARDS:
        # conda's own join (its sharded reader), given the subdir with its slash.
        from conda._private.shards.misc import _safe_urljoin_with_slash

        joined = _safe_urljoin_with_slash(subdir_url.rstrip("/") + "/", base_url)
        assert joined == packages_at


_BODY = bytes(range(256)) * (3 * 64 * 4 + 1)  # 3 chunks of 64 KiB and 256 bytes


@pytest.fixture(scope="module")
def body_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("bodies")
    with channel_server(root) as server:
        server.behaviour.status = 200
        server.behaviour.body = _BODY
        server.behaviour.content_type = "application/octet-stream"
        yield server


@pytest.mark.parametrize(
    "bound",
    [
        1,
        100,
        65535,
        65536,
        65537,
        2 * 65536 + 5,
        len(_BODY) - 1,
        len(_BODY),
        len(_BODY) + 1,
    ],
)
def test_no_more_than_the_bound_is_kept(body_server, bound):
    import hashlib

    import requests

    from conda_netcheck.probes.body import Ending, fetch

    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment
        got = fetch(session, f"{body_server.url}/f.conda", 2, 2, bound)
    assert got.status == 200
    assert got.data == _BODY[:bound]
    # Reads return at most 64 KiB: a bound short of the last 256 bytes stops
    # early; one byte short may or may not (the last read can hold the rest).
    if bound <= len(_BODY) - 256:
        assert got.ending is Ending.BOUNDED
    if got.ending is Ending.BOUNDED:
        assert bound < len(_BODY)
        assert got.sha256 is None
    else:
        assert got.ending is Ending.COMPLETE
        assert (got.received, got.announced) == (len(_BODY), len(_BODY))
        assert got.sha256 == hashlib.sha256(_BODY).hexdigest()


def _zstd():
    from conda_netcheck.probes.body import _zstd_module

    module = _zstd_module()
    if module is None:
        pytest.skip("no zstd module")
    return module


def test_unzstd_says_how_decoding_ended():
    from conda_netcheck.probes.body import Zstd, unzstd

    zstd = _zstd()
    text = b"repodata " * 20000  # 180,000 bytes
    data = zstd.compress(text)
    whole = unzstd(data, True, len(text))
    assert (whole.state, whole.data, whole.size) == (Zstd.OK, text, len(text))
    bounded = unzstd(data, True, 1000)
    assert (bounded.state, bounded.data) == (Zstd.OVER_BOUND, text[:1000])
    assert bounded.size == 1000  # no counting on without count_to
    counted = unzstd(data, True, 1000, count_to=10**6)
    assert (counted.state, counted.size) == (Zstd.OVER_BOUND, len(text))
    # Counting on stops at count_to, one 4 MiB piece at a time.
    bomb = zstd.compress(b"\0" * (3 * 4 * 1024 * 1024))
    capped = unzstd(bomb, True, 1000, count_to=50_000)
    assert capped.size == 1000 + 4 * 1024 * 1024
    half = data[: len(data) // 2]
    cut = unzstd(half, True, 10**6)
    assert cut.state is Zstd.TRUNCATED and text.startswith(cut.data)
    assert cut.size == len(cut.data)
    assert unzstd(half, False, 10**6).state is Zstd.PREFIX
    assert unzstd(b"{}", True, 100).state is Zstd.NOT_ZSTD
    corrupt = unzstd(body_zstd_magic() + b"\xff" * 20, True, 1000)
    assert corrupt.state is Zstd.CORRUPT and corrupt.error
    # What decoded before the end is kept and counted, however the file ended.
    lines = b"".join(b"line %d of repodata\n" % i for i in range(20000))
    packed = zstd.compress(lines)
    nearly = unzstd(packed[:-5], True, 10**6)
    assert nearly.state is Zstd.TRUNCATED and nearly.data
    assert lines.startswith(nearly.data) and nearly.size == len(nearly.data)
    # A frame corrupt past the bound: counting on stops there, without an error.
    bad = bytearray(packed)
    at = len(packed) * 3 // 4
    bad[at : at + 8] = bytes(b ^ 0xFF for b in bad[at : at + 8])
    past = unzstd(bytes(bad), True, 1000, count_to=10**6)
    assert (past.state, past.data) == (Zstd.OVER_BOUND, lines[:1000])
    assert 1000 <= past.size < len(lines)


def body_zstd_magic() -> bytes:
    from conda_netcheck.probes.body import ZSTD_MAGIC

    return ZSTD_MAGIC


def test_a_frame_wanting_a_larger_window_is_named_as_such():
    from conda_netcheck.probes.body import Zstd, unzstd

    zstd = _zstd()
    text = bytes(range(256)) * 40000  # ~10 MB: a large window helps the encoder
    options = {zstd.CompressionParameter.window_log: 24}
    data = zstd.compress(text, options=options)
    result = unzstd(data, True, len(text), window_log=10)
    assert result.state is Zstd.WINDOW and result.error
    # The default allows 8 MiB (2**23), what zstd levels up to 19 use: not 16 MiB.
    assert unzstd(data, True, len(text)).state is Zstd.WINDOW
    assert unzstd(data, True, len(text), window_log=24).state is Zstd.OK


def test_unpack_bounds_every_container():
    import msgpack

    from conda_netcheck.probes.body import unpack

    document = {"info": {"base_url": "x"}, "packages": list(range(10))}
    assert unpack(msgpack.packb(document)).value == document
    assert unpack(msgpack.packb(document)).ok
    assert unpack(msgpack.packb(list(range(10))), max_items=10).ok
    over = unpack(msgpack.packb(list(range(10))), max_items=9)
    assert not over.ok and over.error.startswith("ValueError: ")
    assert not unpack(msgpack.packb({str(i): i for i in range(6)}), max_items=5).ok
    assert unpack(msgpack.packb({1: "int keys"})).value == {1: "int keys"}
    broken = unpack(b"\xc1")
    assert (broken.ok, broken.error.split(":")[0]) == (False, "FormatError")


def test_a_refused_fetch_has_no_body_and_names_the_url():
    import requests

    from conda_netcheck.probes.body import Ending, fetch

    url = f"http://127.0.0.1:{closed_port()}/x"
    with requests.Session() as session:
        session.trust_env = False
        got = fetch(session, url, 1, 1, 100)
    assert (got.ending, got.status, got.failed_url) == (Ending.NO_BODY, None, url)
    assert not got.answered and got.error is not None


def _fetch(server, path: str, bound: int = 1000, timeout: float = 2):
    import requests

    from conda_netcheck.probes.body import fetch

    with requests.Session() as session:
        session.trust_env = False
        return fetch(session, f"{server.url}{path}", timeout, timeout, bound)


def _raw_reply(status: str, headers: list[str], body: bytes, close: bool = True):
    def handler(req) -> bool:
        req.wfile.write(f"HTTP/1.1 {status}\r\n".encode())
        for header in headers:
            req.wfile.write(f"{header}\r\n".encode())
        req.wfile.write(b"\r\n" + body)
        req.wfile.flush()
        req.close_connection = True
        if close:
            req.connection.close()
        return True

    return handler


def test_a_body_shorter_than_announced_is_cut(body_server):
    from conda_netcheck.probes.body import Ending

    body_server.behaviour.handler = promise_more("/short", b"x" * 100, 1000)
    try:
        got = _fetch(body_server, "/short")
    finally:
        body_server.behaviour.handler = None
    assert (got.ending, got.status, got.announced) == (Ending.CUT, 200, 1000)
    assert got.data == b"x" * 100 and got.received == 100
    assert got.sha256 is None
    assert got.failed_url == f"{body_server.url}/short" or got.error is None


@pytest.mark.parametrize(
    ("length", "announced"),
    [(None, None), ("abc", None), ("5", 5)],
    ids=["no-length", "garbage-length", "length"],
)
def test_a_bounded_fetch_reads_the_announced_length_when_it_is_a_number(
    body_server, length, announced
):
    from conda_netcheck.probes.body import Ending

    headers = ["Content-Type: text/plain", "X-Test: yes"]
    if length is not None:
        headers.append(f"Content-Length: {length}")
    body_server.behaviour.handler = _raw_reply("200 Fine Here", headers, b"hello")
    try:
        got = _fetch(body_server, "/any")
    finally:
        body_server.behaviour.handler = None
    assert (got.status, got.reason, got.announced) == (200, "Fine Here", announced)
    assert got.headers["X-Test"] == "yes"
    assert got.data == b"hello" and got.ending is Ending.COMPLETE
    assert got.answered


def test_a_bounded_fetch_lists_redirects_in_order(body_server):
    def hop(req) -> bool:
        if req.path == "/a":
            req.send_response(302)
            req.send_header("Location", "/b")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return True
        return False

    body_server.behaviour.handler = hop
    try:
        got = _fetch(body_server, "/a", bound=10)
    finally:
        body_server.behaviour.handler = None
    assert got.redirects == (f"{body_server.url}/a",)
    assert got.final_url == f"{body_server.url}/b"
    assert got.data == _BODY[:10]


@pytest.mark.parametrize(
    ("size", "bound", "ending"),
    [
        (99, 100, "complete"),  # the server closed first: all of it
        (100, 100, "bounded"),  # no length: the bound reached says nothing of the end
        (101, 100, "bounded"),
        (0, 100, "complete"),
    ],
)
def test_a_body_without_a_length_is_bounded_once_the_bound_is_reached(
    body_server, size, bound, ending
):
    import hashlib

    from conda_netcheck.probes.body import Ending

    sent = b"z" * size
    body_server.behaviour.handler = _raw_reply("200 OK", ["Connection: close"], sent)
    try:
        got = _fetch(body_server, "/nolength", bound=bound)
    finally:
        body_server.behaviour.handler = None
    assert (got.ending, got.announced, got.data) == (Ending(ending), None, sent[:bound])
    if ending == "complete":
        assert got.sha256 == hashlib.sha256(sent).hexdigest() and got.received == size
    else:
        assert got.sha256 is None


def test_a_bounded_fetch_sends_the_headers_it_is_given(body_server):
    def echo(req) -> bool:
        said = req.headers.get("X-Probe", "none").encode()
        req.send_response(200)
        req.send_header("Content-Length", str(len(said)))
        req.end_headers()
        req.wfile.write(said)
        return True

    import requests

    from conda_netcheck.probes.body import fetch

    body_server.behaviour.handler = echo
    try:
        with requests.Session() as session:
            session.trust_env = False
            url = f"{body_server.url}/echo"
            given = fetch(session, url, 2, 2, 100, headers={"X-Probe": "yes"})
            none = fetch(session, url, 2, 2, 100)
    finally:
        body_server.behaviour.handler = None
    assert (given.data, none.data) == (b"yes", b"none")


def test_a_refused_fetch_after_a_redirect_names_the_request_that_failed(body_server):
    dead = f"http://127.0.0.1:{closed_port()}/moved"

    def moved(req) -> bool:
        req.send_response(302)
        req.send_header("Location", dead)
        req.send_header("Content-Length", "0")
        req.end_headers()
        return True

    from conda_netcheck.probes.body import Ending

    body_server.behaviour.handler = moved
    try:
        got = _fetch(body_server, "/first")
    finally:
        body_server.behaviour.handler = None
    assert (got.ending, got.url, got.failed_url) == (
        Ending.NO_BODY,
        f"{body_server.url}/first",
        dead,
    )


@pytest.mark.parametrize(
    ("error", "timed_out"),
    [
        (TimeoutError("x"), True),
        (OSError("read timed out"), True),
        (OSError("The read operation TIMED OUT"), True),
        (ConnectionResetError("reset by peer"), False),
        (OSError("closed"), False),
    ],
)
def test_a_bounded_read_error_is_a_stall_only_when_it_timed_out(error, timed_out):
    from conda_netcheck.probes.body import _timed_out

    assert _timed_out(error) is timed_out


# -- the rules of a package's ends (over the bound) and of the resume probe -------------

_NOT_A_PACKAGE = "its first bytes are not a package's"


@pytest.mark.parametrize(
    ("filename", "first"),
    [
        (CONDA_PKG, b"BZh"),  # a .tar.bz2's magic under a .conda name
        (CONDA_PKG, b"PK\x03\x05"),  # one byte off the zip magic
        (CONDA_PKG, b"<html><title>Blocked</title>"),
        (TAR_PKG, b"PK\x03\x04"),  # a .conda's magic under a .tar.bz2 name
        (TAR_PKG, b"BZ0"),  # the last byte of the bzip2 magic wrong
    ],
    ids=[
        "zip-name-bz2-magic",
        "zip-off-by-one",
        "zip-name-html",
        "bz2-name-zip-magic",
        "bz2-off-by-one",
    ],
)
def test_a_package_over_the_bound_whose_first_bytes_are_not_its_format_is_a_mismatch(
    real, server, filename, first
):
    """Over the bound only the ends are read: the first bytes must be its format's magic."""
    path = real.path(filename)
    data = path.read_bytes()
    path.write_bytes(first + data[len(first) :])  # same size: only the magic differs
    result = check(server.url, package_bytes=1000)
    assert result.problem is not None, result.notes
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    assert f"the package {filename}" in result.problem.summary
    assert f"the index describes: {_NOT_A_PACKAGE}" in result.problem.summary
    if not first.startswith(b"<"):  # an HTML page is also called a block page
        assert result.problem.summary.endswith(_NOT_A_PACKAGE)
    assert result.problem.details.content_type == "application/octet-stream"
    assert result.url_failed == f"{server.url}/noarch/{filename}"
    assert result.resource.value == "package"


def test_a_package_over_the_bound_whose_first_bytes_are_its_format_is_read_right(
    real, server
):
    """Both formats' own magic passes; each says its first bytes and its size are right."""
    result = check(server.url, package_bytes=1000)
    assert result.problem is None, result.problem
    for filename in (CONDA_PKG, TAR_PKG):
        size = len(real.packages[filename])
        assert f"the package {filename}: first 1,024 bytes look right (Range)" in (
            result.notes
        )
        assert f"the package {filename}: its size is the index's ({size:,} bytes)" in (
            result.notes
        )


def test_a_package_over_the_bound_without_range_on_a_small_channel_is_not_a_warning(
    real, server
):
    """Range ignored only matters for a resumed download of a large package."""
    server.behaviour.handler = ignore_range(real.root)
    result = check(server.url, package_bytes=1000)
    assert result.status.value == "ok", result.warnings
    assert not result.warnings


def _answer_resume(root: Path, status: int, body: bytes | None) -> Callable:
    """Answer a resume request (bytes=N-) with status and body (None: the real tail)."""

    def handler(req) -> bool:
        wanted = req.headers.get("Range", "")
        if not (wanted.startswith("bytes=") and wanted.endswith("-")):
            return False
        if wanted.startswith("bytes=-"):
            return False
        path = root / req.path.split("?")[0].lstrip("/")
        data = path.read_bytes()
        start = int(wanted[6:-1])
        part = data[start:] if body is None else body
        req.send_response(status)
        req.send_header("Content-Type", "application/octet-stream")
        req.send_header("Content-Length", str(len(part)))
        if status == 206:
            req.send_header(
                "Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}"
            )
        req.end_headers()
        req.wfile.write(part)
        return True

    return handler


@pytest.mark.parametrize(
    ("status", "body", "note"),
    [
        (206, None, "Range requests work"),
        # A 206 whose bytes are not the file's tail: no claim that Range works.
        (206, b"\0" * 1024, "Range request answered 206"),
        (416, b"", "Range request answered 416"),
        (500, b"oops", "Range request answered 500"),
    ],
    ids=["right-tail", "wrong-tail", "416", "500"],
)
def test_the_package_resume_probe_says_what_range_answered(large, status, body, note):
    """conda resumes with bytes=N-: only the file's own tail in a 206 means it works."""
    with channel_server(large.root) as server:
        server.behaviour.handler = chain(
            _answer_resume(large.root, status, body), serve_ranges(large.root)
        )
        result = check(server.url)
    assert result.problem is None, result.problem
    assert not result.warnings
    assert f"the package {CONDA_PKG}: {note}" in result.notes
    resumed = [h["Range"] for _, h in server.behaviour.requests if "Range" in h]
    start = len(large.packages[CONDA_PKG]) - 1024
    assert f"bytes={start}-" in resumed


def test_the_package_resume_probe_answered_whole_is_range_ignored_at_its_host(large):
    """A 200 to bytes=N- is the warning, named at the host that answered."""
    with channel_server(large.root) as server:
        server.behaviour.handler = chain(
            _answer_resume(large.root, 200, large.packages[CONDA_PKG]),
            serve_ranges(large.root),
        )
        result = check(server.url)
    assert [w.code for w in result.warnings] == [Code.RANGE_IGNORED]
    assert f"127.0.0.1:{server.port} answers a Range request" in (
        result.warnings[0].summary
    )


def _tail_without_total(root: Path, content_range: str | None) -> Callable:
    """A 206 to bytes=-N with the last bytes and no total (no Content-Range, or '*')."""

    def handler(req) -> bool:
        if not req.headers.get("Range", "").startswith("bytes=-"):
            return False
        data = (root / req.path.split("?")[0].lstrip("/")).read_bytes()[-1024:]
        req.send_response(206)
        req.send_header("Content-Length", str(len(data)))
        if content_range is not None:
            req.send_header("Content-Range", content_range)
        req.end_headers()
        req.wfile.write(data)
        return True

    return handler


@pytest.mark.parametrize(
    "content_range",
    [None, "bytes 0-1023/*", "bytes 0-1023/"],
    ids=["none", "star", "empty"],
)
def test_a_package_tail_without_a_total_size_is_no_finding(real, server, content_range):
    """The size cannot be compared: said as observed, not an error and not a match."""
    server.behaviour.handler = chain(
        _tail_without_total(real.root, content_range), serve_ranges(real.root)
    )
    result = check(server.url, package_bytes=1000)
    assert result.problem is None, result.problem
    assert result.status.value == "ok"
    said = f"the package {CONDA_PKG}: the answer to Range gives no total size"
    assert said in result.notes
    assert not any(
        n.startswith(f"the package {CONDA_PKG}: its size") for n in result.notes
    )


_TWIN = "netcheck-demo-1.0-0"  # one package listed in both formats


@pytest.fixture
def twins(tmp_path: Path):
    """A channel whose one package is listed as .conda and as .tar.bz2."""
    files = {
        f"{_TWIN}.conda": conda_package("netcheck-demo"),
        f"{_TWIN}.tar.bz2": tar_bz2_package("netcheck-demo"),
    }
    channel = RealChannel(tmp_path / "twins", files)
    for subdir in ("noarch", "linux-64"):
        (channel.root / subdir).mkdir(parents=True)
        listed = files if subdir == "noarch" else {}
        for name, data in listed.items():
            channel.path(name).write_bytes(data)
        groups = {"packages": {}, "packages.conda": {}}
        for name, data in listed.items():
            group = "packages.conda" if name.endswith(".conda") else "packages"
            groups[group][name] = record(name, data)
        channel.write_repodata(
            subdir, {"info": {"subdir": subdir}, **groups, "repodata_version": 1}
        )
    with channel_server(channel.root) as server:
        yield server


@pytest.mark.parametrize(
    ("only_tar_bz2", "fails"), [(False, False), (True, True)], ids=["both", "bz2-only"]
)
def test_a_broken_package_format_fails_the_channel_only_where_it_is_downloaded(
    twins, only_tar_bz2, fails
):
    """A broken .tar.bz2 with a .conda twin is a warning, unless use_only_tar_bz2."""
    twins.behaviour.handler = forbidden(".tar.bz2")
    result = check(twins.url, tar_bz2_only=only_tar_bz2)
    url = f"{twins.url}/noarch/{_TWIN}.tar.bz2"
    if fails:
        assert result.problem is not None and result.problem.code is Code.HTTP_FORBIDDEN
        assert result.url_failed == url
        assert not result.warnings
        return
    assert result.problem is None and result.url_failed is None
    assert result.resource is None
    assert result.status.value == "warning"
    (warning,) = result.warnings
    assert warning.code is Code.HTTP_FORBIDDEN
    assert warning.summary.endswith(
        f"; conda downloads {_TWIN}.conda instead, so conda works: other clients, "
        "or conda with use_only_tar_bz2, would fail"
    )


@pytest.mark.parametrize("over_bound", [False, True], ids=["whole", "ends"])
@pytest.mark.parametrize("moved", ["base_url", "redirect"])
def test_a_package_on_a_dead_host_names_why_conda_asks_that_host(
    tmp_path, moved, over_bound
):
    """The fix says where conda got the package's host: the index's base_url or the channel."""
    port = closed_port()
    dead = f"http://127.0.0.1:{port}"
    base = f"{dead}/pkgs/noarch/" if moved == "base_url" else ""
    real = make_real_channel(tmp_path / "moved", base_url=base)
    with channel_server(real.root) as server:
        server.behaviour.content_type = "application/octet-stream"
        redirect = redirect_packages(f"{dead}/cdn")
        server.behaviour.handler = chain(redirect, serve_ranges(real.root))
        result = check(server.url, package_bytes=1000 if over_bound else 1 << 20)
    assert result.problem is not None and result.problem.code is Code.CONNECTION_REFUSED
    assert result.resource.value == "package"
    if moved == "base_url":
        failed, why = f"{dead}/pkgs/noarch/{CONDA_PKG}", "the index's base_url"
    else:
        failed = f"{dead}/cdn/noarch/{CONDA_PKG}"
        why = f"the channel, redirected from {server.url}/noarch/{CONDA_PKG}"
    assert result.url_failed == failed
    assert result.problem.summary.startswith(f"the package {CONDA_PKG} (")
    assert (
        f"conda fetches the package {CONDA_PKG} from 127.0.0.1:{port} ({why}): "
        in result.problem.fix
    )


def test_a_package_whose_bytes_differ_at_its_size_names_both_sha256(package):
    """Same size, other bytes: the sha256 of each, 12 hex digits each."""
    import hashlib

    server, path, data = package
    other = data[:-1] + bytes([data[-1] ^ 0xFF])
    path.write_bytes(other)
    result = check(server.url, package_bytes=1 << 20)
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    got = hashlib.sha256(other).hexdigest()[:12]
    want = hashlib.sha256(data).hexdigest()[:12]
    assert result.problem.summary.endswith(f"sha256 {got}... instead of {want}...")


@pytest.mark.parametrize(
    ("digests", "bytes_differ", "said"),
    [
        (("md5",), True, "its md5 differs from the index's"),
        (("md5",), False, None),
        ((), True, None),  # nothing to compare with: the size alone
        (("md5", "sha256"), True, "sha256 "),  # sha256 first when there is one
    ],
    ids=["md5-only-differs", "md5-only-same", "no-digest", "both"],
)
def test_a_package_is_checked_with_the_digest_its_record_has(
    tmp_path, digests, bytes_differ, said
):
    import hashlib

    real = make_real_channel(tmp_path / "digests")
    data = real.packages[CONDA_PKG]
    records = {}
    for filename, body in real.packages.items():
        rec = record(filename, body)
        for digest in ("md5", "sha256"):
            if digest not in digests:
                del rec[digest]
        records[filename] = rec
    if bytes_differ:  # same size, one byte changed on the server
        real.path(CONDA_PKG).write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    repodata = {
        "info": {"subdir": "noarch"},
        "packages": {k: v for k, v in records.items() if k.endswith(".bz2")},
        "packages.conda": {k: v for k, v in records.items() if k.endswith(".conda")},
        "repodata_version": 1,
    }
    real.write_repodata("noarch", repodata)
    with channel_server(real.root) as server:
        result = check(server.url)
    if said is None:
        assert result.problem is None, result.problem
        assert hashlib.md5(data).hexdigest()  # the record's digests were removed
        return
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    assert f"the index describes: {said}" in result.problem.summary
    assert result.url_failed == f"{server.url}/noarch/{CONDA_PKG}"


def test_a_package_tail_answered_whole_says_nothing_of_its_size(real, server):
    """A server that ignores suffix ranges (bytes=-N) only: no size to compare, no finding."""

    def whole_tail(req) -> bool:
        if not req.headers.get("Range", "").startswith("bytes=-"):
            return False
        data = (real.root / req.path.split("?")[0].lstrip("/")).read_bytes()
        req.send_response(200)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)
        return True

    server.behaviour.handler = chain(whole_tail, serve_ranges(real.root))
    result = check(server.url, package_bytes=1000)
    assert result.problem is None and not result.warnings
    assert f"the package {CONDA_PKG}: first 1,024 bytes look right (Range)" in (
        result.notes
    )
    assert not [n for n in result.notes if "size" in n]


@pytest.mark.parametrize(
    "moved", [(".conda", ".tar.bz2"), (".tar.bz2",)], ids=["both", "large-only"]
)
def test_range_ignored_by_the_host_packages_are_redirected_to_is_named_there(
    tmp_path, moved
):
    """The large package's ends (and the resume probe) on the CDN: told once, for it."""
    from conda_netcheck.diagnosis.packages import RESUME_MATTERS

    large = make_real_channel(tmp_path / "large", tar_padding=RESUME_MATTERS + 4096)
    with channel_server(large.root) as cdn:
        cdn.behaviour.handler = ignore_range(large.root)
        with channel_server(large.root) as server:
            redirect = redirect_packages(cdn.url, moved)
            server.behaviour.handler = chain(redirect, serve_ranges(large.root))
            result = check(server.url)
    assert result.problem is None, result.problem
    assert [w.code for w in result.warnings] == [Code.RANGE_IGNORED], [
        w.summary for w in result.warnings
    ]
    assert f"127.0.0.1:{cdn.port} answers a Range request" in (
        result.warnings[0].summary
    )


def test_range_ignored_is_told_for_each_package_host(tmp_path):
    """Two channels on two servers that both ignore Range: each is told."""
    from conda_netcheck.diagnosis.packages import RESUME_MATTERS

    roots = [
        make_real_channel(tmp_path / name, tar_padding=RESUME_MATTERS + 4096).root
        for name in ("a", "b")
    ]
    with channel_server(roots[0]) as one, channel_server(roots[1]) as two:
        one.behaviour.handler = ignore_range(roots[0])
        two.behaviour.handler = ignore_range(roots[1])
        opts = Options(
            commands=Commands(),
            filenames=JSON_ONLY,
            connect_timeout=2,
            read_timeout=3,
        )
        results = diagnose(
            urls_targets([one.url, two.url], ("noarch",)), standalone_route, opts
        )
    told = [w.summary for r in results for w in r.warnings]
    assert len(told) == 2
    for server in (one, two):
        assert any(f"127.0.0.1:{server.port} answers a Range" in s for s in told)


# -- a bounded fetch: how a body ends, error by error --------------------------------


def _wrapped(error: BaseException, how: str, depth: int = 1) -> BaseException:
    """error wrapped depth times, as a cause, a context or an argument."""
    for _ in range(depth):
        outer = ValueError(error) if how == "argument" else RuntimeError("wrapper")
        if how == "cause":
            outer.__cause__ = error
        elif how == "context":
            outer.__context__ = error
        error = outer
    return error


def _decode_errors() -> list:
    from requests.exceptions import ContentDecodingError
    from urllib3.exceptions import DecodeError

    return [ContentDecodingError("bad gzip"), DecodeError("bad gzip")]


@pytest.mark.parametrize("kind", [0, 1], ids=["requests", "urllib3"])
@pytest.mark.parametrize(
    ("how", "depth", "found"),
    [
        ("cause", 0, True),
        ("cause", 1, True),
        ("context", 1, True),
        ("argument", 1, True),
        ("cause", 9, True),  # the tenth link is the last looked at
        ("cause", 10, False),
        ("context", 10, False),
    ],
)
def test_a_bounded_fetch_finds_a_decoding_error_through_its_wrappers(
    kind, how, depth, found
):
    from conda_netcheck.probes.body import undecodable

    assert undecodable(_wrapped(_decode_errors()[kind], how, depth)) is found


@pytest.mark.parametrize(
    "error",
    [
        None,
        OSError("reset"),
        ValueError("text, not an error"),
        _wrapped(OSError(), "cause"),
    ],
    ids=["none", "oserror", "argument-text", "wrapped-oserror"],
)
def test_a_bounded_fetch_error_that_is_not_decoding_is_not_undecodable(error):
    from conda_netcheck.probes.body import undecodable

    assert undecodable(error) is False


def _slow_reply(first: bytes, length: int, pause: float, then: bytes = b"") -> Callable:
    """200 announcing length, `first`, a pause, then `then` (or nothing) and a close."""

    def handler(req) -> bool:
        import time

        req.wfile.write(
            f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n"
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + first
        )
        req.wfile.flush()
        time.sleep(pause)
        try:
            req.wfile.write(then)
            req.wfile.flush()
        except OSError:
            pass
        req.close_connection = True
        req.connection.close()
        return True

    return handler


@pytest.mark.parametrize(
    ("pause", "then", "ending"),
    [
        (1.5, b"", "stalled"),  # no byte within the read timeout
        (0.0, b"", "cut"),  # closed before the announced length
        (0.0, b"y" * 90, "complete"),
    ],
)
def test_a_bounded_fetch_says_whether_the_body_stalled_was_cut_or_ended(
    body_server, pause, then, ending
):
    import hashlib

    from conda_netcheck.probes.body import Ending

    body_server.behaviour.handler = _slow_reply(b"x" * 10, 100, pause, then)
    try:
        got = _fetch(body_server, "/slow", timeout=0.5)
    finally:
        body_server.behaviour.handler = None
    assert got.ending is Ending(ending)
    assert got.data == b"x" * 10 + then
    assert (got.status, got.announced) == (200, 100)
    if ending == "complete":
        assert got.error is None and got.failed_url is None
        assert got.sha256 == hashlib.sha256(b"x" * 10 + then).hexdigest()
        return
    assert got.sha256 is None
    assert got.received == 10
    if ending == "stalled":  # the read raised: which request, and why
        assert got.error is not None
        assert got.failed_url == f"{body_server.url}/slow"


def test_a_bounded_fetch_of_a_trickle_stops_at_its_deadline(body_server):
    """A byte every 0.1 s never meets the read timeout; the deadline still ends it."""
    import time

    def trickle(req) -> bool:
        req.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(40):
            try:
                req.wfile.write(b"t")
                req.wfile.flush()
            except OSError:
                break
            time.sleep(0.1)
        req.close_connection = True
        return True

    from conda_netcheck.probes.body import Ending

    body_server.behaviour.handler = trickle
    start = time.monotonic()
    try:
        got = _fetch(body_server, "/trickle", timeout=0.5)
    finally:
        body_server.behaviour.handler = None
    elapsed = time.monotonic() - start
    assert got.ending is Ending.STALLED and got.error is None
    assert 0.9 < elapsed < 2.5  # connect + read timeout: one second
    assert 3 <= got.received < 30 and got.data == b"t" * got.received


@pytest.mark.parametrize("announced", [60, 600], ids=["whole", "cut-short"])
def test_a_bounded_fetch_of_a_body_not_in_its_encoding_is_undecodable(
    body_server, announced
):
    """Undecodable, whether or not the rest was still to come."""
    from conda_netcheck.probes.body import Ending

    junk = b"not gzip at all" * 4
    body_server.behaviour.handler = _raw_reply(
        "200 OK",
        ["Content-Encoding: gzip", f"Content-Length: {announced}"],
        junk,
    )
    try:
        got = _fetch(body_server, "/gz")
    finally:
        body_server.behaviour.handler = None
    assert got.ending is Ending.UNDECODABLE
    assert got.error is not None and got.sha256 is None


def test_a_package_head_without_a_content_type_is_a_mismatch_with_none(real, server):
    """The evidence says what was sent: no Content-Type is an empty one, not a guess."""

    def garbage_head(req) -> bool:
        if req.headers.get("Range", "") != "bytes=0-1023":
            return False
        body = b"\0" * 1024
        req.send_response(206)
        req.send_header("Content-Length", str(len(body)))
        req.send_header(
            "Content-Range", f"bytes 0-1023/{len(real.packages[CONDA_PKG])}"
        )
        req.end_headers()
        req.wfile.write(body)
        return True

    server.behaviour.handler = chain(garbage_head, serve_ranges(real.root))
    result = check(server.url, package_bytes=1000)
    assert result.problem.code is Code.DOWNLOAD_MISMATCH
    assert result.problem.details.content_type == ""
    assert result.problem.summary.endswith(_NOT_A_PACKAGE)


def test_the_package_resume_probe_of_a_file_under_1_kib_asks_from_its_start(tmp_path):
    """Shorter than the tail asked for: the probe resumes at byte 0, never past it."""
    from conda_netcheck.diagnosis.packages import RESUME_MATTERS

    tiny = make_real_channel(tmp_path / "tiny", padding=0, tar_padding=RESUME_MATTERS)
    assert len(tiny.packages[CONDA_PKG]) < 1024
    with channel_server(tiny.root) as server:
        server.behaviour.handler = serve_ranges(tiny.root)
        result = check(server.url)
    assert result.problem is None and not result.warnings
    assert f"the package {CONDA_PKG}: Range requests work" in result.notes
    asked = [
        h.get("Range") for p, h in server.behaviour.requests if p.endswith(".conda")
    ]
    assert "bytes=0-" in asked


def test_unpack_without_msgpack_says_no_decoder(monkeypatch):
    """Without msgpack nothing is decoded: said as such, not as a broken document."""
    import msgpack

    from conda_netcheck.probes.body import unpack

    data = msgpack.packb({"info": {}})
    monkeypatch.setitem(sys.modules, "msgpack", None)  # as where it is not installed
    got = unpack(data)
    assert (got.no_decoder, got.ok, got.value, got.error) == (True, False, None, "")


def test_unzstd_without_a_zstd_module_says_no_decoder(monkeypatch):
    from conda_netcheck.probes import body
    from conda_netcheck.probes.body import ZSTD_MAGIC, Zstd, unzstd

    # The module is looked up once per process: look again, uncached, here.
    monkeypatch.setattr(body, "_zstd_module", body._zstd_module.__wrapped__)
    for name in ("compression", "backports"):
        monkeypatch.setitem(sys.modules, name, None)  # as where neither is installed
    assert unzstd(ZSTD_MAGIC + b"\0" * 16, True, 100).state is Zstd.NO_DECODER
    assert unzstd(b"{}", True, 100).state is Zstd.NOT_ZSTD  # judged before decoding


_PLAIN = b"a" * 100_000  # gzip makes 133 bytes of it; half of those decode to 41 KB


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
@pytest.mark.parametrize("part", ["whole", "half"])
def test_a_bounded_fetch_counts_the_bytes_the_length_counts(
    body_server, encoding, part
):
    """Content-Length counts bytes on the wire: a cut compressed body is cut."""
    import gzip
    import hashlib

    from conda_netcheck.probes.body import Ending

    wire = gzip.compress(_PLAIN, mtime=0) if encoding == "gzip" else _PLAIN
    sent = wire if part == "whole" else wire[: len(wire) // 2]
    body_server.behaviour.handler = _raw_reply(
        "200 OK",
        [f"Content-Encoding: {encoding}", f"Content-Length: {len(wire)}"],
        sent,
    )
    try:
        got = _fetch(body_server, "/r.json", bound=len(_PLAIN))
    finally:
        body_server.behaviour.handler = None
    assert (got.received, got.announced) == (len(sent), len(wire))
    assert got.data == _PLAIN[: got.decoded] and got.decoded > 0
    if part == "whole":
        assert (got.ending, got.decoded) == (Ending.COMPLETE, len(_PLAIN))
        assert got.sha256 == hashlib.sha256(_PLAIN).hexdigest()
    else:
        assert (got.ending, got.sha256) == (Ending.CUT, None)


def test_a_bounded_fetch_of_a_status_without_a_reason_has_an_empty_reason(body_server):
    body_server.behaviour.handler = _raw_reply("200", ["Content-Length: 2"], b"ok")
    try:
        got = _fetch(body_server, "/bare")
    finally:
        body_server.behaviour.handler = None
    assert (got.status, got.reason, got.data) == (200, "", b"ok")


@pytest.mark.parametrize(
    ("url", "verify"),
    [
        ("http://", True),  # requests refuses the URL: its error holds no request
        ("https://127.0.0.1:{port}/x", "/nonexistent/ca.pem"),  # a plain OSError
    ],
    ids=["no-host", "missing-ca-bundle"],
)
def test_a_bounded_fetch_failing_before_sending_has_no_body_and_names_its_url(
    url, verify
):
    import requests

    from conda_netcheck.probes.body import Ending, fetch

    url = url.format(port=closed_port())
    with requests.Session() as session:
        session.trust_env, session.verify = False, verify
        got = fetch(session, url, 1, 1, 100)
    assert (got.ending, got.url, got.failed_url) == (Ending.NO_BODY, url, url)
    assert isinstance(got.error, OSError) and not got.answered
