//! Publishing to Facebook Pages and Instagram against the simulators: every
//! format once, a fault on every step endpoint, a worker dying between a
//! call and saving its progress, and the errors that end a post.

use herald_core::Named;
use herald_core::SignedDuration;
use herald_platforms::publish::facebook::FacebookPublisher;
use herald_platforms::publish::instagram::{InstagramApi, InstagramPublisher};
use herald_platforms::{
    AccountKind, ErrorKind, MediaItem, PostFormat, Progress, ProviderId, PublishRequest, Published,
    Publisher, Secret, Step,
};
use herald_sandbox::{FaultKind, Limits, Platform};

use crate::helpers::*;
use crate::publishing::*;

/// Bytes that start like a PNG file (Instagram feed images must be JPEG).
fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size, 0);
    bytes
}

async fn files() -> MediaFiles {
    MediaFiles::serve(vec![
        ("photo", "image/jpeg", jpeg(4_000)),
        ("second", "image/jpeg", jpeg(5_000)),
        ("clip", "video/mp4", mp4(60_000)),
        ("drawing", "image/png", png(3_000)),
        ("fake-clip", "video/mp4", jpeg(2_000)),
    ])
    .await
}

/// An account to publish to: its kind, id and token.
struct Account {
    kind: AccountKind,
    id: String,
    token: Secret,
}

async fn account(env: &Env, kind: AccountKind) -> Account {
    let provider = match kind {
        AccountKind::InstagramAccount => ProviderId::Instagram,
        _ => ProviderId::Facebook,
    };
    let grant = env.connect(provider).await;
    let candidate = grant
        .accounts
        .into_iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in the grant"));
    Account {
        kind,
        id: candidate.remote_id,
        token: candidate.credentials.access_token,
    }
}

fn request(
    account: &Account,
    format: PostFormat,
    caption: &str,
    media: Vec<MediaItem>,
) -> PublishRequest {
    PublishRequest {
        kind: account.kind,
        account_id: account.id.clone(),
        access_token: account.token.clone(),
        idempotency_key: format!("test-{caption}"),
        format,
        caption: caption.to_owned(),
        title: None,
        link: None,
        first_comment: None,
        privacy: None,
        cover_offset_ms: None,
        media,
        settings: Default::default(),
    }
}

fn instagram(env: &Env, api: InstagramApi) -> InstagramPublisher {
    InstagramPublisher::new(env.hosts(), api, env.client.clone())
}

fn facebook(env: &Env) -> FacebookPublisher {
    FacebookPublisher::new(env.hosts(), env.client.clone())
}

fn api_of(kind: AccountKind) -> InstagramApi {
    match kind {
        AccountKind::InstagramAccount => InstagramApi::InstagramLogin,
        _ => InstagramApi::FacebookLogin,
    }
}

/// Asserts the account has exactly one post with `caption` (stories have
/// none: one story), matching what the publisher returned.
#[track_caller]
fn assert_published_once(env: &Env, account: &Account, caption: &str, published: &Published) {
    let story = published
        .permalink
        .as_deref()
        .is_some_and(|l| l.contains("/stories/"));
    let posts: Vec<_> = env
        .sandbox
        .published_on(&account.id)
        .into_iter()
        .filter(|p| {
            if story {
                p.kind == "story"
            } else {
                p.caption == caption
            }
        })
        .collect();
    assert_eq!(posts.len(), 1, "{caption}: {posts:#?}");
    assert_eq!(posts[0].id, published.remote_id, "{caption}");
    assert_eq!(
        published.permalink.as_deref(),
        Some(posts[0].permalink.as_str()),
        "{caption}"
    );
}

/// The texts of the comments on `object`, read through Graph.
async fn comments(env: &Env, account: &Account, object: &str) -> Vec<String> {
    let (host, field) = match account.kind {
        AccountKind::InstagramAccount => ("graph.instagram.com", "text"),
        AccountKind::InstagramBusiness => ("graph.facebook.com", "text"),
        _ => ("graph.facebook.com", "message"),
    };
    let url = format!(
        "{}/{host}/v25.0/{object}/comments?fields=id,{field}&limit=100",
        env.base
    );
    let body: serde_json::Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(account.token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("comments of {object}: {body}"))
        .iter()
        .map(|c| c[field].as_str().unwrap().to_owned())
        .collect()
}

