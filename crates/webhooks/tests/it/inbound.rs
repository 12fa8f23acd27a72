//! Inbound Meta deliveries on both engines: signature checks that store
//! nothing, storage before the answer with deduplication, group commit
//! under concurrency, routing to every workspace that connected an
//! account, exactly-once processing, the retry schedule ending dead,
//! replay, and the history's filters and masking.

use std::collections::HashSet;
use std::time::Duration;

use bytes::Bytes;
use herald_core::Clock;
use herald_core::WorkspaceId;
use herald_db::on_both_backends;
use herald_db::testing::TestDb;
use herald_jobs::JobState;
use herald_notify::{NoticeParam, NotificationKind};
use herald_webhooks::signature::{MetaSecrets, SignatureError};
use herald_webhooks::{
    AppSecrets, AppliedCounts, AttemptSummary, AttemptTrigger, DeliveryFilter, DeliveryId,
    DeliveryStatus, MAX_DELIVERY_BYTES, MetaApp, MetaApps, ProcessDelivery, RETRY_SCHEDULE,
    ReceiveError,
};
use serde_json::json;

/// An applied attempt's summary with these comment and mention counts.
fn applied(comments: u64, mentions: u64) -> AttemptSummary {
    AttemptSummary::Applied(AppliedCounts {
        comments,
        mentions,
        ..AppliedCounts::default()
    })
}

use crate::fixtures::{
    Env, INSTAGRAM_SECRET, OLD_SECRET, SECRET, VERIFY_TOKEN, ctx, ig_comment, instagram,
    page_comment, payload,
};

/// An editor, a workspace and an Instagram business account `ig-1` in it.
async fn one_account(env: &Env) -> (herald_core::UserId, WorkspaceId, String) {
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    let conn = env
        .connect(
            ws,
            "facebook",
            "instagram_business",
            "ig-1",
            "fb-user-1",
            "Acme IG",
        )
        .await;
    (ida, ws, conn)
}

async fn a_signed_delivery_is_stored_before_the_answer_and_processed_once(t: TestDb) {
    let env = Env::new(t).await;
    let (ida, ws, conn) = one_account(&env).await;
    // Meta's rendering: non-ASCII escaped, as signed.
    let body = instagram(&[(
        "ig-1",
        vec![
            ig_comment("c-1", "Love it", "ana"),
            ig_comment("c-2", "sch\u{f6}n", "bo"),
            json!({"field": "mentions", "value": {"media_id": "media-7", "comment_id": "c-9"}}),
        ],
    )])
    .replace('\u{f6}', "\\u00f6");
    assert!(body.contains("sch\\u00f6n"));

    let received = env.post(&body).await.unwrap();
    assert!(!received.duplicate);
    // Committed before `receive` returned: the row and its job exist.
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );
    let jobs = env.queued().await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "webhooks.process.v1");
    assert_eq!(jobs[0].max_attempts, 9);
    assert_eq!(jobs[0].payload["delivery"], received.id.0);

    assert_eq!(env.run_jobs().await, 1);
    assert_eq!(env.run_jobs().await, 0, "processed once");
    assert_eq!(
        env.count("SELECT COUNT(*) FROM inbox_items WHERE kind = 'comment' AND state = 'new'")
            .await,
        2
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM inbox_items WHERE kind = 'mention'")
            .await,
        1
    );
    let text: String = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar(
            "SELECT text FROM inbox_items WHERE remote_id = 'c-2' AND connection_id = $1",
        )
        .bind(&conn)
        .fetch_one(pool)
        .await
        .unwrap()
    });
    assert_eq!(text, "sch\u{f6}n");

    let detail = env
        .inbound
        .get(&env.manager(ws).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.status, DeliveryStatus::Processed);
    assert_eq!(detail.summary.attempts, 1);
    assert_eq!(detail.summary.object, "instagram");
    assert_eq!(detail.summary.fields, ["comments", "mentions"]);
    assert_eq!(detail.summary.entry_ids, ["ig-1"]);
    assert_eq!(detail.summary.size, body.len() as i64);
    assert!(detail.summary.processed_at.is_some());
    assert_eq!(detail.body, body, "the raw body exactly as received");
    assert_eq!(detail.attempts.len(), 1);
    let attempt = &detail.attempts[0];
    assert!(attempt.succeeded);
    assert_eq!(attempt.trigger, AttemptTrigger::Automatic);
    assert_eq!(attempt.summary, applied(2, 1));
    assert_eq!(detail.routes.len(), 1);
    assert_eq!(detail.routes[0].connection_id, conn);
    assert_eq!(detail.routes[0].connection_name, "Acme IG");
    assert_eq!(detail.routes[0].provider, "facebook");

    // The member hears of both kinds, with a link to the delivery.
    let notices = env
        .notifications
        .list(&env.auth(ida, ws).await, 50)
        .await
        .unwrap();
    let kinds: HashSet<NotificationKind> = notices.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds,
        HashSet::from([NotificationKind::Comment, NotificationKind::Mention])
    );
    let comment = notices
        .iter()
        .find(|n| n.kind == NotificationKind::Comment)
        .unwrap();
    let notice = comment.notice.as_ref().unwrap();
    assert_eq!(notice.code, "comment");
    assert_eq!(notice.text("account"), Some("Acme IG"));
    assert_eq!(notice.params["count"], NoticeParam::Count(2));
    let link = format!("/home/webhooks/deliveries/{}", received.id.0);
    assert!(notices.iter().all(|n| n.link.as_deref() == Some(&link)));
}

