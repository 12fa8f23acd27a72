//! Webhook subscriptions as Graph answers them: `subscribed_apps` on a
//! Page (its token, `pages_manage_metadata`, `pages_messaging` for
//! messaging fields) and on an Instagram Login account (`/me`, the scope
//! of each field), with GET, POST and DELETE.

use axum::body::Body;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::meta_publish::{FB, FB_SCOPES, IG, bakery, get, instagram_login_with, ok, post};

fn graph_error(res: &Resp) -> Value {
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.text());
    let error = res.json()["error"].clone();
    assert!(error["fbtrace_id"].is_string(), "{error}");
    error
}

async fn delete(t: &TestSandbox, path: &str, token: &str) -> Resp {
    t.request(
        Method::DELETE,
        &format!("{path}?access_token={token}"),
        &[],
        Body::empty(),
    )
    .await
}

#[tokio::test]
async fn a_page_subscribes_with_its_token_and_reads_its_fields_back() {
    let t = TestSandbox::new();
    let b = bakery(
        &t,
        &format!("{FB_SCOPES},pages_manage_metadata,pages_messaging"),
    )
    .await;
    let edge = format!("{FB}/{}/subscribed_apps", b.page);
    let app_id = t.sb.config().meta.client_id.clone();

    assert_eq!(
        ok(&get(&t, &edge, &b.page_token).await),
        json!({"data": []})
    );
    let res = post(
        &t,
        &edge,
        &b.page_token,
        &[("subscribed_fields", "feed,messages")],
    )
    .await;
    assert_eq!(ok(&res), json!({"success": true}));
    let listed = ok(&get(&t, &edge, &b.page_token).await);
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{listed}");
    assert_eq!(data[0]["id"], app_id.as_str());
    assert_eq!(data[0]["subscribed_fields"], json!(["feed", "messages"]));
    for key in ["name", "category", "link"] {
        assert!(data[0][key].is_string(), "{key}: {listed}");
    }

    // Again with other fields: the set is replaced. `me` with the Page
    // token is the Page.
    ok(&post(
        &t,
        &format!("{FB}/me/subscribed_apps"),
        &b.page_token,
        &[("subscribed_fields", "feed")],
    )
    .await);
    let listed = ok(&get(&t, &edge, &b.page_token).await);
    assert_eq!(listed["data"][0]["subscribed_fields"], json!(["feed"]));

    assert_eq!(
        ok(&delete(&t, &edge, &b.page_token).await),
        json!({"success": true})
    );
    assert_eq!(
        ok(&get(&t, &edge, &b.page_token).await),
        json!({"data": []})
    );
    assert_eq!(t.sb.calls("meta.subscribed_apps"), 7);
}

#[tokio::test]
async fn subscribing_takes_pages_manage_metadata_a_page_token_and_known_fields() {
    let t = TestSandbox::new();
    // Publishing's permissions only.
    let b = bakery(&t, FB_SCOPES).await;
    let edge = format!("{FB}/{}/subscribed_apps", b.page);
    let error =
        graph_error(&post(&t, &edge, &b.page_token, &[("subscribed_fields", "feed")]).await);
    assert_eq!(error["code"], 200);
    assert_eq!(error["type"], "OAuthException");
    assert_eq!(
        error["message"],
        "(#200) Requires pages_manage_metadata permission to manage the object"
    );
    assert_eq!(
        graph_error(&get(&t, &edge, &b.page_token).await)["code"],
        200
    );

    let b = bakery(&t, &format!("{FB_SCOPES},pages_manage_metadata")).await;
    let edge = format!("{FB}/{}/subscribed_apps", b.page);
    // Messaging fields take pages_messaging too.
    let error = graph_error(
        &post(
            &t,
            &edge,
            &b.page_token,
            &[("subscribed_fields", "feed,messages")],
        )
        .await,
    );
    assert_eq!(error["code"], 200);
    assert_eq!(
        error["message"],
        "(#200) To subscribe to the messages field, one of these permissions is needed: pages_messaging"
    );
    // The person's own token is not the Page's.
    let error =
        graph_error(&post(&t, &edge, &b.user_token, &[("subscribed_fields", "feed")]).await);
    assert_eq!(error["code"], 210);
    // No fields, or a field Graph does not have.
    let error = graph_error(&post(&t, &edge, &b.page_token, &[]).await);
    assert_eq!(error["code"], 100);
    let error = graph_error(
        &post(
            &t,
            &edge,
            &b.page_token,
            &[("subscribed_fields", "feed,nonsense")],
        )
        .await,
    );
    assert_eq!(error["code"], 100);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("subscribed_fields[1]"),
        "{error}"
    );
    // Nothing of that was kept.
    assert_eq!(
        ok(&get(&t, &edge, &b.page_token).await),
        json!({"data": []})
    );
    // Another person's Page is not visible to this token.
    let other = bakery_of(&t, "zoe").await;
    let error = graph_error(
        &post(
            &t,
            &format!("{FB}/{other}/subscribed_apps"),
            &b.page_token,
            &[("subscribed_fields", "feed")],
        )
        .await,
    );
    assert_eq!(
        (error["code"].clone(), error["error_subcode"].clone()),
        (json!(100), json!(33))
    );
}

/// The id of `user`'s first Page.
async fn bakery_of(t: &TestSandbox, user: &str) -> String {
    let token = t.meta_login(user, "pages_show_list", &["0"]).await;
    let accounts = ok(&get(t, &format!("{FB}/me/accounts?fields=id"), &token).await);
    accounts["data"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_instagram_login_account_subscribes_the_fields_its_scopes_cover() {
    let t = TestSandbox::new();
    let (token, ig) = instagram_login_with(&t, &["instagram_business_manage_comments"]).await;
    let edge = format!("{IG}/me/subscribed_apps");
    let res = post(
        &t,
        &edge,
        &token,
        &[("subscribed_fields", "comments,live_comments,mentions")],
    )
    .await;
    assert_eq!(ok(&res), json!({"success": true}));
    let listed = ok(&get(&t, &format!("{IG}/{ig}/subscribed_apps"), &token).await);
    assert_eq!(
        listed["data"][0]["subscribed_fields"],
        json!(["comments", "live_comments", "mentions"])
    );
    assert_eq!(
        listed["data"][0]["id"],
        t.sb.config().instagram.client_id.as_str()
    );
    let error = graph_error(&post(&t, &edge, &token, &[("subscribed_fields", "messages")]).await);
    assert_eq!(error["code"], 200);
    assert_eq!(
        error["message"],
        "(#200) To subscribe to the messages field, one of these permissions is needed: instagram_business_manage_messages"
    );
    assert_eq!(
        ok(&delete(&t, &edge, &token).await),
        json!({"success": true})
    );
    assert_eq!(ok(&get(&t, &edge, &token).await), json!({"data": []}));
}
