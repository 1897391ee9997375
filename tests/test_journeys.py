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
import shutil
import subprocess
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda
from support.servers import channel_server, make_channel, server_tls_context

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda

SECRET = "Pr0xy-Secret-42"

#: Where a shell command starts in a printed fix.
COMMAND_HEAD = re.compile(
    r"(?:^|(?<=: ))(?:conda config |cat |curl |export [A-Za-z_]+=|unset [A-Za-z_]+)"
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
        if piece.startswith("else "):
            break  # the other way, when the first reading is wrong
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
    # `checked` and the proof's words say the same thing.
    assert target["checked"] is target["proof"].startswith("checked:"), target["proof"]
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


# -- 1b. a server that leaves out its intermediate certificate ---------------------


@pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("openssl")),
    reason="the fix downloads the intermediate with curl and converts it with openssl",
)
@pytest.mark.parametrize(
    "public", [True, False], ids=["with-certifi", "corporate-only"]
)
def test_a_missing_intermediate_is_added_to_the_bundle_in_use(
    tmp_path: Path, public: bool
) -> None:
    """The mirror sends its leaf alone; the bundle in use has its root and corp's.

    The fix saves the intermediate from the leaf's caIssuers URL and builds
    on the bundle in use, so the channel that needs corp's root keeps working.
    netcheck fetched the same certificate, so the fix is checked before it
    is printed. A bundle of corporate roots alone also gets certifi's: the
    warning about it is settled by the same bundle, whichever fix runs first.
    """
    import trustme
    from support.tls_faults import issue, serving

    corp = trustme.CA()
    root = issue("Example Private Root")
    intermediate = issue("Example Issuing CA", root)
    home = tmp_path / "home"
    home.mkdir()
    issuers = tmp_path / "aia"
    issuers.mkdir()
    (issuers / "issuing-ca.crt").write_bytes(intermediate.der)
    with ExitStack() as stack:
        aia = stack.enter_context(channel_server(issuers))
        leaf = issue(
            "mirror",
            intermediate,
            ca=False,
            hosts=("127.0.0.1",),
            aia_url=f"{aia.url}/issuing-ca.crt",
        )
        context = serving(leaf, [], tmp_path)
        mirror = stack.enter_context(
            channel_server(make_channel(tmp_path / "mirror"), context)
        )
        urls = [mirror.url, https_channel(stack, tmp_path / "corp", corp)]
        in_use = home / "corp-roots.pem"
        if public:
            bundle_of(in_use, corp)
        else:
            in_use.write_bytes(corp.cert_pem.bytes())
        with open(in_use, "ab") as handle:
            handle.write(root.pem)
        write_condarc(home, urls, ssl_verify=str(in_use))
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        failing = [t for t in document["targets"] if t["fix"]]
        assert {channel_of(t) for t in failing} == {urls[0]}
        target = failing[0]
        assert "intermediate CA" in target["summary"]
        lines = commands_of(target)
        assert lines[0].startswith(f"curl -fsS {aia.url}/issuing-ca.crt | openssl ")
        assert str(in_use) in lines[1], "built from the bundle in use"
        assert ("certifi" in lines[1]) is not public
        assert target["needs"] == []
        assert (target["checked"], target["proof"]) == (
            True,
            "checked: with it all 2 channels pass",
        )
        # Every printed line, in the order printed: the warning's, then the channel's.
        warned = [f for f in document["findings"] if "corporate root" in f["summary"]]
        assert bool(warned) is not public
        everything = [line for f in warned for line in f["commands"]] + lines
        run_as_printed(env, everything)
        assert_every_channel_works(env, urls)
        _, after = netcheck(env)
        assert not [f for f in after["findings"] if "corporate root" in f["summary"]]


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


def behind_an_authenticating_proxy(stack: ExitStack, tmp_path: Path, ca):
    """An http and an https channel whose names resolve only through squid (user alice).

    The https one serves real packages, for `conda create --download-only`.
    Returns the channel URLs and the running proxy.
    """
    from support.channel_faults import make_real_channel
    from support.proxies import squid_proxy

    hosts = hosts_only_the_proxy_knows("mirror.corp.example", "secure.corp.example")
    mirror = stack.enter_context(channel_server(make_channel(tmp_path / "mirror")))
    served = make_real_channel(tmp_path / "secure").root
    tls = server_tls_context(ca.issue_cert("secure.corp.example"))
    secure = stack.enter_context(channel_server(served, tls)).url.replace(
        "127.0.0.1", "secure.corp.example"
    )
    proxy = stack.enter_context(
        squid_proxy(
            tmp_path,
            users={"alice": SECRET},
            connect_ports=[int(secure.rsplit(":", 1)[1])],
            extra_lines=[f"hosts_file {hosts}"],
        )
    )
    return [mirror.url.replace("127.0.0.1", "mirror.corp.example"), secure], proxy


