//! Graph reads with user and Page tokens: `/me`, `/me/accounts` (with
//! cursor paging and Page tokens minted on first use), `/me/permissions`,
//! `debug_token`, and Page / Instagram business account nodes with their
//! business-use-case usage.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::SignedDuration;
use serde_json::{Value, json};

use super::insights::{live_ig, live_page};
use super::{caller, granted_pages, has_scope, new_token};
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields, select};
use crate::params::GraphField;
use crate::seed::{IgAccount, MetaPage, MetaUser, meta_user};
use crate::state::{TokenKind, TokenRecord};
use crate::{Platform, Sandbox};

const TASKS: &[&str] = &[
    "ADVERTISE",
    "ANALYZE",
    "CREATE_CONTENT",
    "MESSAGING",
    "MODERATE",
    "MANAGE",
];

// ---------------------------------------------------------------- /me

const USER_FIELDS: &[&str] = &[
    "id",
    "name",
    "first_name",
    "last_name",
    "short_name",
    "email",
    "picture",
];
const PAGE_FIELDS: &[&str] = &[
    "id",
    "name",
    "access_token",
    "category",
    "category_list",
    "tasks",
    "instagram_business_account",
    "picture",
    "fan_count",
    "followers_count",
    "link",
    "username",
    "about",
];
const IG_FIELDS: &[&str] = &[
    "id",
    "ig_id",
    "username",
    "name",
    "biography",
    "website",
    "profile_picture_url",
    "followers_count",
    "follows_count",
    "media_count",
];

fn picture(url: &str) -> Value {
    json!({"data": {"height": 50, "is_silhouette": false, "url": url, "width": 50}})
}

fn user_json(user: &MetaUser, record: &TokenRecord, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(user.id)),
        "name" => Some(json!(user.name)),
        "first_name" => Some(json!(user.first_name)),
        "last_name" => Some(json!(user.last_name)),
        "short_name" => Some(json!(user.first_name)),
        "email" => has_scope(record, "email").then(|| json!(user.email)),
        "picture" => Some(picture(&user.picture)),
        _ => None,
    })
}

fn ig_json(ig: &IgAccount, fields: &[GraphField]) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(ig.id)),
        "ig_id" => Some(json!(ig.ig_id)),
        "username" => Some(json!(ig.username)),
        "name" => Some(json!(ig.name)),
        "biography" => Some(json!(ig.biography)),
        "website" => Some(json!(ig.website)),
        "profile_picture_url" => Some(json!(ig.profile_picture_url)),
        "followers_count" => Some(json!(ig.followers_count)),
        "follows_count" => Some(json!(ig.follows_count)),
        "media_count" => Some(json!(ig.media_count)),
        _ => None,
    })
}

/// A Page as Graph shows it. `page_token` is filled in for `access_token`
/// only when the caller holds a user token.
fn page_json(page: &MetaPage, fields: &[GraphField], page_token: Option<&str>) -> Value {
    select(fields, |f| match f.name.as_str() {
        "id" => Some(json!(page.id)),
        "name" => Some(json!(page.name)),
        "access_token" => page_token.map(|t| json!(t)),
        "category" => Some(json!(page.category)),
        "category_list" => Some(json!([{"id": page.category_id, "name": page.category}])),
        "tasks" => Some(json!(TASKS)),
        "instagram_business_account" => {
            let sub = f.sub.clone().unwrap_or_else(|| {
                vec![GraphField {
                    name: "id".into(),
                    sub: None,
                }]
            });
            Some(ig_json(&page.ig, &sub))
        }
        "picture" => Some(picture(&page.picture)),
        "fan_count" => Some(json!(page.fan_count)),
        "followers_count" => Some(json!(page.followers_count)),
        "link" => Some(json!(format!("https://www.facebook.com/{}", page.id))),
        "username" => Some(json!(page.username)),
        "about" => Some(json!(page.about)),
        _ => None,
    })
}

