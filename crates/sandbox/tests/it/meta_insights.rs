//! Meta insights: Instagram account and media insights on both Graph
//! hosts, Page and post insights, the listings they cover (the seeded
//! history and what was published), their errors, meters and faults.

use axum::http::StatusCode;
use herald_sandbox::{FaultKind, MetaSurface};
use jiff::civil::Date;
use serde_json::Value;

use crate::helpers::*;
use crate::meta_publish::{
    Bakery, FB, FB_SCOPES, IG, Media, bakery, get, instagram_login_with, ok, publish, ready,
};

/// Facebook Login scopes with the insights permissions.
fn insights_scopes() -> String {
    format!("{FB_SCOPES},instagram_manage_insights,read_insights")
}

async fn bakery_with_insights(t: &TestSandbox) -> Bakery {
    bakery(t, &insights_scopes()).await
}

/// Unix seconds of midnight UTC starting `date`.
fn midnight(date: Date) -> i64 {
    date.to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second()
}

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

#[track_caller]
fn graph_error(res: &Resp) -> (i64, Option<i64>, String) {
    let e = &res.json()["error"];
    assert!(e.is_object(), "expected an error: {}", res.text());
    (
        e["code"].as_i64().unwrap(),
        e["error_subcode"].as_i64(),
        e["message"].as_str().unwrap().to_owned(),
    )
}

/// `name` → `total_value.value` (or the breakdown's results) of an answer.
fn totals(body: &Value) -> Vec<(String, Value)> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["total_value"].clone(),
            )
        })
        .collect()
}

const TOTALS: &str = "views,reach,accounts_engaged,total_interactions,likes,comments,shares,saves,replies,profile_links_taps";

async fn account_day(t: &TestSandbox, base: &str, ig: &str, token: &str, date: Date) -> Resp {
    let since = midnight(date);
    get(
        t,
        &format!(
            "{base}/{ig}/insights?metric={TOTALS}&period=day&metric_type=total_value&since={since}&until={}",
            since + 86_400
        ),
        token,
    )
    .await
}

#[tokio::test]
async fn instagram_account_days_match_the_model_and_do_not_change_when_read_again() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let date = day("2025-12-20");
    let first = ok(&account_day(&t, FB, &b.ig, &b.page_token, date).await);
    let expected = t.sb.meta_account_day(MetaSurface::Instagram, &b.ig, date);
    for (name, total) in totals(&first) {
        assert_eq!(total["value"].as_i64(), Some(expected[&name]), "{name}");
    }
    assert_eq!(first["data"].as_array().unwrap().len(), 10);
    assert_eq!(first["data"][0]["period"], "day");
    assert_eq!(
        first["data"][0]["id"],
        format!("{}/insights/views/day", b.ig).as_str()
    );
    // Later the same day, and days later: the same figures.
    t.advance(6 * 3600);
    let again = ok(&account_day(&t, FB, &b.ig, &b.page_token, date).await);
    assert_eq!(totals(&first), totals(&again));
    t.advance(5 * 86_400);
    let later = ok(&account_day(&t, FB, &b.ig, &b.page_token, date).await);
    assert_eq!(totals(&first), totals(&later));
    // Interactions add up.
    let v = |n: &str| expected[n];
    assert_eq!(
        v("total_interactions"),
        v("likes") + v("comments") + v("shares") + v("saves") + v("replies")
    );
}

#[tokio::test]
async fn today_is_not_reported_and_yesterday_only_in_part() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    t.advance(12 * 3600); // 2026-01-01T12:00Z
    let today = ok(&account_day(&t, FB, &b.ig, &b.page_token, day("2026-01-01")).await);
    assert_eq!(today["data"], serde_json::json!([]));
    let partial = ok(&account_day(&t, FB, &b.ig, &b.page_token, day("2025-12-31")).await);
    t.advance(2 * 86_400);
    let whole = ok(&account_day(&t, FB, &b.ig, &b.page_token, day("2025-12-31")).await);
    let views = |body: &Value| body["data"][0]["total_value"]["value"].as_i64().unwrap();
    assert!(views(&partial) < views(&whole), "{partial} vs {whole}");
    assert!(views(&partial) > 0);
}

