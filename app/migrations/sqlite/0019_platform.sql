-- The public API, webhooks for every change, and GDPR erasure.

-- API tokens act as an agent (their creator, or whom `switchboard token create`
-- names), within scopes (space-separated: read, write, admin), optionally within a
-- set of inboxes, at most `per_minute` calls a minute. Existing tokens were admin
-- tokens: they keep every scope.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read write admin';
ALTER TABLE api_tokens ADD COLUMN agent_id INTEGER REFERENCES agents (id) ON DELETE CASCADE;
ALTER TABLE api_tokens ADD COLUMN per_minute INTEGER NOT NULL DEFAULT 600;
ALTER TABLE api_tokens ADD COLUMN last_used_at INTEGER;
UPDATE api_tokens SET agent_id = created_by;
CREATE TABLE api_token_inboxes (
    token_id INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    inbox_id INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, inbox_id)
);

-- Webhook subscriptions: one inbox's changes or every inbox's, the event types wanted
-- (space-separated), a Standard Webhooks secret. Disabled after too many consecutive
-- failed deliveries.
CREATE TABLE webhook_subscriptions (
    id            INTEGER PRIMARY KEY,
    inbox_id      INTEGER REFERENCES inboxes (id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    secret        TEXT NOT NULL,
    events        TEXT NOT NULL,
    allow_private INTEGER NOT NULL DEFAULT 0,
    enabled       INTEGER NOT NULL DEFAULT 1,
    failures      INTEGER NOT NULL DEFAULT 0,
    disabled_at   INTEGER,
    -- Changes after this event id are delivered (those before it predate the
    -- subscription, or came while it was off).
    start_after   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

-- Each delivery, derived from the event log (`event_id`, once per subscription) or a
-- test event. `msg_id` is the same on every attempt, so receivers can drop repeats.
CREATE TABLE webhook_messages (
    id              INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        INTEGER,
    conversation_id INTEGER,
    msg_id          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    data            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    updated_at      INTEGER NOT NULL,
    CONSTRAINT webhook_messages_event_key UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_messages_due_idx ON webhook_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_messages_subscription_idx ON webhook_messages (subscription_id, id DESC);
CREATE INDEX webhook_messages_conversation_idx ON webhook_messages (conversation_id);

-- The request webhooks become subscriptions to `request.created`, with their secrets.
INSERT INTO webhook_subscriptions (inbox_id, url, secret, events, allow_private, created_at)
SELECT id, webhook_url, COALESCE(webhook_secret, lower(hex(randomblob(24)))), 'request.created', webhook_allow_private,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000
FROM inboxes WHERE webhook_url IS NOT NULL;
-- Deliveries still pending carry over, as the request they announce.
INSERT INTO webhook_messages (subscription_id, msg_id, kind, data, created_at, status, attempts, next_attempt_at, updated_at)
SELECT s.id, 'msg_legacy_' || d.id, 'request.created', COALESCE(json_extract(d.payload, '$.request'), '{}'), d.created_at,
       'pending', d.attempts, d.next_attempt_at, d.updated_at
FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.inbox_id = d.inbox_id
WHERE d.status = 'pending';
-- Where the log reader starts: changes from now on.
INSERT INTO settings (key, value) SELECT 'webhook_cursor', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM events;

-- An erased customer keeps their row (reports count their chats) but nothing else.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
