-- Dashboard operators and their sign-in sessions. An operator's password is an Argon2id digest;
-- the TOTP secret is sealed (AES-256-GCM, the operator id as associated data) under an instance
-- key kept in `instance_secrets`, never here. `last_totp_step` refuses a code used twice.
CREATE TABLE operators (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_digest TEXT NOT NULL,
    totp_sealed     TEXT NOT NULL,
    last_totp_step  INTEGER,
    disabled        BOOLEAN NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX operators_by_email ON operators (instance_id, email);

-- The browser holds a random token; only its SHA-256 is stored. A session is `verified` once
-- its TOTP code was accepted: before that it only lets the browser enter the code.
CREATE TABLE operator_sessions (
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    id           TEXT NOT NULL,
    operator_id  TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    verified     BOOLEAN NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    ip           TEXT,
    user_agent   TEXT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, operator_id) REFERENCES operators(instance_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX operator_sessions_by_digest ON operator_sessions (instance_id, token_digest);
CREATE INDEX operator_sessions_by_operator ON operator_sessions (instance_id, operator_id);
CREATE INDEX audit_log_by_actor ON audit_log (instance_id, actor, seq);
