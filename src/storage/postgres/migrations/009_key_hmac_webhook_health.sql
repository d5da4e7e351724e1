-- API keys: hashed under the secret key from now on (hash_scheme 'hmac'). Rows from before hold the
-- bare SHA-256 ('sha256') until the first process to start rewraps them (accounts/service.ts:
-- upgradeKeyHashes); their hints keep only the last 4 characters of the key.
ALTER TABLE api_keys ADD COLUMN hash_scheme TEXT NOT NULL DEFAULT 'sha256';
UPDATE api_keys SET key_hint = '…' || right(key_hint, 4);

-- How a webhook's receiver behaves, as the delivery workers see it (delivery/health.ts): healthy,
-- slowed (fewer attempts at once after timeouts or connection failures) or backing_off (no attempt
-- until backoff_until, then one probe). health_since: when it entered that state.
ALTER TABLE webhooks ADD COLUMN delivery_health TEXT NOT NULL DEFAULT 'healthy';
ALTER TABLE webhooks ADD COLUMN health_since BIGINT;
ALTER TABLE webhooks ADD COLUMN backoff_until BIGINT;
