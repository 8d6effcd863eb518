-- Invitations to join an organization. The record lives in `doc` (JSON); the columns are what is
-- filtered, ordered or constrained on. At most one pending invitation per (organization, address):
-- the partial unique index holds it under concurrency. A pending invitation past `expires_at`
-- reads as expired without a write; inserting a new one for its address marks the old row expired.
CREATE TABLE organization_invitations (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         BIGINT NOT NULL,
    organization_id TEXT NOT NULL,
    email_address   TEXT NOT NULL,
    status          TEXT NOT NULL,
    expires_at      BIGINT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX organization_invitations_one_pending
    ON organization_invitations (instance_id, organization_id, email_address) WHERE status = 'pending';
CREATE INDEX organization_invitations_by_org ON organization_invitations (instance_id, organization_id, created_at);
CREATE INDEX organization_invitations_by_email ON organization_invitations (instance_id, email_address, created_at);
