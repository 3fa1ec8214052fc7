-- Names for life: an account moves to a new Nostr key (with the old key's consent, or by a linked
-- LNURL-auth wallet after a waiting period the old key can cancel), and owners get renewal
-- reminders by Nostr direct message unless they turn them off.
-- lnurl_wallet_sessions: which sessions a wallet's sign-in opened (by refresh-token family), so a
-- recovery is asked only by a wallet still linked. key_recoveries: a wallet's request to move the
-- account to a new key, completed by the jobs once effective. renewal_reminders: one row per
-- reminder (subscription, kind, period end), claimed before it is sent, so it is sent once.
-- depends: 0010_wot_publish_scope

ALTER TABLE users ADD COLUMN reminders boolean NOT NULL DEFAULT true;

CREATE TABLE lnurl_wallet_sessions (
    family_id uuid PRIMARY KEY,
    wallet_id uuid NOT NULL REFERENCES lnurl_wallets (id) ON DELETE CASCADE
);

CREATE INDEX lnurl_wallet_sessions_wallet_id_idx ON lnurl_wallet_sessions (wallet_id);

CREATE TABLE key_recoveries (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Unlinking the wallet that asked withdraws its request.
    wallet_id uuid NOT NULL REFERENCES lnurl_wallets (id) ON DELETE CASCADE,
    new_pubkey text NOT NULL CONSTRAINT key_recoveries_new_pubkey_hex CHECK (new_pubkey ~ '^[0-9a-f]{64}$'),
    requested_at timestamptz NOT NULL,
    effective_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT key_recoveries_status_known CHECK (status IN ('pending', 'completed', 'canceled', 'refused')),
    ended_at timestamptz,
    -- When the account's key was told by direct message (claimed before sending).
    notified_at timestamptz,
    CONSTRAINT key_recoveries_effective_after_request CHECK (effective_at > requested_at)
);

CREATE UNIQUE INDEX key_recoveries_pending_key ON key_recoveries (user_id) WHERE status = 'pending';

CREATE INDEX key_recoveries_due_idx ON key_recoveries (effective_at) WHERE status = 'pending';

CREATE INDEX key_recoveries_unnotified_idx ON key_recoveries (requested_at)
    WHERE status = 'pending' AND notified_at IS NULL;

CREATE TABLE renewal_reminders (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL
        CONSTRAINT renewal_reminders_kind_known CHECK (kind IN ('ends_in_7_days', 'ends_in_1_day', 'renewed', 'names_suspended')),
    period_end timestamptz NOT NULL,
    status text NOT NULL
        CONSTRAINT renewal_reminders_status_known CHECK (status IN ('sending', 'sent', 'failed')),
    claimed_at timestamptz NOT NULL,
    sent_at timestamptz,
    attempts integer NOT NULL DEFAULT 1 CONSTRAINT renewal_reminders_attempts_positive CHECK (attempts > 0)
);

CREATE UNIQUE INDEX renewal_reminders_key ON renewal_reminders (subscription_id, kind, period_end);

CREATE INDEX renewal_reminders_unsent_idx ON renewal_reminders (claimed_at) WHERE status <> 'sent';
