//! What the Graph publishers (Instagram, Facebook Pages) share: the calls
//! as the account ([`Graph`]), progress keys and markers, the follow-ups
//! after publishing (permalink, first comment) with their retries, Graph
//! listings with cursors, and Graph's time format.

use herald_core::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Progress, PublishRequest, Published, Step, marked, with};
use crate::client::{Call, Method, PlatformClient};
use crate::meta::{GRAPH_VERSION, GraphDialect};
use crate::{ErrorKind, Hosts, PlatformError, ProviderId};

/// Hint codes of Instagram and Facebook publishing; see
/// [`crate::HINT_CODES`].
pub const HINTS: &[&str] = &[];

pub(super) const PERMALINK: &str = "permalink";
pub(super) const PERMALINK_WARNING: &str = "permalink_warning";
pub(super) const COMMENT_INTENT: &str = "comment_intent_at";
pub(super) const COMMENT_ID: &str = "comment_id";
pub(super) const COMMENT_WARNING: &str = "comment_warning";
/// The hint of the comment's warning (JSON), when it has one.
pub(super) const COMMENT_HINT: &str = "comment_hint";

/// Tries of a follow-up (permalink, first comment) before it becomes a
/// warning.
pub(super) const FOLLOW_UP_TRIES: u32 = 5;

/// How far before the intent marker a reconciled object may be dated
/// (clock skew between Herald and the platform).
pub(super) const RECONCILE_SLACK: SignedDuration = SignedDuration::from_secs(60);

/// The Graph API one publisher speaks: which provider's app and which host
/// (graph.facebook.com or graph.instagram.com). Every call goes out with
/// the account's token, in the account's rate-limit bucket, and is read in
/// Graph's error dialect.
pub(super) struct Graph {
    hosts: Hosts,
    client: PlatformClient,
    provider: ProviderId,
    host: &'static str,
}

/// The answer of a call that creates something.
#[derive(Deserialize)]
pub(super) struct IdReply {
    pub id: String,
}

/// What the follow-ups of one Graph platform call and say: the parts that
/// differ between Facebook and Instagram.
pub(super) struct FollowUps {
    /// The platform's name in warnings ("Instagram did not give ...").
    pub platform: &'static str,
    /// The endpoint name and `fields` of reading the post's permalink.
    pub link_endpoint: &'static str,
    pub link_fields: &'static str,
    /// The endpoint name of the post's comments, and the query of listing
    /// them (before `limit`).
    pub comments_endpoint: &'static str,
    pub comment_query: &'static [(&'static str, &'static str)],
    /// When set, the first comment is not posted and this is the warning
    /// (stories take no comments).
    pub no_comment: Option<&'static str>,
    /// The permissions commenting takes: a refusal for want of one is not
    /// retried and its warning carries a hint naming them (empty: no hint).
    pub comment_scopes: &'static [&'static str],
}

/// A post as read for its permalink.
pub(super) trait Linked: DeserializeOwned + Send {
    /// Its permalink, as Herald shows it, when Graph gave one.
    fn permalink(self) -> Option<String>;
}

/// A comment as a Graph API lists it (Facebook and Instagram name its
/// fields differently).
pub(super) trait Listed: DeserializeOwned + Send {
    fn id(self) -> String;
    fn text(&self) -> Option<&str>;
    /// When it was made, in Graph's time format.
    fn time(&self) -> Option<&str>;
}

impl Graph {
    /// The Graph API of `provider`'s app on `host`.
    pub(super) fn new(
        hosts: Hosts,
        client: PlatformClient,
        provider: ProviderId,
        host: &'static str,
    ) -> Graph {
        Graph {
            hosts,
            client,
            provider,
            host,
        }
    }

    /// The provider whose app (and error vocabulary) the calls use.
    pub(super) fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The client's clock.
    pub(super) fn now(&self) -> Timestamp {
        self.client.clock().now()
    }

    /// A call to `path` (after the Graph version) on another Graph host
    /// (graph-video.facebook.com), as the account.
    pub(super) fn call_on(
        &self,
        host: &str,
        request: &PublishRequest,
        endpoint: &'static str,
        method: Method,
        path: &str,
    ) -> Call {
        let url = self.hosts.url(host, &format!("/{GRAPH_VERSION}{path}"));
        Call::new(self.provider, endpoint, method, url)
            .bearer(&request.access_token)
            .bucket(request.account_id.clone())
    }

    /// A call to `path` (after the Graph version) on this API's host, as
    /// the account.
    pub(super) fn call(
        &self,
        request: &PublishRequest,
        endpoint: &'static str,
        method: Method,
        path: &str,
    ) -> Call {
        self.call_on(self.host, request, endpoint, method, path)
    }

    /// Sends `call` and reads the answer, Graph errors classified.
    pub(super) async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<T, PlatformError> {
        self.client
            .send(&call, &GraphDialect(self.provider))
            .await?
            .json(self.provider)
    }

