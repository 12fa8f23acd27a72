//! TikTok Login Kit v2 through `TikTok`.

use herald_core::SignedDuration;
use herald_platforms::tiktok::TikTokDialect;
use herald_platforms::{
    AccountKind, Call, ErrorKind, Method, PlatformError, ProviderId, Revocation, Secret,
    missing_scopes,
};
use herald_sandbox::{FaultKind, Platform};

use crate::helpers::*;

const TT: ProviderId = ProviderId::TikTok;

/// Calls `/v2/user/info/` with `token` through the platform client.
pub async fn user_info(env: &Env, token: &Secret) -> Result<serde_json::Value, PlatformError> {
    let call = Call::new(
        TT,
        "tiktok.user_info",
        Method::Get,
        env.hosts().url("open.tiktokapis.com", "/v2/user/info/"),
    )
    .query("fields", "open_id,display_name")
    .bearer(token);
    env.client.send(&call, &TikTokDialect).await?.json(TT)
}

#[tokio::test]
async fn flow_gives_one_user_with_a_refresh_token() {
    let env = Env::start().await;
    let form = env.consent(TT).await;
    assert_eq!(form.required_scopes(), ["user.info.basic"]);
    let redirect = env.submit(&form, "allow").await;
    let code = redirect.param("code").unwrap().to_owned();
    let grant = env.exchange(TT, &code).await.unwrap();

    assert_eq!(grant.accounts.len(), 1);
    let account = &grant.accounts[0];
    assert_eq!(account.kind, AccountKind::TikTokUser);
    assert_eq!(account.remote_id, grant.platform_user_id);
    assert_eq!(account.remote_id.len(), 36, "UUID-shaped open_id");
    assert_eq!(account.name, "Demo");
    assert_eq!(account.handle.as_deref(), Some("@demo"));
    assert!(
        account
            .avatar_url
            .as_deref()
            .unwrap()
            .starts_with(&env.base)
    );
    let c = &account.credentials;
    assert!(c.access_token.expose().starts_with("act."));
    assert!(
        c.refresh_token
            .as_ref()
            .unwrap()
            .expose()
            .starts_with("rft.")
    );
    assert_eq!(
        c.access_expires_at,
        Some(env.now() + SignedDuration::from_secs(86_400))
    );
    assert_eq!(
        c.refresh_expires_at,
        Some(env.now() + SignedDuration::from_secs(31_536_000))
    );
    assert!(
        missing_scopes(
            env.connector(TT).info().required_scopes,
            &grant.granted_scopes
        )
        .is_empty()
    );
    assert_eq!(env.calls("tiktok.token"), 1);
    assert_eq!(env.calls("tiktok.user_info"), 1);
}

#[tokio::test]
async fn partial_consent_narrows_the_fields_and_reports_missing_scopes() {
    let env = Env::start().await;
    let grant = env
        .connect_with(TT, |form| {
            form.untick("video.publish").untick("user.info.profile");
        })
        .await
        .unwrap();
    assert_eq!(
        missing_scopes(
            env.connector(TT).info().required_scopes,
            &grant.granted_scopes
        ),
        ["video.publish"]
    );
    // Without user.info.profile the username is not asked for (TikTok
    // would refuse the whole call).
    let account = &grant.accounts[0];
    assert_eq!(account.name, "Demo");
    assert_eq!(account.handle, None);
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let env = Env::start().await;
    let form = env.consent(TT).await;
    let redirect = env.submit(&form, "deny").await;
    assert_eq!(redirect.param("error"), Some("access_denied"));
    assert_eq!(redirect.param("code"), None);
}

#[tokio::test]
async fn a_reused_code_asks_to_connect_again() {
    let env = Env::start().await;
    let code = env.authorize_code(TT, |_| {}).await;
    env.exchange(TT, &code).await.unwrap();
    let error = expect_err(env.exchange(TT, &code).await, "reused code");
    // OAuth `invalid_grant`.
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    assert!(error.trace.is_some(), "log_id kept");
    assert_eq!(env.calls("tiktok.token"), 2, "not retried");
}

