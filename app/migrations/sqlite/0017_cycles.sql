-- The figures reports read, kept in the write transactions instead of scanned from
-- messages per request. A cycle runs from a chat's start, or from its reopening, to
-- its solve or close: its first response is the first public reply of a person
-- (never a system line, a note or a whisper).
CREATE TABLE conversation_cycles (
    id                 INTEGER PRIMARY KEY,
    conversation_id    INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    started_at         INTEGER NOT NULL,
    -- 0: the chat's start; 1: a customer reopened it.
    reopened           INTEGER NOT NULL DEFAULT 0,
    first_response_at  INTEGER,
    first_responder_id INTEGER,
    resolved_at        INTEGER,
    close_reason       TEXT,
    -- The assignee when it was resolved.
    resolver_id        INTEGER
);
CREATE INDEX conversation_cycles_started_idx ON conversation_cycles (started_at, id);
CREATE INDEX conversation_cycles_conversation_idx ON conversation_cycles (conversation_id, id);

-- Existing chats get one cycle each, from their start (earlier reopenings are not
-- known); a closed chat counts as resolved at its last activity.
INSERT INTO conversation_cycles (conversation_id, started_at, first_response_at, first_responder_id, resolved_at, close_reason, resolver_id)
SELECT c.id, c.created_at,
    (SELECT MIN(m.created_at) FROM messages m
     WHERE m.conversation_id = c.id AND m.author_kind = 'agent' AND m.visibility = 'public' AND m.whisper = 0),
    (SELECT m.author_id FROM messages m
     WHERE m.conversation_id = c.id AND m.author_kind = 'agent' AND m.visibility = 'public' AND m.whisper = 0
     ORDER BY m.id LIMIT 1),
    CASE WHEN c.status = 'closed' THEN COALESCE(c.activity_at, c.last_message_at, c.created_at) END,
    CASE WHEN c.status = 'closed' THEN c.close_reason END,
    CASE WHEN c.status = 'closed' THEN c.assignee_id END
FROM conversations c;