/// The Page token for `page` derived from the user token `parent`, minted
/// on first use. Derived from a long-lived token it never expires; from a
/// short-lived one it expires with it.
fn page_token(sb: &Sandbox, parent: &str, parent_record: &TokenRecord, page: &MetaPage) -> String {
    let now = sb.now();
    sb.update(|st| {
        if let Some(existing) = st.page_token_of(parent, &page.id) {
            return existing.to_owned();
        }
        let token = new_token();
        st.insert_token(
            token.clone(),
            TokenRecord {
                kind: TokenKind::MetaPage,
                issued_at: now,
                expires_at: match parent_record.kind {
                    TokenKind::MetaLong => None,
                    _ => parent_record.expires_at,
                },
                page_id: Some(page.id.clone()),
                parent: Some(parent.to_owned()),
                ..parent_record.clone()
            },
        );
        token
    })
}

pub(super) async fn get_me(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(&sb, "meta.me", &app_id, query.as_deref(), &headers, &[]).await;
    let result = me(&sb, &mut call, &ver);
    call.finish(result)
}

fn me(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, || {
        GraphError::new(200, "(#200) Permissions error")
    })?;
    call.check_app_budget()?;
    let (_, record) = caller(sb, call, GraphError::no_token_for_me)?;
    let user = meta_user(&record.user, &sb.config().public_base);
    if record.kind == TokenKind::MetaPage {
        // With a Page token, /me is the Page.
        let page = user
            .pages
            .iter()
            .find(|p| Some(&p.id) == record.page_id.as_ref())
            .ok_or_else(GraphError::cannot_parse_token)?;
        let fields = requested_fields(&call.params, &["name", "id"], PAGE_FIELDS, "Page")?;
        call.charge_object(sb, Budget::Page(&page.id))?;
        return Ok(page_json(&live_page(sb, page.clone()), &fields, None));
    }
    let fields = requested_fields(&call.params, &["name", "id"], USER_FIELDS, "User")?;
    Ok(user_json(&user, &record, &fields))
}

// ---------------------------------------------------------- /me/accounts

pub(super) async fn list_accounts(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.me_accounts",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = accounts(&sb, &mut call, &ver);
    call.finish(result)
}

fn missing_pages_permission() -> GraphError {
    GraphError::new(200, "(#200) Permissions error")
}

fn accounts(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, missing_pages_permission)?;
    call.check_app_budget()?;
    let (token, record) = caller(sb, call, GraphError::no_token_for_me)?;
    if record.kind == TokenKind::MetaPage {
        return Err(GraphError::nonexisting_field("accounts", "Page"));
    }
    if !has_scope(&record, "pages_show_list") {
        return Err(missing_pages_permission());
    }
    let fields = requested_fields(
        &call.params,
        &[
            "access_token",
            "category",
            "category_list",
            "name",
            "id",
            "tasks",
        ],
        PAGE_FIELDS,
        "Page",
    )?;
    let pages = granted_pages(sb, &record);
    let limit = call
        .params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let start = match (call.params.get("after"), call.params.get("before")) {
        (Some(after), _) => decode_cursor(after).map(|i| i + 1),
        (None, Some(before)) => decode_cursor(before).map(|i| i.saturating_sub(limit)),
        _ => Some(0),
    }
    .ok_or_else(|| GraphError::param("(#100) The after/before cursor is invalid"))?;
    let slice: Vec<(usize, &MetaPage)> = pages.iter().enumerate().skip(start).take(limit).collect();
    let wants_token = fields.iter().any(|f| f.name == "access_token");
    let data: Vec<Value> = slice
        .iter()
        .map(|(_, page)| {
            let page_token = wants_token.then(|| page_token(sb, &token, &record, page));
            page_json(
                &live_page(sb, (*page).clone()),
                &fields,
                page_token.as_deref(),
            )
        })
        .collect();
    let mut body = json!({ "data": data });
    if let (Some((first, _)), Some((last, _))) = (slice.first(), slice.last()) {
        let mut paging = json!({
            "cursors": {"before": encode_cursor(*first), "after": encode_cursor(*last)}
        });
        let link = |cursor_name: &str, cursor: String| {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("access_token", &token);
            if let Some(f) = call.params.get("fields") {
                q.append_pair("fields", f);
            }
            q.append_pair("limit", &limit.to_string());
            q.append_pair(cursor_name, &cursor);
            sb.url(&format!(
                "/graph.facebook.com/{ver}/me/accounts?{}",
                q.finish()
            ))
        };
        if last + 1 < pages.len() {
            paging["next"] = json!(link("after", encode_cursor(*last)));
        }
        if *first > 0 {
            paging["previous"] = json!(link("before", encode_cursor(*first)));
        }
        body["paging"] = paging;
    }
    Ok(body)
}

