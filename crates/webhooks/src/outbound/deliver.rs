//! The `webhooks.deliver.v1` job: one HTTP attempt of one delivery, and
//! what follows from its outcome.
//!
//! The job loads the delivery, message and endpoint, signs the stored body
//! (current secret, plus the previous one during a rotation), POSTs it
//! through the SSRF-guarded client, then records the attempt and the new
//! state in one transaction — never holding a transaction across the
//! request. A failure is retried by the job queue after
//! [`crate::retry_delay`] (or a longer `Retry-After`, capped at 24 hours);
//! after the last scheduled attempt the delivery is dead. A 410 Gone, or a
//! failure after five days of nothing but failures, disables the endpoint.
//! Each of those ends raises an in-app notice to the workspace.

use herald_core::Named;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use herald_core::{SignedDuration, Timestamp};
use herald_db::DbTime;
use herald_jobs::{Handler, JobContext, JobError, JobPayload};
use reqwest::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::metrics as m;
use super::store::{self, NewAttempt, SendRow};
use super::{DISABLED_FAILING, DISABLED_GONE, DeliveryState, Outbound, endpoint_link};
use crate::ssrf::{self, ResolveRefused};
use crate::{RETRY_SCHEDULE, WebhooksError, standard};
use herald_notify::{Audience, Notice, NoticeParam, NotificationKind, Raise};

/// The queue outbound deliveries run on (give it its own concurrency).
pub const QUEUE: &str = "webhooks_out";
/// Sent as `User-Agent` with every delivery.
pub const USER_AGENT: &str = "Herald-Webhooks/1";
/// How long one request may take, response body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// An endpoint failing this long (every delivery failing) is disabled.
pub const DISABLE_AFTER_FAILING: SignedDuration = SignedDuration::from_hours(5 * 24);
/// How much of a response body an attempt keeps.
pub const EXCERPT_BYTES: usize = 1024;

/// Delivers one outbound delivery. Carries ids only: `generation` names
/// the run it belongs to (a replay starts a new one, making older queued
/// jobs no-ops), `replayed_by` the person who asked for the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverJob {
    pub delivery_id: i64,
    pub generation: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed_by: Option<i64>,
}

impl JobPayload for DeliverJob {
    const KIND: &'static str = "webhooks.deliver.v1";
    const QUEUE: &'static str = QUEUE;
    const MAX_ATTEMPTS: i32 = 1 + RETRY_SCHEDULE.len() as i32;
}

pub(crate) struct DeliverHandler(pub Outbound);

#[async_trait]
impl Handler<DeliverJob> for DeliverHandler {
    async fn run(&self, job: DeliverJob, ctx: &JobContext) -> Result<(), JobError> {
        self.0.deliver(&job, ctx).await
    }
}

/// How an attempt ended, for the metric label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Succeeded,
    HttpError,
    Timeout,
    NetworkError,
    Refused,
    Internal,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Succeeded => "succeeded",
            Kind::HttpError => "http_error",
            Kind::Timeout => "timeout",
            Kind::NetworkError => "network_error",
            Kind::Refused => "refused",
            Kind::Internal => "internal_error",
        }
    }
}

/// The result of one HTTP attempt, before it is written down.
#[derive(Debug)]
struct Sent {
    kind: Kind,
    status: Option<u16>,
    error: Option<String>,
    excerpt: Option<String>,
    retry_after: Option<Duration>,
    duration: Duration,
}

impl Sent {
    fn failed(kind: Kind, error: String) -> Sent {
        Sent {
            kind,
            status: None,
            error: Some(error),
            excerpt: None,
            retry_after: None,
            duration: Duration::ZERO,
        }
    }
}

/// What the job does after recording an attempt.
enum Next {
    Done,
    RetryIn(Duration, String),
}

fn storage(e: impl Into<WebhooksError>) -> JobError {
    JobError::transient_from("outbound webhook storage failed", e.into())
}

impl Outbound {
    pub(crate) async fn deliver(&self, job: &DeliverJob, ctx: &JobContext) -> Result<(), JobError> {
        let inner = &self.inner;
        // A deleted endpoint took its deliveries with it: nothing to do.
        let Some(row) = store::load_for_send(&inner.db, job.delivery_id)
            .await
            .map_err(storage)?
        else {
            return Ok(());
        };
        let sendable = matches!(
            DeliveryState::parse(&row.state),
            Some(DeliveryState::Pending | DeliveryState::Retrying)
        );
        // A job of an older run (replayed since) or of a run that already
        // ended (a re-run after a crash) does nothing.
        if row.generation != job.generation || !sendable {
            return Ok(());
        }
        if !row.enabled {
            let now = inner.clock.now();
            store::bury_unsent(
                &inner.db,
                row.delivery_id,
                row.generation,
                "endpoint disabled",
                now,
            )
            .await
            .map_err(storage)?;
            return Ok(());
        }
        let sent = self.send(&row).await;
        metrics::counter!(m::ATTEMPTS, "outcome" => sent.kind.label()).increment(1);
        let next = self.record(&row, job, ctx, &sent).await?;
        match next {
            Next::Done => Ok(()),
            Next::RetryIn(delay, error) => Err(JobError::transient(error).retry_after(delay)),
        }
    }

