//! Integration tests of herald-events: the outbox and the relay with
//! in-process subscribers on both database backends (the PostgreSQL variants
//! are `#[ignore]`d unless run with `--ignored postgres`), and the JetStream
//! sink against a real NATS server (`--ignored nats`, with
//! `HERALD_TEST_NATS_URL`).

mod helpers;
mod nats;
mod relay;
