-- The users' search (a case-insensitive substring of ids, names and identifiers) through a
-- trigram index: `pg_trgm` and a GIN index on `users.search`, which the planner uses for
-- `search LIKE '%…%'` when the pattern has a trigram (three characters or more) that narrows
-- it. pg_trgm is a trusted extension (PostgreSQL 13 and later): a database owner may create it.
-- A role that cannot (or a server without the contrib modules) keeps the scan, with a notice;
-- the answers are the same either way, and the index can be added later by a role that can.
DO $$
DECLARE
    trgm_schema TEXT;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'usher: pg_trgm is not available (%): the users'' search scans', SQLERRM;
    END;
    SELECT n.nspname INTO trgm_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS users_search_trigrams ON users USING gin (search %I.gin_trgm_ops)',
            trgm_schema);
    END IF;
END $$;
