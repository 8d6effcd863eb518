-- The instance's own email and SMS templates (Clerk's /v1/templates): one row per template it
-- changed (text or delivery), keyed by type and slug; the record lives in `doc` (JSON). A
-- template without a row is the built-in one.
CREATE TABLE message_templates (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    template_type TEXT NOT NULL,
    slug          TEXT NOT NULL,
    doc           TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, template_type, slug)
);
-- The instance's satellite domains (Clerk's /v1/domains; the primary domain is the Frontend
-- API's host and is not stored). A name is registered at most once.
CREATE TABLE satellite_domains (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX satellite_domains_once ON satellite_domains (instance_id, name);
