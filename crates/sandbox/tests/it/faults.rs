//! Injected faults render each platform's own error responses.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use herald_sandbox::{ENDPOINTS, Fault, FaultKind, SandboxError};

use crate::helpers::*;

const META_SCOPES: &str = "pages_show_list,instagram_basic";
const YT_READ: &str = "https://www.googleapis.com/auth/youtube.readonly";
const DRIVE_READ: &str = "https://www.googleapis.com/auth/drive.readonly";

const KINDS: [FaultKind; 6] = [
    FaultKind::RateLimited,
    FaultKind::ServerError,
    FaultKind::Slow { delay_ms: 30 },
    FaultKind::ExpiredToken,
    FaultKind::RevokedToken,
    FaultKind::MissingPermission,
];

#[test]
fn unknown_endpoints_are_refused() {
    let t = TestSandbox::new();
    let err =
        t.sb.inject("meta.nope", Fault::always(FaultKind::ServerError))
            .unwrap_err();
    assert!(matches!(err, SandboxError::UnknownEndpoint(ref id) if id == "meta.nope"));
    for id in ENDPOINTS {
        t.sb.inject(id, Fault::times(FaultKind::ServerError, 1))
            .unwrap();
    }
}

#[tokio::test]
async fn every_fault_kind_on_meta_me() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", META_SCOPES, &["0"]).await;
    for kind in KINDS {
        t.sb.inject("meta.me", Fault::times(kind, 1)).unwrap();
        let started = Instant::now();
        let res = t
            .get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
            .await;
        let e = &res.json()["error"];
        match kind {
            FaultKind::RateLimited => {
                assert_eq!(res.status, StatusCode::BAD_REQUEST);
                assert_eq!(e["code"], 4);
                assert!(
                    res.header_json("x-app-usage")["call_count"]
                        .as_u64()
                        .unwrap()
                        >= 100
                );
            }
            FaultKind::ServerError => {
                assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
                assert_eq!(e["code"], 2);
                assert_eq!(e["is_transient"], true);
            }
            FaultKind::Slow { .. } => {
                assert_eq!(res.status, StatusCode::OK);
                assert!(started.elapsed() >= Duration::from_millis(30));
            }
            FaultKind::ExpiredToken => {
                assert_eq!(
                    (e["code"].as_i64(), e["error_subcode"].as_i64()),
                    (Some(190), Some(463))
                );
            }
            FaultKind::RevokedToken => {
                assert_eq!(
                    (e["code"].as_i64(), e["error_subcode"].as_i64()),
                    (Some(190), Some(460))
                );
            }
            FaultKind::MissingPermission => assert_eq!(e["code"], 200),
            FaultKind::ResponseLost
            | FaultKind::ContentFiltered
            | FaultKind::AnswerFiltered
            | FaultKind::StreamCut
            | FaultKind::QuotaExhausted => unreachable!("not in KINDS"),
        }
        // `times: 1` — the next call is normal again.
        let ok = t
            .get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
            .await;
        assert_eq!(ok.status, StatusCode::OK, "after {kind:?}");
    }
}

