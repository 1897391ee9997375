"""Journeys: a configuration people really have, netcheck, its fix run as printed, conda.

Each starts from several channels served by local peers, of which at least one
works and depends on the configuration as it is. netcheck runs through real
conda; the command lines of its fix run in bash exactly as printed (a file the
user must supply, such as the root certificate from the IT team, is put where
the fix says); then real `conda search` must work on every channel and
netcheck must pass. A fix is only as good as the next run.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING

from conftest import needs_conda
from support.servers import channel_server, make_channel, server_tls_context

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda

SECRET = "Pr0xy-Secret-42"

#: Where a shell command starts in a printed fix.
COMMAND_HEAD = re.compile(
    r"(?:^|(?<=: ))(?:conda config |cat |export [A-Za-z_]+=|unset [A-Za-z_]+)"
)


def conda_env(home: Path, **extra: str) -> dict[str, str]:
    """A private HOME whose ~/.condarc is the user's; conda retries nothing."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "CONDARC"):
        env.pop(name, None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        CONDA_PKGS_DIRS=str(home / "pkgs"),
        CONDA_REMOTE_MAX_RETRIES="0",
        CONDA_REMOTE_CONNECT_TIMEOUT_SECS="3",
        CONDA_REMOTE_READ_TIMEOUT_SECS="5",
        NETRC=str(home / "no-netrc"),
        CONDA_SOLVER="classic",
        SHELL="/bin/bash",
        **extra,
    )
    return env


def write_condarc(home: Path, channels: list[str], **settings: object) -> None:
    """The user's ~/.condarc: only these channels, never a public one."""
    condarc = {
        "channels": channels,
        "default_channels": [],
        "channel_alias": channels[0],
        "override_channels_enabled": True,
        **settings,
    }
    (home / ".condarc").write_text(json.dumps(condarc))


def conda(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "conda", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        cwd=env["HOME"],
    )
    if argv[0] in ("netcheck", "doctor"):
        # Fixes, reasons and diffs included: the proxy password never shows.
        assert SECRET not in done.stdout + done.stderr
    return done


def netcheck(env: dict[str, str]) -> tuple[int, dict]:
    done = conda(env, "netcheck", "--json", "--timeout", "3", "--index-only")
    assert SECRET not in done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def fix_texts(document: dict) -> list[str]:
    """Every fix netcheck printed: under each failing target, and each finding."""
    texts = [t["fix"] for t in document["targets"] if t.get("fix")]
    texts += [f["fix"] for f in document["findings"] if f.get("fix")]
    return texts


def channel_of(target: dict) -> str:
    """The channel's URL, without the subdir."""
    return target["url"].rsplit("/", 1)[0]


def command_lines(fix: str) -> list[str]:
    """The shell lines of one printed fix, in order, exactly as printed."""
    lines = []
    # A laid-out fix numbers its steps: "SENTENCE: 1. STEP; 2. STEP".
    fix = re.sub(r"(^|: |; )\d+\. ", r"\1", fix)
    for piece in fix.split("; "):
        start = COMMAND_HEAD.search(piece)
        if not start:
            continue
        line = piece[start.start() :]
        # A parenthesis after the command explains it; the shell never sees it.
        line = line.split(" (", 1)[0].strip()
        if line not in lines:
            lines.append(line)
    return lines


def commands_of(target: dict) -> list[str]:
    """The fix's `commands` from --json: each line exactly as the text prints it."""
    lines = target["commands"]
    assert lines, target["fix"]
    for line in lines:
        assert line in target["fix"], (line, target["fix"])
    assert lines == command_lines(target["fix"])
    assert target["checked"] is False
    return lines


