"""Open a path a user named only after checking what it is: regular, readable, small.

A setting or variable can name a FIFO (reading blocks forever), a character
device (``/dev/zero`` never ends) or a huge file (OpenSSL takes tens of seconds
on a 16 MB bundle). conda and requests open such paths blindly; netcheck says
what the path is instead, and never hands it to OpenSSL or a parser.
"""

from __future__ import annotations

import os
import stat

#: The largest CA bundle read (certifi's is about 300 KiB; system bundles < 1 MiB).
MAX_BUNDLE_BYTES = 4 * 1024 * 1024
#: The largest .netrc, token, certificate, key or TOML file read.
MAX_SMALL_FILE_BYTES = 1024 * 1024


class UnsafePath(OSError):
    """A path that is not a readable regular file (or directory) of bounded size."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(f"{path} {what}")
        self.path = path
        self.what = what  # phrased to follow the path: "is a FIFO (named pipe)"


def _kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISCHR(mode):
        return "is a character device, not a file"
    if stat.S_ISBLK(mode):
        return "is a block device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"


def oversized(path: str, max_bytes: int) -> int | None:
    """The size of a regular file larger than max_bytes (netcheck's bound), else None."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes else None


def path_problem(path: str, max_bytes: int, directory_ok: bool = False) -> str | None:
    """Why ``path`` must not be opened (phrased to follow the path), or None."""
    if "\0" in path:  # os.stat raises ValueError: no file can have that name
        return "contains a NUL byte (\\x00), which no file name can hold"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be examined ({exc.strerror or exc})"
    if directory_ok and stat.S_ISDIR(st.st_mode):
        return None if os.access(path, os.R_OK | os.X_OK) else "cannot be read"
    kind = _kind(st.st_mode)
    if kind:
        return kind
    if st.st_size > max_bytes:
        return (
            f"is {st.st_size / 1048576:.1f} MiB, larger than the "
            f"{max_bytes / 1048576:g} MiB netcheck reads"
        )
    if not os.access(path, os.R_OK):
        return "cannot be read (permission denied)"
    return None


def read_bytes(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes; `UnsafePath` otherwise."""
    problem = path_problem(path, max_bytes)
    if problem:
        raise UnsafePath(path, problem)
    # O_NONBLOCK: if the path was swapped for a FIFO since the stat, open
    # does not block; fstat then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnsafePath(path, f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        kind = _kind(os.fstat(fd).st_mode)
        if kind:
            raise UnsafePath(path, kind)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafePath(path, f"is larger than the {max_bytes} bytes netcheck reads")
    return data


def read_text(path: str, max_bytes: int = MAX_SMALL_FILE_BYTES) -> str:
    """A small UTF-8 text file; `UnsafePath` when it is not one."""
    data = read_bytes(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafePath(
            path, f"is not UTF-8 text (byte {exc.start} cannot be decoded)"
        ) from None
