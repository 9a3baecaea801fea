-- The list's "online now" filter: the few chats whose visitor has the widget open, so
-- the filter reads them instead of every chat (30 ms at 200k chats, finding none).
CREATE INDEX conversations_online_idx ON conversations (visitor_seen_at) WHERE visitor_online = 1;
