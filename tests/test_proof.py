"""A fix is tried on a scratch copy of the configuration before it is printed.

Real channels on loopback, real conda: netcheck's fix is applied to a copy
(never the user's files), every configured channel is diagnosed again, and
the output says what that showed: `checked: true` with the proof, a conflict
instead of a fix that would break a channel that works now, or unchecked
when the fix needs what only the user has.
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda
from test_journeys import (
    bundle_of,
    channel_of,
    conda,
    conda_env,
    https_channel,
    netcheck,
    run_as_printed,
    save_roots,
    write_condarc,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = needs_conda


def failing(document: dict) -> dict[str, dict]:
    """The targets with a fix, by channel URL."""
    return {channel_of(t): t for t in document["targets"] if t["fix"]}


def corp_and_private(stack: ExitStack, tmp_path: Path, home: Path):
    """corp's channel works with the bundle in use; the private CA's does not."""
    import trustme

    corp, private = trustme.CA(), trustme.CA()
    urls = [
        https_channel(stack, tmp_path / "corp", corp),
        https_channel(stack, tmp_path / "private", private, host="localhost"),
    ]
    combined = bundle_of(home / "combined.pem", corp)
    write_condarc(home, urls, ssl_verify=str(combined))
    return urls, combined, private


def test_a_new_root_is_checked_once_the_user_has_saved_it(tmp_path: Path) -> None:
    """Unchecked while the root is missing; then proven: both channels pass with it."""
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, combined, private = corp_and_private(stack, tmp_path, home)
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        (target,) = failing(document).values()
        (root,) = target["needs"]
        assert target["checked"] is False
        assert target["proof"] == f"unchecked: needs {root} from you"
        save_roots(home, target["fix"], private)
        code, document = netcheck(env)
        (target,) = failing(document).values()
        assert target["checked"] is True
        assert target["proof"] == "checked: with it all 2 channels pass"
        assert document["proof_seconds"] > 0
        text = conda(env, "netcheck", "--timeout", "3", "--index-only").stdout
        assert "    fix (checked: with it all 2 channels pass): " in text, text
        run_as_printed(env, target["commands"])
        code, document = netcheck(env)
        assert code == 0, failing(document)


def test_the_proof_never_touches_the_users_files(tmp_path: Path) -> None:
    """The condarc and the bundle in use are byte-identical; the new bundle is not written."""
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, combined, private = corp_and_private(stack, tmp_path, home)
        env = conda_env(home)
        _, document = netcheck(env)
        save_roots(home, failing(document)[urls[1]]["fix"], private)
        before = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
        _, document = netcheck(env)
        assert failing(document)[urls[1]]["checked"] is True
        after = {p.name: p.read_bytes() for p in home.iterdir() if p.is_file()}
        assert after == before, "no file of the user's is written or created"


def test_a_fix_that_breaks_a_working_channel_is_not_printed(tmp_path: Path) -> None:
    """`netcheck URL` for the inspected channel: the OS store has its CA, not corp's.

    The channel checked alone says truststore; the proof diagnoses every
    configured channel, finds that corp's, which works now, would fail, and
    prints the bundle in use plus the root instead: checked once it is saved.
    """
    import json

    import trustme

    corp, inspector = trustme.CA(), trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    # On Linux truststore reads SSL_CERT_FILE: this file plays the OS store.
    store = bundle_of(tmp_path / "os-store.pem", inspector)
    empty = tmp_path / "no-certs"
    empty.mkdir()
    with ExitStack() as stack:
        urls = [
            https_channel(stack, tmp_path / "corp", corp),
            https_channel(stack, tmp_path / "inspected", inspector),
        ]
        corp_bundle = bundle_of(home / "c.pem", corp)
        write_condarc(home, urls, ssl_verify=str(corp_bundle))
        env = conda_env(home, SSL_CERT_FILE=str(store), SSL_CERT_DIR=str(empty))

        def named() -> dict:
            argv = ("netcheck", "--json", "--timeout", "3", "--index-only", urls[1])
            (target,) = failing(json.loads(conda(env, *argv).stdout)).values()
            return target

        target = named()
        assert "truststore" not in " ".join(target["commands"])
        assert str(corp_bundle) in target["commands"][0], "built from the bundle in use"
        assert (
            f"the operating system's store would break {urls[0]}, which works "
            "now (tls-untrusted)"
        ) in target["fix"]
        assert target["checked"] is False
        assert target["proof"].startswith("unchecked: needs ")
        save_roots(home, target["fix"], inspector)
        target = named()
        assert (target["checked"], target["proof"]) == (
            True,
            "checked: with it all 2 channels pass",
        )


def test_a_healthy_run_proves_nothing(tmp_path: Path, ca) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls = [https_channel(stack, tmp_path / "one", ca)]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "b.pem", ca)))
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 0
        assert document["proof_seconds"] == 0
        verbose = conda(env, "netcheck", "-v", "--timeout", "3", "--index-only")
        # Nothing was tried, so -v has no time to report.
        assert "fixes tried on a scratch copy" not in verbose.stdout
        assert os.path.exists(home / ".condarc")


@pytest.mark.parametrize("trust", ["condarc", "variable"])
def test_the_proof_restores_os_environ_and_condas_context(
    tmp_path: Path, monkeypatch, trust: str
) -> None:
    """The bundle in use is ssl_verify in the condarc, or REQUESTS_CA_BUNDLE.

    The fix sets it where it is set; the proof does so on a copy. In this
    process, after the proof: os.environ is the same mapping, conda reads the
    same files with the same values, and a second diagnosis gives the same
    answer.
    """
    import trustme
    from conda.base.context import context, reset_context

    from conda_netcheck.fix.proof import prove_report
    from conda_netcheck.run import Arguments, from_conda

    corp, private = trustme.CA(), trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)
    with ExitStack() as stack:
        stack.callback(reset_context)
        urls = [
            https_channel(stack, tmp_path / "corp", corp),
            https_channel(stack, tmp_path / "private", private, host="localhost"),
        ]
        combined = bundle_of(home / "combined.pem", corp)
        if trust == "variable":
            write_condarc(home, urls)
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(combined))
            point = "export REQUESTS_CA_BUNDLE=~/conda-ca-bundle.pem"
        else:
            write_condarc(home, urls, ssl_verify=str(combined))
            point = (
                f"conda config --file {home}/.condarc --set ssl_verify "
                "~/conda-ca-bundle.pem"
            )
        monkeypatch.setenv("CONDARC", str(home / ".condarc"))
        reset_context()
        arguments = Arguments(timeout=3, check_packages=False)
        run = from_conda(arguments)
        report = run.diagnose(run.report())
        (problem,) = {
            r.problem.fix: r.problem for r in report.targets if r.problem
        }.values()
        save_roots(home, problem.fix, private)
        environ = dict(os.environ)
        condarc = (home / ".condarc").read_bytes()
        files = list(context._search_path)
        settings = conda_settings()
        prove_report(run, report)
        proven = next(r.problem for r in report.targets if r.problem)
        assert proven.commands.lines[-1] == point
        assert proven.commands.checked is True, proven.commands.proof
        assert dict(os.environ) == environ
        assert (home / ".condarc").read_bytes() == condarc
        assert list(context._search_path) == files
        assert conda_settings() == settings
        again = from_conda(arguments)
        second = again.diagnose(again.report())
        assert [
            (r.target.url, r.status, r.problem and r.problem.fix)
            for r in second.targets
        ] == [
            (r.target.url, r.status, r.problem and r.problem.fix)
            for r in report.targets
        ]
        assert not (home / "conda-ca-bundle.pem").exists()


def conda_settings() -> tuple:
    """What conda's context reads, and from where."""
    from conda.base.context import context

    sources = {str(k): sorted(v) for k, v in context.raw_data.items()}
    values = (
        context.ssl_verify,
        tuple(context.channels),
        dict(context.proxy_servers),
        context.remote_read_timeout_secs,
        context.offline,
    )
    return sources, values