@pytest.mark.parametrize(
    "written",
    [
        # requests speaks TLS to the proxy, which speaks plain HTTP.
        pytest.param("https://alice:{password}@{address}", id="https-scheme"),
        # requests reads "alice:" as the scheme and finds no host.
        pytest.param("alice:{password}@{address}", id="no-scheme"),
    ],
)
def test_the_proxy_url_fix_keeps_the_credentials_as_placeholders(
    tmp_path: Path, ca, written: str
) -> None:
    """proxy_servers.https names the authenticating proxy in a form requests cannot use.

    Both channels resolve only through the proxy; the http one works now
    through proxy_servers.http. The fix writes the full http:// URL with
    `USER:<password>`, unchecked (the password is the user's): filled in
    from `needs`, both channels pass the proxy's authentication.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, proxy = behind_an_authenticating_proxy(stack, tmp_path, ca)
        secure = urls[1]
        port = secure.rsplit(":", 1)[1]
        address = proxy.url.split("//", 1)[1]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={
                "http": f"http://alice:{SECRET}@{address}",
                "https": written.format(password=SECRET, address=address),
            },
        )
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        failing = failing_targets(document)
        assert set(failing) == {secure}, "the http channel works through its proxy"
        target = failing[secure]
        lines = commands_of(target)
        assert lines == [
            f"conda config --file {home}/.condarc --set proxy_servers.https "
            f"'http://USER:<password>@{address}'"
        ]
        (finding,) = [f for f in document["findings"] if f["commands"]]
        assert commands_of(finding) == lines, "one line, proven once"
        assert (target["needs"], target["checked"]) == (["USER:<password>"], False)
        assert target["proof"] == "unchecked: needs USER:<password> from you"
        # The text, --fix (its diff and reasons) and the report show the
        # placeholder, never the password.
        text = conda(env, "netcheck", "--timeout", "3", "--index-only")
        assert f"fix: {lines[0]}" in text.stdout, text.stdout
        conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        conda(env, "netcheck", "--report", "report.md", "--timeout", "3")
        assert SECRET not in (home / "report.md").read_text()
        run_as_printed(env, [fill(line, "alice", SECRET) for line in lines])
        assert_every_channel_works(env, urls)
        # A package, too, comes through the tunnel the proxy now authenticates.
        done = conda(
            env,
            *("create", "--download-only", "--yes", "-p", str(home / "env")),
            *("--override-channels", "-c", secure, "netcheck-demo"),
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert f"CONNECT secure.corp.example:{port} alice " in proxy.log_text()


def failing_with_http_proxy(
    home: Path, urls: list[str], ca, proxy: str
) -> tuple[dict[str, str], dict]:
    """~/.condarc: the channels, a bundle that trusts `ca`, proxy_servers.http: proxy.

    The environment, and netcheck's document, which must say something fails.
    """
    write_condarc(
        home,
        urls,
        ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
        proxy_servers={"http": proxy},
    )
    env = conda_env(home)
    code, document = netcheck(env)
    assert code == 1
    return env, document


def test_a_proxy_url_without_its_scheme_is_fixed_by_the_line_proven_once(
    tmp_path: Path, ca
) -> None:
    """proxy_servers.http: localhost:PORT, which requests reads as scheme 'localhost:'.

    The configuration finding and the http channel's block print the same
    line: proven once, both say so alike (text and JSON). Applied as printed,
    the http channel works and the https one (direct, trusted by the bundle
    in ~/.condarc) still does.
    """
    from support.proxies import tinyproxy_proxy

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        proxy = stack.enter_context(tinyproxy_proxy(tmp_path))
        port = proxy.url.rsplit(":", 1)[1]
        env, document = failing_with_http_proxy(home, urls, ca, f"localhost:{port}")
        # A warning, with the same check and code, notes that https:// channels
        # go direct: the proof tells the two apart.
        (finding,) = [f for f in document["findings"] if f["status"] == "error"]
        (target,) = {t["fix"]: t for t in document["targets"] if t["fix"]}.values()
        line = f"conda config --file {home}/.condarc --set proxy_servers.http "
        assert commands_of(finding) == [f"{line}http://localhost:{port}"]
        assert commands_of(target) == commands_of(finding)
        proof = "checked: with it all 2 channels pass"
        assert (finding["proof"], target["proof"]) == (proof, proof)
        text = conda(env, "netcheck", "--timeout", "3", "--index-only").stdout
        assert text.count(f"    fix ({proof}): ") == 2, text
        run_as_printed(env, commands_of(target))
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
        env, document = failing_with_http_proxy(
            home, urls, ca, f"http://alice:{SECRET}@127.0.0.1:{gone}"
        )
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
        _, document = netcheck(env)
        (finding,) = document["findings"]
        # The printed fix is the change --fix makes, proven the same way.
        assert commands_of(finding) == [
            f"conda config --file {home}/.condarc --set ssl_verify truststore"
        ]
        assert finding["proof"] == "checked: with it all 2 channels pass"
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


# -- the fix families left: variables, timeouts, offline ---------------------------


def shell_after(env: dict[str, str], lines: list[str]) -> dict[str, str]:
    """The lines typed into one terminal, exactly as printed; its environment after.

    A line that sets or unsets a variable only lasts in the shell that runs
    it: the next conda runs in that same shell.
    """
    assert lines, "no command was printed"
    bin_dir = os.path.join(env["HOME"], "bin")
    os.makedirs(bin_dir, exist_ok=True)
    wrapper = os.path.join(bin_dir, "conda")
    with open(wrapper, "w") as handle:
        handle.write(f'#!/bin/sh\nexec "{sys.executable}" -m conda "$@"\n')
    os.chmod(wrapper, 0o755)
    script = "set -e\n" + "\n".join(lines) + '\nenv -0 > "$NETCHECK_ENV_OUT"\n'
    out = os.path.join(env["HOME"], "env-after")
    done = subprocess.run(
        ["bash", "-c", script],
        env={**env, "PATH": f"{bin_dir}:/usr/bin:/bin", "NETCHECK_ENV_OUT": out},
        cwd=env["HOME"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, (lines, done.stderr)
    with open(out) as handle:
        after = dict(
            item.split("=", 1) for item in handle.read().split("\0") if "=" in item
        )
    after.pop("NETCHECK_ENV_OUT")
    return {**after, "PATH": env["PATH"]}


def hosts_only_the_proxy_knows(*names: str) -> Path:
    """A hosts file for squid: `names` resolve through the proxy, nowhere else."""
    import tempfile
    from pathlib import Path as FsPath

    hosts = FsPath(tempfile.mkdtemp(prefix="netcheck-hosts-")) / "hosts"
    hosts.parent.chmod(0o755)
    hosts.write_text(f"127.0.0.1 {' '.join(names)}\n")
    hosts.chmod(0o644)
    return hosts


def failing_targets(document: dict) -> dict[str, dict]:
    """channel URL -> its target, for the channels that fail."""
    return {channel_of(t): t for t in document["targets"] if t["fix"]}


def test_a_stale_proxy_variable_is_dropped_so_that_condas_own_proxy_applies(
    tmp_path: Path, ca
) -> None:
    """HTTP_PROXY names a proxy that is gone; proxy_servers.http names the right one.

    The mirror resolves only through the proxy, so a direct connection fails
    too; the variable hides conda's own setting, and unsetting it is the fix.
    """
    from support.proxies import closed_port, squid_proxy

    home = tmp_path / "home"
    home.mkdir()
    hosts = hosts_only_the_proxy_knows("mirror.corp.example")
    with ExitStack() as stack:
        mirror = stack.enter_context(channel_server(make_channel(tmp_path / "mirror")))
        urls = [
            mirror.url.replace("127.0.0.1", "mirror.corp.example"),
            https_channel(stack, tmp_path / "secure", ca),
        ]
        proxy = stack.enter_context(
            squid_proxy(
                tmp_path, users={"alice": SECRET}, extra_lines=[f"hosts_file {hosts}"]
            )
        )
        address = proxy.url.split("//", 1)[1]
        gone = stack.enter_context(closed_port())
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={"http": f"http://alice:{SECRET}@{address}"},
        )
        env = conda_env(home, HTTP_PROXY=f"http://127.0.0.1:{gone}")
        code, document = netcheck(env)
        assert code == 1
        failing = failing_targets(document)
        assert set(failing) == {urls[0]}, "the https channel goes direct and works"
        lines = commands_of(failing[urls[0]])
        assert lines == ["unset HTTP_PROXY"]
        assert failing[urls[0]]["needs"] == []
        assert failing[urls[0]]["proof"] == "checked: with it all 2 channels pass"
        assert "proxy_servers.http" in failing[urls[0]]["fix"]
        after = shell_after(env, lines)
        assert "HTTP_PROXY" not in after
        assert_every_channel_works(after, urls)


#: A page a web server may answer every GET with (an intranet portal).
PORTAL = b"<html><head><title>Intranet</title></head><body>Welcome</body></html>"


@pytest.mark.parametrize(
    "page", [None, PORTAL], ids=["its-404", "a-page-for-every-get"]
)
def test_proxy_variables_that_name_a_web_server_are_one_cause_dropped_as_printed(
    tmp_path: Path, ca, page: bytes | None
) -> None:
    """HTTP_PROXY and HTTPS_PROXY name a web server, not a proxy; both channels go direct fine.

    One cause at that address (not a 404, or a page that is not a channel,
    for the http channel and a proxy refusal for the https one), and one
    fix: every channel prints the same lines, which drop both variables;
    typed into one shell, every channel works.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        web = stack.enter_context(channel_server(make_channel(tmp_path / "web")))
        if page is not None:  # every GET: 200 and the page
            web.behaviour.status, web.behaviour.body = 200, page
            web.behaviour.content_type = "text/html"
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        env = conda_env(home, HTTP_PROXY=web.url, HTTPS_PROXY=web.url)
        code, document = netcheck(env)
        assert code == 1
        address = web.url.split("//", 1)[1]
        assert document["verdict"].endswith(
            f"(proxy-misconfigured at {address}): apply its fix first."
        ), document["verdict"]
        failing = failing_targets(document)
        assert set(failing) == set(urls)
        (lines,) = {tuple(commands_of(t)) for t in failing.values()}
        assert lines == ("unset HTTP_PROXY", "unset HTTPS_PROXY")
        proof = "checked: with it all 2 channels pass"
        assert {t["proof"] for t in failing.values()} == {proof}
        after = shell_after(env, list(lines))
        assert_every_channel_works(after, urls)


