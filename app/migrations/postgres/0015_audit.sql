-- The audit log says who acted (an agent or an API token) and from which address,
-- is filtered by actor, action and target, and is append-only: no statement may
-- change an entry. Only the log's own retention deletes (entries past the kept days).
ALTER TABLE audit_log ADD COLUMN token_id BIGINT;
ALTER TABLE audit_log ADD COLUMN address TEXT;
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
