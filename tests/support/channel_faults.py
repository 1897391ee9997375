"""A channel with real packages (.conda and .tar.bz2), a sharded index, and servers that break it.

Everything is built in the test: tiny packages from the standard library
(zipfile, tarfile) and zstd, their sizes and sha256 in repodata.json, the same
records in a repodata.json.zst and in a CEP-16 sharded index
(repodata_shards.msgpack.zst plus one shard per package name).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import struct
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

try:
    from compression import zstd  # Python >= 3.14
except ImportError:
    from backports import zstd

import msgpack

if TYPE_CHECKING:
    from pathlib import Path

CONDA_PKG = "netcheck-demo-1.0-0.conda"
TAR_PKG = "netcheck-tiny-1.0-0.tar.bz2"


def _tar(members: dict[str, bytes], mode: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _index_json(name: str) -> bytes:
    return json.dumps(
        {
            "name": name,
            "version": "1.0",
            "build": "0",
            "build_number": 0,
            "depends": [],
            "subdir": "noarch",
            "noarch": "generic",
        }
    ).encode()


def _info(name: str, padding: int) -> dict[str, bytes]:
    return {
        "info/index.json": _index_json(name),
        "info/paths.json": json.dumps({"paths": [], "paths_version": 1}).encode(),
        # Random bytes do not compress: the package keeps the size asked for.
        "info/padding.bin": os.urandom(padding),
    }


def conda_package(name: str = "netcheck-demo", padding: int = 4096) -> bytes:
    """A real .conda file: a zip of metadata.json, info-*.tar.zst and pkg-*.tar.zst."""
    stem = f"{name}-1.0-0"
    info = zstd.compress(_tar(_info(name, padding), "w"))
    pkg = zstd.compress(_tar({}, "w"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("metadata.json", json.dumps({"conda_pkg_format_version": 2}))
        archive.writestr(f"pkg-{stem}.tar.zst", pkg)
        archive.writestr(f"info-{stem}.tar.zst", info)
    return buffer.getvalue()


def tar_bz2_package(name: str = "netcheck-tiny", padding: int = 4096) -> bytes:
    """A real .tar.bz2 package."""
    return _tar(_info(name, padding), "w:bz2")


def record(filename: str, data: bytes, subdir: str = "noarch") -> dict:
    """The repodata record of a package file, with its real size and hashes."""
    stem = filename.removesuffix(".conda").removesuffix(".tar.bz2")
    name, version, build = stem.rsplit("-", 2)
    rec = {
        "name": name,
        "version": version,
        "build": build,
        "build_number": 0,
        "depends": [],
        "subdir": subdir,
        "size": len(data),
        "md5": hashlib.md5(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if subdir == "noarch":
        rec["noarch"] = "generic"
    return rec


@dataclass
class RealChannel:
    """Where the channel is on disk and what its packages are."""

    root: Path
    packages: dict[str, bytes]  # file name -> bytes (all in noarch)

    def path(self, filename: str, subdir: str = "noarch") -> Path:
        return self.root / subdir / filename

    def write_repodata(self, subdir: str, repodata: dict) -> None:
        """repodata.json and repodata.json.zst for one subdir."""
        raw = json.dumps(repodata).encode()
        (self.root / subdir / "repodata.json").write_bytes(raw)
        (self.root / subdir / "repodata.json.zst").write_bytes(zstd.compress(raw))

    def write_shards(
        self, subdir: str, repodata: dict, base_url: str = "", shards_base_url: str = ""
    ) -> None:
        """A CEP-16 sharded index: repodata_shards.msgpack.zst and one shard per name."""
        shards: dict[str, bytes] = {}
        (self.root / subdir / "shards").mkdir(exist_ok=True)
        by_name: dict[str, dict] = {}
        for group in ("packages", "packages.conda"):
            for filename, rec in repodata[group].items():
                shard = by_name.setdefault(
                    rec["name"], {"packages": {}, "packages.conda": {}}
                )
                binary = {
                    **rec,
                    "sha256": bytes.fromhex(rec["sha256"]),
                    "md5": bytes.fromhex(rec["md5"]),
                }
                shard[group][filename] = binary
        for name, shard in by_name.items():
            data = zstd.compress(msgpack.packb(shard))
            digest = hashlib.sha256(data).digest()
            (self.root / subdir / "shards" / f"{digest.hex()}.msgpack.zst").write_bytes(
                data
            )
            shards[name] = digest
        index = {
            "info": {
                "base_url": base_url,
                "shards_base_url": shards_base_url or "./shards/",
                "subdir": subdir,
            },
            "version": 1,
            "shards": shards,
        }
        (self.root / subdir / "repodata_shards.msgpack.zst").write_bytes(
            zstd.compress(msgpack.packb(index))
        )


def make_real_channel(
    root: Path,
    base_url: str = "",
    shards: bool = True,
    padding: int = 4096,
    tar_padding: int | None = None,
) -> RealChannel:
    """A channel whose noarch holds one real .conda and one real .tar.bz2 package.

    tar_padding: the .tar.bz2's own padding (a channel with a small and a large
    package); `padding` otherwise.
    """
    packages = {
        CONDA_PKG: conda_package(padding=padding),
        TAR_PKG: tar_bz2_package(
            padding=padding if tar_padding is None else tar_padding
        ),
    }
    channel = RealChannel(root, packages)
    for subdir in ("noarch", "linux-64"):
        (root / subdir).mkdir(parents=True, exist_ok=True)
        info: dict = {"subdir": subdir}
        if base_url:
            info["base_url"] = base_url
        repodata = {
            "info": info,
            "packages": {},
            "packages.conda": {},
            "removed": [],
            "repodata_version": 2 if base_url else 1,
        }
        if subdir == "noarch":
            for filename, data in packages.items():
                group = "packages.conda" if filename.endswith(".conda") else "packages"
                repodata[group][filename] = record(filename, data)
                (root / subdir / filename).write_bytes(data)
        channel.write_repodata(subdir, repodata)
        if shards:
            channel.write_shards(subdir, repodata, base_url=base_url)
    return channel


# -- faulty answers (handlers for support.servers.Behaviour.handler) -------------


def _send(req, status: int, body: bytes, content_type: str, length: int | None = None):
    req.send_response(status)
    req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(len(body) if length is None else length))
    req.end_headers()


def _close(req, reset: bool = False) -> None:
    """End the connection: FIN, or RST when `reset`."""
    if reset:
        # SO_LINGER with a zero timeout: close() sends RST, not FIN.
        req.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
    req.close_connection = True
    req.connection.close()


def redirect_packages(to: str, suffixes: tuple[str, ...] = (".conda",)) -> Callable:
    """302 every package path ending in one of suffixes to the same path under `to`."""

    def handler(req) -> bool:
        if not req.path.endswith(suffixes):
            return False
        req.send_response(302)
        req.send_header("Location", f"{to}{req.path}")
        req.send_header("Content-Length", "0")
        req.end_headers()
        return True

    return handler


def _matches(req, suffix: str) -> bool:
    return req.path.split("?")[0].endswith(suffix)


def forbidden_html(suffix: str) -> Callable:
    """403 with a content filter's HTML page for paths ending in suffix."""
    page = (
        b"<html><head><title>Access Denied - Content Filter</title></head>"
        b"<body>Downloads of this file type are blocked by policy.</body></html>"
    )
    return forbidden(suffix, page, "text/html")


