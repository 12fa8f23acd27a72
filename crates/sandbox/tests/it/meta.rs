//! Facebook Login and graph.facebook.com.

use axum::http::StatusCode;
use herald_sandbox::Platform;
use serde_json::json;

use crate::helpers::*;

const SCOPES: &str = "pages_show_list,pages_read_engagement,pages_manage_posts,instagram_basic,instagram_content_publish";

#[tokio::test]
async fn consent_page_is_labelled_escaped_and_lists_scopes_and_pages() {
    let t = TestSandbox::new();
    let page = t
        .get(&t.meta_authorize(SCOPES, "<script>alert(1)</script>\"&x"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("Sandbox · Facebook Login"));
    assert!(!html.contains("<script>"), "state must be escaped");
    assert!(html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#38;x\""));
    assert!(!html.contains("style="), "no inline styles");
    assert!(!html.contains("<style"));
    assert!(html.contains(&format!("{BASE}/_static/sandbox.css")));
    assert!(html.contains(&format!(
        "action=\"{BASE}/www.facebook.com/v25.0/dialog/oauth\""
    )));
    assert!(html.contains("value=\"pages_manage_posts\" checked"));
    assert!(html.contains("Demo Bakery") && html.contains("Demo Studio"));
    assert!(html.contains(">Allow</button>") && html.contains(">Deny</button>"));
    let css = t.get("/_static/sandbox.css").await;
    assert_eq!(
        css.header("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
}

#[tokio::test]
async fn the_show_pages_button_renders_another_users_pages() {
    let t = TestSandbox::new();
    let page = t
        .get(&format!(
            "{}&sandbox_user=Alice",
            t.meta_authorize(SCOPES, "s")
        ))
        .await;
    let html = page.text();
    assert!(html.contains("Alice Bakery"));
    assert!(html.contains("value=\"alice\""));
    // Our own control fields are not carried as hidden OAuth parameters.
    assert!(!html.contains("type=\"hidden\" name=\"sandbox_user\""));
}

#[tokio::test]
async fn invalid_dialog_requests_get_an_error_page_not_a_redirect() {
    let t = TestSandbox::new();
    let bad_client = t
        .get(&format!(
            "/www.facebook.com/v25.0/dialog/oauth?{}",
            form(&[("client_id", "nope"), ("redirect_uri", REDIRECT)])
        ))
        .await;
    assert_eq!(bad_client.status, StatusCode::BAD_REQUEST);
    assert!(bad_client.text().contains("Invalid App ID"));
    assert!(bad_client.header("location").is_none());

    let app = t.sb.config().meta.client_id.clone();
    let no_redirect = t
        .get(&format!(
            "/www.facebook.com/v25.0/dialog/oauth?client_id={app}"
        ))
        .await;
    assert_eq!(no_redirect.status, StatusCode::BAD_REQUEST);

    let bad_type = t
        .get(
            &t.meta_authorize(SCOPES, "s")
                .replace("response_type=code", "response_type=token"),
        )
        .await;
    assert_eq!(bad_type.status, StatusCode::BAD_REQUEST);

    let bad_scope = t
        .get(&t.meta_authorize("pages_show_list,telepathy", "s"))
        .await;
    assert_eq!(bad_scope.status, StatusCode::BAD_REQUEST);
    assert!(bad_scope.text().contains("Invalid Scopes: telepathy"));
}

#[tokio::test]
async fn full_flow_issues_a_short_token_then_a_long_one() {
    let t = TestSandbox::new();
    let state = "st8 with spaces & ünïcode/?";
    let authorize = t.meta_authorize(SCOPES, state);
    let mut extra = vec![
        ("sandbox_user", "demo"),
        ("decision", "allow"),
        ("page", "0"),
        ("page", "1"),
    ];
    for s in SCOPES.split(',') {
        extra.push(("grant", s));
    }
    let redirect = t.consent(&authorize, &extra).await.location();
    assert!(redirect.starts_with("https://app.example/callback?from=sandbox&code=AQ"));
    let q = query_of(&redirect);
    assert_eq!(q["state"], state, "state comes back byte for byte");
    assert_eq!(q["from"], "sandbox");

    let app = t.sb.config().meta.clone();
    let exchange = |code: String| {
        format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ])
        )
    };
    let res = t.get(&exchange(q["code"].clone())).await;
    assert_eq!(res.status, StatusCode::OK);
    let body = res.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    let short = body["access_token"].as_str().unwrap().to_owned();
    assert!(short.starts_with("EAA"));
    assert_eq!(body.as_object().unwrap().len(), 3);

    // The code is single-use.
    let again = t.get(&exchange(q["code"].clone())).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let e = again.json();
    assert_eq!(e["error"]["code"], 100);
    assert_eq!(e["error"]["error_subcode"], 36009);
    assert_eq!(e["error"]["type"], "OAuthException");
    assert!(e["error"]["fbtrace_id"].is_string());

    let long = t.meta_long_lived(&short).await;
    assert_ne!(long, short);
    let res = t
        .get(&format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("grant_type", "fb_exchange_token"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("fb_exchange_token", &short),
            ])
        ))
        .await;
    assert_eq!(res.json()["expires_in"], 5_183_944);

    let me = t
        .get(&format!(
            "/graph.facebook.com/v24.0/me?fields=id,name,picture&access_token={long}"
        ))
        .await;
    assert_eq!(me.status, StatusCode::OK);
    let me = me.json();
    assert_eq!(me["name"], "Demo Sandbox");
    assert!(me["id"].as_str().unwrap().starts_with("100"));
    assert!(
        me["picture"]["data"]["url"]
            .as_str()
            .unwrap()
            .starts_with(BASE)
    );
    let default = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&long)])
        .await
        .json();
    assert_eq!(
        default.as_object().unwrap().len(),
        2,
        "default fields: name, id"
    );
}

