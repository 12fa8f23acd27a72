//! Publishing to TikTok and YouTube against the simulators: small and
//! chunked uploads, every step's faults, a crash that resumes from an
//! earlier saved progress, and the errors that end a post.

use std::time::Duration;

use herald_core::SignedDuration;
use herald_platforms::publish::tiktok::TikTokPublisher;
use herald_platforms::publish::youtube::YouTubePublisher;
use herald_platforms::{
    AccountKind, Candidate, ErrorKind, MediaSource, PostFormat, Progress, ProviderId,
    PublishRequest, Publisher, Step,
};
use herald_sandbox::{FaultKind, Platform};

use crate::helpers::*;
use crate::publishing::{MediaFiles, Run, drive, jpeg, mp4};

const TT: ProviderId = ProviderId::TikTok;
const YT: ProviderId = ProviderId::YouTube;
const MIB: usize = 1024 * 1024;

/// The faults every step is tried with.
const KINDS: [FaultKind; 3] = [
    FaultKind::ServerError,
    FaultKind::RateLimited,
    FaultKind::ResponseLost,
];

fn request(account: &Candidate, files: &MediaFiles, caption: &str) -> PublishRequest {
    PublishRequest {
        kind: account.kind,
        account_id: account.remote_id.clone(),
        access_token: account.credentials.access_token.clone(),
        idempotency_key: format!("post-1:{}", account.remote_id),
        format: PostFormat::Video,
        caption: caption.to_owned(),
        title: None,
        link: None,
        first_comment: None,
        privacy: None,
        cover_offset_ms: None,
        media: vec![files.item("video")],
        settings: Default::default(),
    }
}

/// A TikTok post for `account`, its privacy chosen (TikTok allows no
/// default).
fn tt_request(account: &Candidate, files: &MediaFiles, caption: &str) -> PublishRequest {
    PublishRequest {
        privacy: Some("SELF_ONLY".into()),
        ..request(account, files, caption)
    }
}

async fn video(bytes: Vec<u8>) -> MediaFiles {
    MediaFiles::serve(vec![("video", "video/mp4", bytes)]).await
}

fn tiktok(env: &Env) -> TikTokPublisher {
    // 5 MiB chunks, so an 11 MiB file goes up in two.
    TikTokPublisher::new(env.hosts(), env.client.clone()).with_chunk_size(5 * MIB as u64)
}

fn youtube(env: &Env) -> YouTubePublisher {
    YouTubePublisher::new(env.hosts(), env.client.clone()).with_chunk_size(256 * 1024)
}

async fn tiktok_account(env: &Env) -> Candidate {
    let grant = env.connect(TT).await;
    let account = grant.accounts.into_iter().next().expect("a TikTok account");
    assert_eq!(account.kind, AccountKind::TikTokUser);
    account
}

async fn youtube_channels(env: &Env) -> Vec<Candidate> {
    let grant = env.connect(YT).await;
    assert_eq!(grant.accounts.len(), 2);
    grant.accounts
}