    /// Sends a call that creates something (never repeated blindly) and
    /// returns the id of what it made.
    pub(super) async fn create(&self, call: Call) -> Result<String, PlatformError> {
        Ok(self.send::<IdReply>(call.idempotent(false)).await?.id)
    }

    /// The post exists: read its permalink, then post the first comment
    /// (after its own intent marker, reconciled through the post's
    /// comments), one per step, then answer `Done` with `remote_id`.
    /// Neither follow-up fails the post: after a few retries each becomes a
    /// warning. `L` is the post as read for its link, `C` a listed comment.
    pub(super) async fn follow_up<L: Linked, C: Listed>(
        &self,
        request: &PublishRequest,
        progress: &Progress,
        post: &str,
        remote_id: &str,
        rules: &FollowUps,
    ) -> Result<Step, PlatformError> {
        if !progress.contains_key(PERMALINK) && !progress.contains_key(PERMALINK_WARNING) {
            let call = self
                .call(
                    request,
                    rules.link_endpoint,
                    Method::Get,
                    &format!("/{post}"),
                )
                .query("fields", rules.link_fields);
            return Ok(match self.send::<L>(call).await.map(Linked::permalink) {
                Ok(Some(link)) => Step::Continue(with(progress, PERMALINK, link)),
                Ok(None) => Step::Continue(with(
                    progress,
                    PERMALINK_WARNING,
                    format!("{} did not give the post's link", rules.platform),
                )),
                Err(e) => follow_up_failed(
                    self.now(),
                    progress,
                    &e,
                    PERMALINK_WARNING,
                    "reading the post's link",
                ),
            });
        }
        let comment = request
            .first_comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        if let Some(comment) = comment
            && !progress.contains_key(COMMENT_ID)
            && !progress.contains_key(COMMENT_WARNING)
        {
            if let Some(warning) = rules.no_comment {
                return Ok(Step::Continue(with(progress, COMMENT_WARNING, warning)));
            }
            let Some(intent) = instant(progress, COMMENT_INTENT) else {
                return Ok(Step::Continue(marked(progress, COMMENT_INTENT, self.now())));
            };
            return Ok(
                match self
                    .comment::<C>(request, rules, post, comment, intent)
                    .await
                {
                    Ok(id) => Step::Continue(with(progress, COMMENT_ID, id)),
                    Err(e)
                        if matches!(e.kind, ErrorKind::Reconsent { .. })
                            && !rules.comment_scopes.is_empty() =>
                    {
                        Step::Continue(comment_refused(progress, &e, rules))
                    }
                    Err(e) => follow_up_failed(
                        self.now(),
                        progress,
                        &e,
                        COMMENT_WARNING,
                        "posting the first comment",
                    ),
                },
            );
        }
        Ok(Step::Done(published(remote_id, progress)))
    }

    /// Finds the comment an earlier attempt posted on `post` (same text,
    /// not older than the marker minus a minute), or posts it.
    async fn comment<C: Listed>(
        &self,
        request: &PublishRequest,
        rules: &FollowUps,
        post: &str,
        text: &str,
        intent: Timestamp,
    ) -> Result<String, PlatformError> {
        let mut list = self.call(
            request,
            rules.comments_endpoint,
            Method::Get,
            &format!("/{post}/comments"),
        );
        for (key, value) in rules.comment_query {
            list = list.query(key, *value);
        }
        let listing: Listing<C> = self.send(list.query("limit", "50")).await?;
        let since = intent - RECONCILE_SLACK;
        if let Some(existing) = listing
            .data
            .into_iter()
            .find(|c| c.text().map(str::trim) == Some(text) && made_since(c.time(), since))
        {
            return Ok(existing.id());
        }
        let call = self
            .call(
                request,
                rules.comments_endpoint,
                Method::Post,
                &format!("/{post}/comments"),
            )
            .form(&[("message", text)]);
        self.create(call).await
    }
}

#[derive(Deserialize)]
pub(super) struct Listing<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Graph's cursors; `next` is only there when another page exists.
    #[serde(default)]
    pub paging: Option<Paging>,
}

#[derive(Deserialize, Default)]
pub(super) struct Paging {
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub cursors: Option<Cursors>,
}

#[derive(Deserialize, Default)]
pub(super) struct Cursors {
    #[serde(default)]
    pub after: Option<String>,
}

impl<T> Listing<T> {
    /// The cursor of the next page, when there is one.
    pub(super) fn after(&self) -> Option<String> {
        let paging = self.paging.as_ref()?;
        paging.next.as_ref()?;
        paging.cursors.as_ref()?.after.clone()
    }
}