def run_as_printed(env: dict[str, str], lines: list[str]) -> None:
    """Each line in bash, in the user's home, exactly as printed."""
    assert lines, "no command was printed"
    # The user's `conda` is this conda; no `python` on PATH is conda's.
    bin_dir = os.path.join(env["HOME"], "bin")
    os.makedirs(bin_dir, exist_ok=True)
    wrapper = os.path.join(bin_dir, "conda")
    with open(wrapper, "w") as handle:
        handle.write(f'#!/bin/sh\nexec "{sys.executable}" -m conda "$@"\n')
    os.chmod(wrapper, 0o755)
    bash_env = {**env, "PATH": f"{bin_dir}:/usr/bin:/bin"}
    for line in lines:
        assert "ssl_verify false" not in line
        done = subprocess.run(
            ["bash", "-c", line],
            env=bash_env,
            cwd=env["HOME"],
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, (line, done.stderr)


def assert_every_channel_works(env: dict[str, str], channels: list[str]) -> None:
    """Real conda downloads every channel's index; then netcheck passes."""
    for url in channels:
        done = conda(env, "search", "--override-channels", "-c", url, "netcheck-demo")
        assert done.returncode == 0, (url, done.stdout[-2000:], done.stderr[-2000:])
        assert "netcheck-demo" in done.stdout
    code, document = netcheck(env)
    failing = [(t["url"], t["diagnosis"]) for t in document["targets"] if t["fix"]]
    failing += [
        (f["check"], f["summary"])
        for f in document["findings"]
        if f["status"] == "error"
    ]
    assert code == 0, failing


def https_channel(stack: ExitStack, root: Path, ca, host: str = "127.0.0.1") -> str:
    """A channel served over HTTPS with a certificate `ca` issued."""
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server = stack.enter_context(
        channel_server(make_channel(root), server_tls_context(cert), "127.0.0.1")
    )
    return server.url.replace("127.0.0.1", host)


def bundle_of(path: Path, *cas) -> Path:
    """certifi's public roots plus the given CAs, as a user builds one."""
    import certifi

    with open(certifi.where()) as handle:
        text = handle.read()
    path.write_text(text + "".join(ca.cert_pem.bytes().decode() for ca in cas))
    return path


# -- 1. a private CA, with a bundle the user already built ----------------------


def test_a_new_root_keeps_the_roots_of_the_bundle_in_use(tmp_path: Path) -> None:
    """corp.pem works for one channel; two channels of two other CAs fail.

    The fix builds from the bundle conda uses now and adds both missing roots
    in one command: applied as printed, all three channels work.
    """
    import trustme

    corp, second, third = trustme.CA(), trustme.CA(), trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls = [
            https_channel(stack, tmp_path / "corp", corp),
            https_channel(stack, tmp_path / "second", second),
            https_channel(stack, tmp_path / "third", third, host="localhost"),
        ]
        combined = bundle_of(home / "combined.pem", corp)
        write_condarc(home, urls, ssl_verify=str(combined))
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        failing = {channel_of(t): t for t in document["targets"] if t["fix"]}
        assert set(failing) == {urls[1], urls[2]}
        printed = {tuple(commands_of(t)) for t in failing.values()}
        assert len(printed) == 1, "one command adds every missing root"
        (lines,) = printed
        assert str(combined) in lines[0], "built from the bundle in use"
        assert not any("python" in line for line in lines), "a literal path"
        fix = failing[urls[1]]["fix"]
        needs = set(failing[urls[1]]["needs"])
        assert len(needs) == 2, "the two root files the user supplies"
        save_roots(home, fix, second, third)
        assert {p.name for p in home.glob("*.pem")} - {"combined.pem"} == needs
        _, saved = netcheck(env)
        proven = [t for t in saved["targets"] if t["fix"]]
        assert {tuple(t["commands"]) for t in proven} == {lines}
        assert {(t["checked"], t["proof"]) for t in proven} == {
            (True, "checked: with it all 3 channels pass")
        }
        run_as_printed(env, list(lines))
        assert_every_channel_works(env, urls)


def ca_name(ca) -> str:
    from cryptography import x509

    return x509.load_pem_x509_certificate(ca.cert_pem.bytes()).subject.rfc4514_string()


def save_roots(home: Path, fix: str, *cas) -> None:
    """The roots the IT team hands over, saved under the names the fix asks for."""
    for ca in cas:
        match = re.search(re.escape(f'"{ca_name(ca)}" as ') + r"(\S+\.pem)", fix)
        assert match, (ca_name(ca), fix)
        ca.cert_pem.write_to_path(str(home / match.group(1).rstrip(";,")))


# -- 2. the OS store has the inspector's root, not the corporate one -------------


def test_the_os_store_is_not_offered_when_a_working_channel_needs_the_bundle(
    tmp_path: Path,
) -> None:
    """truststore would fix the inspected channel and break the corporate one."""
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
        combined = bundle_of(home / "combined.pem", corp)
        write_condarc(home, urls, ssl_verify=str(combined))
        env = conda_env(home, SSL_CERT_FILE=str(store), SSL_CERT_DIR=str(empty))
        code, document = netcheck(env)
        assert code == 1
        (fix,) = {t["fix"] for t in document["targets"] if t["fix"]}
        (lines,) = {tuple(commands_of(t)) for t in document["targets"] if t["fix"]}
        assert "truststore" not in " ".join(lines)
        # --fix says why it changes nothing, and never offers the OS store.
        dry = conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        said = dry.stdout + dry.stderr
        assert "--set ssl_verify truststore" not in said
        assert f"{urls[0].split('//')[1]} (works now with the bundle in use)" in said
        assert "the root certificate must come from you" in said
        # The report for the network team: no block whose lines undo each other.
        conda(env, "netcheck", "--report", "report.md", "--timeout", "3")
        report = (home / "report.md").read_text()
        for block in re.findall(r"```sh\n(.*?)```", report, re.DOTALL):
            assert block.count("--set ssl_verify") <= 1, block
        assert "ssl_verify truststore" not in report
        save_roots(home, fix, inspector)
        run_as_printed(env, list(lines))
        assert_every_channel_works(env, urls)


# -- 3. an https:// proxy URL with credentials -------------------------------------


def fill(line: str, user: str, password: str) -> str:
    """The user types what the placeholders ask for, and nothing else."""
    return line.replace("USER:<password>@", f"{user}:{password}@")


def test_the_http_scheme_fix_keeps_the_proxy_credentials(tmp_path: Path, ca) -> None:
    """http:// works through the authenticating proxy; https:// for the same proxy fails.

    The fix writes http:// and keeps the user and password as placeholders:
    filled in, both channels pass the proxy's authentication.
    """
    from support.proxies import squid_proxy

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        port = int(urls[1].rsplit(":", 1)[1])
        proxy = stack.enter_context(
            squid_proxy(tmp_path, users={"alice": SECRET}, connect_ports=[port])
        )
        address = proxy.url.split("//", 1)[1]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={
                "http": f"http://alice:{SECRET}@{address}",
                "https": f"https://alice:{SECRET}@{address}",
            },
        )
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        (target,) = {t["fix"]: t for t in document["targets"] if t["fix"]}.values()
        lines = commands_of(target)
        assert target["needs"] == ["USER:<password>"]
        # --fix (its diff and reasons) and the report never show the password.
        conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        conda(env, "netcheck", "--report", "report.md", "--timeout", "3")
        assert SECRET not in (home / "report.md").read_text()
        assert lines == [
            f"conda config --file {home}/.condarc --set proxy_servers.https "
            f"'http://USER:<password>@{address}'"
        ]
        run_as_printed(env, [fill(line, "alice", SECRET) for line in lines])
        assert_every_channel_works(env, urls)