/// Runs like [`drive`], from a saved `progress` (after a crash).
async fn drive_from(
    env: &Env,
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &dyn MediaSource,
    mut progress: Progress,
) -> Run {
    let mut saved = Vec::new();
    let mut retried = Vec::new();
    for _ in 0..200 {
        match publisher.step(request, media, &progress).await {
            Ok(Step::Continue(next)) => progress = next,
            Ok(Step::Wait { progress: next, at }) => {
                progress = next;
                if at > env.now() {
                    env.clock.set(at);
                }
            }
            Ok(Step::Done(published)) => {
                return Run {
                    outcome: Ok(published),
                    saved,
                    retried,
                };
            }
            Err(error) if error.is_transient() || error.kind == ErrorKind::OutcomeUnknown => {
                if let ErrorKind::RateLimited { until: Some(until) } = error.kind
                    && until > env.now()
                {
                    env.clock.set(until);
                }
                retried.push(error);
                assert!(retried.len() < 10, "too many retries: {retried:?}");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(error) => {
                return Run {
                    outcome: Err(error),
                    saved,
                    retried,
                };
            }
        }
        saved.push(progress.clone());
    }
    panic!("publisher did not finish; last progress {progress:?}");
}

/// Steps until `stop` holds for the saved progress; returns every saved one.
async fn steps_until(
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &dyn MediaSource,
    stop: impl Fn(&Progress) -> bool,
) -> Vec<Progress> {
    let mut progress = Progress::new();
    let mut saved = Vec::new();
    for _ in 0..50 {
        progress = match publisher.step(request, media, &progress).await {
            Ok(Step::Continue(next)) => next,
            other => panic!("expected to continue: {other:?}"),
        };
        saved.push(progress.clone());
        if stop(&progress) {
            return saved;
        }
    }
    panic!("never reached the stop condition: {progress:?}");
}

#[track_caller]
fn published(run: &Run) -> &herald_platforms::Published {
    match &run.outcome {
        Ok(p) => p,
        Err(e) => panic!(
            "not published: {e} (code {:?}); retried {:?}",
            e.code, run.retried
        ),
    }
}

// ------------------------------------------------------------------ TikTok

#[tokio::test]
async fn tiktok_small_video_is_published_once_with_a_permalink() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let files = video(mp4(900_000)).await;
    let request = tt_request(&account, &files, "Croissants, fresh #bakery");
    let run = drive(&env, &tiktok(&env), &request, &files, 0).await;
    let done = published(&run);

    let posts = env.sandbox.published_on(&account.remote_id);
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.platform, Platform::TikTok);
    assert_eq!(post.caption, "Croissants, fresh #bakery");
    assert_eq!(post.media_sizes, [900_000]);
    assert_eq!(done.remote_id, post.id);
    assert_eq!(
        done.permalink.as_deref(),
        Some(format!("https://www.tiktok.com/@demo/video/{}", post.id).as_str())
    );
    assert_eq!(done.permalink.as_deref(), Some(post.permalink.as_str()));
    assert!(done.warnings.is_empty(), "{:?}", done.warnings);
    assert_eq!(env.calls("tiktok.upload"), 1);
    assert_eq!(env.calls("tiktok.video_init"), 1);
    // The upload URL (and its token) is not kept once the bytes are in.
    assert!(!done.progress.contains_key("upload_url"));
    assert_eq!(done.progress["privacy"], "SELF_ONLY");
}

#[tokio::test]
async fn tiktok_large_video_goes_up_in_two_chunks() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let size = 11 * MIB + 4321;
    let files = video(mp4(size)).await;
    let mut request = tt_request(&account, &files, "Studio tour");
    request.privacy = Some("PUBLIC_TO_EVERYONE".into());
    let run = drive(&env, &tiktok(&env), &request, &files, 0).await;
    published(&run);
    assert_eq!(env.calls("tiktok.upload"), 2);
    let posts = env.sandbox.published_on(&account.remote_id);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].media_sizes, [size as u64]);
    // Each chunk was saved before the next one.
    assert!(
        run.saved
            .iter()
            .any(|p| p.get("offset").map(String::as_str) == Some((5 * MIB).to_string().as_str()))
    );
}

#[tokio::test]
async fn tiktok_faults_on_every_step_still_publish_exactly_once() {
    let files = video(mp4(11 * MIB)).await;
    for endpoint in [
        "tiktok.creator_info",
        "tiktok.video_init",
        "tiktok.upload",
        "tiktok.status",
    ] {
        for kind in KINDS {
            let env = Env::start().await;
            let account = tiktok_account(&env).await;
            let request = tt_request(&account, &files, "Fault-tolerant croissants");
            env.inject(endpoint, kind, Some(1));
            let run = drive(&env, &tiktok(&env), &request, &files, 5).await;
            let what = format!("{endpoint} {kind:?}");
            match &run.outcome {
                Ok(done) => assert!(done.permalink.is_some(), "{what}"),
                Err(e) => panic!("{what}: {e} ({:?})", e.code),
            }
            assert_eq!(
                env.sandbox.published_on(&account.remote_id).len(),
                1,
                "{what}"
            );
            assert_eq!(env.sandbox.published().len(), 1, "{what}");
            assert!(env.calls(endpoint) >= 2, "{what}: the fault was met");
        }
    }
}

