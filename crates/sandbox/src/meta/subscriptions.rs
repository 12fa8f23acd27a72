//! Webhook subscriptions of accounts: `/{page-id}/subscribed_apps` on
//! graph.facebook.com with the Page's token (`me` with a Page token is the
//! Page), and `/me/subscribed_apps` (or the account id) on
//! graph.instagram.com with the account's Instagram Login token. `POST`
//! with `subscribed_fields` sets the fields and answers
//! `{"success":true}`, `GET` lists the app's subscription as
//! `{"data":[{"category","link","name","id","subscribed_fields"}]}`,
//! `DELETE` removes it. The webhook sender delivers only what is
//! subscribed here ([`Subscriptions::fields`]).
//!
//! Permissions as Meta checks them: every Page field takes
//! `pages_manage_metadata` (else `(#200) Requires pages_manage_metadata
//! permission to manage the object`), messaging fields also
//! `pages_messaging`; Instagram Login fields take the scope of their
//! feature (`(#200) To subscribe to the {field} field, one of these
//! permissions is needed: {scope}`).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::publish::{Host, instagram_caller, page_actor, unsupported};
use super::{caller, has_scope};
use crate::Sandbox;
use crate::graph::{Budget, GraphCall, GraphError, check_version};
use crate::seed::instagram_account;
use crate::state::{TokenKind, TokenRecord};

/// Page fields the sandbox takes (a subset of Graph's list), and the
/// permission each needs besides `pages_manage_metadata`.
const PAGE_FIELDS: &[(&str, Option<&str>)] = &[
    ("feed", None),
    ("mention", None),
    ("name", None),
    ("picture", None),
    ("category", None),
    ("description", None),
    ("ratings", None),
    ("videos", None),
    ("live_videos", None),
    ("leadgen", None),
    ("messages", Some("pages_messaging")),
    ("messaging_postbacks", Some("pages_messaging")),
    ("messaging_optins", Some("pages_messaging")),
    ("messaging_referrals", Some("pages_messaging")),
    ("message_deliveries", Some("pages_messaging")),
    ("message_reads", Some("pages_messaging")),
    ("message_echoes", Some("pages_messaging")),
    ("message_reactions", Some("pages_messaging")),
    ("standby", Some("pages_messaging")),
];

/// Instagram Login fields and the permission each needs.
const INSTAGRAM_FIELDS: &[(&str, &str)] = &[
    ("comments", "instagram_business_manage_comments"),
    ("live_comments", "instagram_business_manage_comments"),
    ("mentions", "instagram_business_manage_comments"),
    ("story_insights", "instagram_business_manage_insights"),
    ("messages", "instagram_business_manage_messages"),
    ("message_reactions", "instagram_business_manage_messages"),
    ("messaging_postbacks", "instagram_business_manage_messages"),
    ("messaging_seen", "instagram_business_manage_messages"),
    ("messaging_referral", "instagram_business_manage_messages"),
];

pub(crate) const SUBSCRIBE_SCOPE: &str = "pages_manage_metadata";

/// Which app's subscription: Facebook Login (Pages) or Instagram Login
/// (Instagram accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subscriber {
    Page,
    Instagram,
}

impl Subscriber {
    fn key(self, object: &str) -> String {
        match self {
            Subscriber::Page => format!("page:{object}"),
            Subscriber::Instagram => format!("instagram:{object}"),
        }
    }
}

/// Every subscribed Page and Instagram Login account with its fields
/// (part of the persisted state).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Subscriptions {
    #[serde(default)]
    by_object: BTreeMap<String, Vec<String>>,
}

impl Subscriptions {
    /// The fields `object` is subscribed to; `None` when it is not.
    pub fn fields(&self, who: Subscriber, object: &str) -> Option<&[String]> {
        self.by_object.get(&who.key(object)).map(Vec::as_slice)
    }

    fn set(&mut self, who: Subscriber, object: &str, fields: Vec<String>) {
        self.by_object.insert(who.key(object), fields);
    }