fn encode_cursor(index: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("sandbox-page:{index}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("sandbox-page:")?
        .parse()
        .ok()
}

// -------------------------------------------------------- /me/permissions

pub(super) async fn list_permissions(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.permissions",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = permissions(&sb, &mut call, &ver, false);
    call.finish(result)
}

pub(super) async fn delete_permissions(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.permissions",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = permissions(&sb, &mut call, &ver, true);
    call.finish(result)
}

fn permissions(
    sb: &Sandbox,
    call: &mut GraphCall,
    ver: &str,
    delete: bool,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, || {
        GraphError::new(200, "(#200) Permissions error")
    })?;
    call.check_app_budget()?;
    let (_, record) = caller(sb, call, GraphError::no_token_for_me)?;
    if record.kind == TokenKind::MetaPage {
        return Err(GraphError::nonexisting_field("permissions", "Page"));
    }
    if delete {
        // The person removes the app: every token of theirs dies, Page
        // tokens included.
        sb.update(|st| st.remove_app(Platform::Meta, &record.user));
        return Ok(json!({"success": true}));
    }
    let data: Vec<Value> = record
        .scopes
        .iter()
        .map(|s| json!({"permission": s, "status": "granted"}))
        .chain(
            record
                .declined
                .iter()
                .map(|s| json!({"permission": s, "status": "declined"})),
        )
        .collect();
    Ok(json!({ "data": data }))
}

// ------------------------------------------------------------ debug_token

pub(super) async fn inspect_token(
    State(sb): State<Sandbox>,
    Path(ver): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call = GraphCall::begin(
        &sb,
        "meta.debug_token",
        &app_id,
        query.as_deref(),
        &headers,
        &[],
    )
    .await;
    let result = debug(&sb, &mut call, &ver);
    call.finish(result)
}

fn debug(sb: &Sandbox, call: &mut GraphCall, ver: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    let app = &sb.config().meta;
    let now = sb.now();
    let app_token = format!("{}|{}", app.client_id, app.client_secret);
    let authorized = match call.token.as_deref() {
        Some(t) if t == app_token => true,
        Some(t) => sb.read(|st| st.check(t, Platform::Meta, now).is_ok()),
        None => false,
    };
    if !authorized {
        return Err(GraphError::param(
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        ));
    }
    let Some(input) = call.params.non_empty("input_token").map(str::to_owned) else {
        return Err(GraphError::param(
            "(#100) The parameter input_token is required",
        ));
    };
    let record = sb
        .read(|st| st.token(&input).cloned())
        .filter(|r| r.kind.platform() == Platform::Meta);
    let Some(record) = record else {
        return Ok(json!({"data": {
            "error": {"code": 190, "message": "Invalid OAuth access token - Cannot parse access token"},
            "is_valid": false,
            "scopes": [],
        }}));
    };
    let user = meta_user(&record.user, &sb.config().public_base);
    let pages = granted_pages(sb, &record);
    let target_ids = |scope: &str| -> Option<Vec<String>> {
        if scope.starts_with("pages_") || scope == "read_insights" {
            Some(pages.iter().map(|p| p.id.clone()).collect())
        } else if scope.starts_with("instagram_") {
            Some(pages.iter().map(|p| p.ig.id.clone()).collect())
        } else {
            None
        }
    };
    let granular: Vec<Value> = record
        .scopes
        .iter()
        .map(|s| match target_ids(s) {
            Some(ids) => json!({"scope": s, "target_ids": ids}),
            None => json!({"scope": s}),
        })
        .collect();
    let mut data = json!({
        "app_id": app.client_id,
        "type": if record.kind == TokenKind::MetaPage { "PAGE" } else { "USER" },
        "application": "Herald (sandbox Facebook app)",
        "data_access_expires_at": (record.issued_at + SignedDuration::from_hours(24 * 90)).as_second(),
        "expires_at": record.expires_at.map_or(0, jiff::Timestamp::as_second),
        "is_valid": true,
        "issued_at": record.issued_at.as_second(),
        "scopes": record.scopes,
        "granular_scopes": granular,
        "user_id": user.id,
    });
    if let Some(page_id) = &record.page_id {
        data["profile_id"] = json!(page_id);
    }
    if let Err(problem) = sb.read(|st| st.check(&input, Platform::Meta, now).map(|_| ())) {
        let error = GraphError::from_problem(problem, &app.client_id, now);
        data["is_valid"] = json!(false);
        let mut e = json!({"code": error.code, "message": error.message});
        if let Some(sub) = error.subcode {
            e["subcode"] = json!(sub);
        }
        data["error"] = e;
    }
    Ok(json!({ "data": data }))
}

