-- Actor tokens: impersonation tickets, kept by their ticket's digest like sign-in tokens.
CREATE TABLE actor_tokens (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       BIGINT NOT NULL,
    ticket_digest TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    doc           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    UNIQUE (instance_id, ticket_digest)
);