#[tokio::test]
async fn rate_limited_object_reads_use_page_and_instagram_codes() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", META_SCOPES, &["0"]).await;
    let accounts = t
        .get_with(
            "/graph.facebook.com/v25.0/me/accounts?fields=id,access_token,instagram_business_account",
            &[bearer(&token)],
        )
        .await
        .json();
    let page = accounts["data"][0]["id"].as_str().unwrap().to_owned();
    let page_token = accounts["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let ig = accounts["data"][0]["instagram_business_account"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    t.sb.inject("meta.object", Fault::times(FaultKind::RateLimited, 2))
        .unwrap();
    let res = t
        .get_with(
            &format!("/graph.facebook.com/v25.0/{page}"),
            &[bearer(&page_token)],
        )
        .await;
    assert_eq!(res.json()["error"]["code"], 32);
    assert!(
        res.header_json("x-business-use-case-usage")[&page][0]["call_count"]
            .as_u64()
            .unwrap()
            >= 100
    );
    let res = t
        .get_with(
            &format!("/graph.facebook.com/v25.0/{ig}"),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.json()["error"]["code"], 80002);
    assert_eq!(
        res.header_json("x-business-use-case-usage")[&ig][0]["type"],
        "instagram"
    );

    t.sb.inject("meta.object", Fault::times(FaultKind::MissingPermission, 1))
        .unwrap();
    let res = t
        .get_with(
            &format!("/graph.facebook.com/v25.0/{ig}"),
            &[bearer(&token)],
        )
        .await;
    assert_eq!(res.json()["error"]["code"], 10);
    t.sb.inject(
        "meta.me_accounts",
        Fault::times(FaultKind::MissingPermission, 1),
    )
    .unwrap();
    let res = t
        .get_with("/graph.facebook.com/v25.0/me/accounts", &[bearer(&token)])
        .await;
    assert_eq!(res.json()["error"]["code"], 200);
}

#[tokio::test]
async fn times_counts_down_and_calls_are_counted() {
    let t = TestSandbox::new();
    let token = t.meta_login("demo", META_SCOPES, &["0"]).await;
    t.sb.inject("meta.me_accounts", Fault::times(FaultKind::ServerError, 2))
        .unwrap();
    let path = "/graph.facebook.com/v25.0/me/accounts";
    assert_eq!(
        t.get_with(path, &[bearer(&token)]).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        t.get_with(path, &[bearer(&token)]).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        t.get_with(path, &[bearer(&token)]).await.status,
        StatusCode::OK
    );
    assert_eq!(t.sb.calls("meta.me_accounts"), 3);
    assert_eq!(t.sb.calls("meta.access_token"), 1);
    assert_eq!(t.sb.calls("nope"), 0);

    t.sb.inject("meta.me", Fault::always(FaultKind::ServerError))
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            t.get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
                .await
                .status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
    t.sb.clear_faults();
    assert_eq!(
        t.get_with("/graph.facebook.com/v25.0/me", &[bearer(&token)])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn meta_code_exchange_faults_are_code_errors() {
    let t = TestSandbox::new();
    t.sb.inject(
        "meta.access_token",
        Fault::times(FaultKind::ExpiredToken, 1),
    )
    .unwrap();
    let redirect = t
        .consent(
            &t.meta_authorize(META_SCOPES, "s"),
            &[("decision", "allow")],
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
                ("client_secret", &app.client_secret),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ])
        ))
        .await;
    assert_eq!(res.json()["error"]["error_subcode"], 36007);
}

#[tokio::test]
async fn dialog_faults_apply_when_the_form_is_submitted() {
    let t = TestSandbox::new();
    t.sb.inject("meta.oauth_dialog", Fault::times(FaultKind::ServerError, 1))
        .unwrap();
    let authorize = t.meta_authorize(META_SCOPES, "s1");
    // Viewing the page does not consume the fault.
    assert_eq!(t.get(&authorize).await.status, StatusCode::OK);
    let q = query_of(
        &t.consent(&authorize, &[("decision", "allow")])
            .await
            .location(),
    );
    assert_eq!(q["error"], "server_error");
    assert_eq!(q["state"], "s1");
    assert!(!q.contains_key("code"));

    t.sb.inject(
        "google.oauth_dialog",
        Fault::times(FaultKind::ServerError, 1),
    )
    .unwrap();
    let q = query_of(
        &t.consent(&t.google_authorize(YT_READ, &[]), &[("decision", "allow")])
            .await
            .location(),
    );
    assert_eq!(q["error"], "server_error");
    assert_eq!(q["state"], "g-state");

    t.sb.inject(
        "tiktok.oauth_dialog",
        Fault::times(FaultKind::MissingPermission, 1),
    )
    .unwrap();
    let q = query_of(
        &t.consent(
            &t.tiktok_authorize("user.info.basic", &[]),
            &[("decision", "allow")],
        )
        .await
        .location(),
    );
    assert_eq!(q["error"], "access_denied");

    t.sb.inject(
        "instagram.oauth_dialog",
        Fault::times(FaultKind::RateLimited, 1),
    )
    .unwrap();
    let authorize = format!(
        "/www.instagram.com/oauth/authorize?{}",
        form(&[
            ("client_id", &t.sb.config().instagram.client_id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "instagram_business_basic"),
        ])
    );
    let q = query_of(
        &t.consent(&authorize, &[("decision", "allow")])
            .await
            .location(),
    );
    assert_eq!(q["error"], "server_error");
    assert_eq!(
        t.sb.calls("instagram.oauth_dialog"),
        2,
        "page view and submit"
    );
}