def store_trusts_one_of_two(
    stack: ExitStack, tmp_path: Path, home: Path
) -> tuple[list[str], dict[str, str]]:
    """ssl_verify: false; the OS store has the inspector's CA, not corp's.

    (corp's channel, the inspected one), and the environment of that store.
    """
    import trustme

    corp, inspector = trustme.CA(), trustme.CA()
    # On Linux truststore reads SSL_CERT_FILE: this file plays the OS store.
    store = bundle_of(tmp_path / "os-store.pem", inspector)
    empty = tmp_path / "no-certs"
    empty.mkdir()
    urls = [
        https_channel(stack, tmp_path / "corp", corp),
        https_channel(stack, tmp_path / "inspected", inspector, host="localhost"),
    ]
    write_condarc(home, urls, ssl_verify=False)
    return urls, conda_env(home, SSL_CERT_FILE=str(store), SSL_CERT_DIR=str(empty))


def test_fix_declines_a_change_that_breaks_a_working_channel(tmp_path: Path) -> None:
    """`--fix URL` sees only the inspected channel, where truststore verifies.

    The proof diagnoses every configured channel and declines the change,
    saying why.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, env = store_trusts_one_of_two(stack, tmp_path, home)
        before = (home / ".condarc").read_bytes()
        done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3", urls[1])
        said = done.stdout + done.stderr
        assert (
            f"not applied, conflict: with ssl_verify changed, {urls[0]}, which "
            "works now, fails: tls-untrusted"
        ) in said, said
        assert "+ssl_verify: truststore" not in said
        assert (home / ".condarc").read_bytes() == before


def test_ssl_verify_false_gets_no_store_that_fails_a_channel(tmp_path: Path) -> None:
    """The printed fix for ssl_verify: false chooses as --fix does, and says what it saw.

    Over every channel: the OS store does not verify corp's, so no command;
    for the inspected channel alone: truststore, which the proof finds
    would break corp's (a conflict, no command either).
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, env = store_trusts_one_of_two(stack, tmp_path, home)
        corp = urls[0].split("//", 1)[1]
        _, everything = netcheck(env)
        named = conda(env, "netcheck", "--json", "--timeout", "3", urls[1])
        for document in (everything, json.loads(named.stdout)):
            (finding,) = document["findings"]
            assert finding["diagnosis"] == "ssl-verify-disabled"
            assert (finding["commands"], finding["checked"]) == ([], False)
            assert finding["fix"].startswith("no checked fix: ")
        assert everything["findings"][0]["fix"].startswith(
            f"no checked fix: the operating system's store does not verify {corp} "
            "(works now only because certificates are not verified)"
        )
        assert (
            f"would break {urls[0]}, which works now (tls-untrusted)"
            in (json.loads(named.stdout)["findings"][0]["fix"])
        )


