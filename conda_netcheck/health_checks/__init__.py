"""`conda doctor` checks, one module each; built for the conda release at hand."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conda.plugins.types import CondaHealthCheck


def health_checks() -> Iterator[CondaHealthCheck]:
    """One CondaHealthCheck per module, with summary/fix where conda supports them."""
    from conda.plugins.types import CondaHealthCheck

    from . import channel_reachability, network_config

    # `summary` and `fixer`/`fix` arrived in conda 26.1; older conda takes
    # only name and action, and would raise TypeError on the others.
    if dataclasses.is_dataclass(CondaHealthCheck):
        supported = {f.name for f in dataclasses.fields(CondaHealthCheck)}
    else:  # conda < 26.1: NamedTuple(name, action)
        supported = set(CondaHealthCheck._fields)
    for module in (network_config, channel_reachability):
        fields = {
            "name": module.NAME,
            "action": module.check,
            "summary": module.SUMMARY,
            "fixer": getattr(module, "fix", None),
            "fix": getattr(module, "FIX", None),
        }
        yield CondaHealthCheck(
            **{k: v for k, v in fields.items() if k in supported and v is not None}
        )
