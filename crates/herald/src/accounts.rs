//! Wiring of the accounts service: its rate limiter (in-process or Redis)
//! and its mailbox (letters composed in the recipient's language by the
//! web layer, queued in the durable mail outbox).

use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::{Accounts, BoxError, Letter, Mailbox, Settings};
use herald_core::Clock;
use herald_db::{Db, Tx};
use herald_jobs::Queue;
use secrecy::ExposeSecret;

use crate::config::Config;

/// Queues account mail in the outbox, in the caller's transaction.
pub struct OutboxMailbox {
    queue: Queue,
    site: String,
}

#[async_trait]
impl Mailbox for OutboxMailbox {
    async fn post(&self, tx: &mut Tx, letter: Letter) -> Result<(), BoxError> {
        let composed = herald_web::mail::compose(&letter, &self.site)?;
        herald_mail::enqueue(
            tx,
            &self.queue,
            herald_mail::NewMail {
                kind: letter.kind.as_str(),
                to: letter.to.to_string(),
                subject: composed.subject,
                text: composed.text,
                html: composed.html,
            },
        )
        .await?;
        Ok(())
    }
}

/// The accounts service for this configuration; connects to Redis when it
/// is configured, so a wrong URL fails the start.
pub async fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Accounts> {
    let limiter = herald_ratelimit::connect(
        config.redis_url.as_ref().map(|u| u.expose_secret()),
        clock.clone(),
    )
    .await
    .map_err(|e| {
        anyhow::anyhow!(e).context("could not reach Redis for rate limits (HERALD_REDIS_URL)")
    })?;
    let mailbox = Arc::new(OutboxMailbox {
        queue,
        site: config.public_url.clone(),
    });
    Ok(Accounts::new(
        db,
        clock,
        limiter,
        mailbox,
        Settings::new(config.public_url.clone()),
    ))
}
