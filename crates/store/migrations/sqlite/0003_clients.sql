-- Browser clients: the hash of the secret the browser holds, the sign-in and sign-up attempts in
-- progress (in `doc`), optimistic versions. Clients written before this migration have no doc.
ALTER TABLE clients ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN token_hash TEXT;
ALTER TABLE clients ADD COLUMN doc TEXT;
-- NULLs are distinct: backend-created clients have no token.
CREATE UNIQUE INDEX clients_by_token ON clients (instance_id, token_hash);

-- Handshake payloads fetched by the Backend API with a nonce; short-lived.
CREATE TABLE handshake_nonces (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    nonce_hash  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    expire_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, nonce_hash)
);
