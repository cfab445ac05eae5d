-- Pass-signing key pairs (Ed25519). The private half is sealed under the
-- master secret; retired keys sign nothing new but still verify passes.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    algorithm      TEXT NOT NULL,
    public_key     TEXT NOT NULL,
    sealed_secret  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT
);
