//! Analytics against a real database (both engines): ingestion through
//! scripted insights readers, the dashboards' queries, the learning hub
//! (guides, recommendations) and anomalies.

mod anomaly;
mod fixture;
mod guides;
mod helpers;
mod ingest;
mod query;
mod recommend;
