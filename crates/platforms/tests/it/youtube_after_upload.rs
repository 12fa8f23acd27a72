//! YouTube after the upload, against the simulator: a rejected or failed
//! video fails the post with YouTube's reason (and a retry of the same file
//! uploads nothing new), an aborted upload goes up again, the private lock
//! of unaudited projects is a notice on a published post, processing is
//! watched with backing-off reads up to a stated limit, and the daily
//! `videos.insert` budget and YouTube's `quotaExceeded` postpone to
//! Pacific midnight.

use std::time::Duration;

use herald_core::SignedDuration;
use herald_platforms::publish::youtube::{self, PROCESSING_LIMIT, YouTubePublisher};
use herald_platforms::youtube::next_quota_reset;
use herald_platforms::{
    AccountKind, Candidate, ErrorKind, MediaSource, PlatformError, PostFormat, Progress,
    ProviderId, PublishRequest, Published, Publisher, Step,
};
use herald_sandbox::FaultKind;
use serde_json::json;

use crate::helpers::*;
use crate::publishing::{MediaFiles, mp4};

const YT: ProviderId = ProviderId::YouTube;

async fn channel(env: &Env) -> Candidate {
    let grant = env.connect(YT).await;
    grant.accounts.into_iter().next().expect("a channel")
}

fn request(channel: &Candidate, files: &MediaFiles, id: &str) -> PublishRequest {
    PublishRequest {
        kind: AccountKind::YouTubeChannel,
        account_id: channel.remote_id.clone(),
        access_token: channel.credentials.access_token.clone(),
        idempotency_key: format!("post-1:{}", channel.remote_id),
        format: PostFormat::Video,
        caption: "Sourdough, start to finish".into(),
        title: Some("Sourdough".into()),
        link: None,
        first_comment: None,
        privacy: None,
        cover_offset_ms: None,
        settings: Default::default(),
        media: vec![files.item(id)],
    }
}

fn publisher(env: &Env) -> YouTubePublisher {
    YouTubePublisher::new(env.hosts(), env.client.clone()).with_chunk_size(256 * 1024)
}

/// Everything a run saw: each `Wait`'s pause, the outcome, the last
/// progress saved.
struct Watched {
    outcome: Result<Published, PlatformError>,
    pauses: Vec<SignedDuration>,
    last: Progress,
    postponed: Vec<PlatformError>,
}