def test_a_fix_that_ends_its_problem_is_checked_though_another_one_follows(
    tmp_path: Path, ca
) -> None:
    """proxy_servers.https: localhost:PORT (no scheme), and nothing listens there.

    With http:// the URL is usable (the problem it was printed for is gone);
    the channel then fails on the next layer, which the proof says, for the
    finding and the channel block alike.
    """
    from support.proxies import closed_port

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        url = https_channel(stack, tmp_path / "secure", ca)
        gone = stack.enter_context(closed_port())
        bundle = bundle_of(home / "bundle.pem", ca)
        write_condarc(
            home,
            [url],
            ssl_verify=str(bundle),
            proxy_servers={"https": f"localhost:{gone}"},
        )
        _, document = netcheck(conda_env(home))
        (finding,) = [f for f in document["findings"] if f["status"] == "error"]
        proof = f"checked: fixes this; {url} still fails: proxy-unreachable"
        assert finding["proof"] == proof
        assert {t["proof"] for t in document["targets"]} == {proof}


def test_the_proof_names_what_still_fails_without_its_token(tmp_path: Path) -> None:
    """A third channel, with a token in its URL, is down: the proof says so, redacted."""
    from support.proxies import closed_port

    token = "tk-Pr00fSecret-77"
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, combined, private = corp_and_private(stack, tmp_path, home)
        gone = stack.enter_context(closed_port())
        down = f"http://127.0.0.1:{gone}/t/{token}/internal"
        write_condarc(home, [*urls, down], ssl_verify=str(combined))
        env = conda_env(home)
        _, document = netcheck(env)
        save_roots(home, failing(document)[urls[1]]["fix"], private)
        done = conda(env, "netcheck", "--json", "--timeout", "3", "--index-only")
        text = conda(env, "netcheck", "-v", "--timeout", "3", "--index-only")
        for output in (done.stdout + done.stderr, text.stdout + text.stderr):
            assert token not in output
        import json

        target = failing(json.loads(done.stdout))[urls[1]]
        assert target["checked"] is True
        assert target["proof"] == (
            f"checked: fixes this; http://127.0.0.1:{gone}/t/<TOKEN>/internal "
            "still fails: connection-refused"
        )
        assert f"fix (checked: fixes this; http://127.0.0.1:{gone}/t/" in text.stdout


