-- Outgoing mail: written in the transaction of the change that causes it,
-- together with the job that delivers it (one `mail.send.v1` job per row).
-- Times are UTC microseconds since the Unix epoch. Bodies may hold
-- single-use links, so they are never logged.
CREATE TABLE mail_outbox (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT    NOT NULL,
    to_address TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    text_body  TEXT    NOT NULL,
    html_body  TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT  NOT NULL,
    sent_at    BIGINT
);

-- The development mailbox lists the newest mail first.
CREATE INDEX mail_outbox_recent ON mail_outbox (created_at DESC, id DESC);