/// Runs `publisher` from `progress` as the dispatcher does: `Wait` and
/// `Postponed` move the clock, transient errors are retried a few times,
/// and an access token that expired while waiting is renewed.
async fn run(
    env: &Env,
    publisher: &dyn Publisher,
    mut request: PublishRequest,
    channel: &Candidate,
    media: &dyn MediaSource,
    mut progress: Progress,
) -> Watched {
    let mut pauses = Vec::new();
    let mut postponed = Vec::new();
    let mut retries = 0;
    let mut credentials = channel.credentials.clone();
    for _ in 0..400 {
        match publisher.step(&request, media, &progress).await {
            Ok(Step::Continue(next)) => progress = next,
            Ok(Step::Wait { progress: next, at }) => {
                progress = next;
                pauses.push(at.duration_since(env.now()));
                env.clock.set(at.max(env.now()));
            }
            Ok(Step::Done(published)) => {
                return Watched {
                    last: published.progress.clone(),
                    outcome: Ok(published),
                    pauses,
                    postponed,
                };
            }
            Err(e) if matches!(e.kind, ErrorKind::Postponed { .. }) && postponed.len() < 3 => {
                if let ErrorKind::Postponed { until } = e.kind {
                    env.clock.set(until.max(env.now()));
                }
                postponed.push(e);
            }
            Err(e) if e.kind == ErrorKind::Reconnect && retries < 5 => {
                // As the dispatcher does: renew the hour-long token.
                retries += 1;
                credentials = env
                    .connector(YT)
                    .refresh(AccountKind::YouTubeChannel, &credentials)
                    .await
                    .expect("the token renews");
                request.access_token = credentials.access_token.clone();
            }
            Err(e) if (e.is_transient() || e.kind == ErrorKind::OutcomeUnknown) && retries < 5 => {
                retries += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => {
                return Watched {
                    outcome: Err(e),
                    pauses,
                    last: progress,
                    postponed,
                };
            }
        }
    }
    panic!("the publisher did not finish; last progress {progress:?}");
}

#[track_caller]
fn hint_of(error: &PlatformError) -> (&str, &std::collections::BTreeMap<String, String>) {
    let hint = error
        .hint
        .as_ref()
        .unwrap_or_else(|| panic!("no hint on {error}"));
    (hint.code.as_str(), &hint.params)
}

// ---------------------------------------------------- rejected and failed

#[tokio::test]
async fn a_rejected_video_fails_the_post_with_the_reason_and_a_retry_uploads_nothing_new() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![
        ("v1", "video/mp4", mp4(600_000)),
        ("v2", "video/mp4", mp4(610_000)),
    ])
    .await;
    env.admin(
        "/_admin/youtube/verdicts",
        json!({"upload_status": "rejected", "reason": "copyright"}),
    )
    .await;
    let publisher = publisher(&env);
    let request = request(&channel, &files, "v1");
    let watched = run(
        &env,
        &publisher,
        request.clone(),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let error = watched.outcome.expect_err("a rejected video is no post");
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("copyright"));
    let (code, params) = hint_of(&error);
    assert_eq!(code, youtube::REJECTED);
    assert_eq!(params["reason"], "copyright");
    // The rejected video exists on the channel: the hint names it.
    let uploaded = env.sandbox.published_on(&channel.remote_id);
    assert_eq!(uploaded.len(), 1);
    assert_eq!(params["video"], uploaded[0].id);
    assert!(
        !watched.pauses.is_empty(),
        "it was watched while processing"
    );

    // Retrying the same file fails the same way without another upload.
    let again = run(
        &env,
        &publisher,
        request,
        &channel,
        &files,
        watched.last.clone(),
    )
    .await;
    let error = again.outcome.expect_err("still rejected");
    assert_eq!(hint_of(&error).0, youtube::REJECTED);
    assert_eq!(env.calls("youtube.upload_init"), 1);
    assert_eq!(env.sandbox.published_on(&channel.remote_id).len(), 1);

    // After the post is edited to another file, it is uploaded again.
    let edited = self::request(&channel, &files, "v2");
    let fixed = run(&env, &publisher, edited, &channel, &files, watched.last).await;
    let done = fixed.outcome.expect("the new file is published");
    assert_eq!(env.calls("youtube.upload_init"), 2);
    let uploaded = env.sandbox.published_on(&channel.remote_id);
    assert_eq!(uploaded.len(), 2);
    assert_eq!(done.remote_id, uploaded[1].id);
}

#[tokio::test]
async fn a_file_youtube_cannot_read_fails_the_post_as_an_invalid_file() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    // Text bytes: no video container.
    let files = MediaFiles::serve(vec![("v", "video/mp4", b"not a video ".repeat(40_000))]).await;
    let watched = run(
        &env,
        &publisher(&env),
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let error = watched.outcome.expect_err("an unreadable file is no post");
    assert_kind(&error, ErrorKind::BadRequest);
    let (code, params) = hint_of(&error);
    assert_eq!(code, youtube::FAILED);
    assert_eq!(params["reason"], "invalidFile");
    assert_eq!(watched.last["verdict"], "failed:invalidFile");
}

#[tokio::test]
async fn a_failed_conversion_fails_the_post_with_its_reason() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    env.sandbox
        .queue_youtube_verdict("failed", "conversion")
        .unwrap();
    let watched = run(
        &env,
        &publisher(&env),
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let error = watched.outcome.expect_err("failed");
    let (code, params) = hint_of(&error);
    assert_eq!(
        (code, params["reason"].as_str()),
        (youtube::FAILED, "conversion")
    );
}