def test_a_condarc_the_fix_creates_is_read_where_conda_would_read_it(
    tmp_path: Path, monkeypatch
) -> None:
    """`conda config --set` without --file writes ~/.condarc: read after the base
    environment's file, before $CONDARC, as conda reads them."""
    from conda_netcheck.fix.proof import Scratch
    from conda_netcheck.fixtext import SetKey

    home, root = tmp_path / "home", tmp_path / "base"
    home.mkdir()
    root.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CONDA_ROOT", str(root))
    monkeypatch.setenv("CONDARC", str(tmp_path / "extra.yml"))
    read = [root / ".condarc", tmp_path / "extra.yml"]
    for path in read:
        path.write_text("channels: []\n")
    scratch_dir = tmp_path / "scratch"
    scratch_dir.mkdir()
    scratch = Scratch(scratch_dir, read)
    scratch.apply(SetKey(None, "ssl_verify", "truststore"))
    (copy,) = scratch.copies.values()
    assert scratch.search_path() == [read[0], copy, read[1]]
    assert copy.read_text() == "ssl_verify: truststore\n"
    assert not (home / ".condarc").exists()


#: (what the file holds, the edit, the list on the copy after it; None: not tried)
LIST_EDITS = [
    ("channels: [a, b, c]\n", ("add", "c"), ["c", "a", "b"]),
    ("channels: [a, b, c]\n", ("prepend", "d"), ["d", "a", "b", "c"]),
    ("channels: [a, b, c]\n", ("append", "a"), ["b", "c", "a"]),
    ("channels: [a, b, a]\n", ("remove", "a"), ["b"]),
    ("channels: [a, b]\n", ("remove", "z"), None),
    # conda 24 writes `defaults` first into a file without channels, 26 not.
    ("ssl_verify: true\n", ("add", "conda-forge"), None),
]


@pytest.mark.parametrize(
    ("held", "edit", "after"),
    LIST_EDITS,
    ids=[
        "add-moves",
        "prepend",
        "append-moves",
        "remove-all",
        "remove-absent",
        "no-list",
    ],
)
def test_a_list_edit_is_made_on_the_copy_as_conda_makes_it(
    tmp_path: Path, held: str, edit: tuple[str, str], after: list[str] | None
) -> None:
    """`conda config --add/--prepend/--append/--remove channels`, on the copy only."""
    from conda_netcheck.fix.proof import Scratch, Unprovable
    from conda_netcheck.fix.safewrite import _load_plain
    from conda_netcheck.fixtext import ListEdit

    rc = tmp_path / ".condarc"
    rc.write_text(held)
    scratch_dir = tmp_path / "scratch"
    scratch_dir.mkdir()
    scratch = Scratch(scratch_dir, [rc])
    verb, value = edit
    if after is None:
        with pytest.raises(Unprovable):
            scratch.apply(ListEdit(str(rc), "channels", verb, value))
        return
    scratch.apply(ListEdit(str(rc), "channels", verb, value))
    (copy,) = scratch.copies.values()
    assert _load_plain(copy.read_text(), copy)["channels"] == after
    assert rc.read_text() == held