    fn remove(&mut self, who: Subscriber, object: &str) {
        self.by_object.remove(&who.key(object));
    }
}

/// Graph's answer for a permission the subscription lacks.
fn requires_metadata() -> GraphError {
    GraphError::new(
        200,
        format!("(#200) Requires {SUBSCRIBE_SCOPE} permission to manage the object"),
    )
}

fn field_permission(field: &str, scope: &str) -> GraphError {
    GraphError::new(
        200,
        format!(
            "(#200) To subscribe to the {field} field, one of these permissions is needed: {scope}"
        ),
    )
}

fn page_token_required() -> GraphError {
    GraphError::new(
        210,
        "(#210) A page access token is required to request this resource.",
    )
}

/// The `subscribed_fields` of a POST, checked against `known`.
fn requested(call: &GraphCall, known: &[&str]) -> Result<Vec<String>, GraphError> {
    let raw = call
        .params
        .non_empty("subscribed_fields")
        .ok_or_else(|| GraphError::param("(#100) The parameter subscribed_fields is required"))?;
    let mut fields: Vec<String> = Vec::new();
    for (i, field) in raw
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .enumerate()
    {
        if !known.contains(&field) {
            return Err(GraphError::param(format!(
                "(#100) Param subscribed_fields[{i}] must be one of {{{}}} - got \"{field}\"",
                known.join(", ")
            )));
        }
        if !fields.iter().any(|f| f == field) {
            fields.push(field.to_owned());
        }
    }
    Ok(fields)
}

/// The app's entry in a `GET` listing.
fn listing(sb: &Sandbox, app_id: &str, fields: Option<&[String]>) -> Value {
    let data: Vec<Value> = fields
        .map(|fields| {
            json!({
                "category": "Business",
                "link": sb.config().public_base,
                "name": "Herald Sandbox",
                "id": app_id,
                "subscribed_fields": fields,
            })
        })
        .into_iter()
        .collect();
    json!({ "data": data })
}

/// A `subscribed_apps` request on either Graph host; `node` is the
/// version segment and the id.
pub(super) async fn respond(
    sb: &Sandbox,
    host: Host,
    (ver, id): (&str, &str),
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let endpoint = match host {
        Host::Facebook => "meta.subscribed_apps",
        Host::Instagram => "instagram.subscribed_apps",
    };
    let app_id = host.app_id(sb);
    let mut call = GraphCall::begin(sb, endpoint, &app_id, query, headers, body).await;
    let verb = if method == Method::GET {
        "get"
    } else if method == Method::DELETE {
        "delete"
    } else {
        "post"
    };
    let result = match host {
        Host::Facebook => page_edge(sb, ver, id, verb, &mut call),
        Host::Instagram => instagram_edge(sb, ver, id, verb, &mut call),
    };
    call.finish(result)
}

/// `DELETE` on an edge of graph.facebook.com: only subscriptions are
/// deleted that way.
pub(super) async fn delete_facebook_edge(
    State(sb): State<Sandbox>,
    Path(path): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    delete_edge(sb, Host::Facebook, path, query, headers, body).await
}

/// `DELETE` on an edge of graph.instagram.com.
pub(super) async fn delete_instagram_edge(
    State(sb): State<Sandbox>,
    Path(path): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    delete_edge(sb, Host::Instagram, path, query, headers, body).await
}

async fn delete_edge(
    sb: Sandbox,
    host: Host,
    (ver, id, edge): (String, String, String),
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if edge == "subscribed_apps" {
        return respond(
            &sb,
            host,
            (&ver, &id),
            &Method::DELETE,
            query.as_deref(),
            &headers,
            &body,
        )
        .await;
    }
    let app_id = host.app_id(&sb);
    let call = GraphCall::begin(
        &sb,
        "meta.object",
        &app_id,
        query.as_deref(),
        &headers,
        &body,
    )
    .await;
    call.finish(Err(GraphError::unknown_path(&format!("/{edge}"))))
}

