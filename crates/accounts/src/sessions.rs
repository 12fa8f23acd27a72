//! Where browser sessions live: the `SessionStore` port, with the database
//! (the embedded default, and enough for many instances sharing one
//! database) and Redis (when configured, so session lookups, the hottest
//! read of every page, stay off the database) side by side.
//!
//! A session is named by the SHA-256 of its cookie value; the cookie value
//! itself is never stored.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use herald_db::DbTime;
use herald_db::{Db, DbError};
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use crate::UserId;
use crate::store;

/// One stored session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: i64,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionStoreError {
    #[error("session storage failed")]
    Db(#[from] DbError),
    #[error("session storage in Redis failed ({op})")]
    Redis {
        op: &'static str,
        #[source]
        source: redis::RedisError,
    },
    #[error("session storage in Redis did not answer within {0:?} ({1})")]
    Timeout(Duration, &'static str),
}

/// The port: how the accounts service keeps sessions.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    async fn insert(&self, session: &SessionRecord) -> Result<(), SessionStoreError>;
    /// The session if it exists and was not revoked (timeouts are the
    /// service's to judge).
    async fn get(&self, token_hash: &str) -> Result<Option<SessionRecord>, SessionStoreError>;
    async fn touch(&self, token_hash: &str, now: Timestamp) -> Result<(), SessionStoreError>;
    /// The user's live sessions (not revoked, not past `now`'s absolute end).
    async fn list(
        &self,
        user: i64,
        now: Timestamp,
    ) -> Result<Vec<SessionRecord>, SessionStoreError>;
    /// Revokes one session of `user` (`only`), or all but `except`;
    /// returns how many.
    async fn revoke(
        &self,
        user: i64,
        only: Option<&str>,
        except: Option<&str>,
        now: Timestamp,
    ) -> Result<u64, SessionStoreError>;
    fn backend(&self) -> &'static str;
    /// Deletes sessions that ended: revoked, past their absolute end, or
    /// unused since before `idle_before`; returns how many. A store whose
    /// entries expire by themselves (Redis) has nothing to do.
    async fn purge(&self, now: Timestamp, idle_before: Timestamp)
    -> Result<u64, SessionStoreError>;
}

/// Sessions in the `sessions` table.
pub struct DbSessions {
    db: Db,
}

impl DbSessions {
    pub fn new(db: Db) -> DbSessions {
        DbSessions { db }
    }
}

fn record(row: store::SessionRow) -> SessionRecord {
    SessionRecord {
        token_hash: row.token_hash,
        user_id: row.user_id.0,
        created_at: row.created_at.0,
        last_seen_at: row.last_seen_at.0,
        expires_at: row.expires_at.0,
        ip: row.ip,
        user_agent: row.user_agent,
    }
}

#[async_trait]
impl SessionStore for DbSessions {
    async fn insert(&self, s: &SessionRecord) -> Result<(), SessionStoreError> {
        store::insert_session(&self.db, s).await?;
        Ok(())
    }

    async fn get(&self, token_hash: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        Ok(store::session(&self.db, token_hash)
            .await?
            .filter(|r| r.revoked_at.is_none())
            .map(record))
    }

    async fn touch(&self, token_hash: &str, now: Timestamp) -> Result<(), SessionStoreError> {
        store::touch_session(&self.db, token_hash, now).await?;
        Ok(())
    }

    async fn list(
        &self,
        user: i64,
        now: Timestamp,
    ) -> Result<Vec<SessionRecord>, SessionStoreError> {
        Ok(store::sessions_of(&self.db, UserId(user), now)
            .await?
            .into_iter()
            .map(record)
            .collect())
    }

    async fn revoke(
        &self,
        user: i64,
        only: Option<&str>,
        except: Option<&str>,
        now: Timestamp,
    ) -> Result<u64, SessionStoreError> {
        Ok(store::revoke_sessions(&self.db, UserId(user), only, except, now).await?)
    }

    fn backend(&self) -> &'static str {
        "database"
    }

    async fn purge(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
    ) -> Result<u64, SessionStoreError> {
        Ok(store::purge_sessions(&self.db, now, idle_before).await?)
    }
}

/// Sessions in Redis: a hash per session (expiring at the session's
/// absolute end) and a set of session hashes per user, for listing and
/// signing out everywhere. A revoked session is deleted.
#[derive(Clone)]
pub struct RedisSessions {
    conn: ConnectionManager,
    /// Keeps deployments that share one Redis apart (see [`RedisSessions::new`]).
    namespace: String,
}

const OP_TIMEOUT: Duration = Duration::from_secs(2);

/// The key prefix of a deployment's sessions in Redis.
pub fn namespace(deployment: &str) -> String {
    crate::secret::token_hash(deployment)[..16].to_owned()
}

/// The Redis set of a user's sessions in a namespace.
pub fn user_sessions_key(namespace: &str, user: i64) -> String {
    format!("herald:{namespace}:user_sessions:{user}")
}

