-- The user's identifiers (kind and normalised value, sorted) as one string, so an update that
-- leaves them alone (most do: a sign-in, a name, metadata) is a single guarded UPDATE instead of
-- rewriting user_identifiers. NULL until the user is next written.
ALTER TABLE users ADD COLUMN identifiers_key TEXT;