#[tokio::test]
async fn a_window_counts_reach_once_and_follows_by_breakdown() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let since = midnight(day("2025-12-01"));
    let until = midnight(day("2025-12-08"));
    let week = ok(&get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=views,reach&period=day&metric_type=total_value&since={since}&until={until}",
            b.ig
        ),
        &b.page_token,
    )
    .await);
    let days: Vec<_> = (1..=7)
        .map(|d| {
            t.sb.meta_account_day(
                MetaSurface::Instagram,
                &b.ig,
                day(&format!("2025-12-{d:02}")),
            )
        })
        .collect();
    let sum = |n: &str| days.iter().map(|d| d[n]).sum::<i64>();
    assert_eq!(
        week["data"][0]["total_value"]["value"].as_i64(),
        Some(sum("views"))
    );
    let reach = week["data"][1]["total_value"]["value"].as_i64().unwrap();
    assert!(reach < sum("reach") && reach > sum("reach") / 3, "{reach}");

    let follows = ok(&get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=follows_and_unfollows&period=day&metric_type=total_value&breakdown=follow_type&since={since}&until={until}",
            b.ig
        ),
        &b.page_token,
    )
    .await);
    let results = &follows["data"][0]["total_value"]["breakdowns"][0]["results"];
    assert_eq!(results[0]["dimension_values"][0], "FOLLOWER");
    assert_eq!(
        results[0]["value"].as_i64(),
        Some(sum("follows_and_unfollows:FOLLOWER"))
    );
    assert_eq!(results[1]["dimension_values"][0], "NON_FOLLOWER");
    assert_eq!(
        results[1]["value"].as_i64(),
        Some(sum("follows_and_unfollows:NON_FOLLOWER"))
    );
}

#[tokio::test]
async fn time_series_give_reach_and_new_followers_of_the_last_30_days() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let since = midnight(day("2025-12-10"));
    let until = midnight(day("2025-12-13"));
    let series = ok(&get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=reach,follower_count&period=day&since={since}&until={until}",
            b.ig
        ),
        &b.page_token,
    )
    .await);
    let follower_count = &series["data"][1];
    assert_eq!(follower_count["name"], "follower_count");
    let values = follower_count["values"].as_array().unwrap();
    assert_eq!(values.len(), 3);
    assert_eq!(values[0]["end_time"], "2025-12-10T07:00:00+0000");
    let expected =
        t.sb.meta_account_day(MetaSurface::Instagram, &b.ig, day("2025-12-10"));
    assert_eq!(
        values[0]["value"].as_i64(),
        Some(expected["follower_count"])
    );
    assert_eq!(
        series["data"][0]["values"][2]["value"].as_i64(),
        Some(t.sb.meta_account_day(MetaSurface::Instagram, &b.ig, day("2025-12-12"))["reach"])
    );
    // Older than 30 days: reach only.
    let old = midnight(day("2025-10-01"));
    let older = ok(&get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=reach,follower_count&period=day&since={old}&until={}",
            b.ig,
            old + 86_400
        ),
        &b.page_token,
    )
    .await);
    assert_eq!(older["data"].as_array().unwrap().len(), 1);
    assert_eq!(older["data"][0]["name"], "reach");
}

