//! The Publishing section: one card per provider, the connected accounts
//! with their status, and the OAuth connect flow (start, callback, choice
//! of accounts, removal). Forms post and redirect (PRG); every outcome of a
//! callback gets its own explanation from the shared copy table.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::Permission;
use herald_connections::{
    CallbackParams, Completed, ConnectError, ConnectionView, Status, Webhooks,
};
use herald_core::{ConnectionId, Named};
use herald_platforms::{AccountKind, ProviderId};
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, pick_workspace, render, when};
use crate::auth::{Meta, SignedIn};
use crate::error::connect_status;
use crate::i18n::Catalog;
use crate::member;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/publishing", get(show))
        .route("/home/publishing/connect/{provider}", post(start))
        .route(
            "/home/publishing/choose/{attempt}",
            get(show_choices).post(choose),
        )
        .route("/home/publishing/connections/{id}/remove", post(remove))
        .route("/oauth/{provider}/callback", get(callback))
}

pub struct ProviderCard {
    pub slug: &'static str,
    pub name: &'static str,
    pub needs: &'static str,
    pub connect: String,
    pub sandbox: bool,
}

pub struct AccountRow {
    pub id: String,
    pub provider: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub initial: String,
    pub via: Option<String>,
    pub status: &'static str,
    pub status_class: &'static str,
    pub status_detail: String,
    pub expiry: String,
    pub renewed: Option<String>,
    pub scopes: String,
    pub sandbox: bool,
    pub needs_reconnection: bool,
    /// What the platform did to this account's recent posts, or a limit
    /// close by, worth knowing before scheduling more.
    pub notes: Vec<String>,
    /// Whether the platform sends this account's webhooks, and what to do
    /// when not (`None`: the platform has no per-account subscription).
    pub webhooks: Option<WebhooksLine>,
}

/// The card's webhook line.
pub struct WebhooksLine {
    /// `subscribed`, `missing_permission`, … (also the badge's class).
    pub state: &'static str,
    pub class: &'static str,
    pub text: String,
}

fn webhooks_line(t: &'static Catalog, w: &Webhooks) -> Option<WebhooksLine> {
    let said = |code: &Option<String>, message: &str| match code {
        Some(code) => format!("{message} ({code})"),
        None => message.to_owned(),
    };
    let (class, text) = match w {
        Webhooks::NotApplicable => return None,
        Webhooks::Subscribed { fields } => (
            "ok",
            t.fill(
                "publishing.webhooks_subscribed",
                "fields",
                fields.join(", "),
            ),
        ),
        Webhooks::Pending => ("warn", t.text("publishing.webhooks_pending").to_owned()),
        Webhooks::Retrying {
            platform_code,
            message,
        } => (
            "warn",
            t.fill(
                "publishing.webhooks_retrying",
                "said",
                said(platform_code, message),
            ),
        ),
        Webhooks::Failed {
            platform_code,
            message,
        } => (
            "bad",
            t.fill(
                "publishing.webhooks_failed",
                "said",
                said(platform_code, message),
            ),
        ),
        Webhooks::MissingPermission { scopes } => (
            "bad",
            t.fill(
                "publishing.webhooks_missing_permission",
                "scopes",
                scopes.join(", "),
            ),
        ),
    };
    Some(WebhooksLine {
        state: w.state(),
        class,
        text,
    })
}