#[tokio::test]
async fn every_fault_kind_on_instagram() {
    let t = TestSandbox::new();
    let app = t.sb.config().instagram.clone();
    let exchange = form(&[
        ("client_id", &app.client_id),
        ("client_secret", &app.client_secret),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code", "whatever"),
    ]);
    let expected = [
        (StatusCode::TOO_MANY_REQUESTS, "OAuthRateLimitException"),
        (StatusCode::INTERNAL_SERVER_ERROR, "OAuthException"),
        (StatusCode::BAD_REQUEST, "OAuthException"), // slow, then the unknown code
        (StatusCode::BAD_REQUEST, "OAuthException"),
        (StatusCode::BAD_REQUEST, "OAuthException"),
        (StatusCode::BAD_REQUEST, "OAuthException"),
    ];
    for (kind, (status, error_type)) in KINDS.into_iter().zip(expected) {
        t.sb.inject("instagram.access_token", Fault::times(kind, 1))
            .unwrap();
        let res = t
            .post_form("/api.instagram.com/oauth/access_token", &exchange)
            .await;
        assert_eq!(res.status, status, "{kind:?}");
        assert_eq!(res.json()["error_type"], error_type);
        assert_eq!(res.json()["code"], status.as_u16());
    }
    let res = t
        .post_form("/api.instagram.com/oauth/access_token", &exchange)
        .await;
    assert_eq!(res.json()["error_message"], "Invalid authorization code");

    // Graph-side faults need a real token (it is checked first).
    let authorize = format!(
        "/www.instagram.com/oauth/authorize?{}",
        form(&[
            ("client_id", &app.client_id),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", "instagram_business_basic"),
        ])
    );
    let code = query_of(
        &t.consent(&authorize, &[("decision", "allow")])
            .await
            .location(),
    )["code"]
        .clone();
    let token = t
        .post_form(
            "/api.instagram.com/oauth/access_token",
            &form(&[
                ("client_id", &app.client_id),
                ("client_secret", &app.client_secret),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
                ("code", &code),
            ]),
        )
        .await
        .json()["data"][0]["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    t.sb.inject("instagram.me", Fault::times(FaultKind::RevokedToken, 1))
        .unwrap();
    let res = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&token)])
        .await;
    assert_eq!(res.json()["error"]["error_subcode"], 460);
    t.sb.inject("instagram.me", Fault::times(FaultKind::RateLimited, 1))
        .unwrap();
    let res = t
        .get_with("/graph.instagram.com/v25.0/me", &[bearer(&token)])
        .await;
    assert_eq!(res.json()["error"]["code"], 80002);
    t.sb.inject(
        "instagram.exchange",
        Fault::times(FaultKind::ServerError, 1),
    )
    .unwrap();
    let res = t
        .get(&format!(
            "/graph.instagram.com/access_token?grant_type=ig_exchange_token&client_secret={}&access_token={token}",
            app.client_secret
        ))
        .await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(res.json()["error"]["code"], 2);
}

