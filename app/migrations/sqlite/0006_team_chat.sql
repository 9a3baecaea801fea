-- Team chat: sessions between agents, with invitations, a chat timer and
-- off-the-record lines visible to their two parties alone.
CREATE TABLE team_sessions (
    id                  INTEGER PRIMARY KEY,
    originator_id       INTEGER NOT NULL REFERENCES agents (id),
    topic               TEXT NOT NULL,
    conversation_id     INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    request_id          INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    -- The chat time: what has accrued, plus (while running) the time since.
    timer_accrued_ms    INTEGER NOT NULL DEFAULT 0,
    timer_running_since INTEGER,
    created_at          INTEGER NOT NULL,
    ended_at            INTEGER
);

CREATE TABLE team_participants (
    session_id INTEGER NOT NULL REFERENCES team_sessions (id) ON DELETE CASCADE,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state IN ('invited', 'joined', 'declined', 'expired', 'left')),
    invited_by INTEGER REFERENCES agents (id),
    invited_at INTEGER NOT NULL,
    joined_at  INTEGER,
    PRIMARY KEY (session_id, agent_id)
);
CREATE INDEX team_participants_agent_idx ON team_participants (agent_id, session_id);
CREATE INDEX team_participants_state_idx ON team_participants (state, invited_at);

CREATE TABLE team_messages (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES team_sessions (id) ON DELETE CASCADE,
    author_id     INTEGER REFERENCES agents (id),
    author_name   TEXT,
    kind          TEXT NOT NULL CHECK (kind IN ('message', 'system')),
    body          TEXT NOT NULL,
    -- Off the record: seen by the author and this participant only.
    off_record_to INTEGER REFERENCES agents (id),
    client_id     TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX team_messages_session_idx ON team_messages (session_id, id);

-- What an ended session leaves on the conversation or request it started from.
CREATE TABLE team_transcripts (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES team_sessions (id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
    request_id      INTEGER REFERENCES requests (id) ON DELETE CASCADE,
    topic           TEXT NOT NULL,
    chat_time_ms    INTEGER NOT NULL,
    transcript      TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX team_transcripts_conversation_idx ON team_transcripts (conversation_id);
CREATE INDEX team_transcripts_request_idx ON team_transcripts (request_id);