async fn the_same_bytes_twice_are_one_delivery_and_one_processing(t: TestDb) {
    let env = Env::new(t).await;
    one_account(&env).await;
    let body = instagram(&[("ig-1", vec![ig_comment("c-1", "hi", "ana")])]);
    let first = env.post(&body).await.unwrap();
    let again = env.post(&body).await.unwrap();
    assert!(!first.duplicate);
    assert!(again.duplicate);
    assert_eq!(again.id, first.id);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );
    assert_eq!(env.queued().await.len(), 1);
    assert_eq!(env.run_jobs().await, 1);
    // Sent again after processing: still nothing new to do.
    assert!(env.post(&body).await.unwrap().duplicate);
    assert_eq!(env.run_jobs().await, 0);
    assert_eq!(env.count("SELECT COUNT(*) FROM webhook_attempts").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 1);

    // Meta re-batches: the same comment inside different bytes is a new
    // delivery, but still one item (keyed by the comment's id).
    let rebatched = instagram(&[(
        "ig-1",
        vec![
            ig_comment("c-1", "hi", "ana"),
            ig_comment("c-2", "new", "bo"),
        ],
    )]);
    assert!(!env.post(&rebatched).await.unwrap().duplicate);
    assert_eq!(env.run_jobs().await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        2
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 2);
}

async fn a_stored_payload_that_no_longer_parses_is_dead_at_once(t: TestDb) {
    let env = Env::new(t).await;
    one_account(&env).await;
    let received = env
        .post(&instagram(&[(
            "ig-1",
            vec![ig_comment("c-1", "hi", "ana")],
        )]))
        .await
        .unwrap();
    // Only a damaged database could do this: nothing stored is unparsable.
    herald_db::on_pool!(env.db(), |pool| {
        sqlx::query("UPDATE webhook_deliveries SET body = 'garbage' WHERE id = $1")
            .bind(received.id.0)
            .execute(pool)
            .await
            .unwrap();
    });
    assert_eq!(env.run_jobs().await, 1);
    let (status, attempts, error): (String, i64, Option<String>) =
        herald_db::on_pool!(env.db(), |pool| {
            sqlx::query_as("SELECT status, attempts, last_error FROM webhook_deliveries")
                .fetch_one(pool)
                .await
                .unwrap()
        });
    assert_eq!((status.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap().contains("not a webhook payload"));
    assert!(env.queued().await.is_empty());
    assert_eq!(
        env.queue
            .list(JobState::Dead, Some("webhooks"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn bad_signatures_store_nothing_and_a_rotated_secret_still_works(t: TestDb) {
    let env = Env::new(t).await;
    one_account(&env).await;
    let body = instagram(&[("ig-1", vec![ig_comment("c-1", "hi", "ana")])]);
    let bytes = Bytes::copy_from_slice(body.as_bytes());
    let good = env.headers(&bytes);
    let with_signature = |value: &str| {
        good.iter()
            .map(|(n, v)| {
                if n == "X-Hub-Signature-256" {
                    (n.clone(), value.to_owned())
                } else {
                    (n.clone(), v.clone())
                }
            })
            .collect::<Vec<_>>()
    };
    let signature = env.secrets.sign(&bytes).unwrap();

    // The body changed after signing.
    let tampered = Bytes::from(body.replace("hi", "ho"));
    let err = env
        .inbound
        .receive(MetaApp::Facebook, good.clone(), tampered)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReceiveError::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    // No signature at all.
    let unsigned: Vec<_> = good
        .iter()
        .filter(|(n, _)| n != "X-Hub-Signature-256")
        .cloned()
        .collect();
    let err = env
        .inbound
        .receive(MetaApp::Facebook, unsigned, bytes.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReceiveError::Signature(SignatureError::Missing)),
        "{err:?}"
    );
    // Another app's secret.
    let foreign = MetaSecrets::new(["someone else's secret"])
        .sign(&bytes)
        .unwrap();
    let err = env
        .inbound
        .receive(MetaApp::Facebook, with_signature(&foreign), bytes.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReceiveError::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    // The Instagram app's secret on the Facebook app's callback: each app
    // verifies with its own secrets only.
    let other_app = env.instagram_secrets.sign(&bytes).unwrap();
    let err = env
        .inbound
        .receive(MetaApp::Facebook, with_signature(&other_app), bytes.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReceiveError::Signature(SignatureError::Mismatch)),
        "{err:?}"
    );
    // Malformed headers.
    for bad in [
        signature.replace("sha256=", "sha1="),
        signature[..signature.len() - 1].to_owned(),
        format!("{}z", &signature[..signature.len() - 1]),
        "sha256=".to_owned(),
    ] {
        let err = env
            .inbound
            .receive(MetaApp::Facebook, with_signature(&bad), bytes.clone())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ReceiveError::Signature(SignatureError::Malformed)),
            "{bad}: {err:?}"
        );
    }
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        0
    );
    assert_eq!(env.queued().await.len(), 0);

    // Signed with the previous secret during a rotation: accepted. The
    // header name is matched without regard to case.
    let rotated = MetaSecrets::new([OLD_SECRET]).sign(&bytes).unwrap();
    let headers = vec![("x-hub-signature-256".to_owned(), rotated)];
    assert!(
        !env.inbound
            .receive(MetaApp::Facebook, headers, bytes)
            .await
            .unwrap()
            .duplicate
    );
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );

    // The subscription handshake.
    assert_eq!(
        env.inbound
            .verify_subscription("subscribe", VERIFY_TOKEN, "1158201444")
            .as_deref(),
        Some("1158201444")
    );
    assert!(
        env.inbound
            .verify_subscription("subscribe", "wrong", "1")
            .is_none()
    );
    assert!(
        env.inbound
            .verify_subscription("unsubscribe", VERIFY_TOKEN, "1")
            .is_none()
    );
}

