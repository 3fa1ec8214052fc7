"""The supplemental records nostr-id keeps in PostgreSQL, with the rules that belong to them.

Records are immutable: a rule that changes one returns a new record. Rules that depend on time
take `now` explicitly.
"""
