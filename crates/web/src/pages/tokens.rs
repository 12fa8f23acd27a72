//! Access tokens on the Settings page: the workspace's tokens the person
//! may see (their own; every one for those who may manage members), a form
//! to make one, and a revoke button per token.
//!
//! The secret appears only in the answer to the form's POST, rendered with
//! `Cache-Control: no-store`, never in a URL; revoking comes back to the
//! settings page with a notice (post/redirect/get).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use herald_accounts::{
    AccountError, Authorized, Permission, Scope, TokenKind, TokenRequest, TokenView,
};
use herald_core::{Named, Timestamp, TokenId};
use jiff::civil::Date;
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, render, when};
use crate::auth::{Meta, SignedIn};
use crate::i18n::Catalog;
use crate::{AppState, WebError, member};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/settings/tokens", post(create_token))
        .route("/home/settings/tokens/{id}/revoke", post(revoke_token))
}

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub scopes: Vec<&'static str>,
    pub creator: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub expired: bool,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
    /// For scopes: what it allows.
    pub hint: String,
}

/// The tokens section of the Settings page.
pub struct TokensSection {
    pub workspace: i64,
    pub rows: Vec<TokenRow>,
    pub kinds: Vec<Choice>,
    pub scopes: Vec<Choice>,
    /// Whether the list holds other members' tokens too.
    pub all_members: bool,
}

/// A scope's key in the catalogs (`posts:read` → `posts_read`).
fn scope_key(scope: Scope) -> String {
    scope.as_str().replace(':', "_")
}

fn kind_label(t: &Catalog, kind: TokenKind) -> String {
    t.text(&format!("tokens.kind.{}", kind.as_str())).to_owned()
}

fn row(t: &Catalog, token: TokenView) -> TokenRow {
    let never = t.get("tokens.never").to_owned();
    TokenRow {
        id: token.id.0,
        kind: kind_label(t, token.kind),
        scopes: token.scopes.names(),
        creator: token.creator,
        created: when(token.created_at),
        expires: token.expires_at.map_or_else(|| never.clone(), when),
        last_used: token.last_used_at.map_or(never, when),
        expired: token.expired,
        name: token.name,
    }
}

/// What the Settings page shows of the tokens of the workspace of `auth`.
pub(super) async fn section(
    state: &AppState,
    t: &Catalog,
    auth: &Authorized,
) -> Result<TokensSection, WebError> {
    let tokens = state.accounts().tokens(auth).await?;
    Ok(TokensSection {
        workspace: auth.workspace().0,
        rows: tokens.into_iter().map(|tok| row(t, tok)).collect(),
        kinds: TokenKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: kind_label(t, k),
                hint: t
                    .text(&format!("tokens.kind_hint.{}", k.as_str()))
                    .to_owned(),
            })
            .collect(),
        scopes: Scope::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: s.as_str().to_owned(),
                hint: t.text(&format!("tokens.scope.{}", scope_key(s))).to_owned(),
            })
            .collect(),
        all_members: auth.allows(Permission::ManageMembers),
    })
}

/// The settings page of `workspace`, with a notice or an error code.
fn back(workspace: Option<i64>, result: Result<&'static str, AccountError>) -> Response {
    let ws = workspace
        .map(|w| format!("workspace={w}&"))
        .unwrap_or_default();
    let to = match result {
        Ok(done) => format!("/home/settings?{ws}done={done}#tokens-heading"),
        Err(e) => format!("/home/settings?{ws}error={}#tokens-heading", e.code()),
    };
    Redirect::to(&to).into_response()
}

/// The form's fields (`scope` repeats).
#[derive(Default)]
struct TokenForm {
    workspace: Option<i64>,
    name: String,
    kind: String,
    scopes: Vec<String>,
    expires: String,
}

