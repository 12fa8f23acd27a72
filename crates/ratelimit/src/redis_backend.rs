//! The Redis limiter: counts shared by every Herald instance.
//!
//! Each decision is one Lua script (`gcra.lua`, sent as EVALSHA, loaded on
//! first use): Redis runs a script atomically, so concurrent attempts from any
//! number of processes are serialised without locks or retries, and the
//! script reads the server's `TIME`, so instances with skewed clocks agree.
//! A key (`herald:rl:<limit>:<key>`) lives only until its TAT, so idle keys
//! vanish by themselves.
//!
//! The connection is a [`ConnectionManager`]: one multiplexed connection,
//! re-established when it drops. Every operation is bounded by
//! [`OP_TIMEOUT`], so a Redis outage makes attempts fail fast instead of
//! hanging requests while the manager reconnects.

use std::time::Duration;

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::gcra::Params;
use crate::{Decision, Limit, LimitError, RateLimiter, metrics, redact_url};

const GCRA_LUA: &str = include_str!("gcra.lua");

/// The longest any one operation (hit, clear, ping) may take, reconnecting
/// included.
pub const OP_TIMEOUT: Duration = Duration::from_secs(2);

/// Runs `fut`, giving up after [`OP_TIMEOUT`].
async fn bounded<T>(
    op: &'static str,
    fut: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, LimitError> {
    match tokio::time::timeout(OP_TIMEOUT, fut).await {
        Ok(result) => result.map_err(|source| LimitError::Redis { op, source }),
        Err(_) => Err(LimitError::Timeout {
            op,
            after: OP_TIMEOUT,
        }),
    }
}

/// Rate limiting on a Redis server; see the module docs.
#[derive(Clone)]
pub struct RedisLimiter {
    conn: ConnectionManager,
    script: Script,
    /// The URL with its password masked, for `Debug`.
    url: String,
}

impl RedisLimiter {
    /// Connects to the Redis server at `url` (`redis://[:password@]host[:port][/db]`,
    /// or `rediss://` for TLS checked against the system's certificates)
    /// and loads the script, so a wrong URL, an unreachable server or one
    /// without scripting fails here, at start.
    pub async fn connect(url: &str) -> Result<Self, LimitError> {
        let shown = redact_url(url);
        let scheme = url.split_once("://").map_or("", |(s, _)| s);
        if scheme.eq_ignore_ascii_case("rediss") || scheme.eq_ignore_ascii_case("valkeys") {
            // rustls needs a process-wide crypto provider; ring unless the
            // binary installed one already (an Err here means it did).
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let client = redis::Client::open(url).map_err(|source| LimitError::InvalidUrl {
            url: shown.clone(),
            source,
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let mut conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|source| LimitError::Connect {
                url: shown.clone(),
                source,
            })?;
        let script = Script::new(GCRA_LUA);
        script
            .prepare_invoke()
            .load_async(&mut conn)
            .await
            .map_err(|source| LimitError::Connect {
                url: shown.clone(),
                source,
            })?;
        Ok(Self {
            conn,
            script,
            url: shown,
        })
    }

    /// The limiter's connection, for other state that should share the
    /// same Redis (the session store).
    pub fn connection(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// The Redis key holding `key`'s state under `limit`.
    pub fn redis_key(limit: &Limit, key: &str) -> String {
        format!("herald:rl:{}:{}", limit.name, key)
    }

    async fn decide(&self, limit: &Limit, key: &str) -> Result<Decision, LimitError> {
        let params = Params::of(limit)?;
        let mut conn = self.conn.clone();
        let mut invocation = self.script.key(Self::redis_key(limit, key));
        invocation.arg(params.interval_us).arg(limit.burst);
        let (allowed, remaining, retry_after_us): (i64, i64, i64) =
            bounded("rate-limit script", invocation.invoke_async(&mut conn)).await?;
        Ok(if allowed == 1 {
            Decision::Allowed {
                remaining: u32::try_from(remaining).unwrap_or(0),
            }
        } else {
            Decision::Limited {
                retry_after: Duration::from_micros(u64::try_from(retry_after_us).unwrap_or(0)),
            }
        })
    }
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn hit(&self, limit: &Limit, key: &str) -> Result<Decision, LimitError> {
        let result = self.decide(limit, key).await;
        metrics::record(limit, &result);
        result
    }

    async fn clear(&self, limit: &Limit, key: &str) -> Result<(), LimitError> {
        let mut conn = self.conn.clone();
        let mut del = redis::cmd("DEL");
        del.arg(Self::redis_key(limit, key));
        bounded("DEL", del.query_async::<()>(&mut conn)).await
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> Result<(), LimitError> {
        let mut conn = self.conn.clone();
        bounded("PING", redis::cmd("PING").query_async::<()>(&mut conn)).await
    }
}