/// Steps from `progress` (moving the clock through waits) until `stop`
/// holds for the progress about to be stepped.
async fn step_until(
    env: &Env,
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &MediaFiles,
    mut progress: Progress,
    stop: impl Fn(&Progress) -> bool,
) -> Progress {
    for _ in 0..200 {
        if stop(&progress) {
            return progress;
        }
        progress = match publisher.step(request, media, &progress).await {
            Ok(Step::Continue(next)) => next,
            Ok(Step::Wait { progress: next, at }) => {
                if at > env.now() {
                    env.clock.set(at);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                next
            }
            Ok(Step::Done(done)) => panic!("finished before the stop condition: {done:?}"),
            Err(e) => panic!("step failed: {e}"),
        };
    }
    panic!("never reached the stop condition; progress {progress:?}");
}

/// Runs one step whose result is then thrown away, as when the worker dies
/// before saving it.
async fn step_and_forget(
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &MediaFiles,
    progress: &Progress,
) {
    publisher
        .step(request, media, progress)
        .await
        .expect("the forgotten step succeeded");
}

/// Finishes from `progress`; the outcome must be a publication.
async fn finish(
    env: &Env,
    publisher: &dyn Publisher,
    request: &PublishRequest,
    media: &MediaFiles,
    progress: Progress,
) -> Published {
    let mut progress = progress;
    for _ in 0..200 {
        match publisher.step(request, media, &progress).await {
            Ok(Step::Continue(next)) => progress = next,
            Ok(Step::Wait { progress: next, at }) => {
                if at > env.now() {
                    env.clock.set(at);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                progress = next;
            }
            Ok(Step::Done(done)) => return done,
            Err(e) if e.is_transient() || e.kind == ErrorKind::OutcomeUnknown => {
                if let ErrorKind::RateLimited { until: Some(until) } = e.kind
                    && until > env.now()
                {
                    env.clock.set(until);
                }
            }
            Err(e) => panic!("step failed: {e}"),
        }
    }
    panic!("did not finish; progress {progress:?}");
}

// ------------------------------------------------------------ every format

#[tokio::test]
async fn publishers_name_their_provider_and_account_kind() {
    let env = Env::start().await;
    let business = instagram(&env, InstagramApi::FacebookLogin);
    assert_eq!(business.provider(), ProviderId::Facebook);
    assert_eq!(business.account_kind(), AccountKind::InstagramBusiness);
    let login = instagram(&env, InstagramApi::InstagramLogin);
    assert_eq!(login.provider(), ProviderId::Instagram);
    assert_eq!(login.account_kind(), AccountKind::InstagramAccount);
    let page = facebook(&env);
    assert_eq!(page.provider(), ProviderId::Facebook);
    assert_eq!(page.account_kind(), AccountKind::FacebookPage);
}

#[tokio::test]
async fn every_instagram_format_is_published_once_with_its_permalink() {
    for kind in [
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
    ] {
        let env = Env::start().await;
        let media = files().await;
        let account = account(&env, kind).await;
        let publisher = instagram(&env, api_of(kind));
        let cases = [
            (PostFormat::Image, "An image", vec![media.item("photo")]),
            (
                PostFormat::Carousel,
                "A carousel",
                vec![
                    media.item("photo"),
                    media.item("clip"),
                    media.item("second"),
                ],
            ),
            (PostFormat::Reel, "A reel", vec![media.item("clip")]),
            (PostFormat::Story, "A story", vec![media.item("photo")]),
        ];
        for (format, caption, items) in cases {
            let mut req = request(&account, format, caption, items);
            req.first_comment = Some(format!("First comment on {caption}"));
            req.cover_offset_ms = Some(1_000);
            let run = drive(&env, &publisher, &req, &media, 0).await;
            let published = run
                .outcome
                .unwrap_or_else(|e| panic!("{kind:?} {format:?}: {e}"));
            assert_published_once(&env, &account, caption, &published);
            assert!(
                run.saved
                    .iter()
                    .any(|p| p.contains_key("publish_intent_at")),
                "the marker is saved before publishing"
            );
            let record = env
                .sandbox
                .published_on(&account.id)
                .into_iter()
                .find(|p| p.id == published.remote_id)
                .unwrap();
            assert_eq!(record.kind, format.as_str());
            let expected_platform = match kind {
                AccountKind::InstagramAccount => Platform::Instagram,
                _ => Platform::Meta,
            };
            assert_eq!(record.platform, expected_platform);
            if format == PostFormat::Story {
                assert_eq!(published.warnings.len(), 1, "stories take no comments");
            } else {
                assert!(published.warnings.is_empty(), "{:?}", published.warnings);
                assert_eq!(
                    comments(&env, &account, &published.remote_id).await,
                    [format!("First comment on {caption}")]
                );
            }
        }
        let carousel = env
            .sandbox
            .published_on(&account.id)
            .into_iter()
            .find(|p| p.kind == "carousel")
            .unwrap();
        assert_eq!(carousel.media_sizes, [4_000, 60_000, 5_000]);
        assert_eq!(env.sandbox.published_on(&account.id).len(), 4);
    }
}

#[tokio::test]
async fn every_facebook_format_is_published_once_with_its_permalink() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::FacebookPage).await;
    let publisher = facebook(&env);
    let mut text = request(&account, PostFormat::Text, "Open on Sunday", vec![]);
    text.link = Some("https://bakery.example/hours".into());
    let image = request(
        &account,
        PostFormat::Image,
        "Fresh loaves",
        vec![media.item("photo")],
    );
    let mut video = request(
        &account,
        PostFormat::Video,
        "A tour of the bakery",
        vec![media.item("clip")],
    );
    video.title = Some("Bakery tour".into());
    for mut req in [text, image, video] {
        req.first_comment = Some(format!("More about: {}", req.caption));
        let run = drive(&env, &publisher, &req, &media, 0).await;
        let published = run
            .outcome
            .unwrap_or_else(|e| panic!("{:?}: {e}", req.format));
        assert_published_once(&env, &account, &req.caption, &published);
        assert!(published.warnings.is_empty(), "{:?}", published.warnings);
        let post = &published.progress["post_id"];
        assert_eq!(
            comments(&env, &account, post).await,
            [format!("More about: {}", req.caption)]
        );
    }
    let posts = env.sandbox.published_on(&account.id);
    let kinds: Vec<&str> = posts.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["feed", "photo", "video"]);
    assert!(posts[0].permalink.starts_with("https://www.facebook.com/"));
    assert_eq!(posts[2].title.as_deref(), Some("Bakery tour"));
    assert_eq!(posts[2].media_sizes, [60_000]);
}

