//! Settings: the account, language, password, signed-in sessions and
//! devices, the members of a workspace, its access tokens (`tokens.rs`)
//! and its audit log. Every change is a
//! small form that posts, then comes back here with a notice
//! (post/redirect/get), so reloading never repeats an action.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{AccountError, Permission, Role};
use herald_core::Named;
use herald_core::{DeviceId, UserId, WorkspaceId};
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, pick_workspace, render, when};
use crate::auth::{Meta, SignedIn};
use crate::i18n::{Catalog, error_copy};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/settings", get(show_settings))
        .route("/home/settings/audit", get(show_audit))
        .route("/settings/password", post(change_password))
        .route("/settings/sessions/{id}/revoke", post(revoke_session))
        .route("/settings/devices/{id}/revoke", post(revoke_device))
        .route("/settings/logout-everywhere", post(log_out_everywhere))
        .route("/workspaces/{id}/invites", post(invite_member))
        .route(
            "/workspaces/{id}/invites/{invite}/revoke",
            post(revoke_invite),
        )
        .route("/workspaces/{id}/members/{user}/role", post(change_role))
        .route(
            "/workspaces/{id}/members/{user}/remove",
            post(remove_member),
        )
}

pub struct SessionRow {
    pub id: String,
    pub agent: String,
    pub ip: String,
    pub created: String,
    pub last_used: String,
    pub current: bool,
}

pub struct DeviceRow {
    pub id: i64,
    pub agent: String,
    pub kind: String,
    pub ip: String,
    pub created: String,
    pub last_used: String,
}

pub struct WorkspaceView {
    pub id: i64,
    pub name: String,
    pub can_manage: bool,
    pub can_audit: bool,
    pub can_review: bool,
    /// An owner, and not their personal workspace.
    pub can_delete: bool,
}

pub struct MemberRow {
    pub id: i64,
    pub label: String,
    pub email: String,
    pub role: &'static str,
    pub role_label: String,
    pub is_me: bool,
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: String,
}

pub struct InviteRow {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    rail: Vec<RailItem>,
    notice: Option<String>,
    error: Option<String>,
    email: String,
    verified: bool,
    sessions: Vec<SessionRow>,
    devices: Vec<DeviceRow>,
    workspace: Option<WorkspaceView>,
    members: Vec<MemberRow>,
    roles: Vec<RoleOption>,
    invite_roles: Vec<RoleOption>,
    invites: Vec<InviteRow>,
    tokens: Option<super::tokens::TokensSection>,
}

#[derive(Deserialize, Default)]
struct SettingsQuery {
    workspace: Option<i64>,
    done: Option<String>,
    error: Option<String>,
}

fn role_label(t: &Catalog, role: Role) -> String {
    t.text(&format!("role.{}", role.as_str())).to_owned()
}

async fn show_settings(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    let accounts = state.accounts();
    let user = &authed.user;
    let sessions = accounts
        .sessions(&authed)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            agent: s.user_agent.unwrap_or_else(|| "—".into()),
            ip: s.ip.unwrap_or_else(|| "—".into()),
            created: when(s.created_at),
            last_used: when(s.last_seen_at),
            current: s.current,
            id: s.id,
        })
        .collect();
    let devices = accounts
        .devices(user)
        .await?
        .into_iter()
        .map(|d| DeviceRow {
            id: d.id.0,
            agent: d.name,
            kind: d.kind,
            ip: d.ip.unwrap_or_else(|| "—".into()),
            created: when(d.created_at),
            last_used: when(d.last_used_at),
        })
        .collect();
    let ws = pick_workspace(&state, user, q.workspace).await?;
    let tokens = match &ws {
        Some(w) => {
            let auth = accounts.require(user, w.id, Permission::View).await?;
            Some(super::tokens::section(&state, c.t, &auth).await?)
        }
        None => None,
    };
    let (workspace, members, invites) = match &ws {
        Some(w) => {
            let members = accounts
                .members(user, w.id)
                .await?
                .into_iter()
                .map(|m| MemberRow {
                    id: m.user_id.0,
                    label: if m.display_name.is_empty() {
                        m.email.clone()
                    } else {
                        m.display_name.clone()
                    },
                    email: m.email,
                    role: m.role.as_str(),
                    role_label: role_label(c.t, m.role),
                    is_me: m.user_id == user.id,
                })
                .collect();
            let can_manage = w.role.allows(Permission::ManageMembers);
            let invites = if can_manage {
                accounts
                    .invites(user, w.id)
                    .await?
                    .into_iter()
                    .map(|i| InviteRow {
                        id: i.id,
                        email: i.email,
                        role: role_label(c.t, i.role),
                        expires: when(i.expires_at),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let view = WorkspaceView {
                id: w.id.0,
                name: w.name.clone(),
                can_manage,
                can_audit: w.role.allows(Permission::ViewAudit),
                can_review: w.role.allows(Permission::ManageConnections),
                can_delete: w.role == Role::Owner && !w.personal,
            };
            (Some(view), members, invites)
        }
        None => (None, Vec::new(), Vec::new()),
    };
    let may_make_owners = ws
        .as_ref()
        .is_some_and(|w| w.role.allows(Permission::ManageOwners));
    let roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner || may_make_owners)
        .map(|r| RoleOption {
            value: r.as_str(),
            label: role_label(c.t, r),
        })
        .collect();
    let invite_roles = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner)
        .map(|r| RoleOption {
            value: r.as_str(),
            label: role_label(c.t, r),
        })
        .collect();
    let locale = c.locale;
    let error = q
        .error
        .as_deref()
        .filter(|code| code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .map(|code| error_copy(locale, code).to_owned());
    render(&SettingsPage {
        rail: rail(Section::Settings),
        notice: known(c.t, "settings.done.", q.done.as_deref()),
        error,
        email: user.email.to_string(),
        verified: user.verified,
        sessions,
        devices,
        workspace,
        members,
        roles,
        invite_roles,
        invites,
        tokens,
        c,
    })
}

/// Back to the settings page with a notice, or with the error's code.
fn back(
    workspace: Option<i64>,
    result: Result<&'static str, AccountError>,
) -> Result<Response, WebError> {
    let ws = workspace
        .map(|w| format!("workspace={w}&"))
        .unwrap_or_default();
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/home/settings?{ws}done={done}")).into_response()),
        Err(e) if crate::error::account_status(&e).is_server_error() => Err(WebError::Account(e)),
        Err(e) => {
            Ok(Redirect::to(&format!("/home/settings?{ws}error={}", e.code())).into_response())
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
}

async fn change_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .change_password(&authed, &form.current, &form.new, &meta)
        .await;
    back(None, result.map(|()| "password_changed"))
}

async fn revoke_session(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .revoke_session(&authed.user, &id, &meta)
        .await;
    back(None, result.map(|()| "session_revoked"))
}

async fn revoke_device(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .revoke_device(&authed.user, DeviceId(id), &meta)
        .await;
    back(None, result.map(|()| "device_revoked"))
}

async fn log_out_everywhere(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
) -> Result<Response, WebError> {
    state
        .accounts()
        .log_out_everywhere(&authed.user, &meta)
        .await?;
    Ok(crate::auth::signed_out(&state))
}

#[derive(Deserialize)]
struct InviteForm {
    email: String,
    role: String,
}

async fn invite_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path(ws): Path<i64>,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let result = match Role::parse(&form.role) {
        Some(role) => {
            state
                .accounts()
                .invite(&authed.user, WorkspaceId(ws), &form.email, role, &meta)
                .await
        }
        None => Err(AccountError::Invalid("unknown_role")),
    };
    back(Some(ws), result.map(|()| "invited"))
}