@pytest.mark.parametrize(
    ("try_direct", "fix", "proof"),
    [
        (True, "unset", "checked: with it the channel passes"),
        (
            False,
            "unset",
            "unchecked: trying it would connect without the proxy, "
            "which --no-direct rules out",
        ),
        # pointing the variable at a proxy that works keeps the way through a proxy
        (False, "other-proxy", "checked: with it the channel passes"),
    ],
    ids=["drop-direct-allowed", "drop-no-direct", "other-proxy-no-direct"],
)
def test_with_no_direct_only_a_fix_that_drops_the_proxy_is_not_tried(
    tmp_path: Path, monkeypatch, channel, try_direct: bool, fix: str, proof: str
) -> None:
    """--no-direct: no request goes around the proxy, not even to prove a fix."""
    from conda.base.context import reset_context
    from support.proxies import proxypy_proxy
    from support.servers import closed_port

    from conda_netcheck.config.commands import set_variable, unset_variable
    from conda_netcheck.fix.proof import _Prover
    from conda_netcheck.fixtext import FixLines
    from conda_netcheck.run import Arguments, from_conda

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    write_condarc(home, [channel.url])
    monkeypatch.setenv("CONDARC", str(home / ".condarc"))
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    with ExitStack() as stack:
        stack.callback(reset_context)
        reset_context()
        run = from_conda(
            Arguments(timeout=3, check_packages=False, try_direct=try_direct)
        )
        report = run.diagnose(run.report())
        assert {r.problem.code.value for r in report.targets} == {"proxy-unreachable"}
        channel.behaviour.requests.clear()  # the diagnosis's own direct attempt aside
        shell = run.options.commands.shell
        if fix == "unset":
            line = unset_variable("HTTP_PROXY", shell)
        else:
            proxy = stack.enter_context(proxypy_proxy(tmp_path / "proxy"))
            line = set_variable("HTTP_PROXY", proxy.url, shell)
        outcome = _Prover(run, report).prove(FixLines((line,)))
    assert outcome.proof == proof
    # Tried: the channel was asked (directly or through the other proxy).
    assert bool(channel.behaviour.requests) is outcome.checked


@pytest.mark.parametrize("change", ["proxy", "trust"])
def test_a_channel_the_change_does_not_touch_is_not_fetched_again(
    tmp_path: Path, monkeypatch, user_home: Path, channel, ca, change: str
) -> None:
    """An http channel behind a dead proxy, an https one direct: what each change re-probes.

    Dropping proxy_servers.http changes nothing for the https channel: its
    answer is reused. Pointing ssl_verify elsewhere changes the https fetch
    only: the http channel's answer (its proxy refused, no TLS anywhere)
    cannot change with trust, and is reused.
    """
    from support.servers import closed_port

    home = user_home
    with ExitStack() as stack:
        secure = https_channel(stack, tmp_path / "secure", ca)
        bundle = bundle_of(home / "bundle.pem", ca)
        run, report = _diagnosed(
            home,
            monkeypatch,
            [channel.url, secure],
            ssl_verify=str(bundle),
            proxy_servers={"http": f"http://127.0.0.1:{closed_port()}"},
        )
        failing = {r.target.channel_url for r in report.targets if r.problem}
        assert failing == {channel.url}
        commands = run.options.commands
        if change == "proxy":
            line = commands.remove("proxy_servers.http")
        else:
            copy = bundle_of(home / "copy.pem", ca)
            line = commands.set("ssl_verify", str(copy))
        outcome, probed = _proved_recording(run, report, line, monkeypatch)
    if change == "proxy":
        assert outcome.proof == "checked: with it all 2 channels pass"
        assert probed == {channel.url}
    else:
        assert probed == {secure}


