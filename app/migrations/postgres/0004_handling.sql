-- Conversation handling: presence, the close-reason filter, who to show as online.

-- What the console last announced for an agent: their chosen availability while one
-- of their tabs is connected, 'offline' once every tab has been gone for the grace
-- period. agents.availability keeps the agent's own choice.
ALTER TABLE agents ADD COLUMN presence TEXT NOT NULL DEFAULT 'offline'
    CHECK (presence IN ('online', 'away', 'offline'));

-- Whether the visitor's widget holds a stream right now (announced live).
ALTER TABLE conversations ADD COLUMN visitor_online BIGINT NOT NULL DEFAULT 0;

-- "Solved" and "Cancelled" are list filters.
CREATE INDEX conversations_close_reason_idx ON conversations (close_reason, activity_at DESC, id DESC);

-- A customer's earlier chats, newest first.
CREATE INDEX conversations_customer_created_idx ON conversations (customer_id, created_at DESC, id DESC);
