-- An organization's email domains. The record lives in `doc` (JSON); the columns are what is
-- filtered or constrained on. A domain name is listed once per organization, and verified for one
-- organization of the instance at most (the partial unique index decides between racing requests).
CREATE TABLE organization_domains (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    organization_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    enrollment_mode TEXT NOT NULL,
    verified        BOOLEAN NOT NULL,
    doc             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    CONSTRAINT organization_domains_name_unique UNIQUE (instance_id, organization_id, name)
);
CREATE UNIQUE INDEX organization_domains_verified_name ON organization_domains (instance_id, name) WHERE verified;
CREATE INDEX organization_domains_by_created ON organization_domains (instance_id, created_at, id);