// ------------------------------------------------------ Page and IG reads

pub(super) async fn get_object(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let app_id = sb.config().meta.client_id.clone();
    let mut call =
        GraphCall::begin(&sb, "meta.object", &app_id, query.as_deref(), &headers, &[]).await;
    let result = object(&sb, &mut call, &ver, &id);
    call.finish(result)
}

fn object(sb: &Sandbox, call: &mut GraphCall, ver: &str, id: &str) -> Result<Value, GraphError> {
    check_version(ver)?;
    let (token, record) = caller(sb, call, GraphError::no_token)?;
    let user = meta_user(&record.user, &sb.config().public_base);
    let is_page_token = record.kind == TokenKind::MetaPage;
    let visible: Vec<MetaPage> = if is_page_token {
        user.pages
            .iter()
            .filter(|p| Some(&p.id) == record.page_id.as_ref())
            .cloned()
            .collect()
    } else {
        granted_pages(sb, &record)
    };

    if !is_page_token && id == user.id {
        call.fault(sb, Budget::App, GraphError::no_permission)?;
        call.check_app_budget()?;
        let fields = requested_fields(&call.params, &["name", "id"], USER_FIELDS, "User")?;
        return Ok(user_json(&user, &record, &fields));
    }
    if let Some(page) = visible.iter().find(|p| p.id == id) {
        let budget = if is_page_token {
            Budget::Page(&page.id)
        } else {
            Budget::App
        };
        call.fault(sb, budget, GraphError::no_permission)?;
        call.check_app_budget()?;
        call.charge_object(sb, budget)?;
        let fields = requested_fields(&call.params, &["name", "id"], PAGE_FIELDS, "Page")?;
        let wants_token = !is_page_token && fields.iter().any(|f| f.name == "access_token");
        let page_token = wants_token.then(|| page_token(sb, &token, &record, page));
        return Ok(page_json(
            &live_page(sb, page.clone()),
            &fields,
            page_token.as_deref(),
        ));
    }
    if let Some(page) = visible.iter().find(|p| p.ig.id == id) {
        let budget = Budget::Instagram(&page.ig.id);
        call.fault(sb, budget, GraphError::no_permission)?;
        call.check_app_budget()?;
        call.charge_object(sb, budget)?;
        if !has_scope(&record, "instagram_basic") {
            return Err(GraphError::no_permission());
        }
        let fields = requested_fields(&call.params, &["id"], IG_FIELDS, "IGUser")?;
        return Ok(ig_json(&live_ig(sb, page.ig.clone()), &fields));
    }
    call.fault(sb, Budget::App, GraphError::no_permission)?;
    call.check_app_budget()?;
    Err(GraphError::unsupported_get(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(3)), Some(3));
        assert_eq!(decode_cursor("garbage"), None);
    }
}
