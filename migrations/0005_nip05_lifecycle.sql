-- NIP-05 names gain the statuses of their lifecycle (pending payment, expired, released) and the
-- time a released name was let go, so it can be held back for a cooldown: a released row keeps
-- its place in the case-insensitive unique index until the next owner replaces it.
-- Custom domains gain a suspended status and the time their TXT record was first found missing.
-- depends: 0004_api_key_usage_flushes

ALTER TABLE nip05_names DROP CONSTRAINT nip05_names_status_known;
ALTER TABLE nip05_names ADD CONSTRAINT nip05_names_status_known
    CHECK (status IN ('pending_payment', 'active', 'expired', 'suspended', 'released'));
ALTER TABLE nip05_names ADD COLUMN released_at timestamptz;
ALTER TABLE nip05_names ADD CONSTRAINT nip05_names_released_at_when_released
    CHECK ((status = 'released') = (released_at IS NOT NULL));

ALTER TABLE domains DROP CONSTRAINT domains_status_known;
ALTER TABLE domains ADD CONSTRAINT domains_status_known
    CHECK (status IN ('pending', 'verified', 'failed', 'suspended'));
ALTER TABLE domains ADD COLUMN record_missing_since timestamptz;

CREATE INDEX domains_last_checked_at_idx ON domains (last_checked_at);