#[tokio::test]
async fn an_aborted_upload_is_uploaded_again() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    env.sandbox
        .queue_youtube_verdict("failed", "uploadAborted")
        .unwrap();
    let watched = run(
        &env,
        &publisher(&env),
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let done = watched.outcome.expect("the second upload is published");
    assert_eq!(env.calls("youtube.upload_init"), 2);
    let uploaded = env.sandbox.published_on(&channel.remote_id);
    assert_eq!(uploaded.len(), 2, "the aborted one stays on the channel");
    assert_eq!(done.remote_id, uploaded[1].id);
    assert_eq!(done.progress["sessions"], "2");
}

// ------------------------------------------------------------ private lock

#[tokio::test]
async fn an_unaudited_project_s_public_upload_is_published_with_the_private_lock_noticed() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    let publisher = publisher(&env);
    let mut request = request(&channel, &files, "v");
    request.privacy = Some("public".into());
    let watched = run(&env, &publisher, request, &channel, &files, Progress::new()).await;
    let done = watched.outcome.expect("published");
    assert_eq!(done.progress["locked_private"], "public");
    let notices = publisher.notices(&done);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].code, youtube::LOCKED_PRIVATE);
    assert_eq!(notices[0].params["requested"], "public");
    assert_eq!(notices[0].params["video"], done.remote_id);
}

#[tokio::test]
async fn an_audited_project_s_public_upload_has_no_notice() {
    let env = Env::with(|s| s.youtube_audited = true).await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    let publisher = publisher(&env);
    let mut request = request(&channel, &files, "v");
    request.privacy = Some("unlisted".into());
    let watched = run(&env, &publisher, request, &channel, &files, Progress::new()).await;
    let done = watched.outcome.expect("published");
    assert!(!done.progress.contains_key("locked_private"));
    assert!(publisher.notices(&done).is_empty());
}

#[tokio::test]
async fn a_private_upload_is_not_taken_for_a_lock() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    let publisher = publisher(&env);
    let watched = run(
        &env,
        &publisher,
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let done = watched.outcome.expect("published");
    assert!(publisher.notices(&done).is_empty());
}

// --------------------------------------------------------- bounded waiting

#[tokio::test]
async fn processing_is_read_with_backing_off_pauses_and_watched_for_an_hour_at_most() {
    let env = Env::with(|s| s.limits.youtube_processing_secs = 3 * 3600).await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    let publisher = publisher(&env);
    let started = env.now();
    let watched = run(
        &env,
        &publisher,
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    let done = watched.outcome.expect("published with a notice");
    let secs: Vec<i64> = watched
        .pauses
        .iter()
        .map(herald_core::SignedDuration::as_secs)
        .collect();
    assert_eq!(secs[..6], [5, 10, 20, 40, 60, 60], "{secs:?}");
    assert!(secs.iter().all(|s| *s <= 60), "{secs:?}");
    // It stops at the limit, not hours later.
    let watched_for = env.now().duration_since(started);
    assert!(
        watched_for >= PROCESSING_LIMIT
            && watched_for < PROCESSING_LIMIT + SignedDuration::from_mins(2),
        "{watched_for:?}"
    );
    let reads = env.calls("youtube.videos");
    assert!((60..=70).contains(&reads), "{reads} reads in an hour");
    let notices = publisher.notices(&done);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].code, youtube::STILL_PROCESSING);
    assert_eq!(notices[0].params["minutes"], "60");
    assert!(done.progress.contains_key("stopped_watching_at"));
}

// ------------------------------------------------------- quota and budget

#[tokio::test]
async fn youtube_s_quota_exceeded_postpones_the_upload_to_pacific_midnight() {
    let env = Env::with(|s| s.limits.youtube_daily_uploads = 0).await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(100_000))]).await;
    let reset = next_quota_reset(env.now());
    let error = publisher(&env)
        .step(&request(&channel, &files, "v"), &files, &Progress::new())
        .await
        .expect_err("no quota");
    assert_eq!(error.kind, ErrorKind::Postponed { until: reset });
    assert_eq!(error.code.as_deref(), Some("quotaExceeded"));
    assert_eq!(hint_of(&error).0, youtube::QUOTA_EXCEEDED);
    assert!(env.sandbox.published().is_empty());
}

