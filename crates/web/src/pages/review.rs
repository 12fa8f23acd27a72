//! Settings → Platform review (`/home/settings/review`): per platform, what
//! its app registration and review need from this instance — the URLs to
//! enter (built from the public URL), each permission Herald requests with
//! the feature that uses it, the test-user steps — with live checks of what
//! a reviewer will try (the privacy notice reachable over https, app
//! secrets set, the operator named).

use herald_core::Named;
use std::time::Duration;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use herald_accounts::Permission;
use herald_net::Probe;
use herald_platforms::ProviderId;
use serde::Deserialize;

use super::shell::{RailItem, Section, rail};
use super::{Chrome, pick_workspace, render};
use crate::auth::SignedIn;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/home/settings/review", get(show_review))
}

/// How long a live check waits for this instance's own page.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
struct ReviewQuery {
    workspace: Option<i64>,
}

/// One live check: passed or not, and what it found.
pub struct Check {
    pub ok: bool,
    pub label: &'static str,
    pub detail: String,
}

pub struct UrlRow {
    pub label: &'static str,
    pub url: String,
}

pub struct ScopeRow {
    pub scope: &'static str,
    pub required: bool,
    pub purpose: String,
}

/// One platform app to register.
pub struct AppCard {
    pub slug: &'static str,
    pub name: &'static str,
    /// `real`, `sandbox` or `off`.
    pub status: &'static str,
    pub status_label: &'static str,
    pub checks: Vec<Check>,
    pub urls: Vec<UrlRow>,
    pub scopes: Vec<ScopeRow>,
    pub testers: &'static str,
    pub guide: &'static str,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    c: Chrome,
    rail: Vec<RailItem>,
    checks: Vec<Check>,
    apps: Vec<AppCard>,
}

async fn show_review(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, WebError> {
    let ws = pick_workspace(&state, &authed.user, q.workspace)
        .await?
        .ok_or(WebError::NotFound)?;
    if !ws.role.allows(Permission::ManageConnections) {
        return Err(WebError::Forbidden { code: "forbidden" });
    }
    let site = state.site();
    let base = site.public_url.trim_end_matches('/');
    let url = |path: &str| format!("{base}{path}");
    let t = c.t;

    // Live: the pages a reviewer opens first.
    let pages = [
        url("/privacy"),
        url("/terms"),
        url("/privacy/data-deletion"),
    ];
    let (privacy, terms, deletion) = tokio::join!(
        herald_net::probe_own_page(&pages[0], PROBE_TIMEOUT),
        herald_net::probe_own_page(&pages[1], PROBE_TIMEOUT),
        herald_net::probe_own_page(&pages[2], PROBE_TIMEOUT),
    );
    let probe = |label: &'static str, page: &str, p: Probe| Check {
        ok: p == Probe::Ok,
        label,
        detail: match p {
            Probe::Ok => t.fill("review.probe_ok", "url", url(page)),
            Probe::NotHttps => t.fill("review.probe_not_https", "url", url(page)),
            Probe::Status(s) => t.format(
                "review.probe_status",
                &[("url", url(page).into()), ("status", s.to_string().into())],
            ),
            Probe::Timeout => t.fill("review.probe_timeout", "url", url(page)),
            Probe::Unreachable => t.fill("review.probe_unreachable", "url", url(page)),
        },
    };
    let flag = |ok: bool, label: &'static str, yes: &'static str, no: &'static str| Check {
        ok,
        label,
        detail: t.get(if ok { yes } else { no }).to_owned(),
    };
    let checks = vec![
        flag(
            !site.development,
            "review.check_mode",
            "review.mode_production",
            "review.mode_development",
        ),
        probe("review.check_privacy", "/privacy", privacy),
        probe("review.check_terms", "/terms", terms),
        Check {
            ok: site.operator.is_some(),
            label: "review.check_operator",
            detail: match &site.operator {
                Some(o) => format!("{} · {}", o.name, o.contact),
                None => t.get("review.operator_missing").to_owned(),
            },
        },
    ];

    let providers = state.connections().providers();
    let mut apps = Vec::new();
    for id in ProviderId::ALL {
        let registered = providers.get(id);
        let status = match registered {
            Some(r) if !r.sandbox => "real",
            Some(_) => "sandbox",
            None => "off",
        };
        let mut checks = vec![flag(
            status == "real",
            "review.check_credentials",
            "review.credentials_set",
            if status == "sandbox" {
                "review.credentials_sandbox"
            } else {
                "review.credentials_missing"
            },
        )];
        let mut urls = vec![
            UrlRow {
                label: "review.url_redirect",
                url: state.connections().redirect_uri(id),
            },
            UrlRow {
                label: "review.url_privacy",
                url: url("/privacy"),
            },
            UrlRow {
                label: "review.url_terms",
                url: url("/terms"),
            },
        ];
        let hooks = match id {
            ProviderId::Facebook => Some("/webhooks/meta"),
            ProviderId::Instagram => Some("/webhooks/instagram"),
            ProviderId::TikTok | ProviderId::YouTube => None,
        };
        if let Some(hooks) = hooks {
            urls.extend([
                UrlRow {
                    label: "review.url_webhook",
                    url: url(hooks),
                },
                UrlRow {
                    label: "review.url_deauthorize",
                    url: url(&format!("{hooks}/deauthorize")),
                },
                UrlRow {
                    label: "review.url_data_deletion",
                    url: url(&format!("{hooks}/data-deletion")),
                },
                UrlRow {
                    label: "review.url_deletion_status",
                    url: url("/privacy/data-deletion"),
                },
            ]);
            checks.push(flag(
                site.meta_verify_token,
                "review.check_verify_token",
                "review.verify_token_set",
                "review.verify_token_missing",
            ));
            checks.push(probe(
                "review.check_deletion_page",
                "/privacy/data-deletion",
                deletion.clone(),
            ));
        }
        let info = herald_platforms::info(id);
        let (name, testers, guide) = match id {
            ProviderId::Facebook => ("review.app_facebook", "review.testers_meta", "meta"),
            ProviderId::Instagram => ("review.app_instagram", "review.testers_meta", "meta"),
            ProviderId::TikTok => ("review.app_tiktok", "review.testers_tiktok", "tiktok"),
            ProviderId::YouTube => ("review.app_youtube", "review.testers_google", "youtube"),
        };
        apps.push(AppCard {
            slug: id.as_str(),
            name,
            status,
            status_label: match status {
                "real" => "review.status_real",
                "sandbox" => "review.status_sandbox",
                _ => "review.status_off",
            },
            checks,
            urls,
            scopes: info
                .scopes
                .iter()
                .map(|s| ScopeRow {
                    scope: s.scope,
                    required: s.required,
                    purpose: t.text(&format!("review.purpose.{}", s.purpose)).to_owned(),
                })
                .collect(),
            testers,
            guide,
        });
    }
    render(&ReviewPage {
        rail: rail(Section::Settings),
        checks,
        apps,
        c,
    })
}

#[cfg(test)]
mod tests {
    use herald_platforms::ProviderId;

    use crate::i18n::{Locale, catalog};

    #[test]
    fn every_permission_herald_requests_is_explained_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for id in ProviderId::ALL {
                for s in herald_platforms::info(id).scopes {
                    let key = format!("review.purpose.{}", s.purpose);
                    assert!(t.has(&key), "{key} in {}", locale.code());
                }
            }
        }
    }
}
