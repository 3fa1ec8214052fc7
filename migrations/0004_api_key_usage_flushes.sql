-- Usage is counted in the cache and flushed in batches; each batch carries an id, recorded here in
-- the same transaction as its counts, so a batch whose flush was interrupted after the commit is
-- never added twice. API keys are looked up by their visible prefix.
-- depends: 0003_drop_legacy_score_table

CREATE TABLE api_key_usage_flushes (
    id uuid PRIMARY KEY,
    flushed_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX api_key_usage_flushes_flushed_at_idx ON api_key_usage_flushes (flushed_at);

CREATE INDEX api_keys_prefix_idx ON api_keys (prefix);
