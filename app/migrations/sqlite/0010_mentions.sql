-- @mentions in private notes: who was mentioned, in which note, and whether they have
-- opened the chat since.
CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    agent_id        INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    by_agent_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER
);
CREATE INDEX mentions_agent ON mentions (agent_id, id);
CREATE INDEX mentions_conversation ON mentions (conversation_id, agent_id);
