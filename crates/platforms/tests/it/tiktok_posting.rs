//! TikTok direct posts before and after the app audit, against the
//! simulator: the unaudited app's private-accounts rule and five-user
//! cap, the daily post cap (postponed by a day, not refused), the privacy
//! the person must choose, the interactions and the commercial-content
//! disclosure sent, titles counted in UTF-16 units, processing polls that
//! back off and stop, and the post id that comes after moderation.

use herald_core::SignedDuration;
use herald_platforms::publish::tiktok::{CAP_WINDOW, PROCESSING_LIMIT, TikTokPublisher};
use herald_platforms::{
    AccountKind, Candidate, ErrorKind, POST_ID_PENDING, PlatformError, PostFormat, PostIdLookup,
    PostSettings, ProviderId, PublishRequest, Publisher,
};
use herald_sandbox::TikTokCreator;

use crate::helpers::*;
use crate::publishing::{MediaFiles, Run, drive, mp4};

const TT: ProviderId = ProviderId::TikTok;

fn publisher(env: &Env) -> TikTokPublisher {
    TikTokPublisher::new(env.hosts(), env.client.clone())
}

async fn account(env: &Env, user: &str) -> Candidate {
    let grant = env.connect_as(TT, user, &[]).await;
    let account = grant.accounts.into_iter().next().expect("a TikTok account");
    assert_eq!(account.kind, AccountKind::TikTokUser);
    account
}

async fn video() -> MediaFiles {
    MediaFiles::serve(vec![("video", "video/mp4", mp4(200_000))]).await
}

fn request(account: &Candidate, files: &MediaFiles, privacy: Option<&str>) -> PublishRequest {
    PublishRequest {
        kind: account.kind,
        account_id: account.remote_id.clone(),
        access_token: account.credentials.access_token.clone(),
        idempotency_key: format!("post:{}", account.remote_id),
        format: PostFormat::Video,
        caption: "Behind the counter".to_owned(),
        title: None,
        link: None,
        first_comment: None,
        privacy: privacy.map(str::to_owned),
        cover_offset_ms: None,
        media: vec![files.item("video")],
        settings: PostSettings::default(),
    }
}

#[track_caller]
fn refused(run: &Run) -> &PlatformError {
    match &run.outcome {
        Err(e) => e,
        Ok(p) => panic!("published {p:?}, expected a refusal"),
    }
}

#[track_caller]
fn hint_of(error: &PlatformError) -> &str {
    error.hint.as_ref().map_or_else(
        || panic!("no hint on {error} ({:?})", error.code),
        |h| h.code.as_str(),
    )
}

fn private(env: &Env, user: &str) {
    env.sandbox.set_tiktok_creator(
        user,
        TikTokCreator {
            private_account: true,
            ..TikTokCreator::default()
        },
    );
}

#[tokio::test]
async fn an_unaudited_app_posting_to_a_public_account_says_to_make_it_private() {
    let env = Env::with(|s| s.tiktok_unaudited = true).await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    let req = request(&demo, &files, Some("SELF_ONLY"));
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_kind(error, ErrorKind::BadRequest);
    assert_eq!(
        error.code.as_deref(),
        Some("unaudited_client_can_only_post_to_private_accounts")
    );
    assert_eq!(hint_of(error), "tiktok_account_must_be_private");
    assert!(env.sandbox.published().is_empty());

    // Once the account is private the same post goes out, privately.
    private(&env, "demo");
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    let sent = env.sandbox.tiktok_publishes();
    assert_eq!(sent.last().unwrap().privacy_level, "SELF_ONLY");
    assert_eq!(env.sandbox.published_on(&demo.remote_id).len(), 1);
}

#[tokio::test]
async fn the_sixth_user_of_an_unaudited_app_waits_a_day_instead_of_failing() {
    let env = Env::with(|s| s.tiktok_unaudited = true).await;
    let files = video().await;
    for user in ["ann", "ben", "cem", "dora", "emil"] {
        private(&env, user);
        let a = account(&env, user).await;
        let run = drive(
            &env,
            &publisher(&env),
            &request(&a, &files, Some("SELF_ONLY")),
            &files,
            0,
        )
        .await;
        assert!(run.outcome.is_ok(), "{user}: {:?}", run.outcome);
    }
    private(&env, "fritz");
    let sixth = account(&env, "fritz").await;
    let req = request(&sixth, &files, Some("SELF_ONLY"));
    let before = env.now();
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_eq!(error.code.as_deref(), Some("reached_active_user_cap"));
    assert_eq!(hint_of(error), "tiktok_active_user_cap");
    match error.kind {
        ErrorKind::Postponed { until } => {
            assert!(until >= before + CAP_WINDOW && until <= env.now() + CAP_WINDOW);
        }
        ref other => panic!("expected a postponement, got {other:?}"),
    }
    assert!(env.sandbox.published_on(&sixth.remote_id).is_empty());

    // A day later the window has passed and it goes out (with a token of
    // that day: access tokens live 24 hours).
    env.advance(CAP_WINDOW);
    let sixth = account(&env, "fritz").await;
    let req = request(&sixth, &files, Some("SELF_ONLY"));
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    assert_eq!(env.sandbox.published_on(&sixth.remote_id).len(), 1);
}

