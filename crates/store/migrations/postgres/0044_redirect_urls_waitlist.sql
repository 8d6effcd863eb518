-- The instance's registered redirect URLs (Clerk's /v1/redirect_urls): URLs beyond the allowed
-- origins the browser may be sent to, a native app's callback above all. A URL is registered
-- at most once.
CREATE TABLE redirect_urls (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    url         TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX redirect_urls_once ON redirect_urls (instance_id, url);
-- The waitlist (Clerk's /v1/waitlist_entries): one entry per lower-cased address. The record
-- lives in `doc` (JSON); the columns are what is filtered, ordered or looked up on
-- (`invited_at` is 0 until the entry is invited, so both backends order it alike).
CREATE TABLE waitlist_entries (
    instance_id   TEXT NOT NULL REFERENCES instances(id),
    id            TEXT NOT NULL,
    version       BIGINT NOT NULL,
    email_address TEXT NOT NULL,
    status        TEXT NOT NULL,
    invited_at    BIGINT NOT NULL,
    doc           TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX waitlist_entries_once ON waitlist_entries (instance_id, email_address);
CREATE INDEX waitlist_entries_by_created ON waitlist_entries (instance_id, created_at);
