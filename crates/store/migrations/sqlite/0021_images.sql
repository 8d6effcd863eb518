-- Uploaded images (organization logos, user profile images), served by Usher itself. A row is
-- never changed: a new upload is a new id, so a served image can be cached for good.
CREATE TABLE images (
    instance_id  TEXT NOT NULL REFERENCES instances(id),
    id           TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    size         INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (instance_id, id)
);
