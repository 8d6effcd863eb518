-- The application name, logo URL and primary colour end users see (empty until first set).
-- Versioned like the other documents, so two operators changing it at once never lose a field.
CREATE TABLE instance_branding (
    instance_id TEXT PRIMARY KEY REFERENCES instances(id),
    version     INTEGER NOT NULL,
    doc         TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);
