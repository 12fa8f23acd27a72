//! The workspace a request acts in, resolved once: the extractors that turn
//! "who is asking" into a proof of membership ([`Authorized`]) that every
//! workspace-scoped service method takes.
//!
//! The workspace is the `{ws}` path parameter when the route has one, else
//! `?workspace=`, else the caller's first workspace. A caller who is not a
//! member of it gets 404, as for anything of a workspace they cannot see;
//! the permission an action needs is named in the extractor's type
//! (`ApiMember<need::ManageWebhooks>`) and checked again by the service it
//! calls: 403 for a member whose role does not allow it.
//!
//! A scoped token (see `herald_accounts::Scope`) is pinned to its own
//! workspace: with no `?workspace=` it acts there, and naming another is
//! 404 like for any non-member. Each API marker also names the scope a
//! token needs for the route (`need::ReadPosts` is `View` with
//! `posts:read`); a token without it gets 403 `insufficient_scope` with
//! `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"`. The
//! proof it then gets carries the token, so the service's own permission
//! check asks the token's scopes as well as the role.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use herald_accounts::{
    Authed, Authorized, Permission, Scope, TokenGrant, User, WorkspaceMembership,
};
use herald_core::WorkspaceId;
use serde::Deserialize;

use crate::auth::{ApiCaller, SignedIn, caller_grant};
use crate::{AppState, WebError};

/// The permission a handler needs, and the scope a token needs for the
/// route, as a type.
pub trait Needs: Send + Sync + 'static {
    const PERMISSION: Permission;
    /// A scope that must be covered by one the token holds (see
    /// `Scope::covers`); `None`: no scoped token may use the route.
    const SCOPE: Option<Scope>;
}

/// The permissions (and, for the API, scopes) handlers name.
pub mod need {
    use super::{Needs, Permission, Scope};