#[tokio::test]
async fn a_quota_exceeded_while_watching_postpones_the_check_not_the_upload() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(300_000))]).await;
    // The Data API's quota error, once, on the first status read.
    env.inject("youtube.videos", FaultKind::RateLimited, Some(1));
    let watched = run(
        &env,
        &publisher(&env),
        request(&channel, &files, "v"),
        &channel,
        &files,
        Progress::new(),
    )
    .await;
    watched.outcome.expect("published after the wait");
    assert_eq!(watched.postponed.len(), 1);
    let (code, params) = hint_of(&watched.postponed[0]);
    assert_eq!(code, youtube::CHECK_QUOTA_EXCEEDED);
    assert!(!params["video"].is_empty());
    assert_eq!(env.calls("youtube.upload_init"), 1, "no second upload");
    assert_eq!(env.sandbox.published().len(), 1);
}

#[tokio::test]
async fn only_a_new_upload_spends_the_daily_budget_and_waits_for_it() {
    let env = Env::start().await;
    let channel = channel(&env).await;
    // Four chunks: the step after the session expired sends one.
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(1_000_000))]).await;
    let client_id = env.sandbox.config().google.client_id.clone();
    let publisher = publisher(&env).with_daily_uploads(&client_id, 40);
    let request = request(&channel, &files, "v");
    let now = env.now();

    let budget = publisher.budget(now).expect("a budget");
    assert_eq!(budget.bucket, format!("youtube.videos_insert:{client_id}"));
    assert_eq!(budget.limit, 40);
    // START is 2026-01-01 00:00 UTC: still New Year's Eve in California.
    assert_eq!(budget.day, "2025-12-31");
    assert_eq!(budget.resets_at, next_quota_reset(now));

    // A new upload spends a unit and waits for it.
    let spend = publisher
        .spend(&request, &Progress::new(), now)
        .expect("opening a session spends");
    assert!(spend.admit);
    assert_eq!(spend.budget, budget);
    assert_eq!(
        spend.refusal.kind,
        ErrorKind::Postponed {
            until: budget.resets_at
        }
    );
    let (code, params) = hint_of(&spend.refusal);
    assert_eq!(code, youtube::BUDGET_SPENT);
    assert_eq!(params["limit"], "40");

    // An upload under way spends nothing more.
    let mut progress = Progress::new();
    for _ in 0..3 {
        progress = match publisher.step(&request, &files, &progress).await.unwrap() {
            Step::Continue(next) => next,
            other => panic!("{other:?}"),
        };
        assert!(progress.contains_key("session"));
        assert!(publisher.spend(&request, &progress, now).is_none());
    }
    // A session that expired is opened again: counted, never held back.
    env.advance(SignedDuration::from_hours(25));
    let fresh = env
        .connector(YT)
        .refresh(AccountKind::YouTubeChannel, &channel.credentials)
        .await
        .unwrap();
    let request = PublishRequest {
        access_token: fresh.access_token,
        ..request
    };
    let gone = match publisher.step(&request, &files, &progress).await.unwrap() {
        Step::Continue(next) => next,
        other => panic!("{other:?}"),
    };
    assert!(!gone.contains_key("session"), "{gone:?}");
    let spend = publisher
        .spend(&request, &gone, env.now())
        .expect("reopening spends");
    assert!(!spend.admit, "a resumed upload is not held back");
    // Without a configured budget nothing is counted.
    assert!(
        self::publisher(&env)
            .spend(&request, &Progress::new(), env.now())
            .is_none()
    );
}

#[tokio::test]
async fn the_channel_s_own_upload_limit_postpones_a_day() {
    let env = Env::with(|s| s.limits.youtube_channel_daily_uploads = 0).await;
    let channel = channel(&env).await;
    let files = MediaFiles::serve(vec![("v", "video/mp4", mp4(100_000))]).await;
    let error = publisher(&env)
        .step(&request(&channel, &files, "v"), &files, &Progress::new())
        .await
        .expect_err("over the channel's limit");
    assert_eq!(
        error.kind,
        ErrorKind::Postponed {
            until: env.now() + SignedDuration::from_hours(24)
        }
    );
    assert_eq!(error.code.as_deref(), Some("uploadLimitExceeded"));
    assert_eq!(hint_of(&error).0, youtube::CHANNEL_UPLOAD_LIMIT);
}
