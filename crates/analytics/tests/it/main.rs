//! Analytics against a real database (both engines): ingestion through
//! scripted insights readers, the dashboards' queries, the learning hub.

mod fixture;
mod ingest;
mod query;
