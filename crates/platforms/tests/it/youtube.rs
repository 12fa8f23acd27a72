//! YouTube through Google OAuth 2.0 with PKCE (`YouTube`).

use herald_core::SignedDuration;
use herald_platforms::youtube::{SCOPE_READONLY, SCOPE_UPLOAD};
use herald_platforms::{AccountKind, ErrorKind, ProviderId, Revocation, missing_scopes, pkce_s256};
use herald_sandbox::FaultKind;

use crate::helpers::*;

const YT: ProviderId = ProviderId::YouTube;

#[tokio::test]
async fn pkce_flow_lists_both_channels() {
    let env = Env::start().await;
    let form = env.consent(YT).await;
    let challenge = pkce_s256(VERIFIER);
    assert!(form.hidden.contains(&("code_challenge".into(), challenge)));
    assert!(
        form.hidden
            .contains(&("code_challenge_method".into(), "S256".into()))
    );
    assert!(
        form.hidden
            .contains(&("access_type".into(), "offline".into()))
    );
    assert_eq!(form.required_scopes(), ["openid"]);
    let redirect = env.submit(&form, "allow").await;
    let grant = env
        .exchange(YT, redirect.param("code").unwrap())
        .await
        .unwrap();

    assert_eq!(grant.platform_user_id.len(), 21, "{grant:?}");
    assert!(grant.platform_user_id.bytes().all(|b| b.is_ascii_digit()));
    assert!(
        missing_scopes(
            env.connector(YT).info().required_scopes,
            &grant.granted_scopes
        )
        .is_empty(),
        "{:?}",
        grant.granted_scopes
    );
    let channels: Vec<_> = grant
        .accounts
        .iter()
        .map(|a| (a.kind, a.name.as_str(), a.handle.as_deref()))
        .collect();
    assert_eq!(
        channels,
        [
            (
                AccountKind::YouTubeChannel,
                "Demo Bakery",
                Some("@demobakery")
            ),
            (
                AccountKind::YouTubeChannel,
                "Demo Studio",
                Some("@demostudio")
            ),
        ]
    );
    for channel in &grant.accounts {
        assert!(channel.remote_id.starts_with("UC"), "{channel:?}");
        assert!(
            channel
                .avatar_url
                .as_deref()
                .unwrap()
                .starts_with(&env.base)
        );
        let c = &channel.credentials;
        assert!(c.access_token.expose().starts_with("ya29."));
        assert!(
            c.refresh_token
                .as_ref()
                .unwrap()
                .expose()
                .starts_with("1//")
        );
        assert_eq!(
            c.access_expires_at,
            Some(env.now() + SignedDuration::from_secs(3599))
        );
        assert_eq!(c.refresh_expires_at, None);
    }
    // Both channels share the grant's tokens.
    assert_eq!(
        grant.accounts[0].credentials.refresh_token,
        grant.accounts[1].credentials.refresh_token
    );
    assert_eq!(env.calls("google.token"), 1);
    assert_eq!(env.calls("google.userinfo"), 1);
    assert_eq!(env.calls("youtube.channels"), 1);
}

#[tokio::test]
async fn a_wrong_verifier_is_refused() {
    let env = Env::start().await;
    let code = env.authorize_code(YT, |_| {}).await;
    let error = expect_err(
        env.exchange_with(
            YT,
            &code,
            REDIRECT,
            "not-the-verifier-used-for-the-challenge",
        )
        .await,
        "wrong verifier",
    );
    // OAuth `invalid_grant` ("Invalid code verifier.").
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    assert_eq!(env.calls("google.token"), 1, "not retried");
    assert_eq!(env.calls("youtube.channels"), 0);
}

#[tokio::test]
async fn a_different_redirect_uri_is_a_configuration_problem() {
    let env = Env::start().await;
    let code = env.authorize_code(YT, |_| {}).await;
    let error = expect_err(
        env.exchange_with(YT, &code, "https://other.example/cb", VERIFIER)
            .await,
        "redirect mismatch",
    );
    assert_kind(&error, ErrorKind::Misconfigured);
    assert_eq!(error.code.as_deref(), Some("redirect_uri_mismatch"));
}