#[tokio::test]
async fn account_insight_requests_are_checked_like_graph_checks_them() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let since = midnight(day("2025-12-01"));
    let ask = |query: String| {
        let path = format!("{FB}/{}/insights?{query}", b.ig);
        let token = b.page_token.clone();
        let t = &t;
        async move { get(t, &path, &token).await }
    };
    let res = ask(format!(
        "metric=impressions,reach&period=day&metric_type=total_value&since={since}&until={}",
        since + 86_400
    ))
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let (code, _, message) = graph_error(&res);
    assert_eq!(code, 100);
    assert!(
        message.contains("impressions metric is no longer supported"),
        "{message}"
    );

    let (code, _, message) = graph_error(
        &ask("metric=reach,website_clicks&period=day&metric_type=total_value".into()).await,
    );
    assert_eq!(code, 100);
    assert!(
        message.starts_with("(#100) metric[1] must be one of the following values: views, reach"),
        "{message}"
    );

    let (_, _, message) = graph_error(&ask("metric=views,likes&period=day".into()).await);
    assert_eq!(
        message,
        "(#100) The following metrics (views,likes) should be specified with parameter metric_type=total_value"
    );

    let (code, _, message) = graph_error(
        &ask(format!(
            "metric=views&period=day&metric_type=total_value&since={since}&until={}",
            since + 31 * 86_400
        ))
        .await,
    );
    assert_eq!(code, 100);
    assert!(message.contains("more than 30 days"), "{message}");

    let (code, _, _) = graph_error(
        &ask(format!(
            "metric=views&period=day&metric_type=total_value&since={}&until={since}",
            since + 86_400
        ))
        .await,
    );
    assert_eq!(code, 100);

    let (code, _, _) =
        graph_error(&ask("metric=follower_count&period=day&metric_type=total_value".into()).await);
    assert_eq!(code, 100);
    let (code, _, _) = graph_error(&ask("period=day".into()).await);
    assert_eq!(code, 100);

    // Without instagram_manage_insights: (#10).
    let plain = bakery(&t, FB_SCOPES).await;
    let res = get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=views&period=day&metric_type=total_value",
            plain.ig
        ),
        &plain.page_token,
    )
    .await;
    assert_eq!(graph_error(&res).0, 10);
}

#[tokio::test]
async fn instagram_login_reads_the_same_figures_on_graph_instagram_com() {
    let t = TestSandbox::new();
    let (token, ig) = instagram_login_with(&t, &["instagram_business_manage_insights"]).await;
    let date = day("2025-12-24");
    let body = ok(&account_day(&t, IG, "me", &token, date).await);
    let expected = t.sb.meta_account_day(MetaSurface::Instagram, &ig, date);
    assert_eq!(
        body["data"][0]["total_value"]["value"].as_i64(),
        Some(expected["views"])
    );
    assert_eq!(
        body["data"][0]["id"],
        format!("{ig}/insights/views/day").as_str()
    );
    // Without the insights scope: (#10).
    let t2 = TestSandbox::new();
    let (token, _) = instagram_login_with(&t2, &[]).await;
    let res = account_day(&t2, IG, "me", &token, date).await;
    assert_eq!(graph_error(&res).0, 10);
}

#[tokio::test]
async fn the_media_list_pages_through_the_seeded_history() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let expected = t.sb.meta_posts(MetaSurface::Instagram, &b.ig);
    assert!(expected.len() > 200, "{}", expected.len());
    let mut listed = Vec::new();
    let mut next = Some(format!(
        "{FB}/{}/media?fields=id,timestamp,media_type,media_product_type,permalink,caption,like_count&limit=100",
        b.ig
    ));
    while let Some(path) = next.take() {
        let page = ok(&get(&t, &path, &b.page_token).await);
        for m in page["data"].as_array().unwrap() {
            listed.push(m["id"].as_str().unwrap().to_owned());
            assert!(
                m["permalink"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://www.instagram.com/")
            );
            assert!(m["like_count"].as_i64().unwrap() > 0);
        }
        next = page["paging"]["next"]
            .as_str()
            .map(|n| n.strip_prefix(BASE).unwrap().to_owned());
    }
    assert_eq!(
        listed,
        expected.iter().map(|p| p.id.clone()).collect::<Vec<_>>()
    );
    // Newest first, none from today or the future.
    let first = &expected[0];
    assert!(first.published_at < t.clock_now());
    assert!(
        expected
            .windows(2)
            .all(|w| w[0].published_at > w[1].published_at)
    );
}

