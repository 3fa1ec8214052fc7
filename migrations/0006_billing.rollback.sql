DROP TABLE nip05_billing_holds;
DROP TABLE receipt_counters;
DROP INDEX payments_pending_expires_at_idx;
ALTER TABLE payments DROP COLUMN plan_id, DROP COLUMN discount_percent, DROP COLUMN list_amount;
