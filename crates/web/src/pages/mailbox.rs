//! The development mailbox: the mail Herald queued, newest first, and each
//! mail with its plain-text body (links clickable) so a developer can follow
//! a verification or reset link without an SMTP server. Development mode
//! without SMTP only, and only for a client on this machine (loopback):
//! anywhere else both pages are 404, since bodies hold live tokens.

use askama::Template;
use axum::Router;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use herald_core::Timestamp;
use herald_mail::{MailError, MailId, MailState, StoredMail};

use super::{Chrome, render};
use crate::{AppState, WebError};

/// How many mails the list shows.
const LIST_LIMIT: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dev/mailbox", get(list_mail))
        .route("/dev/mailbox/{id}", get(show_mail))
}

fn development_only(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<(), WebError> {
    let client = crate::auth::client_ip(Some(peer.ip()), headers, &state.site().trusted_proxies);
    if state.site().dev_mailbox && client.is_some_and(|ip| ip.is_loopback()) {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

fn mail_error(e: MailError) -> WebError {
    match e {
        MailError::Db(e) => WebError::Database(e),
        other => WebError::Internal(Box::new(other)),
    }
}

/// The pages show single-use links: never keep them in a cache.
fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn state_key(state: MailState) -> &'static str {
    match state {
        MailState::Pending => "mailbox.state_pending",
        MailState::Sent => "mailbox.state_sent",
        MailState::Failed => "mailbox.state_failed",
    }
}

/// A time as shown (UTC, to the second) and as `<time datetime>`.
pub struct TimeView {
    pub shown: String,
    pub machine: String,
}

impl TimeView {
    fn of(ts: Timestamp) -> TimeView {
        TimeView {
            shown: ts.strftime("%Y-%m-%d %H:%M:%S UTC").to_string(),
            machine: ts.to_string(),
        }
    }
}

pub struct MailRowView {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub kind: String,
    pub queued: TimeView,
    pub state: &'static str,
    pub state_key: &'static str,
}

#[derive(Template)]
#[template(path = "mailbox.html")]
struct MailboxPage {
    c: Chrome,
    mails: Vec<MailRowView>,
}

async fn list_mail(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    c: Chrome,
) -> Result<Response, WebError> {
    development_only(&state, peer, &headers)?;
    let mails = herald_mail::recent(state.db(), LIST_LIMIT)
        .await
        .map_err(mail_error)?;
    let mails = mails
        .into_iter()
        .map(|m| MailRowView {
            id: m.id.0,
            to: m.to,
            subject: m.subject,
            kind: m.kind,
            queued: TimeView::of(m.created_at),
            state: m.state.as_str(),
            state_key: state_key(m.state),
        })
        .collect();
    render(&MailboxPage { c, mails }).map(no_store)
}

/// A piece of a plain-text body: text, or an http(s) URL to link.
#[derive(Debug, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub link: bool,
}

#[derive(Template)]
#[template(path = "mailbox_mail.html")]
struct MailPage {
    c: Chrome,
    mail: StoredMail,
    state_key: &'static str,
    queued: TimeView,
    sent: Option<TimeView>,
    segments: Vec<Segment>,
}

async fn show_mail(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    development_only(&state, peer, &headers)?;
    let id = id.parse().map(MailId).map_err(|_| WebError::NotFound)?;
    let mail = herald_mail::get(state.db(), id)
        .await
        .map_err(mail_error)?
        .ok_or(WebError::NotFound)?;
    render(&MailPage {
        c,
        state_key: state_key(mail.state),
        queued: TimeView::of(mail.created_at),
        sent: mail.sent_at.map(TimeView::of),
        segments: link_segments(&mail.text),
        mail,
    })
    .map(no_store)
}

/// Splits `text` into plain runs and http(s) URLs. A URL ends at white
/// space or a character that cannot be part of one in running text;
/// trailing sentence punctuation (and an unbalanced closing parenthesis)
/// stays outside the link.
pub fn link_segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(start) = url_start(rest) {
        let (before, from) = rest.split_at(start);
        plain.push_str(before);
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(from.len());
        let url = trim_url(&from[..end]);
        let scheme_len = if from.starts_with("https://") { 8 } else { 7 };
        if url.len() <= scheme_len {
            // A scheme alone is not a link.
            plain.push_str(&from[..scheme_len]);
            rest = &from[scheme_len..];
            continue;
        }
        if !plain.is_empty() {
            out.push(Segment {
                text: std::mem::take(&mut plain),
                link: false,
            });
        }
        out.push(Segment {
            text: url.to_owned(),
            link: true,
        });
        rest = &from[url.len()..];
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        out.push(Segment {
            text: plain,
            link: false,
        });
    }
    out
}

/// Where the first `http://` or `https://` starting a word is.
fn url_start(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("http") {
        let i = from + i;
        let tail = &s[i..];
        let word_start = s[..i].chars().last().is_none_or(|c| !c.is_alphanumeric());
        if word_start && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(i);
        }
        from = i + 4;
    }
    None
}

fn trim_url(mut url: &str) -> &str {
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
        let trimmed = match trimmed.strip_suffix(')') {
            Some(inner) if inner.matches('(').count() < trimmed.matches(')').count() => inner,
            _ => trimmed,
        };
        if trimmed.len() == url.len() {
            return url;
        }
        url = trimmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|s| {
                if s.link {
                    format!("[{}]", s.text)
                } else {
                    s.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn http_and_https_urls_become_links_and_nothing_else_does() {
        let cases = [
            (
                "Confirm:\nhttps://herald.example/verify?token=a&b=1\nThanks",
                "Confirm:\n[https://herald.example/verify?token=a&b=1]\nThanks",
            ),
            (
                "See https://a.example/x. Or (http://b.example/y), fine?",
                "See [https://a.example/x]. Or ([http://b.example/y]), fine?",
            ),
            (
                "Wiki https://en.example/wiki/Rust_(language) ok",
                "Wiki [https://en.example/wiki/Rust_(language)] ok",
            ),
            (
                "javascript:alert(1) ftp://x.example",
                "javascript:alert(1) ftp://x.example",
            ),
            (
                "xhttps://not.example and https:// alone",
                "xhttps://not.example and https:// alone",
            ),
            (
                "<https://a.example/q?x=\"y\">",
                "<[https://a.example/q?x=]\"y\">",
            ),
            ("", ""),
        ];
        for (text, expected) in cases {
            let segments = link_segments(text);
            assert_eq!(render(&segments), expected, "{text:?}");
            assert!(segments.iter().all(|s| !s.text.is_empty()));
        }
    }
}