#[tokio::test]
async fn the_daily_post_cap_postpones_by_a_day_instead_of_failing() {
    let env = Env::with(|s| s.limits.tiktok_posts_per_user_per_day = 2).await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    let req = request(&demo, &files, Some("PUBLIC_TO_EVERYONE"));
    for _ in 0..2 {
        let run = drive(&env, &publisher(&env), &req, &files, 0).await;
        assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    }
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_eq!(error.code.as_deref(), Some("spam_risk_too_many_posts"));
    assert_eq!(hint_of(error), "tiktok_daily_post_cap");
    assert!(
        matches!(error.kind, ErrorKind::Postponed { until } if until >= env.now() + CAP_WINDOW - SignedDuration::from_mins(1)),
        "{:?}",
        error.kind
    );
    assert_eq!(env.sandbox.published_on(&demo.remote_id).len(), 2);
}

#[tokio::test]
async fn the_privacy_is_the_persons_choice_among_the_accounts_options() {
    let env = Env::start().await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    // No default: nothing chosen is refused before anything is sent.
    let run = drive(
        &env,
        &publisher(&env),
        &request(&demo, &files, None),
        &files,
        0,
    )
    .await;
    let error = refused(&run);
    assert_kind(error, ErrorKind::BadRequest);
    assert_eq!(hint_of(error), "tiktok_privacy_required");
    assert_eq!(
        error.hint.as_ref().unwrap().params["offered"],
        "PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY"
    );
    // A private account offers followers, not everyone.
    private(&env, "demo");
    let req = request(&demo, &files, Some("PUBLIC_TO_EVERYONE"));
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_eq!(error.code.as_deref(), Some("privacy_level_option_mismatch"));
    assert_eq!(hint_of(error), "tiktok_privacy_not_offered");
    assert_eq!(env.calls("tiktok.video_init"), 0);
    let req = request(&demo, &files, Some("FOLLOWER_OF_CREATOR"));
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    assert_eq!(
        env.sandbox.tiktok_publishes()[0].privacy_level,
        "FOLLOWER_OF_CREATOR"
    );
}