async fn oversized_and_malformed_payloads_are_refused_and_store_nothing(t: TestDb) {
    let env = Env::new(t).await;
    // Too large: refused before anything else is looked at.
    let huge = Bytes::from(vec![b' '; MAX_DELIVERY_BYTES + 1]);
    let err = env
        .inbound
        .receive(MetaApp::Facebook, env.headers(&huge), huge.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReceiveError::TooLarge(n) if n == MAX_DELIVERY_BYTES + 1),
        "{err:?}"
    );

    // Signed correctly, but not a webhook payload.
    for bad in [
        &b"not json at all"[..],
        b"{\"object\":\"instagram\"}",
        b"{\"object\":\"instagram\",\"entry\":{}}",
        b"[1,2,3]",
        b"{\"object\":\"instagram\",\"entry\":[]",
        b"{\"object\":\"caf\xc3\",\"entry\":[]}",
    ] {
        let bytes = Bytes::copy_from_slice(bad);
        let err = env
            .inbound
            .receive(MetaApp::Facebook, env.headers(&bytes), bytes)
            .await
            .unwrap_err();
        assert!(matches!(err, ReceiveError::Malformed(_)), "{err:?}");
    }
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        0
    );
    assert_eq!(env.queued().await.len(), 0);
}

async fn a_batch_of_three_hundred_comments_across_two_accounts_is_fully_processed(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    let a = env
        .connect(
            ws,
            "facebook",
            "instagram_business",
            "ig-a",
            "fb-1",
            "Acme A",
        )
        .await;
    let b = env
        .connect(
            ws,
            "facebook",
            "instagram_business",
            "ig-b",
            "fb-1",
            "Acme B",
        )
        .await;
    let comments = |prefix: &str| -> Vec<serde_json::Value> {
        (0..150)
            .map(|i| ig_comment(&format!("{prefix}-{i}"), &format!("comment {i}"), "fan"))
            .collect()
    };
    let body = instagram(&[("ig-a", comments("a")), ("ig-b", comments("b"))]);
    let received = env.post(&body).await.unwrap();
    assert_eq!(env.run_jobs().await, 1);

    for conn in [&a, &b] {
        let n: i64 = herald_db::on_pool!(env.db(), |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM inbox_items WHERE connection_id = $1")
                .bind(conn)
                .fetch_one(pool)
                .await
                .unwrap()
        });
        assert_eq!(n, 150);
    }
    let detail = env
        .inbound
        .get(&env.manager(ws).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.entries, 2);
    assert_eq!(detail.attempts[0].summary, applied(300, 0));
    assert_eq!(detail.routes.len(), 2);
    // One notice per account, not one per comment.
    let notices = env
        .notifications
        .list(&env.auth(ida, ws).await, 50)
        .await
        .unwrap();
    let mut said: Vec<(&str, &NoticeParam)> = notices
        .iter()
        .map(|n| {
            let notice = n.notice.as_ref().unwrap();
            assert_eq!(notice.code, "comment");
            (notice.text("account").unwrap(), &notice.params["count"])
        })
        .collect();
    said.sort_by_key(|(account, _)| *account);
    assert_eq!(
        said,
        [
            ("Acme A", &NoticeParam::Count(150)),
            ("Acme B", &NoticeParam::Count(150))
        ]
    );
}

