-- Text messages (PostgreSQL): the phone codes handed to the SMS sender, kept so operators and tests
-- can read them back. The message is `doc` (JSON); `seq` orders the listing (newest first).

CREATE TABLE sms_messages (
    seq             BIGSERIAL PRIMARY KEY,
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    to_phone_number TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    doc             TEXT NOT NULL,
    UNIQUE (instance_id, id)
);
CREATE INDEX sms_messages_newest ON sms_messages (instance_id, seq);
CREATE INDEX sms_messages_by_recipient ON sms_messages (instance_id, to_phone_number, seq);
