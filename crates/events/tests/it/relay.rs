//! The outbox and the relay with in-process subscribers, on both backends:
//! transactions, order, wake-ups, the lease between relays, failures and
//! re-sends, retention.

use std::sync::Arc;
use std::time::Duration;

use herald_core::SignedDuration;
use herald_db::testing::TestDb;
use herald_db::{ConnectOptions, Db, on_both_backends};
use herald_events::{
    Event, EventsError, LocalSink, MAX_PAYLOAD_BYTES, Relay, RelayStep, Subject, spawn_relay,
};
use tokio_util::sync::CancellationToken;

use crate::helpers::{Flaky, Mode, event, eventually, next, number, options, outbox, t0};

const WAIT: Duration = Duration::from_secs(60);

async fn a_rolled_back_append_is_never_relayed(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let relay = Relay::new(outbox.clone(), Arc::new(local.clone()), options("r1"));

    let mut tx = t.db.begin().await.unwrap();
    outbox.append(&mut tx, &event(1)).await.unwrap();
    tx.rollback().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    outbox.append(&mut tx, &event(2)).await.unwrap();
    drop(tx); // dropped without commit: rolled back too
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
    assert!(matches!(relay.relay_once().await.unwrap(), RelayStep::Idle));
    assert!(sub.try_recv().is_none());

    let committed = event(3);
    let mut tx = t.db.begin().await.unwrap();
    outbox.append(&mut tx, &committed).await.unwrap();
    tx.commit().await.unwrap();
    let step = relay.relay_once().await.unwrap();
    assert!(
        matches!(
            step,
            RelayStep::Relayed {
                count: 1,
                duplicates: 0,
                more: false
            }
        ),
        "{step:?}"
    );
    assert_eq!(sub.try_recv().unwrap(), committed);
    assert!(sub.try_recv().is_none());
    let stored = outbox.get(committed.id).await.unwrap().unwrap();
    assert_eq!(stored.relayed_at, Some(t0()));
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.event, committed);
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
}

async fn committed_events_reach_local_subscribers_in_order(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut all = local.subscribe("platform.publish.>").unwrap();
    let mut instagram_results = local
        .subscribe("platform.publish.result.instagram")
        .unwrap();
    let stop = CancellationToken::new();
    let relay = spawn_relay(
        outbox.clone(),
        Arc::new(local.clone()),
        options("r1"),
        stop.clone(),
    );

    // 120 events in 12 transactions, more than two batches.
    for chunk in 0..12 {
        let mut tx = t.db.begin().await.unwrap();
        for n in chunk * 10..chunk * 10 + 10 {
            outbox.append(&mut tx, &event(n)).await.unwrap();
        }
        tx.commit().await.unwrap();
    }
    for n in 0..120 {
        let got = next(&mut all, WAIT).await;
        assert_eq!(number(&got), n, "events arrive in outbox order");
    }
    let expected: Vec<usize> = (0..120).filter(|n| n % 2 == 0 && n % 3 == 0).collect();
    for n in expected {
        let got = next(&mut instagram_results, WAIT).await;
        assert_eq!(got.subject.as_str(), "platform.publish.result.instagram");
        assert_eq!(number(&got), n);
    }
    eventually("the outbox to drain", WAIT, || async {
        outbox.pending_count().await.unwrap() == 0
    })
    .await;
    assert!(all.try_recv().is_none() && instagram_results.try_recv().is_none());
    stop.cancel();
    relay.await.unwrap();
}

