-- The operators' dashboard lists Usher's own security events (`usher.security.*`) newest first.
CREATE INDEX events_by_type ON events (instance_id, type, seq);
