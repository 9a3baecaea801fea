-- Customer satisfaction: one rating per chat, on the chat itself, asked for when the
-- chat is solved ('solved'), also when closed ('closed'), or never ('off').
ALTER TABLE inboxes ADD COLUMN csat TEXT NOT NULL DEFAULT 'solved' CHECK (csat IN ('off', 'solved', 'closed'));
ALTER TABLE conversations ADD COLUMN csat_score BIGINT CHECK (csat_score IS NULL OR csat_score BETWEEN 1 AND 5);
ALTER TABLE conversations ADD COLUMN csat_comment TEXT;
-- When the customer first rated (the 7 days to change it count from here), and last.
ALTER TABLE conversations ADD COLUMN csat_at BIGINT;
ALTER TABLE conversations ADD COLUMN csat_updated_at BIGINT;
CREATE INDEX conversations_csat_idx ON conversations (inbox_id, csat_at) WHERE csat_score IS NOT NULL;
