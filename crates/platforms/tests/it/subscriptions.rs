//! Webhook subscriptions through `Connector::subscribe_webhooks`: a
//! connected Page and its Instagram account subscribe through the Page
//! (`subscribed_apps` with the Page token), an Instagram Login account
//! with its own token on graph.instagram.com, each with the fields Herald
//! consumes that its permissions cover; without `pages_manage_metadata`
//! the subscription is a missing permission, not an error or silence.

use herald_platforms::{
    AccountKind, Candidate, ErrorKind, Grant, ProviderId, SubscribeRequest, Subscription,
};
use herald_sandbox::FaultKind;
use serde_json::Value;

use crate::helpers::*;

const FB: ProviderId = ProviderId::Facebook;
const IG: ProviderId = ProviderId::Instagram;

fn candidate(grant: &Grant, kind: AccountKind) -> &Candidate {
    grant
        .accounts
        .iter()
        .find(|a| a.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {:#?}", grant.accounts))
}

async fn subscribe(
    env: &Env,
    provider: ProviderId,
    grant: &Grant,
    account: &Candidate,
) -> Result<Subscription, herald_platforms::PlatformError> {
    env.connector(provider)
        .subscribe_webhooks(&SubscribeRequest {
            kind: account.kind,
            remote_id: &account.remote_id,
            access_token: &account.credentials.access_token,
            granted_scopes: &grant.granted_scopes,
        })
        .await
}

/// What the simulator says the account is subscribed to (`GET
/// subscribed_apps`), `None` when it is not.
async fn subscribed_fields(env: &Env, host: &str, object: &str, token: &str) -> Option<Value> {
    let body: Value = reqwest::Client::new()
        .get(format!(
            "{}/{host}/v25.0/{object}/subscribed_apps",
            env.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = body["data"].as_array().unwrap_or_else(|| panic!("{body}"));
    data.first().map(|app| app["subscribed_fields"].clone())
}

fn fields(names: &[&str]) -> Subscription {
    Subscription::Subscribed {
        fields: names.iter().map(|f| (*f).to_owned()).collect(),
    }
}

#[tokio::test]
async fn a_page_and_its_instagram_account_subscribe_through_the_page() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    assert!(
        grant
            .granted_scopes
            .iter()
            .any(|s| s == "pages_manage_metadata"),
        "Herald asks for the webhook permission: {:?}",
        grant.granted_scopes
    );
    let page = candidate(&grant, AccountKind::FacebookPage);
    let token = page.credentials.access_token.expose();
    assert_eq!(
        subscribed_fields(&env, "graph.facebook.com", &page.remote_id, token).await,
        None,
        "connecting alone subscribes nothing"
    );

    assert_eq!(
        subscribe(&env, FB, &grant, page).await.unwrap(),
        fields(&["feed", "messages"])
    );
    assert_eq!(
        subscribed_fields(&env, "graph.facebook.com", &page.remote_id, token).await,
        Some(serde_json::json!(["feed", "messages"]))
    );

    // The Instagram account of the other Page subscribes that Page (its
    // token's /me), which is what Meta needs to send its webhooks.
    let studio_ig = grant
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::InstagramBusiness)
        .nth(1)
        .unwrap();
    let studio = grant
        .accounts
        .iter()
        .filter(|a| a.kind == AccountKind::FacebookPage)
        .nth(1)
        .unwrap();
    assert_eq!(
        subscribe(&env, FB, &grant, studio_ig).await.unwrap(),
        fields(&["feed", "messages"])
    );
    assert_eq!(
        subscribed_fields(
            &env,
            "graph.facebook.com",
            &studio.remote_id,
            studio.credentials.access_token.expose()
        )
        .await,
        Some(serde_json::json!(["feed", "messages"]))
    );
    // Again changes nothing.
    assert_eq!(
        subscribe(&env, FB, &grant, page).await.unwrap(),
        fields(&["feed", "messages"])
    );
    assert_eq!(env.calls("meta.subscribed_apps"), 3 + 3);
}

#[tokio::test]
async fn without_messaging_permission_a_page_subscribes_to_its_feed_only() {
    let env = Env::start().await;
    let grant = env.connect_as(FB, "demo", &["-pages_messaging"]).await;
    let page = candidate(&grant, AccountKind::FacebookPage);
    assert_eq!(
        subscribe(&env, FB, &grant, page).await.unwrap(),
        fields(&["feed"])
    );
}

#[tokio::test]
async fn without_pages_manage_metadata_the_subscription_is_a_missing_permission() {
    let env = Env::start().await;
    let grant = env
        .connect_as(FB, "demo", &["-pages_manage_metadata"])
        .await;
    let page = candidate(&grant, AccountKind::FacebookPage);
    let ig = candidate(&grant, AccountKind::InstagramBusiness);
    let missing = Subscription::MissingPermission {
        scopes: vec!["pages_manage_metadata".to_owned()],
    };
    assert_eq!(subscribe(&env, FB, &grant, page).await.unwrap(), missing);
    assert_eq!(subscribe(&env, FB, &grant, ig).await.unwrap(), missing);
    assert_eq!(
        env.calls("meta.subscribed_apps"),
        0,
        "known from the grant: Meta is not asked"
    );

    // A grant that says more than the token has (the person removed the
    // permission on Facebook since): Meta's refusal says the same.
    let mut stale = grant.clone();
    stale
        .granted_scopes
        .push("pages_manage_metadata".to_owned());
    assert_eq!(subscribe(&env, FB, &stale, page).await.unwrap(), missing);
    assert_eq!(env.calls("meta.subscribed_apps"), 1);
    let token = page.credentials.access_token.expose();
    let body: Value = reqwest::Client::new()
        .get(format!(
            "{}/graph.facebook.com/v25.0/{}/subscribed_apps",
            env.base, page.remote_id
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["code"], 200, "{body}");
}

#[tokio::test]
async fn an_instagram_login_account_subscribes_with_its_own_token() {
    let env = Env::start().await;
    let grant = env.connect(IG).await;
    let account = candidate(&grant, AccountKind::InstagramAccount);
    assert_eq!(
        subscribe(&env, IG, &grant, account).await.unwrap(),
        fields(&[
            "comments",
            "live_comments",
            "mentions",
            "story_insights",
            "messages"
        ])
    );
    assert_eq!(
        subscribed_fields(
            &env,
            "graph.instagram.com",
            "me",
            account.credentials.access_token.expose()
        )
        .await,
        Some(serde_json::json!([
            "comments",
            "live_comments",
            "mentions",
            "story_insights",
            "messages"
        ]))
    );
    assert_eq!(env.calls("instagram.subscribed_apps"), 2);

    // Only the fields its permissions cover; none at all is a missing
    // permission.
    let grant = env
        .connect_as(IG, "demo", &["-instagram_business_manage_messages"])
        .await;
    let account = candidate(&grant, AccountKind::InstagramAccount);
    assert_eq!(
        subscribe(&env, IG, &grant, account).await.unwrap(),
        fields(&["comments", "live_comments", "mentions", "story_insights"])
    );
    let grant = env
        .connect_as(
            IG,
            "demo",
            &[
                "-instagram_business_manage_messages",
                "-instagram_business_manage_comments",
                "-instagram_business_manage_insights",
            ],
        )
        .await;
    let account = candidate(&grant, AccountKind::InstagramAccount);
    assert_eq!(
        subscribe(&env, IG, &grant, account).await.unwrap(),
        Subscription::MissingPermission {
            scopes: vec!["instagram_business_manage_comments".to_owned()]
        }
    );
}

#[tokio::test]
async fn a_platform_outage_is_an_error_to_retry_and_a_retry_subscribes() {
    let env = Env::start().await;
    let grant = env.connect(FB).await;
    let page = candidate(&grant, AccountKind::FacebookPage);
    env.inject("meta.subscribed_apps", FaultKind::ServerError, Some(10));
    let error = subscribe(&env, FB, &grant, page).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unavailable, "{error}");
    assert!(error.is_transient());
    env.sandbox.clear_faults();
    assert_eq!(
        subscribe(&env, FB, &grant, page).await.unwrap(),
        fields(&["feed", "messages"])
    );
}

#[tokio::test]
async fn tiktok_and_youtube_have_nothing_to_subscribe() {
    let env = Env::start().await;
    for provider in [ProviderId::TikTok, ProviderId::YouTube] {
        let grant = env.connect(provider).await;
        let account = &grant.accounts[0];
        assert_eq!(
            subscribe(&env, provider, &grant, account).await.unwrap(),
            Subscription::NotApplicable
        );
    }
}