@pytest.mark.parametrize(
    "page", [None, PORTAL], ids=["its-404", "a-page-for-every-get"]
)
def test_a_web_server_named_as_the_http_proxy_is_not_copied_to_https(
    tmp_path: Path, page: bytes | None
) -> None:
    """HTTP_PROXY names a web server; nothing is set for https.

    The warning that https goes without a proxy used to print, checked, the
    line that copies HTTP_PROXY to HTTPS_PROXY: run as printed beside the
    channel's own fix, it would send every https channel to the web server.
    It now says the proxy it would copy fails itself, with no line; the
    channel's line, run as printed, leaves every channel working.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        web = stack.enter_context(channel_server(make_channel(tmp_path / "web")))
        if page is not None:
            web.behaviour.status, web.behaviour.body = 200, page
            web.behaviour.content_type = "text/html"
        write_condarc(home, [plain.url])
        address = web.url.split("//", 1)[1]
        # A password in the URL: netcheck (helper) asserts it is never printed.
        env = conda_env(home, HTTP_PROXY=f"http://alice:{SECRET}@{address}")
        code, document = netcheck(env)
        assert code == 1
        text = conda(env, "netcheck", "-v", "--timeout", "3", "--index-only")
        assert SECRET not in text.stdout + text.stderr
        assert f"none: the proxy it would copy, {address}, fails itself" in text.stdout
        (warning,) = [f for f in document["findings"] if f["check"] == "HTTP_PROXY"]
        assert "none is set for https" in warning["summary"]
        assert (warning["commands"], warning["checked"]) == ([], False)
        assert warning["fix"] == (
            f"none: the proxy it would copy, {address}, fails itself "
            f"(proxy-misconfigured for {plain.url})"
        )
        failing = failing_targets(document)
        assert set(failing) == {plain.url}
        lines = commands_of(failing[plain.url])
        assert lines == ["unset HTTP_PROXY"]
        after = shell_after(env, lines)
        assert_every_channel_works(after, [plain.url])


def test_proxy_variables_that_name_a_dead_proxy_are_pointed_at_the_right_one_together(
    tmp_path: Path, ca
) -> None:
    """HTTP_PROXY and HTTPS_PROXY name a proxy that moved; the channels resolve only through it.

    One cause, one fix: every channel prints the same two lines, which
    point both variables at the right proxy, the user and password kept as
    placeholders; filled in from `needs` and typed into one shell, every
    channel works through the authenticating proxy.
    """
    from support.proxies import closed_port

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls, proxy = behind_an_authenticating_proxy(stack, tmp_path, ca)
        gone = f"http://alice:{SECRET}@127.0.0.1:{stack.enter_context(closed_port())}"
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        env = conda_env(home, HTTP_PROXY=gone, HTTPS_PROXY=gone)
        code, document = netcheck(env)
        assert code == 1
        assert "independent causes" not in document["verdict"], document["verdict"]
        failing = failing_targets(document)
        assert set(failing) == set(urls)
        (lines,) = {tuple(commands_of(t)) for t in failing.values()}
        placeholder = "'http://USER:<password>@PROXY_HOST:PORT'"
        assert lines == (
            f"export HTTP_PROXY={placeholder}",
            f"export HTTPS_PROXY={placeholder}",
        )
        needs = {tuple(t["needs"]) for t in failing.values()}
        assert needs == {("USER:<password>", "PROXY_HOST:PORT")}
        address = proxy.url.split("//", 1)[1]
        typed = [
            fill(line, "alice", SECRET).replace("PROXY_HOST:PORT", address)
            for line in lines
        ]
        after = shell_after(env, typed)
        assert_every_channel_works(after, urls)


def test_a_bundle_variable_that_hides_a_working_ssl_verify_is_unset(
    tmp_path: Path, ca
) -> None:
    """ssl_verify names the bundle that trusts the channel; REQUESTS_CA_BUNDLE another.

    requests lets the variable win. Unsetting it is the fix, and it is proven;
    the channel's own fix (get its root) is not needed. The variable's file
    holds one corporate root only: the fix that would build a bundle from it
    for ssl_verify is not printed beside it (it would not fix the channel).
    """
    import trustme

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls = [https_channel(stack, tmp_path / "internal", ca)]
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls.append(plain.url)
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "ca.pem", ca)))
        other = home / "corp-root.pem"
        trustme.CA().cert_pem.write_to_path(str(other))
        env = conda_env(home, REQUESTS_CA_BUNDLE=str(other))
        code, document = netcheck(env)
        assert code == 1
        assert set(failing_targets(document)) == {urls[0]}
        (override,) = document["findings"]
        assert override["diagnosis"] == "ca-bundle-override"
        lines = commands_of(override)
        assert lines == ["unset REQUESTS_CA_BUNDLE"]
        assert override["proof"] == "checked: with it all 2 channels pass"
        # The channel names the same cause: the variable, not a root to add.
        for target in failing_targets(document).values():
            assert "REQUESTS_CA_BUNDLE" in target["summary"], target["summary"]
            assert commands_of(target) == lines
            assert target["needs"] == []
            assert target["proof"] == override["proof"]
        after = shell_after(env, lines)
        assert "REQUESTS_CA_BUNDLE" not in after
        assert_every_channel_works(after, urls)


def slow_channel(stack: ExitStack, root: Path, delay: float) -> str:
    """A channel whose repodata.json comes after `delay` seconds (the rest at once)."""
    import time

    server = stack.enter_context(channel_server(make_channel(root)))

    def wait(request) -> bool:
        if request.path.split("?")[0].endswith("/repodata.json"):
            time.sleep(delay)
        return False  # then serve the file as usual

    server.behaviour.handler = wait
    return server.url


def test_a_channel_slower_than_a_timeout_set_too_low_gets_the_timeout_it_needs(
    tmp_path: Path, ca
) -> None:
    """remote_read_timeout_secs: 1 in ~/.condarc; one channel answers after 2 s.

    The channel's fix and the finding about the low setting give the same
    line; applied, conda waits long enough and the fast channel still works.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        urls = [
            slow_channel(stack, tmp_path / "slow", delay=2.0),
            https_channel(stack, tmp_path / "fast", ca),
        ]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            remote_read_timeout_secs=1,
        )
        env = conda_env(home)
        del env["CONDA_REMOTE_READ_TIMEOUT_SECS"]  # the file's value applies
        # Without --timeout netcheck waits as long as conda does: 1 s.
        done = conda(env, "netcheck", "--json", "--index-only")
        assert done.returncode == 1, done.stdout
        document = json.loads(done.stdout)
        failing = failing_targets(document)
        assert set(failing) == {urls[0]}
        assert failing[urls[0]]["diagnosis"] == "read-timeout"
        lines = commands_of(failing[urls[0]])
        line = f"conda config --file {home}/.condarc --set remote_read_timeout_secs 50"
        assert lines == [line]
        assert failing[urls[0]]["checked"] is True, failing[urls[0]]["proof"]
        (low,) = [
            f for f in document["findings"] if f["diagnosis"] == "timeout-too-low"
        ]
        assert low["commands"] == lines, "one setting, one value"
        run_as_printed(env, lines)
        assert_every_channel_works(env, urls)


