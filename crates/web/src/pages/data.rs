//! Settings → Your data (`/home/settings/data`): what the person agreed to,
//! "Download my data", "Delete my account" (with a grace period and a
//! choice for each shared workspace they own), and deleting a workspace.

use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::AccountError;
use herald_core::Named;
use herald_core::{UserId, WorkspaceId};
use herald_privacy::{ExportState, Fate, PrivacyError};
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render, when};
use crate::auth::{Meta, SignedIn};
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/settings/data", get(show_data))
        .route("/home/settings/data/export", post(request_export))
        .route("/home/settings/data/exports/{id}", get(download_export))
        .route("/home/settings/data/delete-account", post(delete_account))
        .route("/home/settings/data/cancel-deletion", post(cancel_deletion))
        .route("/workspaces/{id}/delete", post(delete_workspace))
}

/// A privacy error as the web layer answers it.
fn refused(e: PrivacyError) -> WebError {
    match e {
        PrivacyError::Account(e) => WebError::Account(e),
        PrivacyError::NotFound => WebError::NotFound,
        PrivacyError::NotReady => WebError::Unprocessable {
            code: "export_not_ready",
        },
        other => WebError::Internal(Box::new(other)),
    }
}

/// Back to the page with a notice, or with the code of a refusal people
/// can fix (anything else is an error page).
fn back(result: Result<&'static str, PrivacyError>) -> Result<Response, WebError> {
    match result {
        Ok(done) => Ok(Redirect::to(&format!("/home/settings/data?done={done}")).into_response()),
        Err(PrivacyError::Account(e)) if !crate::error::account_status(&e).is_server_error() => {
            Ok(Redirect::to(&format!("/home/settings/data?error={}", e.code())).into_response())
        }
        Err(e) => Err(refused(e)),
    }
}

pub struct ConsentRow {
    pub document: String,
    pub version: String,
    pub at: String,
}

pub struct ExportRow {
    pub id: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub requested: String,
    pub expires: String,
    pub size: String,
    pub ready: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

pub struct SharedWorkspace {
    pub id: i64,
    pub name: String,
    pub choices: Vec<Choice>,
}

pub struct Pending {
    pub due: String,
}

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    c: Chrome,
    rail: Vec<RailItem>,
    notice: Option<String>,
    error: Option<String>,
    consents: Vec<ConsentRow>,
    exports: Vec<ExportRow>,
    pending: Option<Pending>,
    shared: Vec<SharedWorkspace>,
    /// Workspaces that go with the account (personal, or nobody else in).
    solo: Vec<String>,
    /// Workspaces another owner keeps.
    kept: Vec<String>,
    grace_days: i64,
}

#[derive(Deserialize)]
struct DataQuery {
    done: Option<String>,
    error: Option<String>,
}

