//! The `mail_outbox` table: storing a mail with its delivery job, reading
//! it back, and recording delivery outcomes. Every statement is portable SQL
//! run through `on_pool!` / `on_tx!`.

use std::fmt;
use std::str::FromStr;

use herald_core::Timestamp;
use herald_db::DbTime;
use herald_db::{Db, DbError, Tx, on_pool, on_tx};
use herald_jobs::{NewJob, Queue};
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::MailError;
use crate::job::SendMail;

/// A mail to send.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What the mail is for, e.g. `"verify_email"`: shown in the mailbox,
    /// used as a metrics label, and safe to log.
    pub kind: &'static str,
    /// The recipient: `someone@example.com` or `Name <someone@example.com>`.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The id of a stored mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MailId(pub i64);

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a mail is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// Not delivered yet (queued, or waiting for a retry).
    Pending,
    /// Accepted by the SMTP server, or kept in the development mailbox.
    Sent,
    /// Refused for good, or out of attempts.
    Failed,
}

impl MailState {
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Pending => "pending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<MailState> {
        [MailState::Pending, MailState::Sent, MailState::Failed]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

impl fmt::Display for MailState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mail as stored. Its `Debug` leaves out the bodies, which hold tokens.
#[derive(Clone)]
pub struct StoredMail {
    pub id: MailId,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub state: MailState,
    /// Delivery attempts made so far.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

impl fmt::Debug for StoredMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredMail")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("created_at", &self.created_at)
            .field("sent_at", &self.sent_at)
            .finish_non_exhaustive()
    }
}

const INSERT: &str = "INSERT INTO mail_outbox \
     (kind, to_address, subject, text_body, html_body, state, attempts, created_at) \
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6) RETURNING id";

/// Stores the mail and enqueues its delivery job in the caller's
/// transaction: the mail exists exactly when the change that caused it
/// does, and workers are woken once it commits.
///
/// The recipient is checked here, so a malformed address fails the caller's
/// change instead of a job later.
pub async fn enqueue(tx: &mut Tx, queue: &Queue, mail: NewMail) -> Result<MailId, MailError> {
    Mailbox::from_str(mail.to.trim())
        .map_err(|e| MailError::InvalidRecipient(mail.to.clone(), e))?;
    let now = DbTime(queue.clock().now());
    let id: i64 = on_tx!(tx, |conn| {
        sqlx::query_scalar(INSERT)
            .bind(mail.kind)
            .bind(mail.to.trim())
            .bind(&mail.subject)
            .bind(&mail.text)
            .bind(&mail.html)
            .bind(now)
            .fetch_one(conn)
            .await
            .map_err(DbError::from)?
    });
    let job = NewJob::of(&SendMail { id }).map_err(MailError::Encode)?;
    queue.enqueue(tx, job).await?;
    tracing::debug!(mail = id, kind = mail.kind, "mail queued");
    Ok(MailId(id))
}

macro_rules! columns {
    () => {
        "id, kind, to_address, subject, text_body, html_body, state, attempts, last_error, \
         created_at, sent_at"
    };
}

fn from_row<R>(row: &R) -> Result<StoredMail, sqlx::Error>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let state: String = row.try_get("state")?;
    Ok(StoredMail {
        id: MailId(row.try_get("id")?),
        kind: row.try_get("kind")?,
        to: row.try_get("to_address")?,
        subject: row.try_get("subject")?,
        text: row.try_get("text_body")?,
        html: row.try_get("html_body")?,
        state: MailState::parse(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".into(),
            source: format!("unknown mail state {state:?}").into(),
        })?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        created_at: row.try_get::<DbTime, _>("created_at")?.0,
        sent_at: row
            .try_get::<Option<herald_db::DbTime>, _>("sent_at")?
            .map(Timestamp::from),
    })
}

/// The newest `limit` mails, newest first (for the development mailbox).
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<StoredMail>, MailError> {
    let sql = concat!(
        "SELECT ",
        columns!(),
        " FROM mail_outbox ORDER BY created_at DESC, id DESC LIMIT $1"
    );
    let mails = on_pool!(db, |pool| {
        let rows = sqlx::query(sql)
            .bind(limit.max(0))
            .fetch_all(pool)
            .await
            .map_err(DbError::from)?;
        rows.iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()
            .map_err(DbError::from)?
    });
    Ok(mails)
}

