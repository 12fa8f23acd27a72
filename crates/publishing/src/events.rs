//! The `platform.publish.request` / `platform.publish.result` events,
//! appended to the outbox in the same transaction as the state change
//! they report.

use herald_core::Timestamp;
use herald_db::Tx;
use herald_events::{EventsError, Outbox, PublishOutcome, PublishRequestEvent};
use herald_platforms::Published;

use crate::model::FailureKind;
use crate::store::TargetRow;

fn request_of(target: &TargetRow, attempt: i32) -> PublishRequestEvent {
    PublishRequestEvent {
        workspace_id: target.workspace_id.0,
        post_id: target.post_id.to_string(),
        target_id: target.id.to_string(),
        provider: target.provider.clone(),
        account_id: target.remote_account_id.clone(),
        attempt,
        idempotency_key: target.idempotency_key.clone(),
    }
}

/// A target starts publishing.
pub(crate) async fn request(
    outbox: &Outbox,
    tx: &mut Tx,
    target: &TargetRow,
    attempt: i32,
    now: Timestamp,
) -> Result<(), EventsError> {
    let event = request_of(target, attempt).to_event(now)?;
    outbox.append(tx, &event).await?;
    Ok(())
}

/// A target was published.
pub(crate) async fn published(
    outbox: &Outbox,
    tx: &mut Tx,
    target: &TargetRow,
    attempt: i32,
    published: &Published,
    now: Timestamp,
) -> Result<(), EventsError> {
    let mut event = request_of(target, attempt).result(PublishOutcome::Published);
    event.remote_id = Some(published.remote_id.clone());
    event.permalink = published.permalink.clone();
    outbox.append(tx, &event.to_event(now)?).await?;
    Ok(())
}

/// A target failed for good, of `kind`, with the words in `message`.
pub(crate) async fn failed(
    outbox: &Outbox,
    tx: &mut Tx,
    target: &TargetRow,
    attempt: i32,
    kind: FailureKind,
    message: String,
    now: Timestamp,
) -> Result<(), EventsError> {
    let mut event = request_of(target, attempt).result(PublishOutcome::Failed);
    event.error_kind = Some(kind.as_str().to_owned());
    event.error_message = Some(message);
    outbox.append(tx, &event.to_event(now)?).await?;
    Ok(())
}
