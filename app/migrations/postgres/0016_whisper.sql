-- A supervisor's whisper: stored as an internal line flagged `whisper`, so any query
-- that forgets the flag still treats it as private. Only the chat's assignee and the
-- inbox's supervisors read it; no export, transcript, webhook or search has it.
ALTER TABLE messages ADD COLUMN whisper BIGINT NOT NULL DEFAULT 0 CHECK (whisper IN (0, 1));
