//! The `inbox.act.v1` job: one queued action performed on the platform
//! through the account kind's `Engager`, then recorded `sent` or `failed`.
//!
//! A reply or a message must never go out twice. Before the call the
//! action is marked in flight (`sending_since`, committed on its own); the
//! outcome clears it in the transaction that records it. A retryable
//! refusal (throttling, an outage: the platform did nothing) clears it and
//! the job tries again with backoff. A run that finds the mark still set
//! did not hear how the earlier call ended (its worker died mid-call), and
//! records `outcome_unknown` instead of calling again, as it does when the
//! platform client reports an unknown outcome itself.

use std::time::Duration;

use async_trait::async_trait;
use herald_accounts::shared::record_system_event;
use herald_core::{Named, SignedDuration, UserId};
use herald_jobs::{Handler, JobContext, JobError, JobPayload};
use herald_platforms::engage::{Action, EngageAccount, EngageError};
use herald_platforms::{AccountKind, ErrorKind, PlatformError};
use serde::{Deserialize, Serialize};

use super::store::{self, ActionRow, ItemRow, Outcome};
use super::{ActionKind, Inbox, InboxError, notify_live};

/// Perform one recorded action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActOnItem {
    pub action: i64,
}

impl JobPayload for ActOnItem {
    const KIND: &'static str = "inbox.act.v1";
    const QUEUE: &'static str = "inbox";
    /// Throttling and outages are retried for a few minutes, then the
    /// action fails with their code.
    const MAX_ATTEMPTS: i32 = 8;
}

pub(super) struct ActHandler(pub Inbox);

#[async_trait]
impl Handler<ActOnItem> for ActHandler {
    async fn run(&self, job: ActOnItem, ctx: &JobContext) -> Result<(), JobError> {
        self.0.perform(&job, ctx).await
    }
}

fn db_error(e: impl Into<InboxError>) -> JobError {
    let e: InboxError = e.into();
    JobError::transient_from("inbox storage failed", e)
}

/// How a platform failure ends an action (the code of `ActionFailure`),
/// or `None` when the platform did nothing and a later attempt may work.
fn failure_code(e: &PlatformError, last_attempt: bool) -> Option<&'static str> {
    match e.kind {
        ErrorKind::RateLimited { .. } | ErrorKind::Postponed { .. } | ErrorKind::Unavailable
            if !last_attempt =>
        {
            None
        }
        ErrorKind::RateLimited { .. } | ErrorKind::Postponed { .. } => Some("rate_limited"),
        ErrorKind::Unavailable => Some("unavailable"),
        ErrorKind::OutcomeUnknown => Some("outcome_unknown"),
        ErrorKind::Reconnect | ErrorKind::Reconsent { .. } => Some("reconnect"),
        ErrorKind::BadRequest => Some("rejected"),
        ErrorKind::Misconfigured => Some("misconfigured"),
    }
}

/// What the platform is asked to do for `action` about `item`; `None`
/// when it cannot be said (a message with no one to send it to).
fn platform_action(kind: ActionKind, action: &ActionRow, item: &ItemRow) -> Option<Action> {
    let text = || action.text.clone().unwrap_or_default();
    let comment_id = item.remote_id.clone();
    Some(match kind {
        ActionKind::Reply => Action::ReplyToComment {
            comment_id,
            text: text(),
        },
        ActionKind::PrivateReply => Action::PrivateReply {
            comment_id,
            text: text(),
        },
        ActionKind::Message => Action::SendMessage {
            recipient_id: item.author_id.clone()?,
            text: text(),
        },
        ActionKind::Hide => Action::HideComment {
            comment_id,
            hidden: true,
        },
        ActionKind::Unhide => Action::HideComment {
            comment_id,
            hidden: false,
        },
        ActionKind::Delete => Action::DeleteComment { comment_id },
    })
}

