-- No query reads the log by inbox: streams read it by id (the primary key) and a
-- customer's by chat (events_conversation_idx). The index only cost every write an
-- entry.
DROP INDEX events_inbox_idx;
