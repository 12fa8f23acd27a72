//! Integration tests: Herald's real platform adapters against the sandbox
//! simulators, served on loopback HTTP with a manual clock. One module per
//! provider for the OAuth flows, `client` for every fault class, the
//! publishers, `engage` for replies, messages and moderation,
//! `insights_meta` for the Meta insights readers, `subscriptions` for
//! webhook subscriptions, `tiktok_posting` for TikTok's audit rules, caps,
//! post settings and moderation delay, and `youtube_after_upload` for what
//! YouTube does with an upload once its bytes are in.

mod client;
mod engage;
mod helpers;
mod insights_meta;
mod insights_tiktok_youtube;
mod instagram;
mod meta;
mod publish_meta;
mod publish_tiktok_youtube;
mod publishing;
mod subscriptions;
mod tiktok;
mod tiktok_posting;
mod youtube;
mod youtube_after_upload;
