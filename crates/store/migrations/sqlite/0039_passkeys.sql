-- Passkeys (WebAuthn credentials). The record lives in `doc` (JSON: the verified credential's
-- public key and counter, or the registration's pending challenge state); the columns are what
-- is looked up. A credential id is unique within an instance; a pending passkey has none yet.
CREATE TABLE passkeys (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    user_id       TEXT NOT NULL,
    credential_id TEXT,
    doc           TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX passkeys_by_credential ON passkeys (instance_id, credential_id);
CREATE INDEX passkeys_by_user ON passkeys (instance_id, user_id, created_at, id);