async fn deliveries_reach_only_connections_of_the_app_and_kind_of_secret_they_came_with(t: TestDb) {
    // The Facebook app is real; the Instagram app is the sandbox's.
    let apps = MetaApps {
        facebook: AppSecrets::real(MetaSecrets::new([SECRET])),
        instagram: AppSecrets::sandbox(MetaSecrets::new([INSTAGRAM_SECRET])),
    };
    let env = Env::with_apps(t, apps).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let ws = env.workspace("Acme", &[ida]).await;
    // The same Instagram account id behind three connections: through the
    // real Facebook app, through the (sandbox) Instagram app, and a real
    // Instagram Login connection left from before the sandbox was on.
    let via_facebook = env
        .connect(ws, "facebook", "instagram_business", "ig-1", "fb-1", "A")
        .await;
    let via_sandbox = env
        .connect(
            ws,
            "instagram",
            "instagram_account",
            "ig-1",
            "ig-user-1",
            "B",
        )
        .await;
    env.mark_sandbox(&via_sandbox).await;
    let other_ws = env.workspace("Other", &[ida]).await;
    let real_instagram = env
        .connect(
            other_ws,
            "instagram",
            "instagram_account",
            "ig-1",
            "ig-user-1",
            "C",
        )
        .await;
    let db = env.db().clone();
    let items = |conn: String| {
        let db = db.clone();
        async move {
            herald_db::on_pool!(&db, |pool| {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM inbox_items WHERE connection_id = $1",
                )
                .bind(conn)
                .fetch_one(pool)
                .await
                .unwrap()
            })
        }
    };

    // Each app's secret only on its own route.
    let body = instagram(&[("ig-1", vec![ig_comment("c-1", "hi", "ana")])]);
    for (app, secrets) in [
        (MetaApp::Facebook, &env.instagram_secrets),
        (MetaApp::Instagram, &env.secrets),
    ] {
        let err = env.post_to(app, secrets, &body).await.unwrap_err();
        assert!(
            matches!(err, ReceiveError::Signature(SignatureError::Mismatch)),
            "{app:?}: {err:?}"
        );
    }
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        0
    );

    // The real Facebook app's delivery reaches only the connection made
    // through it.
    env.post_to(MetaApp::Facebook, &env.secrets, &body)
        .await
        .unwrap();
    assert_eq!(env.run_jobs().await, 1);
    assert_eq!(items(via_facebook.clone()).await, 1);
    assert_eq!(items(via_sandbox.clone()).await, 0);
    assert_eq!(items(real_instagram.clone()).await, 0);

    // The sandbox Instagram app's delivery reaches only the sandbox
    // connection: never a real account, whatever its id.
    let body = instagram(&[("ig-1", vec![ig_comment("c-2", "ho", "ben")])]);
    env.post_to(MetaApp::Instagram, &env.instagram_secrets, &body)
        .await
        .unwrap();
    assert_eq!(env.run_jobs().await, 1);
    assert_eq!(items(via_facebook).await, 1);
    assert_eq!(items(via_sandbox).await, 1);
    assert_eq!(items(real_instagram).await, 0);
    assert!(
        env.inbound
            .list(&env.manager(other_ws).await, &DeliveryFilter::default())
            .await
            .unwrap()
            .is_empty(),
        "the other workspace sees neither delivery"
    );
}

async fn a_batch_for_two_workspaces_shows_each_only_its_own_entries(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let max = env.user("max@example.com", "Max").await;
    let ours = env.workspace("Ours", &[ida]).await;
    let theirs = env.workspace("Theirs", &[max]).await;
    env.connect(
        ours,
        "facebook",
        "instagram_business",
        "ig-ours",
        "fb-1",
        "Ours",
    )
    .await;
    env.connect(
        theirs,
        "facebook",
        "instagram_business",
        "ig-theirs",
        "fb-2",
        "Theirs",
    )
    .await;
    // One signed delivery batching both tenants' events.
    let body = payload(
        "instagram",
        &[
            (
                "ig-ours",
                vec![ig_comment("c-ours", "sourdough secrets", "ana")],
            ),
            (
                "ig-theirs",
                vec![
                    ig_comment("c-theirs", "confidential launch plan", "bo"),
                    json!({"field": "mentions", "value": {"media_id": "m-theirs"}}),
                ],
            ),
        ],
    );
    let received = env.post(&body).await.unwrap();
    assert_eq!(env.run_jobs().await, 1);

    for (me, mine, mine_text, other, other_text, my_fields) in [
        (
            ours,
            "ig-ours",
            "sourdough",
            "ig-theirs",
            "confidential",
            vec!["comments"],
        ),
        (
            theirs,
            "ig-theirs",
            "confidential",
            "ig-ours",
            "sourdough",
            vec!["comments", "mentions"],
        ),
    ] {
        let list = env
            .inbound
            .list(&env.manager(me).await, &DeliveryFilter::default())
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].entry_ids, [mine]);
        assert_eq!(list[0].entries, 1);
        assert_eq!(list[0].fields, my_fields);
        let detail = env
            .inbound
            .get(&env.manager(me).await, received.id)
            .await
            .unwrap()
            .unwrap();
        assert!(detail.body.contains(mine) && detail.body.contains(mine_text));
        assert!(
            !detail.body.contains(other) && !detail.body.contains(other_text),
            "{}",
            detail.body
        );
        let shown = format!("{detail:?}");
        assert!(
            !shown.contains(other) && !shown.contains(other_text),
            "{shown}"
        );
        assert!(
            !detail
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        );
        // Searching for the other's words or ids finds nothing here.
        for text in [other_text, other] {
            let filter = DeliveryFilter {
                text: Some(text.to_owned()),
                ..DeliveryFilter::default()
            };
            assert!(
                env.inbound
                    .list(&env.manager(me).await, &filter)
                    .await
                    .unwrap()
                    .is_empty(),
                "{text}"
            );
        }
        let filter = DeliveryFilter {
            text: Some(mine_text.to_owned()),
            ..DeliveryFilter::default()
        };
        assert_eq!(
            env.inbound
                .list(&env.manager(me).await, &filter)
                .await
                .unwrap()
                .len(),
            1
        );
        let (_, fields) = env.inbound.facets(&env.manager(me).await).await.unwrap();
        assert_eq!(fields, my_fields);
    }
    // Only they had a mention: filtering ours by it finds nothing, and our
    // attempt counts only our comment.
    let mentions = DeliveryFilter {
        field: Some("mentions".to_owned()),
        ..DeliveryFilter::default()
    };
    assert!(
        env.inbound
            .list(&env.manager(ours).await, &mentions)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        env.inbound
            .list(&env.manager(theirs).await, &mentions)
            .await
            .unwrap()
            .len(),
        1
    );
    let ours_detail = env
        .inbound
        .get(&env.manager(ours).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ours_detail.attempts[0].summary, applied(1, 0));
    let theirs_detail = env
        .inbound
        .get(&env.manager(theirs).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(theirs_detail.attempts[0].summary, applied(1, 1));
}

