-- conversations_customer_created_idx (customer_id, created_at DESC, id DESC) begins with
-- the same column, so it serves every read by customer (a customer's history, an
-- erasure, the foreign key's cascade) that conversations_customer_idx served. On
-- PostgreSQL every message's update of a chat's activity is a new row version that
-- each index gets an entry for; this one now costs nothing.
DROP INDEX conversations_customer_idx;
