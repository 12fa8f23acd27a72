//! Integration tests of the job queue. Every case runs on SQLite and on
//! PostgreSQL (the PostgreSQL variants are `#[ignore]`d unless a server is
//! given: `.ci/run` runs them with `--ignored`).

mod helpers;
mod processes;
mod queue;
mod worker;