#[tokio::test]
async fn redirect_uri_must_match_and_secrets_are_checked() {
    let t = TestSandbox::new();
    let authorize = t.meta_authorize(SCOPES, "s");
    let redirect = t
        .consent(
            &authorize,
            &[("decision", "allow"), ("grant", "pages_show_list")],
        )
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let app = t.sb.config().meta.clone();
    let res = t
        .get(&format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("client_id", &app.client_id),
                ("client_secret", "wrong"),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ])
        ))
        .await;
    assert_eq!(
        res.json()["error"]["message"],
        "Error validating client secret."
    );
    let res = t
        .get(&format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("redirect_uri", "https://app.example/callback"),
                ("code", &code),
            ])
        ))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let e = res.json();
    assert_eq!(e["error"]["error_subcode"], 36008);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("redirect_uri is identical")
    );
}

#[tokio::test]
async fn deny_redirects_with_metas_error_parameters() {
    let t = TestSandbox::new();
    let redirect = t
        .consent(&t.meta_authorize(SCOPES, "abc"), &[("decision", "deny")])
        .await
        .location();
    assert_eq!(
        redirect,
        "https://app.example/callback?from=sandbox&error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state=abc"
    );
}

#[tokio::test]
async fn short_tokens_expire_after_an_hour_with_subcode_463() {
    let t = TestSandbox::new();
    let short = t.meta_login("demo", SCOPES, &["0"]).await;
    t.advance(3599);
    let ok = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&short)])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    t.advance(1);
    let res = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&short)])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let e = res.json();
    assert_eq!(e["error"]["code"], 190);
    assert_eq!(e["error"]["error_subcode"], 463);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Error validating access token: Session has expired on")
    );
    // An expired token cannot be exchanged either.
    let app = t.sb.config().meta.clone();
    let res = t
        .get(&format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("grant_type", "fb_exchange_token"),
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("fb_exchange_token", &short),
            ])
        ))
        .await;
    assert_eq!(res.json()["error"]["error_subcode"], 463);
}

