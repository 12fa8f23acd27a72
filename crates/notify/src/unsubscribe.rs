//! One-click unsubscribe: every notification mail carries a link that turns
//! that kind of mail off for its recipient in its workspace, without a
//! login. The link is signed (HMAC-SHA256 under a key only this install
//! knows), so nobody can turn off someone else's mail by guessing ids; it
//! can only ever turn mail *off*, so it does not expire.

use herald_core::Named;

use herald_core::{Timestamp, UserId, WorkspaceId};
use herald_db::{DbTime, Tx, on_tx};

use crate::{Channel, Choice, NotificationKind, NotifyError};

/// What an unsubscribe link stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscription {
    pub user: UserId,
    pub workspace: WorkspaceId,
    pub kind: NotificationKind,
}

/// Signs and reads unsubscribe tokens.
#[derive(Clone)]
pub struct UnsubscribeKey(Vec<u8>);

impl std::fmt::Debug for UnsubscribeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnsubscribeKey(..)")
    }
}

impl UnsubscribeKey {
    /// A key derived from the install's secret (never used as it is).
    pub fn derive(secret: &[u8]) -> UnsubscribeKey {
        UnsubscribeKey(
            herald_accounts::secret::sign(secret, "herald unsubscribe key v1").into_bytes(),
        )
    }

    fn signature(&self, u: &Unsubscription) -> String {
        herald_accounts::secret::sign(
            &self.0,
            &format!("{}:{}:{}", u.user.0, u.workspace.0, u.kind.as_str()),
        )
    }

    /// The token of `u`: `{user}.{workspace}.{kind}.{signature}`.
    pub fn token(&self, u: &Unsubscription) -> String {
        format!(
            "{}.{}.{}.{}",
            u.user.0,
            u.workspace.0,
            u.kind.as_str(),
            self.signature(u)
        )
    }

    /// What `token` stands for, when this install signed it.
    pub fn read(&self, token: &str) -> Option<Unsubscription> {
        if token.len() > 200 {
            return None;
        }
        let mut parts = token.splitn(4, '.');
        let user = parts.next()?.parse().ok()?;
        let workspace = parts.next()?.parse().ok()?;
        let kind = NotificationKind::parse(parts.next()?)?;
        let signature = parts.next()?;
        let u = Unsubscription {
            user: UserId(user),
            workspace: WorkspaceId(workspace),
            kind,
        };
        herald_accounts::secret::same(&self.signature(&u), signature).then_some(u)
    }
}

/// Writes `choices` for `user` in `workspace`, in `tx`.
pub(crate) async fn store_choices(
    tx: &mut Tx,
    user: UserId,
    workspace: WorkspaceId,
    choices: &[Choice],
    now: Timestamp,
) -> Result<(), NotifyError> {
    for choice in choices {
        on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO notification_choices (user_id, workspace_id, kind, channel, enabled, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, workspace_id, kind, channel) \
                 DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at",
            )
            .bind(user)
            .bind(workspace)
            .bind(choice.kind.as_str())
            .bind(choice.channel.as_str())
            .bind(choice.enabled)
            .bind(DbTime(now))
            .execute(conn)
            .await?;
        });
    }
    Ok(())
}

/// Turns off mail of the link's kind, when the person is still a member
/// (returns whether anything was turned off); their waiting mails of that
/// kind are dropped too.
pub(crate) async fn apply(
    tx: &mut Tx,
    u: &Unsubscription,
    now: Timestamp,
) -> Result<bool, NotifyError> {
    let members = herald_accounts::shared::member_ids(tx, u.workspace).await?;
    if !members.contains(&u.user) {
        return Ok(false);
    }
    store_choices(
        tx,
        u.user,
        u.workspace,
        &[Choice {
            kind: u.kind,
            channel: Channel::Email,
            enabled: false,
        }],
        now,
    )
    .await?;
    on_tx!(tx, |conn| {
        sqlx::query(
            "DELETE FROM notification_mail WHERE user_id = $1 AND workspace_id = $2 AND kind = $3",
        )
        .bind(u.user)
        .bind(u.workspace)
        .bind(u.kind.as_str())
        .execute(conn)
        .await?;
    });
    Ok(true)
}

/// Whether `user` gets `kind` on `channel` in `workspace` (their choice,
/// else the default), in `tx`.
pub(crate) async fn wants(
    tx: &mut Tx,
    user: UserId,
    workspace: WorkspaceId,
    kind: NotificationKind,
    channel: Channel,
) -> Result<bool, NotifyError> {
    let stored: Option<bool> = on_tx!(tx, |conn| {
        sqlx::query_scalar(
            "SELECT enabled FROM notification_choices \
             WHERE user_id = $1 AND workspace_id = $2 AND kind = $3 AND channel = $4",
        )
        .bind(user)
        .bind(workspace)
        .bind(kind.as_str())
        .bind(channel.as_str())
        .fetch_optional(conn)
        .await?
    });
    Ok(stored.unwrap_or(kind.default_on(channel)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_only_with_its_signature() {
        let key = UnsubscribeKey::derive(b"install secret");
        let u = Unsubscription {
            user: UserId(7),
            workspace: WorkspaceId(3),
            kind: NotificationKind::Digest,
        };
        let token = key.token(&u);
        assert_eq!(key.read(&token), Some(u));
        let other = UnsubscribeKey::derive(b"another install");
        assert_eq!(other.read(&token), None, "another install's key");
        let forged = token.replacen("7.", "8.", 1);
        assert_eq!(key.read(&forged), None, "another person");
        let other_kind = token.replace("digest", "post_failed");
        assert_eq!(key.read(&other_kind), None, "another kind");
        assert_eq!(key.read(""), None);
        assert_eq!(key.read("1.2.digest"), None);
        assert_eq!(key.read(&"9".repeat(500)), None);
    }
}