def forbidden(suffix: str, page: bytes = b"Forbidden\n", ctype: str = "text/plain"):
    """403 with `page` for paths ending in suffix (plain text unless told)."""

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        _send(req, 403, page, ctype)
        req.wfile.write(page)
        return True

    return handler


def status_for(suffix: str, status: int) -> Callable:
    """`status` with a short text body for paths ending in suffix (404, 500, ...)."""
    page = f"HTTP {status}\n".encode()

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        _send(req, status, page, "text/plain")
        req.wfile.write(page)
        return True

    return handler


def block_page(suffix: str) -> Callable:
    """200 with an HTML block page instead of the file."""
    page = (
        b"<html><head><title>Web Page Blocked</title></head>"
        b"<body>The file you asked for was blocked by your organisation.</body></html>"
    )

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        _send(req, 200, page, "text/html")
        req.wfile.write(page)
        return True

    return handler


def cut_body(
    root: Path, suffix: str, keep: int | float, reset: bool = False
) -> Callable:
    """The right Content-Length, then only part of the body and a close (FIN) or a reset (RST).

    keep: bytes to send, or a fraction of the file when below 1.
    """

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        data = (root / req.path.split("?")[0].lstrip("/")).read_bytes()
        count = int(len(data) * keep) if keep < 1 else int(keep)
        _send(req, 200, b"", "application/octet-stream", length=len(data))
        req.wfile.write(data[:count])
        req.wfile.flush()
        _close(req, reset)
        return True

    return handler


