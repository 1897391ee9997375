"""The DNS stub and the network-namespace harness actually isolate and work.

Nothing here talks to a real resolver or a non-loopback address: the stub
listens on 127.0.0.1, and everything else runs inside a network namespace
that only has ``lo``.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import time

import pytest

try:
    from tests.support import dnsstub
    from tests.support.netns import (
        NetnsTimeout,
        netns_available,
        run_in_netns,
        run_python_in_netns,
    )
except ImportError:  # tests/ on sys.path instead of the project root
    from support import dnsstub  # type: ignore[no-redef]
    from support.netns import (  # type: ignore[no-redef]
        NetnsTimeout,
        netns_available,
        run_in_netns,
        run_python_in_netns,
    )

MAP = {"repo.example.test": ["127.0.0.1"], "dual.example.test": ["127.0.0.1", "::1"]}


# -- the stub on the host's loopback (no root needed) -------------------------


@pytest.fixture
def stub():
    with dnsstub.StubResolver(
        MAP, port=0, drop=["slow.example.test"], servfail=["broken.example.test"]
    ) as server:
        yield server


def _udp(stub, payload: bytes, timeout: float = 1.0) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, ("127.0.0.1", stub.port))
        return sock.recv(65535)


def test_stub_answers_a_aaaa_nxdomain_servfail(stub):
    q = lambda name, qtype=dnsstub.QTYPE_A: dnsstub.query(name, qtype, port=stub.port)  # noqa: E731
    assert q("repo.example.test") == (dnsstub.RCODE_NOERROR, ["127.0.0.1"])
    assert q("REPO.example.test.") == (dnsstub.RCODE_NOERROR, ["127.0.0.1"])
    assert q("dual.example.test", dnsstub.QTYPE_AAAA) == (
        dnsstub.RCODE_NOERROR,
        ["::1"],
    )
    assert q("repo.example.test", dnsstub.QTYPE_AAAA) == (dnsstub.RCODE_NOERROR, [])
    assert q("other.example.test") == (dnsstub.RCODE_NXDOMAIN, [])
    assert q("broken.example.test") == (dnsstub.RCODE_SERVFAIL, [])
    assert ("other.example.test", dnsstub.QTYPE_A) in stub.queries


def test_stub_drop_never_answers(stub):
    start = time.monotonic()
    assert dnsstub.query("slow.example.test", port=stub.port, timeout=0.3) is None
    assert time.monotonic() - start < 2


def test_stub_echoes_id_question_and_edns(stub):
    query = dnsstub.build_query("repo.example.test", qid=0xBEEF, edns=True)
    reply = _udp(stub, query)
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", reply[:12])
    assert (qid, qd, an, ns, ar) == (0xBEEF, 1, 1, 0, 1)
    assert flags & 0x8000 and flags & 0x0100  # QR, RD copied
    question = query[12 : len(query) - 11]  # minus the 11-byte OPT record
    assert reply[12 : 12 + len(question)] == question
    assert dnsstub.parse_reply(reply) == (0xBEEF, 0, ["127.0.0.1"])


def test_stub_tcp(stub):
    query = dnsstub.build_query("repo.example.test", qid=7)
    with socket.create_connection(("127.0.0.1", stub.port), timeout=2) as conn:
        conn.sendall(struct.pack("!H", len(query)) + query)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
            chunk = conn.recv(4096)
            assert chunk
            buf += chunk
    assert dnsstub.parse_reply(buf[2:]) == (7, 0, ["127.0.0.1"])


def test_stub_formerr_on_garbage(stub):
    reply = _udp(stub, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x05abc")
    assert dnsstub.parse_reply(reply)[:2] == (0x1234, 1)


def test_stub_script_runs(tmp_path):
    import sys

    proc = subprocess.Popen(
        [
            sys.executable,
            dnsstub.__file__,
            "--port",
            "0",
            "--map",
            "a.example.test=127.0.0.9",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # "dnsstub listening on 127.0.0.1 port N"
        port = int(line.split()[-1])
        assert dnsstub.query("a.example.test", port=port) == (0, ["127.0.0.9"])
    finally:
        # The stub's SIGTERM handler joins its serving thread (up to 5 s):
        # under load, give it longer than that before killing it.
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- inside a network namespace ------------------------------------------------


@pytest.fixture(scope="module")
def netns():
    ok, why = netns_available()
    if not ok:
        pytest.skip(why)


def _py(code: str, **kw) -> subprocess.CompletedProcess[str]:
    kw.setdefault("dns_map", MAP)
    kw.setdefault("drop", ["slow.example.test"])
    kw.setdefault("servfail", ["broken.example.test"])
    kw.setdefault("timeout", 30)
    res = run_python_in_netns(code, **kw)
    assert res.returncode == 0, res.stderr
    return res


GAI = """
import socket, sys, time
start = time.monotonic()
try:
    infos = socket.getaddrinfo(sys.argv[1], 443, type=socket.SOCK_STREAM)
    print("ok", sorted({i[4][0] for i in infos}))
except socket.gaierror as exc:
    print("err", exc.errno)
