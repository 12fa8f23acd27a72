//! The analytics dashboard, its CSV exports, the learning hub and the
//! analytics API over real HTTP. Figures are written into the fact tables
//! the way ingestion writes them (the analytics store's own upserts), so
//! every test knows what it planted; the page, the CSV and the API must
//! then agree with each other and with it. Then the attacker's questions:
//! a stranger, another workspace's account, a viewer refreshing, and
//! malformed parameters that must be refused naming the parameter.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use herald_analytics::store;
use herald_core::{ConnectionId, Timestamp, WorkspaceId};
use herald_platforms::insights::{AccountDay, Facts, Normalized, PostFacts};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::connections::location;
use crate::helpers::*;

pub(crate) struct World {
    pub app: TestApp,
    pub owner: reqwest::Client,
    pub ws: String,
    pub tiktok: String,
    pub youtube: String,
}

impl World {
    pub async fn new(email: &str) -> World {
        let app = spawn_app().await;
        let owner = app.signed_in(email).await;
        let ws = app.settings_workspace(&owner).await;
        let tiktok = crate::posts::connect(&app, &owner, "tiktok").await;
        let youtube = crate::posts::connect(&app, &owner, "youtube").await;
        World {
            app,
            owner,
            ws,
            tiktok,
            youtube,
        }
    }

    fn at(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!("{path}{sep}workspace={}", self.ws)
    }

    /// A request as `client` (a session, with its CSRF token).
    async fn call(
        &self,
        client: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = self.app.csrf_for(client).await;
        let mut req = client
            .request(method, self.app.url(path))
            .header("x-csrf-token", token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get_json(&self, client: &reqwest::Client, path: &str) -> (StatusCode, Value) {
        self.call(client, Method::GET, path, None).await
    }

    /// The page or file at `path` as `client` gets it, with its status.
    async fn text(&self, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
        let resp = client.get(self.app.url(path)).send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    /// Plants both accounts' figures and waits until no run is open.
    async fn planted(&self) {
        plant(
            &self.app,
            &self.ws,
            &self.tiktok,
            "tiktok_user",
            1_000,
            "ws1-secret-tiktok",
        )
        .await;
        plant(
            &self.app,
            &self.ws,
            &self.youtube,
            "youtube_channel",
            5_000,
            "ws1-secret-youtube",
        )
        .await;
        settled(self, &self.owner).await;
    }
}

/// An account's figures as ingestion writes them: 120 days up to today
/// (followers growing by `base / 100` a day), and three posts of the
/// last week titled with `marker`.
pub(crate) async fn plant(
    app: &TestApp,
    ws: &str,
    conn: &str,
    kind: &str,
    base: i64,
    marker: &str,
) {
    let workspace = WorkspaceId(ws.parse().unwrap());
    let connection = ConnectionId::from(conn);
    let now = Timestamp::now();
    let today = store::utc_day(now);
    let mut tx = app.db.begin().await.unwrap();
    store::enroll(
        &mut tx,
        &store::Unenrolled {
            id: connection.clone(),
            workspace_id: workspace,
            kind: kind.to_owned(),
            time_zone: None,
        },
        "UTC",
        now + herald_core::SignedDuration::from_hours(20),
        now,
    )
    .await
    .unwrap();
    let step = base / 100;
    let days: Vec<AccountDay> = (0..120)
        .map(|i: i64| {
            let views = base / 10 + i;
            let engagements = base / 100 + i % 7;
            AccountDay {
                day: store::date_of(today - 119 + i32::try_from(i).unwrap()),
                facts: Facts {
                    normalized: Normalized {
                        followers: Some(base + step * i),
                        follows: Some(step),
                        views: Some(views),
                        engagements: Some(engagements),
                        profile_actions: Some(3),
                        watch_time_secs: Some(600 + i),
                        ..Normalized::default()
                    },
                    raw: BTreeMap::from([("views".to_owned(), views)]),
                },
            }
        })
        .collect();
    store::upsert_account_days(&mut tx, &connection, workspace, &days, now)
        .await
        .unwrap();
    store::extend_days(&mut tx, &connection, today - 119, today)
        .await
        .unwrap();
    let posts: Vec<PostFacts> = (1..=3_i64)
        .map(|n| PostFacts {
            remote_id: format!("{marker}-{n}"),
            published_at: Some(now - herald_core::SignedDuration::from_hours(24 * n + 5)),
            format: Some("video".into()),
            permalink: Some(format!("https://platform.example/{marker}-{n}")),
            title: Some(format!("{marker} post {n}")),
            facts: Facts {
                normalized: Normalized {
                    views: Some(1_000 * n),
                    engagements: Some(10 * n * n),
                    likes: Some(5 * n),
                    ..Normalized::default()
                },
                raw: BTreeMap::new(),
            },
        })
        .collect();
    store::upsert_posts(&mut tx, &connection, workspace, &posts, today, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A minimal RFC 4180 reader for the exports.
pub(crate) fn csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "ends with CRLF");
    records
}

/// The column `name` of a CSV's header.
fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]))
}

