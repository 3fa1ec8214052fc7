ALTER TABLE payments DROP COLUMN IF EXISTS expiry_tried_at;
DROP TABLE IF EXISTS job_runs;