# -- 4. the proxy this network needs is down --------------------------------------


def test_a_proxy_the_network_needs_is_pointed_at_the_right_one_with_credentials(
    tmp_path: Path, ca
) -> None:
    """The mirror resolves only through the proxy; the configured proxy moved.

    A direct connection fails too, so the fix must not offer to drop the
    proxy, and the URL it asks for keeps the user and password.
    """
    import tempfile
    from pathlib import Path as FsPath

    from support.proxies import closed_port, squid_proxy

    home = tmp_path / "home"
    home.mkdir()
    # Only the proxy knows the mirror's name (its own hosts file).
    hosts = FsPath(tempfile.mkdtemp(prefix="netcheck-hosts-")) / "hosts"
    hosts.parent.chmod(0o755)
    hosts.write_text("127.0.0.1 mirror.corp.example\n")
    hosts.chmod(0o644)
    with ExitStack() as stack:
        mirror = stack.enter_context(channel_server(make_channel(tmp_path / "mirror")))
        urls = [
            https_channel(stack, tmp_path / "secure", ca),
            mirror.url.replace("127.0.0.1", "mirror.corp.example"),
        ]
        proxy = stack.enter_context(
            squid_proxy(
                tmp_path, users={"alice": SECRET}, extra_lines=[f"hosts_file {hosts}"]
            )
        )
        gone = stack.enter_context(closed_port())
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={"http": f"http://alice:{SECRET}@127.0.0.1:{gone}"},
        )
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        (fix,) = {t["fix"] for t in document["targets"] if t["fix"]}
        assert "--remove-key" not in fix, "the network needs a proxy"
        (target,) = {t["fix"]: t for t in document["targets"] if t["fix"]}.values()
        (line,) = commands_of(target)
        assert target["needs"] == ["USER:<password>", "PROXY_HOST:PORT"]
        assert "USER:<password>@PROXY_HOST:PORT" in line
        address = proxy.url.split("//", 1)[1]
        line = fill(line, "alice", SECRET).replace("PROXY_HOST:PORT", address)
        run_as_printed(env, [line])
        assert_every_channel_works(env, urls)


# -- 7. one cause, one fix, however many names reach it ----------------------------