async fn bounded<T>(
    op: &'static str,
    fut: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, SessionStoreError> {
    match tokio::time::timeout(OP_TIMEOUT, fut).await {
        Ok(r) => r.map_err(|source| SessionStoreError::Redis { op, source }),
        Err(_) => Err(SessionStoreError::Timeout(OP_TIMEOUT, op)),
    }
}

impl RedisSessions {
    /// `deployment` names this Herald's database (any stable string, e.g.
    /// its URL): user ids are only unique within one database, so two
    /// deployments sharing a Redis must not share the per-user sets. Only a
    /// hash of it is used.
    pub fn new(conn: ConnectionManager, deployment: &str) -> RedisSessions {
        RedisSessions {
            conn,
            namespace: namespace(deployment),
        }
    }

    fn session_key(&self, hash: &str) -> String {
        format!("herald:{}:session:{hash}", self.namespace)
    }

    fn user_key(&self, user: i64) -> String {
        user_sessions_key(&self.namespace, user)
    }

    fn parse(hash: &str, fields: HashMap<String, String>) -> Option<SessionRecord> {
        let int = |k: &str| fields.get(k)?.parse::<i64>().ok();
        let text = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
        Some(SessionRecord {
            token_hash: hash.to_owned(),
            user_id: int("user")?,
            created_at: DbTime::from_micros(int("created")?).0,
            last_seen_at: DbTime::from_micros(int("seen")?).0,
            expires_at: DbTime::from_micros(int("expires")?).0,
            ip: text("ip"),
            user_agent: text("ua"),
        })
    }
}

#[async_trait]
impl SessionStore for RedisSessions {
    async fn insert(&self, s: &SessionRecord) -> Result<(), SessionStoreError> {
        let ttl_ms = u64::try_from(s.expires_at.as_millisecond() - s.created_at.as_millisecond())
            .unwrap_or(0)
            .max(1);
        let key = self.session_key(&s.token_hash);
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset_multiple(
                &key,
                &[
                    ("user", s.user_id.to_string()),
                    ("created", s.created_at.as_microsecond().to_string()),
                    ("seen", s.last_seen_at.as_microsecond().to_string()),
                    ("expires", s.expires_at.as_microsecond().to_string()),
                    ("ip", s.ip.clone().unwrap_or_default()),
                    ("ua", s.user_agent.clone().unwrap_or_default()),
                ],
            )
            .ignore()
            .pexpire(&key, ttl_ms as i64)
            .ignore()
            .sadd(self.user_key(s.user_id), &s.token_hash)
            .ignore()
            .pexpire(self.user_key(s.user_id), ttl_ms as i64)
            .ignore();
        bounded("insert", pipe.query_async::<()>(&mut conn)).await
    }

    async fn get(&self, token_hash: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        let mut conn = self.conn.clone();
        let fields: HashMap<String, String> =
            bounded("get", conn.hgetall(self.session_key(token_hash))).await?;
        Ok(Self::parse(token_hash, fields))
    }

    async fn touch(&self, token_hash: &str, now: Timestamp) -> Result<(), SessionStoreError> {
        let mut conn = self.conn.clone();
        let key = self.session_key(token_hash);
        // Only a session that still exists is touched (no resurrection).
        let script = redis::Script::new(
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'seen', ARGV[1]) end return 0",
        );
        bounded(
            "touch",
            script
                .key(key)
                .arg(now.as_microsecond())
                .invoke_async::<i64>(&mut conn),
        )
        .await
        .map(|_| ())
    }

    async fn list(
        &self,
        user: i64,
        now: Timestamp,
    ) -> Result<Vec<SessionRecord>, SessionStoreError> {
        let mut conn = self.conn.clone();
        let hashes: Vec<String> = bounded("list", conn.smembers(self.user_key(user))).await?;
        // One round trip for all of the user's sessions.
        let mut pipe = redis::pipe();
        for hash in &hashes {
            pipe.hgetall(self.session_key(hash));
        }
        let all: Vec<HashMap<String, String>> = if hashes.is_empty() {
            Vec::new()
        } else {
            bounded("list", pipe.query_async(&mut conn)).await?
        };
        let mut out = Vec::new();
        let mut gone = Vec::new();
        for (hash, fields) in hashes.into_iter().zip(all) {
            match Self::parse(&hash, fields) {
                Some(s) if s.expires_at > now => out.push(s),
                _ => gone.push(hash),
            }
        }
        if !gone.is_empty() {
            bounded("list", conn.srem::<_, _, ()>(self.user_key(user), &gone)).await?;
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.last_seen_at));
        Ok(out)
    }

    async fn revoke(
        &self,
        user: i64,
        only: Option<&str>,
        except: Option<&str>,
        _now: Timestamp,
    ) -> Result<u64, SessionStoreError> {
        let mut conn = self.conn.clone();
        let members: Vec<String> = bounded("revoke", conn.smembers(self.user_key(user))).await?;
        let targets: Vec<String> = members
            .into_iter()
            .filter(|h| only.is_none_or(|o| o == h) && except.is_none_or(|e| e != h))
            .collect();
        if targets.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = targets.iter().map(|h| self.session_key(h)).collect();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(&keys)
            .srem(self.user_key(user), &targets)
            .ignore();
        let (deleted,): (u64,) = bounded("revoke", pipe.query_async(&mut conn)).await?;
        Ok(deleted)
    }

    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn purge(&self, _now: Timestamp, _idle: Timestamp) -> Result<u64, SessionStoreError> {
        // Each session's hash expires at its absolute end by itself; an
        // idle one is refused on lookup and expires the same way.
        Ok(0)
    }
}
