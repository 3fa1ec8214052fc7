-- Billing: the list price and WoT discount fixed on each payment when its invoice is created, receipt
-- numbers counted per calendar year (a counter row per year, locked by the settling transaction, so
-- numbers have no gaps), the idempotency key of each provider invoice, and the NIP-05 names billing
-- suspended when a subscription lapsed (so renewal reactivates exactly those).
-- depends: 0005_nip05_lifecycle

ALTER TABLE payments
    ADD COLUMN list_amount bigint CONSTRAINT payments_list_amount_positive CHECK (list_amount > 0),
    ADD COLUMN discount_percent smallint NOT NULL DEFAULT 0
        CONSTRAINT payments_discount_percent_range CHECK (discount_percent BETWEEN 0 AND 100),
    ADD COLUMN plan_id text CONSTRAINT payments_plan_id_shape CHECK (plan_id ~ '^[a-z0-9_-]{1,64}$');

CREATE INDEX payments_pending_expires_at_idx ON payments (expires_at) WHERE status = 'pending';

CREATE TABLE receipt_counters (
    year integer PRIMARY KEY CONSTRAINT receipt_counters_year_range CHECK (year BETWEEN 2000 AND 9999),
    last_number integer NOT NULL CONSTRAINT receipt_counters_last_number_positive CHECK (last_number > 0)
);

CREATE TABLE nip05_billing_holds (
    nip05_id uuid PRIMARY KEY REFERENCES nip05_names (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    held_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX nip05_billing_holds_user_id_idx ON nip05_billing_holds (user_id);
