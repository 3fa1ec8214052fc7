-- The schema of the service nostr-id replaces, as it stood: accounts, plus a table of
-- precomputed Web-of-Trust scores. Scores are now computed on demand from the relays, and a
-- later migration removes that table; it is recreated here so old databases and new ones share
-- one history.

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pubkey text NOT NULL CONSTRAINT users_pubkey_hex CHECK (pubkey ~ '^[0-9a-f]{64}$'),
    role text NOT NULL DEFAULT 'user' CONSTRAINT users_role_known CHECK (role IN ('user', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_pubkey_key ON users (pubkey);

CREATE TABLE "WotScore" (
    id serial PRIMARY KEY,
    "userId" uuid REFERENCES users (id) ON DELETE CASCADE,
    pubkey text NOT NULL,
    "trustScore" double precision NOT NULL DEFAULT 0,
    "followersCount" integer NOT NULL DEFAULT 0,
    "followingCount" integer NOT NULL DEFAULT 0,
    "wotDepth" integer,
    "updatedAt" timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX "WotScore_pubkey_key" ON "WotScore" (pubkey);
