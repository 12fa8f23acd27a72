//! Engagement against the simulators: every action of every engager, each
//! platform rule that refuses one (the 24-hour messaging window, one
//! private reply per comment within 7 days, moderating someone else's
//! content, deleting someone else's YouTube comment, unknown ids), and
//! reading a YouTube channel's comments page by page.

use herald_core::SignedDuration;
use herald_platforms::engage::graph::FacebookPageEngager;
use herald_platforms::engage::instagram::InstagramEngager;
use herald_platforms::engage::youtube::YouTubeEngager;
use herald_platforms::engage::{
    Action, EngageAccount, EngageError, EngageRefusal, Engager, Engagers, FetchedComment,
};
use herald_platforms::publish::facebook::FacebookPublisher;
use herald_platforms::publish::instagram::{InstagramApi, InstagramPublisher};
use herald_platforms::publish::youtube::YouTubePublisher;
use herald_platforms::{
    AccountKind, AppConfig, Candidate, ErrorKind, Hosts, PlatformsConfig, PostFormat, ProviderId,
    PublishRequest, Secret,
};
use serde_json::json;

use crate::helpers::*;
use crate::publishing::{MediaFiles, drive, jpeg, mp4};

/// What Herald's Facebook connector asks for, plus what engagement needs.
const FACEBOOK_EXTRA: &[&str] = &[
    "pages_manage_engagement",
    "pages_messaging",
    "instagram_manage_messages",
];
const INSTAGRAM_EXTRA: &[&str] = &["instagram_business_manage_messages"];
const YOUTUBE_EXTRA: &[&str] = &["https://www.googleapis.com/auth/youtube.force-ssl"];

const DAY: SignedDuration = SignedDuration::from_hours(24);
const SECOND: SignedDuration = SignedDuration::from_secs(1);

fn account(candidate: &Candidate) -> EngageAccount {
    EngageAccount {
        kind: candidate.kind,
        account_id: candidate.remote_id.clone(),
        access_token: candidate.credentials.access_token.clone(),
    }
}

/// The candidate of `kind` named `name` in a grant.
fn pick(grant: &herald_platforms::Grant, kind: AccountKind, name: &str) -> Candidate {
    grant
        .accounts
        .iter()
        .find(|a| a.kind == kind && a.name.contains(name))
        .unwrap_or_else(|| panic!("no {kind:?} {name} in {:?}", grant.accounts))
        .clone()
}

