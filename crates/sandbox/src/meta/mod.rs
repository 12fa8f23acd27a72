//! Facebook Login and the Graph API on graph.facebook.com. `login` has the
//! login dialog and the code and `fb_exchange_token` exchanges; `nodes` the
//! reads: `/me`, `/me/accounts` (Pages with Page tokens and linked Instagram
//! business accounts), `/me/permissions` (GET, and DELETE = the person
//! removes the app), Page and Instagram business account reads, and
//! `debug_token`; `publish` Instagram content publishing (on both Graph
//! hosts) and Facebook Page posts; `engage` comment moderation, replies,
//! private replies and direct messages (on both hosts); `insights` account,
//! media, Page and post insights (on both hosts). This module holds the
//! token checks they share.
//!
//! Models: short user tokens (1 h) that exchange once for long ones
//! (5183944 s, no refresh), Page tokens that never expire when derived from
//! a long token, scope checks, `appsecret_proof` verification when sent, and
//! the usage headers / throttling of [`crate::graph`].

mod engage;
pub(crate) mod insights;
mod login;
mod nodes;
mod publish;
mod subscriptions;

pub use insights::{MetaPost, MetaSurface};
pub(crate) use publish::MetaPublishing;
pub(crate) use publish::store::{Comment, CommentHome, ContainerKind, FoundComment, numeric_id};
pub(crate) use subscriptions::{Subscriber, Subscriptions};

use axum::Router;
use axum::routing::get;

use crate::graph::{GraphCall, GraphError};
use crate::oauth::{hex, hmac_sha256, random_base62};
use crate::seed::{MetaPage, meta_user};
use crate::state::TokenRecord;
use crate::{Platform, Sandbox};

pub(crate) const SHORT_LIVED_SECS: i64 = 3600;
pub(crate) const LONG_LIVED_SECS: i64 = 5_183_944;

pub(crate) fn router() -> Router<Sandbox> {
    Router::new()
        .route(
            "/www.facebook.com/{ver}/dialog/oauth",
            get(login::show_dialog).post(login::submit_dialog),
        )
        .route(
            "/graph.facebook.com/{ver}/oauth/access_token",
            get(login::exchange_code).post(login::exchange_code),
        )
        .route("/graph.facebook.com/{ver}/me", get(nodes::get_me))
        .route(
            "/graph.facebook.com/{ver}/me/accounts",
            get(nodes::list_accounts),
        )
        .route(
            "/graph.facebook.com/{ver}/me/permissions",
            get(nodes::list_permissions).delete(nodes::delete_permissions),
        )
        .route(
            "/graph.facebook.com/{ver}/debug_token",
            get(nodes::inspect_token),
        )
        .route(
            "/graph.facebook.com/{ver}/{id}",
            get(publish::facebook_node)
                .post(engage::write_facebook_node)
                .delete(engage::write_facebook_node),
        )
        .merge(publish::router())
}

fn new_token() -> String {
    format!("EAAG{}", random_base62(160))
}

// ----------------------------------------------------------- token checks

/// The caller's token record, or the Graph error for a missing, malformed,
/// expired or revoked token. App tokens (`id|secret`) count as missing.
fn caller(
    sb: &Sandbox,
    call: &GraphCall,
    missing: fn() -> GraphError,
) -> Result<(String, TokenRecord), GraphError> {
    let Some(token) = call.token.clone().filter(|t| !t.contains('|')) else {
        return Err(missing());
    };
    let app = &sb.config().meta;
    if let Some(proof) = call.params.get("appsecret_proof")
        && proof != appsecret_proof(&app.client_secret, &token)
    {
        return Err(GraphError::param(
            "Invalid appsecret_proof provided in the API argument",
        ));
    }
    let now = sb.now();
    let record = sb
        .read(|st| st.check(&token, Platform::Meta, now).cloned())
        .map_err(|problem| GraphError::from_problem(problem, &app.client_id, now))?;
    Ok((token, record))
}

/// `hex(HMAC-SHA256(key = app secret, message = token))`.
fn appsecret_proof(secret: &str, token: &str) -> String {
    hex(&hmac_sha256(secret.as_bytes(), token.as_bytes()))
}

fn has_scope(record: &TokenRecord, scope: &str) -> bool {
    record.scopes.iter().any(|s| s == scope)
}

/// The Pages the person kept for this app (slot order).
fn granted_pages(sb: &Sandbox, record: &TokenRecord) -> Vec<MetaPage> {
    let slots = sb.read(|st| {
        st.grant(Platform::Meta, &record.client_id, &record.user)
            .map(|g| g.pages.clone())
            .unwrap_or_default()
    });
    let user = meta_user(&record.user, &sb.config().public_base);
    user.pages
        .into_iter()
        .filter(|p| slots.contains(&p.slot))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appsecret_proof_is_hex_hmac_sha256() {
        // HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog")
        assert_eq!(
            appsecret_proof("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
