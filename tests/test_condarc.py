"""Fixers edit one real .condarc file: only the intended lines, atomically, or not at all."""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import pickle
import random
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda
from ruamel.yaml import YAML

from conda_netcheck.config.setting_file import find_source
from conda_netcheck.exceptions import CondaRCEditError
from conda_netcheck.fix.condarc import (
    CONDA_INDENT,
    Change,
    Indent,
    detect_indent,
    plan_remove,
    plan_set,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

RICH = """\
# Team conda configuration.
# Ask #infra before changing the proxy.

channels:                 # where packages come from
  - conda-forge           # first choice
  # defaults was removed in 2023
  - https://repo.example.com/conda/internal

show_channel_urls: true
envs_dirs: [~/envs, /opt/conda-envs]   # flow list
custom_channels:
  internal: "https://repo.example.com/conda"

# Corporate proxy: both schemes go through it.
proxy_servers:
  http: http://alice:hunter22@proxy.example.com:3128   # HTTP
  https: 'proxy.example.com:3128'

# TLS
ssl_verify: false  # TODO: use truststore

# end of file
"""


def load(text: str):
    return YAML(typ="safe", pure=True).load(text)


def changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Return (removed, added) lines between two texts, as difflib sees them."""
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def comments_and_blanks(text: str) -> list[str]:
    return [
        line for line in text.splitlines() if not line.strip() or "#" in line.strip()
    ]


@pytest.fixture
def condarc(tmp_path: Path) -> Path:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    return path


def listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# --- round trip -----------------------------------------------------------------


def test_setting_a_proxy_changes_only_its_line(condarc: Path) -> None:
    change = plan_set(condarc, "proxy_servers.https", "http://proxy.example.com:3128")

    removed, added = changed_lines(change.old_text, change.new_text)
    assert removed == ["  https: 'proxy.example.com:3128'"]
    assert added == ["  https: 'http://proxy.example.com:3128'"]  # quoting kept
    assert comments_and_blanks(change.new_text) == comments_and_blanks(RICH)
    expected = load(RICH)
    expected["proxy_servers"]["https"] = "http://proxy.example.com:3128"
    assert load(change.new_text) == expected
    assert condarc.read_text() == RICH  # a plan writes nothing


def test_setting_ssl_verify_keeps_its_comment(condarc: Path) -> None:
    change = plan_set(condarc, "ssl_verify", "truststore")

    removed, added = changed_lines(change.old_text, change.new_text)
    assert removed == ["ssl_verify: false  # TODO: use truststore"]
    assert added == ["ssl_verify: truststore # TODO: use truststore"]


def test_removing_a_key_deletes_only_its_line(condarc: Path) -> None:
    change = plan_remove(condarc, "ssl_verify")

    removed, added = changed_lines(change.old_text, change.new_text)
    assert (removed, added) == (["ssl_verify: false  # TODO: use truststore"], [])
    assert "# TLS\n\n# end of file\n" in change.new_text


def test_removing_the_last_entry_removes_the_emptied_mapping(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text("# proxy\nproxy_servers:\n  https: http://p:3128\n\n# tail\nx: 1\n")

    change = plan_remove(path, "proxy_servers.https")

    assert change.new_text == "# proxy\n\n# tail\nx: 1\n"


def test_removing_an_absent_key_changes_nothing(condarc: Path) -> None:
    change = plan_remove(condarc, "offline")

    assert not change.changed
    assert change.diff() == ""
    assert change.apply() is None
    assert listing(condarc.parent) == {".condarc": RICH.encode()}


def test_removing_from_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    change = plan_remove(tmp_path / ".condarc", "offline")

    assert not change.changed
    assert change.apply() is None
    assert list(tmp_path.iterdir()) == []


def test_nested_key_without_its_mapping_is_added_before_trailing_comments(
    condarc: Path,
) -> None:
    condarc.write_text(plan_remove(condarc, "proxy_servers").new_text)
    old = condarc.read_text()

    change = plan_set(condarc, "proxy_servers.https", "http://proxy.example.com:3128")

    removed, added = changed_lines(old, change.new_text)
    assert removed == []
    assert added == ["proxy_servers:", "  https: http://proxy.example.com:3128"]
    lines = change.new_text.splitlines()
    assert (
        lines.index("proxy_servers:")
        == lines.index("ssl_verify: false  # TODO: use truststore") + 1
    )
    assert lines[-2:] == ["", "# end of file"]


def test_new_key_goes_inside_its_mapping_not_after_the_next_comment(
    condarc: Path,
) -> None:
    change = plan_set(condarc, "custom_channels.other", "https://other.example.com")

    assert (
        '  internal: "https://repo.example.com/conda"\n'
        "  other: https://other.example.com\n"
        "\n# Corporate proxy: both schemes go through it.\n"
    ) in change.new_text
    assert changed_lines(RICH, change.new_text) == (
        [],
        ["  other: https://other.example.com"],
    )


def test_flow_list_stays_a_flow_list(condarc: Path) -> None:
    change = plan_set(condarc, "envs_dirs", ["/data/envs"])

    removed, added = changed_lines(RICH, change.new_text)
    assert [line.split("#")[0].rstrip() for line in added] == [
        "envs_dirs: [/data/envs]"
    ]
    assert added[0].index("# flow list") == removed[0].index("# flow list")


@pytest.mark.parametrize(
    ("text", "indent"),
    [
        pytest.param("a: 1\n", CONDA_INDENT, id="nothing-to-go-by"),
        pytest.param("channels:\n  - x\np:\n  a: 1\n", Indent(2, 4, 2), id="conda"),
        pytest.param(
            "channels:\n- x\np:\n    a: 1\n", Indent(4, 2, 0), id="flush-lists"
        ),
        pytest.param("p:\n   a: 1\nc:\n    -   x\n", Indent(3, 8, 4), id="odd"),
        pytest.param(
            "s: |\n    k:\n     v\np:\n  a: 1\n", Indent(2, 4, 2), id="block-scalar"
        ),
        # Comment lines and what a block scalar holds say nothing; the first
        # nested line of each kind decides, measured from its own parent.
        pytest.param("p:\n# note\n   a: 1\n", Indent(3, 4, 2), id="comment-at-column-0"),
        pytest.param("s: |\n  text\np:\n   a: 1\n", Indent(3, 4, 2), id="after-a-block-scalar"),
        pytest.param("p:\n a: 1\n", Indent(1, 4, 2), id="one-space"),
        pytest.param("p:\nq:\n   a: 1\n", Indent(3, 4, 2), id="sibling-then-child"),
        pytest.param("p:\n  a:\n      b: 1\nc:\n  - x\n", Indent(2, 4, 2), id="first-nesting-wins"),
        pytest.param("p:\n  c:\n    - x\n", Indent(2, 4, 2), id="list-under-a-nested-key"),
        pytest.param("c:\n   -\n     x\n", Indent(2, 5, 3), id="dash-alone"),
        pytest.param("c:\n  -\n    q:\n      a: 1\n", Indent(2, 4, 2), id="mapping-under-a-list-item"),
        pytest.param("c:\n  -   x\n", Indent(2, 6, 2), id="blanks-after-the-dash"),
        pytest.param("p:\n  XDG: 1\n", Indent(2, 4, 2), id="only-blanks-count"),
    ],
)  # fmt: skip
def test_indentation_is_read_from_the_file(text: str, indent: Indent) -> None:
    assert detect_indent(text) == indent


def test_new_lines_follow_the_files_own_style(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text(
        "channels:\n- conda-forge\nproxy_servers:\n    http: http://p:3128\n"
    )

    change = plan_set(path, "proxy_servers.https", "http://p:3128")
    assert change.new_text.endswith(
        "    http: http://p:3128\n    https: http://p:3128\n"
    )
    path.write_text(change.new_text)
    change = plan_set(path, "channels", ["internal", "conda-forge"])
    assert change.new_text.startswith("channels:\n- internal\n- conda-forge\n")


def test_lines_ruamel_would_reformat_are_kept_unless_edited(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_bytes(b"---\nchannels:   [a,b]\r\nssl_verify:    false\r\nx:  1")

    change = plan_set(path, "offline", True)

    assert (
        change.new_text
        == "---\nchannels:   [a,b]\r\nssl_verify:    false\r\nx:  1\r\noffline: true\r\n"
    )


@needs_conda
@pytest.mark.parametrize(
    ("text", "key", "value", "expected"),
    [
        ("verify_ssl: false  # old spelling\n", "ssl_verify", "truststore", "verify_ssl: truststore # old spelling\n"),
        ("conda-build:\n  root-dir: /b\n", "conda_build.pkg_format", "2", "conda-build:\n  root-dir: /b\n  pkg_format: '2'\n"),
    ],
    ids=["top-level", "nested"],
)  # fmt: skip
def test_an_alias_is_edited_where_it_is(
    tmp_path: Path, text, key, value, expected
) -> None:
    path = tmp_path / ".condarc"
    path.write_text(text)

    change = plan_set(path, key, value)

    assert change.new_text == expected


# --- applying -------------------------------------------------------------------


def test_apply_keeps_the_mode_and_backs_up_the_old_text(condarc: Path) -> None:
    condarc.chmod(0o640)
    change = plan_set(condarc, "ssl_verify", "truststore")

    backup = change.apply()

    assert backup is not None
    assert re.fullmatch(r"\.condarc\.bak-\d{8}T\d{6}Z", backup.name)
    assert backup.read_text() == RICH
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert condarc.read_text() == change.new_text
    assert stat.S_IMODE(condarc.stat().st_mode) == 0o640
    assert sorted(p.name for p in condarc.parent.iterdir()) == [".condarc", backup.name]


def test_a_second_backup_in_the_same_second_does_not_overwrite_the_first(
    condarc: Path,
) -> None:
    change = plan_set(condarc, "ssl_verify", "truststore")
    back = dataclasses.replace(
        change, old_text=change.new_text, new_text=change.old_text
    )

    first, second = change.apply(), back.apply()

    assert first != second
    assert first.read_text() == RICH
    assert second.read_text() == change.new_text
    assert condarc.read_text() == RICH


def test_apply_creates_a_missing_file_without_a_backup(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"

    change = plan_set(path, "ssl_verify", "truststore")

    assert not change.existed
    assert change.diff().startswith("--- /dev/null\n")
    assert change.apply() is None
    assert path.read_text() == "ssl_verify: truststore\n"
    assert [p.name for p in tmp_path.iterdir()] == [".condarc"]


# --- refusals ---------------------------------------------------------------------


# Each sets the scene and returns the step that must be refused: planning
# (the file cannot be read as a .condarc) or applying a plan made earlier.


def _invalid_yaml(path: Path) -> Callable[[], object]:
    path.write_text(RICH.replace("show_channel_urls: true", "show_channel_urls: [true"))
    return lambda: plan_set(path, "ssl_verify", "truststore")


def _symlink(path: Path) -> Callable[[], object]:
    path.with_name("real-condarc").write_text(RICH)
    path.symlink_to("real-condarc")
    return lambda: plan_set(path, "ssl_verify", "truststore")


def _fifo(path: Path) -> Callable[[], object]:
    os.mkfifo(path)
    return lambda: plan_set(path, "ssl_verify", "truststore")


def _read_only(path: Path) -> Callable[[], object]:
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    path.chmod(0o444)  # refused by its mode bits, also for root
    return change.apply


def _someone_elses(path: Path) -> Callable[[], object]:
    if not IS_ROOT:
        pytest.skip("needs root to give the file to another user")
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    os.chown(path, 65534, 65534)  # nobody
    return change.apply


def _changed_since_plan(path: Path) -> Callable[[], object]:
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    path.write_text(RICH.replace("show_channel_urls: true", "show_channel_urls: false"))
    return change.apply


def _invalid_unplanned(path: Path) -> Callable[[], object]:
    path.write_text("ssl_verify: [false\n")  # a Change not made by a plan
    return Change(path, "ssl_verify: [false\n", "ssl_verify: truststore\n").apply


def _snapshot(directory: Path) -> dict[str, tuple]:
    """What a refusal must not touch: names, inodes, modes, owners, contents."""
    result = {}
    for entry in directory.iterdir():
        st = entry.lstat()
        content = entry.read_bytes() if stat.S_ISREG(st.st_mode) else None
        result[entry.name] = (st.st_ino, st.st_mode, st.st_uid, st.st_mtime_ns, content)
    return result


@pytest.mark.parametrize(
    ("scene", "reason"),
    [
        pytest.param(_invalid_yaml, r"not valid YAML \(.*line 10", id="invalid-yaml"),
        pytest.param(_symlink, "symbolic link to real-condarc", id="symlink"),
        pytest.param(_fifo, "not a regular file", id="fifo"),
        pytest.param(_read_only, r"read-only \(mode 0444\)", id="read-only"),
        pytest.param(_someone_elses, "owned by another user", id="other-owner"),
        pytest.param(_changed_since_plan, "changed since", id="changed-since-plan"),
        pytest.param(_invalid_unplanned, "not valid YAML", id="unplanned-invalid"),
    ],
)
def test_refusals_name_the_file_and_change_nothing(
    tmp_path: Path, scene: Callable[[Path], Callable[[], object]], reason: str
) -> None:
    path = tmp_path / ".condarc"
    refused_step = scene(path)
    before = _snapshot(tmp_path)

    with pytest.raises(CondaRCEditError) as caught:
        refused_step()

    assert str(path) in str(caught.value)
    assert re.search(reason, str(caught.value))
    assert caught.value.path == str(path)
    assert _snapshot(tmp_path) == before


def test_refusal_is_a_conda_error_when_conda_is_there() -> None:
    try:
        from conda import CondaError
    except ImportError:
        pytest.skip("conda is not importable")
    assert issubclass(CondaRCEditError, CondaError)
    assert "%" in str(CondaRCEditError("/tmp/%40/.condarc", "it is odd"))


def test_editing_works_without_conda(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    code = textwrap.dedent(
        """
        import sys
        sys.modules["conda"] = None  # as on a machine without conda
        from conda_netcheck.fix.condarc import plan_set
        from conda_netcheck.exceptions import CondaRCEditError
        assert CondaRCEditError.__mro__[2] is Exception
        plan_set(sys.argv[1], "ssl_verify", "truststore").apply()
        """
    )
    subprocess.run(
        [sys.executable, "-c", code, str(path)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=30,
    )
    assert "ssl_verify: truststore # TODO: use truststore\n" in path.read_text()


# --- dry run ------------------------------------------------------------------------


def test_diff_masks_the_secret_in_every_spelling(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text(
        "proxy_servers:\n"
        "  http: http://alice:hunter22@proxy.example.com:3128\n"
        "  https: http://alice:p@ss!word@proxy.example.com:3128\n"
    )
    change = plan_set(
        path, "proxy_servers.https", "http://alice:p%40ss%21word@proxy.example.com:3128"
    )

    diff = change.diff(mask=["p@ss!word"])

    assert "-  https: http://alice:<password>@proxy.example.com:3128" in diff
    assert "+  https: http://alice:<password>@proxy.example.com:3128" in diff
    assert "  http: http://alice:<password>@proxy.example.com:3128" in diff
    for secret in ("p@ss", "ss!word", "p%40ss", "%21word", "hunter22"):
        assert secret not in diff
    assert path.read_text() == change.old_text


# --- crash safety -------------------------------------------------------------------

CRASH_LOOP = textwrap.dedent(
    """
    import dataclasses, pickle, sys
    from pathlib import Path

    change = pickle.loads(Path(sys.argv[1]).read_bytes())
    back = dataclasses.replace(change, old_text=change.new_text, new_text=change.old_text)
    now = change.path.read_bytes().decode("utf-8")
    order = (change, back) if now == change.old_text else (back, change)
    print("ready", flush=True)
    while True:
        for step in order:
            step.apply(backup=True)
    """
)


def test_a_kill_at_any_moment_leaves_the_old_or_the_new_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / ".condarc"
    filler = "".join(
        f"# {i:06d} comment lines make the file large, so writing it takes time\n"
        for i in range(28_000)
    )
    path.write_text(RICH + filler + "offline: false\n")  # ~2 MB
    change = plan_set(path, "ssl_verify", "truststore")
    old, new = change.old_text.encode(), change.new_text.encode()
    assert load(change.old_text)["ssl_verify"] is False
    assert load(change.new_text)["ssl_verify"] == "truststore"
    plan = tmp_path / "plan.pickle"
    plan.write_bytes(pickle.dumps(change))

    rng = random.Random(6)
    seen = {"old": 0, "new": 0, "temp files left": 0, "backups": 0}
    started = time.monotonic()
    for _ in range(20):
        proc = subprocess.Popen(
            [sys.executable, "-c", CRASH_LOOP, str(plan)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        ready = proc.stdout.readline()
        assert ready == b"ready\n", proc.communicate(timeout=10)[1].decode()
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL

        data = path.read_bytes()
        assert data in (old, new)  # byte for byte, never a mix or a prefix
        seen["old" if data == old else "new"] += 1
        for leftover in tmp_path.iterdir():
            if leftover.name.endswith(".tmp"):
                seen["temp files left"] += 1
                leftover.unlink()
            elif ".bak-" in leftover.name:  # complete before it gets its name
                assert leftover.read_bytes() in (old, new)
                seen["backups"] += 1
                leftover.unlink()
    elapsed = time.monotonic() - started

    print(f"\ncrash test: {seen}, 20 kills in {elapsed:.1f} s")
    assert seen["backups"] > 0  # the kills did land inside the apply loop
    assert elapsed < 30


# --- where a key is set ---------------------------------------------------------------


@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    # conda reads files named .condarc or condarc, or ending in .yml or .yaml
    (tmp_path / "system").mkdir()
    (tmp_path / "user").mkdir()
    return tmp_path / "system" / ".condarc", tmp_path / "user" / ".condarc"


def _context(*paths: Path):
    from conda.base.context import Context

    return Context(search_path=[str(p) for p in paths], argparse_args=None)


@needs_conda
@pytest.mark.parametrize(
    ("system", "user", "key", "source"),
    [
        pytest.param(
            "ssl_verify: false\n",
            "ssl_verify: true\n",
            "ssl_verify",
            "user",
            id="last-wins",
        ),
        pytest.param(
            "ssl_verify: false  #!final\n",
            "ssl_verify: true\n",
            "ssl_verify",
            "system",
            id="final-wins",
        ),
        pytest.param(
            "verify_ssl: false\n", "offline: true\n", "ssl_verify", "system", id="alias"
        ),
        pytest.param(
            "proxy_servers:\n  https: http://a:1\n",
            "proxy_servers:\n  http: http://b:2\n",
            "proxy_servers.https",
            "system",
            id="map-entry-where-it-is",
        ),
        pytest.param(
            "proxy_servers:\n  https: http://a:1\n",
            "proxy_servers:\n  http: http://b:2\n",
            "proxy_servers.ftp",
            "user",
            id="new-map-entry-in-the-last-map",
        ),
        pytest.param(
            "ssl_verify: false\n",
            "channels: [x]\n",
            "offline",
            "user",
            id="unset-not-shadowed",
        ),
    ],
)
def test_find_source_names_the_file_conda_uses(
    two_files: tuple[Path, Path], system: str, user: str, key: str, source: str
) -> None:
    system_file, user_file = two_files
    system_file.write_text(system)
    user_file.write_text(user)

    found = find_source(key, _context(system_file, user_file))

    assert found == {"system": system_file, "user": user_file}[source]


@needs_conda
def test_find_source_leaves_environment_variables_alone(
    two_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    system_file, user_file = two_files
    system_file.write_text("ssl_verify: false\n")
    user_file.write_text("offline: true\n")
    monkeypatch.setenv("CONDA_SSL_VERIFY", "false")

    assert find_source("ssl_verify", _context(system_file, user_file)) is None
    assert find_source("offline", _context(system_file, user_file)) == user_file


_QUOTED_SECRET = "it's#Pl4nted"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            "  https: 'http://bob:it''s#Pl4nted@proxy.example.com:3128'",
            id="single-quoted",
        ),
        pytest.param(
            '  https: "http://bob:it\'s#Pl4nted@proxy.example.com:3128"',
            id="double-quoted",
        ),
        pytest.param("  https: 'it''s#Pl4nted'", id="single-quoted-alone"),
        pytest.param('  https: "it\'s#Pl4nted"', id="double-quoted-alone"),
    ],
)
@pytest.mark.parametrize("edit", ["set", "remove", "nearby"])
def test_diff_masks_a_secret_in_each_yaml_quoting(tmp_path: Path, line, edit) -> None:
    path = tmp_path / ".condarc"
    path.write_text(f"ssl_verify: true\nproxy_servers:\n{line}\n")
    if edit == "set":
        change = plan_set(path, "proxy_servers.https", "http://proxy.example.com:3128")
    elif edit == "remove":
        change = plan_remove(path, "proxy_servers.https")
    else:  # the secret's line is context of another key's change
        change = plan_set(path, "ssl_verify", "truststore")

    diff = change.diff(mask=[_QUOTED_SECRET])

    assert change.changed and diff
    for piece in (_QUOTED_SECRET, "it''s#Pl4nted", "Pl4nted", "s#Pl4"):
        assert piece not in diff, diff
    if edit != "set":  # the line, its secret masked, is in the diff
        assert "https: " in diff


# --- what the planner refuses, exactly -----------------------------------------------

_ITSELF = "it contains itself (an alias inside its anchor)"


@contextlib.contextmanager
def _at_most(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the block after ``seconds`` instead of hanging (POSIX)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        pytest.param(b"- a\n- b\n", "ssl_verify", "its top level is a list, not a mapping of settings", id="top-list"),
        pytest.param(b"just text\n", "ssl_verify", "its top level is a string, not a mapping of settings", id="top-string"),
        pytest.param(b"42\n", "ssl_verify", "its top level is a number, not a mapping of settings", id="top-number"),
        pytest.param(b"true\n", "ssl_verify", "its top level is a boolean, not a mapping of settings", id="top-boolean"),
        pytest.param(b"proxy_servers: http://p:1\n", "proxy_servers.https", "proxy_servers is a string, not a mapping", id="parent-string"),
        pytest.param(b"proxy_servers: [a]\n", "proxy_servers.https", "proxy_servers is a list, not a mapping", id="parent-list"),
        pytest.param(b"a:\n  b: 3\n", "a.b.c", "a.b is a number, not a mapping", id="grandparent-number"),
        pytest.param(b"a: 2024-01-31\n", "a.b", "a is a date, not a mapping", id="parent-date"),
        pytest.param(b"a: 2024-01-31 12:00:00\n", "a.b", "a is a date, not a mapping", id="parent-timestamp"),
        pytest.param(b"2024-01-31\n", "a", "its top level is a date, not a mapping of settings", id="top-date"),
        pytest.param(b"a: !!binary aGk=\n", "a.b", "a is binary data, not a mapping", id="parent-binary"),
        pytest.param(b"a: !!set {x}\n", "a.b", "a is a set, not a mapping", id="parent-set"),
        pytest.param(b"ssl_verify: caf\xe9\n", "ssl_verify", "it is not UTF-8 text (byte 15)", id="not-utf8"),
        pytest.param(b"channels: [a\nproxy: http://u:Pl4nted@p:1\n", "ssl_verify", "it is not valid YAML (", id="invalid-yaml"),
        pytest.param(b"a: !custom x\n", "ssl_verify", "it is not valid YAML (could not determine a constructor", id="unknown-tag"),
        # An alias inside its own anchor: a tree without an end, refused in bounded time.
        pytest.param(b"&top\nproxy_servers: *top\n", "ssl_verify", _ITSELF, id="top-level-in-itself"),
        pytest.param(b"&top\na:\n  b: *top\n", "a.c", _ITSELF, id="top-level-in-its-child"),
        pytest.param(b"a: &x\n  b: *x\nc: 1\n", "d", _ITSELF, id="mapping-in-itself"),
        pytest.param(b"a: &x\n  - *x\n", "d", _ITSELF, id="list-in-itself"),
        pytest.param(b"a: &x [1, [*x]]\n", "d", _ITSELF, id="flow-list-in-its-child"),
    ],
)  # fmt: skip
def test_the_planner_says_why_it_refuses(tmp_path: Path, text, key, reason) -> None:
    path = tmp_path / ".condarc"
    path.write_bytes(text)
    with pytest.raises(CondaRCEditError) as caught, _at_most(seconds=10):
        plan_set(path, key, "x")
    assert caught.value.reason.startswith(reason), caught.value.reason
    assert caught.value.path == str(path)
    assert "Pl4nted" not in str(caught.value)  # the YAML error quotes no line
    assert path.read_bytes() == text


def test_a_yaml_error_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text("ssl_verify: true\nchannels: [a\n")
    with pytest.raises(CondaRCEditError) as caught:
        plan_set(path, "ssl_verify", "false")
    assert re.fullmatch(
        r"it is not valid YAML \(.+ at line \d+, column \d+\)", caught.value.reason
    )


@pytest.mark.parametrize("key", ["", ".", "a.", ".a", "a..b", ("a", ""), (), ("a", 1)])
def test_a_key_that_is_not_a_setting_name_is_refused(tmp_path: Path, key) -> None:
    with pytest.raises(ValueError, match="not a configuration key"):
        plan_set(tmp_path / ".condarc", key, "x")


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ((1, "a", None), "x:\n  - 1\n  - a\n  - \n"),
        ({1: True, "k": 2.5}, "x:\n  '1': true\n  k: 2.5\n"),
        ([{"a": (1,)}], "x:\n  - a:\n      - 1\n"),
    ],
)
def test_values_are_written_as_yaml_data(tmp_path: Path, value, written) -> None:
    change = plan_set(tmp_path / ".condarc", "x", value)
    assert change.new_text == written
    assert not change.existed


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (object(), "object"),
        ({1, 2}, "set"),
        (b"bytes", "bytes"),
        ([object()], "object"),
    ],
)
def test_a_value_that_is_not_yaml_data_is_refused(tmp_path: Path, value, kind) -> None:
    with pytest.raises(TypeError, match=rf"^cannot write a {kind} to .condarc$"):
        plan_set(tmp_path / ".condarc", "x", value)


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("")
    return tmp_path / "file" / ".condarc"


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        pytest.param(
            _under_a_file, "it cannot be read (Not a directory)", id="stat-fails"
        ),
        pytest.param(
            lambda _: Path("/proc/self/mem"),
            "it cannot be read (Input/output error)",
            id="read-fails",
            marks=pytest.mark.skipif(
                not sys.platform.startswith("linux"), reason="a Linux file"
            ),
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path, where, reason) -> None:
    path = where(tmp_path)
    with pytest.raises(CondaRCEditError) as caught:
        plan_set(path, "ssl_verify", False)
    assert (caught.value.path, caught.value.reason) == (str(path), reason)


def test_a_dangling_symlink_is_refused_with_its_target(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.symlink_to(tmp_path / "gone")
    with pytest.raises(CondaRCEditError) as caught:
        plan_set(path, "ssl_verify", "false")
    assert caught.value.reason == (
        f"it is a symbolic link to {tmp_path / 'gone'}; edit the file it points to instead"
    )


@pytest.mark.parametrize(
    ("scene", "reason"),
    [
        pytest.param(
            "deleted", "it was deleted since the change was planned", id="deleted"
        ),
        pytest.param(
            "created", "it was created since the change was planned", id="created"
        ),
        pytest.param(
            "no-directory", "its directory {dir} does not exist", id="no-directory"
        ),
    ],
)
def test_apply_refuses_a_file_that_is_not_as_planned(
    tmp_path: Path, scene, reason
) -> None:
    path = tmp_path / "conf" / ".condarc"
    path.parent.mkdir()
    if scene == "deleted":
        path.write_text("ssl_verify: true\n")
        change = plan_set(path, "ssl_verify", "false")
        path.unlink()
    elif scene == "created":
        change = plan_set(path, "ssl_verify", "false")
        path.write_text("ssl_verify: true\n")
    else:
        change = plan_set(path, "ssl_verify", "false")
        path.parent.rmdir()
    with pytest.raises(CondaRCEditError) as caught:
        change.apply()
    assert caught.value.reason == reason.format(dir=path.parent)
    assert caught.value.path == str(path)
    with pytest.raises(CondaRCEditError):
        change.check()


def test_a_new_file_gets_the_umask_mode_and_no_backup(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    change = plan_set(path, "ssl_verify", "truststore")
    old = os.umask(0o027)
    try:
        assert change.apply() is None
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == "ssl_verify: truststore\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".condarc"]


def test_apply_of_an_unchanged_plan_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text("ssl_verify: truststore\n")
    change = plan_set(path, "ssl_verify", "truststore")
    assert not change.changed and change.diff() == ""
    assert change.apply() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".condarc"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: b: c\n", "it is not valid YAML (mapping values are not allowed here at line 1, column 5)"),
        ("x: [1\ny: 2\n", "it is not valid YAML (expected ',' or ']', but got ':' at line 2, column 2)"),
    ],
)  # fmt: skip
def test_a_yaml_error_says_ruamels_problem_and_where(
    tmp_path: Path, text, reason
) -> None:
    path = tmp_path / ".condarc"
    path.write_text(text)
    with pytest.raises(CondaRCEditError) as caught:
        plan_set(path, "ssl_verify", "false")
    assert caught.value.reason == reason


def test_the_diff_is_a_unified_diff_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text("channels:\n  - conda-forge\nssl_verify: true")  # no final newline
    change = plan_set(path, "ssl_verify", "truststore")
    assert change.diff() == (
        f"--- {path}\n+++ {path}\n@@ -1,3 +1,3 @@\n channels:\n   - conda-forge\n"
        "-ssl_verify: true\n\\ No newline at end of file\n+ssl_verify: truststore\n"
    )
    new = plan_set(tmp_path / "new" / ".condarc", "ssl_verify", "truststore")
    assert new.diff() == (
        f"--- /dev/null\n+++ {tmp_path / 'new' / '.condarc'}\n@@ -0,0 +1 @@\n"
        "+ssl_verify: truststore\n"
    )


# --- the written file and its backup: mode, group, name, content ---------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o664, 0o666, 0o2664])
def test_apply_keeps_every_mode_bit_on_the_file_and_its_backup(
    tmp_path: Path, mode: int
) -> None:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    path.chmod(mode)
    change = plan_set(path, "ssl_verify", "truststore")

    backup = change.apply()

    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE(backup.stat().st_mode) == mode
    assert backup.read_text() == RICH
    assert path.read_text() == change.new_text


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
@pytest.mark.parametrize(
    ("umask", "mode"), [(0o000, 0o666), (0o022, 0o644), (0o077, 0o600), (0o002, 0o664)]
)
def test_a_new_file_gets_the_mode_the_umask_leaves(
    tmp_path: Path, umask: int, mode: int
) -> None:
    path = tmp_path / ".condarc"
    change = plan_set(path, "ssl_verify", "truststore")
    old = os.umask(umask)
    try:
        assert change.apply() is None
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"ssl_verify: truststore\n"


@pytest.mark.skipif(not IS_ROOT, reason="needs root to give the file another group")
def test_apply_keeps_the_files_group_on_the_file_and_its_backup(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    os.chown(path, -1, 65534)  # the owner's, another group
    change = plan_set(path, "ssl_verify", "truststore")

    backup = change.apply()

    assert (path.stat().st_uid, path.stat().st_gid) == (os.geteuid(), 65534)
    assert (backup.stat().st_uid, backup.stat().st_gid) == (os.geteuid(), 65534)


def _stamps() -> list[str]:
    """The backup stamps of the next five seconds (a busy machine is slow to apply)."""
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    return [(now + timedelta(seconds=s)).strftime("%Y%m%dT%H%M%SZ") for s in range(5)]


@pytest.mark.parametrize("taken", [1, 2, 5])
def test_a_backup_takes_the_first_free_name(tmp_path: Path, taken: int) -> None:
    """<name>.bak-<stamp>, then -1, -2, ...: never over an existing backup."""
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    before = {}
    for stamp in _stamps():
        for n in range(taken):
            name = f".condarc.bak-{stamp}" + (f"-{n}" if n else "")
            (tmp_path / name).write_text(f"older backup {n}\n")
            before[name] = f"older backup {n}\n"

    backup = change.apply()

    assert re.fullmatch(rf"\.condarc\.bak-\d{{8}}T\d{{6}}Z-{taken}", backup.name)
    assert backup.read_text() == RICH
    assert {name: (tmp_path / name).read_text() for name in before} == before
    assert path.read_text() == change.new_text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_backup_with_no_free_name_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    """A thousand backups of this second already: the edit is refused, not made unbacked."""
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    for stamp in _stamps():
        for n in range(1000):  # links: one system call each, fast on a busy machine
            os.link(
                empty, tmp_path / (f".condarc.bak-{stamp}" + (f"-{n}" if n else ""))
            )
    names = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(CondaRCEditError) as caught:
        change.apply()

    assert caught.value.reason.startswith("the backup could not be written (")
    assert caught.value.path == str(path)
    assert path.read_text() == RICH
    assert sorted(p.name for p in tmp_path.iterdir()) == names  # no temp file left


def test_apply_without_backup_writes_only_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".condarc"
    path.write_text(RICH)
    change = plan_set(path, "ssl_verify", "truststore")
    assert change.apply(backup=False) is None
    assert path.read_text() == change.new_text
    assert [p.name for p in tmp_path.iterdir()] == [".condarc"]


# --- where a key is set: the rules of conda's merge, one case each -------------------


@needs_conda
@pytest.mark.parametrize(
    ("system", "user", "key", "source"),
    [
        pytest.param(
            "proxy_servers:\n  https: http://a:1  #!final\n",
            "proxy_servers:\n  https: http://b:2\n",
            "proxy_servers.https",
            "system",
            id="final-map-entry-wins",
        ),
        pytest.param(
            "proxy_servers:\n  https: http://a:1\n",
            "proxy_servers:\n  https: http://b:2\n",
            "proxy_servers.https",
            "user",
            id="map-entry-set-twice-last-wins",
        ),
        pytest.param(
            "proxy_servers:  #!final\n  https: http://a:1\n",
            "proxy_servers:\n  http: http://b:2\n",
            "proxy_servers.http",
            "system",
            id="final-map-hides-later-maps",
        ),
        pytest.param(
            "proxy_servers:\n  https: http://a:1\n",
            "proxy_servers: ~\n",
            "proxy_servers.http",
            "system",
            id="null-map-does-not-count",
        ),
        pytest.param(
            "ssl_verify: false  #!final\n",
            "verify_ssl: true\n",
            "ssl_verify",
            "system",
            id="final-hides-a-later-alias",
        ),
        pytest.param(
            "offline: true\n",
            "verify_ssl: true  #!final\n",
            "ssl_verify",
            "user",
            id="final-on-the-last-file",
        ),
        pytest.param(
            "channels: [x]\n",
            "offline: true\n",
            "proxy_servers.https",
            "user",
            id="map-set-nowhere-goes-to-the-last-file",
        ),
    ],
)
def test_find_source_follows_condas_merge(
    two_files: tuple[Path, Path], system: str, user: str, key: str, source: str
) -> None:
    system_file, user_file = two_files
    system_file.write_text(system)
    user_file.write_text(user)

    found = find_source(key, _context(system_file, user_file))

    assert found == {"system": system_file, "user": user_file}[source]


@needs_conda
def test_find_source_of_an_unset_key_is_the_user_file_when_conda_reads_it(
    two_files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """conda config --set writes ~/.condarc: there, when conda reads it."""
    import conda.base.context

    system_file, user_file = two_files
    system_file.write_text("channels: [x]\n")
    user_file.write_text("channels: [y]\n")
    home_file = tmp_path / "home" / ".condarc"
    home_file.parent.mkdir()
    home_file.write_text("channels: [z]\n")
    monkeypatch.setattr(conda.base.context, "user_rc_path", str(home_file))

    read = _context(system_file, home_file, user_file)
    assert find_source("offline", read) == home_file
    assert find_source("offline", _context(system_file, user_file)) == user_file


@needs_conda
@pytest.mark.parametrize(
    ("standard", "expected"),
    [(True, "home"), (False, "last")],
    ids=["conda's-search-path", "another-search-path"],
)
def test_find_source_of_an_unset_key_counts_a_user_file_not_created_yet(
    two_files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    standard: bool,
    expected: str,
) -> None:
    """conda leaves a missing ~/.condarc out of its search path, yet reads it once created."""
    import conda.base.context

    system_file, user_file = two_files
    system_file.write_text("channels: [x]\n")
    home_file = tmp_path / "home" / ".condarc"  # not there yet
    monkeypatch.setattr(conda.base.context, "user_rc_path", str(home_file))
    # $CONDARC is on conda's search path: the file it names is a standard place.
    monkeypatch.setenv("CONDARC", str(system_file))
    other = user_file
    other.write_text("channels: [y]\n")
    read = _context(system_file if standard else other)
    assert find_source("offline", read) == (home_file if expected == "home" else other)


@needs_conda
def test_find_source_without_any_condarc_is_the_user_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No file at all: `conda config --set` creates ~/.condarc, and conda reads it."""
    import conda.base.context

    home_file = tmp_path / "home" / ".condarc"  # not there yet
    monkeypatch.setattr(conda.base.context, "user_rc_path", str(home_file))
    assert find_source("offline", _context(tmp_path / "nothing" / ".condarc")) == (
        home_file
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("http://bob:pa'ss@p.test:1", "http://bob:pa%27ss@p.test:1"),
        ("http://bob:secret@p.test:1", "http://bob:0ther@p.test:1"),
    ],
    ids=["re-encoded-quote", "plain"],
)
@pytest.mark.parametrize("quoted", ["single", "double"])
def test_the_diff_names_a_labelled_secret_in_each_of_its_forms(
    tmp_path: Path, old: str, new: str, quoted: str
) -> None:
    """A label replaces the secret (and its YAML-doubled quote); nothing else is hidden."""
    path = tmp_path / ".condarc"
    value = (
        f"'{old.replace(chr(39), chr(39) * 2)}'" if quoted == "single" else f'"{old}"'
    )
    path.write_text(f"proxy_servers:\n  https: {value}\n")
    change = plan_set(path, "proxy_servers.https", new)
    secret, encoded = old.split(":")[2].split("@")[0], new.split(":")[2].split("@")[0]
    labels = {secret: "<password: old>", encoded: "<password: new>"}

    diff = change.diff(labels=labels)

    assert secret not in diff and secret.replace("'", "''") not in diff
    assert "<password: old>" in diff and "<password: new>" in diff
    assert "bob:" in diff and "@p.test:" in diff  # only the secret is replaced