#[tokio::test]
async fn tiktok_resumes_from_an_earlier_saved_progress_without_a_second_post() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let files = video(mp4(11 * MIB)).await;
    let request = tt_request(&account, &files, "After the crash");
    let publisher = tiktok(&env);
    // Everything up to "all bytes in" happened, but the worker died and the
    // newest saved progress is the one right after init.
    let saved = steps_until(&publisher, &request, &files, |p| {
        p.contains_key("uploaded_at")
    })
    .await;
    let after_init = saved
        .iter()
        .find(|p| p.contains_key("publish_id"))
        .unwrap()
        .clone();
    assert_eq!(after_init["offset"], "0");
    let run = drive_from(&env, &publisher, &request, &files, after_init).await;
    let done = published(&run);
    let posts = env.sandbox.published_on(&account.remote_id);
    assert_eq!(posts.len(), 1);
    assert_eq!(done.remote_id, posts[0].id);
    assert_eq!(env.calls("tiktok.video_init"), 1, "no second publish");

    // A second worker with the final progress of the first one's receipt:
    // nothing new is posted.
    let run = drive_from(&env, &publisher, &request, &files, done.progress.clone()).await;
    published(&run);
    assert_eq!(env.sandbox.published().len(), 1);
}

#[tokio::test]
async fn tiktok_starts_over_when_the_upload_url_expires_mid_upload() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let files = video(mp4(11 * MIB)).await;
    let request = tt_request(&account, &files, "Slow upload");
    let publisher = tiktok(&env);
    let saved = steps_until(&publisher, &request, &files, |p| {
        p.get("offset").is_some_and(|o| o != "0")
    })
    .await;
    env.advance(SignedDuration::from_hours(1));
    let run = drive_from(
        &env,
        &publisher,
        &request,
        &files,
        saved.last().unwrap().clone(),
    )
    .await;
    let done = published(&run);
    assert_eq!(done.progress["restarts"], "1");
    assert_eq!(env.calls("tiktok.video_init"), 2);
    assert_eq!(env.sandbox.published_on(&account.remote_id).len(), 1);
}

#[tokio::test]
async fn tiktok_revoked_token_asks_to_reconnect_and_posts_nothing() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let files = video(mp4(100_000)).await;
    env.sandbox.revoke_user(Platform::TikTok, "demo");
    let run = drive(
        &env,
        &tiktok(&env),
        &tt_request(&account, &files, "x"),
        &files,
        3,
    )
    .await;
    let error = run.outcome.unwrap_err();
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("access_token_invalid"));
    assert!(env.sandbox.published().is_empty());
}

#[tokio::test]
async fn tiktok_format_check_failure_is_a_bad_request_without_a_post() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    // Not MP4 inside, whatever the file claims.
    let files = video(jpeg(200_000)).await;
    let run = drive(
        &env,
        &tiktok(&env),
        &tt_request(&account, &files, "x"),
        &files,
        3,
    )
    .await;
    let error = run.outcome.unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("file_format_check_failed"));
    assert!(env.sandbox.published().is_empty());
}

#[tokio::test]
async fn tiktok_privacy_the_creator_does_not_offer_is_refused_before_init() {
    let env = Env::start().await;
    let account = tiktok_account(&env).await;
    let files = video(mp4(100_000)).await;
    let mut request = tt_request(&account, &files, "x");
    request.privacy = Some("EVERYONE_AND_THEIR_DOG".into());
    let run = drive(&env, &tiktok(&env), &request, &files, 3).await;
    let error = run.outcome.unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("privacy_level_option_mismatch"));
    assert_eq!(env.calls("tiktok.video_init"), 0);
}

// ----------------------------------------------------------------- YouTube

