-- The users' search (a case-insensitive substring of ids, names and identifiers) through a
-- trigram index: an FTS5 table with the `trigram` tokenizer over `users.search` (external
-- content: it keeps only the index, keyed by the users' rowid), kept in step by the triggers
-- below and filled here with the users already stored. A query of three characters or more
-- reads its candidates from it; `search LIKE` is still checked on each, so the answer is the
-- scan's. Shorter queries scan.
CREATE VIRTUAL TABLE users_search USING fts5(search, content = 'users', tokenize = 'trigram');
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF search ON users
WHEN old.search IS NOT new.search BEGIN
    INSERT INTO users_search (users_search, rowid, search) VALUES ('delete', old.rowid, old.search);
    INSERT INTO users_search (rowid, search) VALUES (new.rowid, new.search);
END;