#[tokio::test]
async fn media_insights_follow_the_rules_of_each_product_type() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let posts = t.sb.meta_posts(MetaSurface::Instagram, &b.ig);
    let image = posts.iter().find(|p| p.kind == "image").unwrap();
    let reel = posts.iter().find(|p| p.kind == "reel").unwrap();
    let insights = |id: &str, metrics: &str| {
        let path = format!("{FB}/{id}/insights?metric={metrics}");
        let token = b.page_token.clone();
        let t = &t;
        async move { get(t, &path, &token).await }
    };
    let body = ok(&insights(&image.id, "views,reach,likes,comments,shares,saved,total_interactions,follows,profile_visits,profile_activity").await);
    let expected =
        t.sb.meta_post_insights(MetaSurface::Instagram, &b.ig, &image.id)
            .unwrap();
    for m in body["data"].as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        assert_eq!(m["period"], "lifetime");
        assert_eq!(
            m["values"][0]["value"].as_i64(),
            Some(expected[name]),
            "{name}"
        );
    }
    // A reels metric on a feed image, a retired metric, an unknown one.
    let (code, _, message) =
        graph_error(&insights(&image.id, "reach,ig_reels_avg_watch_time").await);
    assert_eq!(code, 100);
    assert_eq!(
        message,
        "(#100) The Media Insights API does not support the ig_reels_avg_watch_time metric for this media product type."
    );
    let (code, _, message) = graph_error(&insights(&reel.id, "reach,plays").await);
    assert_eq!(code, 100);
    assert!(
        message.starts_with("(#100) metric[1] must be one of the following values: views, reach"),
        "{message}"
    );
    let (_, _, message) = graph_error(&insights(&reel.id, "impressions").await);
    assert!(
        message.starts_with("(#100) metric[0] must be one of"),
        "{message}"
    );
    // Reels report watch time in milliseconds.
    let body = ok(&insights(
        &reel.id,
        "views,ig_reels_video_view_total_time,ig_reels_avg_watch_time",
    )
    .await);
    let views = body["data"][0]["values"][0]["value"].as_i64().unwrap();
    let total = body["data"][1]["values"][0]["value"].as_i64().unwrap();
    let average = body["data"][2]["values"][0]["value"].as_i64().unwrap();
    assert_eq!(average, total / views);
    assert!((3_000..=15_000).contains(&average), "{average}");
    // Figures grow with the post's age, then stop.
    t.advance(3 * 86_400);
    let later = ok(&insights(&image.id, "views").await);
    assert!(later["data"][0]["values"][0]["value"].as_i64() >= Some(expected["views"]));
    // Someone else's media id: not found.
    let res = insights("17970000000000000", "views").await;
    assert_eq!(graph_error(&res).1, Some(33));
}

#[tokio::test]
async fn published_media_get_insights_and_add_to_their_accounts_day() {
    let t = TestSandbox::new();
    let media = Media::start().await;
    let b = bakery_with_insights(&t).await;
    t.advance(10 * 3600);
    let day_before =
        t.sb.meta_account_day(MetaSurface::Instagram, &b.ig, day("2026-01-01"));
    assert!(day_before.is_empty(), "today is not reported yet");
    let c = ready(
        &t,
        FB,
        &b.ig,
        &b.page_token,
        &[
            ("image_url", &media.url("photo.jpg")),
            ("caption", "new bread"),
        ],
    )
    .await;
    let id = ok(&publish(&t, FB, &b.ig, &b.page_token, &c).await)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = ok(&get(
        &t,
        &format!("{FB}/{}/media?fields=id,caption&limit=1", b.ig),
        &b.page_token,
    )
    .await);
    assert_eq!(listed["data"][0]["id"], id.as_str());
    let first = ok(&get(
        &t,
        &format!("{FB}/{id}/insights?metric=views,likes"),
        &b.page_token,
    )
    .await);
    let views = first["data"][0]["values"][0]["value"].as_i64().unwrap();
    assert!(views > 0);
    // Three days later: the day it went up is reported, and the post's
    // first-day views are part of it.
    t.advance(3 * 86_400);
    let with_post =
        t.sb.meta_account_day(MetaSurface::Instagram, &b.ig, day("2026-01-01"));
    assert!(with_post["views"] >= views, "{with_post:?}");
    let body = ok(&account_day(&t, FB, &b.ig, &b.page_token, day("2026-01-01")).await);
    assert_eq!(
        body["data"][0]["total_value"]["value"].as_i64(),
        Some(with_post["views"])
    );
}