/// `/{page-id}/subscribed_apps` (or `me` with a Page token) on
/// graph.facebook.com.
fn page_edge(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    method: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let page_id = if id == "me" {
        let (_, record) = caller(sb, call, GraphError::no_token)?;
        record
            .page_id
            .clone()
            .filter(|_| record.kind == TokenKind::MetaPage)
            .ok_or_else(|| unsupported(method, id))?
    } else {
        id.to_owned()
    };
    let actor = page_actor(sb, call, &page_id, id, method)?;
    call.fault(sb, Budget::Page(&actor.page.id), requires_metadata)?;
    call.check_app_budget()?;
    call.charge_object(sb, Budget::Page(&actor.page.id))?;
    if !actor.page_token {
        return Err(page_token_required());
    }
    if !has_scope(&actor.record, SUBSCRIBE_SCOPE) {
        return Err(requires_metadata());
    }
    let page = actor.page.id;
    match method {
        "get" => {
            let fields = sb.read(|st| {
                st.subscriptions()
                    .fields(Subscriber::Page, &page)
                    .map(<[String]>::to_vec)
            });
            Ok(listing(sb, &Host::Facebook.app_id(sb), fields.as_deref()))
        }
        "delete" => {
            sb.update(|st| st.subscriptions_mut().remove(Subscriber::Page, &page));
            Ok(json!({"success": true}))
        }
        _ => {
            let known: Vec<&str> = PAGE_FIELDS.iter().map(|(f, _)| *f).collect();
            let fields = requested(call, &known)?;
            for field in &fields {
                if let Some((_, Some(scope))) = PAGE_FIELDS.iter().find(|(f, _)| f == field)
                    && !has_scope(&actor.record, scope)
                {
                    return Err(field_permission(field, scope));
                }
            }
            sb.update(|st| st.subscriptions_mut().set(Subscriber::Page, &page, fields));
            Ok(json!({"success": true}))
        }
    }
}

/// `/me/subscribed_apps` (or the account's id) on graph.instagram.com.
fn instagram_edge(
    sb: &Sandbox,
    ver: &str,
    id: &str,
    method: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let record: TokenRecord = instagram_caller(sb, call)?;
    let ig = instagram_account(&record.user, &sb.config().public_base);
    if id != "me" && id != ig.id {
        return Err(unsupported(method, id));
    }
    call.fault(sb, Budget::Instagram(&ig.id), GraphError::no_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, Budget::Instagram(&ig.id))?;
    match method {
        "get" => {
            let fields = sb.read(|st| {
                st.subscriptions()
                    .fields(Subscriber::Instagram, &ig.id)
                    .map(<[String]>::to_vec)
            });
            Ok(listing(sb, &Host::Instagram.app_id(sb), fields.as_deref()))
        }
        "delete" => {
            sb.update(|st| {
                st.subscriptions_mut().remove(Subscriber::Instagram, &ig.id);
            });
            Ok(json!({"success": true}))
        }
        _ => {
            let known: Vec<&str> = INSTAGRAM_FIELDS.iter().map(|(f, _)| *f).collect();
            let fields = requested(call, &known)?;
            for field in &fields {
                if let Some((_, scope)) = INSTAGRAM_FIELDS.iter().find(|(f, _)| f == field)
                    && !has_scope(&record, scope)
                {
                    return Err(field_permission(field, scope));
                }
            }
            sb.update(|st| {
                st.subscriptions_mut()
                    .set(Subscriber::Instagram, &ig.id, fields);
            });
            Ok(json!({"success": true}))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriptions_cover_only_their_fields_and_go_away() {
        let mut subs = Subscriptions::default();
        subs.set(Subscriber::Page, "1", vec!["feed".into()]);
        assert_eq!(
            subs.fields(Subscriber::Page, "1"),
            Some(&["feed".to_owned()][..])
        );
        assert_eq!(subs.fields(Subscriber::Instagram, "1"), None);
        subs.remove(Subscriber::Page, "1");
        assert!(subs.fields(Subscriber::Page, "1").is_none());
    }
}
