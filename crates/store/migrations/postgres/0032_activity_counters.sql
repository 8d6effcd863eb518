-- Hourly activity counters (sign-ins, failed sign-ins, sign-ups, token refreshes): each node
-- counts in memory and adds its counts to the hour's row in batches. `hour` is the hour's
-- start in milliseconds since the epoch.
CREATE TABLE activity_counters (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    hour        BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    count       BIGINT NOT NULL,
    PRIMARY KEY (instance_id, hour, kind)
);

-- The incident report reads the audit log and the outbox by time.
CREATE INDEX audit_log_by_time ON audit_log (instance_id, at);
CREATE INDEX events_by_time ON events (instance_id, created_at);
