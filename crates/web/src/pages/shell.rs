//! The logged-in layout: a left rail with the product's sections, and the
//! home page's getting-started steps. A section is in the rail only once it
//! has a page of its own: nothing here links to a page that does not exist
//! yet.

use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

use super::{Chrome, render};
use crate::auth::SignedIn;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new().route("/home", get(show_home))
}

/// A section of the rail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Home,
    Publishing,
    Calendar,
    Content,
    Analytics,
    Learn,
    Inbox,
    Webhooks,
    Settings,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Home,
        Section::Publishing,
        Section::Calendar,
        Section::Content,
        Section::Analytics,
        Section::Learn,
        Section::Inbox,
        Section::Webhooks,
        Section::Settings,
    ];

    pub fn href(self) -> &'static str {
        match self {
            Section::Home => "/home",
            Section::Publishing => "/home/publishing",
            Section::Calendar => "/home/calendar",
            Section::Content => "/home/content",
            Section::Analytics => "/home/analytics",
            Section::Learn => "/home/learn",
            Section::Inbox => "/home/inbox",
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
            Section::Learn => "nav.learn",
            Section::Inbox => "nav.inbox",
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
            Section::Analytics => "M4 20V4M4 20h16M8 16v-5M12 16V8M16 16v-8M20 16v-3",
            Section::Learn => "M3 6l9-3 9 3-9 3zM7 8v6c3 2 7 2 10 0V8M21 6v6",
            Section::Inbox => "M4 5h16l1 8v6H3v-6zM3 13h5l2 3h4l2-3h5",
            Section::Webhooks => {
                "M9 7a3 3 0 1 1 4 2.8L16 15M6 17a3 3 0 1 1 3-3h6M18 17a3 3 0 1 1-2.5-4.6"
            }
            Section::Settings => {
                "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-1-3-2 .3-1.5-1.5L17 5l-3-1-1 2h-2L10 4 7 5l.5 1.8L6 8.3 4 8 3 11l2 1-2 1 1 3 2-.3 1.5 1.5L7 19l3 1 1-2h2l1 2 3-1-.5-1.8 1.5-1.5 2 .3 1-3z"
            }
        }
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

/// The getting-started steps: (title, body, page, the page's name).
pub const STEPS: [(&str, &str, &str, &str); 5] = [
    (
        "home.step_connect_title",
        "home.step_connect_body",
        "/home/publishing",
        "nav.publishing",
    ),
    (
        "home.step_compose_title",
        "home.step_compose_body",
        "/home/compose",
        "nav.compose",
    ),
    (
        "home.step_schedule_title",
        "home.step_schedule_body",
        "/home/calendar",
        "nav.calendar",
    ),
    (
        "home.step_results_title",
        "home.step_results_body",
        "/home/notifications",
        "notifications.title",
    ),
    (
        "home.step_team_title",
        "home.step_team_body",
        "/home/settings",
        "nav.settings",
    ),
];

async fn show_home(SignedIn(_): SignedIn, c: Chrome) -> Result<Response, WebError> {
    let steps = STEPS
        .iter()
        .map(|&(title, body, href, page)| Step {
            title,
            body,
            href,
            link: c.t.fill("home.open", "section", c.t.get(page)),
        })
        .collect();
    render(&HomePage {
        rail: rail(Section::Home),
        steps,
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn every_section_and_step_has_its_copy_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for s in Section::ALL {
                assert!(t.has(s.label()), "{}", s.label());
            }
            for (title, body, _, page) in STEPS {
                for key in [title, body, page] {
                    assert!(t.has(key), "{key} in {}", locale.code());
                }
            }
        }
    }
}