#[tokio::test]
async fn me_accounts_lists_granted_pages_with_page_tokens_and_instagram_ids() {
    let t = TestSandbox::new();
    let long = t
        .meta_long_lived(&t.meta_login("demo", SCOPES, &["0", "1"]).await)
        .await;
    let res = t
        .get(&format!(
            "/graph.facebook.com/v25.0/me/accounts?fields=id,name,access_token,category,tasks,instagram_business_account&limit=100&access_token={long}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let usage = res.header_json("x-app-usage");
    assert!(
        usage["call_count"].is_u64()
            && usage["total_cputime"].is_u64()
            && usage["total_time"].is_u64()
    );
    let body = res.json();
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["name"], "Demo Bakery");
    assert_eq!(data[1]["name"], "Demo Studio");
    assert_eq!(data[0]["category"], "Bakery");
    assert!(data[0]["id"].is_string());
    assert!(
        data[0]["tasks"]
            .as_array()
            .unwrap()
            .contains(&json!("CREATE_CONTENT"))
    );
    let ig_id = data[0]["instagram_business_account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(ig_id.starts_with("17841"));
    assert!(body["paging"]["cursors"]["after"].is_string());
    assert!(body["paging"].get("next").is_none());

    // Page tokens are stable, never expire and read the Page and its IG account.
    let page_token = data[0]["access_token"].as_str().unwrap().to_owned();
    let again = t
        .get(&format!(
            "/graph.facebook.com/v25.0/me/accounts?access_token={long}"
        ))
        .await
        .json();
    assert_eq!(again["data"][0]["access_token"], page_token.as_str());
    assert!(again["data"][0].get("instagram_business_account").is_none());
    t.advance(5_183_944 + 10);
    let page_id = data[0]["id"].as_str().unwrap();
    let page = t
        .get_with(
            &format!(
                "/graph.facebook.com/v25.0/{page_id}?fields=id,name,instagram_business_account"
            ),
            &[bearer(&page_token)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert_eq!(
        page.json()["instagram_business_account"]["id"],
        ig_id.as_str()
    );
    let buc = page.header_json("x-business-use-case-usage");
    let entry = &buc[page_id][0];
    assert_eq!(entry["type"], "pages");
    assert!(entry["estimated_time_to_regain_access"].is_u64());

    let ig = t
        .get_with(
            &format!(
                "/graph.facebook.com/v25.0/{ig_id}?fields=id,username,name,profile_picture_url,followers_count,media_count"
            ),
            &[bearer(&page_token)],
        )
        .await;
    assert_eq!(ig.status, StatusCode::OK);
    let ig_body = ig.json();
    assert_eq!(ig_body["username"], "demo.bakery");
    assert_eq!(ig_body["name"], "Demo Bakery");
    assert!(ig_body["followers_count"].is_u64());
    assert!(
        ig_body["profile_picture_url"]
            .as_str()
            .unwrap()
            .starts_with(BASE)
    );
    assert_eq!(
        ig.header_json("x-business-use-case-usage")[&ig_id][0]["type"],
        "instagram"
    );

    // The long-lived user token itself has expired by now.
    let expired = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&long)])
        .await;
    assert_eq!(expired.json()["error"]["error_subcode"], 463);

    // debug_token: Page tokens never expire.
    let app = t.sb.config().meta.clone();
    let debug = t
        .get(&format!(
            "/graph.facebook.com/v25.0/debug_token?{}",
            form(&[
                ("input_token", &page_token),
                (
                    "access_token",
                    &format!("{}|{}", app.client_id, app.client_secret)
                ),
            ])
        ))
        .await
        .json();
    assert_eq!(debug["data"]["is_valid"], true);
    assert_eq!(debug["data"]["expires_at"], 0);
    assert_eq!(debug["data"]["type"], "PAGE");
    assert_eq!(debug["data"]["profile_id"], page_id);
}

#[tokio::test]
async fn unchecking_every_page_leaves_me_accounts_empty() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", SCOPES, &[]).await;
    let res = t
        .get_with("/graph.facebook.com/v25.0/me/accounts", &[bearer(&token)])
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), json!({"data": []}));
}

#[tokio::test]
async fn paging_through_me_accounts_follows_next_links() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", SCOPES, &["0", "1"]).await;
    let first = t
        .get_with(
            "/graph.facebook.com/v25.0/me/accounts?fields=id,name&limit=1",
            &[bearer(&token)],
        )
        .await
        .json();
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let next = first["paging"]["next"].as_str().unwrap();
    let path = next.strip_prefix(BASE).unwrap();
    let second = t.get(path).await.json();
    assert_eq!(second["data"][0]["name"], "Demo Studio");
    assert!(second["paging"].get("next").is_none());
}

