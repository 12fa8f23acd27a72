//! Keeping ingestion within each platform's limits: every insights call is
//! first counted against its platform's app-wide budget and the account's
//! own (GCRA through the [`RateLimiter`] port, so many processes sharing
//! Redis share the budgets). A wait of up to [`MAX_WAIT`] is waited out;
//! a longer one stops the run with the time it may go on, and the job
//! comes back then.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::{Clock, SignedDuration, Timestamp};
use herald_platforms::AccountKind;
use herald_platforms::insights::{Budget, Pacer, Readers};
use herald_ratelimit::{Decision, Limit, RateLimiter};

/// The longest pause waited out inside a call.
pub const MAX_WAIT: Duration = Duration::from_secs(2);
/// How many pauses one call waits out before it gives up for now.
const MAX_PAUSES: u32 = 8;

/// A [`Pacer`] over the rate limiter, with each reader's [`Budget`]s.
pub struct LimiterPacer {
    limiter: Arc<dyn RateLimiter>,
    readers: Readers,
    clock: Arc<dyn Clock>,
}

impl LimiterPacer {
    pub fn new(limiter: Arc<dyn RateLimiter>, readers: Readers, clock: Arc<dyn Clock>) -> Self {
        LimiterPacer {
            limiter,
            readers,
            clock,
        }
    }

    /// Counts one call against `budget` for `key`; `Err(until)` when it may
    /// not go before `until`.
    async fn take(&self, name: &'static str, budget: Budget, key: &str) -> Result<(), Timestamp> {
        let limit = Limit::new(name, budget.calls.max(1), budget.per);
        let mut pauses = 0;
        loop {
            let decision = match self.limiter.hit(&limit, key).await {
                Ok(d) => d,
                Err(e) => {
                    // A limiter that cannot answer must not stop analytics
                    // altogether, nor let it run unpaced: wait a second and
                    // let the job try again later.
                    tracing::warn!(error = %e, "the insights pacer could not reach its limiter");
                    return Err(self.later(Duration::from_secs(1)));
                }
            };
            match decision {
                Decision::Allowed { .. } => return Ok(()),
                Decision::Limited { retry_after } => {
                    if retry_after > MAX_WAIT || pauses >= MAX_PAUSES {
                        return Err(self.later(retry_after));
                    }
                    pauses += 1;
                    tokio::time::sleep(retry_after).await;
                }
            }
        }
    }

    fn later(&self, after: Duration) -> Timestamp {
        let after = SignedDuration::try_from(after).unwrap_or(SignedDuration::from_secs(60));
        self.clock
            .now()
            .checked_add(after)
            .unwrap_or_else(|_| self.clock.now())
    }
}

/// The limits' names: one pair per account kind (names key the counters).
fn names(kind: AccountKind) -> (&'static str, &'static str) {
    match kind {
        AccountKind::FacebookPage => (
            "insights_app_facebook_page",
            "insights_account_facebook_page",
        ),
        AccountKind::InstagramBusiness => (
            "insights_app_instagram_business",
            "insights_account_instagram_business",
        ),
        AccountKind::InstagramAccount => (
            "insights_app_instagram_account",
            "insights_account_instagram_account",
        ),
        AccountKind::TikTokUser => ("insights_app_tiktok_user", "insights_account_tiktok_user"),
        AccountKind::YouTubeChannel => (
            "insights_app_youtube_channel",
            "insights_account_youtube_channel",
        ),
    }
}

#[async_trait]
impl Pacer for LimiterPacer {
    async fn clear(&self, kind: AccountKind, account: &str) -> Result<(), Timestamp> {
        let Some(reader) = self.readers.get(kind) else {
            return Ok(());
        };
        let pace = reader.pace();
        let (app, per_account) = names(kind);
        self.take(app, pace.app, "app").await?;
        self.take(per_account, pace.account, account).await
    }
}
