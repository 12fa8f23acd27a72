//! Why a limiter could not decide, and URL redaction for the messages.

use std::time::Duration;

/// Why a limiter could not be opened or could not answer. Messages show
/// Redis URLs with the password masked.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// A limit that allows nothing, has no period or a period over a year.
    #[error("invalid rate limit `{name}`: {burst} per {per:?}")]
    InvalidLimit {
        name: &'static str,
        burst: u32,
        per: Duration,
    },
    #[error("invalid Redis URL `{url}`")]
    InvalidUrl {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    #[error("could not connect to Redis at `{url}`")]
    Connect {
        url: String,
        #[source]
        source: redis::RedisError,
    },
    /// A command failed (the server went away, a network error, a timeout).
    #[error("Redis {op} failed")]
    Redis {
        op: &'static str,
        #[source]
        source: redis::RedisError,
    },
    /// No answer in time, e.g. while reconnecting to a server that is down.
    #[error("Redis {op} did not answer within {after:?}")]
    Timeout { op: &'static str, after: Duration },
}

/// `url` with any password replaced by `***`, for messages and logs.
/// Covers `redis://:secret@host` (password only) and `redis://user:secret@host`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_redis_urls() {
        assert_eq!(
            redact_url("redis://:s3cret@cache:6379/0"),
            "redis://:***@cache:6379/0"
        );
        assert_eq!(
            redact_url("redis://herald:s3:cr@t@cache"),
            "redis://herald:***@cache"
        );
        assert_eq!(
            redact_url("redis://herald@cache/1"),
            "redis://herald@cache/1"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