#[tokio::test]
async fn a_reused_code_is_refused_and_revokes_the_first_grant() {
    let env = Env::start().await;
    let code = env.authorize_code(YT, |_| {}).await;
    let grant = env.exchange(YT, &code).await.unwrap();
    let error = expect_err(env.exchange(YT, &code).await, "reused code");
    assert_kind(&error, ErrorKind::Reconnect);
    assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    // Google treats a replayed code as leaked.
    let channel = &grant.accounts[0];
    let error = expect_err(
        env.connector(YT)
            .refresh(channel.kind, &channel.credentials)
            .await,
        "refresh of the first grant",
    );
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn refresh_keeps_the_stored_refresh_token() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    let old = &channel.credentials;

    env.advance(SignedDuration::from_hours(2));
    let renewed = env.connector(YT).refresh(channel.kind, old).await.unwrap();
    assert_ne!(renewed.access_token, old.access_token);
    assert_eq!(
        renewed.refresh_token, old.refresh_token,
        "Google omits the refresh token on refresh"
    );
    assert_eq!(
        renewed.access_expires_at,
        Some(env.now() + SignedDuration::from_secs(3599))
    );
    assert!(renewed.access_expires_at > old.access_expires_at);
    assert_eq!(renewed.issued_at, env.now());

    // Refreshing is repeatable.
    let again = env
        .connector(YT)
        .refresh(channel.kind, &renewed)
        .await
        .unwrap();
    assert_eq!(again.refresh_token, old.refresh_token);
    assert_ne!(again.access_token, renewed.access_token);
}

#[tokio::test]
async fn revoke_then_refresh_asks_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    let connector = env.connector(YT);
    assert_eq!(
        connector
            .revoke(channel.kind, &channel.credentials)
            .await
            .unwrap(),
        Revocation::Revoked
    );
    assert_eq!(env.calls("google.revoke"), 1);
    for account in &grant.accounts {
        let error = expect_err(
            connector.refresh(account.kind, &account.credentials).await,
            "refresh after revoke",
        );
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("invalid_grant"));
    }
}

#[tokio::test]
async fn removing_the_app_at_google_asks_to_reconnect() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    env.sandbox
        .revoke_user(herald_sandbox::Platform::Google, "demo");
    let channel = &grant.accounts[1];
    let error = expect_err(
        env.connector(YT)
            .refresh(channel.kind, &channel.credentials)
            .await,
        "refresh after removal",
    );
    assert_kind(&error, ErrorKind::Reconnect);
}

#[tokio::test]
async fn without_youtube_readonly_no_channel_is_listed() {
    let env = Env::start().await;
    let grant = env
        .connect_with(YT, |form| {
            form.untick(SCOPE_READONLY);
        })
        .await
        .unwrap();
    assert!(grant.accounts.is_empty());
    assert_eq!(env.calls("youtube.channels"), 0);
    assert_eq!(
        missing_scopes(
            env.connector(YT).info().required_scopes,
            &grant.granted_scopes
        ),
        [SCOPE_READONLY]
    );
    assert!(grant.granted_scopes.iter().any(|s| s == SCOPE_UPLOAD));

    // Consenting again to everything brings the channels.
    let again = env.connect(YT).await;
    assert_eq!(again.accounts.len(), 2);
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let env = Env::start().await;
    let form = env.consent(YT).await;
    let redirect = env.submit(&form, "deny").await;
    assert_eq!(redirect.param("error"), Some("access_denied"));
    assert_eq!(redirect.param("code"), None);
}

#[tokio::test]
async fn dialog_faults_come_back_on_the_redirect() {
    let env = Env::start().await;
    for (kind, error) in [
        (FaultKind::RateLimited, "temporarily_unavailable"),
        (FaultKind::ServerError, "server_error"),
        (FaultKind::RevokedToken, "access_denied"),
    ] {
        env.inject("google.oauth_dialog", kind, Some(1));
        let form = env.consent(YT).await;
        let redirect = env.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), Some(error), "{kind:?}");
        assert_eq!(redirect.param("code"), None);
    }
}

#[tokio::test]
async fn revoking_a_dead_grant_counts_as_revoked_without_a_retry() {
    let env = Env::start().await;
    let grant = env.connect(YT).await;
    let channel = &grant.accounts[0];
    let connector = env.connector(YT);
    connector
        .revoke(channel.kind, &channel.credentials)
        .await
        .unwrap();
    // Google answers 400 `invalid_token` for a token that is already dead
    // (no RFC 7009 "200 for unknown tokens"): the adapter reports the grant
    // as revoked, which it is, after one call.
    assert_eq!(
        connector
            .revoke(channel.kind, &channel.credentials)
            .await
            .unwrap(),
        herald_platforms::Revocation::Revoked
    );
    assert_eq!(env.calls("google.revoke"), 2);
}
