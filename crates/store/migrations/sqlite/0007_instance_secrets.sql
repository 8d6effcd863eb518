-- Server-side secrets of an instance that every node must share and that outlive restarts
-- (e.g. the key that derives enumeration protection's decoy ids). Never exported.
CREATE TABLE instance_secrets (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    name        TEXT NOT NULL,
    secret      BLOB NOT NULL,
    PRIMARY KEY (instance_id, name)
);
