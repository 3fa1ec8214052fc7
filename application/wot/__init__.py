"""Web of Trust use cases: figures computed from the relays, cached, never stored."""
