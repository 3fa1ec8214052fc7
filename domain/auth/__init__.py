"""Who is calling: principals, their credentials' rules (NIP-98, sign-in events) and verdicts."""