#[tokio::test]
async fn a_day_later_the_access_token_is_dead_and_refresh_renews_it() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    let old = &account.credentials;
    user_info(&env, &old.access_token).await.unwrap();

    env.advance(SignedDuration::from_hours(25));
    let error = expect_err(user_info(&env, &old.access_token).await, "expired token");
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("access_token_invalid"));

    let renewed = env.connector(TT).refresh(account.kind, old).await.unwrap();
    assert_ne!(renewed.access_token, old.access_token);
    assert_eq!(
        renewed.access_expires_at,
        Some(env.now() + SignedDuration::from_secs(86_400))
    );
    // Without rotation the refresh token stays the same.
    assert_eq!(renewed.refresh_token, old.refresh_token);
    assert_eq!(
        renewed.refresh_expires_at, old.refresh_expires_at,
        "the refresh token's own expiry is unchanged"
    );
    let me = user_info(&env, &renewed.access_token).await.unwrap();
    assert_eq!(me["data"]["user"]["open_id"], account.remote_id.as_str());

    // Non-rotating: the old refresh token keeps working.
    env.connector(TT).refresh(account.kind, old).await.unwrap();
}

#[tokio::test]
async fn revoke_ends_the_authorization() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    let connector = env.connector(TT);
    assert_eq!(
        connector
            .revoke(account.kind, &account.credentials)
            .await
            .unwrap(),
        Revocation::Revoked
    );
    assert_eq!(env.calls("tiktok.revoke"), 1);
    let error = expect_err(
        connector.refresh(account.kind, &account.credentials).await,
        "refresh after revoke",
    );
    assert_kind(&error, ErrorKind::Reconnect);
    let error = expect_err(
        user_info(&env, &account.credentials.access_token).await,
        "access after revoke",
    );
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn removing_the_app_at_tiktok_asks_to_connect_again() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    env.sandbox.revoke_user(Platform::TikTok, "demo");
    let error = expect_err(
        env.connector(TT)
            .refresh(account.kind, &account.credentials)
            .await,
        "refresh after removal",
    );
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn without_a_refresh_token_refresh_asks_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let mut credentials = grant.accounts[0].credentials.clone();
    credentials.refresh_token = None;
    let error = expect_err(
        env.connector(TT)
            .refresh(AccountKind::TikTokUser, &credentials)
            .await,
        "no refresh token",
    );
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(env.calls("tiktok.token"), 1, "nothing sent");
}

#[tokio::test]
async fn rotating_refresh_tokens_die_after_use() {
    let env = Env::with(|s| s.tiktok_rotating_refresh = true).await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    let first = &account.credentials;
    assert_eq!(
        first.access_expires_at,
        Some(env.now() + SignedDuration::from_secs(7_200))
    );
    assert_eq!(
        first.refresh_expires_at,
        Some(env.now() + SignedDuration::from_secs(15_552_000))
    );

    env.advance(SignedDuration::from_hours(3));
    let connector = env.connector(TT);
    let second = connector.refresh(account.kind, first).await.unwrap();
    assert_ne!(second.access_token, first.access_token);
    assert_ne!(second.refresh_token, first.refresh_token, "rotated");
    assert!(second.refresh_token.is_some());
    assert_eq!(
        second.refresh_expires_at,
        Some(env.now() + SignedDuration::from_secs(15_552_000))
    );

    let error = expect_err(
        connector.refresh(account.kind, first).await,
        "old refresh token",
    );
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("invalid_grant"));

    // The newest one works, and rotates again.
    let third = connector.refresh(account.kind, &second).await.unwrap();
    assert_ne!(third.refresh_token, second.refresh_token);
    user_info(&env, &third.access_token).await.unwrap();
}

#[tokio::test]
async fn dialog_faults_come_back_on_the_redirect() {
    let env = Env::start().await;
    for (kind, error) in [
        (FaultKind::RateLimited, "server_error"),
        (FaultKind::ServerError, "server_error"),
        (FaultKind::MissingPermission, "access_denied"),
    ] {
        env.inject("tiktok.oauth_dialog", kind, Some(1));
        let form = env.consent(TT).await;
        let redirect = env.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), Some(error), "{kind:?}");
        assert_eq!(redirect.param("code"), None);
    }
}

#[tokio::test]
async fn revoking_twice_is_accepted() {
    let env = Env::start().await;
    let grant = env.connect(TT).await;
    let account = &grant.accounts[0];
    let connector = env.connector(TT);
    for _ in 0..2 {
        assert_eq!(
            connector
                .revoke(account.kind, &account.credentials)
                .await
                .unwrap(),
            Revocation::Revoked
        );
    }
    assert_eq!(env.calls("tiktok.revoke"), 2);
}
