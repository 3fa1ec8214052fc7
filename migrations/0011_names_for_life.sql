-- Names for life. Each name keeps its fold (domain/names/folding.py, written again here in SQL: lower,
-- without `-`, `_` and `.`, digits read as letters, `rn` as `m`, `vv` as `w`), and no two accounts
-- hold names of one fold on one domain (N9): `nip05_name_folds` gives each (domain, fold) one
-- account, kept by a trigger on every write of a name, so its primary key decides between
-- concurrent writers whichever path writes (an owner's own variants share the account's row;
-- released names hold none). A write that would give a fold to a second account is refused with
-- `exclusion_violation`. (A trigger and a table rather than an exclusion constraint: that needs
-- btree_gist, which the embedded PostgreSQL does not ship.) A name may be locked against transfer
-- offers; an offer is open while its row exists (accepted or canceled offers are deleted; the audit
-- log keeps their history). A name held for a pending payment is a `pending_payment` row tied to
-- that payment until it is paid (activated) or ends (deleted).
-- depends: 0010_wot_publish_scope

ALTER TABLE nip05_names
    ADD COLUMN name_fold text NOT NULL GENERATED ALWAYS AS (
        replace(
            replace(translate(regexp_replace(lower(name), '[-_.]', '', 'g'), '01i34578', 'olleastb'), 'rn', 'm'),
            'vv',
            'w'
        )
    ) STORED,
    ADD COLUMN locked boolean NOT NULL DEFAULT false;

CREATE INDEX nip05_names_domain_fold_idx ON nip05_names (domain, name_fold);

-- Look-alikes already held by different accounts are named: one of each is released or renamed
-- before this migration can apply.
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

CREATE TABLE nip05_name_folds (
    domain text NOT NULL,
    name_fold text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (domain, name_fold)
);

CREATE INDEX nip05_name_folds_user_id_idx ON nip05_name_folds (user_id);

INSERT INTO nip05_name_folds (domain, name_fold, user_id)
SELECT DISTINCT domain, name_fold, user_id FROM nip05_names WHERE status <> 'released';

CREATE FUNCTION nip05_names_keep_folds() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    holder uuid;
BEGIN
    -- The old row's fold is let go when its account holds no other name of that fold there.
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.status <> 'released' AND (
        NEW.status = 'released' OR (OLD.domain, OLD.name_fold, OLD.user_id)
            IS DISTINCT FROM (NEW.domain, NEW.name_fold, NEW.user_id)
    )) THEN
        DELETE FROM nip05_name_folds AS f
        WHERE f.domain = OLD.domain AND f.name_fold = OLD.name_fold AND f.user_id = OLD.user_id
            AND NOT EXISTS (
                SELECT 1 FROM nip05_names AS n
                WHERE n.domain = OLD.domain AND n.name_fold = OLD.name_fold AND n.user_id = OLD.user_id
                    AND n.status <> 'released' AND n.id <> OLD.id
            );
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status <> 'released' THEN
        LOOP
            INSERT INTO nip05_name_folds (domain, name_fold, user_id)
            VALUES (NEW.domain, NEW.name_fold, NEW.user_id)
            ON CONFLICT (domain, name_fold) DO NOTHING;
            SELECT f.user_id INTO holder FROM nip05_name_folds AS f
            WHERE f.domain = NEW.domain AND f.name_fold = NEW.name_fold;
            -- None when the holder let it go between the two statements: claim it again.
            EXIT WHEN holder IS NOT NULL;
        END LOOP;
        IF holder <> NEW.user_id THEN
            RAISE EXCEPTION USING
                ERRCODE = 'exclusion_violation',
                CONSTRAINT = 'nip05_names_no_lookalike_between_accounts',
                MESSAGE = format('%s on %s passes for another account''s name', NEW.name, NEW.domain);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER nip05_names_no_lookalike_between_accounts
    AFTER INSERT OR UPDATE OR DELETE ON nip05_names
    FOR EACH ROW EXECUTE FUNCTION nip05_names_keep_folds();

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
