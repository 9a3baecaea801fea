-- Live conversations. A visitor's token (a random secret the widget keeps in its own
-- storage) is bound to exactly one conversation; only its SHA-256 is stored.
ALTER TABLE conversations ADD COLUMN visitor_token_hash TEXT;
CREATE UNIQUE INDEX conversations_visitor_token_hash_key ON conversations (visitor_token_hash);
ALTER TABLE conversations ADD COLUMN last_message_preview TEXT;

-- The display name at the time of writing, so a message never needs a join to show.
ALTER TABLE messages ADD COLUMN author_name TEXT;

-- Who may receive an event: 'all' (agents of the inbox and the visitor) or 'agents'.
ALTER TABLE events ADD COLUMN audience TEXT NOT NULL DEFAULT 'all';
CREATE INDEX events_inbox_idx ON events (inbox_id, id);

-- Server-wide settings shared by every instance, such as the key that signs
-- short-lived stream tokens.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- When an agent's console last held a live stream: the widget says the team is
-- offline when no agent of the inbox has been seen recently.
ALTER TABLE agents ADD COLUMN last_seen_at INTEGER;