#[tokio::test]
async fn a_facebook_first_comment_without_the_engagement_permissions_is_an_explained_warning() {
    let env = Env::start().await;
    let media = files().await;
    // Connected before Herald asked for the comment permissions: the Page
    // token publishes but may not comment.
    let grant = env
        .connect_as(
            ProviderId::Facebook,
            "demo",
            &["-pages_manage_engagement", "-pages_read_user_engagement"],
        )
        .await;
    let page = grant
        .accounts
        .into_iter()
        .find(|a| a.kind == AccountKind::FacebookPage)
        .unwrap();
    let account = Account {
        kind: AccountKind::FacebookPage,
        id: page.remote_id,
        token: page.credentials.access_token,
    };
    let mut req = request(&account, PostFormat::Text, "Open on Sunday", vec![]);
    req.first_comment = Some("Come early".into());
    let run = drive(&env, &facebook(&env), &req, &media, 0).await;
    let published = run.outcome.expect("the post itself is published");
    assert_published_once(&env, &account, "Open on Sunday", &published);
    // One warning, explained by a hint naming the permissions; not retried.
    assert_eq!(published.warnings.len(), 1, "{:?}", published.warnings);
    assert!(
        published.warnings[0].contains("(#200)"),
        "the platform's words stay on the receipt: {:?}",
        published.warnings
    );
    let hints = published.hints();
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert_eq!(hints[0].code, "first_comment_missing_permission");
    assert_eq!(
        hints[0].params["scopes"],
        "pages_manage_engagement, pages_read_user_engagement"
    );
    assert!(run.retried.is_empty(), "{:?}", run.retried);
    // The listing before posting, then the one refused post.
    assert_eq!(env.calls("facebook.comments"), 2);
    let post = &published.progress["post_id"];
    assert!(comments(&env, &account, post).await.is_empty());

    // With the permissions granted, the same post's comment goes through
    // and nothing needs explaining.
    let account = self::account(&env, AccountKind::FacebookPage).await;
    let mut req = request(&account, PostFormat::Text, "Open on Monday", vec![]);
    req.first_comment = Some("Come early".into());
    let published = drive(&env, &facebook(&env), &req, &media, 0)
        .await
        .outcome
        .unwrap();
    assert!(published.warnings.is_empty(), "{:?}", published.warnings);
    assert!(published.hints().is_empty());
}

