"""Collect the exact error chains real conda raises for each network failure class.

Run with each supported conda (as root: each run is in a private network
namespace, loopback only), and paste the output into tests/conda_messages.py::

    python tests/support/conda_messages.py > /tmp/messages.py

conda renders its errors itself; a shim around conda's ExceptionHandler
writes what the error hints read (the class names along the chain and the
messages, tests/../conda_netcheck/failure/hints.py chain_texts) to a file first.
"""

from __future__ import annotations

import ctypes
import datetime
import json
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

SHIM = r"""
import json, os, sys
from conda.exception_handler import ExceptionHandler

_handle = ExceptionHandler.handle_exception

def handle_exception(self, exc_val, exc_tb):
    from conda_netcheck.failure.hints import chain_texts
    from conda_netcheck.failure.watch import network_leaf

    leaf = network_leaf(exc_val) or exc_val
    names, text = chain_texts(leaf)
    names = list(dict.fromkeys(names))  # membership is all the rules ask
    with open(os.environ["NETCHECK_DUMP"], "w") as handle:
        json.dump({"names": names, "text": text}, handle)
    return _handle(self, exc_val, exc_tb)

ExceptionHandler.handle_exception = handle_exception
from conda.cli.main import main
sys.argv = ["conda", *sys.argv[1:]]
sys.exit(main())
"""


def capture(home: Path, condarc: dict, argv: list[str], **extra: str) -> dict:
    """Run conda argv with condarc; the chain its error handler saw."""
    from test_last_failure import conda_env

    env = conda_env(home, condarc, **extra)
    env.pop("CURL_CA_BUNDLE", None)
    env["CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES"] = "false"
    dump = home / "dump.json"
    dump.unlink(missing_ok=True)
    env["NETCHECK_DUMP"] = str(dump)
    subprocess.run(
        [sys.executable, "-c", SHIM, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return json.loads(dump.read_text()) if dump.exists() else {}


def search(url: str) -> list[str]:
    return ["search", "--override-channels", "-c", url, "netcheck-demo"]


def only(url: str) -> dict:
    return {"channels": [url], "default_channels": [url], "channel_alias": url}


@contextmanager
def tls_server(root: Path, ctx) -> object:
    from support.servers import channel_server

    with channel_server(root, tls=ctx) as server:
        yield server


def scenarios(tmp: Path):
    """(failure class, setup) pairs; each setup yields (condarc, argv, extra env)."""
    import trustme
    from test_last_failure import (
        blocked_package_channel,
        reset_server,
        serve_block_page,
    )

    from support.proxies import squid_proxy
    from support.servers import closed_port, make_channel, server_tls_context
    from support.tls_faults import issue, serving

    root = make_channel(tmp / "channel")
    ca = trustme.CA()
    ca_file = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    @contextmanager
    def refused():
        url = f"http://127.0.0.1:{closed_port()}/demo"
        yield only(url), search(url), {}

    @contextmanager
    def dns():
        url = "http://channel.netcheck-hints.invalid/demo"  # RFC 6761: never resolves
        yield only(url), search(url), {}

    @contextmanager
    def untrusted():
        with tls_server(root, server_tls_context(ca.issue_cert("127.0.0.1"))) as s:
            yield only(s.url), search(s.url), {}

    @contextmanager
    def self_signed():
        leaf = issue("127.0.0.1", ca=False, hosts=("127.0.0.1",))
        with tls_server(root, serving(leaf, [], tmp)) as s:
            yield only(s.url), search(s.url), {}

    @contextmanager
    def expired():
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=2)
        cert = ca.issue_cert(
            "127.0.0.1", not_before=past - datetime.timedelta(days=30), not_after=past
        )
        with tls_server(root, server_tls_context(cert)) as s:
            yield {**only(s.url), "ssl_verify": str(ca_file)}, search(s.url), {}

    @contextmanager
    def hostname_mismatch():
        with tls_server(root, server_tls_context(ca.issue_cert("other.test"))) as s:
            yield {**only(s.url), "ssl_verify": str(ca_file)}, search(s.url), {}

    @contextmanager
    def reset():
        with reset_server() as port:
            url = f"https://127.0.0.1:{port}/demo"
            yield only(url), search(url), {}

    @contextmanager
    def tls_eof():
        with reset_server(reset=False) as port:
            url = f"https://127.0.0.1:{port}/demo"
            yield only(url), search(url), {}

    @contextmanager
    def proxy_auth():
        with ExitStack() as stack:
            s = stack.enter_context(
                tls_server(root, server_tls_context(ca.issue_cert("127.0.0.1")))
            )
            proxy = stack.enter_context(
                squid_proxy(
                    tmp / "squid", users={"alice": "right"}, connect_ports=[s.port]
                )
            )
            url = proxy.url_with("alice", "wrong")
            settings = {
                **only(s.url),
                "proxy_servers": {"http": url, "https": url},
                "ssl_verify": str(ca_file),
            }
            yield settings, search(s.url), {}

    @contextmanager
    def proxy_https_scheme():
        with ExitStack() as stack:
            s = stack.enter_context(
                tls_server(root, server_tls_context(ca.issue_cert("127.0.0.1")))
            )
            proxy = stack.enter_context(
                squid_proxy(tmp / "squid2", connect_ports=[s.port])
            )
            url = f"https://127.0.0.1:{proxy.port}"
            settings = {
                **only(s.url),
                "proxy_servers": {"http": url, "https": url},
                "ssl_verify": str(ca_file),
            }
            yield settings, search(s.url), {}

    @contextmanager
    def checksum_mismatch():
        from support.servers import channel_server

        blocked = tmp / "blocked"
        name = blocked_package_channel(blocked)
        with channel_server(blocked) as s:
            serve_block_page(s, name)
            argv = ["create", "--download-only", "--yes", "-p", str(tmp / "env")]
            argv += ["--override-channels", "-c", s.url, "netcheck-blocked"]
            yield only(s.url), argv, {}

    @contextmanager
    def http_500():
        from support.servers import channel_server

        with channel_server(root) as s:
            s.behaviour.status = 500
            yield only(s.url), search(s.url), {}

    return {
        "connection_refused": refused,
        "dns": dns,
        "tls_untrusted": untrusted,
        "tls_self_signed": self_signed,
        "tls_expired": expired,
        "tls_hostname_mismatch": hostname_mismatch,
        "connection_reset": reset,
        "tls_eof": tls_eof,
        "proxy_auth": proxy_auth,
        "proxy_https_scheme": proxy_https_scheme,
        "checksum_mismatch": checksum_mismatch,
        "http_500": http_500,
    }


def main() -> int:
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(0x40000000) == 0:  # CLONE_NEWNET: loopback only
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
    from conda import __version__

    with tempfile.TemporaryDirectory(prefix="netcheck-messages-") as tmp:
        found = {}
        for name, setup in scenarios(Path(tmp)).items():
            home = Path(tmp) / f"home-{name}"
            home.mkdir()
            with setup() as (condarc, argv, extra):
                found[name] = capture(home, condarc, argv, **extra)
    print(f"# conda {__version__}")
    print(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
