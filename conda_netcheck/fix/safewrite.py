"""The safe write of one .condarc file: check it, back it up, replace it atomically.

`Change.apply` refuses symlinks, special files, read-only files, files owned by
someone else, invalid YAML and files that changed since the plan; otherwise it
writes a backup and replaces the file atomically (temporary file in the same
directory, fsync, rename, fsync of the directory): a crash at any moment leaves
either the old or the new file.

ruamel.yaml is imported inside the functions that need it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..exceptions import CondaRCEditError
from ..redact import REDACTOR

if TYPE_CHECKING:
    from pathlib import Path

    from .condarc import Change


#: Windows has no POSIX owner (st_uid is 0), no fchmod/fchown, and cannot open
#: a directory to fsync it; tests force this to check the Windows branch.
WINDOWS = os.name == "nt"


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CondaRCEditError(
            path, f"it is not UTF-8 text (byte {error.start})"
        ) from None


def _refuse_link_or_special(path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        try:
            where = f" to {os.readlink(path)}"
        except OSError:
            where = ""
        raise CondaRCEditError(
            path, f"it is a symbolic link{where}; edit the file it points to instead"
        )
    if not stat.S_ISREG(st.st_mode):
        raise CondaRCEditError(path, "it is not a regular file")


def _yaml_error(path: Path, error: Exception) -> CondaRCEditError:
    # Only the problem and its position: ruamel's message quotes the offending
    # line, which may hold a proxy password.
    problem = REDACTOR.text(getattr(error, "problem", None) or type(error).__name__)
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return CondaRCEditError(path, f"it is not valid YAML ({problem}{where})")


def _load_plain(text: str, path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise _yaml_error(path, error) from None


def _utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns) == (
        b.st_dev,
        b.st_ino,
        b.st_size,
        b.st_mtime_ns,
    )


@dataclass
class _Target:
    """A file that passed every check, with what the checks saw."""

    path: Path
    stat: os.stat_result | None  # None: the file is to be created
    data: bytes

    @classmethod
    def inspect(cls, change: Change) -> _Target:
        path = change.path
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            if change.existed:
                raise CondaRCEditError(
                    path, "it was deleted since the change was planned"
                ) from None
            cls._check_directory(path)
            return cls(path, None, b"")
        except OSError as error:
            raise CondaRCEditError(
                path, f"it cannot be read ({error.strerror})"
            ) from None
        if not change.existed:
            raise CondaRCEditError(path, "it was created since the change was planned")
        _refuse_link_or_special(path, st)
        geteuid = None if WINDOWS else getattr(os, "geteuid", None)
        if geteuid is not None and st.st_uid != geteuid():
            raise CondaRCEditError(
                path,
                f"it is owned by another user (uid {st.st_uid}, you are {geteuid()})",
            )
        # The mode bits, not os.access(): root may write anything, but a file
        # its owner made read-only says "don't touch".
        if not st.st_mode & stat.S_IWUSR:
            raise CondaRCEditError(
                path, f"it is read-only (mode {stat.S_IMODE(st.st_mode):04o})"
            )
        if not os.access(path, os.W_OK):
            raise CondaRCEditError(path, "it is not writable")
        cls._check_directory(path)
        data = cls._read(path, st)
        if _decode(path, data) != change.old_text:
            raise CondaRCEditError(
                path, "it changed since the change was planned; plan it again"
            )
        if not change._old_is_valid:
            _load_plain(change.old_text, path)
        return cls(path, st, data)

    @staticmethod
    def _check_directory(path: Path) -> None:
        directory = path.parent
        if not directory.is_dir():
            raise CondaRCEditError(path, f"its directory {directory} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise CondaRCEditError(
                path,
                f"its directory {directory} is not writable, so the file cannot be "
                "replaced atomically",
            )

    @staticmethod
    def _read(path: Path, st: os.stat_result) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags)
        except OSError as error:
            raise CondaRCEditError(
                path, f"it cannot be read ({error.strerror})"
            ) from None
        with os.fdopen(fd, "rb") as file:
            if not _same_file(os.fstat(file.fileno()), st):
                raise CondaRCEditError(path, "it changed while it was being checked")
            return file.read()

    def _write_temp(self, data: bytes, prefix: str) -> str:
        """Write ``data`` to a synced temporary file beside the target, same mode."""
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=prefix, suffix=".tmp")
        try:
            st = self.stat
            if st is None:
                umask = os.umask(0)
                os.umask(umask)
                mode = 0o666 & ~umask
            else:
                mode = stat.S_IMODE(st.st_mode)
                if not WINDOWS and hasattr(os, "fchown"):
                    try:  # root restores the owner; others at least the group
                        uid = st.st_uid if os.geteuid() == 0 else -1
                        os.fchown(fd, uid, st.st_gid)
                    except OSError:
                        pass
            if not WINDOWS and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # after fchown, which may clear setgid
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            _unlink(temp)
            raise
        os.close(fd)
        if WINDOWS or not hasattr(os, "fchmod"):
            os.chmod(temp, mode)  # on Windows: only the read-only attribute
        return temp

    def backup(self) -> Path:
        """Copy the file to ``<name>.bak-<UTC timestamp>`` (never over an older backup)."""
        name = f"{self.path.name}.bak-{_utc_stamp()}"
        try:
            temp = self._write_temp(self.data, f".{name}.")
            try:
                for n in range(1000):
                    backup = self.path.with_name(name if n == 0 else f"{name}-{n}")
                    try:
                        os.link(temp, backup)  # fails if it exists: no overwrite
                    except FileExistsError:
                        continue
                    except OSError:  # no hard links here: a rename, racy but fine
                        if backup.exists():
                            continue
                        os.replace(temp, backup)
                    return backup
                raise FileExistsError(name)
            finally:
                _unlink(temp)
        except OSError as error:
            raise CondaRCEditError(
                self.path, f"the backup could not be written ({error})"
            ) from None

    def replace(self, data: bytes) -> None:
        """Atomically replace the file's content with ``data``."""
        path = self.path
        try:
            temp = self._write_temp(data, f".{path.name}.")
        except OSError as error:
            raise CondaRCEditError(
                path, f"the new file could not be written ({error})"
            ) from None
        try:
            try:
                current: os.stat_result | None = os.lstat(path)
            except FileNotFoundError:
                current = None
            if (current is None) != (self.stat is None) or (
                current and self.stat and not _same_file(current, self.stat)
            ):
                raise CondaRCEditError(path, "it changed while it was being written")
            os.replace(temp, path)
        except OSError as error:
            raise CondaRCEditError(
                path, f"it could not be replaced ({error})"
            ) from None
        finally:
            _unlink(temp)
        _fsync_directory(path.parent)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not possible (nor needed) everywhere."""
    if WINDOWS:  # a directory cannot be opened for fsync; NTFS journals the rename
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