impl Inbox {
    /// One attempt of an action job: the handler's step, callable without
    /// the worker.
    pub async fn perform(&self, job: &ActOnItem, ctx: &JobContext) -> Result<(), JobError> {
        let db = &self.inner.db;
        // Gone with its item, or already decided: nothing to do.
        let Some(action) = store::action(db, job.action).await.map_err(db_error)? else {
            return Ok(());
        };
        if action.state != "queued" {
            return Ok(());
        }
        if action.sending_since.is_some() {
            tracing::warn!(
                action = action.id,
                "an inbox action's earlier call never reported back; not repeating it"
            );
            return self
                .conclude(
                    &action,
                    &Outcome::Failed {
                        code: "outcome_unknown",
                        detail: None,
                    },
                )
                .await;
        }
        let reader = action.created_by.unwrap_or(UserId(0));
        let Some(item) = store::item(db, action.workspace_id, reader, action.item_id)
            .await
            .map_err(db_error)?
        else {
            return Ok(());
        };
        let kind = ActionKind::parse(&action.kind);
        let account_kind = AccountKind::parse(&item.account_kind);
        let engager = account_kind.and_then(|k| self.inner.engagers.get(k).cloned());
        let (Some(kind), Some(account_kind), Some(engager)) = (kind, account_kind, engager) else {
            return self.unsupported(&action).await;
        };
        let Some(request) = platform_action(kind, &action, &item) else {
            return self.unsupported(&action).await;
        };
        let token = match self.inner.tokens.access_token(&item.connection_id).await {
            Ok(Some(token)) => token,
            Ok(None) => {
                return self
                    .conclude(
                        &action,
                        &Outcome::Failed {
                            code: "account_gone",
                            detail: None,
                        },
                    )
                    .await;
            }
            Err(e) => {
                return Err(JobError::transient(format!(
                    "the account's token is unavailable: {}",
                    herald_core::error::chain(e.as_ref())
                )));
            }
        };
        if !store::begin_sending(db, action.id, self.now())
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        let account = EngageAccount {
            kind: account_kind,
            account_id: item.account_remote_id.clone(),
            access_token: token,
        };
        let result = engager.act(&account, &request).await;
        metrics::counter!(
            "herald_inbox_actions_total",
            "kind" => kind.as_str(),
            "outcome" => match &result {
                Ok(_) => "sent",
                Err(EngageError::Refused(_)) => "refused",
                Err(EngageError::Platform(_)) => "error",
            }
        )
        .increment(1);
        match result {
            Ok(acted) => {
                self.conclude(
                    &action,
                    &Outcome::Sent {
                        remote_id: acted.remote_id.as_deref(),
                    },
                )
                .await
            }
            Err(EngageError::Refused(refusal)) => {
                self.conclude(
                    &action,
                    &Outcome::Failed {
                        code: refusal.as_str(),
                        detail: None,
                    },
                )
                .await
            }
            Err(EngageError::Platform(e)) => match failure_code(&e, ctx.is_last_attempt()) {
                Some(code) => {
                    self.conclude(
                        &action,
                        &Outcome::Failed {
                            code,
                            detail: Some(&e.message),
                        },
                    )
                    .await
                }
                None => {
                    store::end_attempt(db, action.id, &e.message)
                        .await
                        .map_err(db_error)?;
                    tracing::warn!(action = action.id, error = %e, "an inbox action was refused for now; retrying");
                    let mut error = JobError::transient(e.to_string());
                    if let ErrorKind::RateLimited { until: Some(until) } = e.kind {
                        let wait = until.duration_since(self.now()).max(SignedDuration::ZERO);
                        error = error.retry_after(Duration::try_from(wait).unwrap_or_default());
                    }
                    Err(error)
                }
            },
        }
    }

    async fn unsupported(&self, action: &ActionRow) -> Result<(), JobError> {
        self.conclude(
            action,
            &Outcome::Failed {
                code: "unsupported",
                detail: None,
            },
        )
        .await
    }

    /// Records how `action` ended, what that changed about its item, and
    /// an audit event; wakes the workspace's live streams.
    async fn conclude(&self, action: &ActionRow, outcome: &Outcome<'_>) -> Result<(), JobError> {
        let now = self.now();
        let mut tx = self.inner.db.begin().await.map_err(db_error)?;
        if !store::finish(&mut tx, action.id, outcome, now)
            .await
            .map_err(db_error)?
        {
            return Ok(());
        }
        let kind = ActionKind::parse(&action.kind);
        let (result, detail) = match outcome {
            Outcome::Sent { .. } => {
                let hidden = match kind {
                    Some(ActionKind::Hide) => Some(true),
                    Some(ActionKind::Unhide) => Some(false),
                    _ => None,
                };
                let removed = kind == Some(ActionKind::Delete);
                store::apply_effect(&mut tx, action.item_id, hidden, removed, now)
                    .await
                    .map_err(db_error)?;
                ("sent", String::new())
            }
            Outcome::Failed { code, .. } => {
                store::touch(&mut tx, action.item_id, now)
                    .await
                    .map_err(db_error)?;
                ("failed", (*code).to_owned())
            }
        };
        record_system_event(
            &mut tx,
            now,
            action.workspace_id,
            &format!("inbox.{}.{result}", action.kind),
            &format!("inbox_item:{}", action.item_id),
            &format!("action:{} {detail}", action.id),
        )
        .await
        .map_err(db_error)?;
        notify_live(&self.inner.queue, &mut tx, action.workspace_id)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        tracing::info!(action = action.id, kind = %action.kind, outcome = result, "inbox action finished");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_platforms::ProviderId;

    fn error(kind: ErrorKind) -> PlatformError {
        PlatformError::new(ProviderId::Instagram, kind, "said no")
    }

    #[test]
    fn only_refusals_where_the_platform_did_nothing_are_tried_again() {
        assert_eq!(failure_code(&error(ErrorKind::Unavailable), false), None);
        let throttled = ErrorKind::RateLimited { until: None };
        assert_eq!(failure_code(&error(throttled.clone()), false), None);
        assert_eq!(failure_code(&error(throttled), true), Some("rate_limited"));
        assert_eq!(
            failure_code(&error(ErrorKind::Unavailable), true),
            Some("unavailable")
        );
        // Never repeated: it may have gone out.
        assert_eq!(
            failure_code(&error(ErrorKind::OutcomeUnknown), false),
            Some("outcome_unknown")
        );
        assert_eq!(
            failure_code(&error(ErrorKind::BadRequest), false),
            Some("rejected")
        );
        assert_eq!(
            failure_code(&error(ErrorKind::Reconnect), false),
            Some("reconnect")
        );
    }
}
