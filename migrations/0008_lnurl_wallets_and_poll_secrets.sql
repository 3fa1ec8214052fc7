-- LNURL-auth: the browser polls a session with a secret of its own (stored as its SHA-256), never with
-- the k1 printed in the QR code; an account links any number of wallets, each in its own row (wallets
-- derive a different key per service), instead of one key on the user. users.lnurl_key is emptied
-- and no longer read or written; it stays in place because dropping it here and adding it back in
-- the rollback would change the users table's column order.
-- depends: 0007_job_runs

-- Sessions in flight (they live five minutes) have no poll secret: they end here.
DELETE FROM lnurl_sessions;

ALTER TABLE lnurl_sessions
    ADD COLUMN poll_secret_hash text NOT NULL
        CONSTRAINT lnurl_sessions_poll_secret_hash_digest CHECK (poll_secret_hash ~ '^[0-9a-f]{64}$');

CREATE UNIQUE INDEX lnurl_sessions_poll_secret_hash_key ON lnurl_sessions (poll_secret_hash);

CREATE TABLE lnurl_wallets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linking_key text NOT NULL
        CONSTRAINT lnurl_wallets_linking_key_compressed CHECK (linking_key ~ '^0[23][0-9a-f]{64}$'),
    linked_at timestamptz NOT NULL,
    last_used_at timestamptz
);

CREATE UNIQUE INDEX lnurl_wallets_linking_key_key ON lnurl_wallets (linking_key);

CREATE INDEX lnurl_wallets_user_id_idx ON lnurl_wallets (user_id, linked_at);

INSERT INTO lnurl_wallets (user_id, linking_key, linked_at)
SELECT id, lnurl_key, updated_at FROM users WHERE lnurl_key IS NOT NULL;

UPDATE users SET lnurl_key = NULL WHERE lnurl_key IS NOT NULL;