# --- the merge: an edit changes its own lines and leaves every other byte --------------

# Each file has lines ruamel would write another way ("a:  1", "[x,y]", no final
# newline, CRLF): the new text is exactly the old one with the edited lines
# changed, wherever the edit falls (the first line, the middle, the last, nested,
# the only key, next to comments). A merge that lost its anchor would fall back to
# ruamel's own text and reformat the untouched lines, which these texts tell apart.
QUIRKY = "a:  1\nb:   [x,y]\nc: 'q'\n"

EDITS = [
    pytest.param(QUIRKY, ("set", "a", 2), "a: 2\nb:   [x,y]\nc: 'q'\n", id="set-first-line"),
    pytest.param(QUIRKY, ("set", "b", ["z"]), "a:  1\nb: [z]\nc: 'q'\n", id="set-middle-line"),
    pytest.param(QUIRKY, ("set", "c", "r"), "a:  1\nb:   [x,y]\nc: 'r'\n", id="set-last-line"),
    pytest.param(QUIRKY, ("remove", "a"), "b:   [x,y]\nc: 'q'\n", id="remove-first-line"),
    pytest.param(QUIRKY, ("remove", "b"), "a:  1\nc: 'q'\n", id="remove-middle-line"),
    pytest.param(QUIRKY, ("remove", "c"), "a:  1\nb:   [x,y]\n", id="remove-last-line"),
    pytest.param(QUIRKY, ("set", "d", 1), QUIRKY + "d: 1\n", id="add-a-key"),
    pytest.param("a:  1\nb: [x,y]", ("set", "d", 1), "a:  1\nb: [x,y]\nd: 1\n", id="no-final-newline"),
    pytest.param("a:  1\r\nb: 2\r\n", ("set", "b", 3), "a:  1\r\nb: 3\r\n", id="crlf-set"),
    pytest.param("a:  1\r\nb: 2\r\n", ("set", "c", 3), "a:  1\r\nb: 2\r\nc: 3\r\n", id="crlf-add"),
    pytest.param("a:  1\nb: https://x.org/X\n", ("set", "b", "https://x.org/"), "a:  1\nb: https://x.org/\n", id="value-loses-its-last-character"),
    pytest.param("a:  1\n", ("set", "b", "w " * 60 + "w"), "a:  1\nb: " + "w " * 60 + "w\n", id="long-value-not-wrapped"),
    pytest.param("a:   [x,\n   y]\nb: [1,2]\n", ("set", "c", 1), "a:   [x,\n   y]\nb: [1,2]\nc: 1\n", id="flow-list-over-two-lines"),
    pytest.param("# only a comment\n", ("set", "d", 1), "# only a comment\nd: 1\n", id="comment-only-file"),
    pytest.param("# c\n{}\n", ("set", "d", 1), "# c\nd: 1\n", id="empty-flow-mapping"),
    pytest.param("a: 1\n", ("remove", "a"), "", id="remove-the-only-key"),
    pytest.param("# head\na: 1\n", ("remove", "a"), "# head\n", id="remove-the-only-key-after-a-comment"),
    pytest.param("a: 1 # eol\n# tail\n", ("remove", "a"), "# tail\n", id="remove-the-only-key-before-a-comment"),
    pytest.param("a: 1\n# about b\nb: 2\n", ("remove", "a"), "# about b\nb: 2\n", id="remove-the-first-key-keeps-the-next-comment"),
    pytest.param("a: 1\nb: 2\n# about c\nc: 3\n", ("remove", "b"), "a: 1\n# about c\nc: 3\n", id="remove-the-second-key-keeps-the-next-comment"),
    pytest.param("p:\n  a: 1\n  # about b\n  b: 2\nz:   1\n", ("remove", "p.a"), "p:\n  # about b\n  b: 2\nz:   1\n", id="remove-a-nested-first-key"),
    pytest.param("p:\n  a: 1\n  b: 2\nz:   1\n", ("remove", "p.b"), "p:\n  a: 1\nz:   1\n", id="remove-a-nested-key-its-mapping-keeps"),
    pytest.param("p:\n  a: 1\n# tail\nq: 1\n", ("remove", "p.a"), "# tail\nq: 1\n", id="remove-a-nested-only-key"),
    pytest.param("p:\n  a: 1\n  b: 2\nz:   1\n", ("set", "p.c.d", 1), "p:\n  a: 1\n  b: 2\n  c:\n    d: 1\nz:   1\n", id="add-two-levels-in-a-mapping"),
    pytest.param("p:\n  a:\n    b: 2\nz:   1\n", ("set", "p.a.c", 1), "p:\n  a:\n    b: 2\n    c: 1\nz:   1\n", id="add-three-levels-deep"),
    pytest.param("p:\n  a: 1\nz:   1\n", ("set", "p.b.c", 1), "p:\n  a: 1\n  b:\n    c: 1\nz:   1\n", id="add-a-mapping-in-a-mapping"),
    pytest.param("a:\nb:   1\n# tail\n", ("set", "a.x", 1), "a:\n  x: 1\nb:   1\n# tail\n", id="fill-an-empty-key"),
    pytest.param("a:\n  x: 1\n# tail\nb:   2\n", ("set", "a", "s"), "a: s\n# tail\nb:   2\n", id="mapping-becomes-a-string"),
    pytest.param("channels:\n  - a\n  - b\n# tail\n", ("set", "z", 1), "channels:\n  - a\n  - b\nz: 1\n# tail\n", id="add-after-a-block-list"),
    pytest.param("channels:\n  - a\n  - b\n# tail\nq:   1\n", ("set", "channels", ["c"]), "channels:\n  - c\n# tail\nq:   1\n", id="replace-a-block-list"),
    pytest.param("a: 1\n# tail\n", ("set", "channels", ["x"]), "a: 1\nchannels:\n  - x\n# tail\n", id="add-a-block-list"),
    pytest.param("a: 1\n# tail\n", ("set", "p", {"x": 1}), "a: 1\np:\n  x: 1\n# tail\n", id="add-a-block-mapping"),
    pytest.param("a: 1\n# tail\n", ("set", "p.q", ["x"]), "a: 1\np:\n  q:\n    - x\n# tail\n", id="add-a-nested-block-list"),
    pytest.param("p:\n  a: 1\n# tail\nq:   1\n", ("set", "p", {"b": 2}), "p:\n  b: 2\n# tail\nq:   1\n", id="replace-a-block-mapping"),
    pytest.param("p:\n  a: 1\n# tail\nq:   1\n", ("set", "p.a", ["b"]), "p:\n  a:\n    - b\n# tail\nq:   1\n", id="nested-string-becomes-a-list"),
    pytest.param("p: {http: x}\nb:   1\n", ("set", "p", {"http": "a", "https": "b"}), "p: {http: a, https: b}\nb:   1\n", id="replace-a-flow-mapping"),
    pytest.param("b:   1\np: {http: x}  # c\n# tail\n", ("set", "p.https", "y"), "b:   1\np: {http: x, https: y} # c\n# tail\n", id="add-in-a-flow-mapping"),
    pytest.param("b:   1\np: [x]  # c\n# tail\n", ("set", "q", "y"), "b:   1\np: [x]  # c\nq: y\n# tail\n", id="add-after-a-flow-list"),
    pytest.param("b:   1\np: {x: 1}  # c\n# tail\n", ("set", "q", "y"), "b:   1\np: {x: 1}  # c\nq: y\n# tail\n", id="add-after-a-flow-mapping"),
    pytest.param("a: 1 # c", ("set", "b", 1), "a: 1 # c\nb: 1\n", id="add-after-a-last-comment"),
    pytest.param("p: [x]  # c\nb: 2\n# tail\n", ("remove", "b"), "p: [x]  # c\n# tail\n", id="remove-after-a-flow-list"),
    pytest.param("b:   1\na: ~\n", ("set", "c", 1), "b:   1\na: ~\nc: 1\n", id="after-two-lines-the-round-trip-rewrites"),
    pytest.param("a:  1\nb: 2\n", ("set", "b", "pathX"), "a:  1\nb: pathX\n", id="value-ending-in-x"),
    pytest.param("a:  1\nb: 2", ("set", "a", 3), "a: 3\nb: 2", id="untouched-last-line-keeps-no-newline"),
    pytest.param("# head\na: 1\n# tail\n", ("remove", "a"), "# head\n# tail\n", id="remove-the-only-key-between-comments"),
    pytest.param("x:   1\na: # c\n  b: 1\n  # about d\n  d: 2\n", ("remove", "a.b"), "x:   1\na: # c\n  # about d\n  d: 2\n", id="remove-first-key-under-a-commented-key"),
    # No line of the file to anchor the edited line on: the round trip's text.
    pytest.param("b:   1\na: [x,\n   y]\n", ("set", "a", ["z"]), "b: 1\na: [z]\n", id="edited-line-not-found"),
    # An alias used twice is not inside its anchor: the file is edited.
    pytest.param("a: &x\n  b: 1\nc:   *x\nd: *x\n", ("set", "e", 1), "a: &x\n  b: 1\nc:   *x\nd: *x\ne: 1\n", id="mapping-alias-used-twice"),
    pytest.param("a: &x [1, 2]\nc:   [*x, *x]\n", ("set", "e", 1), "a: &x [1, 2]\nc:   [*x, *x]\ne: 1\n", id="list-alias-used-twice"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "edit", "expected"), EDITS)
