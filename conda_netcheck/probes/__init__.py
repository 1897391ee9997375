"""Network probes, one layer per module; none of them knows anything of conda."""
