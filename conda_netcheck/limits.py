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
