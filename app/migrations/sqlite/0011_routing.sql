-- Routing: automatic assignment with capacity, what happens to an agent's chats when
-- they go offline, and the wait estimate the widget shows.

-- 'manual': chats wait for Accept. 'auto': each waiting chat goes to the eligible
-- agent with the fewest open chats (then the longest since their last assignment).
ALTER TABLE inboxes ADD COLUMN assignment TEXT NOT NULL DEFAULT 'manual' CHECK (assignment IN ('manual', 'auto'));
-- Open chats per agent (an agent's own capacity overrides it).
ALTER TABLE inboxes ADD COLUMN capacity INTEGER NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 50);
-- An agent who goes offline: their open chats here are 'kept' or 'returned' to the queue.
ALTER TABLE inboxes ADD COLUMN offline_chats TEXT NOT NULL DEFAULT 'keep' CHECK (offline_chats IN ('keep', 'return'));
-- The moving average of recent waits (A = 0.9 A' + 0.1 W), NULL before the first.
ALTER TABLE inboxes ADD COLUMN wait_avg_ms INTEGER;

ALTER TABLE agents ADD COLUMN capacity INTEGER CHECK (capacity IS NULL OR capacity BETWEEN 1 AND 50);
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;

-- When the chat last started waiting for an agent (created, reopened, returned, moved):
-- the queue's order and the wait the average learns from.
ALTER TABLE conversations ADD COLUMN queued_at INTEGER;
UPDATE conversations SET queued_at = created_at;
CREATE INDEX conversations_queue_idx ON conversations (inbox_id, queued_at, id) WHERE status = 'new' AND assignee_id IS NULL;