async fn a_page_connected_by_two_workspaces_is_routed_to_both(t: TestDb) {
    let env = Env::new(t).await;
    let ida = env.user("ida@example.com", "Ida").await;
    let max = env.user("max@example.com", "Max").await;
    let one = env.workspace("One", &[ida]).await;
    let two = env.workspace("Two", &[max]).await;
    let outsider = env.workspace("Three", &[ida]).await;
    let c1 = env
        .connect(
            one,
            "facebook",
            "facebook_page",
            "page-1",
            "fb-1",
            "Bakery (One)",
        )
        .await;
    let c2 = env
        .connect(
            two,
            "facebook",
            "facebook_page",
            "page-1",
            "fb-2",
            "Bakery (Two)",
        )
        .await;
    // An Instagram account with the same id is not a Page.
    env.connect(
        outsider,
        "facebook",
        "instagram_business",
        "page-1",
        "fb-1",
        "Not a page",
    )
    .await;

    let body = payload(
        "page",
        &[("page-1", vec![page_comment("pc-1", "add", "Fresh bread?")])],
    );
    let received = env.post(&body).await.unwrap();
    env.run_jobs().await;

    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 2);
    for (ws, conn, person) in [(one, &c1, ida), (two, &c2, max)] {
        let listed = env
            .inbound
            .list(&env.manager(ws).await, &DeliveryFilter::default())
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, received.id);
        let detail = env
            .inbound
            .get(&env.manager(ws).await, received.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(detail.routes.len(), 1, "only this workspace's route");
        assert_eq!(&detail.routes[0].connection_id, conn);
        let notices = env
            .notifications
            .list(&env.auth(person, ws).await, 10)
            .await
            .unwrap();
        assert_eq!(notices.len(), 1);
        let notice = notices[0].notice.as_ref().unwrap();
        assert_eq!(notice.text("author"), Some("Bo"), "{notice:?}");
        assert_eq!(notice.text("author_kind"), Some("name"));
        assert!(
            notice
                .text("account")
                .is_some_and(|a| a.starts_with("Bakery (")),
            "{notice:?}"
        );
    }
    assert!(
        env.inbound
            .get(&env.manager(outsider).await, received.id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        env.inbound
            .list(&env.manager(outsider).await, &DeliveryFilter::default())
            .await
            .unwrap()
            .is_empty()
    );

    // An edit updates both items; a removal marks them removed.
    let edit = payload(
        "page",
        &[(
            "page-1",
            vec![page_comment("pc-1", "edited", "Fresh rolls?")],
        )],
    );
    env.post(&edit).await.unwrap();
    let remove = payload(
        "page",
        &[("page-1", vec![page_comment("pc-1", "remove", "")])],
    );
    env.post(&remove).await.unwrap();
    env.run_jobs().await;
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 2);
    assert_eq!(
        env.count(
            "SELECT COUNT(*) FROM inbox_items WHERE state = 'removed' AND text = 'Fresh rolls?'"
        )
        .await,
        2
    );
    // Updates raise no new notices.
    assert_eq!(
        env.notifications
            .list(&env.auth(ida, one).await, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn an_entry_without_a_connected_account_is_recorded_not_failed(t: TestDb) {
    let env = Env::new(t).await;
    let (_, ws, _) = one_account(&env).await;
    let body = instagram(&[
        ("ig-1", vec![ig_comment("c-1", "hi", "ana")]),
        ("ig-unknown", vec![ig_comment("c-2", "hello", "bo")]),
    ]);
    let mixed = env.post(&body).await.unwrap();
    let lonely = env
        .post(&instagram(&[("999", vec![ig_comment("c-3", "x", "y")])]))
        .await
        .unwrap();
    let other_object = env
        .post(&payload(
            "user",
            &[("ig-1", vec![json!({"field": "email", "value": "x"})])],
        ))
        .await
        .unwrap();
    assert_eq!(env.run_jobs().await, 3);
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 1);
    let detail = env
        .inbound
        .get(&env.manager(ws).await, mixed.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.status, DeliveryStatus::Processed);
    // The workspace reads its own counts; the entry about an account no
    // one connected is not its business (the attempt row keeps the whole
    // summary for the operator's logs).
    assert_eq!(detail.attempts[0].summary, applied(1, 0));
    assert_eq!(detail.summary.entry_ids, ["ig-1"]);
    assert!(!detail.body.contains("ig-unknown"));
    let overall: String = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT summary FROM webhook_attempts WHERE delivery_id = $1")
            .bind(mixed.id.0)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(
        serde_json::from_str::<AttemptSummary>(&overall).unwrap(),
        AttemptSummary::Applied(AppliedCounts {
            comments: 1,
            unrouted: vec!["ig-unknown".to_owned()],
            ..AppliedCounts::default()
        })
    );
    // Processed, but routed nowhere: no workspace sees them.
    let statuses: Vec<String> = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT status FROM webhook_deliveries WHERE id IN ($1, $2) ORDER BY id")
            .bind(lonely.id.0)
            .bind(other_object.id.0)
            .fetch_all(pool)
            .await
            .unwrap()
    });
    assert_eq!(statuses, ["processed", "processed"]);
    let summaries: Vec<String> = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT summary FROM webhook_attempts WHERE delivery_id IN ($1, $2) ORDER BY delivery_id")
            .bind(lonely.id.0)
            .bind(other_object.id.0)
            .fetch_all(pool)
            .await
            .unwrap()
    });
    let summaries: Vec<AttemptSummary> = summaries
        .iter()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect();
    assert_eq!(
        summaries,
        [
            AttemptSummary::Applied(AppliedCounts {
                unrouted: vec!["999".to_owned()],
                ..AppliedCounts::default()
            }),
            AttemptSummary::Applied(AppliedCounts {
                ignored: 1,
                ..AppliedCounts::default()
            }),
        ]
    );
    let listed = env
        .inbound
        .list(&env.manager(ws).await, &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(listed.iter().map(|d| d.id).collect::<Vec<_>>(), [mixed.id]);
}

