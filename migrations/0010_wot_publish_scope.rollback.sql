-- Keys lose `wot:publish` (their other scopes stay) before the older rule comes back.
UPDATE api_keys SET scopes = array_remove(scopes, 'wot:publish') WHERE 'wot:publish' = ANY(scopes);
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_known;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_known
    CHECK (scopes <@ ARRAY['wot:read', 'nip05:read']::text[]);