#[tokio::test]
async fn page_insights_are_daily_and_retired_metrics_fail_the_request() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let since = midnight(day("2025-11-01"));
    let until = midnight(day("2025-12-01"));
    let metrics = "page_media_view,page_total_media_view_unique,page_post_engagements,page_daily_follows,page_daily_unfollows_unique,page_follows";
    let body = ok(&get(
        &t,
        &format!(
            "{FB}/{}/insights?metric={metrics}&period=day&since={since}&until={until}",
            b.page
        ),
        &b.page_token,
    )
    .await);
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 6);
    let views = data[0]["values"].as_array().unwrap();
    assert_eq!(views.len(), 30);
    // The day of `since` comes first, its end_time the next morning.
    assert_eq!(views[0]["end_time"], "2025-11-02T07:00:00+0000");
    let expected =
        t.sb.meta_account_day(MetaSurface::Page, &b.page, day("2025-11-01"));
    for m in data {
        let name = m["name"].as_str().unwrap();
        assert_eq!(
            m["values"][0]["value"].as_i64(),
            Some(expected[name]),
            "{name}"
        );
    }
    // Followers move by each day's follows and unfollows.
    let follows = data[5]["values"].as_array().unwrap();
    let d = |i: usize, n: usize| data[n]["values"][i]["value"].as_i64().unwrap();
    assert_eq!(d(1, 5) - d(0, 5), d(1, 3) - d(1, 4));
    assert_eq!(follows.len(), 30);

    let retired = get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=page_media_view,page_impressions&period=day",
            b.page
        ),
        &b.page_token,
    )
    .await;
    assert_eq!(
        graph_error(&retired),
        (
            100,
            None,
            "(#100) The value must be a valid insights metric".into()
        )
    );
    let long = get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=page_media_view&period=day&since={}&until={until}",
            b.page,
            until - 94 * 86_400
        ),
        &b.page_token,
    )
    .await;
    assert_eq!(graph_error(&long).0, 1);
    // A user token is not enough: the Page's own token is required.
    let user = get(
        &t,
        &format!("{FB}/{}/insights?metric=page_media_view&period=day", b.page),
        &b.user_token,
    )
    .await;
    assert_eq!(graph_error(&user).0, 190);
    assert_eq!(graph_error(&user).1, Some(2069032));
    // Without read_insights: (#10).
    let plain = bakery(&t, FB_SCOPES).await;
    let res = get(
        &t,
        &format!(
            "{FB}/{}/insights?metric=page_media_view&period=day",
            plain.page
        ),
        &plain.page_token,
    )
    .await;
    assert_eq!(graph_error(&res).0, 10);
}

