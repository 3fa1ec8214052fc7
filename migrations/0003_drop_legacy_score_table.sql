-- Web-of-Trust scores are derived on demand from the relays and cached briefly; PostgreSQL
-- holds only supplemental, non-Nostr data. Databases created by the old service still carry the
-- precomputed score table: it goes away here, with its rows, while every other table is kept.
-- depends: 0002_supplemental_tables

DROP TABLE IF EXISTS "WotScore";