fn post(
    account: &EngageAccount,
    format: PostFormat,
    caption: &str,
    media: Vec<herald_platforms::MediaItem>,
) -> PublishRequest {
    PublishRequest {
        kind: account.kind,
        account_id: account.account_id.clone(),
        access_token: account.access_token.clone(),
        idempotency_key: format!("engage-{caption}"),
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

/// Publishes an image on an Instagram account; its media id.
async fn instagram_media(env: &Env, api: InstagramApi, account: &EngageAccount) -> String {
    let files = MediaFiles::serve(vec![("photo", "image/jpeg", jpeg(4_000))]).await;
    let publisher = InstagramPublisher::new(env.hosts(), api, env.client.clone());
    let request = post(
        account,
        PostFormat::Image,
        "a photo to talk about",
        vec![files.item("photo")],
    );
    let run = drive(env, &publisher, &request, &files, 0).await;
    run.outcome.expect("the image is published").remote_id
}

/// Publishes a text post on a Page; its post id.
async fn page_post(env: &Env, account: &EngageAccount) -> String {
    let files = MediaFiles::serve(Vec::new()).await;
    let publisher = FacebookPublisher::new(env.hosts(), env.client.clone());
    let request = post(
        account,
        PostFormat::Text,
        "news from the bakery",
        Vec::new(),
    );
    let run = drive(env, &publisher, &request, &files, 0).await;
    run.outcome.expect("the post is published").remote_id
}

/// Uploads a small video to a channel; its video id.
async fn youtube_video(env: &Env, account: &EngageAccount) -> String {
    let files = MediaFiles::serve(vec![("video", "video/mp4", mp4(40_000))]).await;
    let publisher = YouTubePublisher::new(env.hosts(), env.client.clone());
    let mut request = post(
        account,
        PostFormat::Video,
        "a video to talk about",
        vec![files.item("video")],
    );
    request.title = Some("Engagement".into());
    let run = drive(env, &publisher, &request, &files, 0).await;
    run.outcome.expect("the video is uploaded").remote_id
}

/// A follower's comment on a Meta media or post; its id.
async fn comment_on(env: &Env, on: &str, from: &str) -> String {
    let answer = env
        .admin(
            "/_admin/engagement/comments",
            json!({"on": on, "from": from, "text": format!("question from {from}")}),
        )
        .await;
    answer["id"].as_str().unwrap().to_owned()
}

/// A follower writes to the account; their id as the account sees it.
async fn message_from(env: &Env, account: &str, from: &str) -> String {
    let answer = env
        .admin(
            "/_admin/engagement/messages",
            json!({"account": account, "from": from, "text": "are you open on Sunday?"}),
        )
        .await;
    answer["sender_id"].as_str().unwrap().to_owned()
}

#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T, EngageError>, refusal: EngageRefusal) {
    match result {
        Err(EngageError::Refused(r)) => assert_eq!(r, refusal),
        other => panic!("expected {}, got {other:?}", refusal.as_str()),
    }
}

#[track_caller]
fn made(result: Result<herald_platforms::engage::Acted, EngageError>) -> String {
    match result {
        Ok(acted) => acted.remote_id.expect("an id of what was made"),
        Err(e) => panic!("the action failed: {e:?}"),
    }
}

fn reply(comment: &str, text: &str) -> Action {
    Action::ReplyToComment {
        comment_id: comment.to_owned(),
        text: text.to_owned(),
    }
}

fn private(comment: &str) -> Action {
    Action::PrivateReply {
        comment_id: comment.to_owned(),
        text: "Here is the link you asked for".to_owned(),
    }
}

fn message(to: &str) -> Action {
    Action::SendMessage {
        recipient_id: to.to_owned(),
        text: "Yes, 9 to 12!".to_owned(),
    }
}

fn hide(comment: &str, hidden: bool) -> Action {
    Action::HideComment {
        comment_id: comment.to_owned(),
        hidden,
    }
}

fn delete(comment: &str) -> Action {
    Action::DeleteComment {
        comment_id: comment.to_owned(),
    }
}

// ------------------------------------------------------------- registry

#[tokio::test]
async fn every_account_kind_with_an_app_gets_an_engager_and_tiktok_none() {
    let env = Env::start().await;
    let app = |id: &str| AppConfig {
        client_id: id.to_owned(),
        client_secret: Secret::new("s"),
        hosts: Hosts::sandbox(&env.base),
    };
    let config = PlatformsConfig {
        facebook: Some(app("fb")),
        instagram: Some(app("ig")),
        tiktok: Some(app("tt")),
        youtube: Some(app("yt")),
    };
    let engagers = Engagers::new(&config, &env.client);
    for kind in [
        AccountKind::FacebookPage,
        AccountKind::InstagramBusiness,
        AccountKind::InstagramAccount,
        AccountKind::YouTubeChannel,
    ] {
        let engager = engagers.get(kind).unwrap_or_else(|| panic!("{kind:?}"));
        assert_eq!(engager.kind(), kind);
        let abilities = engager.abilities();
        assert!(
            abilities.reply && abilities.hide && abilities.delete,
            "{kind:?}"
        );
        let meta = kind != AccountKind::YouTubeChannel;
        assert_eq!(abilities.private_reply, meta, "{kind:?}");
        assert_eq!(abilities.message, meta, "{kind:?}");
    }
    assert!(engagers.get(AccountKind::TikTokUser).is_none());
    let only_youtube = Engagers::new(
        &PlatformsConfig {
            youtube: Some(app("yt")),
            ..PlatformsConfig::default()
        },
        &env.client,
    );
    assert!(only_youtube.get(AccountKind::FacebookPage).is_none());
    assert!(only_youtube.get(AccountKind::YouTubeChannel).is_some());
}

// ------------------------------------------------------------ Instagram

/// Every Instagram action and refusal, for one flavour of account.
async fn instagram_round(api: InstagramApi) {
    let env = Env::start().await;
    let grant = match api {
        InstagramApi::FacebookLogin => {
            env.connect_as(ProviderId::Facebook, "demo", FACEBOOK_EXTRA)
                .await
        }
        InstagramApi::InstagramLogin => {
            env.connect_as(ProviderId::Instagram, "demo", INSTAGRAM_EXTRA)
                .await
        }
    };
    let ig = account(&pick(&grant, api.account_kind(), "Bakery"));
    let engager = InstagramEngager::new(env.hosts(), api, env.client.clone());
    let media = instagram_media(&env, api, &ig).await;
    let asked = comment_on(&env, &media, "zoe.mueller").await;
    let later = comment_on(&env, &media, "jose.nunez").await;

    // A public reply, made as the account.
    let answer = made(engager.act(&ig, &reply(&asked, "Thank you! 🥐")).await);
    let report = env.sandbox.engagement();
    let last = report.actions.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.target.as_str(),
            last.result_id.as_deref()
        ),
        ("reply", asked.as_str(), Some(answer.as_str()))
    );
    assert_eq!(last.account_id, ig.account_id);

    // Hidden, then shown again.
    engager.act(&ig, &hide(&asked, true)).await.unwrap();
    assert!(env.sandbox.engagement().hidden_comments.contains(&asked));
    engager.act(&ig, &hide(&asked, false)).await.unwrap();
    assert!(!env.sandbox.engagement().hidden_comments.contains(&asked));

    // One private reply per comment.
    let sent = made(engager.act(&ig, &private(&asked)).await);
    assert_eq!(
        env.sandbox.engagement().private_replies.get(&asked),
        Some(&sent)
    );
    refused(
        engager.act(&ig, &private(&asked)).await,
        EngageRefusal::PrivateReplyUsed,
    );

    // Messages within 24 hours of the person's last one.
    let zoe = message_from(&env, &ig.account_id, "zoe.mueller").await;
    made(engager.act(&ig, &message(&zoe)).await);
    env.advance(DAY + SECOND);
    refused(
        engager.act(&ig, &message(&zoe)).await,
        EngageRefusal::OutsideWindow,
    );
    // Someone who never wrote (a private reply opens no conversation).
    refused(
        engager.act(&ig, &message("1999999999999999")).await,
        EngageRefusal::NotFound,
    );

    // A private reply is too late 7 days after the comment.
    env.advance(DAY * 6);
    refused(
        engager.act(&ig, &private(&later)).await,
        EngageRefusal::PrivateReplyUsed,
    );

    // Deleted once; after that the comment is gone.
    engager.act(&ig, &delete(&asked)).await.unwrap();
    refused(
        engager.act(&ig, &delete(&asked)).await,
        EngageRefusal::NotFound,
    );
    refused(
        engager.act(&ig, &hide("17919999999999999", true)).await,
        EngageRefusal::NotFound,
    );
    refused(
        engager.act(&ig, &reply("17919999999999999", "hi")).await,
        EngageRefusal::NotFound,
    );

    // Comments arrive by webhook: no listing.
    refused(
        engager.comments(&ig, None).await,
        EngageRefusal::Unsupported,
    );
    let actions: Vec<String> = env
        .sandbox
        .engagement()
        .actions
        .iter()
        .map(|a| a.action.clone())
        .collect();
    assert_eq!(
        actions,
        [
            "reply",
            "hide",
            "unhide",
            "private_reply",
            "message",
            "delete"
        ]
    );
}