#[tokio::test]
async fn every_fault_kind_on_tiktok() {
    let t = TestSandbox::new();
    let body = t.tiktok_login("demo", "user.info.basic").await;
    let access = body["access_token"].as_str().unwrap().to_owned();
    let expected = [
        (StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded"),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        (StatusCode::OK, "ok"),
        (StatusCode::UNAUTHORIZED, "access_token_invalid"),
        (StatusCode::UNAUTHORIZED, "access_token_invalid"),
        (StatusCode::UNAUTHORIZED, "scope_not_authorized"),
    ];
    for (kind, (status, code)) in KINDS.into_iter().zip(expected) {
        t.sb.inject("tiktok.user_info", Fault::times(kind, 1))
            .unwrap();
        let res = t
            .get_with(
                "/open.tiktokapis.com/v2/user/info/?fields=open_id",
                &[bearer(&access)],
            )
            .await;
        assert_eq!(res.status, status, "{kind:?}");
        assert_eq!(res.json()["error"]["code"], code);
        assert!(res.json()["error"]["log_id"].is_string());
    }
    let refresh = body["refresh_token"].as_str().unwrap();
    let token_expected = [
        (StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded"),
        (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        (StatusCode::OK, ""),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        (StatusCode::BAD_REQUEST, "invalid_grant"),
        (StatusCode::BAD_REQUEST, "unauthorized_client"),
    ];
    for (kind, (status, error)) in KINDS.into_iter().zip(token_expected) {
        t.sb.inject("tiktok.token", Fault::times(kind, 1)).unwrap();
        let res = t
            .tiktok_token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)])
            .await;
        assert_eq!(res.status, status, "{kind:?}");
        if status != StatusCode::OK {
            assert_eq!(res.json()["error"], error);
            assert!(res.json()["error_description"].is_string());
        }
    }
}

#[tokio::test]
async fn every_fault_kind_on_youtube_and_drive() {
    let t = TestSandbox::new();
    let body = t
        .google_login("demo", &format!("{YT_READ} {DRIVE_READ}"))
        .await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let youtube = [
        (StatusCode::FORBIDDEN, "quotaExceeded"),
        (StatusCode::SERVICE_UNAVAILABLE, "backendError"),
        (StatusCode::OK, ""),
        (StatusCode::UNAUTHORIZED, "authError"),
        (StatusCode::UNAUTHORIZED, "authError"),
        (StatusCode::FORBIDDEN, "insufficientPermissions"),
    ];
    for (kind, (status, reason)) in KINDS.into_iter().zip(youtube) {
        t.sb.inject("youtube.channels", Fault::times(kind, 1))
            .unwrap();
        let res = t
            .get_with(
                "/www.googleapis.com/youtube/v3/channels?part=id&mine=true",
                &[bearer(&token)],
            )
            .await;
        assert_eq!(res.status, status, "{kind:?}");
        if status != StatusCode::OK {
            assert_eq!(res.json()["error"]["errors"][0]["reason"], reason);
            assert_eq!(res.json()["error"]["code"], status.as_u16());
        }
    }
    t.sb.inject("drive.files_list", Fault::times(FaultKind::RateLimited, 1))
        .unwrap();
    let res = t
        .get_with("/www.googleapis.com/drive/v3/files", &[bearer(&token)])
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        res.json()["error"]["errors"][0]["reason"],
        "rateLimitExceeded"
    );
    assert_eq!(res.json()["error"]["status"], "RESOURCE_EXHAUSTED");

    t.sb.inject("google.token", Fault::times(FaultKind::RevokedToken, 1))
        .unwrap();
    let res = t
        .google_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"], "invalid_grant");
    assert_eq!(
        res.json()["error_description"],
        "Token has been expired or revoked."
    );
    t.sb.inject("google.token", Fault::times(FaultKind::ServerError, 1))
        .unwrap();
    let res = t
        .google_token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);

    t.sb.inject("google.userinfo", Fault::times(FaultKind::ExpiredToken, 1))
        .unwrap();
    let res = t
        .get_with("/www.googleapis.com/oauth2/v3/userinfo", &[bearer(&token)])
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}