/// A follow-up call failed: retry transient failures a few times (as a
/// `Wait`, so the post is never reported failed), then give up with a
/// warning.
pub(super) fn follow_up_failed(
    now: Timestamp,
    progress: &Progress,
    error: &PlatformError,
    warning_key: &str,
    what: &str,
) -> Step {
    let tries_key = format!("{warning_key}.tries");
    let tries = count(progress, &tries_key) + 1;
    let retry = error.is_transient() || error.kind == ErrorKind::OutcomeUnknown;
    if retry && tries < FOLLOW_UP_TRIES {
        let at = match error.kind {
            ErrorKind::RateLimited { until: Some(until) } if until > now => until,
            _ => now + SignedDuration::from_secs(5 * i64::from(tries)),
        };
        return Step::Wait {
            progress: with(progress, &tries_key, tries.to_string()),
            at,
        };
    }
    Step::Continue(with(
        progress,
        warning_key,
        format!("{what} failed: {error}"),
    ))
}

/// The platform refused the first comment for want of a permission:
/// asking again will not help, so it becomes a warning at once, with the
/// hint that names the permissions and says to reconnect.
fn comment_refused(progress: &Progress, error: &PlatformError, rules: &FollowUps) -> Progress {
    let hint = crate::Hint::new(
        crate::meta::FIRST_COMMENT_PERMISSION,
        [("scopes", rules.comment_scopes.join(", "))],
    );
    let warned = with(
        progress,
        COMMENT_WARNING,
        format!("posting the first comment failed: {error}"),
    );
    with(
        &warned,
        COMMENT_HINT,
        serde_json::to_string(&hint).unwrap_or_default(),
    )
}

/// The final answer from the saved progress.
pub(super) fn published(remote_id: &str, progress: &Progress) -> Published {
    let warnings = [PERMALINK_WARNING, COMMENT_WARNING]
        .iter()
        .filter_map(|k| progress.get(*k).cloned())
        .collect();
    Published {
        remote_id: remote_id.to_owned(),
        permalink: progress.get(PERMALINK).cloned(),
        progress: progress.clone(),
        warnings,
    }
}

/// The hints of a Graph publisher's warnings, from its final progress.
pub(super) fn hints(progress: &Progress) -> Vec<crate::Hint> {
    progress
        .get(COMMENT_HINT)
        .and_then(|h| serde_json::from_str(h).ok())
        .into_iter()
        .collect()
}

pub(super) fn count(progress: &Progress, key: &str) -> u32 {
    progress.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A marker saved as unix seconds.
pub(super) fn instant(progress: &Progress, key: &str) -> Option<Timestamp> {
    progress
        .get(key)
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok())
}

pub(super) fn required(
    progress: &Progress,
    key: &str,
    provider: ProviderId,
) -> Result<String, PlatformError> {
    progress.get(key).cloned().ok_or_else(|| {
        PlatformError::new(
            provider,
            ErrorKind::BadRequest,
            format!("the saved progress lacks {key}"),
        )
    })
}

/// Whether a listed object's Graph `time` is known and not before `since`
/// (how reconciliation tells an earlier attempt's object from older ones).
pub(super) fn made_since(time: Option<&str>, since: Timestamp) -> bool {
    time.and_then(parse_time).is_some_and(|t| t >= since)
}

/// Graph's `2026-01-01T00:00:00+0000` (or RFC 3339).
pub(super) fn parse_time(s: &str) -> Option<Timestamp> {
    Timestamp::strptime("%Y-%m-%dT%H:%M:%S%z", s)
        .ok()
        .or_else(|| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_times_parse() {
        assert_eq!(
            parse_time("2026-01-01T00:00:02+0000").map(herald_core::Timestamp::as_second),
            Some(1_767_225_602)
        );
        assert_eq!(
            parse_time("2026-01-01T00:00:02Z").map(herald_core::Timestamp::as_second),
            Some(1_767_225_602)
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn transient_follow_up_failures_wait_then_warn() {
        let now = Timestamp::from_second(1_000).unwrap();
        let error = PlatformError::new(ProviderId::Facebook, ErrorKind::Unavailable, "down");
        let mut progress = Progress::new();
        for _ in 1..FOLLOW_UP_TRIES {
            match follow_up_failed(now, &progress, &error, COMMENT_WARNING, "commenting") {
                Step::Wait { progress: next, at } => {
                    assert!(at > now);
                    progress = next;
                }
                other => panic!("expected a wait, got {other:?}"),
            }
        }
        match follow_up_failed(now, &progress, &error, COMMENT_WARNING, "commenting") {
            Step::Continue(next) => assert!(next[COMMENT_WARNING].starts_with("commenting failed")),
            other => panic!("expected a warning, got {other:?}"),
        }
        let bad = PlatformError::new(ProviderId::Facebook, ErrorKind::BadRequest, "no");
        assert!(matches!(
            follow_up_failed(now, &Progress::new(), &bad, COMMENT_WARNING, "x"),
            Step::Continue(_)
        ));
    }
}
