-- Canned responses: a short code, a title and a body with {{variables}}. Scope
-- 'personal' belongs to one agent (owner_id), 'inbox' to one inbox (inbox_id, kept
-- by its supervisors), 'global' to everyone (kept by admins).
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL CHECK (scope IN ('personal', 'inbox', 'global')),
    owner_id    INTEGER REFERENCES agents (id) ON DELETE CASCADE,
    inbox_id    INTEGER REFERENCES inboxes (id) ON DELETE CASCADE,
    shortcode   TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    usage_count INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK ((scope = 'personal') = (owner_id IS NOT NULL)),
    CHECK ((scope = 'inbox') = (inbox_id IS NOT NULL))
);
CREATE INDEX canned_responses_owner ON canned_responses (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX canned_responses_inbox ON canned_responses (inbox_id) WHERE inbox_id IS NOT NULL;