#[tokio::test]
async fn partial_scopes_show_in_permissions_and_gate_me_accounts() {
    let t = TestSandbox::new();
    let authorize = t.meta_authorize(SCOPES, "s");
    let redirect = t
        .consent(
            &authorize,
            &[
                ("decision", "allow"),
                ("grant", "pages_manage_posts"),
                ("page", "0"),
            ],
        )
        .await
        .location();
    let code = query_of(&redirect)["code"].clone();
    let app = t.sb.config().meta.clone();
    let token = t
        .get(&format!(
            "/graph.facebook.com/v25.0/oauth/access_token?{}",
            form(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ])
        ))
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let perms = t
        .get_with(
            "/graph.facebook.com/v25.0/me/permissions",
            &[bearer(&token)],
        )
        .await
        .json();
    let data = perms["data"].as_array().unwrap();
    assert!(data.contains(&json!({"permission": "public_profile", "status": "granted"})));
    assert!(data.contains(&json!({"permission": "pages_manage_posts", "status": "granted"})));
    assert!(data.contains(&json!({"permission": "pages_show_list", "status": "declined"})));

    let res = t
        .get_with("/graph.facebook.com/v25.0/me/accounts", &[bearer(&token)])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], 200);
}

#[tokio::test]
async fn unknown_fields_and_objects_get_graph_errors() {
    let t = TestSandbox::new();
    let both = t.meta_login("demo", SCOPES, &["0", "1"]).await;
    let accounts = t
        .get_with(
            "/graph.facebook.com/v25.0/me/accounts?fields=id",
            &[bearer(&both)],
        )
        .await
        .json();
    let studio = accounts["data"][1]["id"].as_str().unwrap().to_owned();
    // A new consent keeping only the Bakery replaces the Page selection.
    let token = t.meta_login("demo", SCOPES, &["0"]).await;
    let res = t
        .get_with(
            "/graph.facebook.com/v25.0/me?fields=id,shoe_size",
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.json()["error"]["code"], 100);
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("(shoe_size)")
    );

    // The Studio Page is no longer granted.
    let res = t
        .get_with(
            &format!("/graph.facebook.com/v25.0/{studio}"),
            &[bearer(&token)],
        )
        .await;
    let e = res.json();
    assert_eq!(e["error"]["code"], 100);
    assert_eq!(e["error"]["error_subcode"], 33);

    let res = t.get("/graph.facebook.com/v25.0/me").await;
    assert_eq!(res.json()["error"]["code"], 2500);
    let res = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer("EAAnotatoken")])
        .await;
    assert_eq!(res.json()["error"]["code"], 190);
    assert!(res.json()["error"].get("error_subcode").is_none());
}

#[tokio::test]
async fn appsecret_proof_is_verified_when_sent() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", SCOPES, &["0"]).await;
    let res = t
        .get_with(
            "/graph.facebook.com/v25.0/me?appsecret_proof=00",
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.json()["error"]["code"], 100);
}

#[tokio::test]
async fn deleting_permissions_revokes_user_and_page_tokens() {
    let t = TestSandbox::new();
    let long = t
        .meta_long_lived(&t.meta_login("demo", SCOPES, &["0"]).await)
        .await;
    let accounts = t
        .get_with("/graph.facebook.com/v25.0/me/accounts", &[bearer(&long)])
        .await
        .json();
    let page_token = accounts["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = t
        .request(
            axum::http::Method::DELETE,
            "/graph.facebook.com/v25.0/me/permissions",
            &[bearer(&long)],
            axum::body::Body::empty(),
        )
        .await;
    assert_eq!(res.json(), json!({"success": true}));
    for token in [&long, &page_token] {
        let e = t
            .get_with("/graph.facebook.com/v25.0/me", &[bearer(token)])
            .await
            .json();
        assert_eq!(e["error"]["code"], 190);
        assert_eq!(e["error"]["error_subcode"], 458);
    }
}

#[tokio::test]
async fn revoke_user_kills_every_meta_token_of_that_user_only() {
    let t = TestSandbox::new();
    let demo = t.meta_login("demo", SCOPES, &["0"]).await;
    let alice = t.meta_login("alice", SCOPES, &["0"]).await;
    t.sb.revoke_user(Platform::Meta, "Demo");
    let e = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&demo)])
        .await
        .json();
    assert_eq!(e["error"]["error_subcode"], 458);
    let ok = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&alice)])
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.json()["name"], "Alice Sandbox");
}

