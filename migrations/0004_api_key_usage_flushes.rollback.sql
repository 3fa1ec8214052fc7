DROP INDEX IF EXISTS api_keys_prefix_idx;
DROP TABLE IF EXISTS api_key_usage_flushes;
