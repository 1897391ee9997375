"""How long a check waits: the caps on conda's timeouts (no imports, for the parser).

conda builds every plugin's argument parser on every command, so the help
text's numbers come from here rather than from the model, which pulls in the
catalogue and the evidence types.
"""

from __future__ import annotations

#: Diagnostic bounds per phase: conda's own defaults (9.15 s, 60 s) are made
#: for downloads, and a check should answer in about one timeout.
MAX_CONNECT_TIMEOUT = 5.0
MAX_READ_TIMEOUT = 10.0