@pytest.mark.parametrize(
    ("broken", "reused"),
    [("refused", True), ("untrusted", False)],
    ids=["fails-before-tls", "fails-at-tls"],
)
def test_a_trust_change_reprobes_only_what_tls_took_part_in(
    tmp_path: Path, monkeypatch, user_home: Path, ca, broken: str, reused: bool
) -> None:
    """An https channel that fails before TLS keeps its answer under a trust change; one at TLS is asked again."""
    import trustme
    from support.servers import closed_port

    home = user_home
    with ExitStack() as stack:
        good = https_channel(stack, tmp_path / "good", ca)
        if broken == "refused":
            other = f"https://127.0.0.1:{closed_port()}"
        else:  # signed by a CA no bundle here holds
            other = https_channel(stack, tmp_path / "other", trustme.CA())
        run, report = _diagnosed(
            home,
            monkeypatch,
            [good, other],
            ssl_verify=str(bundle_of(home / "b.pem", ca)),
        )
        assert {r.target.channel_url for r in report.targets if r.problem} == {other}
        line = run.options.commands.set(
            "ssl_verify", str(bundle_of(home / "copy.pem", ca))
        )
        _, probed = _proved_recording(run, report, line, monkeypatch)
    assert probed == ({good} if reused else {good, other})


@pytest.fixture
def user_home(tmp_path: Path, monkeypatch) -> Iterator[Path]:
    """An empty HOME for the user's files; conda's context is read afresh afterwards."""
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    yield home
    reset_context()


def _diagnosed(home: Path, monkeypatch, channels: list[str], **settings):
    """conda's configuration in `home` with these channels and settings, run: (run, report)."""
    from conda.base.context import reset_context

    from conda_netcheck.run import Arguments, from_conda

    write_condarc(home, channels, **settings)
    monkeypatch.setenv("CONDARC", str(home / ".condarc"))
    reset_context()
    run = from_conda(Arguments(timeout=3, check_packages=False))
    return run, run.diagnose(run.report())


def _proved_recording(run, report, line: str, monkeypatch):
    """Prove one line for `run`: its outcome, and the channels the proof fetched."""
    from conda_netcheck import run as runs
    from conda_netcheck.fix.proof import _Prover
    from conda_netcheck.fixtext import FixLines
    from conda_netcheck.run import from_conda

    prover = _Prover(run, report)
    prover.known()  # what this run learned, read before the copy is made
    seen = []
    monkeypatch.setattr(
        runs, "from_conda", lambda arguments: _recording(from_conda(arguments), seen)
    )
    outcome = prover.prove(FixLines((line,)))
    return outcome, {t.channel_url for t in seen}


def _recording(run, seen: list):
    """`run`, noting the targets it is asked to probe."""
    diagnose = run.diagnose

    def recorded(report, *args, **kwargs):
        seen.extend(run.targets)
        return diagnose(report, *args, **kwargs)

    run.diagnose = recorded
    return run


@pytest.mark.parametrize(
    ("failing", "said"),
    [
        (
            2,
            "checked: fixes this; http://c0.test still fails: x; http://c1.test still fails: x",
        ),
        (
            4,
            "checked: fixes this; http://c0.test still fails: x; "
            "http://c1.test still fails: x; and 2 more",
        ),
    ],
)
def test_the_proof_counts_the_channels_it_does_not_name(failing: int, said: str):
    from conda_netcheck.fix.proof import _passes
    from conda_netcheck.model import Report

    left = {f"http://c{n}.test": "x" for n in range(failing)}
    assert _passes(Report(), left).proof == said


