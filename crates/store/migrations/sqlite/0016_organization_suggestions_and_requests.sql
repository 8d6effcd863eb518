-- What a verified domain in automatic_suggestion mode suggests to a user, and the requests to
-- join an organization that accepting a suggestion makes. Records live in `doc` (JSON); the
-- columns are what is filtered, ordered or constrained on. A user has at most one pending
-- suggestion and one pending request per organization: the partial unique indexes hold that
-- under concurrency.
CREATE TABLE organization_suggestions (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    email_domain    TEXT NOT NULL,
    status          TEXT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX organization_suggestions_one_pending
    ON organization_suggestions (instance_id, organization_id, user_id) WHERE status = 'pending';
CREATE INDEX organization_suggestions_by_user ON organization_suggestions (instance_id, user_id, created_at);
CREATE INDEX organization_suggestions_by_domain ON organization_suggestions (instance_id, organization_id, email_domain, status);

CREATE TABLE organization_membership_requests (
    instance_id     TEXT NOT NULL REFERENCES instances(id),
    id              TEXT NOT NULL,
    version         INTEGER NOT NULL,
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    status          TEXT NOT NULL,
    doc             TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX organization_membership_requests_one_pending
    ON organization_membership_requests (instance_id, organization_id, user_id) WHERE status = 'pending';
CREATE INDEX organization_membership_requests_by_org ON organization_membership_requests (instance_id, organization_id, created_at);
CREATE INDEX organization_membership_requests_by_user ON organization_membership_requests (instance_id, user_id);
