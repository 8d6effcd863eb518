-- Organizations and their memberships. The full records live in `doc` (JSON); the columns are what
-- is filtered, ordered or constrained on. The organization's row counts its members and admins:
-- adding a member increments the count in the adding transaction, guarded by the limit, so that
-- concurrent additions on any number of nodes never exceed `max_allowed_memberships` (0: none);
-- removing or demoting an admin decrements the admin count only while another admin remains.
CREATE TABLE organizations (
    instance_id             TEXT NOT NULL REFERENCES instances(id),
    id                      TEXT NOT NULL,
    version                 INTEGER NOT NULL,
    doc                     TEXT NOT NULL,
    name                    TEXT NOT NULL,
    slug                    TEXT NOT NULL,
    -- Lower-cased name and slug, for the list's partial match.
    search                  TEXT NOT NULL,
    max_allowed_memberships INTEGER NOT NULL,
    members_count           INTEGER NOT NULL DEFAULT 0,
    admins_count            INTEGER NOT NULL DEFAULT 0,
    created_at              INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    CONSTRAINT organizations_slug_unique UNIQUE (instance_id, slug)
);
CREATE INDEX organizations_by_created ON organizations (instance_id, created_at, id);

CREATE TABLE organization_memberships (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    role            TEXT NOT NULL,
    is_admin        INTEGER NOT NULL,
    doc             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id),
    CONSTRAINT organization_memberships_member_unique UNIQUE (instance_id, organization_id, user_id)
);
CREATE INDEX organization_memberships_by_user ON organization_memberships (instance_id, user_id, created_at);
CREATE INDEX organization_memberships_by_org ON organization_memberships (instance_id, organization_id, created_at);
