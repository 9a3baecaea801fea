-- @mentions in private notes: who was mentioned, in which note, and whether they have
-- opened the chat since.
CREATE TABLE mentions (
    id              BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    agent_id        BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    by_agent_id     BIGINT REFERENCES agents (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    read_at         BIGINT
);
CREATE INDEX mentions_agent ON mentions (agent_id, id);
CREATE INDEX mentions_conversation ON mentions (conversation_id, agent_id);