// ------------------------------------------------------------------- faults

const KINDS: [FaultKind; 3] = [
    FaultKind::ServerError,
    FaultKind::RateLimited,
    FaultKind::ResponseLost,
];

#[tokio::test]
async fn a_fault_on_any_instagram_step_still_publishes_exactly_once() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::InstagramBusiness).await;
    let publisher = instagram(&env, InstagramApi::FacebookLogin);
    let endpoints = [
        "instagram.media_create",
        "instagram.container_status",
        "instagram.media_publish",
        "instagram.media_list",
        "instagram.media_get",
        "instagram.comments",
    ];
    let mut n = 0;
    for endpoint in endpoints {
        for kind in KINDS {
            n += 1;
            let caption = format!("Case {n}: {kind:?} on {endpoint}");
            let items = if endpoint == "instagram.media_create" && n % 2 == 0 {
                vec![media.item("photo"), media.item("clip")]
            } else {
                vec![media.item("photo")]
            };
            let format = if items.len() > 1 {
                PostFormat::Carousel
            } else {
                PostFormat::Image
            };
            let mut req = request(&account, format, &caption, items);
            req.first_comment = Some(format!("comment {n}"));
            env.inject(endpoint, kind, Some(1));
            if endpoint == "instagram.media_list" {
                // The listing is only read to reconcile: lose a publish
                // answer so it is needed.
                env.inject("instagram.media_publish", FaultKind::ResponseLost, Some(1));
            }
            let before = env.calls(endpoint);
            let run = drive(&env, &publisher, &req, &media, 5).await;
            let published = run.outcome.unwrap_or_else(|e| panic!("{caption}: {e}"));
            assert!(
                env.calls(endpoint) > before,
                "{caption}: endpoint not reached"
            );
            assert_published_once(&env, &account, &caption, &published);
            assert!(
                published.warnings.is_empty(),
                "{caption}: {:?}",
                published.warnings
            );
            assert_eq!(
                comments(&env, &account, &published.remote_id).await,
                [format!("comment {n}")],
                "{caption}"
            );
            env.sandbox.clear_faults();
            env.advance(SignedDuration::from_mins(5));
        }
    }
}

#[tokio::test]
async fn a_fault_on_any_facebook_step_still_publishes_exactly_once() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::FacebookPage).await;
    let publisher = facebook(&env);
    let cases = [
        ("facebook.feed", PostFormat::Text),
        ("facebook.photos", PostFormat::Image),
        ("facebook.videos", PostFormat::Video),
        ("facebook.object", PostFormat::Text),
        ("facebook.object", PostFormat::Video),
        ("facebook.comments", PostFormat::Image),
    ];
    let mut n = 0;
    for (endpoint, format) in cases {
        for kind in KINDS {
            n += 1;
            let caption = format!("Case {n}: {kind:?} on {endpoint}");
            let items = match format {
                PostFormat::Image => vec![media.item("photo")],
                PostFormat::Video => vec![media.item("clip")],
                _ => vec![],
            };
            let mut req = request(&account, format, &caption, items);
            req.first_comment = Some(format!("comment {n}"));
            env.inject(endpoint, kind, Some(1));
            let before = env.calls(endpoint);
            let run = drive(&env, &publisher, &req, &media, 5).await;
            let published = run.outcome.unwrap_or_else(|e| panic!("{caption}: {e}"));
            assert!(
                env.calls(endpoint) > before,
                "{caption}: endpoint not reached"
            );
            assert_published_once(&env, &account, &caption, &published);
            assert!(
                published.warnings.is_empty(),
                "{caption}: {:?}",
                published.warnings
            );
            assert_eq!(
                comments(&env, &account, &published.progress["post_id"]).await,
                [format!("comment {n}")],
                "{caption}"
            );
            env.sandbox.clear_faults();
            env.advance(SignedDuration::from_mins(5));
        }
    }
}

// -------------------------------------------------------- worker crashes