#[tokio::test]
async fn youtube_small_video_is_published_once_with_a_permalink() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(120_000)).await;
    // Default chunk size (8 MiB): one chunk.
    let publisher = YouTubePublisher::new(env.hosts(), env.client.clone());
    let request = request(&channels[0], &files, "Morning bake <3\nFull description");
    let run = drive(&env, &publisher, &request, &files, 0).await;
    let done = published(&run);

    let posts = env.sandbox.published_on(&channels[0].remote_id);
    assert_eq!(posts.len(), 1);
    let post = &posts[0];
    assert_eq!(post.platform, Platform::Google);
    assert_eq!(post.title.as_deref(), Some("Morning bake ‹3"));
    assert_eq!(post.caption, "Morning bake ‹3\nFull description");
    assert_eq!(post.media_sizes, [120_000]);
    assert_eq!(done.remote_id, post.id);
    assert_eq!(
        done.permalink.as_deref(),
        Some(format!("https://www.youtube.com/watch?v={}", post.id).as_str())
    );
    assert_eq!(env.calls("youtube.upload_init"), 1);
    assert_eq!(
        env.calls("youtube.upload_chunk"),
        2,
        "probe before the final chunk, then the chunk"
    );
    assert!(
        !done.progress.contains_key("session"),
        "the session URI is not kept"
    );
}

#[tokio::test]
async fn youtube_large_video_goes_up_in_256_kib_chunks_to_the_named_channel() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let size = 1_000_000;
    let files = video(mp4(size)).await;
    let mut request = request(&channels[1], &files, "Timelapse of the studio");
    request.title = Some("Studio timelapse".into());
    request.privacy = Some("unlisted".into());
    let run = drive(&env, &youtube(&env), &request, &files, 0).await;
    published(&run);
    // 4 chunks (3 × 256 KiB + the rest) and one probe before the last.
    assert_eq!(env.calls("youtube.upload_chunk"), 5);
    assert!(env.sandbox.published_on(&channels[0].remote_id).is_empty());
    let posts = env.sandbox.published_on(&channels[1].remote_id);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].title.as_deref(), Some("Studio timelapse"));
    assert_eq!(posts[0].media_sizes, [size as u64]);
}

#[tokio::test]
async fn youtube_faults_on_every_step_still_publish_exactly_once() {
    let files = video(mp4(1_000_000)).await;
    for endpoint in ["youtube.upload_init", "youtube.upload_chunk"] {
        for kind in KINDS {
            // Half an hour before Pacific midnight: a quota error waits
            // until then, well within the access token's hour.
            let env = Env::with(|s| s.start = start() + SignedDuration::from_mins(450)).await;
            let channels = youtube_channels(&env).await;
            let request = request(&channels[0], &files, "Fault-tolerant timelapse");
            env.inject(endpoint, kind, Some(1));
            let mut run = drive(&env, &youtube(&env), &request, &files, 5).await;
            if let Err(e) = &run.outcome
                && let ErrorKind::Postponed { until } = e.kind
            {
                // The sandbox throttles videos.insert as YouTube does, with
                // quotaExceeded: the upload waits for Pacific midnight.
                assert_eq!(e.code.as_deref(), Some("quotaExceeded"));
                env.clock.set(until);
                let from = run.saved.last().cloned().unwrap_or_default();
                run = drive_from(&env, &youtube(&env), &request, &files, from).await;
            }
            let what = format!("{endpoint} {kind:?}");
            match &run.outcome {
                Ok(done) => assert!(done.permalink.is_some(), "{what}"),
                Err(e) => panic!("{what}: {e} ({:?})", e.code),
            }
            assert_eq!(
                env.sandbox.published_on(&channels[0].remote_id).len(),
                1,
                "{what}"
            );
            assert_eq!(env.sandbox.published().len(), 1, "{what}");
            assert!(env.calls(endpoint) >= 2, "{what}: the fault was met");
        }
    }
}

