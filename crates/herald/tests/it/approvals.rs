//! Approvals over HTTP: a contributor submits, an editor asks for changes
//! and approves (API and pages), comments with `@member` mentions notify,
//! the approval policy, and client review links as an outside reviewer
//! meets them (no account, a password, expiry, revocation, nothing but the
//! link's own posts, rate limits).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::connections::{back, consent, location, start};
use crate::helpers::*;

/// Connects the sandbox's first Facebook Page (text posts); its id.
pub(crate) async fn connect_page(app: &TestApp, client: &reqwest::Client) -> String {
    let authorize = start(app, client, "facebook").await;
    let callback = consent(&authorize, "allow", |_| {}).await;
    let resp = back(client, &callback).await;
    let to = location(&resp);
    assert!(to.starts_with("/home/publishing/choose/"), "{to}");
    let html = app.html(client, &to).await;
    let page = html
        .split("name=\"account\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .find(|v| v.starts_with("facebook_page:"))
        .expect("a Page to choose")
        .to_owned();
    let resp = app.submit(client, &to, &[("account", &page)]).await;
    assert!(location(&resp).contains("done=connected"));
    let list: Vec<Value> = client
        .get(app.url("/api/platforms/facebook/connections"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.iter()
        .find(|c| c["kind"] == "facebook_page")
        .and_then(|c| c["id"].as_str())
        .expect("the Page's connection")
        .to_owned()
}

struct Team {
    app: TestApp,
    owner: reqwest::Client,
    writer: reqwest::Client,
    editor: reqwest::Client,
    ws: String,
    page: String,
}

async fn team() -> Team {
    let app = spawn_app().await;
    let owner = app.signed_in("olga@example.com").await;
    let ws = app.settings_workspace(&owner).await;
    let writer = app
        .member(&owner, &ws, "cody@example.com", "contributor")
        .await;
    let editor = app.member(&owner, &ws, "eda@example.com", "editor").await;
    let page = connect_page(&app, &owner).await;
    Team {
        app,
        owner,
        writer,
        editor,
        ws,
        page,
    }
}

impl Team {
    async fn api(
        &self,
        who: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let sep = if path.contains('?') { '&' } else { '?' };
        let token = self.app.csrf_for(who).await;
        let mut req = who
            .request(
                method,
                self.app.url(&format!("{path}{sep}workspace={}", self.ws)),
            )
            .header("x-csrf-token", token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    fn post_body(&self, caption: &str, when: Value) -> Value {
        json!({
            "targets": [{
                "connection_id": self.page,
                "variant": {"format": "text", "caption": caption},
            }],
            "when": when,
        })
    }

    /// A post the contributor submits, to go out at 09:00 Berlin on a day
    /// well ahead.
    async fn submitted(&self, caption: &str) -> Value {
        let (status, post) = self
            .api(
                &self.writer,
                Method::POST,
                "/api/posts",
                Some(self.post_body(
                    caption,
                    json!({"action": "submit", "schedule": {"local": "2031-03-03T09:00", "time_zone": "Europe/Berlin"}}),
                )),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{post}");
        assert_eq!(post["review"], "in_review");
        post
    }

    async fn notices(&self, who: &reqwest::Client) -> Vec<Value> {
        let (status, body) = self.api(who, Method::GET, "/api/notifications", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["notifications"]
            .as_array()
            .or_else(|| body.as_array())
            .cloned()
            .unwrap_or_default()
    }
}

#[tokio::test]
async fn a_contributor_submits_an_editor_asks_for_changes_then_approves_over_the_api() {
    let t = team().await;
    // Scheduling is not a contributor's: they submit.
    let (status, body) = t
        .api(
            &t.writer,
            Method::POST,
            "/api/posts",
            Some(t.post_body("Straight out", json!({"action": "now"}))),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let post = t.submitted("Spring menu").await;
    let id = post["id"].as_str().unwrap();
    assert!(
        post["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "draft"),
        "nothing is scheduled while it waits: {post}"
    );
    // The approvers were told, in their language's words.
    let told = t.notices(&t.editor).await;
    assert!(
        told.iter()
            .any(|n| n["kind"] == "approval"
                && n["text"].as_str().unwrap_or("").contains("Spring menu")),
        "{told:?}"
    );
    // A contributor may not decide; nobody decides on their own post.
    let (status, _) = t
        .api(
            &t.writer,
            Method::POST,
            &format!("/api/posts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Asking for changes needs words.
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/request-changes"),
            Some(json!({"comment": " "})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("post_comment_required")
        )
    );
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/request-changes"),
            Some(json!({"comment": "Mention the new bread"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review"], "changes_requested");
    // The contributor edits and submits again (the time stays).
    let (status, body) = t
        .api(
            &t.writer,
            Method::PUT,
            &format!("/api/posts/{id}"),
            Some(t.post_body(
                "Spring menu with the new rye bread",
                json!({"action": "draft"}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review"], "changes_requested");
    let (status, body) = t
        .api(
            &t.writer,
            Method::POST,
            &format!("/api/posts/{id}/submit"),
            Some(json!({"schedule": {"local": "2031-03-03T09:00", "time_zone": "Europe/Berlin"}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review"], "in_review");
    // Approved: scheduled at its time.
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review"], "approved");
    assert_eq!(body["status"], "scheduled");
    assert!(
        body["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "scheduled")
    );
    // Deciding twice is a conflict, not a second approval.
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("post_not_in_review"))
    );
    let (_, history) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{id}/reviews"),
            None,
        )
        .await;
    let steps: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["submitted", "changes_requested", "submitted", "approved"]
    );
    // The author heard of both decisions.
    let told = t.notices(&t.writer).await;
    assert!(
        told.iter().filter(|n| n["kind"] == "approval").count() >= 2,
        "{told:?}"
    );
    // Every step is in the audit log.
    let audit = t
        .app
        .html(
            &t.owner,
            &format!("/home/settings/audit?workspace={}", t.ws),
        )
        .await;
    for action in ["post.submitted", "post.changes_requested", "post.approved"] {
        assert!(audit.contains(action), "{action} audited");
    }
    t.app.stop().await;
}

#[tokio::test]
async fn the_policy_makes_everyone_ask_and_edits_send_approved_posts_back() {
    let t = team().await;
    // Only members who manage members set the policy.
    let (status, _) = t
        .api(
            &t.editor,
            Method::PUT,
            "/api/approval-policy",
            Some(json!({"mode": "everyone", "reapprove_on_edit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = t
        .api(
            &t.owner,
            Method::PUT,
            "/api/approval-policy",
            Some(json!({"mode": "everyone", "reapprove_on_edit": true, "approvers": [999_999]})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("post_unknown_member")
        )
    );
    let (status, body) = t
        .api(
            &t.owner,
            Method::PUT,
            "/api/approval-policy",
            Some(json!({"mode": "everyone", "reapprove_on_edit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An editor's own post now needs approval too.
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            "/api/posts",
            Some(t.post_body(
                "Editor's note",
                json!({"action": "schedule", "schedule": {"local": "2031-03-04T10:00", "time_zone": "Europe/Berlin"}}),
            )),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("post_approval_required"))
    );
    let (_, post) = t
        .api(
            &t.editor,
            Method::POST,
            "/api/posts",
            Some(t.post_body(
                "Editor's note",
                json!({"action": "submit", "schedule": {"local": "2031-03-04T10:00", "time_zone": "Europe/Berlin"}}),
            )),
        )
        .await;
    let id = post["id"].as_str().unwrap();
    // Their own approval is refused; the owner's is taken.
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("post_own_approval"))
    );
    let (status, _) = t
        .api(
            &t.owner,
            Method::POST,
            &format!("/api/posts/{id}/approve"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // The author edits the approved post: back to review, unscheduled.
    let (status, body) = t
        .api(
            &t.editor,
            Method::PUT,
            &format!("/api/posts/{id}"),
            Some(t.post_body(
                "Editor's note, edited",
                json!({"action": "schedule", "schedule": {"local": "2031-03-04T10:00", "time_zone": "Europe/Berlin"}}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["review"], "in_review");
    assert!(
        body["targets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "draft")
    );
    // The calendar's state filter and the approvals list show it.
    let calendar = t
        .app
        .html(
            &t.owner,
            &format!(
                "/home/calendar?workspace={}&date=2031-03-04&state=in_review&list=review",
                t.ws
            ),
        )
        .await;
    assert!(
        calendar.contains(&format!("data-post=\"{id}\"")),
        "in the grid and the list"
    );
    assert!(calendar.contains("data-review=\"in_review\""));
    let approved_only = t
        .app
        .html(
            &t.owner,
            &format!(
                "/home/calendar?workspace={}&date=2031-03-04&state=approved&list=upcoming",
                t.ws
            ),
        )
        .await;
    assert!(!approved_only.contains(&format!("data-post=\"{id}\"")));
    t.app.stop().await;
}

#[tokio::test]
async fn comments_thread_and_mentions_notify_only_the_mentioned() {
    let t = team().await;
    let post = t.submitted("Weekend hours").await;
    let id = post["id"].as_str().unwrap();
    let (status, first) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/comments"),
            Some(json!({"body": "Looks good, @cody: can you add Sunday? cc @olga@example.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, reply) = t
        .api(
            &t.writer,
            Method::POST,
            &format!("/api/posts/{id}/comments"),
            Some(json!({"body": "Done.", "reply_to": first["id"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    // A reply to a reply joins the same thread.
    let (_, nested) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/comments"),
            Some(json!({"body": "Thanks", "reply_to": reply["id"]})),
        )
        .await;
    assert_eq!(nested["parent_id"], first["id"]);
    let (_, threads) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{id}/comments"),
            None,
        )
        .await;
    let threads = threads.as_array().unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["replies"].as_array().unwrap().len(), 2);
    assert_eq!(threads[0]["comment"]["author_name"], "eda@example.com");
    // The two mentioned were told; the author of the comment was not.
    for who in [&t.writer, &t.owner] {
        let told = t.notices(who).await;
        assert!(told.iter().any(|n| n["kind"] == "post_mention"), "{told:?}");
    }
    assert!(
        !t.notices(&t.editor)
            .await
            .iter()
            .any(|n| n["kind"] == "post_mention")
    );
    // Empty, huge and misplaced comments change nothing.
    for (body, code) in [
        (json!({"body": "   "}), "post_comment_required"),
        (json!({"body": "x".repeat(5001)}), "post_comment_too_long"),
        (
            json!({"body": "hi", "reply_to": 999_999}),
            "post_comment_not_found",
        ),
        (json!({"body": "hi", "target_id": "nope"}), "post_not_found"),
    ] {
        let (status, answer) = t
            .api(
                &t.editor,
                Method::POST,
                &format!("/api/posts/{id}/comments"),
                Some(body),
            )
            .await;
        assert!(status.is_client_error(), "{answer}");
        assert_eq!(answer["error"]["code"], code);
    }
    let (_, threads) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{id}/comments"),
            None,
        )
        .await;
    assert_eq!(threads.as_array().unwrap().len(), 1);
    // The post page shows the thread.
    let page = t
        .app
        .html(&t.owner, &format!("/home/posts/{id}?workspace={}", t.ws))
        .await;
    assert!(page.contains("can you add Sunday?") && page.contains("Done."));
    t.app.stop().await;
}

/// A reviewer without an account: a fresh client with no cookies but
/// the CSRF one the page gives.
fn stranger() -> reqwest::Client {
    new_client()
}

async fn review_form(who: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let resp = who.get(url).send().await.unwrap();
    let status = resp.status();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn an_outside_reviewer_approves_through_a_link_and_sees_nothing_else() {
    let t = team().await;
    let shown = t.submitted("For the client").await;
    let hidden = t.submitted("Not for the client").await;
    let shown_id = shown["id"].as_str().unwrap();
    let hidden_id = hidden["id"].as_str().unwrap();
    // Contributors may not share; editors may.
    let (status, _) = t
        .api(
            &t.writer,
            Method::POST,
            &format!("/api/posts/{shown_id}/review-links"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{shown_id}/review-links"),
            Some(json!({"expires_in_days": 40})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("review_link_expiry"))
    );
    let (status, link) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{shown_id}/review-links"),
            Some(json!({"label": "Bakery owner"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    let url = link["url"].as_str().unwrap().to_owned();
    assert!(url.contains("/review/"));
    // The token is shown once: listing never repeats it.
    let (_, listed) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{shown_id}/review-links"),
            None,
        )
        .await;
    assert!(!listed.to_string().contains(link["token"].as_str().unwrap()));
    assert_eq!(listed[0]["label"], "Bakery owner");

    let guest = stranger();
    let (status, page) = review_form(&guest, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("For the client"));
    // Nothing else of the workspace: not the other post, no member.
    for secret in [
        "Not for the client",
        "olga@",
        "cody@",
        "eda@",
        "Bakery owner",
    ] {
        assert!(!page.contains(secret), "{secret} leaked");
    }
    // A post outside the link, even one of the same workspace, is not
    // reachable through it.
    let csrf = csrf_in(&page);
    let path = url.split_once("/review/").unwrap().1;
    let resp = guest
        .post(t.app.url(&format!("/review/{path}/posts/{hidden_id}")))
        .form(&[("decision", "approve"), ("name", "Bea"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A name is required.
    let resp = guest
        .post(t.app.url(&format!("/review/{path}/posts/{shown_id}")))
        .form(&[("decision", "approve"), ("name", " "), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert!(location(&resp).contains("error=review_link_name_required"));
    let resp = guest
        .post(t.app.url(&format!("/review/{path}/posts/{shown_id}")))
        .form(&[
            ("decision", "approve"),
            ("name", "Bea from the bakery"),
            ("comment", "Perfect"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        location(&resp).contains("done=approved"),
        "{}",
        location(&resp)
    );
    let (_, post) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{shown_id}"),
            None,
        )
        .await;
    assert_eq!(post["review"], "approved");
    assert_eq!(post["status"], "scheduled");
    let (_, hidden_now) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{hidden_id}"),
            None,
        )
        .await;
    assert_eq!(hidden_now["review"], "in_review");
    let (_, history) = t
        .api(
            &t.owner,
            Method::GET,
            &format!("/api/posts/{shown_id}/reviews"),
            None,
        )
        .await;
    assert_eq!(history[1]["actor_name"], "Bea from the bakery");
    assert_eq!(history[1]["via_link"], true);
    // The author was told who approved.
    assert!(t.notices(&t.writer).await.iter().any(|n| {
        n["text"]
            .as_str()
            .unwrap_or("")
            .contains("Bea from the bakery")
    }));
    // Each view and the decision are audited.
    let audit = t
        .app
        .html(
            &t.owner,
            &format!("/home/settings/audit?workspace={}", t.ws),
        )
        .await;
    assert!(audit.contains("review_link.viewed") && audit.contains("review_link.created"));
    assert!(audit.contains("Bea from the bakery"));
    // Revoked: gone at once.
    let (status, _) = t
        .api(
            &t.editor,
            Method::DELETE,
            &format!("/api/review-links/{}", link["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, page) = review_form(&guest, &url).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(!page.contains("For the client"));
    // A made-up token is simply not there.
    let (status, _) = review_form(
        &guest,
        &t.app
            .url("/review/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    t.app.stop().await;
}

#[tokio::test]
async fn a_link_with_a_password_asks_for_it_once_and_counts_tries() {
    let t = team().await;
    let post = t.submitted("Protected preview").await;
    let id = post["id"].as_str().unwrap();
    let (status, body) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/review-links"),
            Some(json!({"password": "short"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("review_link_password_invalid")
        )
    );
    let (_, link) = t
        .api(
            &t.editor,
            Method::POST,
            &format!("/api/posts/{id}/review-links"),
            Some(json!({"password": "croissant-2031"})),
        )
        .await;
    assert_eq!(link["password_protected"], true);
    let url = link["url"].as_str().unwrap().to_owned();
    let guest = stranger();
    let (status, page) = review_form(&guest, &url).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!page.contains("Protected preview"));
    let csrf = csrf_in(&page);
    let resp = guest
        .post(&url)
        .form(&[("password", "baguette-2031"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert!(location(&resp).contains("error=review_link_password_wrong"));
    let resp = guest
        .post(&url)
        .form(&[("password", "croissant-2031"), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.contains(&format!(
        "Path=/review/{}",
        url.split_once("/review/").unwrap().1
    )));
    assert!(
        !cookie.contains("croissant"),
        "the password itself is not kept"
    );
    let (status, page) = review_form(&guest, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Protected preview"));
    // Another browser without the proof is asked again.
    let (status, _) = review_form(&stranger(), &url).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Guessing is limited per link and address.
    let other = stranger();
    let (_, page) = review_form(&other, &url).await;
    let csrf = csrf_in(&page);
    let mut limited = false;
    for i in 0..12 {
        let resp = other
            .post(&url)
            .form(&[
                ("password", format!("guess-{i}-wrong").as_str()),
                ("_csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "password guessing is rate-limited");
    t.app.stop().await;
}

#[tokio::test]
async fn the_post_page_submits_decides_and_shares_without_javascript() {
    let t = team().await;
    let post = t.submitted("Page flow").await;
    let id = post["id"].as_str().unwrap();
    let page = t
        .app
        .html(&t.editor, &format!("/home/posts/{id}?workspace={}", t.ws))
        .await;
    assert!(
        page.contains("data-action=\"approve\"")
            && page.contains("data-action=\"request-changes\"")
    );
    // The author sees no decision, only the state.
    let own = t
        .app
        .html(&t.writer, &format!("/home/posts/{id}?workspace={}", t.ws))
        .await;
    assert!(!own.contains("data-action=\"approve\""));
    assert!(own.contains("Waiting for approval"));
    let resp = t
        .app
        .submit(
            &t.editor,
            &format!("/home/posts/{id}/request-changes"),
            &[
                ("workspace", &t.ws),
                ("comment", "Shorter please"),
                ("back", &format!("/home/posts/{id}?workspace={}", t.ws)),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=changes_requested"),
        "{}",
        location(&resp)
    );
    let own = t
        .app
        .html(&t.writer, &format!("/home/posts/{id}?workspace={}", t.ws))
        .await;
    assert!(own.contains("Shorter please") && own.contains("data-action=\"submit\""));
    let resp = t
        .app
        .submit(
            &t.writer,
            &format!("/home/posts/{id}/submit"),
            &[
                ("workspace", &t.ws),
                ("back", &format!("/home/posts/{id}?workspace={}", t.ws)),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=submitted"),
        "{}",
        location(&resp)
    );
    let resp = t
        .app
        .submit(
            &t.editor,
            &format!("/home/posts/{id}/review-links"),
            &[("workspace", &t.ws), ("days", "2"), ("label", "Client")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let shown = resp.text().await.unwrap();
    assert!(shown.contains("data-review-url") && shown.contains("/review/"));
    let resp = t
        .app
        .submit(
            &t.editor,
            &format!("/home/posts/{id}/approve"),
            &[
                ("workspace", &t.ws),
                ("back", &format!("/home/posts/{id}?workspace={}", t.ws)),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=approved"),
        "{}",
        location(&resp)
    );
    // The approvals settings page: everyone reads it, only admins change it.
    let settings = t
        .app
        .html(
            &t.writer,
            &format!("/home/settings/approvals?workspace={}", t.ws),
        )
        .await;
    assert!(settings.contains("data-approval-policy") && settings.contains("disabled"));
    let resp = t
        .app
        .submit(
            &t.owner,
            "/home/settings/approvals",
            &[
                ("workspace", &t.ws),
                ("mode", "everyone"),
                ("reapprove_on_edit", "on"),
            ],
        )
        .await;
    assert!(
        location(&resp).contains("done=saved"),
        "{}",
        location(&resp)
    );
    let (_, policy) = t
        .api(&t.owner, Method::GET, "/api/approval-policy", None)
        .await;
    assert_eq!(policy["mode"], "everyone");
    t.app.stop().await;
}