    /// One signed POST of the stored body.
    async fn send(&self, row: &SendRow) -> Sent {
        let inner = &self.inner;
        let now = inner.clock.now();
        let Ok(url) = url::Url::parse(&row.url) else {
            return Sent::failed(Kind::Refused, "refused: the stored URL is not valid".into());
        };
        if let Err(e) = ssrf::check_target(&url, inner.policy) {
            return Sent::failed(Kind::Refused, format!("refused: {e}"));
        }
        let http = match &inner.http {
            Ok(client) => client,
            Err(e) => {
                return Sent::failed(
                    Kind::Internal,
                    format!("the HTTP client is unavailable: {e}"),
                );
            }
        };
        let secrets = match self.signing_secrets(row, now) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(endpoint = %row.endpoint_id, error = %crate::error::describe(&e), "could not open an endpoint's signing secret");
                return Sent::failed(
                    Kind::Internal,
                    "could not open the endpoint's signing secret".into(),
                );
            }
        };
        let timestamp = now.as_second();
        let keys: Vec<&str> = secrets
            .iter()
            .map(secrecy::ExposeSecret::expose_secret)
            .collect();
        let signature = match standard::signature_header(
            &keys,
            &row.message_id,
            timestamp,
            row.payload.as_bytes(),
        ) {
            Ok(sig) => sig,
            Err(e) => {
                return Sent::failed(Kind::Internal, format!("could not sign the message: {e}"));
            }
        };

        let started = Instant::now();
        let response = http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", &row.message_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(row.payload.clone())
            .send()
            .await;
        let duration = started.elapsed();
        metrics::histogram!(m::LATENCY).record(duration.as_secs_f64());
        match response {
            Ok(resp) => {
                let status = resp.status();
                let retry_after = retry_after(resp.headers().get(RETRY_AFTER), inner.clock.now());
                let excerpt = excerpt(resp).await;
                let (kind, error) = if status.is_success() {
                    (Kind::Succeeded, None)
                } else if status.is_redirection() {
                    (
                        Kind::HttpError,
                        Some(format!(
                            "HTTP {}: redirects are not followed",
                            status.as_u16()
                        )),
                    )
                } else {
                    (Kind::HttpError, Some(format!("HTTP {}", status.as_u16())))
                };
                Sent {
                    kind,
                    status: Some(status.as_u16()),
                    error,
                    excerpt,
                    retry_after,
                    duration,
                }
            }
            Err(e) => {
                let (kind, error) = classify(e.without_url(), inner.timeout);
                Sent {
                    duration,
                    ..Sent::failed(kind, error)
                }
            }
        }
    }

    /// The current secret, and the previous one while it still signs.
    fn signing_secrets(
        &self,
        row: &SendRow,
        now: Timestamp,
    ) -> Result<Vec<SecretString>, WebhooksError> {
        let mut secrets = vec![self.open_secret(&row.secret, &row.endpoint_id)?];
        if let (Some(previous), Some(until)) = (&row.previous_secret, row.previous_expires_at)
            && until.0 > now
        {
            secrets.push(self.open_secret(previous, &row.endpoint_id)?);
        }
        Ok(secrets)
    }

    /// Writes the attempt down and decides what happens next, in one
    /// transaction.
    async fn record(
        &self,
        row: &SendRow,
        job: &DeliverJob,
        ctx: &JobContext,
        sent: &Sent,
    ) -> Result<Next, JobError> {
        let inner = &self.inner;
        let now = inner.clock.now();
        let status = sent.status.map(i32::from);
        let error = sent.error.as_deref();
        let mut tx = inner.db.begin().await.map_err(storage)?;
        let Some((number, generation)) = store::next_attempt_number(&mut tx, row.delivery_id)
            .await
            .map_err(storage)?
        else {
            // The endpoint was deleted while the request was out.
            return Ok(Next::Done);
        };
        store::insert_attempt(
            &mut tx,
            &NewAttempt {
                delivery: row.delivery_id,
                number,
                at: now,
                status,
                duration_ms: i64::try_from(sent.duration.as_millis()).unwrap_or(i64::MAX),
                error,
                response_excerpt: sent.excerpt.as_deref(),
                // The person asked for this run's first attempt; the
                // retries that follow are the schedule's.
                replayed_by: if ctx.attempt == 1 {
                    job.replayed_by
                } else {
                    None
                },
            },
        )
        .await
        .map_err(storage)?;

        if generation != row.generation {
            // A replay started a newer run while this attempt was out: the
            // attempt is history, and that run decides what happens next.
            tx.commit().await.map_err(storage)?;
            return Ok(Next::Done);
        }

        let workspace = row.workspace_id;
        let host = url::Url::parse(&row.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| row.endpoint_id.clone());
        let link = endpoint_link(&row.endpoint_id);
        let mut notices: Vec<(Notice, &'static str)> = Vec::new();
        let (state, next_at, next) = if sent.kind == Kind::Succeeded {
            store::endpoint_succeeded(&mut tx, &row.endpoint_id, now)
                .await
                .map_err(storage)?;
            (DeliveryState::Succeeded, None, Next::Done)
        } else if sent.status == Some(410) {
            if store::disable_endpoint(&mut tx, &row.endpoint_id, DISABLED_GONE, now)
                .await
                .map_err(storage)?
            {
                notices.push((
                    Notice::new("endpoint_gone", [("host", host.as_str().into())]),
                    "gone",
                ));
            }
            (DeliveryState::Dead, None, Next::Done)
        } else {
            let failing_since = DbTime::from_micros(
                store::endpoint_failed(&mut tx, &row.endpoint_id, now)
                    .await
                    .map_err(storage)?,
            )
            .0;
            let delay = if ctx.is_last_attempt() {
                None
            } else {
                usize::try_from(ctx.attempt)
                    .ok()
                    .and_then(crate::retry_delay)
            };
            if now.duration_since(failing_since) >= DISABLE_AFTER_FAILING {
                if store::disable_endpoint(&mut tx, &row.endpoint_id, DISABLED_FAILING, now)
                    .await
                    .map_err(storage)?
                {
                    let days = DISABLE_AFTER_FAILING.as_hours() / 24;
                    notices.push((
                        Notice::new(
                            "endpoint_failing",
                            [
                                ("host", host.as_str().into()),
                                ("days", NoticeParam::Count(days.unsigned_abs())),
                            ],
                        ),
                        "failing",
                    ));
                }
                (DeliveryState::Dead, None, Next::Done)
            } else if let Some(delay) = delay {
                let delay = match sent.retry_after {
                    Some(asked) => delay.max(asked.min(MAX_RETRY_AFTER)),
                    None => delay,
                };
                let at = now + SignedDuration::try_from(delay).unwrap_or(SignedDuration::MAX);
                let error = error.unwrap_or("failed").to_owned();
                (
                    DeliveryState::Retrying,
                    Some(at),
                    Next::RetryIn(delay, error),
                )
            } else {
                notices.push((
                    Notice::new("endpoint_exhausted", [("host", host.as_str().into())]),
                    "exhausted",
                ));
                (DeliveryState::Dead, None, Next::Done)
            }
        };
        let current = store::set_delivery_state(
            &mut tx,
            row.delivery_id,
            row.generation,
            store::AttemptEnd {
                state: state.as_str(),
                status,
                error,
                next_attempt_at: next_at,
            },
            now,
        )
        .await
        .map_err(storage)?;
        if !current {
            // Cannot happen while the row is locked (checked above); kept so
            // a stale run never schedules a retry.
            tx.commit().await.map_err(storage)?;
            return Ok(Next::Done);
        }
        for (notice, _) in &notices {
            let raise = Raise::new(
                workspace,
                Audience::Permitted(herald_accounts::Permission::ManageWebhooks),
                NotificationKind::EndpointFailing,
                notice,
            )
            .link(&link);
            crate::notify(&self.inner.queue, &mut tx, &raise, now)
                .await
                .map_err(|e| JobError::transient_from("could not raise a notification", e))?;
        }
        tx.commit().await.map_err(storage)?;

        for (_, why) in &notices {
            match *why {
                "exhausted" => metrics::counter!(m::EXHAUSTED).increment(1),
                reason => metrics::counter!(m::DISABLED, "reason" => reason).increment(1),
            }
            match *why {
                "exhausted" => tracing::warn!(
                    endpoint = %row.endpoint_id,
                    delivery = row.delivery_id,
                    message = %row.message_id,
                    attempts = number,
                    "outbound webhook delivery exhausted its retries; it is dead until replayed"
                ),
                reason => tracing::warn!(
                    endpoint = %row.endpoint_id,
                    reason,
                    "outbound webhook endpoint disabled"
                ),
            }
        }
        if let Next::RetryIn(delay, _) = &next {
            tracing::info!(endpoint = %row.endpoint_id, delivery = row.delivery_id, attempt = number, retry_in = ?delay, error = error.unwrap_or(""), "outbound webhook attempt failed; will retry");
        }
        Ok(next)
    }
}

