//! Facebook Login through `FacebookLogin`: Pages with their Page tokens and
//! the Instagram business accounts linked to them.

use herald_platforms::{AccountKind, ErrorKind, ProviderId, missing_scopes};
use herald_sandbox::{FaultKind, Platform};

use crate::helpers::*;

const FB: ProviderId = ProviderId::Facebook;

#[tokio::test]
async fn full_grant_lists_two_pages_and_their_instagram_accounts() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;

    assert!(grant.platform_user_id.starts_with("100"), "{grant:?}");
    let connector = env.connector(FB);
    assert!(
        missing_scopes(connector.info().required_scopes, &grant.granted_scopes).is_empty(),
        "{:?}",
        grant.granted_scopes
    );
    assert_eq!(grant.accounts.len(), 4, "{:#?}", grant.accounts);

    let pages: Vec<_> = grant
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::FacebookPage)
        .collect();
    let igs: Vec<_> = grant
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::InstagramBusiness)
        .collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(igs.len(), 2);
    let page_names: Vec<&str> = pages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(page_names, ["Demo Bakery", "Demo Studio"]);
    for page in &pages {
        assert_eq!(page.remote_id.len(), 15, "{page:?}");
        assert!(page.handle.is_some(), "category as handle: {page:?}");
        assert!(page.parent.is_none());
        let c = &page.credentials;
        assert!(!c.access_token.is_empty());
        assert_eq!(c.access_expires_at, None, "Page tokens do not expire");
        assert!(c.refresh_token.is_none());
        assert_eq!(c.issued_at, env.now());
    }
    assert_ne!(
        pages[0].credentials.access_token, pages[1].credentials.access_token,
        "one token per Page"
    );
    for ig in &igs {
        assert!(ig.remote_id.starts_with("17841"), "{ig:?}");
        assert!(!ig.name.is_empty());
        let parent = ig.parent.as_deref().expect("a parent Page");
        let page = pages
            .iter()
            .find(|p| p.name == parent)
            .expect("parent listed");
        // An Instagram business account publishes with its Page's token.
        assert_eq!(ig.credentials.access_token, page.credentials.access_token);
        assert_eq!(ig.credentials.access_expires_at, None);
        assert!(ig.avatar_url.as_deref().unwrap().starts_with(&env.base));
    }
    let handles: Vec<_> = igs.iter().map(|i| i.handle.clone().unwrap()).collect();
    assert_eq!(handles, ["@demo.bakery", "@demo.studio"]);
}

#[tokio::test]
async fn partial_scopes_are_reported_missing() {
    let env = Env::start().await;
    let grant = env
        .connect_with(FB, |form| {
            assert_eq!(form.required_scopes(), ["public_profile"]);
            form.untick("pages_manage_posts")
                .untick("instagram_content_publish");
        })
        .await
        .unwrap();
    let required = env.connector(FB).info().required_scopes;
    let mut missing = missing_scopes(required, &grant.granted_scopes);
    missing.sort();
    assert_eq!(missing, ["instagram_content_publish", "pages_manage_posts"]);
    // pages_show_list is still granted: the Pages are listed.
    assert_eq!(grant.accounts.len(), 4);
}

#[tokio::test]
async fn without_pages_show_list_no_page_is_read() {
    let env = Env::start().await;
    let grant = env
        .connect_with(FB, |form| {
            form.untick("pages_show_list");
        })
        .await
        .unwrap();
    assert!(grant.accounts.is_empty());
    assert_eq!(env.calls("meta.me_accounts"), 0);
    assert!(
        missing_scopes(
            env.connector(FB).info().required_scopes,
            &grant.granted_scopes
        )
        .contains(&"pages_show_list".to_owned())
    );
}

#[tokio::test]
async fn unticking_every_page_leaves_no_account() {
    let env = Env::start().await;
    let grant = env
        .connect_with(FB, |form| {
            assert_eq!(form.offered_pages, ["0", "1"]);
            form.untick_all_pages();
        })
        .await
        .unwrap();
    assert!(grant.accounts.is_empty(), "{:?}", grant.accounts);
    assert_eq!(env.calls("meta.me_accounts"), 1);
    assert_eq!(env.calls("meta.object"), 0);
}

#[tokio::test]
async fn one_page_ticked_gives_that_page_and_its_instagram_account() {
    let env = Env::start().await;
    let grant = env
        .connect_with(FB, |form| {
            form.pages = vec!["1".into()];
        })
        .await
        .unwrap();
    let names: Vec<_> = grant
        .accounts
        .iter()
        .map(|a| (a.kind, a.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (AccountKind::InstagramBusiness, "Demo Studio"),
            (AccountKind::FacebookPage, "Demo Studio")
        ]
    );
}

