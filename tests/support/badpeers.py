"""Misbehaving HTTP peers on loopback: trickles, floods, bombs, malformed answers.

Each peer is a raw TCP server on 127.0.0.1 (ephemeral port) that reads the
request and answers with one behaviour. Every loop is bounded in bytes and
in time, and stops when the server is closed.
"""

from __future__ import annotations

import time
import zlib
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable

from .servers import Accepting

if TYPE_CHECKING:
    import socket
    import threading
    from collections.abc import Iterator

#: No behaviour runs longer than this, whatever the client does.
MAX_SECONDS = 30.0


def _send(sock: socket.socket, data: bytes) -> bool:
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _trickle(
    sock: socket.socket, data: bytes, stop: threading.Event, gap: float
) -> None:
    end = time.monotonic() + MAX_SECONDS
    for i in range(len(data)):
        if stop.is_set() or time.monotonic() > end or not _send(sock, data[i : i + 1]):
            return
        stop.wait(gap)


def trickle_headers(sock: socket.socket, stop: threading.Event) -> None:
    """Headers one byte every 0.2 s: each read is quick, the whole never ends."""
    _trickle(sock, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"a" * 1000, stop, 0.2)


def trickle_body(sock: socket.socket, stop: threading.Event) -> None:
    """A 200 whose body comes one byte every 0.2 s."""
    _send(
        sock,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n",
    )
    _trickle(sock, b'{"info": {}, "packages": {' + b" " * 99000, stop, 0.2)


def continue_flood(sock: socket.socket, stop: threading.Event) -> None:
    """ "100 Continue" forever: http.client skips each one and reads the next."""
    end = time.monotonic() + MAX_SECONDS
    while not stop.is_set() and time.monotonic() < end:
        if not _send(sock, b"HTTP/1.1 100 Continue\r\n\r\n"):
            return
        stop.wait(0.05)


def no_colon_header(sock: socket.socket, stop: threading.Event) -> None:
    """A header line without a colon, then a valid repodata body."""
    body = b'{"info": {"subdir": "noarch"}, "packages": {}, "packages.conda": {}}'
    _send(
        sock,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nThis line has no colon\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )


def huge_headers(sock: socket.socket, stop: threading.Event) -> None:
    """Header lines as long and as many as a peer can send (about 64 MB)."""
    _send(sock, b"HTTP/1.1 200 OK\r\n")
    line = b"X-Big: " + b"b" * 60000 + b"\r\n"
    for _ in range(1000):
        if stop.is_set() or not _send(sock, line):
            return


def infinite_body(sock: socket.socket, stop: threading.Event) -> None:
    """A chunked body that never ends (bounded here at 1 GB)."""
    _send(
        sock,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
    )
    chunk = b"10000\r\n" + b"x" * 0x10000 + b"\r\n"
    for _ in range(16384):
        if stop.is_set() or not _send(sock, chunk):
            return


def gzip_bomb(sock: socket.socket, stop: threading.Event) -> None:
    """A gzip body that inflates to 1 GiB of zeros."""
    body = _bomb()
    _send(
        sock,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )


_BOMB: list[bytes] = []


def _bomb() -> bytes:
    if not _BOMB:
        # Streamed: the peer itself never holds the inflated 1 GiB.
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
        zeros = b"\0" * (1024 * 1024)
        parts = [packer.compress(zeros) for _ in range(1024)]
        _BOMB.append(b"".join(parts) + packer.flush())  # about 1 MiB
    return _BOMB[0]


def deep_json_403(sock: socket.socket, stop: threading.Event) -> None:
    """A 403 whose JSON body nests 4000 deep within the first 4 KiB."""
    body = b"[" * 4000 + b"1" + b"]" * 4000
    _send(
        sock,
        b"HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body,
    )


def redirect(location: str) -> Callable[[socket.socket, threading.Event], None]:
    """A 302 to location (file://, s3://, ...)."""

    def answer(sock: socket.socket, stop: threading.Event) -> None:
        _send(
            sock,
            f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode(),
        )

    return answer


def page(status: int, content_type: str, body: bytes) -> Callable:
    """A fixed answer: status, Content-Type and body."""

    def answer(sock: socket.socket, stop: threading.Event) -> None:
        _send(
            sock,
            f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body,
        )

    return answer


def garbage(sock: socket.socket, stop: threading.Event) -> None:
    """Not HTTP at all."""
    _send(sock, b"\x00\xff\x13 not http at all\r\n\r\n" * 10)


class BadPeer:
    """A raw TCP server on 127.0.0.1 answering every connection with `behaviour`."""

    def __init__(self, behaviour: Callable[[socket.socket, threading.Event], None]):
        self.behaviour = behaviour
        self._server = Accepting(self._answer, backlog=64)
        self.stop = self._server.stop
        self.port = self._server.port
        self.url = f"http://127.0.0.1:{self.port}"

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(65536)  # the request; its content does not matter
            except OSError:
                return
            self.behaviour(conn, self.stop)

    def close(self) -> None:
        self._server.close()


@contextmanager
def bad_peer(behaviour: Callable) -> Iterator[BadPeer]:
    """A misbehaving peer for the duration of the block."""
    peer = BadPeer(behaviour)
    try:
        yield peer
    finally:
        peer.close()
