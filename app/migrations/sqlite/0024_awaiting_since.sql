-- When the customer's oldest unanswered public line was written: set by the first
-- customer line after an agent's public reply, cleared by the next such reply or a close. The
-- next-response target counts from it (it counted from the latest customer line, so
-- a customer who wrote again pushed their own deadline back).
ALTER TABLE conversations ADD COLUMN awaiting_since INTEGER;
UPDATE conversations SET awaiting_since = (
    SELECT MIN(m.created_at) FROM messages m
    WHERE m.conversation_id = conversations.id AND m.author_kind = 'customer' AND m.visibility = 'public'
      AND m.created_at > COALESCE(conversations.last_agent_message_at, -1)
)
WHERE status <> 'closed' AND last_customer_message_at IS NOT NULL
  AND (last_agent_message_at IS NULL OR last_customer_message_at > last_agent_message_at);
