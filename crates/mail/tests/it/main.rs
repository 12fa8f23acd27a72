//! Integration tests of outgoing mail: the SMTP transport against a small
//! SMTP server of our own (`smtp_server`), and the outbox with its delivery
//! job on both database backends (the PostgreSQL variants are `#[ignore]`d
//! unless a server is given: `--ignored postgres`).

mod helpers;
mod outbox;
mod smtp;
mod smtp_server;
