-- Social and enterprise sign-in. The records live in `doc` (JSON); the columns are what is
-- looked up or constrained on.
--
-- A configured provider (`google`, `custom_acme`, …); its client secret is sealed in the
-- document (AES-256-GCM under an instance key kept in `instance_secrets`).
CREATE TABLE oauth_providers (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    provider    TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX oauth_providers_by_provider ON oauth_providers (instance_id, provider);

-- A flow under way: keyed by the SHA-256 of its `state` (never the state itself), taken
-- (deleted) by the callback, so a state works once.
CREATE TABLE oauth_states (
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    state_digest TEXT NOT NULL,
    doc          TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (instance_id, state_digest)
);
CREATE INDEX oauth_states_by_expiry ON oauth_states (instance_id, expires_at);

-- An external account's look-up row and the provider's tokens (sealed, in `doc`); what the
-- user JSON shows is in the user's document.
CREATE TABLE external_accounts (
    instance_id      TEXT NOT NULL REFERENCES instances(id),
    id               TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    provider         TEXT NOT NULL,
    provider_user_id TEXT NOT NULL,
    doc              TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX external_accounts_by_subject
    ON external_accounts (instance_id, provider, provider_user_id);
CREATE INDEX external_accounts_by_user ON external_accounts (instance_id, user_id, created_at, id);
