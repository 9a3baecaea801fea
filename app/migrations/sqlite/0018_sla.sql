-- SLA policies per inbox: targets (milliseconds) for the first response, the next
-- response after each customer message, and resolution; NULL means no target. In
-- business hours (the inbox's schedule) or wall-clock time.
ALTER TABLE inboxes ADD COLUMN sla_first_response_ms INTEGER;
ALTER TABLE inboxes ADD COLUMN sla_next_response_ms INTEGER;
ALTER TABLE inboxes ADD COLUMN sla_resolution_ms INTEGER;
ALTER TABLE inboxes ADD COLUMN sla_business_hours INTEGER NOT NULL DEFAULT 0;
-- Each chat's pending target: which one, when it is due, when 80% of it has passed,
-- and whether the alert and the breach were sent. Kept in the write transactions.
ALTER TABLE conversations ADD COLUMN sla_target TEXT;
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER;
ALTER TABLE conversations ADD COLUMN sla_warn_at INTEGER;
ALTER TABLE conversations ADD COLUMN sla_warned_at INTEGER;
ALTER TABLE conversations ADD COLUMN sla_breached_at INTEGER;
CREATE INDEX conversations_sla_due_idx ON conversations (sla_due_at) WHERE sla_due_at IS NOT NULL;
-- Whether each cycle met its targets, for reports: NULL while undecided or untargeted.
ALTER TABLE conversation_cycles ADD COLUMN first_response_met INTEGER;
ALTER TABLE conversation_cycles ADD COLUMN resolution_met INTEGER;
ALTER TABLE conversation_cycles ADD COLUMN next_responses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_cycles ADD COLUMN next_responses_met INTEGER NOT NULL DEFAULT 0;
