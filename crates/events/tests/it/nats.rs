//! The JetStream sink against a real NATS server (`--ignored nats`).
//!
//! The server comes from `HERALD_TEST_NATS_URL` (e.g.
//! `nats://127.0.0.1:4222`, JetStream enabled); with `CI=true` a missing
//! variable fails the test, elsewhere it is skipped. Each test uses its own
//! stream and subject prefix, deleted afterwards, so runs do not collide.
//! The outage test starts its own `nats-server` (from `PATH`, or
//! `HERALD_TEST_NATS_SERVER`) on a free port.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::message::StreamMessage;
use herald_db::testing::TestDb;
use herald_events::{Delivery, Event, NatsOptions, NatsSink, Relay, RelayStep, Sink, spawn_relay};
use tokio_util::sync::CancellationToken;

use crate::helpers::{event, eventually, options, outbox};

const WAIT: Duration = Duration::from_secs(30);

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// The test server's URL, or None (skip) outside CI.
fn nats_url() -> Option<String> {
    match std::env::var("HERALD_TEST_NATS_URL") {
        Ok(url) => Some(url),
        Err(_) if ci() => panic!(
            "HERALD_TEST_NATS_URL is not set: NATS tests need a server with JetStream, \
             e.g. HERALD_TEST_NATS_URL=nats://127.0.0.1:4222"
        ),
        Err(_) => {
            eprintln!("skipped: set HERALD_TEST_NATS_URL=nats://127.0.0.1:4222 to run");
            None
        }
    }
}

/// Options with a stream and subject prefix of their own.
fn unique_options(url: &str) -> NatsOptions {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut opts = NatsOptions::new(url).with_subject_prefix(&format!("test_{}.", &run[..12]));
    opts.stream = format!("HERALD_TEST_{}", &run[..12]);
    opts.ack_timeout = Duration::from_millis(1500);
    opts
}

/// Every message of the sink's stream, in stream order.
async fn messages(sink: &NatsSink) -> Vec<StreamMessage> {
    let mut stream = sink
        .jetstream()
        .get_stream(&sink.options().stream)
        .await
        .unwrap();
    let state = stream.info().await.unwrap().state.clone();
    let mut out = Vec::new();
    if state.messages == 0 {
        return out;
    }
    for seq in state.first_sequence..=state.last_sequence {
        out.push(stream.get_raw_message(seq).await.unwrap());
    }
    out
}

async fn delete_stream(sink: &NatsSink) {
    let _ = sink.jetstream().delete_stream(&sink.options().stream).await;
}

/// Checks that the stream holds exactly `events`, in order, each once, with
/// its id as the message id and the event as the body.
async fn assert_stream_holds(sink: &NatsSink, events: &[Event]) {
    let got = messages(sink).await;
    assert_eq!(got.len(), events.len(), "one message per event");
    for (msg, want) in got.iter().zip(events) {
        assert_eq!(msg.subject.as_str(), sink.subject_for(want));
        let id = msg.headers.get("Nats-Msg-Id").expect("a message id");
        assert_eq!(id.as_str(), want.id.to_string());
        let body: Event = serde_json::from_slice(&msg.payload).unwrap();
        assert_eq!(&body, want);
    }
}

async fn committed_events_go_to_jetstream_in_order_with_their_id_as_msg_id(t: TestDb) {
    let Some(url) = nats_url() else { return };
    let sink = Arc::new(NatsSink::connect(unique_options(&url)).await.unwrap());
    let (outbox, _) = outbox(&t.db);
    let stop = CancellationToken::new();
    let relay = spawn_relay(outbox.clone(), sink.clone(), options("r1"), stop.clone());

    let mut committed = Vec::new();
    for n in 0..30 {
        let e = event(n);
        let mut tx = t.db.begin().await.unwrap();
        outbox.append(&mut tx, &e).await.unwrap();
        if n % 7 == 3 {
            tx.rollback().await.unwrap();
        } else {
            tx.commit().await.unwrap();
            committed.push(e);
        }
    }
    eventually("the outbox to drain", WAIT, || async {
        outbox.pending_count().await.unwrap() == 0
    })
    .await;
    stop.cancel();
    relay.await.unwrap();
    assert_stream_holds(&sink, &committed).await;
    delete_stream(&sink).await;
}

