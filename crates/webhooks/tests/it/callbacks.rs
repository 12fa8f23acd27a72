//! Meta's deauthorize and data-deletion callbacks on both engines.

use herald_connections::StatusDetail;
use herald_db::on_both_backends;
use herald_db::on_pool;
use herald_db::testing::TestDb;
use herald_events::Outbox;
use herald_notify::{Notice, NotificationKind};
use herald_webhooks::signature::{MetaSecrets, SignedRequestError, make_signed_request};
use herald_webhooks::{
    AppSecrets, CONNECTION_REVOKED_SUBJECT, CallbackError, DeletionState, MetaApp, MetaApps,
};
use serde_json::json;

use crate::fixtures::{Env, PUBLIC_URL, ig_comment, instagram, t0};

/// A `signed_request` of the Facebook app for `user`.
fn signed(env: &Env, user: &str) -> String {
    signed_with(&env.secrets, user)
}

/// A `signed_request` of the Instagram app for `user`.
fn signed_ig(env: &Env, user: &str) -> String {
    signed_with(&env.instagram_secrets, user)
}

fn signed_with(secrets: &MetaSecrets, user: &str) -> String {
    make_signed_request(
        secrets,
        &json!({"algorithm": "HMAC-SHA256", "issued_at": 1_800_000_000, "user_id": user}),
    )
    .unwrap()
}

