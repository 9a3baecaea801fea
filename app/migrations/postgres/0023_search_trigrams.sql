-- The search's exact match on the customer's external id (SQLite's 0023 also adds
-- trigram indexes for the substring search; PostgreSQL's search is unchanged).
CREATE INDEX customers_external_id_idx ON customers (external_id);
