"""What people and machines read: text, JSON, the allowlist and the report."""
