-- Usher schema v1 (PostgreSQL). The same logical schema as migrations/sqlite/0001_init.sql:
-- every row belongs to an instance; users and sessions keep their full domain record in `doc`
-- (JSON) plus the columns that are filtered, ordered or constrained on.

CREATE TABLE instances (
    id          TEXT PRIMARY KEY,
    -- One instance per database for now; the unique key settles a race between starting nodes.
    singleton   BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Secret keys are stored only as SHA-256 hashes.
CREATE TABLE secret_keys (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    hash        BYTEA NOT NULL,
    hint        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    private_pkcs8 BYTEA NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE users (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         BIGINT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    primary_email   TEXT,
    primary_phone   TEXT,
    username        TEXT,
    first_name      TEXT,
    last_name       TEXT,
    last_sign_in_at BIGINT,
    last_active_at  BIGINT,
    banned          BOOLEAN NOT NULL,
    locked_until    BIGINT,
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
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);

CREATE TABLE sessions (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    version     BIGINT NOT NULL,
    client_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    expire_at   BIGINT NOT NULL,
    abandon_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX sessions_by_user ON sessions (instance_id, user_id, created_at);
CREATE INDEX sessions_by_client ON sessions (instance_id, client_id, created_at);

-- The outbox: events committed with the change that caused them, in commit order.
CREATE TABLE events (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    attributes  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_id   TEXT,
    trace_id    TEXT,
    client_ip   TEXT,
    at          BIGINT NOT NULL
);
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
