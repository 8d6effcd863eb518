-- Role sets: named sets of roles an organization is tied to. The set lives in `doc`; its key is
-- unique per instance. An organization's set is a column too, so that replacing a set or a role
-- in it finds the organizations (and members) it concerns; NULL: no set (every role allowed).
CREATE TABLE organization_role_sets (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    key         TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (instance_id, key)
);

ALTER TABLE organizations ADD COLUMN role_set_key TEXT;
CREATE INDEX organizations_by_role_set ON organizations (instance_id, role_set_key);

-- Sign-in tokens: one-time tickets that sign a user in, kept by their ticket's digest.
CREATE TABLE sign_in_tokens (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       BIGINT NOT NULL,
    ticket_digest TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    doc           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, ticket_digest)
);
