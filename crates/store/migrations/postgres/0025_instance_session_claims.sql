-- The instance's session token template: custom claims rendered into every session token
-- (empty until first set). Versioned like branding, so nodes reload it when its version moves.
CREATE TABLE instance_session_claims (
    instance_id TEXT PRIMARY KEY REFERENCES instances(id),
    version     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
