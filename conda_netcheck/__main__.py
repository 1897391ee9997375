"""`python -m conda_netcheck URL...`: works even where conda is missing or broken."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
