-- The supplemental records nostr-id keeps beside the relays: accounts and their sessions, login
-- challenges, LNURL-auth sessions, API keys and their metered usage, NIP-05 names, custom
-- domains, subscriptions, payments and the audit log. processed_webhook_events remembers which
-- payment-provider deliveries were already handled, so an at-least-once webhook credits once.
-- Nothing here is derived from Nostr events.
-- depends: 0001_legacy_baseline

ALTER TABLE users
    ADD COLUMN status text NOT NULL DEFAULT 'active'
        CONSTRAINT users_status_known CHECK (status IN ('active', 'suspended')),
    ADD COLUMN lnurl_key text
        CONSTRAINT users_lnurl_key_compressed CHECK (lnurl_key ~ '^0[23][0-9a-f]{64}$');

CREATE UNIQUE INDEX users_lnurl_key_key ON users (lnurl_key);

CREATE INDEX users_created_at_idx ON users (created_at, id);

CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    refresh_token_hash text NOT NULL
        CONSTRAINT sessions_refresh_token_hash_hex CHECK (refresh_token_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    last_used_at timestamptz NOT NULL DEFAULT now(),
    rotated_at timestamptz,
    revoked_at timestamptz,
    user_agent text CONSTRAINT sessions_user_agent_length CHECK (length(user_agent) <= 512),
    ip inet,
    CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE UNIQUE INDEX sessions_refresh_token_hash_key ON sessions (refresh_token_hash);

CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE INDEX sessions_family_id_idx ON sessions (family_id);

CREATE TABLE auth_challenges (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    challenge text NOT NULL CONSTRAINT auth_challenges_challenge_hex CHECK (challenge ~ '^[0-9a-f]{32,128}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CONSTRAINT auth_challenges_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE UNIQUE INDEX auth_challenges_challenge_key ON auth_challenges (challenge);

CREATE INDEX auth_challenges_expires_at_idx ON auth_challenges (expires_at);

CREATE TABLE lnurl_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    k1 text NOT NULL CONSTRAINT lnurl_sessions_k1_hex CHECK (k1 ~ '^[0-9a-f]{64}$'),
    action text NOT NULL CONSTRAINT lnurl_sessions_action_known CHECK (action IN ('login', 'link')),
    user_id uuid REFERENCES users (id) ON DELETE CASCADE,
    linking_key text CONSTRAINT lnurl_sessions_linking_key_compressed CHECK (linking_key ~ '^0[23][0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    completed_at timestamptz,
    tokens_claimed_at timestamptz,
    CONSTRAINT lnurl_sessions_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT lnurl_sessions_link_has_user CHECK (action <> 'link' OR user_id IS NOT NULL),
    CONSTRAINT lnurl_sessions_completion_has_key CHECK (
        completed_at IS NULL OR (linking_key IS NOT NULL AND user_id IS NOT NULL)
    ),
    CONSTRAINT lnurl_sessions_claim_after_completion CHECK (tokens_claimed_at IS NULL OR completed_at IS NOT NULL)
);

CREATE UNIQUE INDEX lnurl_sessions_k1_key ON lnurl_sessions (k1);

CREATE INDEX lnurl_sessions_expires_at_idx ON lnurl_sessions (expires_at);

CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CONSTRAINT api_keys_name_length CHECK (length(name) BETWEEN 1 AND 100),
    prefix text NOT NULL CONSTRAINT api_keys_prefix_shape CHECK (prefix ~ '^[A-Za-z0-9_]{4,32}$'),
    key_hash text NOT NULL CONSTRAINT api_keys_key_hash_hex CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    scopes text[] NOT NULL DEFAULT '{}'
        CONSTRAINT api_keys_scopes_known CHECK (scopes <@ ARRAY['wot:read', 'nip05:read']::text[]),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);

CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash);

CREATE INDEX api_keys_user_id_idx ON api_keys (user_id);

CREATE TABLE api_key_usage (
    api_key_id uuid NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    day date NOT NULL,
    endpoint text NOT NULL CONSTRAINT api_key_usage_endpoint_length CHECK (length(endpoint) BETWEEN 1 AND 200),
    status_class text NOT NULL
        CONSTRAINT api_key_usage_status_class_known CHECK (status_class IN ('1xx', '2xx', '3xx', '4xx', '5xx')),
    count bigint NOT NULL DEFAULT 0 CONSTRAINT api_key_usage_count_not_negative CHECK (count >= 0),
    PRIMARY KEY (api_key_id, day, endpoint, status_class)
);

CREATE TABLE domains (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    domain text NOT NULL CONSTRAINT domains_domain_hostname CHECK (
        length(domain) <= 253
        AND domain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$'
    ),
    verification_token text NOT NULL
        CONSTRAINT domains_verification_token_hex CHECK (verification_token ~ '^[0-9a-f]{32,128}$'),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT domains_status_known CHECK (status IN ('pending', 'verified', 'failed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    verified_at timestamptz,
    last_checked_at timestamptz
);

-- A user claims a domain once; a domain is verified for at most one user at a time.
CREATE UNIQUE INDEX domains_user_domain_key ON domains (user_id, lower(domain));

CREATE UNIQUE INDEX domains_verified_domain_key ON domains (lower(domain)) WHERE status = 'verified';

CREATE TABLE nip05_names (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name text NOT NULL CONSTRAINT nip05_names_name_charset CHECK (name ~ '^[a-z0-9._-]{1,64}$'),
    domain text NOT NULL CONSTRAINT nip05_names_domain_hostname CHECK (
        length(domain) <= 253
        AND domain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[0-9]{1,5})?$'
    ),
    pubkey text NOT NULL CONSTRAINT nip05_names_pubkey_hex CHECK (pubkey ~ '^[0-9a-f]{64}$'),
    relays text[] NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT nip05_names_status_known CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz
);

CREATE UNIQUE INDEX nip05_names_name_domain_key ON nip05_names (lower(name), lower(domain));

CREATE INDEX nip05_names_user_id_idx ON nip05_names (user_id);

CREATE TABLE subscriptions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan_id text NOT NULL CONSTRAINT subscriptions_plan_id_shape CHECK (plan_id ~ '^[a-z0-9_-]{1,64}$'),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT subscriptions_status_known CHECK (status IN ('pending', 'active', 'expired', 'canceled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    starts_at timestamptz,
    expires_at timestamptz,
    canceled_at timestamptz,
    CONSTRAINT subscriptions_active_has_period CHECK (
        status = 'pending' OR (starts_at IS NOT NULL AND expires_at IS NOT NULL AND expires_at > starts_at)
    )
);

-- At most one active subscription per user.
CREATE UNIQUE INDEX subscriptions_active_user_key ON subscriptions (user_id) WHERE status = 'active';

CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id, created_at);

CREATE INDEX subscriptions_active_expires_at_idx ON subscriptions (expires_at) WHERE status = 'active';

CREATE SEQUENCE payment_receipt_numbers;

CREATE TABLE payments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Payments are financial records: a user who paid cannot be deleted by accident.
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    subscription_id uuid REFERENCES subscriptions (id) ON DELETE SET NULL,
    provider text NOT NULL
        CONSTRAINT payments_provider_known CHECK (provider IN ('btcpay', 'lnbits', 'stripe', 'fake')),
    provider_invoice_id text NOT NULL
        CONSTRAINT payments_provider_invoice_id_length CHECK (length(provider_invoice_id) BETWEEN 1 AND 200),
    amount bigint NOT NULL CONSTRAINT payments_amount_positive CHECK (amount > 0),
    currency text NOT NULL CONSTRAINT payments_currency_known CHECK (currency IN ('sat', 'usd')),
    status text NOT NULL DEFAULT 'pending'
        CONSTRAINT payments_status_known CHECK (status IN ('pending', 'paid', 'expired', 'failed', 'refunded')),
    checkout_url text,
    bolt11 text,
    receipt_number text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    paid_at timestamptz,
    refunded_at timestamptz,
    CONSTRAINT payments_paid_has_receipt CHECK (
        status NOT IN ('paid', 'refunded') OR (paid_at IS NOT NULL AND receipt_number IS NOT NULL)
    )
);

CREATE UNIQUE INDEX payments_provider_invoice_key ON payments (provider, provider_invoice_id);

CREATE UNIQUE INDEX payments_receipt_number_key ON payments (receipt_number);

CREATE INDEX payments_user_id_idx ON payments (user_id, created_at);

CREATE TABLE processed_webhook_events (
    provider text NOT NULL
        CONSTRAINT processed_webhook_events_provider_known CHECK (provider IN ('btcpay', 'lnbits', 'stripe', 'fake')),
    event_id text NOT NULL
        CONSTRAINT processed_webhook_events_event_id_length CHECK (length(event_id) BETWEEN 1 AND 200),
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE audit_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    -- The pubkey keeps the actor known after the account is gone.
    actor_user_id uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_pubkey text CONSTRAINT audit_log_actor_pubkey_hex CHECK (actor_pubkey ~ '^[0-9a-f]{64}$'),
    action text NOT NULL CONSTRAINT audit_log_action_shape CHECK (action ~ '^[a-z0-9_.:-]{1,100}$'),
    target_type text CONSTRAINT audit_log_target_type_length CHECK (length(target_type) <= 50),
    target_id text CONSTRAINT audit_log_target_id_length CHECK (length(target_id) <= 200),
    ip inet,
    user_agent text CONSTRAINT audit_log_user_agent_length CHECK (length(user_agent) <= 512),
    details jsonb NOT NULL DEFAULT '{}'::jsonb
        CONSTRAINT audit_log_details_object CHECK (jsonb_typeof(details) = 'object')
);

CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at, id);

CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, occurred_at);

CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at);