#[tokio::test]
async fn instagram_business_accounts_reply_hide_message_and_delete_within_the_rules() {
    instagram_round(InstagramApi::FacebookLogin).await;
}

#[tokio::test]
async fn instagram_login_accounts_reply_hide_message_and_delete_within_the_rules() {
    instagram_round(InstagramApi::InstagramLogin).await;
}

#[tokio::test]
async fn a_comment_on_another_accounts_instagram_media_cannot_be_hidden_only_deleted_by_its_author()
{
    let env = Env::start().await;
    let grant = env
        .connect_as(ProviderId::Facebook, "demo", FACEBOOK_EXTRA)
        .await;
    let bakery = account(&pick(&grant, AccountKind::InstagramBusiness, "Bakery"));
    let studio = account(&pick(&grant, AccountKind::InstagramBusiness, "Studio"));
    let media = instagram_media(&env, InstagramApi::FacebookLogin, &bakery).await;
    let theirs = env
        .admin(
            "/_admin/engagement/comments",
            json!({"on": media, "from_account": studio.account_id, "text": "love it"}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let follower = comment_on(&env, &media, "ana.lima").await;
    let engager =
        InstagramEngager::new(env.hosts(), InstagramApi::FacebookLogin, env.client.clone());
    refused(
        engager.act(&studio, &hide(&theirs, true)).await,
        EngageRefusal::NotAllowed,
    );
    refused(
        engager.act(&studio, &reply(&theirs, "me too")).await,
        EngageRefusal::NotAllowed,
    );
    refused(
        engager.act(&studio, &private(&theirs)).await,
        EngageRefusal::NotAllowed,
    );
    // A follower's comment on someone else's media is not even visible.
    refused(
        engager.act(&studio, &hide(&follower, true)).await,
        EngageRefusal::NotFound,
    );
    // Its author may delete it.
    engager.act(&studio, &delete(&theirs)).await.unwrap();
    assert_eq!(env.sandbox.engagement().actions.len(), 1);
}

#[tokio::test]
async fn instagram_login_moderates_only_its_own_media() {
    let env = Env::start().await;
    let mine = env
        .connect_as(ProviderId::Instagram, "demo", INSTAGRAM_EXTRA)
        .await;
    let rival = env
        .connect_as(ProviderId::Instagram, "rival", INSTAGRAM_EXTRA)
        .await;
    let mine = account(&mine.accounts[0]);
    let rival = account(&rival.accounts[0]);
    let media = instagram_media(&env, InstagramApi::InstagramLogin, &rival).await;
    let my_comment = env
        .admin(
            "/_admin/engagement/comments",
            json!({"on": media, "from_account": mine.account_id}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let engager = InstagramEngager::new(
        env.hosts(),
        InstagramApi::InstagramLogin,
        env.client.clone(),
    );
    refused(
        engager.act(&mine, &hide(&my_comment, true)).await,
        EngageRefusal::NotAllowed,
    );
    engager.act(&rival, &hide(&my_comment, true)).await.unwrap();
    engager.act(&mine, &delete(&my_comment)).await.unwrap();
}

// ------------------------------------------------------------ Facebook

#[tokio::test]
async fn facebook_pages_reply_hide_message_and_delete_within_the_rules() {
    let env = Env::start().await;
    let grant = env
        .connect_as(ProviderId::Facebook, "demo", FACEBOOK_EXTRA)
        .await;
    let page = account(&pick(&grant, AccountKind::FacebookPage, "Bakery"));
    let studio = account(&pick(&grant, AccountKind::FacebookPage, "Studio"));
    let engager = FacebookPageEngager::new(env.hosts(), env.client.clone());
    let post_id = page_post(&env, &page).await;
    let asked = comment_on(&env, &post_id, "soren.aero").await;
    let later = comment_on(&env, &post_id, "ana.lima").await;

    let answer = made(
        engager
            .act(&page, &reply(&asked, "See you tomorrow!"))
            .await,
    );
    assert!(answer.contains('_'), "a Page comment id: {answer}");
    engager.act(&page, &hide(&asked, true)).await.unwrap();
    assert!(env.sandbox.engagement().hidden_comments.contains(&asked));
    engager.act(&page, &hide(&asked, false)).await.unwrap();

    made(engager.act(&page, &private(&asked)).await);
    refused(
        engager.act(&page, &private(&asked)).await,
        EngageRefusal::PrivateReplyUsed,
    );

    let soren = message_from(&env, &page.account_id, "soren.aero").await;
    made(engager.act(&page, &message(&soren)).await);
    let conversation = env
        .sandbox
        .engagement()
        .conversations
        .into_iter()
        .find(|c| c.person_id == soren)
        .unwrap();
    assert_eq!(
        conversation.messages.len(),
        3,
        "private reply, their message, ours"
    );

    // Another Page may not moderate this Page's comments.
    refused(
        engager.act(&studio, &hide(&later, true)).await,
        EngageRefusal::NotFound,
    );

    env.advance(DAY + SECOND);
    refused(
        engager.act(&page, &message(&soren)).await,
        EngageRefusal::OutsideWindow,
    );
    env.advance(DAY * 6);
    refused(
        engager.act(&page, &private(&later)).await,
        EngageRefusal::PrivateReplyUsed,
    );

    engager.act(&page, &delete(&asked)).await.unwrap();
    refused(
        engager.act(&page, &delete(&asked)).await,
        EngageRefusal::NotFound,
    );
    refused(
        engager.comments(&page, None).await,
        EngageRefusal::Unsupported,
    );
}

#[tokio::test]
async fn a_page_may_not_hide_comments_on_another_pages_post() {
    let env = Env::start().await;
    let grant = env
        .connect_as(ProviderId::Facebook, "demo", FACEBOOK_EXTRA)
        .await;
    let bakery = account(&pick(&grant, AccountKind::FacebookPage, "Bakery"));
    let studio = account(&pick(&grant, AccountKind::FacebookPage, "Studio"));
    let post_id = page_post(&env, &bakery).await;
    let studios = env
        .admin(
            "/_admin/engagement/comments",
            json!({"on": post_id, "from_account": studio.account_id}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let engager = FacebookPageEngager::new(env.hosts(), env.client.clone());
    refused(
        engager.act(&studio, &hide(&studios, true)).await,
        EngageRefusal::NotAllowed,
    );
    engager.act(&studio, &delete(&studios)).await.unwrap();
}

#[tokio::test]
async fn missing_engagement_permissions_ask_for_consent_again() {
    let env = Env::start().await;
    // A connection made before Herald asked for pages_messaging and
    // pages_manage_engagement.
    let grant = env
        .connect_as(
            ProviderId::Facebook,
            "demo",
            &["-pages_messaging", "-pages_manage_engagement"],
        )
        .await;
    let page = account(&pick(&grant, AccountKind::FacebookPage, "Bakery"));
    let post_id = page_post(&env, &page).await;
    let asked = comment_on(&env, &post_id, "zoe.mueller").await;
    let engager = FacebookPageEngager::new(env.hosts(), env.client.clone());
    for action in [reply(&asked, "hi"), private(&asked)] {
        match engager.act(&page, &action).await {
            Err(EngageError::Platform(e)) => {
                assert!(matches!(e.kind, ErrorKind::Reconsent { .. }), "{e}");
            }
            other => panic!("{}: {other:?}", action.as_str()),
        }
    }
}

// ------------------------------------------------------------- YouTube

/// A channel of `user`, connected with the engagement scope.
async fn channel(env: &Env, user: &str, extra: &[&str]) -> EngageAccount {
    let grant = env.connect_as(ProviderId::YouTube, user, extra).await;
    account(&grant.accounts[0])
}

async fn youtube_comment(env: &Env, video: &str, from: &str) -> String {
    env.admin(
        "/_admin/youtube/comments",
        json!({"video_id": video, "from": from, "text": format!("{from} says hi")}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn all_comments(engager: &YouTubeEngager, channel: &EngageAccount) -> Vec<FetchedComment> {
    let mut all = Vec::new();
    let mut next = None;
    loop {
        let page = engager.comments(channel, next.as_deref()).await.unwrap();
        all.extend(page.comments);
        match page.next {
            Some(token) => next = Some(token),
            None => return all,
        }
    }
}

#[tokio::test]
async fn youtube_channels_reply_hide_and_delete_within_the_rules() {
    let env = Env::start().await;
    let mine = channel(&env, "demo", YOUTUBE_EXTRA).await;
    let video = youtube_video(&env, &mine).await;
    let question = youtube_comment(&env, &video, "zoe.mueller").await;
    let engager = YouTubeEngager::new(env.hosts(), env.client.clone());

    let answer = made(
        engager
            .act(&mine, &reply(&question, "Thanks for watching!"))
            .await,
    );
    assert!(answer.starts_with(&format!("{question}.")), "{answer}");
    // Replying to a reply answers in the same thread.
    let again = made(engager.act(&mine, &reply(&answer, "And more soon")).await);
    assert!(again.starts_with(&format!("{question}.")), "{again}");

    let listed = all_comments(&engager, &mine).await;
    let top = listed.iter().find(|c| c.remote_id == question).unwrap();
    assert!(!top.own);
    assert_eq!(top.media_id.as_deref(), Some(video.as_str()));
    assert_eq!(top.author_name.as_deref(), Some("Zoë Müller"));
    let ours = listed.iter().find(|c| c.remote_id == answer).unwrap();
    assert!(ours.own);
    assert_eq!(ours.parent_id.as_deref(), Some(question.as_str()));
    assert_eq!(ours.text.as_deref(), Some("Thanks for watching!"));

    // Hidden comments (held for review) leave the public listing.
    engager.act(&mine, &hide(&question, true)).await.unwrap();
    assert!(env.sandbox.engagement().hidden_comments.contains(&question));
    assert!(all_comments(&engager, &mine).await.is_empty());
    engager.act(&mine, &hide(&question, false)).await.unwrap();
    assert_eq!(all_comments(&engager, &mine).await.len(), 3);

    // Only the author deletes: the channel's own reply, not the follower's.
    engager.act(&mine, &delete(&again)).await.unwrap();
    refused(
        engager.act(&mine, &delete(&question)).await,
        EngageRefusal::NotAllowed,
    );
    refused(
        engager.act(&mine, &delete(&again)).await,
        EngageRefusal::NotFound,
    );
    refused(
        engager
            .act(&mine, &hide("UgzNoSuchComment4AaABAg", true))
            .await,
        EngageRefusal::NotFound,
    );
    refused(
        engager
            .act(&mine, &reply("UgzNoSuchComment4AaABAg", "hi"))
            .await,
        EngageRefusal::NotFound,
    );

    // No private replies or messages on YouTube.
    refused(
        engager.act(&mine, &private(&question)).await,
        EngageRefusal::Unsupported,
    );
    refused(
        engager.act(&mine, &message("UCsomeone")).await,
        EngageRefusal::Unsupported,
    );

    // Someone else's channel: their video's comments are theirs to moderate.
    let rival = channel(&env, "rival", YOUTUBE_EXTRA).await;
    let their_video = youtube_video(&env, &rival).await;
    let theirs = youtube_comment(&env, &their_video, "ana.lima").await;
    refused(
        engager.act(&mine, &hide(&theirs, true)).await,
        EngageRefusal::NotAllowed,
    );
}

#[tokio::test]
async fn youtube_writes_without_the_force_ssl_scope_ask_for_consent_again() {
    let env = Env::start().await;
    // A connection made before Herald asked for youtube.force-ssl.
    let mine = channel(
        &env,
        "demo",
        &["-https://www.googleapis.com/auth/youtube.force-ssl"],
    )
    .await;
    let video = youtube_video(&env, &mine).await;
    let question = youtube_comment(&env, &video, "zoe.mueller").await;
    let engager = YouTubeEngager::new(env.hosts(), env.client.clone());
    // Reading works with youtube.readonly ...
    assert_eq!(
        engager.comments(&mine, None).await.unwrap().comments.len(),
        1
    );
    // ... writing does not.
    match engager.act(&mine, &reply(&question, "hi")).await {
        Err(EngageError::Platform(e)) => {
            assert!(matches!(e.kind, ErrorKind::Reconsent { .. }), "{e}");
            assert_eq!(e.code.as_deref(), Some("insufficientPermissions"));
        }
        other => panic!("expected reconsent, got {other:?}"),
    }
}

#[tokio::test]
async fn youtube_comments_are_read_page_by_page_with_every_reply() {
    let env = Env::start().await;
    let mine = channel(&env, "demo", YOUTUBE_EXTRA).await;
    let video = youtube_video(&env, &mine).await;
    let first = youtube_comment(&env, &video, "follower0").await;
    // Eight replies: more than a thread carries itself.
    for n in 0..8 {
        env.admin(
            "/_admin/youtube/comments",
            json!({"parent_id": first, "from": format!("replier{n}")}),
        )
        .await;
        env.advance(SECOND);
    }
    for n in 1..150 {
        youtube_comment(&env, &video, &format!("follower{n}")).await;
        env.advance(SECOND);
    }
    let engager = YouTubeEngager::new(env.hosts(), env.client.clone());
    let page1 = engager.comments(&mine, None).await.unwrap();
    let tops1 = page1
        .comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .count();
    assert_eq!(tops1, 100);
    let token = page1.next.clone().expect("a second page");
    let page2 = engager.comments(&mine, Some(&token)).await.unwrap();
    assert!(page2.next.is_none());
    let tops2: Vec<&FetchedComment> = page2
        .comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .collect();
    assert_eq!(tops2.len(), 50);
    // The oldest thread is on the second page, with all eight replies.
    let replies: Vec<&FetchedComment> = page2
        .comments
        .iter()
        .filter(|c| c.parent_id.as_deref() == Some(first.as_str()))
        .collect();
    assert_eq!(replies.len(), 8);
    // Newest first within a page; no comment twice.
    for pair in page1.comments.windows(2) {
        assert!(pair[0].created_at >= pair[1].created_at);
    }
    let mut ids: Vec<&str> = page1
        .comments
        .iter()
        .chain(&page2.comments)
        .map(|c| c.remote_id.as_str())
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((ids.len(), total), (158, 158));
    assert_eq!(env.calls("youtube.comment_threads"), 2);
    assert_eq!(
        env.calls("youtube.comments"),
        1,
        "one comments.list for the long thread"
    );
}
