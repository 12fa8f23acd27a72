//! TikTok and YouTube insights: user info counts, the video list and
//! query, channel statistics, the uploads playlist, `videos.list`
//! statistics and YouTube Analytics reports — their figures, how they grow,
//! and the errors and limits around them.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use herald_sandbox::{Fault, FaultKind};
use serde_json::{Value, json};

use crate::helpers::*;

const TT_SCOPES: &str = "user.info.basic,user.info.stats,video.list";
const YT_READ: &str = "https://www.googleapis.com/auth/youtube.readonly";
const YT_ANALYTICS: &str = "https://www.googleapis.com/auth/yt-analytics.readonly";
const DAY: i64 = 86_400;

async fn tt_post(t: &TestSandbox, path: &str, token: &str, body: &Value) -> Resp {
    t.request(
        Method::POST,
        path,
        &[
            bearer(token),
            ("content-type", "application/json; charset=UTF-8".to_owned()),
        ],
        Body::from(body.to_string()),
    )
    .await
}

async fn tiktok(t: &TestSandbox, scopes: &str) -> (String, String) {
    let login = t.tiktok_login("demo", scopes).await;
    (
        login["access_token"].as_str().unwrap().to_owned(),
        login["open_id"].as_str().unwrap().to_owned(),
    )
}

