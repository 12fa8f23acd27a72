//! End-to-end tests of the `herald` binary and the app it serves: HTTP
//! behaviour on a real port, the command line, and (ignored unless run
//! with `--ignored browser`) pages in headless Chromium.

mod accounts;
mod analytics;
mod approvals;
mod browser;
mod cli;
mod connections;
mod data_rights;
mod helpers;
mod http;
mod inbox;
mod mcp;
mod media;
mod notifications;
mod openapi;
mod outbound;
mod pages;
mod posts;
mod routes;
mod security;
mod studio;
mod tokens;
mod webhooks;
mod webhooks_crash;
