"""Demo data: a deterministic synthetic social graph, signed and published to the relays."""
