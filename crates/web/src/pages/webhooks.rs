//! The Webhooks section: the history of Meta deliveries routed to the
//! workspace, with filters and paging as a plain GET form, one page per
//! delivery (headers, payload, every attempt) and replay of one, several
//! or every failed delivery since a time, as POST forms that come back
//! here with a notice. Only members who may manage webhooks see it.
//!
//! Times are shown, and the filter's from/to read, in the viewer's zone
//! (as on the calendar). The detail page lives under `/deliveries/` so the
//! outbound endpoints can have `/home/webhooks/endpoints`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use herald_accounts::{Authorized, Permission, User, WorkspaceMembership};
use herald_core::Named;
use herald_core::Timestamp;
use herald_core::WorkspaceId;
use herald_webhooks::{
    Attempt, AttemptTrigger, DeliveryDetail, DeliveryFilter, DeliveryId, DeliveryStatus,
    DeliverySummary,
};
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::posts::{ViewerZone, local_time, viewer_zone};
use super::shell::{RailItem, Section, rail};
use super::{Chrome, known, render};
use crate::auth::SignedIn;
use crate::i18n::{Catalog, error_copy};
use crate::member;
use crate::webhooks::service_error;
use crate::{AppState, WebError};

/// Deliveries per page of the history.
const PAGE_SIZE: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/home/webhooks", get(list_deliveries))
        .route("/home/webhooks/replay", post(replay_deliveries))
        .route("/home/webhooks/deliveries/{id}", get(show_delivery))
        // The short form notification links use; only ever digits, so it
        // never shadows `/home/webhooks/endpoints`.
        .route("/home/webhooks/{id}", get(redirect_to_delivery))
        .route(
            "/home/webhooks/deliveries/{id}/replay",
            post(replay_delivery),
        )
}

/// The workspace asked for (or the first), once the user may manage its
/// webhooks: 403 for other members, 404 for strangers.
async fn managed_workspace(
    state: &AppState,
    user: &User,
    asked: Option<i64>,
) -> Result<(WorkspaceMembership, Authorized), WebError> {
    member::authorize(state, user, asked, Permission::ManageWebhooks).await
}

pub(super) fn status_label(t: &'static Catalog, s: DeliveryStatus) -> &'static str {
    t.text(&format!("webhooks.status.{}", s.as_str()))
}

/// A local date-time from a `datetime-local` field (`2026-03-29T09:00`,
/// seconds optional) or a bare date (midnight), in `tz`.
pub(super) fn local_instant(value: &str, tz: &TimeZone) -> Option<Timestamp> {
    let value = value.trim();
    let civil = value.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        value
            .parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.at(0, 0, 0, 0))
    })?;
    civil.to_zoned(tz.clone()).ok().map(|z| z.timestamp())
}

/// `Some(trimmed)` unless empty.
fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

// ---------------------------------------------------------------- history

#[derive(Deserialize, Default)]
struct HistoryQuery {
    workspace: Option<i64>,
    status: Option<String>,
    object: Option<String>,
    field: Option<String>,
    from: Option<String>,
    to: Option<String>,
    q: Option<String>,
    before: Option<i64>,
    tz: Option<String>,
    done: Option<String>,
    count: Option<usize>,
    error: Option<String>,
}

