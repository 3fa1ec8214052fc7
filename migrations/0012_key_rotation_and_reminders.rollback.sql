DROP TABLE renewal_reminders;

DROP TABLE key_recoveries;

DROP TABLE lnurl_wallet_sessions;

ALTER TABLE users DROP COLUMN reminders;
