-- Offer mode: automatic assignment offers a chat to one agent, who accepts within
-- offer_seconds; otherwise it is offered to the next. NULL: assign at once.
ALTER TABLE inboxes ADD COLUMN offer_seconds INTEGER CHECK (offer_seconds IS NULL OR offer_seconds BETWEEN 5 AND 300);
-- The chat's live offer (one at a time).
ALTER TABLE conversations ADD COLUMN offer_agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN offer_expires_at INTEGER;
CREATE INDEX conversations_offer_idx ON conversations (offer_expires_at) WHERE offer_agent_id IS NOT NULL;
-- Who let an offer lapse or declined it: the chat goes to someone else first.
CREATE TABLE offer_skips (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    agent_id        INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    at              INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
);
