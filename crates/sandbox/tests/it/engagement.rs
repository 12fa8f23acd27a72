//! The engagement simulators' rules, driven over HTTP: Page and Instagram
//! comment moderation and replies, private replies (once, within 7 days),
//! the 24-hour messaging window, YouTube comment threads, moderation and
//! deletion, the admin endpoints that make engagement exist (and what
//! malformed or huge input gets), and how the state shows what was done.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::meta_publish::{
    FB, FB_SCOPES, IG, Media, get, instagram_login, ok, post, publish, ready,
};

const DAY: i64 = 86_400;
const ENGAGE_SCOPES: &str = ",pages_manage_engagement,pages_messaging,instagram_manage_messages";

#[track_caller]
fn codes(res: &Resp) -> (i64, Option<i64>) {
    let e = &res.json()["error"];
    assert!(e.is_object(), "expected a Graph error: {}", res.text());
    (e["code"].as_i64().unwrap(), e["error_subcode"].as_i64())
}

/// Both Pages of the demo user: (id, Page token) each, and a user token.
struct Pages {
    user_token: String,
    bakery: (String, String),
    studio: (String, String),
}

async fn pages(t: &TestSandbox, scopes: &str) -> Pages {
    let short = t.meta_login("demo", scopes, &["0", "1"]).await;
    let user_token = t.meta_long_lived(&short).await;
    let accounts = ok(&get(
        t,
        &format!("{FB}/me/accounts?fields=id,access_token"),
        &user_token,
    )
    .await);
    let page = |i: usize| {
        (
            accounts["data"][i]["id"].as_str().unwrap().to_owned(),
            accounts["data"][i]["access_token"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    };
    Pages {
        bakery: page(0),
        studio: page(1),
        user_token,
    }
}

async fn page_post(t: &TestSandbox, page: &(String, String)) -> String {
    let res = post(
        t,
        &format!("{FB}/{}/feed", page.0),
        &page.1,
        &[("message", "Fresh bread")],
    )
    .await;
    ok(&res)["id"].as_str().unwrap().to_owned()
}

async fn admin(t: &TestSandbox, path: &str, body: Value) -> Value {
    let res = t.post_json(path, &body).await;
    assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.text());
    res.json()
}

async fn comment(t: &TestSandbox, on: &str, from: &str) -> String {
    admin(
        t,
        "/_admin/engagement/comments",
        json!({"on": on, "from": from}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn delete(t: &TestSandbox, path: &str, token: &str) -> Resp {
    t.request(Method::DELETE, path, &[bearer(token)], Body::empty())
        .await
}

async fn send(t: &TestSandbox, page: &(String, String), pairs: &[(&str, &str)]) -> Resp {
    post(t, &format!("{FB}/{}/messages", page.0), &page.1, pairs).await
}

fn actions(t: &TestSandbox) -> Vec<String> {
    t.sb.engagement()
        .actions
        .into_iter()
        .map(|a| a.action)
        .collect()
}

// ------------------------------------------------------------- Page comments

#[tokio::test]
async fn page_comments_are_hidden_replied_to_and_deleted_by_their_page_only() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let post_id = page_post(&t, &p.bakery).await;
    let c = comment(&t, &post_id, "zoe.mueller").await;
    let node = format!("{FB}/{c}");

    let read = ok(&get(
        &t,
        &format!("{node}?fields=id,message,is_hidden,from"),
        &p.bakery.1,
    )
    .await);
    assert_eq!(
        (read["is_hidden"].clone(), read["from"]["name"].clone()),
        (json!(false), json!("Zoë Müller"))
    );
    // Writing as a Page takes the Page's token.
    assert_eq!(
        codes(&post(&t, &node, &p.user_token, &[("is_hidden", "true")]).await).0,
        210
    );
    assert_eq!(codes(&post(&t, &node, &p.bakery.1, &[]).await).0, 100);
    assert_eq!(
        codes(&post(&t, &node, &p.bakery.1, &[("is_hidden", "maybe")]).await).0,
        100
    );
    // Another Page cannot see a follower's comment here.
    assert_eq!(
        codes(&post(&t, &node, &p.studio.1, &[("is_hidden", "true")]).await),
        (100, Some(33))
    );
    assert!(actions(&t).is_empty());

    ok(&post(&t, &node, &p.bakery.1, &[("is_hidden", "true")]).await);
    let listed = ok(&get(
        &t,
        &format!("{FB}/{post_id}/comments?fields=id,is_hidden"),
        &p.bakery.1,
    )
    .await);
    assert_eq!(listed["data"][0]["is_hidden"], true);
    assert_eq!(t.sb.engagement().hidden_comments, vec![c.clone()]);

    let r1 = ok(&post(
        &t,
        &format!("{node}/comments"),
        &p.bakery.1,
        &[("message", "Thanks!")],
    )
    .await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A reply to the reply joins the top-level comment's replies.
    ok(&post(
        &t,
        &format!("{FB}/{r1}/comments"),
        &p.bakery.1,
        &[("message", "And welcome")],
    )
    .await);
    let replies = ok(&get(
        &t,
        &format!("{node}/comments?fields=id,message,parent"),
        &p.bakery.1,
    )
    .await);
    assert_eq!(replies["data"].as_array().unwrap().len(), 2);
    assert_eq!(replies["data"][0]["parent"]["id"], c.as_str());
    // The post's own listing shows top-level comments only.
    let listed = ok(&get(&t, &format!("{FB}/{post_id}/comments"), &p.bakery.1).await);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    assert_eq!(
        codes(&delete(&t, &node, &p.studio.1).await),
        (100, Some(33))
    );
    ok(&delete(&t, &node, &p.bakery.1).await);
    assert_eq!(codes(&get(&t, &node, &p.bakery.1).await), (100, Some(33)));
    assert_eq!(
        codes(&get(&t, &format!("{FB}/{r1}"), &p.bakery.1).await),
        (100, Some(33)),
        "replies go with it"
    );
    assert_eq!(actions(&t), ["hide", "reply", "reply", "delete"]);
}

#[tokio::test]
async fn a_comment_on_another_pages_post_can_be_deleted_by_its_author_but_not_hidden() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let post_id = page_post(&t, &p.bakery).await;
    let theirs = admin(
        &t,
        "/_admin/engagement/comments",
        json!({"on": post_id, "from_account": p.studio.0, "text": "Neighbours say hi"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let node = format!("{FB}/{theirs}");
    assert_eq!(
        codes(&post(&t, &node, &p.studio.1, &[("is_hidden", "true")]).await),
        (200, None)
    );
    assert_eq!(
        codes(
            &post(
                &t,
                &format!("{node}/comments"),
                &p.studio.1,
                &[("message", "x")]
            )
            .await
        ),
        (200, None)
    );
    ok(&delete(&t, &node, &p.studio.1).await);
    assert_eq!(actions(&t), ["delete"]);
}

#[tokio::test]
async fn moderating_page_comments_takes_pages_manage_engagement() {
    let t = TestSandbox::new();
    let p = pages(&t, FB_SCOPES).await;
    let post_id = page_post(&t, &p.bakery).await;
    let c = comment(&t, &post_id, "ana.lima").await;
    let res = post(
        &t,
        &format!("{FB}/{c}"),
        &p.bakery.1,
        &[("is_hidden", "true")],
    )
    .await;
    assert_eq!(codes(&res), (10, None));
    let res = send(
        &t,
        &p.bakery,
        &[
            ("recipient", &json!({"comment_id": c}).to_string()),
            ("message", r#"{"text":"hi"}"#),
        ],
    )
    .await;
    assert_eq!(
        codes(&res),
        (10, None),
        "private replies take pages_messaging"
    );
}

// ------------------------------------------------------------ private replies

#[tokio::test]
async fn a_comment_gets_one_private_reply_within_seven_days() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let post_id = page_post(&t, &p.bakery).await;
    let first = comment(&t, &post_id, "zoe.mueller").await;
    let on_time = comment(&t, &post_id, "jose.nunez").await;
    t.advance(1);
    let late = comment(&t, &post_id, "soren.aero").await;
    let answer = |c: &str| json!({"comment_id": c}).to_string();
    let text = json!({"text": "Here is the menu"}).to_string();

    let sent = ok(&send(
        &t,
        &p.bakery,
        &[("recipient", &answer(&first)), ("message", &text)],
    )
    .await);
    assert!(sent["message_id"].as_str().unwrap().starts_with("m_"));
    let zoe = sent["recipient_id"].as_str().unwrap().to_owned();
    assert_eq!(
        codes(
            &send(
                &t,
                &p.bakery,
                &[("recipient", &answer(&first)), ("message", &text)]
            )
            .await
        ),
        (10900, None)
    );
    // A private reply opens no messaging window.
    let res = send(
        &t,
        &p.bakery,
        &[
            ("recipient", &json!({"id": zoe}).to_string()),
            ("messaging_type", "RESPONSE"),
            ("message", &text),
        ],
    )
    .await;
    assert_eq!(codes(&res), (100, Some(2018001)));

    // Exactly 7 days after the comment is still within; a second later is not.
    t.advance(7 * DAY - 1);
    ok(&send(
        &t,
        &p.bakery,
        &[("recipient", &answer(&on_time)), ("message", &text)],
    )
    .await);
    t.advance(1);
    ok(&send(
        &t,
        &p.bakery,
        &[("recipient", &answer(&late)), ("message", &text)],
    )
    .await);
    let too_late = comment(&t, &post_id, "ana.lima").await;
    t.advance(7 * DAY + 1);
    assert_eq!(
        codes(
            &send(
                &t,
                &p.bakery,
                &[("recipient", &answer(&too_late)), ("message", &text)]
            )
            .await
        ),
        (10903, None)
    );

    // Unknown comments, and comments by an account of the sandbox.
    assert_eq!(
        codes(
            &send(
                &t,
                &p.bakery,
                &[("recipient", &answer("1_2")), ("message", &text)]
            )
            .await
        ),
        (100, Some(2018001))
    );
    let by_studio = admin(
        &t,
        "/_admin/engagement/comments",
        json!({"on": post_id, "from_account": p.studio.0}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        codes(
            &send(
                &t,
                &p.bakery,
                &[("recipient", &answer(&by_studio)), ("message", &text)]
            )
            .await
        ),
        (200, None)
    );
    let report = t.sb.engagement();
    assert_eq!(report.private_replies.len(), 3);
    assert_eq!(
        actions(&t),
        ["private_reply", "private_reply", "private_reply"]
    );
}

// --------------------------------------------------------------- messages

#[tokio::test]
async fn messages_need_the_person_to_have_written_in_the_last_24_hours() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let incoming = admin(
        &t,
        "/_admin/engagement/messages",
        json!({"account": p.bakery.0, "from": "zoe.mueller", "text": "Open on Sunday?"}),
    )
    .await;
    let zoe = incoming["sender_id"].as_str().unwrap().to_owned();
    assert_eq!(incoming["account_id"], p.bakery.0.as_str());
    let to = json!({"id": zoe}).to_string();
    let text = json!({"text": "Yes, 9 to 12"}).to_string();

    assert_eq!(
        codes(&send(&t, &p.bakery, &[("recipient", &to), ("message", &text)]).await).0,
        100,
        "messaging_type is required"
    );
    assert_eq!(
        codes(
            &send(
                &t,
                &p.bakery,
                &[
                    ("recipient", &to),
                    ("messaging_type", "SOMETIMES"),
                    ("message", &text)
                ]
            )
            .await
        )
        .0,
        100
    );
    t.advance(DAY);
    let sent = ok(&send(
        &t,
        &p.bakery,
        &[
            ("recipient", &to),
            ("messaging_type", "RESPONSE"),
            ("message", &text),
        ],
    )
    .await);
    assert_eq!(sent["recipient_id"], zoe.as_str());
    t.advance(1);
    let res = send(
        &t,
        &p.bakery,
        &[
            ("recipient", &to),
            ("messaging_type", "RESPONSE"),
            ("message", &text),
        ],
    )
    .await;
    assert_eq!(codes(&res), (10, Some(2018278)));
    // Tags are not simulated: a tagged message keeps the 24-hour rule.
    let res = send(
        &t,
        &p.bakery,
        &[
            ("recipient", &to),
            ("messaging_type", "MESSAGE_TAG"),
            ("tag", "HUMAN_AGENT"),
            ("message", &text),
        ],
    )
    .await;
    assert_eq!(codes(&res), (10, Some(2018278)));
    admin(
        &t,
        "/_admin/engagement/messages",
        json!({"account": p.bakery.0, "from": "zoe.mueller"}),
    )
    .await;
    ok(&send(
        &t,
        &p.bakery,
        &[
            ("recipient", &to),
            ("messaging_type", "UPDATE"),
            ("message", &text),
        ],
    )
    .await);

    // Malformed or oversized requests change nothing.
    let before = t.sb.engagement();
    for pairs in [
        vec![
            ("recipient", "not json"),
            ("messaging_type", "RESPONSE"),
            ("message", text.as_str()),
        ],
        vec![
            ("recipient", r#"{"user_ref":"x"}"#),
            ("messaging_type", "RESPONSE"),
            ("message", text.as_str()),
        ],
        vec![
            ("recipient", to.as_str()),
            ("messaging_type", "RESPONSE"),
            ("message", r#"{"text":""}"#),
        ],
        vec![("recipient", to.as_str()), ("messaging_type", "RESPONSE")],
    ] {
        assert_eq!(
            codes(&send(&t, &p.bakery, &pairs).await).0,
            100,
            "{pairs:?}"
        );
    }
    let long = json!({"text": "x".repeat(2_001)}).to_string();
    let res = send(
        &t,
        &p.bakery,
        &[
            ("recipient", &to),
            ("messaging_type", "RESPONSE"),
            ("message", &long),
        ],
    )
    .await;
    assert_eq!(codes(&res).0, 100);
    assert_eq!(t.sb.engagement(), before);
    let conversation = &before.conversations[0];
    let directions: Vec<String> = conversation
        .messages
        .iter()
        .map(|m| format!("{:?}", m.direction))
        .collect();
    assert_eq!(directions, ["Incoming", "Outgoing", "Incoming", "Outgoing"]);
}

#[tokio::test]
async fn json_bodies_work_like_forms_for_the_send_api() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let zoe = admin(
        &t,
        "/_admin/engagement/messages",
        json!({"account": p.bakery.0, "from": "zoe.mueller"}),
    )
    .await["sender_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t
        .request(
            Method::POST,
            &format!("{FB}/{}/messages", p.bakery.0),
            &[bearer(&p.bakery.1), ("content-type", "application/json".into())],
            Body::from(json!({"recipient": {"id": zoe}, "messaging_type": "RESPONSE", "message": {"text": "hi"}}).to_string()),
        )
        .await;
    assert_eq!(ok(&res)["recipient_id"], zoe.as_str());
}

// -------------------------------------------------------------- Instagram

#[tokio::test]
async fn instagram_comments_follow_instagrams_rules() {
    let t = TestSandbox::new();
    let files = Media::start().await;
    let (token, ig) = instagram_login(&t).await;
    let container = ready(
        &t,
        IG,
        &ig,
        &token,
        &[("image_url", &files.url("photo.jpg")), ("caption", "hi")],
    )
    .await;
    let media = ok(&publish(&t, IG, &ig, &token, &container).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = comment(&t, &media, "zoe.mueller").await;
    let node = format!("{IG}/{c}");

    let r = ok(&post(
        &t,
        &format!("{node}/replies"),
        &token,
        &[("message", "Danke!")],
    )
    .await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A reply to a reply is added to the top-level comment.
    ok(&post(
        &t,
        &format!("{IG}/{r}/replies"),
        &token,
        &[("message", "Bis bald")],
    )
    .await);
    let replies = ok(&get(
        &t,
        &format!("{node}/replies?fields=id,text,parent_id"),
        &token,
    )
    .await);
    assert_eq!(replies["data"].as_array().unwrap().len(), 2);
    assert!(
        replies["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["parent_id"] == c.as_str())
    );
    // Instagram comments take `hide`, not `is_hidden`.
    assert_eq!(
        codes(&post(&t, &node, &token, &[("is_hidden", "true")]).await).0,
        100
    );
    ok(&post(&t, &node, &token, &[("hide", "true")]).await);
    assert_eq!(
        ok(&get(&t, &format!("{node}?fields=hidden"), &token).await)["hidden"],
        true
    );
    // Hidden comments take no replies.
    assert_eq!(
        codes(&post(&t, &format!("{node}/replies"), &token, &[("message", "x")]).await),
        (200, None)
    );

    // A private reply takes the comments permission; a message the
    // messages one, which this token lacks.
    let text = json!({"text": "Schau in deine Nachrichten"}).to_string();
    let sent = ok(&post(
        &t,
        &format!("{IG}/me/messages"),
        &token,
        &[
            ("recipient", &json!({"comment_id": c}).to_string()),
            ("message", &text),
        ],
    )
    .await);
    let zoe = sent["recipient_id"].as_str().unwrap().to_owned();
    admin(
        &t,
        "/_admin/engagement/messages",
        json!({"account": ig, "from": "zoe.mueller", "app": "instagram"}),
    )
    .await;
    let res = post(
        &t,
        &format!("{IG}/{ig}/messages"),
        &token,
        &[
            ("recipient", &json!({"id": zoe}).to_string()),
            ("message", &text),
        ],
    )
    .await;
    assert_eq!(codes(&res), (10, None));

    ok(&delete(&t, &node, &token).await);
    assert_eq!(codes(&delete(&t, &node, &token).await), (100, Some(33)));
    assert_eq!(
        actions(&t),
        ["reply", "reply", "hide", "private_reply", "delete"]
    );
}

#[tokio::test]
async fn instagram_messages_are_at_most_1000_characters() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let accounts = ok(&get(
        &t,
        &format!("{FB}/me/accounts?fields=instagram_business_account"),
        &p.user_token,
    )
    .await);
    let ig = accounts["data"][0]["instagram_business_account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let someone = admin(
        &t,
        "/_admin/engagement/messages",
        json!({"account": ig, "from": "ana.lima"}),
    )
    .await["sender_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let to = json!({"id": someone}).to_string();
    let path = format!("{FB}/{ig}/messages");
    let long = json!({"text": "x".repeat(1_001)}).to_string();
    assert_eq!(
        codes(
            &post(
                &t,
                &path,
                &p.bakery.1,
                &[("recipient", &to), ("message", &long)]
            )
            .await
        )
        .0,
        100
    );
    let fits = json!({"text": "x".repeat(1_000)}).to_string();
    ok(&post(
        &t,
        &path,
        &p.bakery.1,
        &[("recipient", &to), ("message", &fits)],
    )
    .await);
}

// ----------------------------------------------------------------- YouTube

const YT: &str = "/www.googleapis.com/youtube/v3";
const YT_SCOPES: &str = "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly https://www.googleapis.com/auth/youtube.force-ssl";

async fn google(t: &TestSandbox, user: &str, scopes: &str) -> String {
    t.google_login(user, scopes).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Uploads a small video (one request) to the user's first channel.
async fn upload(t: &TestSandbox, token: &str) -> String {
    let mut bytes = vec![
        0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm',
    ];
    bytes.resize(2_000, 7);
    let res = t
        .request(
            Method::POST,
            "/www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status",
            &[
                bearer(token),
                ("content-type", "application/json".into()),
                ("x-upload-content-length", bytes.len().to_string()),
                ("x-upload-content-type", "video/mp4".into()),
            ],
            Body::from(
                json!({"snippet": {"title": "Baking"}, "status": {"privacyStatus": "public"}})
                    .to_string(),
            ),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let session = res.header("location").unwrap().replace(BASE, "");
    let res = t
        .request(
            Method::PUT,
            &session,
            &[(
                "content-range",
                format!("bytes 0-{}/{}", bytes.len() - 1, bytes.len()),
            )],
            Body::from(bytes),
        )
        .await;
    ok(&res)["id"].as_str().unwrap().to_owned()
}

async fn yt_comment(t: &TestSandbox, body: Value) -> Value {
    admin(t, "/_admin/youtube/comments", body).await
}

#[track_caller]
fn reason(res: &Resp) -> (u16, String) {
    let e = &res.json()["error"];
    (
        res.status.as_u16(),
        e["errors"][0]["reason"].as_str().unwrap_or("").to_owned(),
    )
}

async fn yt(t: &TestSandbox, method: Method, path: &str, token: &str, body: Option<Value>) -> Resp {
    let mut headers = vec![bearer(token)];
    let body = match body {
        Some(b) => {
            headers.push(("content-type", "application/json".into()));
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    t.request(method, path, &headers, body).await
}

#[tokio::test]
async fn comment_threads_list_a_channels_threads_page_by_page_with_some_replies() {
    let t = TestSandbox::new();
    let token = google(&t, "demo", YT_SCOPES).await;
    let video = upload(&t, &token).await;
    let first = yt_comment(
        &t,
        json!({"video_id": video, "from": "zoe.mueller", "text": "<b>bold</b> & more"}),
    )
    .await;
    let first_id = first["id"].as_str().unwrap().to_owned();
    let channel = first["channel_id"].as_str().unwrap().to_owned();
    for n in 0..7 {
        t.advance(1);
        yt_comment(
            &t,
            json!({"parent_id": first_id, "from": format!("fan{n}")}),
        )
        .await;
    }
    for n in 0..2 {
        t.advance(1);
        yt_comment(&t, json!({"video_id": video, "from": format!("viewer{n}")})).await;
    }
    let list = format!(
        "{YT}/commentThreads?part=snippet,replies&allThreadsRelatedToChannelId={channel}&maxResults=2"
    );
    let page1 = ok(&yt(&t, Method::GET, &list, &token, None).await);
    assert_eq!(page1["kind"], "youtube#commentThreadListResponse");
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    let next = page1["nextPageToken"].as_str().unwrap();
    let page2 = ok(&yt(
        &t,
        Method::GET,
        &format!("{list}&pageToken={next}"),
        &token,
        None,
    )
    .await);
    assert!(page2.get("nextPageToken").is_none());
    let thread = &page2["items"][0];
    assert_eq!(thread["id"], first_id.as_str());
    assert_eq!(thread["snippet"]["totalReplyCount"], 7);
    assert_eq!(thread["snippet"]["videoId"], video.as_str());
    assert_eq!(
        thread["replies"]["comments"].as_array().unwrap().len(),
        5,
        "a thread carries some replies"
    );
    let top = &thread["snippet"]["topLevelComment"]["snippet"];
    assert_eq!(top["textDisplay"], "&lt;b&gt;bold&lt;/b&gt; &amp; more");
    assert_eq!(top["authorDisplayName"], "Zoë Müller");
    assert!(
        top.get("textOriginal").is_none(),
        "the original goes to its author only"
    );
    let plain = ok(&yt(
        &t,
        Method::GET,
        &format!("{list}&textFormat=plainText&pageToken={next}"),
        &token,
        None,
    )
    .await);
    assert_eq!(
        plain["items"][0]["snippet"]["topLevelComment"]["snippet"]["textDisplay"],
        "<b>bold</b> & more"
    );
    // The rest of the replies come from comments.list.
    let replies = ok(&yt(
        &t,
        Method::GET,
        &format!("{YT}/comments?part=snippet&parentId={first_id}&maxResults=100"),
        &token,
        None,
    )
    .await);
    assert_eq!(replies["items"].as_array().unwrap().len(), 7);
    assert_eq!(
        replies["items"][0]["snippet"]["authorDisplayName"], "Fan0",
        "oldest first"
    );

    for (query, want) in [
        (
            format!("{list}&pageToken=nonsense"),
            (400, "invalidPageToken"),
        ),
        (
            format!(
                "{YT}/commentThreads?part=snippet&allThreadsRelatedToChannelId={channel}&maxResults=101"
            ),
            (400, "invalidParameter"),
        ),
        (
            format!("{list}&videoId={video}"),
            (400, "missingRequiredParameter"),
        ),
        (
            format!("{YT}/commentThreads?part=snippet&allThreadsRelatedToChannelId=UCnobody"),
            (404, "channelNotFound"),
        ),
        (
            format!("{YT}/commentThreads?part=snippet&videoId=nope"),
            (404, "videoNotFound"),
        ),
        (
            format!("{YT}/comments?part=snippet&parentId=Ugznope"),
            (404, "commentNotFound"),
        ),
    ] {
        let res = yt(&t, Method::GET, &query, &token, None).await;
        assert_eq!(reason(&res), (want.0, want.1.to_owned()), "{query}");
    }
    // Held comments are the channel owner's to list.
    let rival = google(&t, "rival", YT_SCOPES).await;
    let held = format!(
        "{YT}/commentThreads?part=snippet&allThreadsRelatedToChannelId={channel}&moderationStatus=heldForReview"
    );
    assert_eq!(
        reason(&yt(&t, Method::GET, &held, &rival, None).await),
        (403, "forbidden".into())
    );
    ok(&yt(&t, Method::GET, &held, &token, None).await);
}

#[tokio::test]
async fn the_channel_owner_moderates_and_only_authors_delete() {
    let t = TestSandbox::new();
    let token = google(&t, "demo", YT_SCOPES).await;
    let rival = google(&t, "rival", YT_SCOPES).await;
    let video = upload(&t, &token).await;
    let c = yt_comment(&t, json!({"video_id": video, "from": "zoe.mueller"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let moderate = |id: &str, status: &str| {
        format!("{YT}/comments/setModerationStatus?id={id}&moderationStatus={status}")
    };

    assert_eq!(
        reason(
            &yt(
                &t,
                Method::POST,
                &moderate(&c, "heldForReview"),
                &rival,
                None
            )
            .await
        ),
        (403, "forbidden".into())
    );
    let res = yt(
        &t,
        Method::POST,
        &moderate(&c, "heldForReview"),
        &token,
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let channel_list = |status: &str| {
        format!("{YT}/commentThreads?part=snippet&videoId={video}&moderationStatus={status}")
    };
    assert_eq!(
        ok(&yt(&t, Method::GET, &channel_list("published"), &token, None).await)["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let held = ok(&yt(
        &t,
        Method::GET,
        &channel_list("heldForReview"),
        &token,
        None,
    )
    .await);
    assert_eq!(
        held["items"][0]["snippet"]["topLevelComment"]["snippet"]["moderationStatus"],
        "heldForReview"
    );
    assert_eq!(
        yt(&t, Method::POST, &moderate(&c, "published"), &token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        reason(
            &yt(
                &t,
                Method::POST,
                &format!("{}&banAuthor=true", moderate(&c, "heldForReview")),
                &token,
                None
            )
            .await
        ),
        (400, "banWithoutReject".into())
    );

    // Replies: under top-level comments, with text, as the channel.
    let insert = format!("{YT}/comments?part=snippet");
    let reply = ok(&yt(
        &t,
        Method::POST,
        &insert,
        &token,
        Some(json!({"snippet": {"parentId": c, "textOriginal": "Thanks!"}})),
    )
    .await);
    let reply_id = reply["id"].as_str().unwrap().to_owned();
    assert_eq!(reply["snippet"]["parentId"], c.as_str());
    assert_eq!(reply["snippet"]["textOriginal"], "Thanks!");
    for (body, want) in [
        (
            json!({"snippet": {"textOriginal": "x"}}),
            (400, "parentIdMissing"),
        ),
        (
            json!({"snippet": {"parentId": c}}),
            (400, "commentTextRequired"),
        ),
        (
            json!({"snippet": {"parentId": c, "textOriginal": "x".repeat(10_001)}}),
            (400, "commentTextTooLong"),
        ),
        (
            json!({"snippet": {"parentId": reply_id, "textOriginal": "x"}}),
            (404, "parentCommentNotFound"),
        ),
    ] {
        assert_eq!(
            reason(&yt(&t, Method::POST, &insert, &token, Some(body.clone())).await),
            (want.0, want.1.to_owned()),
            "{body}"
        );
    }
    let res = t
        .request(
            Method::POST,
            &insert,
            &[bearer(&token), ("content-type", "application/json".into())],
            Body::from("{not json"),
        )
        .await;
    assert_eq!(reason(&res), (400, "parseError".into()));

    // Deleting is for authors: the follower's comment is not the channel's.
    let remove = |id: &str| format!("{YT}/comments?id={id}");
    assert_eq!(
        reason(&yt(&t, Method::DELETE, &remove(&c), &token, None).await),
        (403, "forbidden".into())
    );
    assert_eq!(
        yt(&t, Method::DELETE, &remove(&reply_id), &token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        reason(&yt(&t, Method::DELETE, &remove(&reply_id), &token, None).await),
        (404, "commentNotFound".into())
    );
    assert_eq!(
        reason(
            &yt(
                &t,
                Method::POST,
                &moderate(&reply_id, "published"),
                &token,
                None
            )
            .await
        ),
        (400, "processingFailure".into())
    );
    assert_eq!(
        reason(
            &yt(
                &t,
                Method::POST,
                &moderate("Ugznope", "heldForReview"),
                &token,
                None
            )
            .await
        ),
        (404, "commentNotFound".into())
    );

    // A rejected comment stays rejected.
    assert_eq!(
        yt(&t, Method::POST, &moderate(&c, "rejected"), &token, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        reason(&yt(&t, Method::POST, &moderate(&c, "published"), &token, None).await),
        (400, "processingFailure".into())
    );
    assert_eq!(actions(&t), ["hide", "unhide", "reply", "delete", "reject"]);
}

#[tokio::test]
async fn comment_writes_take_force_ssl_and_cost_fifty_units() {
    let t = TestSandbox::with(|c| c.limits.youtube_daily_units = 120);
    let token = google(&t, "demo", YT_SCOPES).await;
    let read_only = google(
        &t,
        "reader",
        "https://www.googleapis.com/auth/youtube.readonly",
    )
    .await;
    let video = upload(&t, &token).await;
    let c = yt_comment(&t, json!({"video_id": video})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let insert = format!("{YT}/comments?part=snippet");
    let body = json!({"snippet": {"parentId": c, "textOriginal": "hi"}});
    // A refused call still costs its units: 50.
    assert_eq!(
        reason(&yt(&t, Method::POST, &insert, &read_only, Some(body.clone())).await),
        (403, "insufficientPermissions".into())
    );
    ok(&yt(&t, Method::POST, &insert, &token, Some(body.clone())).await);
    assert_eq!(
        reason(&yt(&t, Method::POST, &insert, &token, Some(body)).await),
        (403, "quotaExceeded".into())
    );
}

// ---------------------------------------------------------------- admin API

#[tokio::test]
async fn admin_inputs_are_checked_and_refusals_change_nothing() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let post_id = page_post(&t, &p.bakery).await;
    let before = t.sb.engagement();
    let cases: Vec<(&str, String)> = vec![
        ("/_admin/engagement/messages", "{not json".into()),
        (
            "/_admin/engagement/messages",
            json!({"account": {"id": 1}}).to_string(),
        ),
        (
            "/_admin/engagement/messages",
            json!({"text": "hi"}).to_string(),
        ),
        (
            "/_admin/engagement/messages",
            json!({"account": p.bakery.0, "text": "x".repeat(2_001)}).to_string(),
        ),
        (
            "/_admin/engagement/messages",
            json!({"account": p.bakery.0, "from": "x".repeat(41)}).to_string(),
        ),
        (
            "/_admin/engagement/messages",
            json!({"account": p.bakery.0, "app": "myspace"}).to_string(),
        ),
        (
            "/_admin/engagement/comments",
            json!({"text": "hi"}).to_string(),
        ),
        (
            "/_admin/engagement/comments",
            json!({"on": post_id, "text": "x".repeat(2_201)}).to_string(),
        ),
        (
            "/_admin/youtube/comments",
            json!({"text": "hi"}).to_string(),
        ),
        (
            "/_admin/youtube/comments",
            json!({"video_id": "v", "text": "x".repeat(10_001)}).to_string(),
        ),
    ];
    for (path, body) in cases {
        let res = t
            .request(
                Method::POST,
                path,
                &[("content-type", "application/json".into())],
                Body::from(body.clone()),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {}",
            res.text()
        );
        assert!(res.json()["error"]["code"].is_string(), "{}", res.text());
    }
    for (path, body) in [
        (
            "/_admin/engagement/messages",
            json!({"account": "123456789012345"}),
        ),
        ("/_admin/engagement/comments", json!({"on": "999_999"})),
        (
            "/_admin/engagement/comments",
            json!({"on": post_id, "from_account": "123"}),
        ),
        ("/_admin/youtube/comments", json!({"video_id": "nope"})),
        ("/_admin/youtube/comments", json!({"parent_id": "Ugznope"})),
    ] {
        let res = t.post_json(path, &body).await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{path} {body}: {}",
            res.text()
        );
    }
    // A body over the sandbox's 1 MiB limit is refused before it is read.
    let huge = json!({"account": p.bakery.0, "text": "x".repeat(2 << 20)}).to_string();
    let res = t
        .request(
            Method::POST,
            "/_admin/engagement/messages",
            &[("content-type", "application/json".into())],
            Body::from(huge),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(t.sb.engagement(), before);
    let comments = ok(&get(&t, &format!("{FB}/{post_id}/comments"), &p.bakery.1).await);
    assert_eq!(comments["data"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn the_state_and_the_index_page_show_what_herald_did() {
    let t = TestSandbox::new();
    let p = pages(&t, &format!("{FB_SCOPES}{ENGAGE_SCOPES}")).await;
    let post_id = page_post(&t, &p.bakery).await;
    let c = comment(&t, &post_id, "zoe.mueller").await;
    ok(&post(
        &t,
        &format!("{FB}/{c}/comments"),
        &p.bakery.1,
        &[("message", "Merci für die Frage")],
    )
    .await);
    // Forms from the index page go back to it.
    let res = t
        .post_form(
            "/_admin/engagement/messages",
            &form(&[
                ("account", &p.bakery.0),
                ("from", "jose.nunez"),
                ("text", "¿Abierto?"),
            ]),
        )
        .await;
    assert!(res.location().ends_with("/#engagement"));
    let state = t.get("/_admin/engagement").await.json();
    assert_eq!(state["actions"][0]["action"], "reply");
    assert_eq!(state["actions"][0]["target"], c.as_str());
    assert_eq!(state["actions"][0]["text"], "Merci für die Frage");
    assert_eq!(
        state["conversations"][0]["messages"][0]["text"],
        "¿Abierto?"
    );
    let page = t.get("/").await.text();
    assert!(page.contains("id=\"engagement\""));
    assert!(page.contains("Merci für die Frage"));
    assert!(page.contains("¿Abierto?"));
    // A refused form says why on the page, once.
    let res = t
        .post_form(
            "/_admin/engagement/messages",
            &form(&[("text", "no account")]),
        )
        .await;
    assert!(res.location().ends_with("/#engagement"));
    let refusal = "is required: a Page or Instagram account id";
    assert!(t.get("/").await.text().contains(refusal));
    assert!(!t.get("/").await.text().contains(refusal), "shown once");
}

#[tokio::test]
async fn without_the_admin_api_nothing_can_be_made_to_happen() {
    let t = TestSandbox::with(|c| c.admin = false);
    let res = t
        .post_json("/_admin/engagement/messages", &json!({"account": "demo"}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        t.get("/_admin/engagement").await.status,
        StatusCode::NOT_FOUND
    );
    assert!(!t.get("/").await.text().contains("id=\"engagement\""));
}