async fn a_resend_after_a_crash_is_deduplicated_by_msg_id(t: TestDb) {
    let Some(url) = nats_url() else { return };
    let sink = Arc::new(NatsSink::connect(unique_options(&url)).await.unwrap());
    let (outbox, _) = outbox(&t.db);
    let events: Vec<Event> = (0..4).map(event).collect();
    outbox.append_now(&events).await.unwrap();

    // A relay published the first two and died before marking them.
    for e in &events[..2] {
        assert_eq!(sink.publish(e).await.unwrap(), Delivery::Delivered);
    }
    // The relay that takes over sends them again.
    let relay = Relay::new(outbox.clone(), sink.clone(), options("restarted"));
    let step = relay.relay_once().await.unwrap();
    assert!(
        matches!(
            step,
            RelayStep::Relayed {
                count: 4,
                duplicates: 2,
                more: false
            }
        ),
        "{step:?}"
    );
    assert_eq!(outbox.pending_count().await.unwrap(), 0);
    assert_stream_holds(&sink, &events).await;
    delete_stream(&sink).await;
}

/// The `nats-server` binary, if there is one.
fn nats_server_binary() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("HERALD_TEST_NATS_SERVER") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/bin")])
        .map(|dir| dir.join("nats-server"))
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn events_wait_while_nats_is_down_and_go_out_when_it_is_back(t: TestDb) {
    // Needs the configured server too, like every NATS test, so CI runs it.
    let Some(_) = nats_url() else { return };
    let Some(server) = nats_server_binary() else {
        assert!(
            !ci(),
            "nats-server is not installed (apt-get install nats-server)"
        );
        eprintln!("skipped: no nats-server binary");
        return;
    };
    let port = free_port();
    let url = format!("nats://127.0.0.1:{port}");
    let sink = Arc::new(NatsSink::connect(unique_options(&url)).await.unwrap());
    let (outbox, _) = outbox(&t.db);
    let stop = CancellationToken::new();
    let relay = spawn_relay(outbox.clone(), sink.clone(), options("r1"), stop.clone());
    let events: Vec<Event> = (0..5).map(event).collect();
    outbox.append_now(&events).await.unwrap();

    // Nothing listens on the port: the relay fails and retries.
    eventually("failed attempts while NATS is down", WAIT, || async {
        outbox.get(events[0].id).await.unwrap().unwrap().attempts >= 2
    })
    .await;
    assert_eq!(outbox.pending_count().await.unwrap(), 5);

    // NATS comes (back) up on that port.
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(&server)
        .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
        .arg(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start nats-server");
    eventually("the outbox to drain once NATS is back", WAIT, || async {
        outbox.pending_count().await.unwrap() == 0
    })
    .await;
    stop.cancel();
    relay.await.unwrap();
    // Publishes buffered while disconnected may have reached the server as
    // well: the message ids keep one copy of each.
    assert_stream_holds(&sink, &events).await;
    let first = outbox.get(events[0].id).await.unwrap().unwrap();
    assert!(first.attempts >= 3 && first.last_error.is_none());
    child.kill().await.unwrap();
}

/// Like `on_both_backends!`, but every variant is ignored (they need NATS):
/// `nats::sqlite::…` and `nats::postgres::…`.
macro_rules! nats_cases {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs NATS: set HERALD_TEST_NATS_URL and pass --ignored nats"]
                async fn $case() {
                    super::$case(herald_db::testing::TestDb::sqlite().await).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs NATS and PostgreSQL: set HERALD_TEST_NATS_URL and HERALD_TEST_POSTGRES_URL"]
                async fn $case() {
                    super::$case(herald_db::testing::TestDb::postgres().await).await
                }
            )*
        }
    };
}

nats_cases!(
    committed_events_go_to_jetstream_in_order_with_their_id_as_msg_id,
    a_resend_after_a_crash_is_deduplicated_by_msg_id,
    events_wait_while_nats_is_down_and_go_out_when_it_is_back,
);
