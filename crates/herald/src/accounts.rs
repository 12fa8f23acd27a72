//! Wiring of the accounts service: its rate limiter and session store
//! (in-process and the database, or both in Redis when configured) and its
//! mailbox (letters composed in the recipient's language by the
//! web layer, queued in the durable mail outbox).

use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::sessions::{DbSessions, RedisSessions, SessionStore};
use herald_accounts::{Accounts, BoxError, Letter, Mailbox, Settings};
use herald_core::Clock;
use herald_db::{Db, Tx};
use herald_jobs::Queue;
use herald_ratelimit::{InProcessLimiter, RateLimiter, RedisLimiter};
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
    let (limiter, sessions): (Arc<dyn RateLimiter>, Arc<dyn SessionStore>) = match &config.redis_url
    {
        Some(url) => {
            let redis = RedisLimiter::connect(url.expose_secret())
                .await
                .map_err(|e| {
                    anyhow::anyhow!(e).context("could not reach Redis (HERALD_REDIS_URL)")
                })?;
            let sessions = Arc::new(RedisSessions::new(
                redis.connection(),
                config.database_url.expose_secret(),
            ));
            (Arc::new(redis), sessions)
        }
        None => (
            Arc::new(InProcessLimiter::new(clock.clone())),
            Arc::new(DbSessions::new(db.clone())),
        ),
    };
    let mailbox = Arc::new(OutboxMailbox {
        queue,
        site: config.public_url.clone(),
    });
    let mut settings = Settings::new(config.public_url.clone());
    // Instances of one deployment share its database URL, and so their
    // counts; another deployment on the same Redis keeps its own.
    settings.limit_namespace =
        herald_accounts::sessions::namespace(config.database_url.expose_secret());
    // Every process of the deployment derives the same successor tokens.
    let session_secret = config
        .session_secret
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the session secret is missing"))?;
    settings.refresh_key = herald_accounts::secret::sign(
        session_secret.expose_secret().as_bytes(),
        "herald refresh successor key v1",
    )
    .into_bytes();
    Ok(Accounts::new(
        db, clock, limiter, sessions, mailbox, settings,
    ))
}
