//! Instagram API with Instagram Login through `InstagramLogin`.

use herald_core::SignedDuration;
use herald_platforms::{AccountKind, ErrorKind, ProviderId, Revocation, missing_scopes};
use herald_sandbox::FaultKind;

use crate::helpers::*;

const IG: ProviderId = ProviderId::Instagram;

/// Instagram's long-lived token lifetime (~60 days).
const LONG_LIVED: SignedDuration = SignedDuration::from_secs(5_183_944);

#[tokio::test]
async fn full_flow_gives_one_account_with_a_sixty_day_token() {
    let env = Env::start().await;
    let form = env.consent(IG).await;
    assert_eq!(form.required_scopes(), ["instagram_business_basic"]);
    let redirect = env.submit(&form, "allow").await;
    assert_eq!(redirect.fragment.as_deref(), Some("_"), "Meta appends #_");
    let code = redirect.param("code").unwrap();
    assert!(!code.contains('#'));

    let grant = env.exchange(IG, code).await.unwrap();
    assert_eq!(grant.accounts.len(), 1);
    let account = &grant.accounts[0];
    assert_eq!(account.kind, AccountKind::InstagramAccount);
    assert!(account.remote_id.starts_with("17841"), "{account:?}");
    assert_eq!(grant.platform_user_id, account.remote_id);
    assert_eq!(account.name, "Demo Bakery");
    assert_eq!(account.handle.as_deref(), Some("@demo.bakery"));
    assert!(account.avatar_url.is_some());
    let c = &account.credentials;
    assert!(c.access_token.expose().starts_with("IGAA"));
    assert_eq!(c.access_expires_at, Some(env.now() + LONG_LIVED));
    assert_eq!(c.issued_at, env.now());
    assert!(c.refresh_token.is_none());
    assert!(
        missing_scopes(
            env.connector(IG).info().required_scopes,
            &grant.granted_scopes
        )
        .is_empty(),
        "{:?}",
        grant.granted_scopes
    );
    assert_eq!(env.calls("instagram.access_token"), 1);
    assert_eq!(env.calls("instagram.exchange"), 1);
    assert_eq!(env.calls("instagram.me"), 1);
}

#[tokio::test]
async fn a_code_copied_with_its_hash_underscore_is_stripped() {
    let env = Env::start().await;
    let code = env.authorize_code(IG, |_| {}).await;
    let grant = env.exchange(IG, &format!("{code}#_")).await.unwrap();
    assert_eq!(grant.accounts.len(), 1);
}

#[tokio::test]
async fn unticking_publish_is_reported_missing() {
    let env = Env::start().await;
    let grant = env
        .connect_with(IG, |form| {
            form.untick("instagram_business_content_publish");
        })
        .await
        .unwrap();
    assert_eq!(
        missing_scopes(
            env.connector(IG).info().required_scopes,
            &grant.granted_scopes
        ),
        ["instagram_business_content_publish"]
    );
    assert_eq!(grant.accounts.len(), 1);
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let env = Env::start().await;
    let form = env.consent(IG).await;
    let redirect = env.submit(&form, "deny").await;
    assert_eq!(redirect.param("error"), Some("access_denied"));
    assert_eq!(redirect.param("code"), None);
}

#[tokio::test]
async fn refresh_waits_for_the_token_to_be_a_day_old() {
    let env = Env::start().await;
    let grant = env.connect(IG).await;
    let account = &grant.accounts[0];
    let connector = env.connector(IG);

    env.advance(SignedDuration::from_hours(23));
    let error = expect_err(
        connector.refresh(account.kind, &account.credentials).await,
        "refresh before 24 h",
    );
    // Graph's code 100: "must be at least 24 hours old".
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("100"));
    assert_eq!(env.calls("instagram.refresh"), 1, "not retried");

    env.advance(SignedDuration::from_hours(2));
    let renewed = connector
        .refresh(account.kind, &account.credentials)
        .await
        .unwrap();
    assert_ne!(renewed.access_token, account.credentials.access_token);
    assert_eq!(renewed.access_expires_at, Some(env.now() + LONG_LIVED));
    assert!(renewed.access_expires_at > account.credentials.access_expires_at);
    assert_eq!(renewed.issued_at, env.now());

    // The renewed token is itself too young to be renewed again.
    let error = expect_err(
        connector.refresh(account.kind, &renewed).await,
        "refresh of the fresh token",
    );
    assert_kind(&error, ErrorKind::BadRequest);
}

#[tokio::test]
async fn an_expired_token_cannot_be_refreshed() {
    let env = Env::start().await;
    let grant = env.connect(IG).await;
    let account = &grant.accounts[0];
    env.advance(LONG_LIVED + SignedDuration::from_secs(1));
    let error = expect_err(
        env.connector(IG)
            .refresh(account.kind, &account.credentials)
            .await,
        "refresh after expiry",
    );
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("190/463"));
}

#[tokio::test]
async fn revoke_is_unsupported() {
    let env = Env::start().await;
    let grant = env.connect(IG).await;
    let account = &grant.accounts[0];
    assert_eq!(
        env.connector(IG)
            .revoke(account.kind, &account.credentials)
            .await
            .unwrap(),
        Revocation::Unsupported
    );
}

#[tokio::test]
async fn removing_the_app_kills_the_token() {
    let env = Env::start().await;
    let grant = env.connect(IG).await;
    let account = &grant.accounts[0];
    env.advance(SignedDuration::from_hours(25));
    env.sandbox
        .revoke_user(herald_sandbox::Platform::Instagram, "demo");
    let error = expect_err(
        env.connector(IG)
            .refresh(account.kind, &account.credentials)
            .await,
        "refresh after removal",
    );
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("190/458"));
}

/// api.instagram.com answers code problems in its legacy shape
/// (`{"error_type","code","error_message"}`, HTTP 400). A used code cannot
/// succeed later, so it must not be classified as transient.
#[tokio::test]
async fn a_reused_code_is_refused_as_a_bad_request() {
    let env = Env::start().await;
    let code = env.authorize_code(IG, |_| {}).await;
    env.exchange(IG, &code).await.unwrap();
    let error = expect_err(env.exchange(IG, &code).await, "reused code");
    assert_kind(&error, ErrorKind::BadRequest);
}

/// What the adapter does today with a reused code: see the ignored test
/// above for what it should do.
#[tokio::test]
async fn a_reused_code_fails_without_a_retry() {
    let env = Env::start().await;
    let code = env.authorize_code(IG, |_| {}).await;
    env.exchange(IG, &code).await.unwrap();
    let error = expect_err(env.exchange(IG, &code).await, "reused code");
    assert!(
        !matches!(error.kind, ErrorKind::RateLimited { .. }),
        "{error}"
    );
    assert_eq!(env.calls("instagram.access_token"), 2, "not retried");
    assert_eq!(env.calls("instagram.exchange"), 1);
}

#[tokio::test]
async fn dialog_faults_come_back_on_the_redirect() {
    let env = Env::start().await;
    for (kind, error) in [
        (FaultKind::ServerError, "server_error"),
        (FaultKind::RateLimited, "server_error"),
        (FaultKind::ExpiredToken, "access_denied"),
    ] {
        env.inject("instagram.oauth_dialog", kind, Some(1));
        let form = env.consent(IG).await;
        let redirect = env.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), Some(error), "{kind:?}");
        assert_eq!(redirect.param("code"), None);
    }
}