async fn failed_processing_follows_the_retry_schedule_then_is_dead_and_replayable(t: TestDb) {
    let env = Env::new(t).await;
    let (ida, ws, _) = one_account(&env).await;
    env.break_table("inbox_items").await;
    let body = instagram(&[("ig-1", vec![ig_comment("c-1", "hi", "ana")])]);
    let received = env.post(&body).await.unwrap();

    let mut made = 0usize;
    loop {
        let ran = env.run_jobs().await;
        assert!(
            ran >= 1,
            "after {made} attempts, the next one runs when due"
        );
        let detail = env
            .inbound
            .get(&env.manager(ws).await, received.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(detail.summary.attempts as usize, made + ran);
        made += ran;
        assert_eq!(detail.attempts.len(), made);
        assert!(detail.attempts.iter().all(|a| !a.succeeded));
        assert!(
            detail
                .summary
                .last_error
                .as_deref()
                .unwrap()
                .contains("injected failure"),
            "{:?}",
            detail.summary.last_error
        );
        if made == 1 + RETRY_SCHEDULE.len() {
            assert_eq!(detail.summary.status, DeliveryStatus::Dead);
            break;
        }
        if made == 2 {
            // The first retry came at once.
            assert_eq!(detail.attempts[1].started_at, detail.attempts[0].started_at);
        }
        // Routed before applying failed: the history shows it, retrying.
        assert_eq!(detail.summary.status, DeliveryStatus::Retrying);
        let queued = env.queued().await;
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].attempts as usize, made);
        let wait = Duration::try_from(env.clock.now().duration_until(queued[0].run_at))
            .unwrap_or(Duration::ZERO);
        let expected = RETRY_SCHEDULE[made - 1];
        assert!(
            wait >= expected.mul_f64(0.8) && wait <= expected.mul_f64(1.2),
            "after attempt {made}: waits {wait:?}, the schedule says {expected:?}"
        );
        if !wait.is_zero() {
            // Not a moment before it is due.
            env.advance(wait - Duration::from_millis(1));
            assert_eq!(env.run_jobs().await, 0);
            env.advance(Duration::from_millis(1));
        }
    }
    // The job is dead too, and the workspace was told once.
    assert!(env.queued().await.is_empty());
    let dead = env
        .queue
        .list(JobState::Dead, Some("webhooks"), 10)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    let notices = env
        .notifications
        .list(&env.auth(ida, ws).await, 10)
        .await
        .unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].kind, NotificationKind::DeliveryDead);
    assert_eq!(
        notices[0].link.as_deref(),
        Some(format!("/home/webhooks/deliveries/{}", received.id.0).as_str())
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 0);

    // Fixed, then replayed as one of "all failed since": a new, recorded
    // attempt by that person, and the item exactly once.
    env.repair_table("inbox_items").await;
    let queued = env
        .inbound
        .replay_failed_since(&env.auth(ida, ws).await, crate::fixtures::t0())
        .await
        .unwrap();
    assert_eq!(queued, 1);
    assert_eq!(env.run_jobs().await, 1);
    let detail = env
        .inbound
        .get(&env.manager(ws).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.status, DeliveryStatus::Processed);
    assert_eq!(detail.summary.last_error, None);
    assert_eq!(detail.attempts.len(), 10);
    let last = detail.attempts.last().unwrap();
    assert!(last.succeeded);
    assert_eq!(
        last.trigger,
        AttemptTrigger::Replay {
            by: Some(ida),
            by_name: Some("Ida".to_owned())
        }
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 1);
    // Nothing failed is left to replay.
    assert_eq!(
        env.inbound
            .replay_failed_since(&env.auth(ida, ws).await, crate::fixtures::t0())
            .await
            .unwrap(),
        0
    );
}