def test_an_edit_changes_only_its_own_lines(
    tmp_path: Path, text: str, edit: tuple, expected: str
) -> None:
    path = tmp_path / ".condarc"
    path.write_bytes(text.encode())

    change = (
        plan_set(path, *edit[1:]) if edit[0] == "set" else plan_remove(path, edit[1])
    )

    assert change.new_text == expected
    assert change.summary == f"{edit[0]} {edit[1]}"
    assert change.existed


@pytest.mark.parametrize(
    ("exists", "edit", "changed"),
    [
        (True, ("remove", "a.b"), True),
        (True, ("remove", "gone"), False),
        (False, ("remove", "gone"), False),
        (True, ("set", "x.y", 1), True),
        (False, ("set", "x.y", 1), True),
    ],
)
def test_a_plan_says_what_it_does_and_whether_the_file_exists(
    tmp_path: Path, exists: bool, edit: tuple, changed: bool
) -> None:
    path = tmp_path / ".condarc"
    if exists:
        path.write_text("a:\n  b: 1\n")

    change = (
        plan_set(path, *edit[1:]) if edit[0] == "set" else plan_remove(path, edit[1])
    )

    assert (change.summary, change.existed, change.changed) == (
        f"{edit[0]} {edit[1]}",
        exists,
        changed,
    )


def test_a_change_made_with_a_string_path_holds_a_path(tmp_path: Path) -> None:
    change = Change(str(tmp_path / ".condarc"), "a: 1\n", "a: 2\n")
    assert change.path == tmp_path / ".condarc"


@pytest.mark.parametrize(
    "labels",
    [
        {"s3cr": "<short>", "s3cr3t": "<long>"},
        {"s3cr3t": "<long>", "s3cr": "<short>"},
    ],
    ids=["short-first", "long-first"],
)
def test_a_labelled_secret_that_holds_another_is_named_whole(
    tmp_path: Path, labels: dict[str, str]
) -> None:
    path = tmp_path / ".condarc"
    path.write_text("proxy_servers:\n  https: http://bob:s3cr3t@p.test:1\n")
    change = plan_set(path, "proxy_servers.https", "http://bob:s3cr@p.test:1")

    diff = change.diff(labels=labels)

    assert "-  https: http://bob:<long>@p.test:1" in diff
    assert "+  https: http://bob:<short>@p.test:1" in diff
