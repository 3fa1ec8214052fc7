"""The core of nostr-id: records, pure rules and the ports the rest of the service plugs into."""