#[tokio::test]
async fn page_posts_are_listed_with_counts_and_have_lifetime_insights() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let page = ok(&get(
        &t,
        &format!(
            "{FB}/{}/published_posts?fields=id,created_time,message,permalink_url,status_type,shares,comments.summary(true).limit(0)&limit=5",
            b.page
        ),
        &b.page_token,
    )
    .await);
    let expected = t.sb.meta_posts(MetaSurface::Page, &b.page);
    let first = &page["data"][0];
    assert_eq!(first["id"], expected[0].id.as_str());
    assert!(
        first["comments"]["summary"]["total_count"]
            .as_i64()
            .is_some()
    );
    assert_eq!(first["comments"]["data"], serde_json::json!([]));
    assert!(page["paging"]["next"].is_string());
    assert_eq!(page["data"].as_array().unwrap().len(), 5);

    let id = expected[0].id.as_str();
    let body = ok(&get(
        &t,
        &format!("{FB}/{id}/insights?metric=post_total_media_view_unique,post_media_view,post_reactions_by_type_total,post_clicks"),
        &b.page_token,
    )
    .await);
    let values =
        t.sb.meta_post_insights(MetaSurface::Page, &b.page, id)
            .unwrap();
    assert_eq!(
        body["data"][0]["values"][0]["value"].as_i64(),
        Some(values["post_total_media_view_unique"])
    );
    assert_eq!(
        body["data"][2]["values"][0]["value"]["like"].as_i64(),
        Some(values["post_reactions_by_type_total:like"])
    );
    let retired = get(
        &t,
        &format!("{FB}/{id}/insights?metric=post_impressions_unique"),
        &b.page_token,
    )
    .await;
    assert_eq!(graph_error(&retired).0, 100);
}

#[tokio::test]
async fn insights_calls_take_faults_and_count_against_the_business_use_case() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    t.sb.inject(
        "instagram.user_insights",
        herald_sandbox::Fault::times(FaultKind::ServerError, 2),
    )
    .unwrap();
    let date = day("2025-12-20");
    for _ in 0..2 {
        let res = account_day(&t, FB, &b.ig, &b.page_token, date).await;
        assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(graph_error(&res).0, 2);
    }
    let res = account_day(&t, FB, &b.ig, &b.page_token, date).await;
    ok(&res);
    let usage = res.header_json("x-business-use-case-usage");
    assert_eq!(usage[&b.ig][0]["type"], "instagram");
    assert_eq!(t.sb.calls("instagram.user_insights"), 3);

    t.sb.inject(
        "facebook.page_insights",
        herald_sandbox::Fault::times(FaultKind::RateLimited, 1),
    )
    .unwrap();
    let res = get(
        &t,
        &format!("{FB}/{}/insights?metric=page_media_view&period=day", b.page),
        &b.page_token,
    )
    .await;
    assert_eq!(graph_error(&res).0, 32);
    let usage = res.header_json("x-business-use-case-usage");
    assert!(usage[&b.page][0]["call_count"].as_i64().unwrap() >= 100);

    t.sb.inject(
        "instagram.media_insights",
        herald_sandbox::Fault::times(FaultKind::RateLimited, 1),
    )
    .unwrap();
    let media = &t.sb.meta_posts(MetaSurface::Instagram, &b.ig)[0];
    let res = get(
        &t,
        &format!("{FB}/{}/insights?metric=views", media.id),
        &b.page_token,
    )
    .await;
    assert_eq!(graph_error(&res).0, 80002);
}

#[tokio::test]
async fn follower_counts_grow_day_by_day() {
    let t = TestSandbox::new();
    let b = bakery_with_insights(&t).await;
    let read = |path: String| {
        let token = b.page_token.clone();
        let t = &t;
        async move { ok(&get(t, &path, &token).await) }
    };
    let ig = read(format!("{FB}/{}?fields=followers_count,media_count", b.ig)).await;
    assert_eq!(
        ig["followers_count"].as_i64(),
        Some(t.sb.meta_followers(MetaSurface::Instagram, &b.ig))
    );
    assert_eq!(
        ig["media_count"].as_u64(),
        Some(t.sb.meta_posts(MetaSurface::Instagram, &b.ig).len() as u64)
    );
    let page = read(format!("{FB}/{}?fields=followers_count,fan_count", b.page)).await;
    let before = t.sb.meta_followers(MetaSurface::Page, &b.page);
    assert_eq!(page["followers_count"].as_i64(), Some(before));
    assert!(page["fan_count"].as_i64().unwrap() >= 100);
    t.advance(60 * 86_400);
    let after = read(format!("{FB}/{}?fields=followers_count", b.page)).await;
    assert!(after["followers_count"].as_i64().unwrap() > before);
}
