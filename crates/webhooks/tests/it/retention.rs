//! The 30-day retention of deliveries and delivery logs: old, finished
//! deliveries and outbound messages go; recent ones, and old ones still
//! being worked on, stay; what the deliveries produced stays.

use std::sync::Arc;

use herald_connections::vault::{KeyId, Vault};
use herald_core::{Clock, SignedDuration};
use herald_db::DbTime;
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};
use herald_webhooks::outbound::{NewEndpoint, Outbound};
use herald_webhooks::ssrf::TargetPolicy;
use herald_webhooks::{Purged, Retention};
use serde_json::json;

use crate::fixtures::*;

async fn old_finished_logs_go_and_the_rest_stays(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ana@example.com", "Ana").await;
    let ws = env.workspace("Acme", &[ida]).await;
    env.connect(
        ws,
        "facebook",
        "instagram_business",
        "ig-1",
        "fb-ana",
        "Acme IG",
    )
    .await;
    let retention = Retention::new(env.db().clone(), env.queue.clone(), env.clock.clone());

    // Day 0: one delivery processed, one that will still be retrying.
    let processed = instagram(&[("ig-1", vec![ig_comment("c-1", "first", "ana")])]);
    env.post(&processed).await.unwrap();
    assert_eq!(env.run_jobs().await, 1);
    let stuck = instagram(&[("ig-1", vec![ig_comment("c-2", "second", "bo")])]);
    let stuck = env.post(&stuck).await.unwrap();
    // Its next attempt is far off: no job is due in this test.
    env.exec(&format!(
        "UPDATE webhook_deliveries SET status = 'retrying' WHERE id = {}; \
         DELETE FROM jobs WHERE kind = 'webhooks.process.v1'",
        stuck.id.0
    ))
    .await;

    // Outbound: an old message whose delivery succeeded, and one whose
    // delivery is still retrying.
    let vault = Arc::new(Vault::in_memory(&[(KeyId(1), [7u8; 32])]));
    let outbound = Outbound::new(
        env.db().clone(),
        env.queue.clone(),
        env.clock.clone(),
        vault,
        TargetPolicy::AllowPrivate,
    );
    let (endpoint, _) = outbound
        .create(
            &env.auth(ida, ws).await,
            NewEndpoint {
                url: "http://127.0.0.1:9/hook".into(),
                ..NewEndpoint::default()
            },
        )
        .await
        .unwrap();
    let now = DbTime(env.clock.now());
    for (msg, state) in [("msg_done", "succeeded"), ("msg_busy", "retrying")] {
        on_pool!(env.db(), |pool| {
            sqlx::query(
                "INSERT INTO outbound_messages (id, workspace_id, event_type, payload, created_at) \
                 VALUES ($1, $2, 'post.published', $3, $4)",
            )
            .bind(msg)
            .bind(ws.0)
            .bind(json!({"type": "post.published"}).to_string())
            .bind(now)
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO outbound_deliveries (message_id, endpoint_id, state, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(msg)
            .bind(&endpoint.id.0)
            .bind(state)
            .bind(now)
            .execute(pool)
            .await
            .unwrap();
        });
    }

    // Nothing is 30 days old yet.
    assert_eq!(retention.purge().await.unwrap(), Purged::default());

    // Day 31: a new delivery arrives; then the purge.
    env.clock.advance(SignedDuration::from_hours(31 * 24));
    let fresh = instagram(&[("ig-1", vec![ig_comment("c-3", "third", "cy")])]);
    env.post(&fresh).await.unwrap();
    assert_eq!(env.run_jobs().await, 1);
    let purged = retention.purge().await.unwrap();
    assert_eq!(
        purged,
        Purged {
            deliveries: 1,
            messages: 1
        }
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        2
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'retrying'")
            .await,
        1,
        "a delivery still being worked on stays"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_attempts").await,
        1,
        "the purged delivery's attempt went with it"
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM inbox_items WHERE remote_id = 'c-1'")
            .await,
        1,
        "what a purged delivery produced stays"
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM outbound_messages").await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM outbound_deliveries WHERE state = 'retrying'")
            .await,
        1
    );

    // The hourly job: queued once however often processes ask, and it
    // queues the next hour's run.
    retention.ensure_scheduled().await.unwrap();
    retention.ensure_scheduled().await.unwrap();
    assert_eq!(
        env.count("SELECT COUNT(*) FROM jobs WHERE kind = 'webhooks.retention.v1'")
            .await,
        1
    );
}

on_both_backends!(old_finished_logs_go_and_the_rest_stays);
