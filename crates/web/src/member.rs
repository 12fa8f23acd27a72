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

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Query, RawPathParams};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use herald_accounts::{Authed, Authorized, Permission, User, WorkspaceMembership};
use herald_core::WorkspaceId;
use serde::Deserialize;

use crate::auth::{ApiCaller, SignedIn};
use crate::{AppState, WebError};

/// The permission a handler needs, as a type.
pub trait Needs: Send + Sync + 'static {
    const PERMISSION: Permission;
}

/// The permissions handlers name.
pub mod need {
    use super::{Needs, Permission};

    macro_rules! needs {
        ($($name:ident),*) => {$(
            pub struct $name;
            impl Needs for $name {
                const PERMISSION: Permission = Permission::$name;
            }
        )*};
    }

    needs!(
        View,
        Draft,
        Publish,
        ManageConnections,
        ManageWebhooks,
        ManageMembers
    );
}

#[derive(Deserialize, Default)]
struct WorkspaceQuery {
    workspace: Option<i64>,
}

/// The caller's proof for the workspace `parts` names (see the module
/// notes), if their role there allows `permission`.
pub(crate) async fn resolve(
    parts: &mut Parts,
    state: &AppState,
    user: &User,
    permission: Permission,
) -> Result<Authorized, WebError> {
    let asked = asked(parts, state).await?;
    proof(state, user, asked.map(|w| w.0), permission).await
}

/// The caller's proof for workspace `asked` (a form's field), else for
/// their first, if their role there allows `permission`. A named workspace
/// is checked directly (one query); only none named needs their list.
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
/// workspace the request names.
pub struct ApiMember<N: Needs = need::View> {
    pub user: User,
    pub auth: Authorized,
    needs: PhantomData<N>,
}

impl<N: Needs> FromRequestParts<AppState> for ApiMember<N> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let ApiCaller(user) = ApiCaller::from_request_parts(parts, state).await?;
        let auth = resolve(parts, state, &user, N::PERMISSION).await?;
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