#[tokio::test]
async fn deny_redirects_with_access_denied() {
    let env = Env::start().await;
    let form = env.consent(FB).await;
    let redirect = env.submit(&form, "deny").await;
    assert_eq!(redirect.param("error"), Some("access_denied"));
    assert_eq!(redirect.param("error_reason"), Some("user_denied"));
    assert_eq!(redirect.param("code"), None);
}

#[tokio::test]
async fn rerequest_is_put_in_the_dialog_url() {
    let env = Env::start().await;
    let form = env.consent_with(FB, true).await;
    let query: Vec<(String, String)> = form.authorize_url.query_pairs().into_owned().collect();
    assert!(query.contains(&("auth_type".into(), "rerequest".into())));
    assert!(
        form.hidden
            .contains(&("auth_type".into(), "rerequest".into()))
    );
}

#[tokio::test]
async fn a_reused_code_is_refused_as_a_bad_request() {
    let env = Env::start().await;
    let code = env.authorize_code(FB, |_| {}).await;
    env.exchange(FB, &code).await.unwrap();
    let before = env.calls("meta.access_token");
    let error = expect_err(env.exchange(FB, &code).await, "reused code");
    // Graph answers 100/36009 "This authorization code has been used".
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("100/36009"));
    assert!(error.trace.is_some(), "fbtrace_id kept");
    assert_eq!(env.calls("meta.access_token"), before + 1, "not retried");
}

#[tokio::test]
async fn a_different_redirect_uri_is_refused() {
    let env = Env::start().await;
    let code = env.authorize_code(FB, |_| {}).await;
    let error = expect_err(
        env.exchange_with(FB, &code, "https://other.example/cb", VERIFIER)
            .await,
        "redirect mismatch",
    );
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("100/36008"));
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let env = Env::start().await;
    let code = env.authorize_code(FB, |_| {}).await;
    env.advance(herald_core::SignedDuration::from_mins(11));
    let error = expect_err(env.exchange(FB, &code).await, "expired code");
    assert_kind(&error, ErrorKind::BadRequest);
    assert_eq!(error.code.as_deref(), Some("100/36007"));
}

#[tokio::test]
async fn refresh_checks_the_page_token_until_the_app_is_removed() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let connector = env.connector(FB);
    let page = grant
        .accounts
        .iter()
        .find(|a| a.kind == AccountKind::FacebookPage)
        .unwrap();

    // Page tokens from a long-lived user token outlive it.
    env.advance(herald_core::SignedDuration::from_hours(24 * 90));
    let checked = connector
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
    assert_eq!(checked.access_token, page.credentials.access_token);
    assert_eq!(checked.access_expires_at, None);
    assert_eq!(env.calls("meta.me"), 2, "exchange + check");

    env.sandbox.revoke_user(Platform::Meta, "demo");
    for account in &grant.accounts {
        let error = expect_err(
            connector.refresh(account.kind, &account.credentials).await,
            "after app removal",
        );
        assert_kind(&error, ErrorKind::Reconnect);
        assert_eq!(error.code.as_deref(), Some("190/458"));
    }
    assert_eq!(
        connector
            .revoke(page.kind, &page.credentials)
            .await
            .unwrap(),
        herald_platforms::Revocation::Unsupported
    );
}

#[tokio::test]
async fn another_sandbox_user_gets_their_own_pages() {
    let env = Env::start().await;
    let grant = env
        .connect_with(FB, |form| form.user = "Alice.Smith".into())
        .await
        .unwrap();
    let names: Vec<_> = grant
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::FacebookPage)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Alice Smith Bakery", "Alice Smith Studio"]);
    // Removing "demo" does not touch Alice's tokens.
    env.sandbox.revoke_user(Platform::Meta, "demo");
    let page = &grant.accounts[0];
    env.connector(FB)
        .refresh(page.kind, &page.credentials)
        .await
        .unwrap();
}

#[tokio::test]
async fn dialog_faults_come_back_on_the_redirect() {
    let env = Env::start().await;
    for (kind, error, code) in [
        (FaultKind::RateLimited, "server_error", Some("4")),
        (FaultKind::ServerError, "server_error", Some("2")),
        (FaultKind::MissingPermission, "access_denied", Some("200")),
        (FaultKind::RevokedToken, "access_denied", Some("200")),
    ] {
        env.inject("meta.oauth_dialog", kind, Some(1));
        let form = env.consent(FB).await;
        let redirect = env.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), Some(error), "{kind:?}");
        assert_eq!(redirect.param("error_code"), code, "{kind:?}");
        assert_eq!(redirect.param("code"), None);
    }
    // The fault is used up: the next consent gives a code again.
    env.authorize_code(FB, |_| {}).await;
}