/// A transport failure's kind and description (without the URL, which may
/// hold a token in its query).
fn classify(err: reqwest::Error, timeout: Duration) -> (Kind, String) {
    if err.is_timeout() {
        return (
            Kind::Timeout,
            format!("timed out after {} ms", timeout.as_millis()),
        );
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(c) = cause {
        if let Some(refused) = c.downcast_ref::<ResolveRefused>() {
            return (Kind::Refused, refused.to_string());
        }
        cause = c.source();
    }
    (Kind::NetworkError, crate::error::describe(&err))
}

/// `Retry-After` as a delay: delta-seconds or an HTTP date.
fn retry_after(value: Option<&HeaderValue>, now: Timestamp) -> Option<Duration> {
    let text = value?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::DateTimeParser::new()
        .parse_timestamp(text)
        .ok()?;
    Some(Duration::try_from(now.duration_until(at)).unwrap_or(Duration::ZERO))
}

/// The first [`EXCERPT_BYTES`] of the body, as lossy UTF-8.
async fn excerpt(mut resp: reqwest::Response) -> Option<String> {
    let mut buf = Vec::new();
    while buf.len() < EXCERPT_BYTES {
        match resp.chunk().await {
            Ok(Some(chunk)) => buf.extend_from_slice(&chunk),
            _ => break,
        }
    }
    if buf.is_empty() {
        return None;
    }
    buf.truncate(EXCERPT_BYTES);
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let hv = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(
            retry_after(Some(&hv("120")), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(Some(&hv(" 7 ")), now),
            Some(Duration::from_secs(7))
        );
        let later = now + SignedDuration::from_secs(3600);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&later)
            .unwrap();
        assert_eq!(
            retry_after(Some(&hv(&date)), now),
            Some(Duration::from_secs(3600))
        );
        let past = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&(now - SignedDuration::from_secs(60)))
            .unwrap();
        assert_eq!(retry_after(Some(&hv(&past)), now), Some(Duration::ZERO));
        assert_eq!(retry_after(Some(&hv("soon")), now), None);
        assert_eq!(retry_after(Some(&hv("-5")), now), None);
        assert_eq!(retry_after(None, now), None);
    }

    #[test]
    fn the_job_runs_once_plus_once_per_scheduled_retry() {
        assert_eq!(DeliverJob::MAX_ATTEMPTS, 9);
        assert_eq!(DeliverJob::KIND, "webhooks.deliver.v1");
        let job = DeliverJob {
            delivery_id: 4,
            generation: 2,
            replayed_by: None,
        };
        assert_eq!(
            serde_json::to_value(&job).unwrap(),
            serde_json::json!({"delivery_id": 4, "generation": 2})
        );
    }
}