impl TokenForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> TokenForm {
        let mut form = TokenForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "workspace" => form.workspace = v.trim().parse().ok(),
                "name" => form.name = v,
                "kind" => form.kind = v,
                "scope" => form.scopes.push(v),
                "expires" => form.expires = v,
                _ => {}
            }
        }
        form
    }

    /// The expiry the date field names: the token works through that day
    /// (UTC) and stops at the start of the next. Empty: it does not expire.
    fn expires_at(&self) -> Result<Option<Timestamp>, AccountError> {
        let text = self.expires.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let invalid = || AccountError::Invalid("token_expiry_invalid");
        let date: Date = text.parse().map_err(|_| invalid())?;
        let next = date.tomorrow().map_err(|_| invalid())?;
        next.to_zoned(jiff::tz::TimeZone::UTC)
            .map(|z| Some(z.timestamp()))
            .map_err(|_| invalid())
    }
}

#[derive(Template)]
#[template(path = "token_created.html")]
struct CreatedPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    name: String,
    kind: String,
    scopes: Vec<&'static str>,
    secret: String,
}

async fn create_token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = TokenForm::from_pairs(pairs);
    let auth = member::proof(&state, &authed.user, form.workspace, Permission::View).await?;
    let ws = Some(auth.workspace().0);
    let expires_at = match form.expires_at() {
        Ok(at) => at,
        Err(e) => return Ok(back(ws, Err(e))),
    };
    let request = TokenRequest {
        name: form.name,
        kind: form.kind,
        scopes: (!form.scopes.is_empty()).then_some(form.scopes),
        expires_at,
    };
    let created = match state.accounts().create_token(&auth, request, &meta).await {
        Ok(created) => created,
        Err(e) if crate::error::account_status(&e).is_server_error() => {
            return Err(WebError::Account(e));
        }
        Err(e) => return Ok(back(ws, Err(e))),
    };
    let mut page = render(&CreatedPage {
        rail: rail(Section::Settings),
        workspace: auth.workspace().0,
        kind: kind_label(c.t, created.token.kind),
        scopes: created.token.scopes.names(),
        name: created.token.name,
        secret: created.secret.expose().to_owned(),
        c,
    })?;
    // The one answer that holds the secret: no cache keeps it.
    let headers = page.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(page)
}

#[derive(Deserialize)]
struct RevokeForm {
    workspace: Option<i64>,
}

async fn revoke_token(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<RevokeForm>,
) -> Result<Response, WebError> {
    let auth = member::proof(&state, &authed.user, form.workspace, Permission::View).await?;
    let result = state
        .accounts()
        .revoke_token(&auth, TokenId(id), &meta)
        .await;
    if let Err(e) = &result
        && crate::error::account_status(e).is_server_error()
    {
        return Err(WebError::Account(result.unwrap_err()));
    }
    Ok(back(
        Some(auth.workspace().0),
        result.map(|()| "token_revoked"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(expires: &str) -> TokenForm {
        TokenForm {
            expires: expires.to_owned(),
            ..TokenForm::default()
        }
    }

    #[test]
    fn an_expiry_date_lasts_through_that_day_in_utc() {
        assert_eq!(form("").expires_at().unwrap(), None);
        assert_eq!(
            form(" 2027-01-31 ").expires_at().unwrap(),
            Some("2027-02-01T00:00:00Z".parse().unwrap())
        );
        for bad in ["31.01.2027", "2027-02-30", "tomorrow", "9999-12-31"] {
            assert!(
                matches!(
                    form(bad).expires_at(),
                    Err(AccountError::Invalid("token_expiry_invalid"))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn repeated_scope_fields_are_all_kept() {
        let pairs = [
            ("workspace", "7"),
            ("name", "CI"),
            ("kind", "app"),
            ("scope", "posts:read"),
            ("scope", "drafts:write"),
            ("_csrf", "x"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let f = TokenForm::from_pairs(pairs);
        assert_eq!(f.workspace, Some(7));
        assert_eq!((f.name.as_str(), f.kind.as_str()), ("CI", "app"));
        assert_eq!(f.scopes, ["posts:read", "drafts:write"]);
    }
}