#[tokio::test]
async fn a_worker_dying_after_media_publish_does_not_publish_twice() {
    for kind in [
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
    ] {
        let env = Env::start().await;
        let media = files().await;
        let account = account(&env, kind).await;
        let publisher = instagram(&env, api_of(kind));
        let mut req = request(
            &account,
            PostFormat::Image,
            "Crash test",
            vec![media.item("photo")],
        );
        req.first_comment = Some("Crash comment".into());

        // Up to the marker, then the publishing step runs but its progress
        // is lost.
        let marked = step_until(&env, &publisher, &req, &media, Progress::new(), |p| {
            p.contains_key("publish_intent_at")
        })
        .await;
        step_and_forget(&publisher, &req, &media, &marked).await;
        assert_eq!(env.sandbox.published_on(&account.id).len(), 1);

        // Resumed from the marker: reconciled, not published again. The
        // comment step dies the same way.
        let commented = step_until(&env, &publisher, &req, &media, marked, |p| {
            p.contains_key("comment_intent_at")
        })
        .await;
        step_and_forget(&publisher, &req, &media, &commented).await;
        let published = finish(&env, &publisher, &req, &media, commented).await;
        assert_published_once(&env, &account, "Crash test", &published);
        assert_eq!(
            comments(&env, &account, &published.remote_id).await,
            ["Crash comment"]
        );
        assert_eq!(env.calls("instagram.media_publish"), 1);
    }
}

#[tokio::test]
async fn a_worker_dying_after_a_page_post_does_not_post_twice() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::FacebookPage).await;
    let publisher = facebook(&env);
    for (format, caption, items) in [
        (PostFormat::Text, "Crash text", vec![]),
        (PostFormat::Image, "Crash photo", vec![media.item("photo")]),
        (PostFormat::Video, "Crash video", vec![media.item("clip")]),
    ] {
        let mut req = request(&account, format, caption, items);
        req.first_comment = Some(format!("{caption} comment"));
        let marked = step_until(&env, &publisher, &req, &media, Progress::new(), |p| {
            p.contains_key("intent_at")
        })
        .await;
        step_and_forget(&publisher, &req, &media, &marked).await;
        let commented = step_until(&env, &publisher, &req, &media, marked, |p| {
            p.contains_key("comment_intent_at")
        })
        .await;
        step_and_forget(&publisher, &req, &media, &commented).await;
        let published = finish(&env, &publisher, &req, &media, commented).await;
        assert_published_once(&env, &account, caption, &published);
        assert_eq!(
            comments(&env, &account, &published.progress["post_id"]).await,
            [format!("{caption} comment")]
        );
    }
    assert_eq!(env.calls("facebook.videos"), 3, "list, create, list again");
}

#[tokio::test]
async fn containers_that_expire_are_made_again() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::InstagramBusiness).await;
    let publisher = instagram(&env, InstagramApi::FacebookLogin);
    let req = request(
        &account,
        PostFormat::Image,
        "Late",
        vec![media.item("photo")],
    );
    let created = step_until(&env, &publisher, &req, &media, Progress::new(), |p| {
        p.contains_key("container")
    })
    .await;
    let first = created["container"].clone();
    // The dispatcher comes back a day later.
    env.advance(SignedDuration::from_hours(25));
    let published = finish(&env, &publisher, &req, &media, created).await;
    assert_ne!(published.progress["container"], first);
    assert_eq!(published.progress["restarts"], "1");
    assert_published_once(&env, &account, "Late", &published);
}

// ------------------------------------------------------- permanent errors

#[tokio::test]
async fn a_revoked_app_asks_to_reconnect_without_posting() {
    for kind in [
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
        AccountKind::FacebookPage,
    ] {
        let env = Env::start().await;
        let media = files().await;
        let account = account(&env, kind).await;
        let platform = match kind {
            AccountKind::InstagramAccount => Platform::Instagram,
            _ => Platform::Meta,
        };
        env.sandbox.revoke_user(platform, "demo");
        let req = request(
            &account,
            if kind == AccountKind::FacebookPage {
                PostFormat::Image
            } else {
                PostFormat::Reel
            },
            "Never",
            vec![media.item(if kind == AccountKind::FacebookPage {
                "photo"
            } else {
                "clip"
            })],
        );
        let run = if kind == AccountKind::FacebookPage {
            drive(&env, &facebook(&env), &req, &media, 3).await
        } else {
            drive(&env, &instagram(&env, api_of(kind)), &req, &media, 3).await
        };
        let error = expect_err(run.outcome, "publishing with a revoked token");
        assert_kind(&error, ErrorKind::Reconnect);
        assert!(run.retried.is_empty(), "not retried: {:?}", run.retried);
        assert!(env.sandbox.published().is_empty());
    }
}

