-- Recreates the legacy table empty, exactly as the baseline defines it, so that
-- apply -> rollback -> apply passes through the same schemas.

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
