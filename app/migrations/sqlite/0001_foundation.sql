-- Foundation schema. Times are integer milliseconds since the Unix epoch, written by
-- the application's injected clock (never now() in SQL), so tests can fix time.

CREATE TABLE agents (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'operator')),
    password_hash  TEXT NOT NULL,
    availability   TEXT NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'away', 'offline')),
    created_at     INTEGER NOT NULL,
    deactivated_at INTEGER,
    CONSTRAINT agents_email_key UNIQUE (email)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_agent_idx ON sessions (agent_id);

CREATE TABLE inboxes (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    public_key           TEXT NOT NULL,
    secret               TEXT NOT NULL,
    prechat_form         INTEGER NOT NULL DEFAULT 0,
    retention_days       INTEGER DEFAULT 90 CHECK (retention_days IS NULL OR retention_days > 0),
    context_url_template TEXT,
    created_at           INTEGER NOT NULL,
    CONSTRAINT inboxes_name_key UNIQUE (name),
    CONSTRAINT inboxes_public_key_key UNIQUE (public_key)
);

CREATE TABLE inbox_members (
    inbox_id INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('operator', 'supervisor')),
    PRIMARY KEY (inbox_id, agent_id)
);
CREATE INDEX inbox_members_agent_idx ON inbox_members (agent_id);

-- A verified customer (identity signed with the inbox secret) is unique by external
-- id; self-declared identities are kept apart and never merge into a verified one.
CREATE TABLE customers (
    id            INTEGER PRIMARY KEY,
    external_id   TEXT,
    verified      INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    name          TEXT,
    email         TEXT,
    phone         TEXT,
    role          TEXT,
    attributes    TEXT NOT NULL DEFAULT '{}',
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_verified_external_id_key ON customers (external_id) WHERE verified = 1;

CREATE TABLE conversations (
    id                        INTEGER PRIMARY KEY,
    inbox_id                  INTEGER NOT NULL REFERENCES inboxes (id),
    customer_id               INTEGER NOT NULL REFERENCES customers (id),
    subject                   TEXT,
    context_type              TEXT,
    context_id                TEXT,
    context_label             TEXT,
    context_url               TEXT,
    channel                   TEXT NOT NULL DEFAULT 'web',
    status                    TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'open', 'closed')),
    close_reason              TEXT CHECK (close_reason IN ('closed', 'solved', 'cancelled')),
    assignee_id               INTEGER REFERENCES agents (id),
    created_at                INTEGER NOT NULL,
    last_message_at           INTEGER,
    last_customer_message_at  INTEGER,
    last_agent_message_at     INTEGER,
    last_agent_id             INTEGER REFERENCES agents (id)
);
CREATE INDEX conversations_inbox_activity_idx ON conversations (inbox_id, last_message_at DESC, id DESC);
CREATE INDEX conversations_assignee_idx ON conversations (assignee_id, status);
CREATE INDEX conversations_customer_idx ON conversations (customer_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_kind     TEXT NOT NULL CHECK (author_kind IN ('customer', 'agent', 'system')),
    author_id       INTEGER,
    body            TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    visibility      TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal', 'off_record')),
    created_at      INTEGER NOT NULL,
    CONSTRAINT messages_conversation_id_client_id_key UNIQUE (conversation_id, client_id)
);
CREATE INDEX messages_conversation_idx ON messages (conversation_id, id);

-- Files are stored on disk under a generated key, never under the client's name.
CREATE TABLE attachments (
    id              TEXT PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    storage_key     TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX attachments_message_idx ON attachments (message_id);

CREATE TABLE read_markers (
    conversation_id      INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    agent_id             INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    last_read_message_id INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
);

-- Append-only; AUTOINCREMENT so an id is never reused, even after a purge.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    inbox_id        INTEGER,
    conversation_id INTEGER,
    payload         TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX events_conversation_idx ON events (conversation_id);

-- Who did what, without content.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
