-- Substring search over the customer's name and email and the chat's page and subject
-- without reading every chat: trigram indexes (case folded) over those columns. The
-- list still checks each candidate with its LIKE conditions, so the indexes only
-- choose where to look. A rare word at 10M messages read all 200k chats' customers
-- (LIKE '%word%' on four columns) before this.
CREATE VIRTUAL TABLE customers_trgm USING fts5(
    name, email, content = 'customers', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO customers_trgm (customers_trgm) VALUES ('rebuild');
CREATE TRIGGER customers_trgm_insert AFTER INSERT ON customers BEGIN
    INSERT INTO customers_trgm (rowid, name, email) VALUES (new.id, new.name, new.email);
END;
CREATE TRIGGER customers_trgm_delete AFTER DELETE ON customers BEGIN
    INSERT INTO customers_trgm (customers_trgm, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
END;
CREATE TRIGGER customers_trgm_update AFTER UPDATE OF name, email ON customers BEGIN
    INSERT INTO customers_trgm (customers_trgm, rowid, name, email) VALUES ('delete', old.id, old.name, old.email);
    INSERT INTO customers_trgm (rowid, name, email) VALUES (new.id, new.name, new.email);
END;

CREATE VIRTUAL TABLE conversations_trgm USING fts5(
    context_label, subject, content = 'conversations', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO conversations_trgm (conversations_trgm) VALUES ('rebuild');
CREATE TRIGGER conversations_trgm_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_trgm (rowid, context_label, subject) VALUES (new.id, new.context_label, new.subject);
END;
CREATE TRIGGER conversations_trgm_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_trgm (conversations_trgm, rowid, context_label, subject)
        VALUES ('delete', old.id, old.context_label, old.subject);
END;
CREATE TRIGGER conversations_trgm_update AFTER UPDATE OF context_label, subject ON conversations BEGIN
    INSERT INTO conversations_trgm (conversations_trgm, rowid, context_label, subject)
        VALUES ('delete', old.id, old.context_label, old.subject);
    INSERT INTO conversations_trgm (rowid, context_label, subject) VALUES (new.id, new.context_label, new.subject);
END;

-- The search's exact match on the customer's external id.
CREATE INDEX customers_external_id_idx ON customers (external_id);