async fn a_commit_wakes_the_relay_without_waiting_for_the_poll(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let stop = CancellationToken::new();
    let mut opts = options("r1");
    opts.poll_interval = Duration::from_secs(600);
    let relay = spawn_relay(outbox.clone(), Arc::new(local.clone()), opts, stop.clone());
    // Let the relay take the lease and go idle (its first step finds nothing).
    eventually("the relay to take the lease", WAIT, || async {
        Relay::new(outbox.clone(), Arc::new(LocalSink::new()), options("probe"))
            .lease_holder()
            .await
            .unwrap()
            .is_some_and(|(owner, _)| owner == "r1")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;

    for n in 0..3 {
        let mut tx = t.db.begin().await.unwrap();
        outbox.append(&mut tx, &event(n)).await.unwrap();
        tx.commit().await.unwrap();
        // Far sooner than the ten-minute poll: only the wake-up can do this.
        let got = next(&mut sub, WAIT).await;
        assert_eq!(number(&got), n);
    }
    stop.cancel();
    relay.await.unwrap();
    assert!(
        Relay::new(outbox, Arc::new(local), options("probe"))
            .lease_holder()
            .await
            .unwrap()
            .is_none(),
        "a stopped relay gives its lease up"
    );
}

async fn a_relay_that_dies_after_publishing_is_replaced_and_resends(t: TestDb) {
    let (outbox, clock) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let crashing = Flaky::new(local.clone(), Mode::DeliverThenFail);
    let a = Relay::new(outbox.clone(), crashing, options("relay-a"));
    let b = Relay::new(outbox.clone(), Arc::new(local.clone()), options("relay-b"));
    let first = event(1);
    outbox.append_now(&[first.clone(), event(2)]).await.unwrap();

    // A publishes the first event and "dies" before marking it.
    let step = a.relay_once().await.unwrap();
    assert!(
        matches!(step, RelayStep::Failed { relayed: 0, .. }),
        "{step:?}"
    );
    assert_eq!(sub.try_recv().unwrap(), first);
    let stored = outbox.get(first.id).await.unwrap().unwrap();
    assert_eq!(stored.relayed_at, None);
    assert_eq!(stored.attempts, 1);
    assert!(stored.last_error.unwrap().contains("the test sink is down"));

    // B waits while A's lease lasts, then takes over and sends it again.
    assert!(matches!(b.relay_once().await.unwrap(), RelayStep::Standby));
    clock.advance(SignedDuration::from_secs(31));
    let step = b.relay_once().await.unwrap();
    assert!(
        matches!(step, RelayStep::Relayed { count: 2, .. }),
        "{step:?}"
    );
    let again = sub.try_recv().unwrap();
    assert_eq!(again.id, first.id, "the re-send carries the same event id");
    assert_eq!(number(&sub.try_recv().unwrap()), 2);
    let stored = outbox.get(first.id).await.unwrap().unwrap();
    assert_eq!(stored.attempts, 2);
    assert_eq!(stored.last_error, None);
    assert!(stored.relayed_at.is_some());
    // A is back, but B holds the lease now.
    assert!(matches!(a.relay_once().await.unwrap(), RelayStep::Standby));
}

async fn only_the_lease_holder_relays_and_a_released_lease_passes_on(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let a = Relay::new(outbox.clone(), Arc::new(local.clone()), options("relay-a"));
    let b = Relay::new(outbox.clone(), Arc::new(local.clone()), options("relay-b"));
    assert!(matches!(a.relay_once().await.unwrap(), RelayStep::Idle));
    outbox.append_now([&event(1)]).await.unwrap();
    assert!(matches!(b.relay_once().await.unwrap(), RelayStep::Standby));
    assert!(sub.try_recv().is_none());
    assert_eq!(
        a.lease_holder().await.unwrap().unwrap(),
        ("relay-a".to_owned(), t0() + SignedDuration::from_secs(30))
    );
    a.release().await.unwrap();
    assert!(matches!(
        b.relay_once().await.unwrap(),
        RelayStep::Relayed { count: 1, .. }
    ));
    assert_eq!(number(&sub.try_recv().unwrap()), 1);
    assert!(matches!(a.relay_once().await.unwrap(), RelayStep::Standby));
}

async fn two_running_relays_deliver_every_event_once_in_order(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let stop = CancellationToken::new();
    let mut opts_a = options("relay-a");
    let mut opts_b = options("relay-b");
    opts_a.poll_interval = Duration::from_millis(10);
    opts_b.poll_interval = Duration::from_millis(10);
    // Separate handles, as in two processes: no shared wake-up.
    let other = herald_events::Outbox::new(t.db.clone(), outbox.clock().clone());
    let a = spawn_relay(
        outbox.clone(),
        Arc::new(local.clone()),
        opts_a,
        stop.clone(),
    );
    let b = spawn_relay(other, Arc::new(local.clone()), opts_b, stop.clone());
    for n in 0..150 {
        outbox.append_now([&event(n)]).await.unwrap();
    }
    for n in 0..150 {
        assert_eq!(number(&next(&mut sub, WAIT).await), n);
    }
    eventually("the outbox to drain", WAIT, || async {
        outbox.pending_count().await.unwrap() == 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(sub.try_recv().is_none(), "no event was relayed twice");
    stop.cancel();
    a.await.unwrap();
    b.await.unwrap();
}

async fn a_failing_sink_keeps_events_pending_until_it_recovers(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let sink = Flaky::new(local.clone(), Mode::Refuse);
    let stop = CancellationToken::new();
    let relay = spawn_relay(outbox.clone(), sink.clone(), options("r1"), stop.clone());
    let events: Vec<Event> = (0..5).map(event).collect();
    outbox.append_now(&events).await.unwrap();

    eventually("retries of the first event", WAIT, || async {
        outbox.get(events[0].id).await.unwrap().unwrap().attempts >= 3
    })
    .await;
    assert_eq!(outbox.pending_count().await.unwrap(), 5);
    let head = outbox.pending(10).await.unwrap();
    assert_eq!(head.len(), 5);
    assert!(head[0].last_error.as_deref().unwrap().contains("down"));
    assert!(
        head[1..].iter().all(|e| e.attempts == 0),
        "later events wait behind the first"
    );
    assert!(sub.try_recv().is_none());

    sink.set(Mode::Deliver);
    for want in &events {
        assert_eq!(&next(&mut sub, WAIT).await, want);
    }
    eventually("the outbox to drain", WAIT, || async {
        outbox.pending_count().await.unwrap() == 0
    })
    .await;
    let first = outbox.get(events[0].id).await.unwrap().unwrap();
    assert_eq!(first.last_error, None);
    stop.cancel();
    relay.await.unwrap();
}

async fn relayed_events_are_purged_after_retention_and_pending_ones_kept(t: TestDb) {
    let (outbox, clock) = outbox(&t.db);
    let local = LocalSink::new();
    let relay = Relay::new(outbox.clone(), Arc::new(local.clone()), options("r1"));
    let old = event(1);
    outbox.append_now([&old]).await.unwrap();
    relay.relay_once().await.unwrap();
    clock.advance(SignedDuration::from_hours(24 * 6));
    let recent = event(2);
    outbox.append_now([&recent]).await.unwrap();
    relay.relay_once().await.unwrap();
    let pending = event(3);
    outbox.append_now([&pending]).await.unwrap();

    clock.advance(SignedDuration::from_hours(24 * 2));
    assert_eq!(relay.purge().await.unwrap(), 1);
    assert!(outbox.get(old.id).await.unwrap().is_none());
    assert!(outbox.get(recent.id).await.unwrap().is_some());
    clock.advance(SignedDuration::from_hours(24 * 30));
    assert_eq!(relay.purge().await.unwrap(), 1);
    assert!(outbox.get(recent.id).await.unwrap().is_none());
    assert!(
        outbox.get(pending.id).await.unwrap().is_some(),
        "pending events are never purged"
    );
}

async fn an_event_is_stored_once_and_oversized_payloads_are_refused(t: TestDb) {
    let (outbox, _) = outbox(&t.db);
    let e = event(1);
    outbox.append_now([&e]).await.unwrap();
    let err = outbox.append_now([&e]).await.unwrap_err();
    assert!(
        matches!(err, EventsError::Duplicate(id) if id == e.id),
        "{err:?}"
    );

    let big = Event::new(
        Subject::parse("platform.publish.request.tiktok").unwrap(),
        serde_json::json!({ "blob": "x".repeat(MAX_PAYLOAD_BYTES) }),
        t0(),
    );
    let err = outbox.append_now([&big]).await.unwrap_err();
    assert!(matches!(err, EventsError::TooLarge { .. }), "{err:?}");
    assert_eq!(outbox.pending_count().await.unwrap(), 1);
}

on_both_backends!(
    a_rolled_back_append_is_never_relayed,
    committed_events_reach_local_subscribers_in_order,
    a_commit_wakes_the_relay_without_waiting_for_the_poll,
    a_relay_that_dies_after_publishing_is_replaced_and_resends,
    only_the_lease_holder_relays_and_a_released_lease_passes_on,
    two_running_relays_deliver_every_event_once_in_order,
    a_failing_sink_keeps_events_pending_until_it_recovers,
    relayed_events_are_purged_after_retention_and_pending_ones_kept,
    an_event_is_stored_once_and_oversized_payloads_are_refused,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_an_append_in_another_process_wakes_the_relay() {
    let t = TestDb::postgres().await;
    let (outbox, clock) = outbox(&t.db);
    let local = LocalSink::new();
    let mut sub = local.subscribe(">").unwrap();
    let stop = CancellationToken::new();
    let mut opts = options("r1");
    opts.poll_interval = Duration::from_secs(600);
    let relay = spawn_relay(outbox.clone(), Arc::new(local.clone()), opts, stop.clone());
    eventually("the relay to take the lease and listen", WAIT, || async {
        herald_db::testing::listening_connections(&t.db).await == 1
            && Relay::new(outbox.clone(), Arc::new(LocalSink::new()), options("probe"))
                .lease_holder()
                .await
                .unwrap()
                .is_some_and(|(owner, _)| owner == "r1")
    })
    .await;
    // Let its first step find nothing and go to sleep.
    tokio::time::sleep(Duration::from_millis(50)).await;

    // Another process: its own pool and its own wake-ups.
    let other_db = Db::connect(&t.url, &ConnectOptions::default())
        .await
        .unwrap();
    let other = herald_events::Outbox::new(other_db.clone(), clock);
    other.append_now([&event(1)]).await.unwrap();
    // Far sooner than the ten-minute poll: only the notification can do this.
    assert_eq!(number(&next(&mut sub, WAIT).await), 1);
    stop.cancel();
    relay.await.unwrap();
    other_db.close().await;
}
