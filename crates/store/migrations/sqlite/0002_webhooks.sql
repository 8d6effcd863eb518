-- Webhooks (SQLite). Endpoints keep their configuration in `doc` (JSON) plus the columns the
-- delivery worker filters and leases on. A delivery row per (endpoint, event) is queued in the
-- transaction that commits the event; an attempt row records every HTTP attempt.

CREATE TABLE webhook_endpoints (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    doc           TEXT NOT NULL,
    status        TEXT NOT NULL,
    -- An empty filter: every event.
    all_events    BOOLEAN NOT NULL,
    created_at    INTEGER NOT NULL,
    -- The worker's lease: who delivers to this endpoint now, and until when.
    lease_until   INTEGER,
    leased_by     TEXT,
    lease_node    TEXT,
    -- The oldest pending delivery failed: nothing is sent before this time.
    retry_at      INTEGER,
    -- When the current run of failed attempts began.
    failing_since INTEGER,
    PRIMARY KEY (instance_id, id)
);

-- An endpoint's event-type filter, one row per type.
CREATE TABLE webhook_endpoint_events (
    instance_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    PRIMARY KEY (instance_id, endpoint_id, event_type)
);

CREATE TABLE webhook_deliveries (
    instance_id          TEXT NOT NULL,
    endpoint_id          TEXT NOT NULL,
    event_seq            INTEGER NOT NULL,
    event_id             TEXT NOT NULL,
    event_type           TEXT NOT NULL,
    -- pending | succeeded | failed
    status               TEXT NOT NULL,
    -- attempts since it was last queued
    attempts             INTEGER NOT NULL,
    queued_at            INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_attempt_at      INTEGER,
    last_response_status INTEGER,
    last_error           TEXT,
    PRIMARY KEY (instance_id, endpoint_id, event_seq)
);
CREATE INDEX webhook_deliveries_queue ON webhook_deliveries (instance_id, endpoint_id, status, event_seq);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (instance_id, event_id);

CREATE TABLE webhook_attempts (
    id               TEXT PRIMARY KEY,
    instance_id      TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL,
    event_seq        INTEGER NOT NULL,
    event_id         TEXT NOT NULL,
    attempted_at     INTEGER NOT NULL,
    succeeded        BOOLEAN NOT NULL,
    response_status  INTEGER,
    latency_ms       INTEGER NOT NULL,
    response_excerpt TEXT NOT NULL,
    error            TEXT
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (instance_id, endpoint_id, event_seq, attempted_at);
CREATE INDEX webhook_attempts_by_time ON webhook_attempts (instance_id, endpoint_id, attempted_at);

-- A resync snapshot is meant for one endpoint: no other endpoint receives or replays it.
ALTER TABLE events ADD COLUMN target_endpoint_id TEXT;
CREATE INDEX events_by_created ON events (instance_id, created_at);
