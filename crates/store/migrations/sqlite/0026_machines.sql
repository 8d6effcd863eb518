-- Machines and their M2M tokens. A machine's record lives in `doc` (JSON) beside the columns
-- that are filtered, ordered or constrained on; `sealed` is its current secret key under the
-- instance's API key sealing key (AES-256-GCM). Its secret keys are found by digest (HMAC under
-- the instance's API key digest key): the current one has no `expires_at`, a rotated-out one
-- stays valid until its `expires_at`. Opaque M2M tokens are kept as their digest only.
CREATE TABLE machines (
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    sealed       TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX machines_by_created ON machines (instance_id, created_at, id);

CREATE TABLE machine_secret_keys (
    instance_id  TEXT NOT NULL,
    digest       TEXT NOT NULL,
    machine_id   TEXT NOT NULL,
    expires_at   INTEGER,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, digest),
    FOREIGN KEY (instance_id, machine_id) REFERENCES machines (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX machine_secret_keys_by_machine ON machine_secret_keys (instance_id, machine_id);

CREATE TABLE machine_scopes (
    instance_id      TEXT NOT NULL,
    from_machine_id  TEXT NOT NULL,
    to_machine_id    TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (instance_id, from_machine_id, to_machine_id),
    FOREIGN KEY (instance_id, from_machine_id) REFERENCES machines (instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, to_machine_id) REFERENCES machines (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX machine_scopes_to ON machine_scopes (instance_id, to_machine_id);

CREATE TABLE m2m_tokens (
    instance_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    machine_id   TEXT NOT NULL,
    revoked      BOOLEAN NOT NULL,
    expiration   INTEGER,
    digest       TEXT NOT NULL,
    doc          TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, machine_id) REFERENCES machines (instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX m2m_tokens_by_digest ON m2m_tokens (instance_id, digest);
CREATE INDEX m2m_tokens_by_machine ON m2m_tokens (instance_id, machine_id, created_at, id);