async fn revoke_invite(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path((ws, invite)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .revoke_invite(&authed.user, WorkspaceId(ws), invite, &meta)
        .await;
    back(Some(ws), result.map(|()| "invite_revoked"))
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
}

async fn change_role(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path((ws, member)): Path<(i64, i64)>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let result = match Role::parse(&form.role) {
        Some(role) => {
            state
                .accounts()
                .change_role(&authed.user, WorkspaceId(ws), UserId(member), role, &meta)
                .await
        }
        None => Err(AccountError::Invalid("unknown_role")),
    };
    back(Some(ws), result.map(|()| "role_changed"))
}

async fn remove_member(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path((ws, member)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .remove_member(&authed.user, WorkspaceId(ws), UserId(member), &meta)
        .await;
    let leaving = member == authed.user.id.0;
    // After leaving, the workspace is no longer one to show.
    let left = leaving && result.is_ok();
    back(
        if left { None } else { Some(ws) },
        result.map(|()| if leaving { "left" } else { "member_removed" }),
    )
}

pub struct AuditRow {
    pub at: String,
    /// Who acted; through a scoped token "via assistant X on behalf of Y".
    pub actor: String,
    pub action: String,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub subject: String,
    pub detail: String,
    pub ip: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    rail: Vec<RailItem>,
    entries: Vec<AuditRow>,
}

/// The audit log's "who": the person, or the token they acted through and
/// on whose behalf ("via assistant “Claude” on behalf of ida@…").
fn actor_words(t: &Catalog, actor: Option<&str>, via: Option<&str>) -> String {
    let actor = actor.unwrap_or("—");
    let Some(via) = via else {
        return actor.to_owned();
    };
    match herald_accounts::parse_via(via) {
        Some((kind, _, name)) => t.format(
            "audit.via",
            &[
                ("kind", kind.as_str().into()),
                ("name", name.into()),
                ("actor", actor.into()),
            ],
        ),
        None => format!("{actor} ({via})"),
    }
}

async fn show_audit(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    let ws = pick_workspace(&state, &authed.user, q.workspace)
        .await?
        .ok_or(WebError::NotFound)?;
    let entries = state
        .accounts()
        .audit_log(&authed.user, ws.id, 500)
        .await?
        .into_iter()
        .map(|e| AuditRow {
            at: when(e.at),
            actor: actor_words(c.t, e.actor.as_deref(), e.via.as_deref()),
            outcome_class: match e.outcome.as_str() {
                "success" => "ok",
                _ => "warn",
            },
            outcome: e.outcome,
            action: e.action,
            subject: e.subject.unwrap_or_default(),
            detail: e.detail,
            ip: e.ip.unwrap_or_else(|| "—".into()),
        })
        .collect();
    render(&AuditPage {
        rail: rail(Section::Settings),
        entries,
        c,
    })
}
