"""The Windows branches of the file code, forced on this machine.

Windows has no POSIX owner (st_uid is always 0), no fchmod/fchown, and cannot
open a directory to fsync it. Each POSIX-only call is guarded by a WINDOWS
flag; these tests set it and check that the POSIX call is not made and the
outcome is still right.
"""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING

import pytest

from conda_netcheck.failure import record as lastfailure
from conda_netcheck.fix import condarc, safewrite

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def directory_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every os.open of a directory (how POSIX fsyncs one)."""
    real_open = os.open
    opened: list[str] = []

    def spy(path, flags, *args, **kwargs):
        if os.path.isdir(path):
            opened.append(str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    return opened


def test_condarc_edit_fsyncs_the_directory_on_posix(tmp_path, directory_opens):
    path = tmp_path / ".condarc"
    path.write_text("channels: [conda-forge]\n")
    condarc.plan_set(path, "ssl_verify", "truststore").apply()
    assert str(tmp_path) in directory_opens


def test_condarc_edit_on_windows_skips_directory_fsync_and_posix_calls(
    tmp_path, monkeypatch, directory_opens
):
    monkeypatch.setattr(safewrite, "WINDOWS", True)
    for name in ("fchmod", "fchown"):

        def refuse(*args, name=name):
            raise AssertionError(f"os.{name} called on the Windows branch")

        monkeypatch.setattr(os, name, refuse, raising=False)
    path = tmp_path / ".condarc"
    path.write_text("channels: [conda-forge]\n")
    path.chmod(0o644)

    condarc.plan_set(path, "ssl_verify", "truststore").apply()

    assert path.read_text() == "channels: [conda-forge]\nssl_verify: truststore\n"
    assert directory_opens == []
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # through os.chmod


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="runs as root only (chown to another user)",
)
def test_owner_check_is_posix_only(tmp_path, monkeypatch):
    path = tmp_path / ".condarc"
    path.write_text("channels: [conda-forge]\n")
    os.chown(path, 65534, 65534)
    with pytest.raises(condarc.CondaRCEditError, match="owned by another user"):
        condarc.plan_set(path, "ssl_verify", "truststore").apply()

    # On Windows st_uid means nothing: the ACLs decide, and the write says so.
    monkeypatch.setattr(safewrite, "WINDOWS", True)
    condarc.plan_set(path, "ssl_verify", "truststore").apply()
    assert "ssl_verify: truststore" in path.read_text()


def _failure() -> lastfailure.LastFailure:
    return lastfailure.LastFailure(
        when=1.0e9,
        command="conda install numpy",
        url="https://repo.example/noarch/repodata.json",
        chain=(lastfailure.Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
    )


def test_record_is_private_and_replaced_atomically(tmp_path: Path):
    path = tmp_path / "data" / "conda" / lastfailure.FILE_NAME
    lastfailure.save(_failure(), path)
    lastfailure.save(_failure(), path)  # over an existing record
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [lastfailure.FILE_NAME]
    assert json.loads(path.read_text())["command"] == "conda install numpy"


def test_a_record_others_can_write_is_not_believed_on_posix(tmp_path, monkeypatch):
    path = tmp_path / lastfailure.FILE_NAME
    lastfailure.save(_failure(), path)
    path.chmod(0o666)
    assert lastfailure.load(path, max_age=0) is None
    monkeypatch.setattr(lastfailure, "WINDOWS", True)  # no mode bits to judge there
    assert lastfailure.load(path, max_age=0) is not None


def test_record_stays_bounded(tmp_path):
    path = tmp_path / lastfailure.FILE_NAME
    huge = lastfailure.LastFailure(
        when=1.0e9,
        command="conda install " + "x" * 10_000,
        url="https://repo.example/" + "y" * 10_000,
        chain=tuple(lastfailure.Link("E", "z" * 10_000) for _ in range(50)),
    )
    lastfailure.save(huge, path)
    assert path.stat().st_size <= lastfailure.MAX_BYTES
    loaded = lastfailure.load(path, max_age=0)
    assert loaded.command.startswith("conda install xxx")
    assert loaded.chain  # the outermost links are kept


def test_the_observer_reads_the_setting_settings_registers():
    from conda_netcheck.config.settings import SETTINGS

    assert lastfailure.REMEMBER_SETTING in {s.key for s in SETTINGS}
