-- The inbox list: keyset pagination over indexed columns, and full-text search.
-- activity_at is the latest public message, or the start: the default sort key.
ALTER TABLE conversations ADD COLUMN activity_at BIGINT NOT NULL DEFAULT 0;
UPDATE conversations SET activity_at = COALESCE(last_message_at, created_at);
CREATE INDEX conversations_activity_key_idx ON conversations (activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_activity_key_idx ON conversations (inbox_id, activity_at DESC, id DESC);
CREATE INDEX conversations_created_key_idx ON conversations (created_at DESC, id DESC);
CREATE INDEX conversations_status_activity_idx ON conversations (status, activity_at DESC, id DESC);
CREATE INDEX customers_name_idx ON customers (name);

-- Message text as a stored tsvector ('simple': no stemming, like SQLite's unicode61),
-- indexed with GIN.
ALTER TABLE messages ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED;
CREATE INDEX messages_body_tsv_idx ON messages USING GIN (body_tsv);

-- When the visitor's widget last held a live stream ("Customer: is online").
ALTER TABLE conversations ADD COLUMN visitor_seen_at BIGINT;
