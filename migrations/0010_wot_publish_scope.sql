-- API keys may hold `wot:publish`: publishing NIP-85 assertions (POST /api/v1/wot/{pubkey}/assertion).
-- depends: 0009_wallet_connections

ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
    CHECK (scopes <@ ARRAY['wot:read', 'nip05:read', 'wot:publish']::text[]);
