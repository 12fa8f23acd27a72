//! Pages anyone may see: the landing page, the privacy notice, the terms,
//! and the language switch.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, http::HeaderMap};
use serde::Deserialize;

use super::{Chrome, render};
use crate::i18n::{LANG_COOKIE, LegalSection, Locale};
use crate::{AppState, SiteConfig, WebError};

/// When the privacy notice and terms last changed; shown on both pages and
/// recorded as the version a person accepts at sign-up.
pub const LEGAL_VERSION: &str = "2026-12-07";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(show_landing))
        .route("/privacy", get(show_privacy))
        .route("/terms", get(show_terms))
        .route("/language", post(set_language))
}

/// A claim of the landing page and the page where it is true: a feature is
/// listed here only once that page exists (a test follows every link).
pub struct Feature {
    pub title: &'static str,
    pub body: &'static str,
    pub href: &'static str,
}

pub const FEATURES: [Feature; 8] = [
    Feature {
        title: "landing.f_schedule_title",
        body: "landing.f_schedule_body",
        href: "/home/calendar",
    },
    Feature {
        title: "landing.f_exactly_once_title",
        body: "landing.f_exactly_once_body",
        href: "/home/calendar",
    },
    Feature {
        title: "landing.f_accounts_title",
        body: "landing.f_accounts_body",
        href: "/home/publishing",
    },
    Feature {
        title: "landing.f_team_title",
        body: "landing.f_team_body",
        href: "/home/settings",
    },
    Feature {
        title: "landing.f_inbox_title",
        body: "landing.f_inbox_body",
        href: "/home/inbox",
    },
    Feature {
        title: "landing.f_studio_title",
        body: "landing.f_studio_body",
        href: "/home/content",
    },
    Feature {
        title: "landing.f_webhooks_title",
        body: "landing.f_webhooks_body",
        href: "/home/webhooks",
    },
    Feature {
        title: "landing.f_selfhosted_title",
        body: "landing.f_selfhosted_body",
        href: "/privacy",
    },
];

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage {
    c: Chrome,
    features: &'static [Feature],
}

async fn show_landing(c: Chrome) -> Result<Response, WebError> {
    render(&LandingPage {
        c,
        features: &FEATURES,
    })
}

#[derive(Template)]
#[template(path = "legal.html")]
struct LegalPage<'a> {
    c: &'a Chrome,
    title: &'a str,
    updated: String,
    sections: Vec<Section<'a>>,
    /// Whether to link the data-deletion status lookup (privacy only).
    deletion_link: bool,
}

/// A section of the privacy notice or the terms, with what the code adds.
struct Section<'a> {
    heading: &'a str,
    /// Who runs this instance (the `operator` slot).
    lead: Option<String>,
    /// The retention policy (the `retention` slot).
    list: Vec<String>,
    paragraphs: &'a [String],
}

fn sections<'a>(c: &'a Chrome, site: &SiteConfig, of: &'a [LegalSection]) -> Vec<Section<'a>> {
    of.iter()
        .map(|s| Section {
            heading: &s.heading,
            lead: (s.slot.as_deref() == Some("operator")).then(|| operator(c, site)),
            list: if s.slot.as_deref() == Some("retention") {
                site.retention.iter().map(|r| c.t.retention(r)).collect()
            } else {
                Vec::new()
            },
            paragraphs: &s.paragraphs,
        })
        .collect()
}

/// Who runs this instance, as configured.
fn operator(c: &Chrome, site: &SiteConfig) -> String {
    match &site.operator {
        Some(o) => c.t.format(
            "public.operator",
            &[("name", (&o.name).into()), ("contact", (&o.contact).into())],
        ),
        None => c.t.get("public.operator_unknown").to_owned(),
    }
}

async fn show_privacy(State(state): State<AppState>, c: Chrome) -> Result<Response, WebError> {
    render(&LegalPage {
        title: c.t.get("public.privacy"),
        updated: c.t.fill("public.updated", "date", LEGAL_VERSION),
        sections: sections(&c, state.site(), &c.t.privacy),
        deletion_link: true,
        c: &c,
    })
}

async fn show_terms(State(state): State<AppState>, c: Chrome) -> Result<Response, WebError> {
    render(&LegalPage {
        title: c.t.get("public.terms"),
        updated: c.t.fill("public.updated", "date", LEGAL_VERSION),
        sections: sections(&c, state.site(), &c.t.terms),
        deletion_link: false,
        c: &c,
    })
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// Remembers the chosen language in a cookie and returns to the page the
/// switch was on (only ever a path on this site). A signed-in person's
/// choice is also kept on their account, so the mail Herald sends them
/// later (notifications, the digest) is in the language they read.
async fn set_language(
    State(state): State<AppState>,
    crate::auth::CurrentUser(authed): crate::auth::CurrentUser,
    Form(form): Form<LanguageForm>,
) -> Result<Response, WebError> {
    let locale = Locale::from_code(&form.lang).ok_or(WebError::BadRequest {
        code: "unknown_language",
    })?;
    if let Some(authed) = authed {
        state
            .accounts()
            .set_locale(&authed.user, locale.code())
            .await?;
    }
    let secure = if state.site().public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        locale.code()
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(local_path(&form.next)).map_err(|e| WebError::Internal(e.into()))?,
    );
    headers.insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| WebError::Internal(e.into()))?,
    );
    Ok((StatusCode::SEE_OTHER, headers).into_response())
}

/// `next` when it is a path on this site, `/` otherwise: never an open
/// redirect (`//host`, `/\host`, schemes, control characters).
pub(crate) fn local_path(next: &str) -> &str {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() <= 2048
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    if safe { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            local_path("/home/calendar?view=week"),
            "/home/calendar?view=week"
        );
        assert_eq!(local_path("/"), "/");
        for bad in [
            "",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "home",
            "/a b",
            "/a\r\nSet-Cookie: x=1",
            "/ünicode",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