print(round(time.monotonic() - start, 3))
"""


def _gai(name: str, **kw) -> tuple[str, float]:
    res = run_python_in_netns(GAI, name, **{"dns_map": MAP, "timeout": 30, **kw})
    assert res.returncode == 0, res.stderr
    what, elapsed = res.stdout.splitlines()
    return what, float(elapsed)


@pytest.mark.root
def test_getaddrinfo_uses_stub(netns):
    assert _gai("repo.example.test")[0] == "ok ['127.0.0.1']"
    assert _gai("dual.example.test")[0] == "ok ['127.0.0.1', '::1']"


@pytest.mark.root
def test_unmapped_name_is_eai_noname(netns):
    what, elapsed = _gai("nowhere.example.test")
    assert what == f"err {socket.EAI_NONAME}"
    assert elapsed < 1


@pytest.mark.root
def test_servfail_is_eai_again(netns):
    what, elapsed = _gai("broken.example.test", servfail=["broken.example.test"])
    assert what == f"err {socket.EAI_AGAIN}"
    assert elapsed < 1


@pytest.mark.root
def test_dropped_query_fails_after_resolver_timeout(netns):
    # timeout:1 attempts:1 -> glibc 2.36 sends A and AAAA together and gives
    # up after one 1 s wait (measured: ~1.00 s).
    what, elapsed = _gai("slow.example.test", drop=["slow.example.test"])
    print(f"getaddrinfo on a dropped name took {elapsed:.3f} s")
    assert what == f"err {socket.EAI_AGAIN}"
    assert 0.8 <= elapsed < 6


@pytest.mark.root
def test_http_server_reachable_by_name(netns):
    code = """
import http.server, threading, urllib.request
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from the namespace"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
with opener.open(f"http://repo.example.test:{srv.server_port}/", timeout=5) as r:
    print(r.status, r.read().decode())
srv.shutdown()
"""
    res = _py(code)
    assert res.stdout.strip() == "200 hello from the namespace"
    assert ("repo.example.test", dnsstub.QTYPE_A) in res.dns_queries


@pytest.mark.root
def test_non_loopback_is_unreachable(netns):
    code = """
import errno, socket, time
for family, addr in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(3)
    start = time.monotonic()
    try:
        s.connect((addr, 80))
        print(addr, "CONNECTED")
    except OSError as exc:
        print(addr, errno.errorcode.get(exc.errno, exc.errno), round(time.monotonic() - start, 3))
"""
    lines = _py(code).stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["192.0.2.1", "ENETUNREACH"],
        ["2001:db8::1", "ENETUNREACH"],
    ]
    assert all(float(line.split()[2]) < 0.5 for line in lines)


@pytest.mark.root
def test_private_etc_files(netns):
    with open("/etc/resolv.conf", "rb") as fh:
        host_resolv = fh.read()
    code = """
import socket
print(open("/etc/resolv.conf").read())
print("HOSTS", sorted({n for l in open("/etc/hosts") if not l.startswith("#") for n in l.split()[1:]}))
print("NSS", [l.split() for l in open("/etc/nsswitch.conf") if l.startswith("hosts:")])
print("LINKS", socket.if_nameindex())
"""
    out = _py(code).stdout
    assert "nameserver 127.0.0.1\n" in out
    assert "options timeout:1 attempts:1\n" in out
    hosts = next(line for line in out.splitlines() if line.startswith("HOSTS "))
    assert "'localhost'" in hosts
    assert all(
        n.strip("' ").startswith(("localhost", "ip6-")) for n in hosts[7:-1].split(",")
    )
    assert "NSS [['hosts:', 'files', 'dns']]" in out
    assert "LINKS [(1, 'lo')]" in out
    with open("/etc/resolv.conf", "rb") as fh:  # nothing leaked to the host
        assert fh.read() == host_resolv


@pytest.mark.root
def test_resolv_conf_options_are_configurable(netns):
    res = run_in_netns(
        ["cat", "/etc/resolv.conf"],
        resolv_conf_nameserver="::1",
        resolv_conf_options="timeout:2 attempts:1 single-request",
        timeout=20,
    )
    assert "nameserver ::1\noptions timeout:2 attempts:1 single-request\n" in res.stdout
    assert (
        _gai("repo.example.test", resolv_conf_nameserver="::1")[0] == "ok ['127.0.0.1']"
    )


@pytest.mark.root
def test_net_namespace_alone_keeps_host_resolv_conf(netns):
    # Why the mount namespace is needed: `unshare --net` by itself still reads
    # the host's /etc/resolv.conf (only read here, no query is sent).
    with open("/etc/resolv.conf") as fh:
        host = fh.read()
    res = subprocess.run(
        ["unshare", "--net", "--", "cat", "/etc/resolv.conf"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == host


@pytest.mark.root
def test_exit_code_env_and_output_pass_through(netns):
    res = run_python_in_netns(
        "import os, sys; print(os.environ['MARK']); print('e', file=sys.stderr); sys.exit(3)",
        env={"MARK": "xyz"},
        timeout=20,
    )
    assert (res.returncode, res.stdout, res.stderr) == (3, "xyz\n", "e\n")


@pytest.mark.root
def test_timeout_kills_everything_in_the_namespace(netns):
    # The grandchild leaves the process group and keeps stdout open; the call
    # still returns promptly because the PID namespace dies as a whole.
    code = """
import subprocess, time
subprocess.Popen(["sleep", "60"], start_new_session=True)
time.sleep(60)
"""
    start = time.monotonic()
    with pytest.raises(NetnsTimeout):
        run_python_in_netns(code, timeout=2)
    assert time.monotonic() - start < 4.5