#[tokio::test]
async fn interactions_and_the_disclosure_are_sent_as_chosen_within_the_creators_settings() {
    let env = Env::start().await;
    let demo = account(&env, "demo").await;
    env.sandbox.set_tiktok_creator(
        "demo",
        TikTokCreator {
            stitch_disabled: true,
            ..TikTokCreator::default()
        },
    );
    let files = video().await;
    let mut req = request(&demo, &files, Some("PUBLIC_TO_EVERYONE"));
    req.settings = PostSettings {
        allow_comments: true,
        allow_duets: false,
        // The creator switched stitches off: it stays off.
        allow_stitches: true,
        promotes_own_brand: true,
        branded_content: true,
    };
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    let sent = &env.sandbox.tiktok_publishes()[0];
    assert!(!sent.disable_comment);
    assert!(sent.disable_duet, "not turned on: off");
    assert!(sent.disable_stitch);
    assert!(sent.brand_organic_toggle && sent.brand_content_toggle);

    // Nothing turned on: everything off, no disclosure.
    let mut plain = request(&demo, &files, Some("SELF_ONLY"));
    plain.idempotency_key.push_str("-2");
    let run = drive(&env, &publisher(&env), &plain, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
    let sent = &env.sandbox.tiktok_publishes()[1];
    assert!(sent.disable_comment && sent.disable_duet && sent.disable_stitch);
    assert!(!sent.brand_organic_toggle && !sent.brand_content_toggle);
}

#[tokio::test]
async fn branded_content_is_never_posted_privately() {
    let env = Env::start().await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    let mut req = request(&demo, &files, Some("SELF_ONLY"));
    req.settings.branded_content = true;
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_eq!(hint_of(error), "tiktok_branded_content_private");
    assert_eq!(env.calls("tiktok.video_init"), 0);
}

#[tokio::test]
async fn captions_are_counted_in_utf16_units_as_tiktok_does() {
    let env = Env::start().await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    // 1101 emoji: 1101 characters, 2202 UTF-16 units.
    let mut req = request(&demo, &files, Some("SELF_ONLY"));
    req.caption = "🥐".repeat(1101);
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_eq!(hint_of(error), "tiktok_caption_too_long");
    let params = &error.hint.as_ref().unwrap().params;
    assert_eq!(params["actual"], "2202");
    assert_eq!(params["limit"], "2200");
    assert_eq!(env.calls("tiktok.video_init"), 0);
    // 1100 emoji are exactly at the limit.
    req.caption = "🥐".repeat(1100);
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    assert!(run.outcome.is_ok(), "{:?}", run.outcome);
}

#[tokio::test]
async fn a_post_id_that_comes_after_moderation_is_found_later() {
    let env = Env::with(|s| s.limits.tiktok_post_id_secs = 3 * 3600).await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    let p = publisher(&env);
    let req = request(&demo, &files, Some("SELF_ONLY"));
    let run = drive(&env, &p, &req, &files, 0).await;
    let done = run.outcome.as_ref().expect("published");
    // Published with what is known: the publish id, no link yet.
    assert!(
        done.remote_id.starts_with("v_pub_file~"),
        "{}",
        done.remote_id
    );
    assert_eq!(done.permalink, None);
    assert!(done.progress.contains_key(POST_ID_PENDING));
    let token = &demo.credentials.access_token;
    assert_eq!(
        p.find_post_id(token, &done.progress).await.unwrap(),
        PostIdLookup::Pending
    );
    env.advance(SignedDuration::from_hours(3));
    let post = &env.sandbox.published_on(&demo.remote_id)[0];
    assert_eq!(
        p.find_post_id(token, &done.progress).await.unwrap(),
        PostIdLookup::Found {
            remote_id: post.id.clone(),
            permalink: Some(post.permalink.clone()),
        }
    );
}

#[tokio::test]
async fn processing_polls_back_off_and_stop_after_an_hour_saying_how_long() {
    let env = Env::with(|s| s.limits.tiktok_processing_secs = 3 * 3600).await;
    let demo = account(&env, "demo").await;
    let files = video().await;
    let req = request(&demo, &files, Some("SELF_ONLY"));
    let started = env.now();
    let run = drive(&env, &publisher(&env), &req, &files, 0).await;
    let error = refused(&run);
    assert_kind(error, ErrorKind::OutcomeUnknown);
    assert_eq!(hint_of(error), "tiktok_processing_timeout");
    assert_eq!(error.hint.as_ref().unwrap().params["minutes"], "60");
    // It waited the hour, not much longer, with polls that backed off to
    // one a minute: 5, 10, 20, 40 s, then every 60 s.
    let waited = env.now().duration_since(started);
    assert!(waited >= PROCESSING_LIMIT, "{waited:?}");
    assert!(
        waited < PROCESSING_LIMIT + SignedDuration::from_mins(2),
        "{waited:?}"
    );
    let polls = env.calls("tiktok.status");
    assert!((60..=66).contains(&polls), "{polls} polls");
}

#[tokio::test]
async fn posting_options_follow_the_account_type_and_settings() {
    let env = Env::start().await;
    let demo = account(&env, "demo").await;
    let p = publisher(&env);
    let token = &demo.credentials.access_token;
    let public = p
        .posting_options(AccountKind::TikTokUser, token)
        .await
        .unwrap()
        .expect("TikTok has posting options");
    assert_eq!(
        public.privacy_options,
        ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    );
    assert_eq!(public.username.as_deref(), Some("demo"));
    assert!(!public.comment_disabled && !public.duet_disabled && !public.stitch_disabled);
    assert_eq!(public.max_video_duration_secs, Some(600));
    env.sandbox.set_tiktok_creator(
        "demo",
        TikTokCreator {
            private_account: true,
            comment_disabled: true,
            max_video_post_duration_sec: Some(180),
            ..TikTokCreator::default()
        },
    );
    let private = p
        .posting_options(AccountKind::TikTokUser, token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        private.privacy_options,
        ["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
    );
    // Private accounts have duets and stitches off.
    assert!(private.comment_disabled && private.duet_disabled && private.stitch_disabled);
    assert_eq!(private.max_video_duration_secs, Some(180));
    // Other platforms' publishers have none.
    let youtube =
        herald_platforms::publish::youtube::YouTubePublisher::new(env.hosts(), env.client.clone());
    assert_eq!(
        youtube
            .posting_options(AccountKind::YouTubeChannel, token)
            .await
            .unwrap(),
        None
    );
}