def test_offline_mode_is_turned_off_in_the_file_that_turns_it_on(
    tmp_path: Path, ca
) -> None:
    """offline: true in ~/.config/conda/.condarc, channels in ~/.condarc.

    A bare `conda config --set offline false` would write ~/.condarc, which
    the other file overrides: the fix names the file that sets it.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        config = home / "config" / "conda"
        config.mkdir(parents=True)
        (config / ".condarc").write_text("offline: true\n")
        env = conda_env(home)
        code, document = netcheck(env)
        assert code == 1
        failing = failing_targets(document)
        assert set(failing) == set(urls)
        line = f"conda config --file {config}/.condarc --set offline false"
        printed = {tuple(commands_of(t)) for t in failing.values()}
        assert printed == {(line,)}
        (offline,) = [
            f for f in document["findings"] if f["diagnosis"] == "offline-mode"
        ]
        assert offline["commands"] == [line]
        run_as_printed(env, [line])
        assert_every_channel_works(env, urls)


# -- doctor --fix and netcheck --fix plan from the same evidence -------------------


def changes_offered(output: str) -> list[str]:
    """The settings a --fix run offers to change: each line with its diff after it."""
    pattern = r"^- (proxy_servers\.\S+?|ssl_verify|offline)(?=: | ).*\n--- "
    return re.findall(pattern, output, re.M)


def test_doctor_fix_offers_what_netcheck_fix_offers_for_an_inspected_channel(
    tmp_path: Path,
) -> None:
    """An inspecting proxy re-signs the https channel; the OS store trusts its CA.

    Only a look at the network shows the inspection: `conda doctor --fix`
    looks as `conda netcheck --fix` does, and both offer the same change (or
    decline it for the same reason, on a conda that ignores truststore
    behind a proxy).
    """
    import trustme
    from support.mitm import mitm_proxy

    site = trustme.CA()
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        secure = https_channel(stack, tmp_path / "secure", site)
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        site_pem = tmp_path / "site.pem"
        site.cert_pem.write_to_path(str(site_pem))
        mitm = stack.enter_context(mitm_proxy(tmp_path, str(site_pem)))
        urls = [secure, plain.url]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", site)),
            proxy_servers={"https": mitm.url},
        )
        # On Linux truststore reads SSL_CERT_FILE: the OS store has the inspector's CA.
        env = conda_env(home, SSL_CERT_FILE=str(mitm.ca_pem))
        netcheck_fix = conda(env, "netcheck", "--fix", "--dry-run", "--timeout", "3")
        said = netcheck_fix.stdout + netcheck_fix.stderr
        changes = changes_offered(said)
        if "ignores ssl_verify: truststore behind a proxy" in said:
            assert changes == [], said  # conda < 26.7
            assert "127.0.0.1 (this conda ignores truststore behind a proxy)" in said
        else:
            assert changes == ["ssl_verify"], said
            # The OS store makes the root from the IT team needless: not "declined".
            assert "the root certificate must come from you" not in said
        if "--fix" in conda(env, "doctor", "--help").stdout:
            doctor_fix = conda(env, "doctor", "--fix", "--dry-run", "network-config")
            doctor_said = doctor_fix.stdout + doctor_fix.stderr
            assert changes_offered(doctor_said) == changes, doctor_said
        if changes:
            done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
            assert done.returncode == 0, done.stdout + done.stderr
            assert_every_channel_works(env, urls)


# -- `conda netcheck --fix --yes`, one journey per fixer ---------------------------


def fix_yes(env: dict[str, str]) -> str:
    """`conda netcheck --fix --yes` as a user runs it; what it said."""
    done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    return said


def mirror_behind_a_proxy(
    stack: ExitStack, tmp_path: Path, users: dict[str, str] | None = None
) -> tuple[str, str]:
    """(the mirror's URL, the proxy's host:port): the mirror resolves only through squid."""
    from support.proxies import squid_proxy

    hosts = hosts_only_the_proxy_knows("mirror.corp.example")
    mirror = stack.enter_context(channel_server(make_channel(tmp_path / "mirror")))
    proxy = stack.enter_context(
        squid_proxy(tmp_path, users=users, extra_lines=[f"hosts_file {hosts}"])
    )
    url = mirror.url.replace("127.0.0.1", "mirror.corp.example")
    return url, proxy.url.split("//", 1)[1]


def broken_then_fixed(env: dict[str, str], urls: list[str], broken: str) -> str:
    """conda fails on `broken` now; after `--fix --yes` every channel works."""
    before = conda(env, "search", "--override-channels", "-c", broken, "netcheck-demo")
    assert before.returncode != 0, "the journey starts broken"
    said = fix_yes(env)
    assert_every_channel_works(env, urls)
    return said


def test_fix_yes_adds_the_scheme_a_proxy_url_lacks(tmp_path: Path, ca) -> None:
    """proxy_servers.http: localhost:PORT, which requests reads as scheme 'localhost:'."""
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        mirror, address = mirror_behind_a_proxy(stack, tmp_path)
        urls = [mirror, https_channel(stack, tmp_path / "secure", ca)]
        port = address.rsplit(":", 1)[1]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={"http": f"localhost:{port}"},
        )
        env = conda_env(home)
        said = broken_then_fixed(env, urls, mirror)
        assert "- proxy_servers.http: add the missing scheme http://" in said
        assert f"http://localhost:{port}" in (home / ".condarc").read_text()


def test_fix_yes_percent_encodes_the_proxy_password(tmp_path: Path, ca) -> None:
    """The password holds '/' and '#': requests ends the user info there."""
    password = f"{SECRET}/a#b"
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        mirror, address = mirror_behind_a_proxy(stack, tmp_path, {"alice": password})
        urls = [mirror, https_channel(stack, tmp_path / "secure", ca)]
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={"http": f"http://alice:{password}@{address}"},
        )
        env = conda_env(home)
        said = broken_then_fixed(env, urls, mirror)
        assert "percent-encode the reserved characters" in said
        assert f"{SECRET}%2Fa%23b@" in (home / ".condarc").read_text()


def a_bundle_gone(
    stack: ExitStack, tmp_path: Path, ca, roots_in: str
) -> tuple[dict[str, str], list[str]]:
    """ssl_verify names a bundle that is gone: conda cannot even build a session.

    The channels' CA is in the operating system's store (`roots_in`
    "os-store": two HTTPS channels) or only in conda's default roots
    ("default-roots": one). A plain channel fails too, until the fix.
    """
    home = tmp_path / "home"
    home.mkdir()
    plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
    urls = [https_channel(stack, tmp_path / "one", ca)]
    if roots_in == "os-store":
        urls.append(https_channel(stack, tmp_path / "two", ca, host="localhost"))
        # On Linux truststore reads SSL_CERT_FILE: this file plays the OS store.
        store = bundle_of(tmp_path / "os-store.pem", ca)
        env = conda_env(home, SSL_CERT_FILE=str(store))
    else:
        roots = default_roots_with(tmp_path / "site", ca)
        env = conda_env(home, PYTHONPATH=str(roots))
    urls.append(plain.url)
    write_condarc(home, urls, ssl_verify=str(home / "moved-away.pem"))
    return env, urls


def default_roots_with(path: Path, ca) -> Path:
    """A certifi package whose roots include `ca`, as a distribution's patched certifi has.

    conda's default roots (ssl_verify: true) are certifi's file; put first on
    PYTHONPATH, this one is what conda and netcheck read.
    """
    import certifi

    package = path / "certifi"
    shutil.copytree(os.path.dirname(certifi.__file__), package)
    with open(package / "cacert.pem", "a") as roots:
        roots.write(ca.cert_pem.bytes().decode())
    return path


@pytest.mark.parametrize(
    ("roots_in", "change"),
    [
        ("os-store", "--set ssl_verify truststore"),
        ("default-roots", "--remove-key ssl_verify"),
    ],
)
def test_a_missing_bundle_is_replaced_as_printed_by_what_verifies_every_channel(
    tmp_path: Path, ca, roots_in: str, change: str
) -> None:
    """The printed fix chooses as --fix does: the OS store only when it verifies all."""
    with ExitStack() as stack:
        env, urls = a_bundle_gone(stack, tmp_path, ca, roots_in)
        code, document = netcheck(env)
        assert code == 1
        (finding,) = [f for f in document["findings"] if f["check"] == "ssl_verify"]
        lines = commands_of(finding)
        assert lines == [f"conda config --file {env['HOME']}/.condarc {change}"]
        assert finding["proof"] == f"checked: with it all {len(urls)} channels pass"
        run_as_printed(env, lines)
        assert_every_channel_works(env, urls)


@pytest.mark.parametrize(
    ("roots_in", "said", "left"),
    [
        ("os-store", "use the operating system's store", '"ssl_verify": "truststore"'),
        ("default-roots", "remove the key (conda's default roots apply)", None),
    ],
)
def test_fix_yes_replaces_a_missing_bundle_by_what_verifies_every_channel(
    tmp_path: Path, ca, roots_in: str, said: str, left: str | None
) -> None:
    """The OS store where it has the channels' CA; else conda's default roots (the key removed)."""
    with ExitStack() as stack:
        env, urls = a_bundle_gone(stack, tmp_path, ca, roots_in)
        assert said in broken_then_fixed(env, urls, urls[0])
        condarc = open(os.path.join(env["HOME"], ".condarc")).read()
        if left:
            assert left in condarc
        else:
            assert "ssl_verify" not in condarc


def test_fix_yes_turns_offline_mode_off_in_the_file_that_sets_it(
    tmp_path: Path, ca
) -> None:
    """offline: true in ~/.config/conda/.condarc: that file is edited, not ~/.condarc."""
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [plain.url, https_channel(stack, tmp_path / "secure", ca)]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        rc = home / "config" / "conda" / ".condarc"
        rc.parent.mkdir(parents=True)
        rc.write_text("# offline for the flight\noffline: true\n")
        env = conda_env(home)
        said = broken_then_fixed(env, urls, urls[0])
        assert f"applied to {rc}" in said
        assert rc.read_text().strip() == "# offline for the flight", "comment kept"
        assert '"offline"' not in (home / ".condarc").read_text()


def variable_fixed_in_the_shell(tmp_path: Path, ca, name: str, value: str) -> None:
    """A variable breaks conda; --fix --yes prints `unset NAME`; typed in, every channel works.

    Two channels, an https one (trusted by the bundle in ~/.condarc) and a
    plain one; conda cannot edit a variable, so --fix gives the shell line.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        urls = [https_channel(stack, tmp_path / "secure", ca), plain.url]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        env = conda_env(home, **{name: value})
        for url in urls:
            before = conda(env, "search", "--override-channels", "-c", url, "x")
            assert before.returncode != 0, "the journey starts broken"
        done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
        said = done.stdout + done.stderr
        lines = re.findall(r"run this in your shell: (.+)$", said, re.M)
        assert lines == [f"unset {name}"], said
        after = shell_after(env, lines)
        assert_every_channel_works(after, urls)


