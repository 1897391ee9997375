"""conda's own network defaults, where every layer can read them; imports nothing."""

from __future__ import annotations

#: conda's remote_connect_timeout_secs and remote_read_timeout_secs when unset.
CONDA_CONNECT_TIMEOUT = 9.15
CONDA_READ_TIMEOUT = 60.0
