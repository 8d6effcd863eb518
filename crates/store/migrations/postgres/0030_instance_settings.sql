-- The instance's policy settings an operator set (session lifetimes, lockout, password policy,
-- organizations): only the keys set, so the others follow Usher's defaults. Versioned like the
-- branding, so every node reloads them when the version moves. A node's `serve` flags override
-- them for that node only and are never written here.
CREATE TABLE instance_settings (
    instance_id TEXT PRIMARY KEY REFERENCES instances(id),
    version     BIGINT NOT NULL,
    doc         TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);