async fn replay_records_a_new_attempt_and_never_duplicates(t: TestDb) {
    let env = Env::new(t).await;
    let (ida, ws, _) = one_account(&env).await;
    let stranger = env.user("eve@example.com", "").await;
    let elsewhere = env.workspace("Elsewhere", &[stranger]).await;
    let body = instagram(&[(
        "ig-1",
        vec![
            ig_comment("c-1", "hi", "ana"),
            json!({"field": "story_insights", "value": {"media_id": "story-1", "impressions": 10, "reach": 7}}),
        ],
    )]);
    let received = env.post(&body).await.unwrap();
    env.run_jobs().await;
    let notices_before = env.count("SELECT COUNT(*) FROM notifications").await;

    // Another workspace cannot replay what was not routed to it.
    assert_eq!(
        env.inbound
            .replay(&env.auth(stranger, elsewhere).await, &[received.id])
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        env.inbound
            .replay(
                &env.auth(ida, ws).await,
                &[received.id, DeliveryId(987_654)]
            )
            .await
            .unwrap(),
        1
    );
    assert_eq!(env.run_jobs().await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        1
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM story_insights").await, 1);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM notifications").await,
        notices_before,
        "nothing new, nothing announced"
    );
    let detail = env
        .inbound
        .get(&env.manager(ws).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.attempts.len(), 2);
    assert_eq!(detail.attempts[0].trigger, AttemptTrigger::Automatic);
    assert_eq!(
        detail.attempts[1].trigger,
        AttemptTrigger::Replay {
            by: Some(ida),
            by_name: Some("Ida".into())
        }
    );
    assert_eq!(detail.attempts[1].number, 2);
    assert_eq!(detail.summary.attempts, 2);

    // A later delivery updates the insights; replaying the older one
    // afterwards does not turn them back.
    let newer = instagram(&[(
        "ig-1",
        vec![
            json!({"field": "story_insights", "value": {"media_id": "story-1", "impressions": 25, "reach": 20}}),
        ],
    )]);
    env.post(&newer).await.unwrap();
    env.run_jobs().await;
    env.inbound
        .replay(&env.auth(ida, ws).await, &[received.id])
        .await
        .unwrap();
    env.run_jobs().await;
    assert_eq!(
        env.count("SELECT impressions FROM story_insights WHERE media_id = 'story-1'")
            .await,
        25
    );
}

async fn a_job_run_again_after_its_commit_changes_and_records_nothing(t: TestDb) {
    let env = Env::new(t).await;
    let (_, ws, _) = one_account(&env).await;
    let received = env
        .post(&instagram(&[(
            "ig-1",
            vec![ig_comment("c-1", "hi", "ana")],
        )]))
        .await
        .unwrap();
    let job = env.queued().await[0].id.0;
    let payload = ProcessDelivery {
        delivery: received.id.0,
        replay_by: None,
    };
    env.inbound.process(&payload, &ctx(job, 1)).await.unwrap();
    // The worker died after the commit: the same run again, and the
    // rescued job's next attempt.
    env.inbound.process(&payload, &ctx(job, 1)).await.unwrap();
    env.inbound.process(&payload, &ctx(job, 2)).await.unwrap();
    assert_eq!(env.count("SELECT COUNT(*) FROM webhook_attempts").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM notifications").await, 1);
    let detail = env
        .inbound
        .get(&env.manager(ws).await, received.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.summary.attempts, 1);

    // A failed run recorded already is reported again, not recorded twice.
    let second = env
        .post(&instagram(&[("ig-1", vec![ig_comment("c-2", "yo", "bo")])]))
        .await
        .unwrap();
    env.break_table("inbox_items").await;
    let payload = ProcessDelivery {
        delivery: second.id.0,
        replay_by: None,
    };
    let job = 1_000_000;
    assert!(env.inbound.process(&payload, &ctx(job, 1)).await.is_err());
    assert!(env.inbound.process(&payload, &ctx(job, 1)).await.is_err());
    let attempts: i64 = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM webhook_attempts WHERE delivery_id = $1")
            .bind(second.id.0)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(attempts, 1);
}

async fn two_hundred_concurrent_deliveries_are_all_stored_with_unique_ids(t: TestDb) {
    let env = std::sync::Arc::new(Env::new(t).await);
    one_account(&env).await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let env = env.clone();
        tasks.push(tokio::spawn(async move {
            let body = instagram(&[("ig-1", vec![ig_comment(&format!("c-{i}"), "hi", "ana")])]);
            env.post(&body).await
        }));
    }
    // The same bytes as one of them, at the same time: one row.
    let dup = {
        let env = env.clone();
        tokio::spawn(async move {
            env.post(&instagram(&[(
                "ig-1",
                vec![ig_comment("c-7", "hi", "ana")],
            )]))
            .await
        })
    };
    let mut ids = HashSet::new();
    for task in tasks {
        let received = task.await.unwrap().unwrap();
        ids.insert(received.id);
    }
    let dup = dup.await.unwrap().unwrap();
    assert!(ids.contains(&dup.id));
    assert_eq!(ids.len(), 200);
    assert_eq!(
        env.count("SELECT COUNT(*) FROM webhook_deliveries").await,
        200
    );
    assert_eq!(env.queued().await.len(), 200);
    assert_eq!(env.run_jobs().await, 200);
    assert_eq!(env.count("SELECT COUNT(*) FROM inbox_items").await, 200);
}

