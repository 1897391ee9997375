"""A tiny authoritative-for-everything DNS stub server, stdlib only.

It answers A / AAAA questions from a ``{name: [address, ...]}`` mapping,
NXDOMAIN for every other name, and can be told to answer SERVFAIL for some
names or to never answer ("drop", a dead resolver) for others.  UDP always,
TCP as well by default (same port), so glibc's TCP fallback also works.

In-process::

    with StubResolver({"repo.example.test": ["127.0.0.1"]}, port=0) as stub:
        stub.port  # the bound port
        stub.queries  # [(name, qtype), ...] seen so far

As a script (runs until SIGINT / SIGTERM)::

    python tests/support/dnsstub.py --bind 127.0.0.1 --port 53 \\
        --map repo.example.test=127.0.0.1 --drop slow.example.test \\
        --servfail broken.example.test

Only meant to listen on loopback (or inside a throwaway network namespace).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import select
import signal
import socket
import struct
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Union

QTYPE_A = 1
QTYPE_AAAA = 28
QTYPE_OPT = 41
QCLASS_IN = 1

RCODE_NOERROR = 0
RCODE_FORMERR = 1
RCODE_SERVFAIL = 2
RCODE_NXDOMAIN = 3
RCODE_NOTIMP = 4

MODE_SERVFAIL = "servfail"
MODE_DROP = "drop"
MODE_NXDOMAIN = "nxdomain"
MODES = (MODE_SERVFAIL, MODE_DROP, MODE_NXDOMAIN)

DEFAULT_TTL = 5
EDNS_UDP_SIZE = 1232

# A mapping value is either a list of IPv4/IPv6 address strings (or a single
# one), or one of MODES.
MappingValue = Union[str, Iterable[str]]


class _FormErr(Exception):
    pass


def normalize_name(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _read_name(msg: bytes, off: int) -> tuple[str, int]:
    """Decode a (possibly compressed) domain name; return (name, next_off)."""
    labels: list[str] = []
    end = None
    jumps = 0
    while True:
        if off >= len(msg):
            raise _FormErr("name runs past end of message")
        length = msg[off]
        if length & 0xC0 == 0xC0:
            if off + 1 >= len(msg) or jumps > 16:
                raise _FormErr("bad compression pointer")
            if end is None:
                end = off + 2
            off = ((length & 0x3F) << 8) | msg[off + 1]
            jumps += 1
            continue
        if length & 0xC0:
            raise _FormErr("unsupported label type")
        off += 1
        if length == 0:
            break
        label = msg[off : off + length]
        if len(label) != length:
            raise _FormErr("label runs past end of message")
        labels.append(label.decode("ascii", "replace"))
        off += length
    return ".".join(labels), (end if end is not None else off)


def _encode_name(name: str) -> bytes:
    out = b""
    for label in name.split(".") if name else []:
        raw = label.encode("ascii", "replace")[:63]
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


class StubResolver:
    """A DNS server on ``host:port`` (UDP + optional TCP) in a daemon thread."""

    def __init__(
        self,
        mapping: Mapping[str, MappingValue] | None = None,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        drop: Iterable[str] = (),
        servfail: Iterable[str] = (),
        tcp: bool = True,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self.host = host
        self.port = port
        self.ttl = ttl
        self.tcp = tcp
        self.records: dict[str, list[str]] = {}
        self.modes: dict[str, str] = {}
        for name, value in (mapping or {}).items():
            self.set(name, value)
        for name in drop:
            self.set(name, MODE_DROP)
        for name in servfail:
            self.set(name, MODE_SERVFAIL)
        self.queries: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._wake_r: int | None = None
        self._wake_w: int | None = None
        self._thread: threading.Thread | None = None
        self._conns: dict[socket.socket, bytes] = {}

    # -- configuration -----------------------------------------------------

    def set(self, name: str, value: MappingValue) -> None:
        """Map ``name`` to addresses, or to a mode ("servfail", "drop", "nxdomain")."""
        key = normalize_name(name)
        self.records.pop(key, None)
        self.modes.pop(key, None)
        if isinstance(value, str) and value.lower() in MODES:
            self.modes[key] = value.lower()
            return
        addrs = [value] if isinstance(value, str) else list(value)
        for addr in addrs:
            ipaddress.ip_address(addr)  # validate early, raises ValueError
        self.records[key] = addrs

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> StubResolver:
        """Bind (synchronously: listening once this returns) and serve in a thread."""
        if self._thread is not None:
            raise RuntimeError("already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # With port 0 the UDP port is picked first and TCP must get the same
        # number, which another socket may hold: pick again (bounded).
        attempts = 20 if self.port == 0 else 1
        for attempt in range(attempts):
            try:
                udp, tcp = self._bind(family, self.port if attempts == 1 else 0)
                break
            except OSError:
                if attempt == attempts - 1:
                    raise
        self._udp, self._tcp = udp, tcp
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(
            target=self._serve, name=f"dnsstub:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def _bind(
        self, family: int, port: int
    ) -> tuple[socket.socket, socket.socket | None]:
        udp = socket.socket(family, socket.SOCK_DGRAM)
        try:
            udp.bind((self.host, port))
            bound = udp.getsockname()[1]
            tcp = None
            if self.tcp:
                tcp = socket.socket(family, socket.SOCK_STREAM)
                tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    tcp.bind((self.host, bound))
                    tcp.listen(16)
                except OSError:
                    tcp.close()
                    raise
        except OSError:
            udp.close()
            raise
        self.port = bound
        return udp, tcp

    def stop(self, timeout: float = 5.0) -> None:
        thread = self._thread
        if thread is None:
            return
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        thread.join(timeout)
        self._thread = None
        self._close_all()

    def __enter__(self) -> StubResolver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Start (if needed) and block until stop() is called from elsewhere."""
        if self._thread is None:
            self.start()
        thread = self._thread
        while thread is not None and thread.is_alive():
            thread.join(0.5)

    # -- serving -----------------------------------------------------------

    def _close_all(self) -> None:
        for sock in [self._udp, self._tcp, *self._conns]:
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
        self._conns.clear()
        self._udp = self._tcp = None
        for fd in (self._wake_r, self._wake_w):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._wake_r = self._wake_w = None

    def _serve(self) -> None:
        assert self._udp is not None and self._wake_r is not None
        while True:
            watch: list = [self._wake_r, self._udp, *self._conns]
            if self._tcp is not None:
                watch.append(self._tcp)
            try:
                readable, _, _ = select.select(watch, [], [], 1.0)
            except (OSError, ValueError):
                return
            for obj in readable:
                if obj == self._wake_r:
                    return
                try:
                    if obj is self._udp:
                        self._handle_udp()
                    elif obj is self._tcp:
                        conn, _ = self._tcp.accept()
                        self._conns[conn] = b""
                    else:
                        self._handle_tcp(obj)
                except OSError:
                    pass

    def _handle_udp(self) -> None:
        assert self._udp is not None
        data, peer = self._udp.recvfrom(65535)
        reply = self.handle(data, max_size=None)
        if reply is not None:
            self._udp.sendto(reply, peer)

    def _handle_tcp(self, conn: socket.socket) -> None:
        chunk = conn.recv(65535)
        if not chunk:
            conn.close()
            self._conns.pop(conn, None)
            return
        buf = self._conns.get(conn, b"") + chunk
        while len(buf) >= 2:
            (length,) = struct.unpack("!H", buf[:2])
            if len(buf) < 2 + length:
                break
            msg, buf = buf[2 : 2 + length], buf[2 + length :]
            reply = self.handle(msg, max_size=65535)
            if reply is not None:
                conn.sendall(struct.pack("!H", len(reply)) + reply)
        self._conns[conn] = buf

    # -- the protocol ------------------------------------------------------

    def handle(self, data: bytes, max_size: int | None = None) -> bytes | None:
        """Answer one DNS message; None means "send nothing".

        ``max_size`` None means UDP: 512 bytes, or the client's EDNS size.
        """
        if len(data) < 12:
            return None
        qid, flags, qdcount, ancount, nscount, arcount = struct.unpack(
            "!HHHHHH", data[:12]
        )
        if flags & 0x8000:  # a response, not a query: ignore
            return None
        opcode = (flags >> 11) & 0xF
        rd = flags & 0x0100
        try:
            if qdcount != 1:
                raise _FormErr("expected exactly one question")
            qname, off = _read_name(data, 12)
            if off + 4 > len(data):
                raise _FormErr("truncated question")
            qtype, qclass = struct.unpack("!HH", data[off : off + 4])
            question = data[12 : off + 4]
            off += 4
            # Skip answer/authority records, look for an OPT in additional.
            edns_size = None
            for idx in range(ancount + nscount + arcount):
                _, off = _read_name(data, off)
                if off + 10 > len(data):
                    raise _FormErr("truncated resource record")
                rtype, rclass, _ttl, rdlen = struct.unpack(
                    "!HHIH", data[off : off + 10]
                )
                off += 10 + rdlen
                if idx >= ancount + nscount and rtype == QTYPE_OPT:
                    edns_size = max(512, rclass)
        except _FormErr:
            return struct.pack(
                "!HHHHHH", qid, 0x8000 | (opcode << 11) | rd | RCODE_FORMERR, 0, 0, 0, 0
            )

        name = normalize_name(qname)
        with self._lock:
            self.queries.append((name, qtype))

        answers: list[bytes] = []
        if opcode != 0:
            rcode = RCODE_NOTIMP
        else:
            mode = self.modes.get(name)
            if mode == MODE_DROP:
                return None
            if mode == MODE_SERVFAIL:
                rcode = RCODE_SERVFAIL
            elif mode == MODE_NXDOMAIN or name not in self.records:
                rcode = RCODE_NXDOMAIN
            else:
                rcode = RCODE_NOERROR  # NODATA when no address of that type
                if qclass == QCLASS_IN:
                    answers = self._answers(name, qtype)

        additional = b""
        if edns_size is not None:
            # root name, OPT, our UDP size, ext-rcode/version/flags 0, no data
            additional = b"\x00" + struct.pack("!HHIH", QTYPE_OPT, EDNS_UDP_SIZE, 0, 0)
        limit = max_size if max_size is not None else (edns_size or 512)

        def build(ans: list[bytes], tc: int) -> bytes:
            hdr_flags = 0x8000 | (opcode << 11) | 0x0400 | tc | rd | 0x0080 | rcode
            header = struct.pack(
                "!HHHHHH", qid, hdr_flags, 1, len(ans), 0, 1 if additional else 0
            )
            return header + question + b"".join(ans) + additional

        reply = build(answers, 0)
        if len(reply) > limit:
            reply = build([], 0x0200)  # TC: the client retries over TCP
        return reply

    def _answers(self, name: str, qtype: int) -> list[bytes]:
        out = []
        for addr in self.records.get(name, []):
            ip = ipaddress.ip_address(addr)
            if qtype == QTYPE_A and ip.version == 4:
                rtype = QTYPE_A
            elif qtype == QTYPE_AAAA and ip.version == 6:
                rtype = QTYPE_AAAA
            else:
                continue
            rdata = ip.packed
            # 0xC00C: compression pointer to the question name at offset 12
            out.append(
                struct.pack("!HHHIH", 0xC00C, rtype, QCLASS_IN, self.ttl, len(rdata))
                + rdata
            )
        return out


