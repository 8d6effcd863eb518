-- API keys. The record lives in `doc` (JSON); the columns are what is looked up, filtered or
-- written apart from it. `digest` is the secret's HMAC under an instance key and `sealed` the
-- secret under another (AES-256-GCM); both keys are in `instance_secrets`, never here.
-- `last_used_at` is written in batches by verification, outside the record's version.
CREATE TABLE api_keys (
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    id           TEXT NOT NULL,
    version      BIGINT NOT NULL,
    subject      TEXT NOT NULL,
    name         TEXT NOT NULL,
    revoked      BOOLEAN NOT NULL,
    expiration   BIGINT,
    digest       TEXT NOT NULL,
    sealed       TEXT NOT NULL,
    last_used_at BIGINT,
    doc          TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX api_keys_by_digest ON api_keys (instance_id, digest);
CREATE INDEX api_keys_by_subject ON api_keys (instance_id, subject, created_at, id);
