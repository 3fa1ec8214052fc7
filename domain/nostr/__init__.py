"""The Nostr model: events, filters, keys and the rules of NIP-01, NIP-19 and friends."""