#[tokio::test]
async fn media_instagram_cannot_process_fails_with_its_text() {
    let env = Env::start().await;
    let media = files().await;
    let account = account(&env, AccountKind::InstagramBusiness).await;
    let publisher = instagram(&env, InstagramApi::FacebookLogin);
    let req = request(
        &account,
        PostFormat::Image,
        "A PNG",
        vec![media.item("drawing")],
    );
    let run = drive(&env, &publisher, &req, &media, 3).await;
    let error = expect_err(run.outcome, "a PNG on Instagram");
    assert_kind(&error, ErrorKind::BadRequest);
    assert!(error.message.contains("2207005"), "{error}");
    assert!(error.message.contains("JPEG"), "{error}");
    assert_eq!(error.code.as_deref(), Some("2207005"));

    let carousel = request(
        &account,
        PostFormat::Carousel,
        "A carousel with a PNG",
        vec![media.item("photo"), media.item("drawing")],
    );
    let error = expect_err(
        drive(&env, &publisher, &carousel, &media, 3).await.outcome,
        "a PNG in a carousel",
    );
    assert_kind(&error, ErrorKind::BadRequest);
    assert!(error.message.contains("2207005"), "{error}");

    let page = self::account(&env, AccountKind::FacebookPage).await;
    let video = request(
        &page,
        PostFormat::Video,
        "Not a video",
        vec![media.item("fake-clip")],
    );
    let error = expect_err(
        drive(&env, &facebook(&env), &video, &media, 3)
            .await
            .outcome,
        "a JPEG as a Page video",
    );
    assert_kind(&error, ErrorKind::BadRequest);
    assert!(env.sandbox.published().is_empty());
}

#[tokio::test]
async fn the_daily_instagram_limit_is_rate_limited_until_a_slot_frees() {
    let env = Env::with(|s| {
        s.limits = Limits {
            instagram_publishes_per_day: 1,
            ..Limits::default()
        }
    })
    .await;
    let media = files().await;
    let account = account(&env, AccountKind::InstagramBusiness).await;
    let publisher = instagram(&env, InstagramApi::FacebookLogin);
    let first = request(
        &account,
        PostFormat::Image,
        "Today's post",
        vec![media.item("photo")],
    );
    drive(&env, &publisher, &first, &media, 0)
        .await
        .outcome
        .unwrap();
    let first_at = env.sandbox.published_on(&account.id)[0].published_at;

    env.advance(SignedDuration::from_hours(1));
    let second = request(
        &account,
        PostFormat::Image,
        "One too many",
        vec![media.item("photo")],
    );
    let run = drive(&env, &publisher, &second, &media, 0).await;
    let error = expect_err(run.outcome, "a second post over the limit");
    let until = assert_rate_limited(&error).expect("until when");
    assert_eq!(error.code.as_deref(), Some("9/2207042"));
    assert_eq!(until, first_at + SignedDuration::from_hours(24));
    assert_eq!(env.sandbox.published_on(&account.id).len(), 1);

    // After that the same progress publishes.
    env.clock.set(until);
    let last = run.saved.last().cloned().unwrap_or_default();
    let published = finish(&env, &publisher, &second, &media, last).await;
    assert_published_once(&env, &account, "One too many", &published);
}

#[tokio::test]
async fn requests_the_publisher_cannot_serve_fail_before_any_call() {
    let env = Env::start().await;
    let media = files().await;
    let page = Account {
        kind: AccountKind::FacebookPage,
        id: "1".into(),
        token: Secret::new("t"),
    };
    let ig = Account {
        kind: AccountKind::InstagramBusiness,
        ..page
    };
    let publisher = instagram(&env, InstagramApi::FacebookLogin);
    for (format, items) in [
        (PostFormat::Text, vec![]),
        (PostFormat::Image, vec![media.item("clip")]),
        (PostFormat::Carousel, vec![media.item("photo")]),
        (PostFormat::Reel, vec![media.item("photo")]),
    ] {
        let error = expect_err(
            publisher
                .step(&request(&ig, format, "x", items), &media, &Progress::new())
                .await,
            "an unsupported Instagram request",
        );
        assert_kind(&error, ErrorKind::BadRequest);
    }
    let wrong_kind = Account {
        kind: AccountKind::FacebookPage,
        ..ig
    };
    let error = expect_err(
        publisher
            .step(
                &request(
                    &wrong_kind,
                    PostFormat::Image,
                    "x",
                    vec![media.item("photo")],
                ),
                &media,
                &Progress::new(),
            )
            .await,
        "a Page given to the Instagram publisher",
    );
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(env.calls("instagram.media_create"), 0);
}