fn kind_label(t: &'static Catalog, kind: AccountKind) -> &'static str {
    t.text(&format!("publishing.kind_{}", kind.as_str()))
}

fn provider_name(t: &'static Catalog, p: ProviderId) -> &'static str {
    t.text(&format!("publishing.{}_name", p.as_str()))
}

fn row(t: &'static Catalog, v: ConnectionView) -> AccountRow {
    let (status, status_class) = match v.status {
        Status::Active => ("publishing.status_active", "ok"),
        Status::RefreshFailing => ("publishing.status_refresh_failing", "warn"),
        Status::NeedsReconnection => ("publishing.status_needs_reconnection", "bad"),
    };
    AccountRow {
        initial: v
            .name
            .chars()
            .next()
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default(),
        provider: v.provider.as_str(),
        kind: kind_label(t, v.kind),
        via: v.parent.map(|p| t.fill("publishing.via", "parent", &p)),
        status: t.text(status),
        status_class,
        status_detail: crate::words::connection_detail(t, &v.status_detail),
        expiry: match v.token_expires_at {
            Some(at) => t.fill("publishing.expires", "when", when(at)),
            None => t.text("publishing.never_expires").to_owned(),
        },
        renewed: v
            .refreshed_at
            .map(|at| t.fill("publishing.last_renewed", "when", when(at))),
        scopes: v
            .scopes
            .iter()
            .map(|s| s.rsplit('/').next().unwrap_or(s))
            .collect::<Vec<_>>()
            .join(", "),
        needs_reconnection: v.status == Status::NeedsReconnection,
        webhooks: webhooks_line(t, &v.webhooks),
        sandbox: v.sandbox,
        notes: Vec::new(),
        id: v.id.to_string(),
        name: v.name,
        handle: v.handle,
        avatar_url: v.avatar_url.filter(|u| {
            u.starts_with("https://") || u.starts_with("http://") || u.starts_with('/')
        }),
    }
}

/// Notices of the accounts' most recent posts that concern the account
/// rather than the post (YouTube locking uploads private until the
/// instance's Google project is audited), and the instance-wide YouTube
/// upload budget once 80 % of it is used.
async fn account_notes(
    state: &AppState,
    t: &'static Catalog,
    auth: &herald_accounts::Authorized,
    list: &[ConnectionView],
) -> Result<std::collections::HashMap<ConnectionId, Vec<String>>, WebError> {
    use herald_platforms::publish::youtube::LOCKED_PRIVATE;
    let mut notes: std::collections::HashMap<ConnectionId, Vec<String>> = Default::default();
    if !list.iter().any(|v| v.kind == AccountKind::YouTubeChannel) {
        return Ok(notes);
    }
    let latest = state.publishing().latest_notices(auth).await?;
    let budget = state
        .publishing()
        .budget_use(auth, AccountKind::YouTubeChannel)
        .await?
        .filter(herald_publishing::BudgetUse::near_limit);
    for v in list
        .iter()
        .filter(|v| v.kind == AccountKind::YouTubeChannel)
    {
        let mut mine = Vec::new();
        if let Some(locked) = latest
            .get(&v.id)
            .and_then(|n| n.iter().find(|d| d.code == LOCKED_PRIVATE))
        {
            let requested = match locked.params.get("requested") {
                Some(herald_publishing::rules::Param::Text(p)) => p.as_str(),
                _ => "public",
            };
            let key = format!("compose.privacy.{}", requested.to_ascii_lowercase());
            let requested = if t.has(&key) { t.text(&key) } else { requested };
            mine.push(t.fill("publishing.youtube_locked", "requested", requested));
        }
        if let Some(b) = budget {
            mine.push(t.format(
                if b.spent() {
                    "publishing.youtube_budget_spent"
                } else {
                    "publishing.youtube_budget_near"
                },
                &[
                    ("used", crate::i18n::Arg::Count(u64::from(b.used))),
                    ("limit", crate::i18n::Arg::Count(u64::from(b.limit))),
                    ("resets", crate::i18n::Arg::from(when(b.resets_at))),
                ],
            ));
        }
        if !mine.is_empty() {
            notes.insert(v.id.clone(), mine);
        }
    }
    Ok(notes)
}

#[derive(Template)]
#[template(path = "publishing.html")]
struct PublishingPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: Option<i64>,
    can_manage: bool,
    verified: bool,
    providers: Vec<ProviderCard>,
    accounts: Vec<AccountRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    workspace: Option<i64>,
    done: Option<String>,
    error: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let user = &authed.user;
    // Someone in no workspace still sees the platforms they could connect.
    let ws = member::authorize_if_any(&state, user, q.workspace, Permission::View).await?;
    let (accounts, can_manage) = match &ws {
        Some((_, auth)) => {
            let list = state.connections().list(auth, None).await?;
            let can_manage = auth.allows(Permission::ManageConnections);
            let notes = account_notes(&state, c.t, auth, &list).await?;
            let rows = list
                .into_iter()
                .map(|v| {
                    let id = v.id.clone();
                    let mut row = row(c.t, v);
                    row.notes = notes.get(&id).cloned().unwrap_or_default();
                    row
                })
                .collect();
            (rows, can_manage)
        }
        None => (Vec::new(), false),
    };
    let ws = ws.map(|(ws, _)| ws);
    let providers = state
        .connections()
        .providers()
        .iter()
        .map(|(id, registered)| ProviderCard {
            slug: id.as_str(),
            name: provider_name(c.t, id),
            needs: c.t.text(&format!("publishing.{}_needs", id.as_str())),
            connect: c
                .t
                .fill("publishing.connect", "provider", provider_name(c.t, id)),
            sandbox: registered.sandbox,
        })
        .collect();
    render(&PublishingPage {
        rail: rail(Section::Publishing),
        workspace: ws.map(|w| w.id.0),
        can_manage,
        verified: user.verified,
        providers,
        accounts,
        notice: known(c.t, "publishing.done.", q.done.as_deref()),
        error: known(c.t, "error.", q.error.as_deref()),
        c,
    })
}

fn back(workspace: i64, outcome: Result<&str, &str>) -> Response {
    match outcome {
        Ok(done) => Redirect::to(&format!(
            "/home/publishing?workspace={workspace}&done={done}"
        ))
        .into_response(),
        Err(code) => Redirect::to(&format!(
            "/home/publishing?workspace={workspace}&error={code}"
        ))
        .into_response(),
    }
}

#[derive(Deserialize)]
struct StartForm {
    workspace: i64,
    #[serde(default)]
    rerequest: Option<String>,
}

/// Starts a connect flow: off to the platform's consent screen.
async fn start(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(provider): Path<String>,
    axum::Form(form): axum::Form<StartForm>,
) -> Result<Response, WebError> {
    let provider = ProviderId::parse(&provider).ok_or(WebError::NotFound)?;
    // Membership here (404 for a stranger); the service checks the role,
    // and a refusal comes back to the page as a message.
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    match state
        .connections()
        .start(
            &authed.user,
            Some(&authed.session_id),
            &auth,
            provider,
            form.rerequest.is_some(),
        )
        .await
    {
        Ok(url) => Ok(Redirect::to(url.as_str()).into_response()),
        Err(e)
            if connect_status(&e).is_client_error()
                && !matches!(
                    e,
                    ConnectError::Account(herald_accounts::AccountError::NotFound)
                        | ConnectError::UnknownProvider
                ) =>
        {
            Ok(back(form.workspace, Err(e.code())))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "connect_result.html")]
struct ResultPage {
    c: Chrome,
    rail: Vec<RailItem>,
    message: &'static str,
    missing: Option<String>,
    provider: &'static str,
    workspace: Option<i64>,
    reconsent: bool,
    retry: bool,
}

/// The redirect back from the platform.
async fn callback(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Meta(meta): Meta,
    c: Chrome,
    Path(provider): Path<String>,
    Query(params): Query<CallbackParams>,
) -> Result<Response, WebError> {
    let provider = ProviderId::parse(&provider).ok_or(WebError::NotFound)?;
    let outcome = state
        .connections()
        .complete(
            &authed.user,
            Some(&authed.session_id),
            provider,
            &params,
            &meta,
        )
        .await;
    match outcome {
        Ok(Completed::Connected { workspace, .. }) => Ok(back(workspace.0, Ok("connected"))),
        Ok(Completed::Choose { attempt }) => {
            Ok(Redirect::to(&format!("/home/publishing/choose/{attempt}")).into_response())
        }
        Err(e) => {
            let status = connect_status(&e);
            if status.is_server_error() {
                return Err(e.into());
            }
            tracing::info!(%provider, code = e.code(), error = %e, "connect flow ended without a connection");
            // Only the explanation page needs a workspace (for "try again").
            let workspace = pick_workspace(&state, &authed.user, None)
                .await?
                .map(|w| w.id.0);
            let missing = match &e {
                ConnectError::MissingScopes(scopes) => {
                    Some(c.t.fill("publishing.missing", "scopes", scopes.join(", ")))
                }
                _ => None,
            };
            let page = ResultPage {
                rail: rail(Section::Publishing),
                message: crate::i18n::error_copy(c.locale, e.code()),
                reconsent: matches!(e, ConnectError::MissingScopes(_)),
                retry: !matches!(e, ConnectError::MissingScopes(_) | ConnectError::Account(_)),
                missing,
                provider: provider.as_str(),
                workspace,
                c,
            };
            let mut response = render(&page)?;
            // Declining is a person's choice, not a faulty request.
            if !matches!(e, ConnectError::Denied) {
                *response.status_mut() = status;
            }
            Ok(response)
        }
    }
}

pub struct ChoiceRow {
    pub key: String,
    pub name: String,
    pub kind: &'static str,
    pub handle: Option<String>,
    pub avatar_url: Option<String>,
    pub initial: String,
    pub via: Option<String>,
    pub connected: bool,
}

#[derive(Template)]
#[template(path = "connect_choose.html")]
struct ChoosePage {
    c: Chrome,
    rail: Vec<RailItem>,
    attempt: String,
    lead: String,
    choices: Vec<ChoiceRow>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct ChooseQuery {
    error: Option<String>,
}

async fn show_choices(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Path(attempt): Path<String>,
    Query(q): Query<ChooseQuery>,
) -> Result<Response, WebError> {
    let (provider, choices) = state
        .connections()
        .choices(&authed.user, Some(&authed.session_id), &attempt)
        .await?;
    let choices = choices
        .into_iter()
        .map(|ch| ChoiceRow {
            initial: ch
                .name
                .chars()
                .next()
                .map(|c| c.to_uppercase().to_string())
                .unwrap_or_default(),
            kind: kind_label(c.t, ch.kind),
            via: ch.parent.map(|p| c.t.fill("publishing.via", "parent", &p)),
            key: ch.key,
            name: ch.name,
            handle: ch.handle,
            avatar_url: ch.avatar_url,
            connected: ch.connected,
        })
        .collect();
    render(&ChoosePage {
        rail: rail(Section::Publishing),
        lead: c.t.fill(
            "publishing.choose_lead",
            "provider",
            provider_name(c.t, provider),
        ),
        attempt,
        choices,
        error: known(c.t, "error.", q.error.as_deref()),
        c,
    })
}

async fn choose(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Meta(meta): Meta,
    Path(attempt): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let chosen: Vec<String> = form
        .into_iter()
        .filter(|(k, _)| k == "account")
        .map(|(_, v)| v)
        .collect();
    match state
        .connections()
        .choose(
            &authed.user,
            Some(&authed.session_id),
            &attempt,
            &chosen,
            &meta,
        )
        .await
    {
        Ok((workspace, _)) => Ok(back(workspace.0, Ok("connected"))),
        Err(ConnectError::NothingChosen) => Ok(Redirect::to(&format!(
            "/home/publishing/choose/{attempt}?error=connect_nothing_chosen"
        ))
        .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RemoveForm {
    workspace: i64,
}

async fn remove(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Meta(meta): Meta,
    Path(id): Path<ConnectionId>,
    axum::Form(form): axum::Form<RemoveForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, Some(form.workspace), Permission::View).await?;
    let removed = state.connections().remove(&auth, &id, &meta).await?;
    Ok(back(form.workspace, Ok(removed.code())))
}

impl From<ConnectError> for WebError {
    fn from(e: ConnectError) -> Self {
        WebError::Connect(e)
    }
}
