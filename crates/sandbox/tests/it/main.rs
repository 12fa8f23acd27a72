//! Integration tests: the router driven through `oneshot` with a manual
//! clock, one module per simulated platform (and Meta insights) plus faults, the admin API, the
//! webhook sender and the engagement simulators.

mod admin;
mod ai;
mod engagement;
mod faults;
mod google;
mod helpers;
mod insights;
mod instagram;
mod meta;
mod meta_insights;
mod meta_publish;
mod subscriptions;
mod tiktok;
mod tiktok_posting;
mod video_publishing;
mod webhooks;
mod youtube_after_upload;
