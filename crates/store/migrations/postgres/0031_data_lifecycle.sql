-- Data lifecycle (PostgreSQL). A deleted user's erasure: the purge the delete commits, completed by
-- the purge worker (claimed with an expiring lease, so each runs on one node at a time), which
-- scrubs event payloads up to `scan_end` (the newest event when it started) from `scan_seq` on.
-- `identifiers` (JSON: the addresses, numbers and username that find the user's traces) is
-- emptied once the purge is done; the row then keeps only ids and times.
CREATE TABLE pii_purges (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    user_id     TEXT NOT NULL,
    identifiers TEXT NOT NULL,
    deleted_at  BIGINT NOT NULL,
    scan_seq    BIGINT NOT NULL DEFAULT 0,
    scan_end    BIGINT,
    lease_until BIGINT,
    done_at     BIGINT,
    PRIMARY KEY (instance_id, user_id)
);
CREATE INDEX pii_purges_open ON pii_purges (instance_id, deleted_at) WHERE done_at IS NULL;

-- Retention finds the oldest rows of each kind by time.
CREATE INDEX emails_by_created ON emails (instance_id, created_at);
CREATE INDEX sms_messages_by_created ON sms_messages (instance_id, created_at);
CREATE INDEX audit_log_by_at ON audit_log (instance_id, at);
CREATE INDEX webhook_deliveries_by_updated ON webhook_deliveries (instance_id, updated_at);

-- The audit log stays append-only but for the data lifecycle: retention deletes entries past
-- their days, and a purge clears an entry's client address (nothing else may change).
DROP TRIGGER audit_log_is_append_only ON audit_log;
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.client_ip IS NOT NULL OR NEW.id IS DISTINCT FROM OLD.id
       OR NEW.instance_id IS DISTINCT FROM OLD.instance_id OR NEW.actor IS DISTINCT FROM OLD.actor
       OR NEW.action IS DISTINCT FROM OLD.action OR NEW.target_id IS DISTINCT FROM OLD.target_id
       OR NEW.trace_id IS DISTINCT FROM OLD.trace_id OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.seq IS DISTINCT FROM OLD.seq THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
