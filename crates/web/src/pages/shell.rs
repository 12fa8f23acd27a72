//! The logged-in layout: a left rail with the product's sections and one
//! page per section under `/home`. Each section shows what it will hold and
//! what to do next while it is empty.

use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;

use super::{Chrome, render};
use crate::auth::SignedIn;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home", get(show_home))
        .route("/home/{section}", get(show_section))
}

/// A section of the rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Publishing,
    Calendar,
    Content,
    Analytics,
    Webhooks,
    Settings,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Home,
        Section::Publishing,
        Section::Calendar,
        Section::Content,
        Section::Analytics,
        Section::Webhooks,
        Section::Settings,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Section::Home => "home",
            Section::Publishing => "publishing",
            Section::Calendar => "calendar",
            Section::Content => "content",
            Section::Analytics => "analytics",
            Section::Webhooks => "webhooks",
            Section::Settings => "settings",
        }
    }

    pub fn href(self) -> &'static str {
        match self {
            Section::Home => "/home",
            Section::Publishing => "/home/publishing",
            Section::Calendar => "/home/calendar",
            Section::Content => "/home/content",
            Section::Analytics => "/home/analytics",
            Section::Webhooks => "/home/webhooks",
            Section::Settings => "/home/settings",
        }
    }

    /// The catalog key of the section's name.
    fn label(self) -> &'static str {
        match self {
            Section::Home => "nav.home",
            Section::Publishing => "nav.publishing",
            Section::Calendar => "nav.calendar",
            Section::Content => "nav.content",
            Section::Analytics => "nav.analytics",
            Section::Webhooks => "nav.webhooks",
            Section::Settings => "nav.settings",
        }
    }

    /// The path data of the section's 24×24 line icon.
    fn icon(self) -> &'static str {
        match self {
            Section::Home => "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z",
            Section::Publishing => "M4 12l16-8-6 16-3-7zM11 13l9-9",
            Section::Calendar => "M4 6h16v14H4zM4 10h16M8 3v4M16 3v4",
            Section::Content => "M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h7",
            Section::Analytics => "M4 20V10M10 20V4M16 20v-7M22 20H2",
            Section::Webhooks => {
                "M9 7a3 3 0 1 1 4 2.8L16 15M6 17a3 3 0 1 1 3-3h6M18 17a3 3 0 1 1-2.5-4.6"
            }
            Section::Settings => {
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .3-1.5-1.5L17 5l-3-1-1 2h-2L10 4 7 5l.5 1.8L6 8.3 4 8 3 11l2 1-2 1 1 3 2-.3 1.5 1.5L7 19l3 1 1-2h2l1 2 3-1-.5-1.8 1.5-1.5 2 .3 1-3z"
            }
        }
    }

    fn from_slug(slug: &str) -> Option<Section> {
        Section::ALL
            .into_iter()
            .find(|s| *s != Section::Home && s.slug() == slug)
    }
}

pub struct RailItem {
    pub href: &'static str,
    pub label: &'static str,
    pub icon: &'static str,
    pub current: bool,
}

pub(super) fn rail(current: Section) -> Vec<RailItem> {
    Section::ALL
        .into_iter()
        .map(|s| RailItem {
            href: s.href(),
            label: s.label(),
            icon: s.icon(),
            current: s == current,
        })
        .collect()
}

pub struct Step {
    pub title: &'static str,
    pub body: &'static str,
    pub href: &'static str,
    pub link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    c: Chrome,
    rail: Vec<RailItem>,
    steps: Vec<Step>,
}

async fn show_home(SignedIn(_): SignedIn, c: Chrome) -> Result<Response, WebError> {
    let step = |title, body, section: Section| Step {
        title,
        body,
        href: section.href(),
        link: c.t.fill("home.open", "section", c.t.get(section.label())),
    };
    let steps = vec![
        step(
            "home.step_connect_title",
            "home.step_connect_body",
            Section::Publishing,
        ),
        step(
            "home.step_compose_title",
            "home.step_compose_body",
            Section::Content,
        ),
        step(
            "home.step_schedule_title",
            "home.step_schedule_body",
            Section::Calendar,
        ),
        step(
            "home.step_results_title",
            "home.step_results_body",
            Section::Analytics,
        ),
        step(
            "home.step_team_title",
            "home.step_team_body",
            Section::Settings,
        ),
    ];
    render(&HomePage {
        rail: rail(Section::Home),
        steps,
        c,
    })
}

#[derive(Template)]
#[template(path = "section.html")]
struct SectionPage {
    c: Chrome,
    rail: Vec<RailItem>,
    title: &'static str,
    lead: &'static str,
    empty_title: &'static str,
    empty_body: &'static str,
    next: &'static str,
    icon: &'static str,
}

async fn show_section(
    SignedIn(_): SignedIn,
    c: Chrome,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let section = Section::from_slug(&slug).ok_or(WebError::NotFound)?;
    // Keys are `section.<slug>.<part>`; the catalog test keeps them complete.
    let key =
        |part: &str| -> &'static str { c.t.text(&format!("section.{}.{part}", section.slug())) };
    render(&SectionPage {
        rail: rail(section),
        title: key("title"),
        lead: key("lead"),
        empty_title: key("empty_title"),
        empty_body: key("empty_body"),
        next: key("next"),
        icon: section.icon(),
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn every_section_has_its_copy_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for s in Section::ALL {
                assert!(t.has(s.label()), "{}", s.label());
                if s == Section::Home {
                    continue;
                }
                for part in ["title", "lead", "empty_title", "empty_body", "next"] {
                    let key = format!("section.{}.{part}", s.slug());
                    assert!(t.has(&key), "{key} in {}", locale.code());
                }
            }
        }
    }

    #[test]
    fn slugs_round_trip_and_home_is_not_a_subsection() {
        for s in Section::ALL.into_iter().skip(1) {
            assert_eq!(Section::from_slug(s.slug()), Some(s));
            assert_eq!(s.href(), format!("/home/{}", s.slug()));
        }
        assert_eq!(Section::from_slug("home"), None);
        assert_eq!(Section::from_slug("nowhere"), None);
    }
}
