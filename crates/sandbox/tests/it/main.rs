//! Integration tests: the router driven through `oneshot` with a manual
//! clock, one module per simulated platform plus faults and the admin API.

mod admin;
mod faults;
mod google;
mod helpers;
mod instagram;
mod meta;
mod meta_publish;
mod tiktok;
mod video_publishing;