def build_query(
    name: str, qtype: int = QTYPE_A, qid: int = 0x1234, edns: bool = False
) -> bytes:
    """A minimal RD query (for probes and tests)."""
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    body = _encode_name(normalize_name(name)) + struct.pack("!HH", qtype, QCLASS_IN)
    if edns:
        body += b"\x00" + struct.pack("!HHIH", QTYPE_OPT, 1232, 0, 0)
    return header + body


def parse_reply(reply: bytes) -> tuple[int, int, list[str]]:
    """Return (id, rcode, [addresses]) of a reply to an A/AAAA query."""
    qid, flags, qdcount, ancount, _ns, _ar = struct.unpack("!HHHHHH", reply[:12])
    off = 12
    for _ in range(qdcount):
        _, off = _read_name(reply, off)
        off += 4
    addrs = []
    for _ in range(ancount):
        _, off = _read_name(reply, off)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", reply[off : off + 10])
        off += 10
        rdata = reply[off : off + rdlen]
        off += rdlen
        if rtype in (QTYPE_A, QTYPE_AAAA):
            addrs.append(str(ipaddress.ip_address(rdata)))
    return qid, flags & 0xF, addrs


def query(
    name: str,
    qtype: int = QTYPE_A,
    *,
    host: str = "127.0.0.1",
    port: int = 53,
    timeout: float = 1.0,
) -> tuple[int, list[str]] | None:
    """Send one UDP query; return (rcode, addresses), or None on timeout."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        qid = 0x4E43
        sock.sendto(build_query(name, qtype, qid), (host, port))
        try:
            while True:
                data = sock.recv(65535)
                rid, rcode, addrs = parse_reply(data)
                if rid == qid:
                    return rcode, addrs
        except socket.timeout:
            return None


def _parse_map(items: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, addrs = item.partition("=")
        if not sep or not name:
            raise argparse.ArgumentTypeError(
                f"--map wants NAME=IP[,IP...], got {item!r}"
            )
        out.setdefault(normalize_name(name), []).extend(
            a.strip() for a in addrs.split(",") if a.strip()
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--map", action="append", default=[], metavar="NAME=IP[,IP]")
    parser.add_argument("--drop", action="append", default=[], metavar="NAME")
    parser.add_argument("--servfail", action="append", default=[], metavar="NAME")
    parser.add_argument("--no-tcp", action="store_true")
    args = parser.parse_args(argv)

    stub = StubResolver(
        _parse_map(args.map),
        args.port,
        host=args.bind,
        drop=args.drop,
        servfail=args.servfail,
        tcp=not args.no_tcp,
    )
    stub.start()

    def _stop(signum: int, frame: object) -> None:
        stub.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"dnsstub listening on {args.bind} port {stub.port}", flush=True)
    stub.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