async fn user_counts(t: &TestSandbox, token: &str) -> Value {
    let res = t
        .get_with(
            "/open.tiktokapis.com/v2/user/info/?fields=open_id,follower_count,following_count,likes_count,video_count",
            &[bearer(token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["data"]["user"].clone()
}

/// Every video of the list, page by page.
async fn all_videos(t: &TestSandbox, token: &str) -> Vec<Value> {
    let mut videos = Vec::new();
    let mut cursor: Option<i64> = None;
    for _ in 0..50 {
        let mut body = json!({"max_count": 20});
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        let res = tt_post(
            t,
            "/open.tiktokapis.com/v2/video/list/?fields=id,create_time,view_count,like_count,comment_count,share_count",
            token,
            &body,
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let data = res.json()["data"].clone();
        let page = data["videos"].as_array().unwrap().clone();
        assert!(page.len() <= 20);
        videos.extend(page);
        if data["has_more"] == false {
            return videos;
        }
        cursor = data["cursor"].as_i64();
    }
    panic!("the video list never ended");
}

#[tokio::test]
async fn tiktok_counts_and_videos_are_the_simulators_figures_and_grow_daily() {
    let t = TestSandbox::new();
    let (token, open_id) = tiktok(&t, TT_SCOPES).await;
    let figures = t.sb.tiktok_figures(&open_id).expect("a signed-in user");
    let user = user_counts(&t, &token).await;
    assert_eq!(user["follower_count"], figures.follower_count);
    assert_eq!(user["following_count"], figures.following_count);
    assert_eq!(user["likes_count"], figures.likes_count);
    assert_eq!(user["video_count"], figures.video_count);

    // A year of history, one video every 3–5 days, newest first.
    let videos = all_videos(&t, &token).await;
    assert!((70..=125).contains(&videos.len()), "{}", videos.len());
    assert_eq!(videos.len() as i64, figures.video_count);
    let ids: Vec<&str> = videos.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = figures.videos.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, expected);
    let times: Vec<i64> = videos
        .iter()
        .map(|v| v["create_time"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]), "newest first");
    for (v, f) in videos.iter().zip(&figures.videos) {
        assert_eq!(v["view_count"], f.view_count);
        assert_eq!(v["like_count"], f.like_count);
        assert_eq!(v["comment_count"], f.comment_count);
        assert_eq!(v["share_count"], f.share_count);
    }
    // Old videos have settled; views are plausible and likes fewer.
    let old = &figures.videos[figures.videos.len() - 1];
    assert!(old.view_count > 0 && old.like_count < old.view_count);

    // The same day reads the same, whatever the hour.
    t.advance(20 * 3600);
    assert_eq!(user_counts(&t, &token).await, user);
    assert_eq!(t.sb.tiktok_figures(&open_id).unwrap(), figures);

    // A month on: more followers, more videos, more views on old ones.
    t.advance(30 * DAY);
    let later = t.sb.tiktok_figures(&open_id).unwrap();
    assert!(later.follower_count > figures.follower_count);
    assert!(later.video_count > figures.video_count);
    let again = later
        .videos
        .iter()
        .find(|v| v.id == figures.videos[0].id)
        .unwrap();
    assert!(again.view_count >= figures.videos[0].view_count);
    assert!(later.likes_count > figures.likes_count);
}

#[tokio::test]
async fn tiktok_counts_and_lists_need_their_scopes() {
    let t = TestSandbox::new();
    let (token, _) = tiktok(&t, "user.info.basic").await;
    let res = t
        .get_with(
            "/open.tiktokapis.com/v2/user/info/?fields=open_id,follower_count",
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json()["error"]["code"], "scope_not_authorized");
    for path in [
        "/open.tiktokapis.com/v2/video/list/?fields=id",
        "/open.tiktokapis.com/v2/video/query/?fields=id",
    ] {
        let res = tt_post(&t, path, &token, &json!({"filters": {"video_ids": ["1"]}})).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(res.json()["error"]["code"], "scope_not_authorized");
    }
}

#[tokio::test]
async fn tiktok_video_query_returns_the_users_own_videos_in_the_order_asked() {
    let t = TestSandbox::new();
    let (token, open_id) = tiktok(&t, TT_SCOPES).await;
    let figures = t.sb.tiktok_figures(&open_id).unwrap();
    let (a, b) = (&figures.videos[3], &figures.videos[0]);
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/video/query/?fields=id,view_count,like_count",
        &token,
        &json!({"filters": {"video_ids": [a.id, "7000000000000000000", b.id]}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["error"]["code"], "ok");
    assert!(
        body["error"]["log_id"]
            .as_str()
            .is_some_and(|l| !l.is_empty())
    );
    assert_eq!(
        body["data"]["videos"],
        json!([
            {"id": a.id, "view_count": a.view_count, "like_count": a.like_count},
            {"id": b.id, "view_count": b.view_count, "like_count": b.like_count},
        ])
    );

    let too_many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    for body in [
        json!({"filters": {"video_ids": too_many}}),
        json!({"filters": {"video_ids": []}}),
        json!({}),
    ] {
        let res = tt_post(
            &t,
            "/open.tiktokapis.com/v2/video/query/?fields=id",
            &token,
            &body,
        )
        .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(res.json()["error"]["code"], "invalid_params");
    }
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/video/query/?fields=id,plays",
        &token,
        &json!({"filters": {"video_ids": [a.id]}}),
    )
    .await;
    assert_eq!(res.json()["error"]["code"], "invalid_params");
    let res = tt_post(
        &t,
        "/open.tiktokapis.com/v2/video/list/?fields=id",
        &token,
        &json!({"max_count": 21}),
    )
    .await;
    assert_eq!(res.json()["error"]["code"], "invalid_params");
}

#[tokio::test]
async fn tiktok_video_query_is_limited_per_app_per_minute() {
    let t = TestSandbox::with(|c| c.limits.tiktok_video_query_per_minute = 2);
    let (token, _) = tiktok(&t, TT_SCOPES).await;
    let body = json!({"filters": {"video_ids": ["1"]}});
    let path = "/open.tiktokapis.com/v2/video/query/?fields=id";
    for _ in 0..2 {
        assert_eq!(
            tt_post(&t, path, &token, &body).await.status,
            StatusCode::OK
        );
    }
    let res = tt_post(&t, path, &token, &body).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.json()["error"]["code"], "rate_limit_exceeded");
    t.advance(61);
    assert_eq!(
        tt_post(&t, path, &token, &body).await.status,
        StatusCode::OK
    );
}

// ------------------------------------------------------------------ YouTube

async fn google(t: &TestSandbox, scopes: &str) -> String {
    t.google_login("demo", scopes).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn channel_ids(t: &TestSandbox, token: &str) -> Vec<String> {
    let res = t
        .get_with(
            "/www.googleapis.com/youtube/v3/channels?part=id,statistics,contentDetails&mine=true",
            &[bearer(token)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn report(t: &TestSandbox, token: &str, query: &str) -> Resp {
    t.get_with(
        &format!("/youtubeanalytics.googleapis.com/v2/reports?{query}"),
        &[bearer(token)],
    )
    .await
}

const DAILY: &str = "metrics=views,estimatedMinutesWatched,averageViewDuration,averageViewPercentage,likes,comments,shares,subscribersGained,subscribersLost&dimensions=day&sort=day";

#[tokio::test]
async fn channel_statistics_uploads_and_video_statistics_agree() {
    let t = TestSandbox::new();
    let token = google(&t, YT_READ).await;
    let channels = channel_ids(&t, &token).await;
    let figures = t.sb.youtube_figures(&channels[0]).unwrap();
    let res = t
        .get_with(
            &format!(
                "/www.googleapis.com/youtube/v3/channels?part=statistics,contentDetails&id={}",
                channels[0]
            ),
            &[bearer(&token)],
        )
        .await;
    let channel = res.json()["items"][0].clone();
    let stats = &channel["statistics"];
    assert_eq!(
        stats["subscriberCount"],
        figures.subscriber_count.to_string()
    );
    assert_eq!(stats["viewCount"], figures.view_count.to_string());
    assert_eq!(stats["videoCount"], figures.video_count.to_string());
    // Rounded down to three significant figures.
    let shown = figures.subscriber_count;
    assert!(
        shown <= figures.subscribers && figures.subscribers - shown < figures.subscribers / 100 + 1
    );

    // The uploads playlist, newest first, 50 a page.
    let uploads = channel["contentDetails"]["relatedPlaylists"]["uploads"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut listed = Vec::new();
    let mut token_param = String::new();
    loop {
        let res = t
            .get_with(
                &format!("/www.googleapis.com/youtube/v3/playlistItems?part=contentDetails,snippet&playlistId={uploads}&maxResults=50{token_param}"),
                &[bearer(&token)],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let body = res.json();
        assert_eq!(body["pageInfo"]["totalResults"], figures.videos.len());
        listed.extend(body["items"].as_array().unwrap().iter().map(|i| {
            assert_eq!(i["snippet"]["playlistId"], uploads.as_str());
            i["contentDetails"]["videoId"].as_str().unwrap().to_owned()
        }));
        match body["nextPageToken"].as_str() {
            Some(next) => token_param = format!("&pageToken={next}"),
            None => break,
        }
    }
    let expected: Vec<String> = figures.videos.iter().map(|v| v.id.clone()).collect();
    assert_eq!(listed, expected);

    // videos.list: counts as strings, equal to the simulator's.
    let ids = expected[..5].join(",");
    let res = t
        .get_with(
            &format!("/www.googleapis.com/youtube/v3/videos?part=snippet,statistics,contentDetails&id={ids}"),
            &[bearer(&token)],
        )
        .await;
    let items = res.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5);
    for (item, video) in items.iter().zip(&figures.videos) {
        assert_eq!(item["id"], video.id.as_str());
        assert_eq!(
            item["statistics"]["viewCount"],
            video.view_count.to_string()
        );
        assert_eq!(
            item["statistics"]["likeCount"],
            video.like_count.to_string()
        );
        assert_eq!(
            item["statistics"]["commentCount"],
            video.comment_count.to_string()
        );
        assert_eq!(item["snippet"]["channelId"], channels[0].as_str());
        assert_eq!(item["snippet"]["title"], video.title.as_str());
    }

    // Other playlists do not exist; bad tokens and sizes are refused.
    for (query, status, reason) in [
        ("playlistId=PLnope", 404, "playlistNotFound"),
        (
            &format!("playlistId={uploads}&pageToken=zzz")[..],
            400,
            "invalidPageToken",
        ),
        (
            &format!("playlistId={uploads}&maxResults=51")[..],
            400,
            "invalidParameter",
        ),
    ] {
        let res = t
            .get_with(
                &format!("/www.googleapis.com/youtube/v3/playlistItems?part=id&{query}"),
                &[bearer(&token)],
            )
            .await;
        assert_eq!(res.status.as_u16(), status, "{query}");
        assert_eq!(res.json()["error"]["errors"][0]["reason"], reason);
    }
}

#[tokio::test]
async fn daily_reports_are_the_simulators_figures_and_end_two_or_three_days_ago() {
    let t = TestSandbox::new();
    let token = google(&t, &format!("{YT_READ} {YT_ANALYTICS}")).await;
    let channels = channel_ids(&t, &token).await;
    let figures = t.sb.youtube_figures(&channels[0]).unwrap();
    let res = report(
        &t,
        &token,
        &format!(
            "ids=channel=={}&startDate=2025-12-01&endDate=2026-01-01&{DAILY}",
            channels[0]
        ),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let body = res.json();
    assert_eq!(body["kind"], "youtubeAnalytics#resultTable");
    let headers: Vec<(&str, &str, &str)> = body["columnHeaders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap(),
                h["columnType"].as_str().unwrap(),
                h["dataType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(headers[0], ("day", "DIMENSION", "STRING"));
    assert_eq!(headers[1], ("views", "METRIC", "INTEGER"));
    assert_eq!(headers[4], ("averageViewPercentage", "METRIC", "FLOAT"));
    let rows = body["rows"].as_array().unwrap().clone();
    // 2026-01-01T00:00Z is still 2025-12-31 in Pacific time.
    let last = figures.last_reported_day;
    assert!(
        [
            jiff::civil::date(2025, 12, 28),
            jiff::civil::date(2025, 12, 29)
        ]
        .contains(&last),
        "{last}"
    );
    assert_eq!(rows.last().unwrap()[0], last.to_string());
    assert_eq!(rows[0][0], "2025-12-01");
    for row in &rows {
        let day: jiff::civil::Date = row[0].as_str().unwrap().parse().unwrap();
        let d = t.sb.youtube_day(&channels[0], day).unwrap();
        assert_eq!(
            row.as_array().unwrap()[1..],
            [
                json!(d.views),
                json!(d.estimated_minutes_watched),
                json!(d.average_view_duration),
                json!(d.average_view_percentage),
                json!(d.likes),
                json!(d.comments),
                json!(d.shares),
                json!(d.subscribers_gained),
                json!(d.subscribers_lost),
            ],
            "{day}"
        );
        assert!(
            d.views > 0 && d.estimated_minutes_watched > 0,
            "{day}: {d:?}"
        );
    }

    // Days sum to the report's total, and to the per-video report's rows.
    let total = report(
        &t,
        &token,
        "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-20&metrics=views,likes",
    )
    .await
    .json()["rows"][0]
        .clone();
    let by_day: i64 = rows[..20].iter().map(|r| r[1].as_i64().unwrap()).sum();
    assert_eq!(total[0], by_day);
    let videos = report(
        &t,
        &token,
        "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-20&metrics=views,likes&dimensions=video&sort=-views&maxResults=200",
    )
    .await
    .json();
    let video_rows = videos["rows"].as_array().unwrap();
    let per_video: i64 = video_rows.iter().map(|r| r[1].as_i64().unwrap()).sum();
    assert_eq!(per_video, by_day);
    let views: Vec<i64> = video_rows.iter().map(|r| r[1].as_i64().unwrap()).collect();
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "sorted by -views");

    // A reported day never changes: read again a week later.
    t.advance(7 * DAY);
    let token = google(&t, &format!("{YT_READ} {YT_ANALYTICS}")).await;
    let again = report(
        &t,
        &token,
        &format!(
            "ids=channel=={}&startDate=2025-12-01&endDate=2025-12-31&{DAILY}",
            channels[0]
        ),
    )
    .await
    .json();
    assert_eq!(again["rows"].as_array().unwrap()[..rows.len()], rows[..]);
}

#[tokio::test]
async fn analytics_reports_refuse_what_google_refuses() {
    let t = TestSandbox::new();
    let without = google(&t, YT_READ).await;
    let res = report(
        &t,
        &without,
        "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-02&metrics=views",
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "insufficientPermissions"
    );

    let token = google(&t, &format!("{YT_READ} {YT_ANALYTICS}")).await;
    let cases = [
        (
            "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-02&metrics=impressions",
            "Unknown identifier (impressions) given in field parameters.metrics.",
        ),
        (
            "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-02&metrics=views&dimensions=video",
            "The query is not supported. Check the documentation at https://developers.google.com/youtube/analytics/v2/available_reports for a list of supported queries.",
        ),
        (
            "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-02&metrics=views&dimensions=video,day",
            "The query is not supported. Check the documentation at https://developers.google.com/youtube/analytics/v2/available_reports for a list of supported queries.",
        ),
        (
            "ids=channel==MINE&startDate=2025-12-03&endDate=2025-12-02&metrics=views",
            "The startDate must not be after the endDate.",
        ),
        (
            "ids=channel==MINE&startDate=2025-13-01&endDate=2025-12-02&metrics=views",
            "Could not parse content (2025-13-01) of field startDate.",
        ),
        (
            "ids=channel==MINE&startDate=2025-12-01&metrics=views",
            "Required",
        ),
    ];
    for (query, message) in cases {
        let res = report(&t, &token, query).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            res.text()
        );
        assert_eq!(res.json()["error"]["message"], message, "{query}");
    }
    let res = report(
        &t,
        &token,
        "ids=channel==UCsomeoneelse&startDate=2025-12-01&endDate=2025-12-02&metrics=views",
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Future days have no rows; the table still says what it would hold.
    let res = report(
        &t,
        &token,
        "ids=channel==MINE&startDate=2026-03-01&endDate=2026-03-02&metrics=views&dimensions=day",
    )
    .await
    .json();
    assert_eq!(res["columnHeaders"].as_array().unwrap().len(), 2);
    assert!(res.get("rows").is_none(), "{res}");
}

#[tokio::test]
async fn analytics_has_its_own_daily_quota_and_takes_injected_faults() {
    let t = TestSandbox::with(|c| c.limits.youtube_analytics_daily_queries = 3);
    let token = google(&t, &format!("{YT_READ} {YT_ANALYTICS}")).await;
    let q = "ids=channel==MINE&startDate=2025-12-01&endDate=2025-12-02&metrics=views";
    t.sb.inject(
        "youtube.analytics_reports",
        Fault::times(FaultKind::ServerError, 1),
    )
    .unwrap();
    let res = report(&t, &token, q).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json()["error"]["errors"][0]["reason"], "backendError");
    t.sb.inject(
        "youtube.analytics_reports",
        Fault::times(FaultKind::RateLimited, 1),
    )
    .unwrap();
    let res = report(&t, &token, q).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..3 {
        assert_eq!(report(&t, &token, q).await.status, StatusCode::OK);
    }
    let res = report(&t, &token, q).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let error = res.json()["error"].clone();
    assert_eq!(error["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(error["errors"][0]["reason"], "rateLimitExceeded");
    // The Data API's units are another bucket.
    assert_eq!(channel_ids(&t, &token).await.len(), 2);
    // Pacific midnight resets it (2026-01-01T08:00Z).
    t.advance(8 * 3600);
    let token = google(&t, &format!("{YT_READ} {YT_ANALYTICS}")).await;
    assert_eq!(report(&t, &token, q).await.status, StatusCode::OK);
    assert_eq!(t.sb.calls("youtube.analytics_reports"), 7);
}
