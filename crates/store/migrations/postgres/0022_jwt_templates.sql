-- An instance's JWT templates. A template's own signing key is sealed (AES-256-GCM) under the
-- instance secret `jwt_template_keys`, kept in `instance_secrets`, never here.
CREATE TABLE jwt_templates (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL REFERENCES instances(id),
    version            BIGINT NOT NULL,
    name               TEXT NOT NULL,
    claims             TEXT NOT NULL,
    lifetime           BIGINT NOT NULL,
    allowed_clock_skew BIGINT NOT NULL,
    signing_algorithm  TEXT,
    sealed_key         BYTEA,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (instance_id, name)
);
