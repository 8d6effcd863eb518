-- Usher schema v1 (SQLite). Every row belongs to an instance. Users and sessions keep their full
-- domain record in `doc` (JSON) plus the columns that are filtered, ordered or constrained on.

CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    -- One instance per database for now; the unique key settles a race between starting nodes.
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    doc         TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Secret keys are stored only as SHA-256 hashes.
CREATE TABLE secret_keys (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    hash        BLOB NOT NULL,
    hint        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    private_pkcs8 BLOB NOT NULL,
    active        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE users (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    doc             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    primary_email   TEXT,
    primary_phone   TEXT,
    username        TEXT,
    first_name      TEXT,
    last_name       TEXT,
    last_sign_in_at INTEGER,
    last_active_at  INTEGER,
    banned          INTEGER NOT NULL,
    locked_until    INTEGER,
    search          TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX users_by_created ON users (instance_id, created_at, id);

-- The uniqueness guard for sign-in identifiers: one row per identifier, owned by one user.
CREATE TABLE user_identifiers (
    instance_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (instance_id, kind, value)
);
CREATE INDEX user_identifiers_by_user ON user_identifiers (instance_id, user_id);

CREATE TABLE clients (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);

CREATE TABLE sessions (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    expire_at   INTEGER NOT NULL,
    abandon_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX sessions_by_user ON sessions (instance_id, user_id, created_at);
CREATE INDEX sessions_by_client ON sessions (instance_id, client_id, created_at);

-- The outbox: events committed with the change that caused them, in commit order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    attributes  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_id   TEXT,
    trace_id    TEXT,
    client_ip   TEXT,
    at          INTEGER NOT NULL
);
CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
