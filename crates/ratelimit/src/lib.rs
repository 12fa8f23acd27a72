//! Rate limiting behind a port: "may this key try again now?".
//!
//! Features name their limits ([`Limit`]: a burst refilled evenly over a
//! period) and ask a [`RateLimiter`] once per attempt, keyed by whatever they
//! limit (an account id, an IP address). Two backends implement the port:
//!
//! - [`InProcessLimiter`]: a map in memory, on the injectable
//!   [`Clock`](herald_core::Clock). Right for one `herald serve`; counts are
//!   lost on restart and not shared between processes.
//! - [`RedisLimiter`]: one Lua script per decision on a Redis server that all
//!   instances share, timed by the server's clock.
//!
//! [`connect`] picks one from the configuration. Both use the same algorithm
//! (GCRA, in `gcra.rs` and `gcra.lua`) and record the same metric.
//!
//! Errors are returned, never turned into a decision here: whether a limiter
//! that cannot answer should let an attempt through is the caller's policy.

mod error;
mod gcra;
mod in_process;
pub mod metrics;
mod redis_backend;

use std::sync::Arc;
use std::time::Duration;

use herald_core::Clock;

pub use error::{LimitError, redact_url};
pub use gcra::MAX_PER;
pub use in_process::InProcessLimiter;
pub use redis_backend::RedisLimiter;

/// A limit: at most `burst` attempts at once, refilled evenly over `per`
/// (one attempt back every `per / burst`), as a token bucket would.
///
/// The `name` identifies the limit's counters (and labels its metric), so two
/// limits must never share a name. Declare limits as constants:
/// `const LOGIN_BY_IP: Limit = Limit::new("login_ip", 10, Duration::from_secs(60));`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub burst: u32,
    pub per: Duration,
}

impl Limit {
    /// A limit; refuses (at compile time, for a constant) a zero burst, a zero
    /// period or one longer than [`MAX_PER`].
    pub const fn new(name: &'static str, burst: u32, per: Duration) -> Self {
        assert!(burst > 0, "a limit must allow at least one attempt");
        assert!(!per.is_zero(), "a limit needs a period");
        assert!(
            per.as_micros() <= MAX_PER.as_micros(),
            "a limit's period is at most a year"
        );
        Self { name, burst, per }
    }
}

/// The answer for one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; `remaining` more attempts would be allowed right now.
    Allowed { remaining: u32 },
    /// Refused; the next attempt is allowed after `retry_after` (round it up
    /// to whole seconds for a `Retry-After` header).
    Limited { retry_after: Duration },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// The rate-limiting port. Shared as `Arc<dyn RateLimiter>`.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Counts one attempt against `key` under `limit` and says whether it may
    /// proceed. Atomic: N concurrent callers never let more than the limit
    /// through. Refused attempts are not counted.
    async fn hit(&self, limit: &Limit, key: &str) -> Result<Decision, LimitError>;

    /// Forgets the attempts of `key` (e.g. after a successful login).
    async fn clear(&self, limit: &Limit, key: &str) -> Result<(), LimitError>;

    /// "in-process" or "redis".
    fn backend(&self) -> &'static str;

    /// Reachability, for /readyz (always Ok in-process).
    async fn ping(&self) -> Result<(), LimitError>;
}

/// The limiter the configuration asks for: Redis at `redis_url` (connecting
/// now, so a wrong URL or an unreachable server fails at start), or the
/// in-process one on `clock` when there is no URL.
pub async fn connect(
    redis_url: Option<&str>,
    clock: Arc<dyn Clock>,
) -> Result<Arc<dyn RateLimiter>, LimitError> {
    Ok(match redis_url {
        Some(url) => Arc::new(RedisLimiter::connect(url).await?),
        None => Arc::new(InProcessLimiter::new(clock)),
    })
}
