-- The conversation list's sort by customer name walks this index instead of sorting
-- every visible chat by the lower-cased name (the expression matches the list's key).
CREATE INDEX customers_name_key_idx ON customers (COALESCE(lower(name), ''));
