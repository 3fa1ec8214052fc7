-- Each periodic job's outcome, written by `nostr-id jobs run` and read by every serving process for
-- /metrics (nostr_id_job_failures_total, nostr_id_job_last_success_timestamp_seconds).
-- A pending payment whose expiry failed is marked as tried, so the next runs take the others first.
-- depends: 0006_billing

CREATE TABLE job_runs (
    job text PRIMARY KEY,
    last_success_at timestamptz,
    failures bigint NOT NULL DEFAULT 0 CHECK (failures >= 0)
);

ALTER TABLE payments ADD COLUMN expiry_tried_at timestamptz;
