-- The session's active organization as a column, so that minting a token reads the session, its
-- user and the active membership (role, organization slug, role permissions) in one query.
ALTER TABLE sessions ADD COLUMN last_active_organization_id TEXT;
UPDATE sessions SET last_active_organization_id = json_extract(doc, '$.last_active_organization_id');
