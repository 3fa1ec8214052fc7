"""Web of Trust use cases: scores computed from the relays, cached, never stored."""
