-- "Seen": the newest message the customer has had on screen, and the newest customer
-- message an agent of the chat has read. Each side sees the other's mark.
ALTER TABLE conversations ADD COLUMN customer_seen_message_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN agent_seen_message_id BIGINT NOT NULL DEFAULT 0;
