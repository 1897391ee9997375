"""Fixes: round-trip .condarc edits and the fixers that use them."""
