-- An instance's custom organization permissions (`org:<feature>:<action>`) and roles
-- (`org:<name>`). The system roles and `org:sys_*` permissions are built in, not stored.
CREATE TABLE organization_permissions (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (instance_id, key)
);

CREATE TABLE organization_roles (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES instances(id),
    key         TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (instance_id, key)
);

-- A role's permissions by key, so a custom role can hold system permissions too.
CREATE TABLE organization_role_permissions (
    role_id        TEXT NOT NULL REFERENCES organization_roles(id),
    permission_key TEXT NOT NULL,
    PRIMARY KEY (role_id, permission_key)
);