/// One mail, if it exists.
pub async fn get(db: &Db, id: MailId) -> Result<Option<StoredMail>, MailError> {
    let sql = concat!("SELECT ", columns!(), " FROM mail_outbox WHERE id = $1");
    let mail = on_pool!(db, |pool| {
        let row = sqlx::query(sql)
            .bind(id.0)
            .fetch_optional(pool)
            .await
            .map_err(DbError::from)?;
        row.as_ref()
            .map(from_row)
            .transpose()
            .map_err(DbError::from)?
    });
    Ok(mail)
}

/// Records a delivered mail.
/// The text with the value of every `token=` parameter replaced, so a
/// stored copy of a sent mail holds no usable link.
pub fn without_tokens(text: &str) -> String {
    const MARK: &str = "token=";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        let (before, after) = rest.split_at(at + MARK.len());
        out.push_str(before);
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '%'))
            .unwrap_or(after.len());
        if end > 0 {
            out.push_str("[removed]");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Removes the tokens from a sent mail's stored bodies.
pub(crate) async fn scrub(db: &Db, id: MailId) -> Result<(), DbError> {
    let bodies: Option<(String, String)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT text_body, html_body FROM mail_outbox WHERE id = $1 AND state = 'sent'",
        )
        .bind(id.0)
        .fetch_optional(pool)
        .await?
    });
    if let Some((text, html)) = bodies {
        on_pool!(db, |pool| {
            sqlx::query("UPDATE mail_outbox SET text_body = $1, html_body = $2 WHERE id = $3")
                .bind(without_tokens(&text))
                .bind(without_tokens(&html))
                .bind(id.0)
                .execute(pool)
                .await?;
        });
    }
    Ok(())
}

/// How long a mail's record is kept after it was queued.
pub const MAIL_RETENTION_DAYS: i64 = 30;

/// Deletes mail queued before `before` that is no longer pending; returns
/// how many rows went.
pub async fn purge(db: &Db, before: Timestamp) -> Result<u64, MailError> {
    let mut total = 0;
    loop {
        let n = on_pool!(db, |pool| {
            sqlx::query(
                "DELETE FROM mail_outbox WHERE id IN (SELECT id FROM mail_outbox \
                 WHERE created_at < $1 AND state <> 'pending' LIMIT 5000)",
            )
            .bind(DbTime(before))
            .execute(pool)
            .await
            .map_err(DbError::from)?
            .rows_affected()
        });
        total += n;
        if n < 5000 {
            return Ok(total);
        }
    }
}

pub(crate) async fn mark_sent(db: &Db, id: MailId, now: Timestamp) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE mail_outbox SET state = 'sent', sent_at = $1, attempts = attempts + 1, \
             last_error = NULL WHERE id = $2",
        )
        .bind(DbTime(now))
        .bind(id.0)
        .execute(pool)
        .await?;
    });
    Ok(())
}

/// Records a failed attempt: `pending` when it will be retried, `failed`
/// when not.
pub(crate) async fn mark_attempt_failed(
    db: &Db,
    id: MailId,
    state: MailState,
    error: &str,
) -> Result<(), DbError> {
    on_pool!(db, |pool| {
        sqlx::query(
            "UPDATE mail_outbox SET state = $1, attempts = attempts + 1, last_error = $2 \
             WHERE id = $3 AND state <> 'sent'",
        )
        .bind(state.as_str())
        .bind(error)
        .bind(id.0)
        .execute(pool)
        .await?;
    });
    Ok(())
}

#[cfg(test)]
mod scrub_tests {
    use super::without_tokens;

    #[test]
    fn token_values_are_removed_and_the_rest_kept() {
        assert_eq!(
            without_tokens("Open https://h.example/verify-email?token=AbC-12_x%2F now."),
            "Open https://h.example/verify-email?token=[removed] now."
        );
        assert_eq!(
            without_tokens("<a href=\"/r?token=abc&amp;next=1\">go</a> token=def"),
            "<a href=\"/r?token=[removed]&amp;next=1\">go</a> token=[removed]"
        );
        assert_eq!(
            without_tokens("no link here; token="),
            "no link here; token="
        );
    }
}