@pytest.mark.parametrize(
    ("source", "proxy"),
    [
        ("proxy_servers.http", "dead"),
        ("HTTP_PROXY", "dead"),
        # squid's stock rule: CONNECT to port 443 only; every channel works.
        ("proxy_servers.http", "squid-443-only"),
    ],
)
def test_no_proxy_for_https_is_left_alone_where_copying_it_breaks_a_channel(
    tmp_path: Path, ca, source: str, proxy: str
) -> None:
    """A proxy for http only; the https channel works directly now.

    The warning that https:// goes without a proxy would copy the http one:
    through it the https channel fails (the proxy is dead, or refuses CONNECT
    to its port). Nothing needs giving to conda: the warning says to leave
    https:// as it is, and why, with no command (for the dead proxy, that
    it fails itself); the http channel's own fix is untouched.
    """
    from support.proxies import closed_port, squid_proxy
    from support.servers import channel_server, make_channel

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        if proxy == "dead":
            url = f"http://127.0.0.1:{stack.enter_context(closed_port())}"
        else:
            url = stack.enter_context(squid_proxy(tmp_path)).url
        settings = {"proxy_servers": {"http": url}} if "." in source else {}
        write_condarc(
            home, urls, ssl_verify=str(bundle_of(home / "b.pem", ca)), **settings
        )
        env = conda_env(home, **({} if settings else {source: url}))
        code, document = netcheck(env)
        assert code == (1 if proxy == "dead" else 0)
        assert set(failing(document)) == ({urls[0]} if proxy == "dead" else set())
        (warning,) = [
            f for f in document["findings"] if "none is set for https" in f["summary"]
        ]
        assert (warning["commands"], warning["checked"]) == ([], False)
        copy = f"proxy_servers.https: {url}" if settings else f"HTTPS_PROXY={url}"
        if (
            proxy == "dead"
        ):  # the copy would fail for any channel: said before trying it
            assert warning["fix"] == (
                f"none: the proxy it would copy, {url.split('//', 1)[1]}, fails "
                f"itself (proxy-unreachable for {urls[0]})"
            )
        else:
            assert warning["fix"].startswith(
                f"none: leave https:// without a proxy; copying it ({copy}) would "
                f"break {urls[1]}, which works now ("
            ), warning["fix"]
        assert "give conda what both need" not in warning["fix"]


def test_a_copied_proxy_that_mends_one_https_channel_and_breaks_another_is_a_conflict(
    tmp_path: Path, ca
) -> None:
    """The other side: one https channel resolves only through the proxy, one goes direct.

    Copying the http proxy to https mends the first and breaks the second
    (squid refuses CONNECT to its port): conda needs both, so it is the
    conflict, not "leave https:// alone".
    """
    from support.proxies import squid_proxy
    from support.servers import channel_server, make_channel, server_tls_context
    from test_journeys import hosts_only_the_proxy_knows

    home = tmp_path / "home"
    home.mkdir()
    hosts = hosts_only_the_proxy_knows("secure.corp.example")
    with ExitStack() as stack:
        tls = server_tls_context(ca.issue_cert("secure.corp.example"))
        served = stack.enter_context(channel_server(make_channel(tmp_path / "m"), tls))
        mirror = served.url.replace("127.0.0.1", "secure.corp.example")
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, mirror, https_channel(stack, tmp_path / "direct", ca)]
        proxy = stack.enter_context(
            squid_proxy(
                tmp_path,
                connect_ports=[int(mirror.rsplit(":", 1)[1])],
                extra_lines=[f"hosts_file {hosts}"],
            )
        )
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "b.pem", ca)),
            proxy_servers={"http": proxy.url},
        )
        _, document = netcheck(conda_env(home))
        assert set(failing(document)) == {mirror}
        (warning,) = [
            f for f in document["findings"] if "none is set for https" in f["summary"]
        ]
        assert warning["fix"].startswith("no checked fix: "), warning["fix"]
        assert (
            f"would break {urls[2]}, which works now (proxy-refused)"
            in (warning["fix"])
        )
