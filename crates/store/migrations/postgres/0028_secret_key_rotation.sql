-- Several named secret keys per instance, each accepted until it expires (none: never), so a
-- rotated key keeps working for an overlap. The key the instance has is named "default"; any
-- further key an instance already had is named by its id.
ALTER TABLE secret_keys ADD COLUMN name TEXT NOT NULL DEFAULT 'default';
ALTER TABLE secret_keys ADD COLUMN expires_at BIGINT;
UPDATE secret_keys SET name = id
 WHERE EXISTS (SELECT 1 FROM secret_keys o
                WHERE o.instance_id = secret_keys.instance_id
                  AND (o.created_at < secret_keys.created_at
                       OR (o.created_at = secret_keys.created_at AND o.id < secret_keys.id)));
CREATE UNIQUE INDEX secret_keys_by_name ON secret_keys (instance_id, name);