    macro_rules! needs {
        ($($(#[$doc:meta])* $name:ident: $permission:ident, $scope:expr;)*) => {$(
            $(#[$doc])*
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Permission = Permission::$permission;
                const SCOPE: Option<Scope> = $scope;
            }
        )*};
    }

    needs! {
        /// Seeing the workspace, on pages (no token reaches a page; an API
        /// route names what it shows instead).
        View: View, None;
        /// The connected accounts.
        ReadAccounts: View, Some(Scope::AccountsRead);
        /// Posts, targets, receipts and the media library.
        ReadPosts: View, Some(Scope::PostsRead);
        /// Analytics.
        ReadAnalytics: View, Some(Scope::AnalyticsRead);
        /// "Refresh now": reading the accounts' figures from the
        /// platforms spends their rate limits, so it is for those who may
        /// publish; of the scopes, only `posts:write` implies that (a route
        /// asking `analytics:read` would still need it for the permission).
        RefreshAnalytics: Publish, Some(Scope::PostsWrite);
        /// Writing drafts.
        Draft: Draft, Some(Scope::DraftsWrite);
        /// Scheduling, publishing, cancelling, deleting posts.
        Publish: Publish, Some(Scope::PostsWrite);
        /// Approving posts or asking for changes.
        Approve: Approve, Some(Scope::PostsApprove);
        /// Deciding on a post: the service checks who approves (a member
        /// the policy names may approve whatever their role).
        Decide: View, Some(Scope::PostsApprove);
        /// Commenting on a post (the service lets drafters and approvers).
        Comment: View, Some(Scope::DraftsWrite);
        /// Uploading and importing media.
        UploadMedia: Draft, Some(Scope::MediaWrite);
        /// Browsing a connected Drive to import from it.
        BrowseDrive: View, Some(Scope::MediaWrite);
        /// Deleting media (the service also wants `Publish`, so a token
        /// needs `posts:write` besides).
        DeleteMedia: Publish, Some(Scope::MediaWrite);
        /// Connecting and removing platform accounts: never a token's.
        ManageConnections: ManageConnections, None;
        /// The approval policy: never a token's.
        ManageMembers: ManageMembers, None;
        /// Webhook deliveries and outbound endpoints.
        ManageWebhooks: ManageWebhooks, Some(Scope::WebhooksManage);
        /// Reading the engagement inbox.
        ReadInbox: View, Some(Scope::InboxRead);
        /// Working the inbox: assigning, notes, done.
        Triage: Triage, Some(Scope::InboxWrite);
        /// Answering, hiding and deleting in the accounts' name.
        Engage: Engage, Some(Scope::InboxReply);
        /// The content studio's templates, tones, pillars, generations,
        /// drafts and their versions.
        ReadContent: View, Some(Scope::PostsRead);
        /// One's own bookmarks in the studio: a change, so a write scope.
        Bookmark: View, Some(Scope::DraftsWrite);
        /// The studio's spending: usage, costs and quotas.
        ReadUsage: View, Some(Scope::AnalyticsRead);
        /// Setting the studio's quotas: never a token's.
        SetQuotas: SetQuotas, None;
    }
}

#[derive(Deserialize, Default)]
struct WorkspaceQuery {
    workspace: Option<i64>,
}

/// The caller's proof for the workspace `parts` names (see the module
/// notes), if their role there allows `permission`. For a scoped token
/// (authenticated by [`ApiCaller`] earlier in the request): in its own
/// workspace only, and only where its scopes imply `permission` too.
pub async fn resolve(
    parts: &mut Parts,
    state: &AppState,
    user: &User,
    permission: Permission,
) -> Result<Authorized, WebError> {
    let asked = asked(parts, state).await?;
    match caller_grant(parts) {
        Some(grant) => token_proof(state, &grant, asked, permission, None).await,
        None => proof(state, user, asked.map(|w| w.0), permission).await,
    }
}

/// [`resolve`] for a route whose scope is `scope`: a scoped token must
/// hold one that covers it (`None`: no token may use the route), else 403
/// `insufficient_scope`.
pub async fn resolve_scoped(
    parts: &mut Parts,
    state: &AppState,
    user: &User,
    permission: Permission,
    scope: Option<Scope>,
) -> Result<Authorized, WebError> {
    let asked = asked(parts, state).await?;
    match caller_grant(parts) {
        Some(grant) => token_proof(state, &grant, asked, permission, Some(scope)).await,
        None => proof(state, user, asked.map(|w| w.0), permission).await,
    }
}

/// A token's proof: its workspace (another is 404), the route's scope
/// when one is named (403), then its maker's role and its scopes for
/// `permission`.
async fn token_proof(
    state: &AppState,
    grant: &Arc<TokenGrant>,
    asked: Option<WorkspaceId>,
    permission: Permission,
    route_scope: Option<Option<Scope>>,
) -> Result<Authorized, WebError> {
    if asked.is_some_and(|w| w != grant.workspace) {
        return Err(WebError::NotFound);
    }
    if let Some(scope) = route_scope
        && !scope.is_some_and(|s| grant.scopes.covers(s))
    {
        return Err(WebError::InsufficientScope(scope));
    }
    Ok(state
        .accounts()
        .require_token(grant, asked, permission)
        .await?)
}

/// The caller's proof for workspace `asked` (a form's field), else for
/// their first, if their role there allows `permission`. A named workspace
/// is checked directly (one query); only none named needs their list.
/// This is the person's whole role: for a session or a device's token,
/// never for a request that came with a scoped token ([`resolve`] is).
pub(crate) async fn proof(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
    permission: Permission,
) -> Result<Authorized, WebError> {
    match asked {
        Some(id) => Ok(state
            .accounts()
            .require(user, WorkspaceId(id), permission)
            .await?),
        None => Ok(membership(state, user, None, permission).await?.1),
    }
}

/// The caller's membership in workspace `asked` (a form's field or the
/// page's query), else their first, if their role there allows
/// `permission`; a workspace they are not in counts as not asked.
pub(crate) async fn authorize(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
    permission: Permission,
) -> Result<(WorkspaceMembership, Authorized), WebError> {
    membership(state, user, asked.map(WorkspaceId), permission).await
}

/// [`authorize`] for pages that also render for someone in no workspace
/// at all (they see what they could set up): `None` then.
pub(crate) async fn authorize_if_any(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
    permission: Permission,
) -> Result<Option<(WorkspaceMembership, Authorized)>, WebError> {
    match authorize(state, user, asked, permission).await {
        Ok(found) => Ok(Some(found)),
        Err(WebError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The workspace the request names, if it names one; a malformed value is
/// a bad request.
async fn asked(parts: &mut Parts, state: &AppState) -> Result<Option<WorkspaceId>, WebError> {
    let bad = || WebError::BadRequest {
        code: "bad_request",
    };
    if let Ok(params) = RawPathParams::from_request_parts(parts, state).await
        && let Some((_, raw)) = params.iter().find(|(name, _)| *name == "ws")
    {
        return raw.parse().map(Some).map_err(|_| bad());
    }
    let Query(q) = Query::<WorkspaceQuery>::try_from_uri(&parts.uri).map_err(|_| bad())?;
    Ok(q.workspace.map(WorkspaceId))
}

/// The caller's membership in the workspace asked for, or their first
/// when none is asked or they are not in the one asked for.
async fn membership(
    state: &AppState,
    user: &User,
    asked: Option<WorkspaceId>,
    permission: Permission,
) -> Result<(WorkspaceMembership, Authorized), WebError> {
    let all = state.accounts().workspaces(user).await?;
    let asked = asked.filter(|id| all.iter().any(|w| w.id == *id));
    let chosen = match asked {
        Some(id) => all.into_iter().find(|w| w.id == id),
        None => all.into_iter().next(),
    }
    .ok_or(WebError::NotFound)?;
    let auth = state
        .accounts()
        .require(user, chosen.id, permission)
        .await?;
    Ok((chosen, auth))
}

/// An API caller (bearer token or session) who is a member of the
/// workspace the request names, with the permission and (for a scoped
/// token) the scope `N` names.
pub struct ApiMember<N: Needs> {
    pub user: User,
    pub auth: Authorized,
    needs: PhantomData<N>,
}

impl<N: Needs> FromRequestParts<AppState> for ApiMember<N> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ApiCaller(user) = ApiCaller::from_request_parts(parts, state).await?;
        let auth = resolve_scoped(parts, state, &user, N::PERMISSION, N::SCOPE).await?;
        Ok(ApiMember {
            user,
            auth,
            needs: PhantomData,
        })
    }
}

/// A signed-in person on a page of a workspace they are a member of. A
/// page names its workspace only by `?workspace=`, and an unknown one
/// falls back to the person's first (links stay usable after leaving a
/// workspace); someone in no workspace at all gets 404.
pub struct PageMember<N: Needs = need::View> {
    pub authed: Authed,
    pub workspace: WorkspaceMembership,
    pub auth: Authorized,
    needs: PhantomData<N>,
}

impl<N: Needs> FromRequestParts<AppState> for PageMember<N> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let SignedIn(authed) = SignedIn::from_request_parts(parts, state).await?;
        let asked = asked(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let (workspace, auth) = membership(state, &authed.user, asked, N::PERMISSION)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(PageMember {
            authed,
            workspace,
            auth,
            needs: PhantomData,
        })
    }
}