def reset_before_answer(suffix: str) -> Callable:
    """Read the request, then reset the connection (RST) without any answer."""

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        _close(req, reset=True)
        return True

    return handler


def promise_more(suffix: str, body: bytes, promised: int) -> Callable:
    """Announce `promised` bytes, send `body`, close."""

    def handler(req) -> bool:
        if not _matches(req, suffix):
            return False
        _send(req, 200, b"", "application/json", length=promised)
        req.wfile.write(body)
        req.wfile.flush()
        _close(req)
        return True

    return handler


def ignore_range(root: Path) -> Callable:
    """Always the whole file with 200, whatever Range asks."""

    def handler(req) -> bool:
        path = root / req.path.split("?")[0].lstrip("/")
        if not path.is_file():
            return False
        data = path.read_bytes()
        _send(req, 200, data, "application/octet-stream")
        req.wfile.write(data)
        return True

    return handler


def serve_ranges(root: Path) -> Callable:
    """Honour Range (bytes=N-, bytes=N-M, bytes=-N) with 206 and Content-Range."""

    def handler(req) -> bool:
        wanted = req.headers.get("Range", "")
        path = root / req.path.split("?")[0].lstrip("/")
        if not wanted.startswith("bytes=") or not path.is_file():
            return False
        data = path.read_bytes()
        first, _, last = wanted[6:].partition("-")
        if first == "":
            start, end = max(0, len(data) - int(last)), len(data) - 1
        else:
            start = int(first)
            end = min(int(last), len(data) - 1) if last else len(data) - 1
        part = data[start : end + 1]
        req.send_response(206)
        req.send_header("Content-Type", "application/octet-stream")
        req.send_header("Content-Length", str(len(part)))
        req.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        req.end_headers()
        req.wfile.write(part)
        return True

    return handler


def chain(*handlers: Callable) -> Callable:
    """The first handler that answers."""

    def handler(req) -> bool:
        return any(h(req) for h in handlers)

    return handler


# -- conda's own download, to show each fault is real ---------------------------


@dataclass
class CondaRun:
    returncode: int
    out: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def conda_download(
    tmp_path: Path,
    channel_url: str,
    spec: str,
    extra: dict[str, str] | None = None,
    search: bool = False,
) -> CondaRun:
    """`conda create --download-only` (or `conda search`) against one channel.

    With a private CONDARC and pkgs dir; conda 26's classic solver reads no
    shards, `conda search` does.
    """
    home = tmp_path / f"conda-{time.monotonic_ns()}"
    home.mkdir()
    condarc = home / "condarc"
    condarc.write_text(
        "channels: []\ndefault_channels: []\nremote_max_retries: 1\n"
        "remote_connect_timeout_secs: 3\nremote_read_timeout_secs: 5\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONDA")},
        "CONDARC": str(condarc),
        "CONDA_PKGS_DIRS": str(home / "pkgs"),
        "CONDA_SOLVER": "classic",
        "CONDA_NUMBER_CHANNEL_NOTICES": "0",
        "CONDA_REPORT_ERRORS": "false",
        "HOME": str(home),
        **(extra or {}),
    }
    if search:
        action = ["search", "--override-channels", "-c", channel_url]
    else:
        action = ["create", "--download-only", "--yes", "--override-channels"]
        action += ["-c", channel_url, "-p", str(home / "env")]
    command = [sys.executable, "-m", "conda", *action, spec]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return CondaRun(done.returncode, done.stdout + done.stderr)