fn size_words(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

async fn show_data(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<DataQuery>,
) -> Result<Response, WebError> {
    let privacy = state.privacy();
    let user = &authed.user;
    let consents = state
        .accounts()
        .consents(user)
        .await?
        .into_iter()
        .map(|r| ConsentRow {
            document: c.t.get(&format!("data.document_{}", r.document)).to_owned(),
            version: r.version,
            at: when(r.accepted_at),
        })
        .collect();
    let exports = privacy
        .exports(user)
        .await
        .map_err(refused)?
        .into_iter()
        .map(|e| ExportRow {
            state: e.state.as_str(),
            state_label: match e.state {
                ExportState::Pending => "data.export_pending",
                ExportState::Ready => "data.export_ready",
                ExportState::Failed => "data.export_failed",
            },
            requested: when(e.requested_at),
            expires: when(e.expires_at),
            size: e.size.map(size_words).unwrap_or_default(),
            ready: e.state == ExportState::Ready,
            id: e.id,
        })
        .collect();
    let pending = privacy
        .pending_deletion(user)
        .await
        .map_err(refused)?
        .map(|p| Pending {
            due: when(p.due_at),
        });
    let mut shared = Vec::new();
    let mut solo = Vec::new();
    let mut kept = Vec::new();
    for w in state.accounts().owned_workspaces(user).await? {
        if w.needs_decision() {
            let mut choices: Vec<Choice> = w
                .others
                .iter()
                .map(|m| Choice {
                    value: format!("hand_over:{}", m.user_id.0),
                    label: c.t.fill(
                        "data.hand_over_to",
                        "name",
                        if m.display_name.is_empty() {
                            &m.email
                        } else {
                            &m.display_name
                        },
                    ),
                })
                .collect();
            choices.push(Choice {
                value: "delete".into(),
                label: c.t.get("data.delete_workspace_choice").to_owned(),
            });
            shared.push(SharedWorkspace {
                id: w.id.0,
                name: w.name,
                choices,
            });
        } else if w.co_owned {
            kept.push(w.name);
        } else {
            solo.push(w.name);
        }
    }
    render(&DataPage {
        rail: rail(Section::Settings),
        notice: known(c.t, "data.done.", q.done.as_deref()),
        error: known(c.t, "error.", q.error.as_deref()),
        consents,
        exports,
        pending,
        shared,
        solo,
        kept,
        grace_days: herald_privacy::DELETION_GRACE.as_hours() / 24,
        c,
    })
}

async fn request_export(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
) -> Result<Response, WebError> {
    let result = state
        .privacy()
        .request_export(&authed.user, &meta)
        .await
        .map(|_| "export_requested");
    back(result)
}

async fn download_export(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (archive, stream) = state
        .privacy()
        .open_archive(&authed.user, &id)
        .await
        .map_err(refused)?;
    let name = format!(
        "herald-data-{}.zip",
        archive.requested_at.strftime("%Y-%m-%d")
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CONTENT_LENGTH, HeaderValue::from(archive.size)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The deletion form: the password, and for each shared workspace
/// `fate_<id>` = `hand_over:<user id>` or `delete`.
async fn delete_account(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let password = field("password").unwrap_or_default();
    let mut choices = Vec::new();
    for (key, value) in &pairs {
        let Some(ws) = key.strip_prefix("fate_") else {
            continue;
        };
        let ws = ws.parse::<i64>().map(WorkspaceId);
        let fate = match value.split_once(':') {
            None if value == "delete" => Ok(Fate::Delete),
            Some(("hand_over", to)) => to.parse().map(|to| Fate::HandOver(UserId(to))),
            _ => return back(Err(AccountError::Invalid("deletion_plan_invalid").into())),
        };
        match (ws, fate) {
            (Ok(ws), Ok(fate)) => choices.push((ws, fate)),
            _ => return back(Err(AccountError::Invalid("deletion_plan_invalid").into())),
        }
    }
    match state
        .privacy()
        .request_deletion(&authed.user, password, &choices, &meta)
        .await
    {
        Ok(pending) => {
            let page = FarewellPage {
                lead: c
                    .t
                    .fill("data.scheduled_lead", "date", when(pending.due_at)),
                c,
            };
            let mut resp = render(&page)?;
            resp.headers_mut()
                .insert(header::SET_COOKIE, state.cookies().clear_session());
            Ok(resp)
        }
        Err(e) => back(Err(e)),
    }
}

#[derive(Template)]
#[template(path = "farewell.html")]
struct FarewellPage {
    c: Chrome,
    lead: String,
}

async fn cancel_deletion(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
) -> Result<Response, WebError> {
    let result = state
        .privacy()
        .cancel_deletion(&authed.user, &meta)
        .await
        .map(|cancelled| {
            if cancelled {
                "deletion_cancelled"
            } else {
                "nothing_to_cancel"
            }
        });
    back(result)
}

#[derive(Deserialize)]
struct DeleteWorkspaceForm {
    #[serde(default)]
    confirm: String,
}

async fn delete_workspace(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<DeleteWorkspaceForm>,
) -> Result<Response, WebError> {
    match state
        .privacy()
        .delete_workspace(&authed.user, WorkspaceId(id), &form.confirm, &meta)
        .await
    {
        Ok(()) => Ok(Redirect::to("/home/settings?done=workspace_deleted").into_response()),
        Err(PrivacyError::Account(e)) if !crate::error::account_status(&e).is_server_error() => Ok(
            Redirect::to(&format!("/home/settings?workspace={id}&error={}", e.code()))
                .into_response(),
        ),
        Err(e) => Err(refused(e)),
    }
}
