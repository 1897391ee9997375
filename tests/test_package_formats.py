"""Only what conda fetches can fail the run: one package format per package, as conda chooses.

conda downloads the .conda file of a package when the index lists one, the
.tar.bz2 otherwise; with use_only_tar_bz2: true it ignores the .conda files.
Each row breaks one format on a real local channel whose packages exist in
both formats, asks real conda (`create --download-only`), then netcheck.
"""

from __future__ import annotations

import json

import pytest
from conftest import needs_conda
from support.channel_faults import (
    RealChannel,
    conda_download,
    conda_package,
    forbidden,
    record,
    status_for,
    tar_bz2_package,
)
from support.servers import channel_server
from test_last_failure import channels, conda, conda_env

pytestmark = needs_conda

STEM = "netcheck-demo-1.0-0"  # listed as .conda and as .tar.bz2

# id, use_only_tar_bz2, the broken format's handler, conda works, netcheck's exit,
# what netcheck says about it
ROWS = [
    ("tar-bz2-403-conda-fetched", False, forbidden(".tar.bz2"), True, 0,
     f"conda downloads {STEM}.conda instead, so conda works"),
    ("tar-bz2-500-conda-fetched", False, status_for(".tar.bz2", 500), True, 0,
     f"conda downloads {STEM}.conda instead, so conda works"),
    ("conda-404-tar-bz2-only", True, status_for(".conda", 404), True, 0, None),
    ("tar-bz2-403-tar-bz2-only", True, forbidden(".tar.bz2"), False, 1,
     "http-forbidden"),
    ("conda-403-conda-fetched", False, forbidden(".conda"), False, 1,
     "http-forbidden"),
]  # fmt: skip


@pytest.fixture
def twins(tmp_path):
    """A channel whose one package is in both formats, served on loopback."""
    files = {
        f"{STEM}.conda": conda_package("netcheck-demo"),
        f"{STEM}.tar.bz2": tar_bz2_package("netcheck-demo"),
    }
    channel = RealChannel(tmp_path / "twins", files)
    for subdir in ("noarch", "linux-64"):
        (channel.root / subdir).mkdir(parents=True)
        listed = files if subdir == "noarch" else {}
        for name, data in listed.items():
            channel.path(name).write_bytes(data)
        channel.write_repodata(
            subdir,
            {
                "info": {"subdir": subdir},
                "packages": {
                    n: record(n, d) for n, d in listed.items() if n.endswith(".bz2")
                },
                "packages.conda": {
                    n: record(n, d) for n, d in listed.items() if n.endswith(".conda")
                },
                "repodata_version": 1,
            },
        )
    with channel_server(channel.root) as server:
        yield server


@pytest.mark.parametrize(
    ("tar_bz2_only", "handler", "conda_works", "exit_status", "said"),
    [row[1:] for row in ROWS],
    ids=[row[0] for row in ROWS],
)
def test_a_broken_format_fails_the_run_only_when_conda_fetches_it(
    tmp_path, twins, tar_bz2_only, handler, conda_works, exit_status, said
):
    channel = twins
    channel.behaviour.handler = handler
    extra = {"CONDA_USE_ONLY_TAR_BZ2": "true"} if tar_bz2_only else {}
    run = conda_download(tmp_path, channel.url, "netcheck-demo", extra)
    assert run.ok is conda_works, run.out

    home = tmp_path / "home"
    home.mkdir()
    settings = {**channels(channel.url), "use_only_tar_bz2": tar_bz2_only}
    env = conda_env(home, settings)
    text = conda(env, "netcheck", "--timeout", "3")
    assert text.returncode == exit_status, text.stdout
    if said:
        assert said in text.stdout, text.stdout
    else:  # not even a warning: this configuration never asks for a .conda
        assert "⚠" not in text.stdout, text.stdout
        assert ".conda" not in text.stdout, text.stdout
    document = json.loads(conda(env, "netcheck", "--json", "--timeout", "3").stdout)
    assert document["ok"] is (exit_status == 0)
