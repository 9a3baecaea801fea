-- The inbox list: keyset pagination over indexed columns, and full-text search.
-- activity_at is the latest public message, or the start: the default sort key.
ALTER TABLE conversations ADD COLUMN activity_at INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET activity_at = COALESCE(last_message_at, created_at);
CREATE INDEX conversations_activity_key_idx ON conversations (activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_activity_key_idx ON conversations (inbox_id, activity_at DESC, id DESC);
CREATE INDEX conversations_created_key_idx ON conversations (created_at DESC, id DESC);
CREATE INDEX conversations_status_activity_idx ON conversations (status, activity_at DESC, id DESC);
CREATE INDEX customers_name_idx ON customers (name);

-- Message text, indexed by FTS5 as an external-content table kept in step by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (rowid, body) SELECT id, body FROM messages;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO messages_fts (rowid, body) VALUES (new.id, new.body);
END;

-- When the visitor's widget last held a live stream ("Customer: is online").
ALTER TABLE conversations ADD COLUMN visitor_seen_at BIGINT;
