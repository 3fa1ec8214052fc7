-- Names for life. Each name keeps its fold (domain/names/folding.py, written again here in SQL: lower,
-- without `-`, `_` and `.`, digits read as letters, `rn` as `m`, `vv` as `w`), and no two accounts
-- hold names of one fold on one domain: an exclusion constraint decides between concurrent writers
-- (an owner's own variants are allowed; released names block nothing). A name may be locked against
-- transfer offers; an offer is open while its row exists (accepted or canceled offers are deleted;
-- the audit log keeps their history). A name held for a pending payment is a `pending_payment` row
-- tied to that payment until it is paid (activated) or ends (deleted).
-- depends: 0010_wot_publish_scope

CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE nip05_names
    ADD COLUMN name_fold text NOT NULL GENERATED ALWAYS AS (
        replace(
            replace(translate(regexp_replace(lower(name), '[-_.]', '', 'g'), '01i34578', 'olleastb'), 'rn', 'm'),
            'vv',
            'w'
        )
    ) STORED,
    ADD COLUMN locked boolean NOT NULL DEFAULT false;

-- Look-alikes already held by different accounts are named, rather than left to the constraint's
-- bare refusal: one of each pair is released or renamed before this migration can apply.
DO $$
DECLARE
    clashes text;
BEGIN
    SELECT string_agg(format('%s on %s', names, domain), '; ') INTO clashes
    FROM (
        SELECT domain, string_agg(name, ', ' ORDER BY name) AS names
        FROM nip05_names WHERE status <> 'released'
        GROUP BY domain, name_fold HAVING count(DISTINCT user_id) > 1
    ) AS clash;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION 'look-alike names held by different accounts: %', clashes;
    END IF;
END
$$;

ALTER TABLE nip05_names ADD CONSTRAINT nip05_names_no_lookalike_between_accounts
    EXCLUDE USING gist (domain WITH =, name_fold WITH =, user_id WITH <>) WHERE (status <> 'released');

CREATE TABLE nip05_payment_holds (
    nip05_id uuid PRIMARY KEY REFERENCES nip05_names (id) ON DELETE CASCADE,
    payment_id uuid NOT NULL REFERENCES payments (id) ON DELETE CASCADE
);

CREATE INDEX nip05_payment_holds_payment_id_idx ON nip05_payment_holds (payment_id);

CREATE TABLE nip05_transfer_offers (
    id uuid PRIMARY KEY,
    nip05_id uuid NOT NULL REFERENCES nip05_names (id) ON DELETE CASCADE,
    from_user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_pubkey text NOT NULL CONSTRAINT nip05_transfer_offers_to_pubkey_hex CHECK (to_pubkey ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CONSTRAINT nip05_transfer_offers_expire_later CHECK (expires_at > created_at)
);

CREATE INDEX nip05_transfer_offers_nip05_id_idx ON nip05_transfer_offers (nip05_id);
CREATE INDEX nip05_transfer_offers_from_user_id_idx ON nip05_transfer_offers (from_user_id, created_at);
CREATE INDEX nip05_transfer_offers_to_pubkey_idx ON nip05_transfer_offers (to_pubkey, created_at);
