-- The digest of an invitation's ticket as a column, so that a ticket presented to sign-up or
-- sign-in finds its invitation through an index (the ticket itself is never stored).
ALTER TABLE organization_invitations ADD COLUMN ticket_digest TEXT NOT NULL DEFAULT '';
UPDATE organization_invitations SET ticket_digest = COALESCE((doc::jsonb) ->> 'ticket_digest', '');
CREATE INDEX organization_invitations_by_ticket ON organization_invitations (instance_id, ticket_digest);