async fn the_history_filters_and_masks(t: TestDb) {
    let env = Env::new(t).await;
    let (_, ws, _) = one_account(&env).await;
    env.connect(
        ws,
        "facebook",
        "facebook_page",
        "page-1",
        "fb-user-1",
        "Acme Page",
    )
    .await;
    let t0 = crate::fixtures::t0();
    let hour = Duration::from_secs(3600);

    let first = env
        .post(&instagram(&[(
            "ig-1",
            vec![ig_comment("c-1", "We LOVE this 100%", "ana")],
        )]))
        .await
        .unwrap();
    env.advance(hour);
    let second = env
        .post(&instagram(&[(
            "ig-1",
            vec![json!({"field": "mentions", "value": {"media_id": "m-2"}})],
        )]))
        .await
        .unwrap();
    env.advance(hour);
    let third = env
        .post(
            &payload(
                "page",
                &[("page-1", vec![page_comment("pc-1", "add", "Sch\u{f6}n!")])],
            )
            .replace('\u{f6}', "\\u00f6"),
        )
        .await
        .unwrap();
    env.run_jobs().await;
    // A fourth one fails once and is left retrying.
    env.advance(hour);
    env.break_table("story_insights").await;
    let fourth = env
        .post(&instagram(&[(
            "ig-1",
            vec![json!({"field": "story_insights", "value": {"media_id": "s-1", "reach": 1}})],
        )]))
        .await
        .unwrap();
    env.run_jobs().await;
    env.repair_table("story_insights").await;

    let manager = env.manager(ws).await;
    let ids = |filter: DeliveryFilter| {
        let inbound = env.inbound.clone();
        let manager = manager.clone();
        async move {
            inbound
                .list(&manager, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(DeliveryFilter::default()).await,
        [fourth.id, third.id, second.id, first.id],
        "newest first"
    );
    assert_eq!(
        ids(DeliveryFilter {
            status: Some(DeliveryStatus::Retrying),
            ..Default::default()
        })
        .await,
        [fourth.id]
    );
    assert_eq!(
        ids(DeliveryFilter {
            status: Some(DeliveryStatus::Dead),
            ..Default::default()
        })
        .await,
        []
    );
    assert_eq!(
        ids(DeliveryFilter {
            object: Some("page".into()),
            ..Default::default()
        })
        .await,
        [third.id]
    );
    assert_eq!(
        ids(DeliveryFilter {
            field: Some("mentions".into()),
            ..Default::default()
        })
        .await,
        [second.id]
    );
    assert_eq!(
        ids(DeliveryFilter {
            field: Some("mention".into()),
            ..Default::default()
        })
        .await,
        [],
        "a field matches whole"
    );
    let at = |h: i64| t0 + herald_core::SignedDuration::from_hours(h);
    assert_eq!(
        ids(DeliveryFilter {
            from: Some(at(1)),
            to: Some(at(3)),
            ..Default::default()
        })
        .await,
        [third.id, second.id]
    );
    assert_eq!(
        ids(DeliveryFilter {
            text: Some("love THIS".into()),
            ..Default::default()
        })
        .await,
        [first.id],
        "case-insensitive"
    );
    assert_eq!(
        ids(DeliveryFilter {
            text: Some("sch\u{f6}n".into()),
            ..Default::default()
        })
        .await,
        [third.id],
        "found through Meta's escaping"
    );
    assert_eq!(
        ids(DeliveryFilter {
            text: Some("%".into()),
            ..Default::default()
        })
        .await,
        [first.id],
        "no wildcards"
    );
    assert_eq!(
        ids(DeliveryFilter {
            before: Some(third.id),
            limit: 1,
            ..Default::default()
        })
        .await,
        [second.id]
    );

    let (objects, fields) = env.inbound.facets(&env.manager(ws).await).await.unwrap();
    assert_eq!(objects, ["instagram", "page"]);
    assert_eq!(fields, ["comments", "feed", "mentions", "story_insights"]);

    let detail = env
        .inbound
        .get(&env.manager(ws).await, first.id)
        .await
        .unwrap()
        .unwrap();
    let header = |name: &str| {
        detail
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let signature = header("X-Hub-Signature-256");
    assert!(signature.ends_with("…(masked)"), "{signature}");
    assert_eq!(signature.chars().count(), 10 + "…(masked)".chars().count());
    assert_eq!(header("Content-Type"), "application/json");
    // Stored as received: only the display masks.
    let stored: String = herald_db::on_pool!(env.db(), |pool| {
        sqlx::query_scalar("SELECT headers FROM webhook_deliveries WHERE id = $1")
            .bind(first.id.0)
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert!(stored.contains("sha256="));
    assert!(!stored.contains("(masked)"));
}

async fn with_the_database_down_a_delivery_is_refused_so_meta_sends_it_again(t: TestDb) {
    let env = Env::new(t).await;
    let body = instagram(&[("ig-1", vec![ig_comment("c-1", "hi", "ana")])]);
    env.db().close().await;
    let err = env.post(&body).await.unwrap_err();
    assert!(matches!(err, ReceiveError::Storage(_)), "{err:?}");
}

on_both_backends!(
    a_signed_delivery_is_stored_before_the_answer_and_processed_once,
    the_same_bytes_twice_are_one_delivery_and_one_processing,
    a_stored_payload_that_no_longer_parses_is_dead_at_once,
    bad_signatures_store_nothing_and_a_rotated_secret_still_works,
    oversized_and_malformed_payloads_are_refused_and_store_nothing,
    a_batch_of_three_hundred_comments_across_two_accounts_is_fully_processed,
    a_page_connected_by_two_workspaces_is_routed_to_both,
    a_batch_for_two_workspaces_shows_each_only_its_own_entries,
    deliveries_reach_only_connections_of_the_app_and_kind_of_secret_they_came_with,
    an_entry_without_a_connected_account_is_recorded_not_failed,
    failed_processing_follows_the_retry_schedule_then_is_dead_and_replayable,
    replay_records_a_new_attempt_and_never_duplicates,
    a_job_run_again_after_its_commit_changes_and_records_nothing,
    two_hundred_concurrent_deliveries_are_all_stored_with_unique_ids,
    the_history_filters_and_masks,
    with_the_database_down_a_delivery_is_refused_so_meta_sends_it_again,
);
