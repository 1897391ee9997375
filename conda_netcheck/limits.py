"""How long a check waits: conda's timeouts and the caps on them (no imports).

conda builds every plugin's argument parser on every command, so the help
text's numbers come from here rather than from the model; every layer reads
conda's defaults here too.
"""

from __future__ import annotations

#: Diagnostic bounds per phase: conda's own defaults (9.15 s, 60 s) are made
#: for downloads, and a check should answer in about one timeout.
MAX_CONNECT_TIMEOUT = 5.0
MAX_READ_TIMEOUT = 10.0

#: conda's remote_connect_timeout_secs and remote_read_timeout_secs when unset.
CONDA_CONNECT_TIMEOUT = 9.15
CONDA_READ_TIMEOUT = 60.0

#: Below these (seconds) slow but working networks look broken.
CONNECT_TIMEOUT_FLOOR = 1.0
READ_TIMEOUT_FLOOR = 5.0


def raised_timeout(value: float, floor: float = READ_TIMEOUT_FLOOR) -> float:
    """The timeout a fix sets: ten times the floor when below it, else twice the value.

    The finding for a timeout set too low and the fix for a channel slower
    than conda waits write the same number.
    """
    return floor * 10 if value < floor else 2 * value
