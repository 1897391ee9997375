"""conda settings read without network: targets, routes, proxy lint, trust, credentials."""
