UPDATE users SET lnurl_key = first.linking_key
FROM (
    SELECT DISTINCT ON (user_id) user_id, linking_key FROM lnurl_wallets ORDER BY user_id, linked_at, id
) AS first
WHERE users.id = first.user_id;

DROP TABLE lnurl_wallets;

DROP INDEX lnurl_sessions_poll_secret_hash_key;

ALTER TABLE lnurl_sessions DROP COLUMN poll_secret_hash;
