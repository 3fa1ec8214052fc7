-- Back to names without folds, locks, payment holds or transfer offers; names held for a payment
-- that was never paid are let go.

DROP TABLE nip05_transfer_offers;
DELETE FROM nip05_names
WHERE status = 'pending_payment' AND id IN (SELECT nip05_id FROM nip05_payment_holds);
DROP TABLE nip05_payment_holds;
DROP TRIGGER nip05_names_no_lookalike_between_accounts ON nip05_names;
DROP FUNCTION nip05_names_keep_folds();
DROP TABLE nip05_name_folds;
DROP INDEX nip05_names_domain_fold_idx;
ALTER TABLE nip05_names DROP COLUMN locked;
ALTER TABLE nip05_names DROP COLUMN name_fold;
