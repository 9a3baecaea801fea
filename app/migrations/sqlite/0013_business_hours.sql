-- Business hours: the inbox's schedule as JSON ({timezone, week, holidays}), NULL for
-- always open.
ALTER TABLE inboxes ADD COLUMN hours TEXT;