#[tokio::test]
async fn debug_token_describes_user_tokens() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", SCOPES, &["0", "1"]).await;
    let app = t.sb.config().meta.clone();
    let app_token = format!("{}|{}", app.client_id, app.client_secret);
    let body = t
        .get(&format!(
            "/graph.facebook.com/v25.0/debug_token?{}",
            form(&[("input_token", &token), ("access_token", &app_token)])
        ))
        .await
        .json();
    let d = &body["data"];
    assert_eq!(d["is_valid"], true);
    assert_eq!(d["type"], "USER");
    assert_eq!(d["app_id"], app.client_id.as_str());
    assert_eq!(
        d["expires_at"].as_i64().unwrap() - d["issued_at"].as_i64().unwrap(),
        3600
    );
    assert!(
        d["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("pages_show_list"))
    );
    let granular = d["granular_scopes"].as_array().unwrap();
    let pages = granular
        .iter()
        .find(|g| g["scope"] == "pages_show_list")
        .unwrap();
    assert_eq!(pages["target_ids"].as_array().unwrap().len(), 2);

    let bogus = t
        .get(&format!(
            "/graph.facebook.com/v25.0/debug_token?{}",
            form(&[("input_token", "EAAbogus"), ("access_token", &app_token)])
        ))
        .await
        .json();
    assert_eq!(bogus["data"]["is_valid"], false);
    assert_eq!(bogus["data"]["error"]["code"], 190);
}

#[tokio::test]
async fn app_usage_reaches_100_percent_and_throttles_with_code_4() {
    let t = TestSandbox::with(|c| c.limits.meta_app_calls_per_hour = 4);
    let token = t.meta_login("demo", SCOPES, &["0"]).await; // 1 Graph call (code exchange)
    let first = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
        .await;
    assert_eq!(first.header_json("x-app-usage")["call_count"], 50);
    t.get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
        .await;
    let throttled = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
        .await;
    assert_eq!(throttled.status, StatusCode::BAD_REQUEST);
    assert_eq!(throttled.json()["error"]["code"], 4);
    assert_eq!(throttled.json()["error"]["is_transient"], true);
    assert!(
        throttled.header_json("x-app-usage")["call_count"]
            .as_u64()
            .unwrap()
            >= 100
    );
    // The budget is a rolling hour: an hour later the (now expired) token
    // is refused for what it is, not throttled.
    t.advance(3601);
    let later = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
        .await;
    assert_eq!(later.json()["error"]["code"], 190);
    assert_eq!(later.header_json("x-app-usage")["call_count"], 25);
}

#[tokio::test]
async fn instagram_business_use_case_budget_throttles_with_80002() {
    let t = TestSandbox::with(|c| c.limits.meta_buc_calls_per_hour = 2);
    let token = t.meta_login("demo", SCOPES, &["0"]).await;
    let accounts = t
        .get_with(
            "/graph.facebook.com/v25.0/me/accounts?fields=instagram_business_account",
            &[bearer(&token)],
        )
        .await
        .json();
    let ig = accounts["data"][0]["instagram_business_account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/graph.facebook.com/v25.0/{ig}?fields=username");
    assert_eq!(
        t.get_with(&path, &[bearer(&token)]).await.status,
        StatusCode::OK
    );
    let res = t.get_with(&path, &[bearer(&token)]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"]["code"], 80002);
    let buc = res.header_json("x-business-use-case-usage");
    assert!(buc[&ig][0]["call_count"].as_u64().unwrap() >= 100);
    assert!(
        buc[&ig][0]["estimated_time_to_regain_access"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn long_expired_tokens_still_answer_expired_after_other_activity() {
    let t = TestSandbox::new();
    let long = t
        .meta_long_lived(&t.meta_login("demo", SCOPES, &["0"]).await)
        .await;
    t.advance(90 * 86_400);
    // Another login writes the state (and prunes it).
    t.meta_login("alice", SCOPES, &["0"]).await;
    let e = t
        .get_with("/graph.facebook.com/v25.0/me", &[bearer(&long)])
        .await
        .json();
    assert_eq!(e["error"]["error_subcode"], 463);
}
