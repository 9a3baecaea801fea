-- No query orders or filters by last_message_at since the list moved to activity_at
-- (conversations_inbox_activity_key_idx serves an inbox's chats): the index only cost
-- every send an entry moved.
DROP INDEX conversations_inbox_activity_idx;
