//! Settings → Approvals: the workspace's approval policy. Everyone in the
//! workspace sees it (they need to know who approves); members who manage
//! members change it. A change posts and comes back with a notice.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use herald_accounts::Permission;
use herald_core::{ConnectionId, Named, UserId};
use herald_publishing::{ApprovalMode, ApprovalPolicy};
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::SignedIn;
use crate::error::publish_status;
use crate::member;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/home/settings/approvals",
        get(show_policy).post(save_policy),
    )
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    workspace_name: String,
    may_change: bool,
    modes: Vec<Choice>,
    reapprove_on_edit: bool,
    accounts: Vec<Choice>,
    /// Members whose role does not approve already.
    approvers: Vec<Choice>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    workspace: Option<i64>,
    done: Option<String>,
    error: Option<String>,
}

async fn show_policy(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (ws, auth) = member::authorize(&state, &authed.user, q.workspace, Permission::View).await?;
    let policy = state.publishing().approval_policy(&auth).await?;
    let connections = state.connections().list(&auth, None).await?;
    let members = state.accounts().members(&authed.user, ws.id).await?;
    let t = c.t;
    render(&ApprovalsPage {
        rail: rail(Section::Settings),
        workspace: ws.id.0,
        workspace_name: ws.name.clone(),
        may_change: auth.allows(Permission::ManageMembers),
        modes: [
            ApprovalMode::None,
            ApprovalMode::Contributors,
            ApprovalMode::Everyone,
        ]
        .into_iter()
        .map(|m| Choice {
            value: m.as_str().to_owned(),
            label: t.text(&format!("approvals.mode.{}", m.as_str())).to_owned(),
            checked: m == policy.mode,
        })
        .collect(),
        reapprove_on_edit: policy.reapprove_on_edit,
        accounts: connections
            .iter()
            .map(|conn| Choice {
                value: conn.id.to_string(),
                label: format!("{} · {}", conn.name, conn.provider.name()),
                checked: policy.accounts.contains(&conn.id),
            })
            .collect(),
        approvers: members
            .iter()
            .filter(|m| !m.role.allows(Permission::Approve))
            .map(|m| Choice {
                value: m.user_id.0.to_string(),
                label: if m.display_name.trim().is_empty() {
                    m.email.clone()
                } else {
                    format!("{} ({})", m.display_name, m.email)
                },
                checked: policy.approvers.contains(&m.user_id),
            })
            .collect(),
        notice: known(t, "approvals.done.", q.done.as_deref()),
        error: known(t, "error.", q.error.as_deref()),
        c,
    })
}

/// The form: `mode`, `reapprove_on_edit` (a checkbox), and repeated
/// `account` and `approver` fields.
async fn save_policy(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    axum::Form(pairs): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let bad = || WebError::BadRequest {
        code: "bad_request",
    };
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let workspace: i64 = field("workspace")
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)?;
    let mode = field("mode")
        .and_then(|v| ApprovalMode::parse(v))
        .ok_or_else(bad)?;
    let mut approvers = Vec::new();
    let mut accounts = Vec::new();
    for (k, v) in &pairs {
        match k.as_str() {
            "approver" => approvers.push(UserId(v.parse().map_err(|_| bad())?)),
            "account" => accounts.push(ConnectionId(v.clone())),
            _ => {}
        }
    }
    let policy = ApprovalPolicy {
        mode,
        reapprove_on_edit: field("reapprove_on_edit").is_some(),
        accounts,
        approvers,
    };
    let auth = member::proof(&state, &authed.user, Some(workspace), Permission::View).await?;
    let back = format!("/home/settings/approvals?workspace={workspace}");
    match state.publishing().set_approval_policy(&auth, policy).await {
        Ok(_) => Ok(Redirect::to(&format!("{back}&done=saved")).into_response()),
        Err(e) => {
            let status = publish_status(&e);
            if status.is_server_error() || status == axum::http::StatusCode::NOT_FOUND {
                return Err(e.into());
            }
            Ok(Redirect::to(&format!("{back}&error={}", e.code())).into_response())
        }
    }
}