/// Waits until the workspace has no ingestion run waiting or running, so
/// the figures stay put while a test compares them.
async fn settled(w: &World, client: &reqwest::Client) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, text) = w
            .text(client, &w.at("/home/analytics/export/runs.csv?limit=100"))
            .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let rows = csv(&text);
        let s = col(&rows, "status");
        if rows[1..]
            .iter()
            .all(|r| r[s] == "succeeded" || r[s] == "failed")
        {
            return;
        }
        assert!(Instant::now() < deadline, "runs never finished: {text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A whole number as English pages write it.
fn en(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// The same as German pages write it.
fn de(n: i64) -> String {
    en(n).replace(',', ".")
}

/// The text of the headline card `key`.
fn headline(html: &str, key: &str) -> String {
    let at = html
        .find(&format!("data-headline=\"{key}\""))
        .unwrap_or_else(|| panic!("no {key} card"));
    let rest = &html[at..];
    let start = rest.find("data-value>").unwrap() + "data-value>".len();
    rest[start..start + rest[start..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn every_member_sees_the_workspaces_figures_and_the_exports_and_api_agree() {
    let w = World::new("analytics-owner@example.com").await;
    w.planted().await;
    let editor = w
        .app
        .member(&w.owner, &w.ws, "analytics-editor@example.com", "editor")
        .await;
    let viewer = w
        .app
        .member(&w.owner, &w.ws, "analytics-viewer@example.com", "viewer")
        .await;

    let (status, summary) = w
        .get_json(&w.owner, &w.at("/api/analytics/summary?period=30d"))
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    let total = &summary["total"];
    let followers = total["followers"]["value"].as_i64().expect("followers");
    let views = total["views"]["value"].as_i64().expect("views");
    let engagements = total["engagements"]["value"].as_i64().expect("engagements");
    assert_eq!(summary["accounts"].as_array().unwrap().len(), 2);
    // The planted figures: followers at the end of the period, the
    // period's views summed, and the period before beside them.
    let tiktok = summary["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["connection_id"] == w.tiktok.as_str())
        .unwrap();
    assert!(
        tiktok["totals"]["followers"]["previous"].as_i64().unwrap()
            < tiktok["totals"]["followers"]["value"].as_i64().unwrap()
    );

    for (who, client) in [
        ("owner", &w.owner),
        ("editor", &editor),
        ("viewer", &viewer),
    ] {
        let (status, html) = w.text(client, &w.at("/home/analytics")).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert_eq!(headline(&html, "followers"), en(followers), "{who}");
        assert_eq!(headline(&html, "views"), en(views), "{who}");
        assert_eq!(headline(&html, "engagements"), en(engagements), "{who}");
        assert!(
            html.contains("ws1-secret-tiktok post 3"),
            "{who}: the top posts"
        );
        assert!(html.contains("role=\"img\""), "{who}: the charts");
        assert!(
            html.contains("<details class=\"chart-data\">"),
            "{who}: their tables"
        );
        assert!(!html.contains("data-empty"), "{who}");
        let refresh = html.contains("action=\"/home/analytics/refresh\"");
        assert_eq!(refresh, who != "viewer", "{who}: the refresh button");
    }

    // Every table downloads as CSV with the same figures.
    let (status, text) = w
        .text(
            &viewer,
            &w.at("/home/analytics/export/summary.csv?period=30d"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rows = csv(&text);
    let total_row = rows
        .iter()
        .find(|r| r[0] == "total")
        .expect("the total row");
    assert_eq!(total_row[col(&rows, "followers")], followers.to_string());
    assert_eq!(total_row[col(&rows, "views")], views.to_string());
    assert_eq!(
        total_row[col(&rows, "engagements")],
        engagements.to_string()
    );
    assert!(rows.iter().all(|r| r.len() == rows[0].len()));
    for table in [
        "summary",
        "growth",
        "funnel",
        "posts",
        "best-times",
        "platforms",
        "runs",
    ] {
        let resp = w
            .owner
            .get(
                w.app
                    .url(&w.at(&format!("/home/analytics/export/{table}.csv"))),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{table}");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        assert!(header("content-type").starts_with("text/csv"), "{table}");
        assert!(
            header("content-disposition").starts_with("attachment"),
            "{table}"
        );
        let rows = csv(&resp.text().await.unwrap());
        assert!(rows.iter().all(|r| r.len() == rows[0].len()), "{table}");
    }
    let (_, text) = w
        .text(&w.owner, &w.at("/home/analytics/export/growth.csv"))
        .await;
    let growth = csv(&text);
    let all: Vec<&Vec<String>> = growth[1..].iter().filter(|r| r[0] == "all").collect();
    assert_eq!(all.len(), 30, "a row a day of the period");
    let (_, text) = w
        .text(&w.owner, &w.at("/home/analytics/export/posts.csv?limit=10"))
        .await;
    let posts = csv(&text);
    let titles: Vec<&str> = posts[1..]
        .iter()
        .map(|r| r[col(&posts, "title")].as_str())
        .collect();
    assert_eq!(titles.len(), 6, "top and bottom: each post once");
    assert!(titles.contains(&"ws1-secret-youtube post 1"));
    let (status, ranking) = w
        .get_json(&w.owner, &w.at("/api/analytics/posts?limit=10"))
        .await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    assert_eq!(ranking["posts"], 6);
    assert_eq!(
        ranking["top"][0]["title"].as_str(),
        Some(titles[0]),
        "the export ranks as the API does"
    );
    let unknown = w
        .text(&w.owner, &w.at("/home/analytics/export/secrets.csv"))
        .await;
    assert_eq!(unknown.0, StatusCode::NOT_FOUND);

    // Someone else: the API says not found; the page and the exports show
    // their own (empty) workspace and nothing of this one.
    let stranger = w.app.signed_in("analytics-stranger@example.com").await;
    let (status, body) = w.get_json(&stranger, &w.at("/api/analytics/summary")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    for path in [
        "/home/analytics",
        "/home/analytics/export/posts.csv",
        "/home/analytics/export/summary.csv",
        "/home/learn",
    ] {
        let (status, text) = w.text(&stranger, &w.at(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!text.contains("ws1-secret"), "{path}: {text}");
        assert!(!text.contains(&w.tiktok), "{path}");
    }
    let (status, html) = w.text(&stranger, "/home/analytics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-empty"), "nothing connected there");
    assert!(html.contains("/home/publishing"), "it says to connect one");
    // Signed out: the login page.
    let resp = new_client()
        .get(w.app.url(&w.at("/home/analytics")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).starts_with("/login"));
}

#[tokio::test]
async fn filters_narrow_the_figures_and_bad_ones_are_refused_naming_them() {
    let w = World::new("analytics-filters@example.com").await;
    w.planted().await;

    let (_, html) = w
        .text(&w.owner, &w.at("/home/analytics?platform=tiktok"))
        .await;
    assert!(html.contains("ws1-secret-tiktok post 1"));
    assert!(!html.contains("ws1-secret-youtube"), "only TikTok");
    assert!(
        html.contains("<option value=\"tiktok\" selected>"),
        "the form keeps it"
    );
    let (_, html) = w
        .text(
            &w.owner,
            &w.at(&format!("/home/analytics?account={}&period=7d", w.youtube)),
        )
        .await;
    assert!(html.contains("ws1-secret-youtube post 2"));
    assert!(
        !html.contains("ws1-secret-tiktok"),
        "only the YouTube channel"
    );
    assert!(html.contains("<option value=\"7d\" selected>"));
    // The exports keep the filter.
    assert!(html.contains(&format!(
        "/home/analytics/export/summary.csv?workspace={}&#38;period=7d&#38;account={}",
        w.ws, w.youtube
    )));
    let (_, summary) = w
        .get_json(
            &w.owner,
            &w.at(&format!(
                "/api/analytics/summary?account={}&period=7d",
                w.youtube
            )),
        )
        .await;
    let accounts = summary["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(summary["period"], "7d");
    let (_, text) = w
        .text(
            &w.owner,
            &w.at(&format!(
                "/home/analytics/export/summary.csv?account={}&period=7d",
                w.youtube
            )),
        )
        .await;
    let rows = csv(&text);
    assert_eq!(rows.len(), 3, "the header, the channel and the total");
    assert_eq!(
        rows[2][col(&rows, "followers")],
        summary["total"]["followers"]["value"].to_string()
    );
    // A pillar narrows the posts to those composed from its drafts: none.
    let (status, pillar) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/pillars"),
            Some(json!({"name": "Recipes"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pillar}");
    let (_, ranking) = w
        .get_json(
            &w.owner,
            &w.at(&format!("/api/analytics/posts?pillar={}", pillar["id"])),
        )
        .await;
    assert_eq!(ranking["posts"], 0, "{ranking}");

    // Another workspace's account is not one of this workspace's.
    let other = w.app.signed_in("analytics-other@example.com").await;
    let theirs = crate::posts::connect(&w.app, &other, "tiktok").await;
    let refused = [
        ("/api/analytics/summary?period=5y", "period"),
        ("/api/analytics/summary?platform=myspace", "platform"),
        ("/api/analytics/posts?limit=10000", "limit"),
        ("/api/analytics/posts?limit=0", "limit"),
        ("/api/analytics/posts?rank=best", "rank"),
        (
            "/api/analytics/best-times?time_zone=Mars/Olympus",
            "time_zone",
        ),
        ("/api/analytics/summary?pillar=987654", "pillar"),
        ("/api/analytics/summary?account=not%20an%20id", "account"),
    ];
    for (path, field) in refused {
        let (status, body) = w.get_json(&w.owner, &w.at(path)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (status, body) = w
        .get_json(
            &w.owner,
            &w.at(&format!("/api/analytics/summary?account={theirs}")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "analytics_account_not_found");
    assert_eq!(body["error"]["field"], "account");
    // The page and the exports refuse the same, in words.
    let (status, html) = w.text(&w.owner, &w.at("/home/analytics?period=5y")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("7d, 30d or 90d"), "{html}");
    let (status, _) = w
        .text(
            &w.owner,
            &w.at(&format!("/home/analytics?account={theirs}")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w
        .text(
            &w.owner,
            &w.at("/home/analytics/export/posts.csv?limit=10000"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w
        .text(&w.owner, &w.at("/home/analytics?measure=likes"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn german_readers_get_german_numbers_and_dates() {
    let w = World::new("analytics-de@example.com").await;
    w.planted().await;
    let (_, summary) = w.get_json(&w.owner, &w.at("/api/analytics/summary")).await;
    let followers = summary["total"]["followers"]["value"].as_i64().unwrap();
    let from: jiff::civil::Date = summary["from"].as_str().unwrap().parse().unwrap();
    let resp = w
        .owner
        .get(w.app.url(&w.at("/home/analytics")))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>Statistiken</h1>"));
    assert_eq!(headline(&html, "followers"), de(followers));
    assert!(
        html.contains(&from.strftime("%d.%m.%Y").to_string()),
        "the period's first day the German way"
    );
    let rate = summary["total"]["engagement_rate"]["value"]
        .as_f64()
        .unwrap();
    let shown = format!("{:.2} %", rate * 100.0).replace('.', ",");
    assert_eq!(headline(&html, "engagement_rate"), shown);
    // The exports stay machine-readable whatever the language.
    let resp = w
        .owner
        .get(w.app.url(&w.at("/home/analytics/export/summary.csv")))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    let rows = csv(&resp.text().await.unwrap());
    let total = rows.iter().find(|r| r[0] == "total").unwrap();
    assert_eq!(total[col(&rows, "followers")], followers.to_string());
    assert_eq!(total[col(&rows, "from")], from.to_string());
}

#[tokio::test]
async fn refreshing_is_for_those_who_may_publish() {
    let w = World::new("analytics-refresh@example.com").await;
    // Analytics reads the TikTok account (enrolled with its figures).
    plant(&w.app, &w.ws, &w.tiktok, "tiktok_user", 1_000, "refresh").await;
    let viewer = w
        .app
        .member(
            &w.owner,
            &w.ws,
            "analytics-refresh-viewer@example.com",
            "viewer",
        )
        .await;

    let resp = w
        .app
        .submit(
            &w.owner,
            "/home/analytics/refresh",
            &[
                ("workspace", &w.ws),
                ("account", ""),
                (
                    "back",
                    "period=7d&platform=tiktok&next=https://evil.example",
                ),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let to = location(&resp);
    assert!(
        to.starts_with(&format!(
            "/home/analytics?workspace={}&period=7d&platform=tiktok&done=refresh_queued&queued=",
            w.ws
        )),
        "{to}"
    );
    assert!(!to.contains("evil"));
    let (status, html) = w.text(&w.owner, &to).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("role=\"status\""), "the notice");

    let (status, body) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/analytics/refresh"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert!(body["queued"].is_u64() && body["runs"].is_array(), "{body}");
    let (status, body) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/analytics/refresh"),
            Some(json!({"account": w.tiktok})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // A viewer may look, not refresh.
    let resp = w
        .app
        .submit(&viewer, "/home/analytics/refresh", &[("workspace", &w.ws)])
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, body) = w
        .call(&viewer, Method::POST, &w.at("/api/analytics/refresh"), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");

    // Bad bodies change nothing.
    let (status, body) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/analytics/refresh"),
            Some(json!({"account": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_body");
    let (status, body) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/analytics/refresh"),
            Some(json!({"account": "0190b6a4-0000-7000-8000-000000000000"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["field"], "account");

    // Tokens: reading needs analytics:read; refreshing posts:write.
    let token = |scopes: Value| {
        let w = &w;
        async move {
            let (status, body) = w
                .call(
                    &w.owner,
                    Method::POST,
                    &w.at("/api/tokens"),
                    Some(json!({"name": format!("t {scopes}"), "kind": "app", "scopes": scopes})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["secret"].as_str().unwrap().to_owned()
        }
    };
    let reader = token(json!(["analytics:read"])).await;
    let writer = token(json!(["posts:write"])).await;
    let bearer = |secret: &str, method: Method, path: &str| {
        reqwest::Client::new()
            .request(method, w.app.url(path))
            .bearer_auth(secret.to_owned())
            .send()
    };
    let resp = bearer(&reader, Method::GET, &w.at("/api/analytics/summary"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = bearer(&reader, Method::POST, &w.at("/api/analytics/refresh"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "insufficient_scope");
    let resp = bearer(&writer, Method::POST, &w.at("/api/analytics/refresh"))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    let resp = bearer(&writer, Method::GET, &w.at("/api/analytics/summary"))
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "posts:write reads no analytics"
    );
}

#[tokio::test]
async fn the_composer_opens_at_a_proposed_hour_for_an_account() {
    let w = World::new("analytics-compose@example.com").await;
    let path = w.at(&format!(
        "/home/compose?at=2026-12-08T17:00:00Z&account={}",
        w.tiktok
    ));
    let (status, html) = w.text(&w.owner, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"2026-12-08\""), "the date");
    assert!(
        html.contains("value=\"17:00\""),
        "the hour, in UTC without a zone chosen"
    );
    assert!(
        !html.contains("data-from-browser"),
        "the zone select keeps the hour's zone"
    );
    assert!(ticked(&html, &w.tiktok), "the account is ticked");
    assert!(!ticked(&html, &w.youtube));
    // In the reader's own zone once they chose one.
    let (status, body) = w
        .call(
            &w.owner,
            Method::PUT,
            &w.at("/api/notification-preferences"),
            Some(json!({"choices": {}, "time_zone": "Europe/Berlin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, html) = w.text(&w.owner, &path).await;
    assert!(html.contains("value=\"18:00\""), "18:00 in Berlin");
    assert!(html.contains("<option value=\"Europe/Berlin\" selected>"));
    // Another workspace's account is not ticked; a malformed time refused.
    let (_, html) = w
        .text(&w.owner, &w.at("/home/compose?account=someone-elses"))
        .await;
    assert!(!html.contains("name=\"account\" value=\"someone-elses\""));
    assert!(!ticked(&html, &w.tiktok));
    let (status, _) = w.text(&w.owner, &w.at("/home/compose?at=tomorrow")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_learning_hub_recommends_from_the_workspaces_gaps_and_settled_ones_stay_away() {
    let w = World::new("analytics-learn@example.com").await;
    let viewer = w
        .app
        .member(
            &w.owner,
            &w.ws,
            "analytics-learn-viewer@example.com",
            "viewer",
        )
        .await;
    // A pillar made weeks ago that never had a post: neglected.
    let (status, pillar) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/pillars"),
            Some(json!({"name": "Behind the scenes"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pillar}");
    let id = pillar["id"].as_i64().unwrap();
    backdate_pillar(&w.app, id, 40).await;
    let key = format!("pillar_neglected:{id}");

    let (status, html) = w.text(&w.owner, &w.at("/home/learn")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("data-key=\"{key}\"")), "{html}");
    assert!(
        html.contains("“Behind the scenes”"),
        "the evidence names the pillar"
    );
    // Its next step: the gallery for the pillar, whose drafts belong to it.
    let next = format!("/home/content?workspace={}&#38;pillar={id}", w.ws);
    assert!(html.contains(&next), "{html}");
    let (_, gallery) = w
        .text(
            &w.owner,
            &format!("/home/content?workspace={}&pillar={id}", w.ws),
        )
        .await;
    assert!(gallery.contains(&format!("data-pillar=\"{id}\"")));
    let template = gallery
        .split("/home/content/templates/")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .expect("a template")
        .to_owned();
    assert!(gallery.contains(&format!(
        "/home/content/templates/{template}?workspace={}&#38;pillar={id}",
        w.ws
    )));
    let (_, page) = w
        .text(
            &w.owner,
            &format!(
                "/home/content/templates/{template}?workspace={}&pillar={id}",
                w.ws
            ),
        )
        .await;
    assert!(page.contains(&format!("name=\"pillar\" value=\"{id}\"")));
    let resp = w
        .app
        .submit(
            &w.owner,
            "/home/content/drafts",
            &[
                ("workspace", &w.ws),
                ("template", &template),
                ("pillar", &id.to_string()),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let draft = location(&resp)
        .split("/home/content/drafts/")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .unwrap()
        .to_owned();
    let (_, body) = w
        .get_json(&w.owner, &w.at(&format!("/api/drafts/{draft}")))
        .await;
    assert_eq!(body["pillar_id"], id, "{body}");

    // The API lists it with its words and settles it.
    let (status, list) = w.get_json(&w.owner, &w.at("/api/recommendations")).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let rec = list["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key.as_str())
        .expect("the recommendation")
        .clone();
    assert!(rec["title"].as_str().unwrap().contains("Behind the scenes"));
    assert!(!rec["message"].as_str().unwrap().is_empty());
    assert_eq!(rec["next"]["kind"], "templates");
    let fingerprint = rec["fingerprint"].as_str().unwrap().to_owned();

    // A viewer may read, not settle.
    let (status, _) = w.text(&viewer, &w.at("/home/learn")).await;
    assert_eq!(status, StatusCode::OK);
    let resp = w
        .app
        .submit(
            &viewer,
            "/home/learn/recommendations",
            &[
                ("workspace", &w.ws),
                ("key", &key),
                ("fingerprint", &fingerprint),
                ("outcome", "done"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, _) = w
        .call(
            &viewer,
            Method::POST,
            &w.at(&format!("/api/recommendations/{key}/done")),
            Some(json!({"fingerprint": fingerprint})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Dismissed on the page: it stays away.
    let resp = w
        .app
        .submit(
            &w.owner,
            "/home/learn/recommendations",
            &[
                ("workspace", &w.ws),
                ("key", &key),
                ("fingerprint", &fingerprint),
                ("outcome", "dismissed"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(location(&resp).ends_with("done=dismissed"));
    let (_, html) = w.text(&w.owner, &w.at("/home/learn?done=dismissed")).await;
    assert!(!html.contains(&format!("data-key=\"{key}\"")));
    assert!(html.contains("role=\"status\""));
    let (_, list) = w.get_json(&w.owner, &w.at("/api/recommendations")).await;
    assert!(!list.to_string().contains(&key));
    // Settling what is not recommended is not found; a bad body refused.
    let (status, body) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at("/api/recommendations/best_hours_unused/done"),
            Some(json!({"fingerprint": "00ff"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "recommendation_not_found");
    let (status, _) = w
        .call(
            &w.owner,
            Method::POST,
            &w.at(&format!("/api/recommendations/{key}/done")),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let resp = w
        .app
        .submit(
            &w.owner,
            "/home/learn/recommendations",
            &[
                ("workspace", &w.ws),
                ("key", "best_hours_unused"),
                ("fingerprint", "00ff"),
                ("outcome", "done"),
            ],
        )
        .await;
    assert!(location(&resp).ends_with("done=gone"));

    // The guides, by topic, each on its own page in the reader's language.
    let (_, html) = w.text(&w.owner, &w.at("/home/learn")).await;
    let guide = html
        .split("href=\"/home/learn/")
        .nth(1)
        .and_then(|s| s.split('?').next())
        .expect("a guide")
        .to_owned();
    let (status, page) = w
        .text(&w.owner, &w.at(&format!("/home/learn/{guide}")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<article class=\"guide\">"));
    let resp = w
        .owner
        .get(w.app.url(&w.at(&format!("/home/learn/{guide}"))))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap();
    let german = resp.text().await.unwrap();
    assert!(german.contains("lang=\"de\"") && !german.contains("learn.in_english"));
    assert_ne!(german, page, "the guide in German");
    let (status, _) = w.text(&w.owner, &w.at("/home/learn/no-such-guide")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = w.text(&w.owner, &w.at("/home/learn/..%2Fetc")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Whether the composer's checkbox of account `id` is ticked.
fn ticked(html: &str, id: &str) -> bool {
    let at = html
        .find(&format!("name=\"account\" value=\"{id}\""))
        .unwrap_or_else(|| panic!("no checkbox for {id}"));
    let input = &html[at..at + html[at..].find('>').unwrap()];
    input.contains(" checked")
}

/// Moves a pillar's creation `days` back.
pub(crate) async fn backdate_pillar(app: &TestApp, id: i64, days: i64) {
    let at = Timestamp::now() - herald_core::SignedDuration::from_hours(24 * days);
    let micros = at.as_microsecond();
    match &app.db {
        herald_db::Db::Sqlite(pool) => {
            sqlx::query("UPDATE studio_pillars SET created_at = $1 WHERE id = $2")
                .bind(micros)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
        herald_db::Db::Postgres(pool) => {
            sqlx::query("UPDATE studio_pillars SET created_at = $1 WHERE id = $2")
                .bind(micros)
                .bind(id)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}
