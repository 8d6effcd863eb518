-- Text delivery through an SMS provider (PostgreSQL): the SMS worker's queue laid over
-- `sms_messages`. `delivery` is NULL for texts only announced by the `sms.created` webhook,
-- else `queued` (retries included), `sent` or `failed`; a claim holds a text until
-- `lease_until`, so workers on several nodes never send one twice.

ALTER TABLE sms_messages ADD COLUMN delivery TEXT;
ALTER TABLE sms_messages ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sms_messages ADD COLUMN last_error TEXT;
ALTER TABLE sms_messages ADD COLUMN provider_sid TEXT;
ALTER TABLE sms_messages ADD COLUMN updated_at BIGINT;
ALTER TABLE sms_messages ADD COLUMN lease_until BIGINT;
CREATE INDEX sms_messages_queued ON sms_messages (instance_id, delivery, seq);