/// Property tests: a receiver's `Retry-After`, whatever it says, never
/// panics the delivery job.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_retry_after_values_never_panic(
            value in prop_oneof![
                "[ -~]{0,64}",
                "[0-9]{1,30}",
                "(Mon|Tue|Sun), [0-9]{1,2} (Jan|Feb|Dec) [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} (GMT|[+-][0-9]{4})",
            ],
            now in -377_705_116_800i64..=253_402_207_199,
        ) {
            let now = Timestamp::from_second(now).expect("in range");
            let Ok(header) = HeaderValue::from_str(&value) else {
                return Ok(());
            };
            let delay = retry_after(Some(&header), now);
            if let Ok(secs) = value.trim().parse::<u64>() {
                prop_assert_eq!(delay, Some(Duration::from_secs(secs)));
            }
        }

        #[test]
        fn http_dates_become_the_delay_until_them(
            now in 0i64..4_000_000_000,
            ahead in 0i64..10_000_000,
        ) {
            let now = Timestamp::from_second(now).expect("in range");
            let at = now + SignedDuration::from_secs(ahead);
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&at)
                .expect("printable");
            let header = HeaderValue::from_str(&date).expect("ASCII");
            prop_assert_eq!(
                retry_after(Some(&header), now),
                Some(Duration::from_secs(ahead.unsigned_abs()))
            );
        }
    }
}