#[tokio::test]
async fn youtube_final_chunk_sent_again_finds_the_same_video() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(300_000)).await;
    let request = request(&channels[0], &files, "Lost answer");
    let publisher = youtube(&env);
    // Up to the intent marker before the final chunk.
    let marker = steps_until(&publisher, &request, &files, |p| {
        p.contains_key("final_sent_at")
    })
    .await
    .pop()
    .unwrap();
    let run = drive_from(&env, &publisher, &request, &files, marker.clone()).await;
    let first = published(&run).remote_id.clone();
    // The worker died before saving that: another one resumes from the
    // marker while the session's answers keep getting lost.
    env.inject("youtube.upload_chunk", FaultKind::ResponseLost, Some(4));
    let run = drive_from(&env, &publisher, &request, &files, marker).await;
    assert_eq!(published(&run).remote_id, first);
    assert!(!run.retried.is_empty());
    assert_eq!(env.sandbox.published().len(), 1);
}

#[tokio::test]
async fn youtube_resumes_from_an_earlier_saved_progress_without_a_second_video() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(1_000_000)).await;
    let request = request(&channels[0], &files, "After the crash");
    let publisher = youtube(&env);
    let saved = steps_until(&publisher, &request, &files, |p| {
        p.get("offset")
            .is_some_and(|o| o.parse::<u64>().unwrap() >= 786_432)
    })
    .await;
    let opened = saved
        .iter()
        .find(|p| p.contains_key("session"))
        .unwrap()
        .clone();
    // The newest progress goes on to the end; then a stale worker resumes
    // from the progress right after the session opened.
    let run = drive_from(
        &env,
        &publisher,
        &request,
        &files,
        saved.last().unwrap().clone(),
    )
    .await;
    let first = published(&run).remote_id.clone();
    let run = drive_from(&env, &publisher, &request, &files, opened).await;
    assert_eq!(published(&run).remote_id, first);
    assert_eq!(env.sandbox.published().len(), 1);
    assert_eq!(env.calls("youtube.upload_init"), 1);
}

#[tokio::test]
async fn youtube_expired_session_is_replaced() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(600_000)).await;
    let request = request(&channels[0], &files, "Expired session");
    let publisher = youtube(&env);
    let saved = steps_until(&publisher, &request, &files, |p| {
        p.get("offset").is_some_and(|o| o != "0")
    })
    .await;
    env.advance(SignedDuration::from_hours(25));
    // The dispatcher refreshes the access token (it lives an hour).
    let fresh = env
        .connector(YT)
        .refresh(AccountKind::YouTubeChannel, &channels[0].credentials)
        .await
        .unwrap();
    let request = PublishRequest {
        access_token: fresh.access_token,
        ..request
    };
    let run = drive_from(
        &env,
        &publisher,
        &request,
        &files,
        saved.last().unwrap().clone(),
    )
    .await;
    let done = published(&run);
    assert_eq!(done.progress["sessions"], "2");
    assert_eq!(env.calls("youtube.upload_init"), 2);
    assert_eq!(env.sandbox.published().len(), 1);
}

#[tokio::test]
async fn youtube_revoked_token_asks_to_reconnect_and_uploads_nothing() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(100_000)).await;
    env.sandbox.revoke_user(Platform::Google, "demo");
    let run = drive(
        &env,
        &youtube(&env),
        &request(&channels[0], &files, "x"),
        &files,
        3,
    )
    .await;
    assert_kind(&run.outcome.unwrap_err(), ErrorKind::Reconnect);
    assert!(env.sandbox.published().is_empty());
}

#[tokio::test]
async fn youtube_refused_metadata_is_a_bad_request() {
    let env = Env::start().await;
    let channels = youtube_channels(&env).await;
    let files = video(mp4(100_000)).await;
    let mut request = request(&channels[0], &files, "x");
    request.privacy = Some("friends-only".into());
    let run = drive(&env, &youtube(&env), &request, &files, 3).await;
    let error = run.outcome.unwrap_err();
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("invalidVideoMetadata"));
    assert!(env.sandbox.published().is_empty());
}