/// `(status, status_detail, revoked_at)` of a connection.
async fn state(env: &Env, id: &str) -> (String, String, Option<i64>) {
    on_pool!(env.db(), |pool| {
        sqlx::query_as("SELECT status, status_detail, revoked_at FROM connections WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
    })
}

async fn deauthorize_revokes_the_persons_connections_of_that_app(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    let page = env
        .connect(
            ws,
            "facebook",
            "facebook_page",
            "page-1",
            "fb-user-1",
            "Acme Page",
        )
        .await;
    let ig = env
        .connect(
            ws,
            "facebook",
            "instagram_business",
            "ig-1",
            "fb-user-1",
            "Acme IG",
        )
        .await;
    // The same id at the Instagram app, and someone else at Facebook.
    let ig_login = env
        .connect(
            ws,
            "instagram",
            "instagram_account",
            "ig-2",
            "fb-user-1",
            "Other IG",
        )
        .await;
    let other = env
        .connect(
            ws,
            "facebook",
            "facebook_page",
            "page-2",
            "fb-user-2",
            "Other Page",
        )
        .await;

    // A forged request changes nothing.
    let forged = make_signed_request(
        &MetaSecrets::new(["not the app secret"]),
        &json!({"algorithm": "HMAC-SHA256", "user_id": "fb-user-1"}),
    )
    .unwrap();
    let err = env
        .callbacks
        .deauthorize(MetaApp::Facebook, &forged)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallbackError::SignedRequest(SignedRequestError::Mismatch)
        ),
        "{err:?}"
    );
    assert_eq!(state(&env, &page).await.0, "active");

    let n = env
        .callbacks
        .deauthorize(MetaApp::Facebook, &signed(&env, "fb-user-1"))
        .await
        .unwrap();
    assert_eq!(n, 2);
    for id in [&page, &ig] {
        let (status, detail, revoked) = state(&env, id).await;
        assert_eq!(status, "needs_reconnection");
        assert_eq!(
            StatusDetail::from_stored(&detail),
            StatusDetail::AccessRemoved {
                app: "Facebook".to_owned()
            }
        );
        assert_eq!(revoked, Some(t0().as_microsecond()));
    }
    for id in [&ig_login, &other] {
        assert_eq!(
            state(&env, id).await,
            ("active".into(), String::new(), None)
        );
    }

    // One event per connection, for the outbound webhooks.
    let outbox = Outbox::new(env.db().clone(), env.clock.clone());
    let events: Vec<_> = outbox
        .pending(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.subject.as_str() == CONNECTION_REVOKED_SUBJECT)
        .collect();
    assert_eq!(events.len(), 2);
    let page_event = events
        .iter()
        .find(|e| e.event.payload["connection_id"] == page.as_str())
        .unwrap();
    assert_eq!(
        page_event.event.payload,
        json!({"workspace_id": ws.0, "connection_id": page, "provider": "facebook",
               "name": "Acme Page", "reason": "Access was removed on Facebook"})
    );
    // A notice per connection, and the audit log.
    let notices = env
        .notifications
        .list(&env.auth(ida, ws).await, 10)
        .await
        .unwrap();
    assert_eq!(notices.len(), 2);
    assert!(
        notices
            .iter()
            .all(|n| n.kind == NotificationKind::ConnectionRevoked)
    );
    assert!(notices.iter().any(|n| {
        n.notice
            == Some(Notice::new(
                "connection_revoked",
                [("account", "Acme Page".into()), ("app", "Facebook".into())],
            ))
    }));
    assert_eq!(
        env.count("SELECT COUNT(*) FROM audit_events WHERE action = 'connection.revoked'")
            .await,
        2
    );

    // Said again, or about someone unknown: nothing more, still fine.
    let again = env
        .callbacks
        .deauthorize(MetaApp::Facebook, &signed(&env, "fb-user-1"))
        .await
        .unwrap();
    assert_eq!(again, 0);
    let unknown = env
        .callbacks
        .deauthorize(MetaApp::Facebook, &signed(&env, "nobody"))
        .await
        .unwrap();
    assert_eq!(unknown, 0);
    assert_eq!(
        env.notifications
            .list(&env.auth(ida, ws).await, 10)
            .await
            .unwrap()
            .len(),
        2
    );

    // The Instagram app's deauthorize reaches Instagram Login accounts,
    // and only signed with the Instagram app's secret.
    let err = env
        .callbacks
        .deauthorize(MetaApp::Instagram, &signed(&env, "fb-user-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallbackError::SignedRequest(SignedRequestError::Mismatch)
        ),
        "{err:?}"
    );
    assert_eq!(state(&env, &ig_login).await.0, "active");
    let n = env
        .callbacks
        .deauthorize(MetaApp::Instagram, &signed_ig(&env, "fb-user-1"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (status, detail, _) = state(&env, &ig_login).await;
    assert_eq!(status, "needs_reconnection");
    assert_eq!(
        StatusDetail::from_stored(&detail),
        StatusDetail::AccessRemoved {
            app: "Instagram".to_owned()
        }
    );
}

async fn data_deletion_removes_the_persons_accounts_and_what_came_through_them(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    let theirs = env
        .connect(
            ws,
            "instagram",
            "instagram_account",
            "ig-1",
            "ig-user-1",
            "Their IG",
        )
        .await;
    let kept = env
        .connect(
            ws,
            "instagram",
            "instagram_account",
            "ig-2",
            "ig-user-2",
            "Kept IG",
        )
        .await;
    // Comments, insights and a delivery for each account, one delivery
    // for both.
    for body in [
        instagram(&[(
            "ig-1",
            vec![
                ig_comment("c-1", "hi", "ana"),
                ig_comment("c-2", "yo", "bo"),
            ],
        )]),
        instagram(&[(
            "ig-1",
            vec![json!({"field": "story_insights", "value": {"media_id": "s-1", "reach": 3}})],
        )]),
        instagram(&[("ig-2", vec![ig_comment("c-3", "hey", "cy")])]),
        instagram(&[
            ("ig-1", vec![ig_comment("c-4", "both", "di")]),
            ("ig-2", vec![ig_comment("c-5", "both", "di")]),
        ]),
    ] {
        // Instagram Login accounts: the Instagram app's deliveries.
        env.post_to(MetaApp::Instagram, &env.instagram_secrets, &body)
            .await
            .unwrap();
    }
    env.run_jobs().await;
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 5);
    // A post scheduled to their account.
    on_pool!(env.db(), |pool| {
        sqlx::query(
            "INSERT INTO posts (id, workspace_id, status, created_at, updated_at) \
             VALUES ('post-1', $1, 'scheduled', 0, 0)",
        )
        .bind(ws.0)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO post_targets (id, post_id, workspace_id, connection_id, provider, kind, \
             account_name, remote_account_id, position, variant, status, idempotency_key, \
             created_at, updated_at) VALUES ('target-1', 'post-1', $1, $2, 'instagram', \
             'instagram_account', 'Their IG', 'ig-1', 0, '{}', 'scheduled', 'key-1', 0, 0)",
        )
        .bind(ws.0)
        .bind(&theirs)
        .execute(pool)
        .await
        .unwrap();
    });

    let receipt = env
        .callbacks
        .request_deletion(MetaApp::Instagram, &signed_ig(&env, "ig-user-1"))
        .await
        .unwrap();
    assert_eq!(receipt.confirmation_code.len(), 20);
    assert_eq!(
        receipt.url,
        format!(
            "{PUBLIC_URL}/privacy/data-deletion/{}",
            receipt.confirmation_code
        )
    );
    // Asked again while pending: the same request.
    let again = env
        .callbacks
        .request_deletion(MetaApp::Instagram, &signed_ig(&env, "ig-user-1"))
        .await
        .unwrap();
    assert_eq!(again, receipt);
    let status = env
        .callbacks
        .deletion_status(&receipt.confirmation_code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.state, DeletionState::Received);
    assert_eq!(status.completed_at, None);
    // Only a hash of the person is stored.
    let stored: String = on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT user_hash FROM data_deletion_requests")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert!(!stored.contains("ig-user-1"));
    assert_eq!(stored.len(), 64);

    assert_eq!(env.run_jobs().await, 1);
    let status = env
        .callbacks
        .deletion_status(&receipt.confirmation_code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.state, DeletionState::Completed);
    assert_eq!(status.completed_at, Some(t0()));
    assert_eq!(status.connections_removed, 1);
    assert_eq!(status.items_removed, 4, "3 comments and 1 story");

    let remaining: Vec<String> = on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT id FROM connections")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(remaining, vec![kept]);
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 2);
    assert_eq!(env.count("SELECT COUNT(*) FROM story_insights").await, 0);
    // Deliveries only about their account are gone; the shared one stays
    // (routed to the kept account).
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        2
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM webhook_routes").await, 2);
    // What the workspace still sees of the shared one holds nothing of
    // their account any more.
    let shown: Vec<String> = on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT body FROM webhook_views")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|b| !b.contains("ig-1")), "{shown:?}");
    // The post stays, its target detached from the removed account.
    assert_eq!(env.count("SELECT COUNT(*) FROM posts").await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM post_targets WHERE connection_id IS NULL")
            .await,
        1
    );
    // The workspace was told, and integrations hear of it.
    let notices = env
        .notifications
        .list(&env.auth(ida, ws).await, 50)
        .await
        .unwrap();
    assert!(
        notices
            .iter()
            .any(|n| n.kind == NotificationKind::ConnectionRevoked
                && n.notice.as_ref().is_some_and(
                    |w| w.code == "connection_deleted" && w.text("account") == Some("Their IG")
                )),
        "{notices:?}"
    );
    let outbox = Outbox::new(env.db().clone(), env.clock.clone());
    let revoked = outbox
        .pending(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.subject.as_str() == CONNECTION_REVOKED_SUBJECT)
        .count();
    assert_eq!(revoked, 1);

    // Running it again changes nothing; a new request after completion is
    // a new code; an unknown code has no status.
    let rerun = env
        .callbacks
        .run_deletion(&receipt.confirmation_code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rerun.connections_removed, 1);
    let later = env
        .callbacks
        .request_deletion(MetaApp::Instagram, &signed_ig(&env, "ig-user-1"))
        .await
        .unwrap();
    assert_ne!(later.confirmation_code, receipt.confirmation_code);
    assert!(
        env.callbacks
            .deletion_status("no-such-code")
            .await
            .unwrap()
            .is_none()
    );
    let err = env
        .callbacks
        .request_deletion(MetaApp::Instagram, "garbage")
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        CallbackError::SignedRequest(SignedRequestError::Malformed)
    ));
}

