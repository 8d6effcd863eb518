-- Email (PostgreSQL). Each message keeps its content in `doc` (JSON) plus the columns listed,
-- filtered or updated by the mail worker: status, attempts, last error and its claim. `seq`
-- orders the listing (newest first) and the queue (oldest first).

CREATE TABLE emails (
    seq              BIGSERIAL PRIMARY KEY,
    instance_id      TEXT NOT NULL REFERENCES instances(id),
    id               TEXT NOT NULL,
    -- lowercased, for lookups by recipient
    to_email_address TEXT NOT NULL,
    -- queued | sent | logged | failed
    status           TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    last_error       TEXT,
    -- a worker is sending it until then
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    doc              TEXT NOT NULL,
    UNIQUE (instance_id, id)
);
CREATE INDEX emails_newest ON emails (instance_id, seq);
CREATE INDEX emails_by_recipient ON emails (instance_id, to_email_address, seq);
CREATE INDEX emails_queued ON emails (instance_id, seq) WHERE status = 'queued';
