-- Invitations to sign up to the instance (Clerk's /v1/invitations). The record lives in `doc`
-- (JSON); the columns are what is filtered, ordered or looked up on. A pending invitation past
-- `expires_at` reads as expired without a write. Several pending invitations to one address may
-- exist (Clerk's `ignore_existing`), so no unique index holds one per address. The ticket is
-- kept only as its SHA-256, indexed so that a ticket presented to sign-up finds its invitation.
CREATE TABLE invitations (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       BIGINT NOT NULL,
    email_address TEXT NOT NULL,
    status        TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    ticket_digest TEXT NOT NULL,
    doc           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX invitations_by_email ON invitations (instance_id, email_address, created_at);
CREATE INDEX invitations_by_created ON invitations (instance_id, created_at);
CREATE INDEX invitations_by_ticket ON invitations (instance_id, ticket_digest);
-- The allowlist and blocklist of sign-up identifiers (Clerk's allow-list and block-list): one
-- table, the list a column; an identifier is on each list at most once.
CREATE TABLE identifier_lists (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    list            TEXT NOT NULL,
    identifier      TEXT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX identifier_lists_once ON identifier_lists (instance_id, list, identifier);
