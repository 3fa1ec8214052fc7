-- Back to two name statuses and three domain statuses: released names are freed, names pending
-- payment or expired are kept suspended, suspended domains are kept failed.

DROP INDEX IF EXISTS domains_last_checked_at_idx;

UPDATE domains SET status = 'failed' WHERE status = 'suspended';
ALTER TABLE domains DROP COLUMN record_missing_since;
ALTER TABLE domains DROP CONSTRAINT domains_status_known;
ALTER TABLE domains ADD CONSTRAINT domains_status_known CHECK (status IN ('pending', 'verified', 'failed'));

DELETE FROM nip05_names WHERE status = 'released';
UPDATE nip05_names SET status = 'suspended' WHERE status IN ('pending_payment', 'expired');
ALTER TABLE nip05_names DROP CONSTRAINT nip05_names_released_at_when_released;
ALTER TABLE nip05_names DROP COLUMN released_at;
ALTER TABLE nip05_names DROP CONSTRAINT nip05_names_status_known;
ALTER TABLE nip05_names ADD CONSTRAINT nip05_names_status_known CHECK (status IN ('active', 'suspended'));
