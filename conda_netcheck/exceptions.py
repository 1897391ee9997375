"""Errors users can act on; conda renders them, also under ``--json``.

They subclass `conda.CondaError` when conda is importable, so conda prints
them as it prints its own. ``python -m conda_netcheck`` runs without conda;
then they are plain exceptions with the same attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from os import PathLike

try:
    from conda import CondaError as _Base
except Exception:  # conda is not on PyPI: a fresh virtualenv has none
    _Base = Exception  # type: ignore[assignment,misc]

__all__ = ["CondaRCEditError", "NetcheckError"]


class NetcheckError(_Base):  # type: ignore[valid-type,misc]
    """Base of conda-netcheck's errors."""

    def __init__(self, message: str) -> None:
        # No keyword arguments: CondaError would %-format the message with them,
        # and a path or a percent-encoded URL may well contain "%".
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class CondaRCEditError(NetcheckError):
    """A .condarc file that conda-netcheck will not change, and why."""

    def __init__(self, path: str | PathLike[str], reason: str) -> None:
        self.path = str(path)  # a str: conda's --json output serialises attributes
        self.reason = reason
        super().__init__(f"Not editing {self.path}: {reason}. Nothing was changed.")
