-- Files, service requests with their webhook, and retention.

-- A service request made from a chat. The transcript is a copy of the chat's public
-- lines at the time, so the request outlives the chat's retention unless the inbox
-- says otherwise.
CREATE TABLE requests (
    id              INTEGER PRIMARY KEY,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    priority        TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
    transcript      TEXT,
    created_by      INTEGER REFERENCES agents (id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX requests_created_idx ON requests (created_at DESC, id DESC);
CREATE INDEX requests_conversation_idx ON requests (conversation_id);

-- An optional outbound webhook per inbox for new requests. Private and loopback
-- targets are refused unless an admin allows them explicitly.
ALTER TABLE inboxes ADD COLUMN webhook_url TEXT;
ALTER TABLE inboxes ADD COLUMN webhook_secret TEXT;
ALTER TABLE inboxes ADD COLUMN webhook_allow_private INTEGER NOT NULL DEFAULT 0;
-- Whether retention also empties the transcripts of the chat's requests.
ALTER TABLE inboxes ADD COLUMN purge_request_transcripts INTEGER NOT NULL DEFAULT 0;

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    request_id      INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    url             TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_inbox_idx ON webhook_deliveries (inbox_id, id DESC);

-- A chat linked to a context (a test, an order…) is kept until the context is
-- completed (a test graded), then for the inbox's retention period.
CREATE TABLE context_completions (
    context_type TEXT NOT NULL,
    context_id   TEXT NOT NULL,
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (context_type, context_id)
);
CREATE INDEX conversations_context_idx ON conversations (context_type, context_id);

-- Tokens for machine calls such as completing a context; only the hash is stored.
CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_by INTEGER REFERENCES agents (id),
    created_at INTEGER NOT NULL,
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
