//! Wake-ups through `Notifications`: after commit only, per channel and
//! topic, and on PostgreSQL from other processes through one listener
//! connection.

use std::time::{Duration, Instant};

use herald_db::testing::TestDb;
use herald_db::{ConnectOptions, Db, Notifications, Subscription, on_both_backends, on_pool};

const WAKE: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(200);

async fn woken(sub: &Subscription, within: Duration) -> bool {
    tokio::time::timeout(within, sub.notified()).await.is_ok()
}

async fn subscribers_on_two_channels_wake_when_the_transaction_commits(t: TestDb) {
    let hub = Notifications::new(&t.db);
    let jobs = hub.subscribe("herald_test_jobs", "mail");
    let events = hub.subscribe("herald_test_events", "");
    let other_queue = hub.subscribe("herald_test_jobs", "media");

    let mut tx = t.db.begin().await.unwrap();
    hub.notify_after_commit(&mut tx, "herald_test_jobs", "mail")
        .await
        .unwrap();
    hub.notify_after_commit(&mut tx, "herald_test_events", "")
        .await
        .unwrap();
    assert!(!woken(&jobs, QUIET).await, "no wake-up before the commit");
    tx.commit().await.unwrap();

    assert!(woken(&jobs, WAKE).await);
    assert!(woken(&events, WAKE).await);
    assert!(
        !woken(&other_queue, QUIET).await,
        "another topic of the channel is not woken"
    );
}

async fn a_rolled_back_transaction_wakes_nobody(t: TestDb) {
    let hub = Notifications::new(&t.db);
    let sub = hub.subscribe("herald_test_jobs", "mail");
    let mut tx = t.db.begin().await.unwrap();
    hub.notify_after_commit(&mut tx, "herald_test_jobs", "mail")
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert!(!woken(&sub, QUIET).await);

    hub.notify("herald_test_jobs", "mail");
    assert!(woken(&sub, WAKE).await, "a direct notify still arrives");
}

async fn a_wake_up_before_the_wait_is_kept_for_it(t: TestDb) {
    let hub = Notifications::new(&t.db);
    let first = hub.subscribe("herald_test_events", "");
    let second = hub.subscribe("herald_test_events", "");
    hub.notify("herald_test_events", "");
    hub.notify("herald_test_events", "");
    // Every subscriber gets its own wake-up, kept until it waits; repeated
    // wake-ups before a wait count once.
    assert!(woken(&first, WAKE).await);
    assert!(woken(&second, WAKE).await);
    assert!(!woken(&first, QUIET).await);
}

on_both_backends!(
    subscribers_on_two_channels_wake_when_the_transaction_commits,
    a_rolled_back_transaction_wakes_nobody,
    a_wake_up_before_the_wait_is_kept_for_it,
);

/// Sends `pg_notify(channel, topic)` from `sender` until `sub` wakes: the
/// listener LISTENs a moment after the subscription is made.
async fn notify_until_woken(sender: &Db, channel: &str, topic: &str, sub: &Subscription) {
    let deadline = Instant::now() + WAKE;
    loop {
        send(sender, channel, topic).await;
        if woken(sub, Duration::from_millis(100)).await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no wake-up for {channel}/{topic} from another connection"
        );
    }
}

async fn send(sender: &Db, channel: &str, topic: &str) {
    on_pool!(sender, |pool| {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel)
            .bind(topic)
            .execute(pool)
            .await
            .unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_one_listener_connection_wakes_subscribers_of_two_channels() {
    let t = TestDb::postgres().await;
    // Another process: its own pool, no shared handle.
    let other = Db::connect(&t.url, &ConnectOptions::default())
        .await
        .unwrap();
    let hub = Notifications::new(&t.db);
    let jobs = hub.subscribe("herald_test_jobs", "mail");
    let events = hub.subscribe("herald_test_events", "");
    let barrier = hub.subscribe("herald_test_events", "barrier");

    notify_until_woken(&other, "herald_test_jobs", "mail", &jobs).await;
    notify_until_woken(&other, "herald_test_events", "", &events).await;
    assert_eq!(
        herald_db::testing::listening_connections(&t.db).await,
        1,
        "both channels share one connection"
    );

    // Notifications arrive in commit order. Every retry for `jobs` was sent
    // before `events` woke, so a wake-up they left is waiting by now.
    woken(&jobs, Duration::ZERO).await;
    send(&other, "herald_test_jobs", "media").await;
    send(&other, "herald_test_events", "barrier").await;
    assert!(woken(&barrier, WAKE).await);
    assert!(
        !woken(&jobs, Duration::ZERO).await,
        "a topic nobody waits for wakes nobody"
    );

    // The listener stops with its last subscription.
    drop((jobs, events, barrier));
    let deadline = Instant::now() + WAKE;
    while herald_db::testing::listening_connections(&t.db).await > 0 {
        assert!(Instant::now() < deadline, "the listener kept listening");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    other.close().await;
}