impl HistoryQuery {
    /// The service's filter, or the code of the first field that is wrong.
    fn filter(&self, tz: &TimeZone) -> Result<DeliveryFilter, &'static str> {
        let status = match given(&self.status) {
            Some(s) => Some(DeliveryStatus::parse(&s).ok_or("webhook_invalid_status")?),
            None => None,
        };
        let time = |v: &Option<String>| -> Result<Option<Timestamp>, &'static str> {
            match given(v) {
                Some(s) => local_instant(&s, tz)
                    .map(Some)
                    .ok_or("webhook_invalid_time"),
                None => Ok(None),
            }
        };
        let (from, to) = (time(&self.from)?, time(&self.to)?);
        if let (Some(from), Some(to)) = (from, to)
            && to <= from
        {
            return Err("webhook_invalid_range");
        }
        Ok(DeliveryFilter {
            status,
            object: given(&self.object),
            field: given(&self.field),
            from,
            to,
            text: given(&self.q),
            before: self.before.map(DeliveryId),
            limit: PAGE_SIZE,
        })
    }

    /// This query's filters as a query string (no paging, no notices).
    fn filters(&self, workspace: i64, zone: &ViewerZone) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("workspace", workspace.to_string())];
        for (name, value) in [
            ("status", &self.status),
            ("object", &self.object),
            ("field", &self.field),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ] {
            if let Some(v) = given(value) {
                pairs.push((name, v));
            }
        }
        if zone.source == "query" {
            pairs.push(("tz", zone.name.clone()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

pub struct DeliveryRow {
    pub id: i64,
    pub received: String,
    pub object: String,
    pub fields: String,
    pub entry_ids: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub attempts: i64,
    pub last_error: Option<String>,
}

fn delivery_row(t: &'static Catalog, tz: &TimeZone, d: &DeliverySummary) -> DeliveryRow {
    DeliveryRow {
        id: d.id.0,
        received: local_time(d.received_at, tz),
        object: d.object.clone(),
        fields: d.fields.join(", "),
        entry_ids: d.entry_ids.join(", "),
        status: d.status.as_str(),
        status_label: status_label(t, d.status),
        attempts: d.attempts,
        last_error: d.last_error.clone().filter(|e| !e.trim().is_empty()),
    }
}

/// An option of a filter select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(values: &[String], current: Option<&str>) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: v.clone(),
            label: v.clone(),
            selected: current == Some(v.as_str()),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct HistoryPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    zone: String,
    zone_note: String,
    statuses: Vec<Choice>,
    objects: Vec<Choice>,
    fields: Vec<Choice>,
    from: String,
    to: String,
    q: String,
    filtered: bool,
    clear_href: String,
    rows: Vec<DeliveryRow>,
    older_href: Option<String>,
    newest_href: Option<String>,
    notice: Option<String>,
    error: Option<String>,
}

async fn list_deliveries(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, WebError> {
    let inbound = &state.webhooks().inbound;
    let (ws, auth) = managed_workspace(&state, &authed.user, q.workspace).await?;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let (objects, fields) = inbound.facets(&auth).await.map_err(service_error)?;
    let (summaries, refused) = match q.filter(&zone.tz) {
        Ok(filter) => (
            inbound.list(&auth, &filter).await.map_err(service_error)?,
            None,
        ),
        Err(code) => (Vec::new(), Some(code)),
    };
    let filters = q.filters(ws.id.0, &zone);
    let older_href = (summaries.len() == PAGE_SIZE)
        .then(|| summaries.last())
        .flatten()
        .map(|last| format!("/home/webhooks?{filters}&before={}", last.id.0));
    let notice = match (q.done.as_deref(), q.count) {
        (Some("replayed"), Some(n)) => Some(c.t.fill("webhooks.done.replayed", "count", n)),
        (done, _) => known(c.t, "webhooks.done.", done),
    };
    let error = refused
        .map(|code| error_copy(c.locale, code).to_owned())
        .or_else(|| known(c.t, "error.", q.error.as_deref()));
    let current_status = given(&q.status);
    let page = HistoryPage {
        rail: rail(Section::Webhooks),
        workspace: ws.id.0,
        zone_note: c.t.fill("webhooks.zone_note", "zone", &zone.name),
        zone: zone.name.clone(),
        statuses: DeliveryStatus::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: status_label(c.t, s).to_owned(),
                selected: current_status.as_deref() == Some(s.as_str()),
            })
            .collect(),
        objects: choices(&objects, given(&q.object).as_deref()),
        fields: choices(&fields, given(&q.field).as_deref()),
        from: given(&q.from).unwrap_or_default(),
        to: given(&q.to).unwrap_or_default(),
        q: given(&q.q).unwrap_or_default(),
        filtered: filters.contains('&'),
        clear_href: format!("/home/webhooks?workspace={}", ws.id.0),
        rows: summaries
            .iter()
            .map(|d| delivery_row(c.t, &zone.tz, d))
            .collect(),
        older_href,
        newest_href: q.before.map(|_| format!("/home/webhooks?{filters}")),
        notice,
        error,
        c,
    };
    let mut resp = render(&page)?;
    if refused.is_some() {
        *resp.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(resp)
}

// ---------------------------------------------------------------- detail

pub struct AttemptRow {
    pub number: i64,
    pub trigger: String,
    pub started: String,
    pub finished: Option<String>,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub summary: String,
    pub error: Option<String>,
}

fn attempt_row(t: &'static Catalog, tz: &TimeZone, a: &Attempt) -> AttemptRow {
    let outcome = match (a.finished_at, a.succeeded) {
        (None, _) => "running",
        (Some(_), true) => "succeeded",
        (Some(_), false) => "failed",
    };
    AttemptRow {
        number: a.number,
        trigger: match &a.trigger {
            AttemptTrigger::Automatic => t.text("webhooks.trigger_automatic").to_owned(),
            AttemptTrigger::Replay {
                by_name: Some(name),
                ..
            } => t.fill("webhooks.trigger_replay_by", "name", name),
            AttemptTrigger::Replay { by_name: None, .. } => {
                t.text("webhooks.trigger_replay").to_owned()
            }
        },
        started: local_time(a.started_at, tz),
        finished: a.finished_at.map(|at| local_time(at, tz)),
        outcome,
        outcome_label: t.text(&format!("webhooks.outcome.{outcome}")),
        summary: crate::words::attempt_summary(t, &a.summary),
        error: a.error.clone().filter(|e| !e.trim().is_empty()),
    }
}

pub struct RouteRow {
    pub name: String,
    pub provider: String,
    pub remote_id: String,
}

#[derive(Template)]
#[template(path = "webhook_delivery.html")]
struct DeliveryPage {
    c: Chrome,
    rail: Vec<RailItem>,
    workspace: i64,
    delivery: DeliveryRow,
    entries: i64,
    size: i64,
    processed: Option<String>,
    zone: String,
    routes: Vec<RouteRow>,
    headers: Vec<(String, String)>,
    payload: String,
    attempts: Vec<AttemptRow>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct DetailQuery {
    workspace: Option<i64>,
    tz: Option<String>,
    done: Option<String>,
}

/// A delivery id from the path: anything else is not a delivery (404).
fn delivery_id(raw: &str) -> Result<DeliveryId, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(DeliveryId)
        .ok_or(WebError::NotFound)
}

async fn show_delivery(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    c: Chrome,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, WebError> {
    let id = delivery_id(&id)?;
    let inbound = &state.webhooks().inbound;
    let (ws, auth) = managed_workspace(&state, &authed.user, q.workspace).await?;
    let zone = viewer_zone(q.tz.as_deref(), &headers);
    let DeliveryDetail {
        summary,
        headers: stored_headers,
        body,
        attempts,
        routes,
    } = inbound
        .get(&auth, id)
        .await
        .map_err(service_error)?
        .ok_or(WebError::NotFound)?;
    render(&DeliveryPage {
        rail: rail(Section::Webhooks),
        workspace: ws.id.0,
        delivery: delivery_row(c.t, &zone.tz, &summary),
        entries: summary.entries,
        size: summary.size,
        processed: summary.processed_at.map(|at| local_time(at, &zone.tz)),
        zone: zone.name.clone(),
        routes: routes
            .into_iter()
            .map(|r| RouteRow {
                name: r.connection_name,
                provider: r.provider,
                remote_id: r.remote_id,
            })
            .collect(),
        headers: stored_headers,
        payload: pretty_json(&body),
        attempts: attempts
            .iter()
            .map(|a| attempt_row(c.t, &zone.tz, a))
            .collect(),
        notice: known(c.t, "webhooks.done.", q.done.as_deref()),
        c,
    })
}

/// `/home/webhooks/{id}` → `/home/webhooks/deliveries/{id}`, keeping the
/// query (the workspace).
async fn redirect_to_delivery(
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, WebError> {
    let id = delivery_id(&id)?;
    let query = query
        .filter(|q| q.bytes().all(|b| b.is_ascii_graphic()))
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    Ok(Redirect::to(&format!("/home/webhooks/deliveries/{}{query}", id.0)).into_response())
}

/// `body` re-indented for reading when it is JSON, as received otherwise.
/// Only whitespace outside strings changes, so key order, number spelling
/// and escapes (`\u00e4`) stay exactly as Meta sent them.
pub(crate) fn pretty_json(body: &str) -> String {
    if serde_json::from_str::<serde::de::IgnoredAny>(body).is_err() {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = body.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(ch) = chars.next() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
            continue;
        }
        match ch {
            '"' => {
                in_string = true;
                out.push(ch);
            }
            '{' | '[' => {
                out.push(ch);
                // Empty containers stay on one line.
                while chars.peek().is_some_and(char::is_ascii_whitespace) {
                    chars.next();
                }
                if chars.peek().is_some_and(|c| *c == '}' || *c == ']') {
                    out.push(chars.next().unwrap_or(ch));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(ch);
            }
            ',' => {
                out.push(ch);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------- replay

#[derive(Deserialize)]
struct ReplayOneForm {
    workspace: i64,
}

/// Replays one delivery, then back to its page with a notice.
async fn replay_delivery(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReplayOneForm>,
) -> Result<Response, WebError> {
    let id = delivery_id(&id)?;
    let inbound = &state.webhooks().inbound;
    let (ws, auth) = managed_workspace(&state, &authed.user, Some(form.workspace)).await?;
    if ws.id != WorkspaceId(form.workspace) {
        return Err(WebError::NotFound);
    }
    let queued = inbound.replay(&auth, &[id]).await.map_err(service_error)?;
    if queued == 0 {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to(&format!(
        "/home/webhooks/deliveries/{}?workspace={}&done=replay_queued",
        id.0, ws.id.0
    ))
    .into_response())
}

/// Replays the ticked deliveries (`ids`) or every failed one received
/// since `since` (a local time in `tz`), then back to the history.
async fn replay_deliveries(
    State(state): State<AppState>,
    SignedIn(authed): SignedIn,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let value = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let asked = value("workspace")
        .and_then(|w| w.parse::<i64>().ok())
        .ok_or(WebError::BadRequest {
            code: "bad_request",
        })?;
    let inbound = &state.webhooks().inbound;
    let (ws, auth) = managed_workspace(&state, &authed.user, Some(asked)).await?;
    if ws.id != WorkspaceId(asked) {
        return Err(WebError::NotFound);
    }
    let back = |query: String| {
        Redirect::to(&format!("/home/webhooks?workspace={asked}&{query}")).into_response()
    };
    let queued = if value("mode").as_deref() == Some("since") {
        let zone = viewer_zone(value("tz").as_deref(), &headers);
        let Some(since) = value("since").and_then(|s| local_instant(&s, &zone.tz)) else {
            return Ok(back("error=webhook_invalid_time".into()));
        };
        inbound
            .replay_failed_since(&auth, since)
            .await
            .map_err(service_error)?
    } else {
        let ids: Vec<DeliveryId> = form
            .iter()
            .filter(|(k, _)| k == "ids")
            .filter_map(|(_, v)| v.trim().parse::<i64>().ok())
            .map(DeliveryId)
            .collect();
        if ids.is_empty() {
            return Ok(back("error=webhook_nothing_selected".into()));
        }
        inbound.replay(&auth, &ids).await.map_err(service_error)?
    };
    Ok(back(format!("done=replayed&count={queued}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};

    #[test]
    fn payloads_are_indented_without_changing_a_character_of_their_values() {
        let raw = r#"{"object":"instagram","entry":[{"id":"17841","changes":[{"field":"comments","value":{"text":"Sch\u00f6n, \"gut\": [1]","n":1.50e2}}]}],"empty":{},"list":[ ]}"#;
        let pretty = pretty_json(raw);
        assert!(pretty.starts_with("{\n  \"object\": \"instagram\",\n  \"entry\": [\n    {"));
        assert!(
            pretty.contains(r#""text": "Sch\u00f6n, \"gut\": [1]""#),
            "{pretty}"
        );
        assert!(pretty.contains(r#""n": 1.50e2"#), "{pretty}");
        assert!(pretty.contains(r#""empty": {}"#), "{pretty}");
        assert!(pretty.contains(r#""list": []"#), "{pretty}");
        let squeezed: String = pretty.split('\n').map(str::trim_start).collect();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&squeezed).unwrap(),
            serde_json::from_str::<serde_json::Value>(raw).unwrap()
        );
    }

    #[test]
    fn bodies_that_are_not_json_are_shown_as_received() {
        for raw in ["not json {", "", "{\"a\":"] {
            assert_eq!(pretty_json(raw), raw);
        }
    }

    #[test]
    fn filter_times_are_read_in_the_viewers_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let t = local_instant("2026-07-01T09:30", &berlin).unwrap();
        assert_eq!(t.to_string(), "2026-07-01T07:30:00Z");
        let t = local_instant("2026-01-05", &berlin).unwrap();
        assert_eq!(t.to_string(), "2026-01-04T23:00:00Z");
        assert!(local_instant("yesterday", &berlin).is_none());
        assert!(local_instant("2026-13-01T00:00", &berlin).is_none());
    }

    #[test]
    fn a_bad_filter_names_the_field_that_is_wrong() {
        let tz = TimeZone::UTC;
        let q = |status: &str, from: &str, to: &str| HistoryQuery {
            status: Some(status.into()),
            from: Some(from.into()),
            to: Some(to.into()),
            ..HistoryQuery::default()
        };
        assert_eq!(
            q("lost", "", "").filter(&tz).err(),
            Some("webhook_invalid_status")
        );
        assert_eq!(
            q("", "soon", "").filter(&tz).err(),
            Some("webhook_invalid_time")
        );
        assert_eq!(
            q("", "2026-02-01T00:00", "2026-01-01T00:00")
                .filter(&tz)
                .err(),
            Some("webhook_invalid_range")
        );
        let f = q("dead", "2026-01-01T00:00", "").filter(&tz).unwrap();
        assert_eq!(f.status, Some(DeliveryStatus::Dead));
        assert_eq!(f.limit, PAGE_SIZE);
        assert!(f.to.is_none() && f.text.is_none());
    }

    #[test]
    fn every_status_outcome_and_code_has_copy() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for s in DeliveryStatus::ALL {
                assert!(t.has(&format!("webhooks.status.{}", s.as_str())), "{s:?}");
            }
            for o in ["running", "succeeded", "failed"] {
                assert!(t.has(&format!("webhooks.outcome.{o}")), "{o}");
            }
            for code in [
                "webhook_invalid_status",
                "webhook_invalid_time",
                "webhook_invalid_range",
                "webhook_nothing_selected",
            ] {
                assert!(t.has(&format!("error.{code}")), "{code}");
            }
            assert!(t.has("webhooks.done.replay_queued"));
            assert!(t.fill("webhooks.done.replayed", "count", 3).contains('3'));
        }
    }
}

/// Property tests: whatever a delivery's body holds, showing it never
/// panics; JSON is re-indented without changing a token, anything else is
/// shown as received.
#[cfg(test)]
pub(crate) mod props {
    use proptest::collection::vec;
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::*;

    /// Any JSON value, a few levels deep, with strings of any characters.
    pub(crate) fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            // Floats serde_json reads back exactly (without its
            // `float_roundtrip` feature, long ones may differ in the last bit).
            any::<i32>().prop_map(|n| Value::from(f64::from(n) / 64.0)),
            ".{0,12}".prop_map(Value::from),
            "[\\\\\"{}\\[\\],: ]{0,8}".prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..5).prop_map(Value::Array),
                vec((".{0,6}", inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    /// `json` without the whitespace between its tokens.
    fn squeeze(json: &str) -> String {
        let mut out = String::with_capacity(json.len());
        let (mut in_string, mut escaped) = (false, false);
        for c in json.chars() {
            if in_string {
                out.push(c);
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
            } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
                in_string = c == '"';
                out.push(c);
            }
        }
        out
    }

    /// Non-ASCII characters as `\uXXXX`, the way Meta writes them.
    fn escape_non_ascii(json: &str) -> String {
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bodies_never_panic_and_non_json_is_shown_as_received(
            body in prop_oneof![".{0,2048}", "[\\[\\]{}\",:\\\\ a0]{0,64}"],
        ) {
            let shown = pretty_json(&body);
            if serde_json::from_str::<serde::de::IgnoredAny>(&body).is_err() {
                prop_assert_eq!(shown, body);
            }
        }

        #[test]
        fn json_bodies_are_indented_without_changing_a_token(
            value in json(),
            indented in any::<bool>(),
            escaped in any::<bool>(),
        ) {
            let body = if indented {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .expect("renders");
            let body = if escaped { escape_non_ascii(&body) } else { body };
            let shown = pretty_json(&body);
            prop_assert_eq!(squeeze(&shown), squeeze(&body));
            prop_assert_eq!(serde_json::from_str::<Value>(&shown).expect("still JSON"), value);
        }

        #[test]
        fn numbers_keep_their_spelling(
            f in any::<f64>().prop_filter("finite", |f| f.is_finite()),
            exponent in any::<bool>(),
        ) {
            let spelled = if exponent { format!("{f:e}") } else { format!("{f}") };
            let body = format!("{{\"n\":{spelled},\"list\":[{spelled}]}}");
            prop_assume!(serde_json::from_str::<serde::de::IgnoredAny>(&body).is_ok());
            prop_assert_eq!(squeeze(&pretty_json(&body)), body);
        }

        #[test]
        fn deep_nesting_is_shown_in_bounded_space(depth in 0usize..200, items in 0usize..64) {
            let inner = vec!["1"; items].join(",");
            let body = format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth));
            let shown = pretty_json(&body);
            // At most one line per token, each indented by at most the depth.
            prop_assert!(shown.len() <= (body.len() + 1) * (2 * depth + 3));
        }
    }
}