async fn sandbox_callbacks_touch_only_sandbox_connections(t: TestDb) {
    // The Facebook app is the sandbox's (its secret is this install's).
    let apps = MetaApps {
        facebook: AppSecrets::sandbox(MetaSecrets::new(["this install's sandbox secret"])),
        instagram: AppSecrets::default(),
    };
    let env = Env::with_apps(t, apps).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    // The same person at Facebook: a sandbox connection and a real one.
    let sandbox = env
        .connect(
            ws,
            "facebook",
            "facebook_page",
            "page-1",
            "fb-user-1",
            "Demo",
        )
        .await;
    env.mark_sandbox(&sandbox).await;
    let real = env
        .connect(
            ws,
            "facebook",
            "facebook_page",
            "page-2",
            "fb-user-1",
            "Real",
        )
        .await;

    let n = env
        .callbacks
        .deauthorize(MetaApp::Facebook, &signed(&env, "fb-user-1"))
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(state(&env, &sandbox).await.0, "needs_reconnection");
    assert_eq!(state(&env, &real).await.0, "active");

    let receipt = env
        .callbacks
        .request_deletion(MetaApp::Facebook, &signed(&env, "fb-user-1"))
        .await
        .unwrap();
    env.run_jobs().await;
    let status = env
        .callbacks
        .deletion_status(&receipt.confirmation_code)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.state, DeletionState::Completed);
    assert_eq!(status.connections_removed, 1);
    let left: Vec<String> = on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT id FROM connections")
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(left, [real]);

    // With no secret, the Instagram app refuses everything.
    let err = env
        .callbacks
        .deauthorize(MetaApp::Instagram, &signed(&env, "fb-user-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallbackError::SignedRequest(SignedRequestError::Mismatch)
        ),
        "{err:?}"
    );
}

on_both_backends!(
    deauthorize_revokes_the_persons_connections_of_that_app,
    data_deletion_removes_the_persons_accounts_and_what_came_through_them,
    sandbox_callbacks_touch_only_sandbox_connections,
);
