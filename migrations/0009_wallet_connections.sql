-- Lightning addresses paid into the owner's own wallet over Nostr Wallet Connect (NIP-47).
-- wallet_connections: one connected wallet per user; the connection string (which holds the client
-- secret) is kept only sealed with WALLET_SECRET_KEYS. zap_invoices: a zap invoice waiting to be paid,
-- kept no longer than the invoice's life; the receipt's claim deletes it.
-- depends: 0008_lnurl_wallets_and_poll_secrets

CREATE TABLE wallet_connections (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    wallet_pubkey text NOT NULL
        CONSTRAINT wallet_connections_wallet_pubkey_hex CHECK (wallet_pubkey ~ '^[0-9a-f]{64}$'),
    relay text NOT NULL,
    alias text NOT NULL,
    methods text[] NOT NULL,
    sealed_uri text NOT NULL,
    connected_at timestamptz NOT NULL
);

CREATE TABLE zap_invoices (
    payment_hash text PRIMARY KEY
        CONSTRAINT zap_invoices_payment_hash_hex CHECK (payment_hash ~ '^[0-9a-f]{64}$'),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bolt11 text NOT NULL,
    zap_request text NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX zap_invoices_expires_at_idx ON zap_invoices (expires_at);