def test_the_same_ca_under_two_names_is_one_cause_with_one_fix(tmp_path: Path) -> None:
    """127.0.0.1 and localhost serve a certificate of the same private CA."""
    import trustme

    corp, private = trustme.CA(), trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        mirror = https_channel(stack, tmp_path / "private", private)
        urls = [
            https_channel(stack, tmp_path / "corp", corp),
            mirror,
            mirror.replace("127.0.0.1", "localhost"),
        ]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "corp.pem", corp)))
        env = conda_env(home)
        text = conda(env, "netcheck", "--timeout", "3", "--index-only")
        assert text.returncode == 1
        verdict = text.stdout[text.stdout.index("Verdict:") :]
        assert "independent causes" not in verdict, verdict
        port = mirror.rsplit(":", 1)[1]
        assert f"127.0.0.1:{port} and localhost:{port}" in verdict, verdict
        code, document = netcheck(env)
        (lines,) = {tuple(commands_of(t)) for t in document["targets"] if t["fix"]}
        save_roots(
            home, next(t["fix"] for t in document["targets"] if t["fix"]), private
        )
        _, saved = netcheck(env)
        proven = [t for t in saved["targets"] if t["fix"]]
        assert {(t["checked"], t["proof"]) for t in proven} == {
            (True, "checked: with it all 3 channels pass")
        }
        run_as_printed(env, list(lines))
        assert_every_channel_works(env, urls)


# -- 8. netcheck --fix and doctor --fix: one configuration, the same changes -------


def offered(output: str) -> list[str]:
    """The settings a --fix run offers to change, in order."""
    pattern = r"^- (proxy_servers\.\S+?|ssl_verify|offline)(?=: | )"
    return re.findall(pattern, output, re.M)


def test_netcheck_fix_and_doctor_fix_offer_the_same_changes(tmp_path: Path, ca) -> None:
    """Two proxy URLs say https:// for a plain proxy; no channel uses one of them.

    The channel on localhost goes direct and works with ssl_verify's bundle;
    the one on 127.0.0.1 goes through the proxy set for that host. Both --fix
    runs offer the same two changes, and `netcheck --fix --yes` leaves every
    channel working.
    """
    from support.proxies import squid_proxy

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        secure = https_channel(stack, tmp_path / "secure", ca)
        direct = https_channel(stack, tmp_path / "direct", ca, host="localhost")
        urls = [secure, direct]
        port = int(secure.rsplit(":", 1)[1])
        proxy = stack.enter_context(squid_proxy(tmp_path, connect_ports=[port]))
        address = proxy.url.split("//", 1)[1]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={
                "http": f"https://{address}",
                "https://127.0.0.1": f"https://{address}",
            },
        )
        env = conda_env(home)
        netcheck_fix = conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        changes = offered(netcheck_fix.stdout + netcheck_fix.stderr)
        assert changes == ["proxy_servers.http", "proxy_servers.https://127.0.0.1"], (
            netcheck_fix.stdout
        )
        # `conda doctor --fix` exists from conda 25 on.
        if "--fix" in conda(env, "doctor", "--help").stdout:
            doctor_fix = conda(env, "doctor", "--fix", "--dry-run", "network-config")
            assert offered(doctor_fix.stdout + doctor_fix.stderr) == changes, doctor_fix
        done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "not applied" not in done.stdout + done.stderr, "every change proven"
        assert_every_channel_works(env, urls)


def test_both_fixes_replace_ssl_verify_false_with_the_os_store_that_verifies_all(
    tmp_path: Path,
) -> None:
    """ssl_verify: false, and the OS store has the CA of both channels."""
    import trustme

    corp = trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    # On Linux truststore reads SSL_CERT_FILE: this file plays the OS store.
    store = bundle_of(tmp_path / "os-store.pem", corp)
    with ExitStack() as stack:
        urls = [
            https_channel(stack, tmp_path / "one", corp),
            https_channel(stack, tmp_path / "two", corp, host="localhost"),
        ]
        write_condarc(home, urls, ssl_verify=False)
        env = conda_env(home, SSL_CERT_FILE=str(store))
        netcheck_fix = conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        changes = offered(netcheck_fix.stdout + netcheck_fix.stderr)
        assert changes == ["ssl_verify"], netcheck_fix.stdout
        assert "ssl_verify: truststore" in netcheck_fix.stdout
        if "--fix" in conda(env, "doctor", "--help").stdout:
            doctor_fix = conda(env, "doctor", "--fix", "--dry-run", "network-config")
            assert offered(doctor_fix.stdout + doctor_fix.stderr) == changes, doctor_fix
        done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "not applied" not in done.stdout + done.stderr, "every change proven"
        assert_every_channel_works(env, urls)