def test_fix_yes_gives_the_shell_line_for_a_bundle_variable_it_cannot_change(
    tmp_path: Path, ca
) -> None:
    """REQUESTS_CA_BUNDLE names a file that is gone: conda cannot edit a variable.

    --fix prints the line; typed into the shell, every channel works (the
    bundle in ~/.condarc applies again).
    """
    variable_fixed_in_the_shell(
        tmp_path, ca, "REQUESTS_CA_BUNDLE", str(tmp_path / "home" / "gone.pem")
    )


# -- a channel URL with a mistyped path ---------------------------------------------


def only_this_fails(home: Path, channels: list[str], wrong: str, ca) -> dict:
    """~/.condarc with these channels and a bundle with `ca`; netcheck fails `wrong` alone."""
    write_condarc(home, channels, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
    code, document = netcheck(conda_env(home))
    assert code == 1
    failing = failing_targets(document)
    assert set(failing) == {wrong}
    return failing


def test_a_mistyped_channel_path_is_replaced_in_place_in_the_file_that_lists_it(
    tmp_path: Path, ca
) -> None:
    """The second of three channels misses the mirror's /cloud prefix.

    The server has the channel at the nearby path; the fix replaces the
    entry in ~/.condarc and keeps the order (priority) of the channels.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        served = tmp_path / "mirror"
        make_channel(served / "cloud" / "team")
        mirror = stack.enter_context(channel_server(served))
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        wrong, right = f"{mirror.url}/team", f"{mirror.url}/cloud/team"
        first = https_channel(stack, tmp_path / "secure", ca)
        failing = only_this_fails(home, [first, wrong, plain.url], wrong, ca)
        env = conda_env(home)
        lines = commands_of(failing[wrong])
        rc = f"conda config --file {home}/.condarc"
        assert lines == [
            f"{rc} --remove channels {wrong}",
            f"{rc} --remove channels {plain.url}",
            f"{rc} --append channels {right}",
            f"{rc} --append channels {plain.url}",
        ]
        # Tried on a copy of ~/.condarc as conda edits a list the file holds.
        assert failing[wrong]["proof"] == "checked: with it all 3 channels pass"
        run_as_printed(env, lines)
        shown = conda(env, "config", "--show", "channels", "--json")
        assert json.loads(shown.stdout)["channels"] == [first, right, plain.url]
        assert_every_channel_works(env, [first, right, plain.url])


def test_an_http_channel_on_a_port_that_speaks_tls_is_written_with_https(
    tmp_path: Path, ca
) -> None:
    """The first of two channels is written http:// for a port that speaks TLS.

    Its server's CA is in the bundle ssl_verify names: the fix writes the
    channel with https:// in the file that lists it, first as it was.
    """
    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        secure = https_channel(stack, tmp_path / "secure", ca)
        wrong = secure.replace("https://", "http://")
        plain = stack.enter_context(channel_server(make_channel(tmp_path / "plain")))
        failing = only_this_fails(home, [wrong, plain.url], wrong, ca)
        env = conda_env(home)
        assert failing[wrong]["diagnosis"] == "wrong-protocol"
        lines = commands_of(failing[wrong])
        rc = f"conda config --file {home}/.condarc"
        assert lines == [
            f"{rc} --remove channels {wrong}",
            f"{rc} --prepend channels {secure}",
        ]
        assert failing[wrong]["proof"] == "checked: with it all 2 channels pass"
        run_as_printed(env, lines)
        shown = conda(env, "config", "--show", "channels", "--json")
        assert json.loads(shown.stdout)["channels"] == [secure, plain.url]
        assert_every_channel_works(env, [secure, plain.url])


def test_fix_yes_drops_the_proxy_variable_whose_proxy_is_dead(
    tmp_path: Path, ca
) -> None:
    """http_proxy names a proxy that is gone, HTTP_PROXY the right one.

    requests uses the lower-case variable: unsetting the upper-case one (the
    usual 'keep one') would change nothing. The run shows which proxy is
    dead, so --fix prints the line that drops that one.
    """
    from support.proxies import closed_port

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        mirror, address = mirror_behind_a_proxy(stack, tmp_path)
        urls = [mirror, https_channel(stack, tmp_path / "secure", ca)]
        write_condarc(home, urls, ssl_verify=str(bundle_of(home / "bundle.pem", ca)))
        gone = stack.enter_context(closed_port())
        env = conda_env(
            home,
            http_proxy=f"http://127.0.0.1:{gone}",
            HTTP_PROXY=f"http://{address}",
            NO_PROXY="127.0.0.1,localhost",
        )
        before = conda(env, "search", "--override-channels", "-c", mirror, "x")
        assert before.returncode != 0, "the journey starts broken"
        done = conda(env, "netcheck", "--fix", "--yes", "--timeout", "3")
        said = done.stdout + done.stderr
        lines = re.findall(r"run this in your shell: (.+)$", said, re.M)
        assert lines == ["unset http_proxy"], said
        after = shell_after(env, lines)
        assert_every_channel_works(after, urls)


def test_fix_yes_gives_the_shell_line_for_offline_mode_set_by_a_variable(
    tmp_path: Path, ca
) -> None:
    """CONDA_OFFLINE=true: no file to edit; --fix prints the line for the shell."""
    variable_fixed_in_the_shell(tmp_path, ca, "CONDA_OFFLINE", "true")


def test_a_variable_that_overrides_a_dead_proxy_setting_is_kept(
    tmp_path: Path, ca
) -> None:
    """HTTP_PROXY names the right proxy, proxy_servers.http one that is gone.

    conda works (the variable wins); the warning's line must not switch it to
    the dead proxy: it writes the proxy conda uses now into the setting.
    """
    from support.proxies import closed_port

    home = tmp_path / "home"
    home.mkdir()
    with ExitStack() as stack:
        mirror, address = mirror_behind_a_proxy(stack, tmp_path)
        urls = [mirror, https_channel(stack, tmp_path / "secure", ca)]
        gone = stack.enter_context(closed_port())
        write_condarc(
            home,
            urls,
            ssl_verify=str(bundle_of(home / "bundle.pem", ca)),
            proxy_servers={"http": f"http://127.0.0.1:{gone}"},
        )
        env = conda_env(home, HTTP_PROXY=f"http://{address}")
        code, document = netcheck(env)
        assert code == 0, "conda uses the variable's proxy, which works"
        (warning,) = [
            f for f in document["findings"] if "overridden by" in f["summary"]
        ]
        assert warning["check"] == "proxy_servers.http"
        lines = commands_of(warning)
        assert lines == [
            f"conda config --file {home}/.condarc --set proxy_servers.http "
            f"http://{address}"
        ]
        after = shell_after(env, lines)
        assert_every_channel_works(after, urls)
        _, document = netcheck(after)
        assert not [f for f in document["findings"] if "overridden" in f["summary"]]
        # Without the variable, conda's own setting now works too.
        del after["HTTP_PROXY"]
        assert_every_channel_works(after, urls)
