"""Tell which network layer breaks conda, and how to fix it."""

__version__ = "0.1.0"
