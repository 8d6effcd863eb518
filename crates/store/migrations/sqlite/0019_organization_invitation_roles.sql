-- An invitation's role as a column, so that deleting a custom role can see the pending
-- invitations that would grant it.
ALTER TABLE organization_invitations ADD COLUMN role TEXT NOT NULL DEFAULT '';
UPDATE organization_invitations SET role = COALESCE(json_extract(doc, '$.role'), '');
