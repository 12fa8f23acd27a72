//! Engagement through the Graph API, on graph.facebook.com (Pages, and
//! Instagram business accounts with their Page's token) and
//! graph.instagram.com (Instagram Login): a comment node (`GET`, `POST
//! hide=` / `is_hidden=` to hide or show it again, `DELETE`), replies
//! (`/{ig-comment-id}/replies`, `/{comment-id}/comments`), and the
//! messages edge (`/{page-id}/messages`, `/{ig-user-id}/messages`) for
//! direct messages and private replies.
//!
//! The rules, each with the page it comes from, are listed in Herald's
//! `docs/platforms/engagement.md`: a token sees the comments on its
//! account's media and posts and the comments it wrote (anything else is
//! Graph's "Unsupported request", 100/33); only comments on its own
//! content can be hidden or replied to, and only those and its own can be
//! deleted (`(#200) Permissions error` otherwise); a private reply is
//! allowed once per comment (10900) and within 7 days of it (10903); a
//! message needs the person to have written within the last 24 hours
//! (10/2018278) and to have written at all (100/2018001).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::publish::{Host, falsy, instagram_caller, paged, truthy, unsupported};
use super::{caller, granted_pages, has_scope};
use crate::engagement::{Act, MESSAGE_WINDOW, PRIVATE_REPLY_WINDOW};
use crate::graph::{Budget, GraphCall, GraphError, check_version, requested_fields};
use crate::meta::{Comment, CommentHome, FoundComment};
use crate::params::GraphField;
use crate::seed::{Follower, instagram_account, meta_user};
use crate::state::{TokenKind, TokenRecord};
use crate::webhooks::connected_accounts;
use crate::{Platform, Sandbox};

/// Instagram comments and replies: at most 2,200 characters.
const COMMENT_MAX: usize = 2_200;
/// Instagram direct messages: text under 1,000 characters.
const INSTAGRAM_TEXT_MAX: usize = 1_000;
/// Messenger text messages: at most 2,000 characters.
const MESSENGER_TEXT_MAX: usize = 2_000;

// ------------------------------------------------------------ catalogue

/// Acting on a comment the account may see but not change.
fn permissions_error() -> GraphError {
    GraphError::new(200, "(#200) Permissions error")
}

fn page_token_required() -> GraphError {
    GraphError::new(
        210,
        "(#210) A page access token is required to request this resource.",
    )
}

fn outside_window() -> GraphError {
    GraphError::new(
        10,
        "(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
    )
    .subcode(2018278)
}

fn no_matching_user() -> GraphError {
    GraphError::new(100, "(#100) No matching user found").subcode(2018001)
}

fn already_replied() -> GraphError {
    GraphError::new(10900, "(#10900) Activity already replied to")
}

fn cannot_reply() -> GraphError {
    GraphError::new(10903, "(#10903) This user cant reply to this activity")
}

fn hidden_comment() -> GraphError {
    GraphError::new(200, "(#200) You cannot reply to a hidden comment")
}

fn empty_message() -> GraphError {
    GraphError::param("(#100) Message cannot be empty, must provide valid attachment or text")
}

fn required(name: &str) -> GraphError {
    GraphError::param(format!("(#100) The parameter {name} is required"))
}

// ------------------------------------------------------------------ who

/// A Page or Instagram account a token acts for.
#[derive(Debug, Clone)]
struct Acting {
    id: String,
    /// The Page's name or the Instagram username.
    name: String,
}

/// The caller and the accounts its token acts for: a Page token's Page
/// and its Instagram account; a user token's granted Pages and theirs; an
/// Instagram Login token's account.
struct Actor {
    record: TokenRecord,
    accounts: Vec<Acting>,
    page_token: bool,
}

impl Actor {
    fn acts_for(&self, id: &str) -> bool {
        self.accounts.iter().any(|a| a.id == id)
    }

    fn account(&self, id: &str) -> Option<&Acting> {
        self.accounts.iter().find(|a| a.id == id)
    }

    fn may_see(&self, found: &FoundComment) -> bool {
        self.acts_for(&found.owner) || self.acts_for(&found.comment.from_id)
    }
}

fn actor(sb: &Sandbox, call: &GraphCall, host: Host) -> Result<Actor, GraphError> {
    let base = &sb.config().public_base;
    match host {
        Host::Facebook => {
            let (_, record) = caller(sb, call, GraphError::no_token)?;
            let page_token = record.kind == TokenKind::MetaPage;
            let pages = if page_token {
                meta_user(&record.user, base)
                    .pages
                    .into_iter()
                    .filter(|p| Some(&p.id) == record.page_id.as_ref())
                    .collect()
            } else {
                granted_pages(sb, &record)
            };
            let accounts = pages
                .into_iter()
                .flat_map(|p| {
                    [
                        Acting {
                            id: p.id,
                            name: p.name,
                        },
                        Acting {
                            id: p.ig.id,
                            name: p.ig.username,
                        },
                    ]
                })
                .collect();
            Ok(Actor {
                record,
                accounts,
                page_token,
            })
        }
        Host::Instagram => {
            let record = instagram_caller(sb, call)?;
            let ig = instagram_account(&record.user, base);
            Ok(Actor {
                record,
                accounts: vec![Acting {
                    id: ig.id,
                    name: ig.username,
                }],
                page_token: false,
            })
        }
    }
}

/// The scope that moderates `home` from `host`.
fn moderation_scope(host: Host, home: &CommentHome) -> &'static str {
    match home {
        CommentHome::Media(_) => host.comments_scope(),
        CommentHome::Post(_) => "pages_manage_engagement",
    }
}

fn require(actor: &Actor, scope: &str) -> Result<(), GraphError> {
    if has_scope(&actor.record, scope) {
        Ok(())
    } else {
        Err(GraphError::no_permission())
    }
}

/// The budget a call about `owner`'s content is charged to.
fn budget<'a>(home: &CommentHome, owner: &'a str, actor: &Actor) -> Budget<'a> {
    match home {
        CommentHome::Media(_) => Budget::Instagram(owner),
        CommentHome::Post(_) if actor.page_token => Budget::Page(owner),
        CommentHome::Post(_) => Budget::App,
    }
}

/// A comment this caller can see, with its fault and budgets applied; an
/// unknown or invisible id is Graph's "Unsupported request" after the
/// app's checks.
fn visible_comment(
    sb: &Sandbox,
    call: &mut GraphCall,
    actor: &Actor,
    id: &str,
    method: &str,
) -> Result<FoundComment, GraphError> {
    let found = sb
        .read(|st| st.meta_publishing().find_comment(id))
        .filter(|f| actor.may_see(f));
    let Some(found) = found else {
        call.fault(sb, Budget::App, GraphError::no_permission)?;
        call.check_app_budget()?;
        return Err(unsupported(method, id));
    };
    let budget = budget(&found.home, &found.owner, actor);
    call.fault(sb, budget, GraphError::no_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, budget)?;
    Ok(found)
}

fn platform(host: Host) -> Platform {
    match host {
        Host::Facebook => Platform::Meta,
        Host::Instagram => Platform::Instagram,
    }
}

// ----------------------------------------------------------- comment node

/// Which endpoint id a request on a comment node counts under.
fn node_endpoint(sb: &Sandbox, host: Host, id: &str) -> &'static str {
    let home = sb.read(|st| st.meta_publishing().find_comment(id).map(|f| f.home));
    match (host, home) {
        (Host::Facebook, Some(CommentHome::Post(_))) => "facebook.comment",
        (Host::Facebook, None) => "facebook.comment",
        _ => "instagram.comment",
    }
}

/// `GET /{comment-id}` on either host.
pub(super) async fn read_comment(
    sb: Sandbox,
    host: Host,
    ver: String,
    id: String,
    query: Option<String>,
    headers: HeaderMap,
) -> Response {
    let endpoint = node_endpoint(&sb, host, &id);
    let app_id = host.app_id(&sb);
    let mut call = GraphCall::begin(&sb, endpoint, &app_id, query.as_deref(), &headers, &[]).await;
    let result = read(&sb, host, &ver, &id, &mut call);
    call.finish(result)
}

fn read(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let found = visible_comment(sb, call, &actor, id, "get")?;
    render(call, &found.home, &found.comment)
}

fn render(call: &GraphCall, home: &CommentHome, comment: &Comment) -> Result<Value, GraphError> {
    let fields = comment_fields(call, home)?;
    Ok(render_with(home, comment, &fields))
}

/// The requested fields of an Instagram or a Page comment.
fn comment_fields(call: &GraphCall, home: &CommentHome) -> Result<Vec<GraphField>, GraphError> {
    match home {
        CommentHome::Media(_) => requested_fields(
            &call.params,
            &["timestamp", "text", "id"],
            super::publish::IG_COMMENT_FIELDS,
            "IGComment",
        ),
        CommentHome::Post(_) => requested_fields(
            &call.params,
            &["created_time", "from", "message", "id"],
            super::publish::PAGE_COMMENT_FIELDS,
            "Comment",
        ),
    }
}

fn render_with(home: &CommentHome, comment: &Comment, fields: &[GraphField]) -> Value {
    match home {
        CommentHome::Media(_) => super::publish::ig_comment_json(comment, fields),
        CommentHome::Post(_) => super::publish::page_comment_json(comment, fields),
    }
}

pub(super) async fn write_facebook_node(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write_node(sb, Host::Facebook, ver, id, method, query, headers, body).await
}

pub(super) async fn write_instagram_node(
    State(sb): State<Sandbox>,
    Path((ver, id)): Path<(String, String)>,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    write_node(sb, Host::Instagram, ver, id, method, query, headers, body).await
}

/// `POST` (hide or show) or `DELETE` on a node: only comments take them.
#[allow(clippy::too_many_arguments)]
async fn write_node(
    sb: Sandbox,
    host: Host,
    ver: String,
    id: String,
    method: Method,
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let endpoint = node_endpoint(&sb, host, &id);
    let app_id = host.app_id(&sb);
    let mut call =
        GraphCall::begin(&sb, endpoint, &app_id, query.as_deref(), &headers, &body).await;
    let result = if method == Method::DELETE {
        delete(&sb, host, &ver, &id, &mut call)
    } else {
        hide(&sb, host, &ver, &id, &mut call)
    };
    call.finish(result)
}

/// The `hide` (Instagram) or `is_hidden` (Facebook) flag.
fn hide_flag(call: &GraphCall, home: &CommentHome) -> Result<bool, GraphError> {
    let name = match home {
        CommentHome::Media(_) => "hide",
        CommentHome::Post(_) => "is_hidden",
    };
    match call.params.non_empty(name) {
        None => Err(required(name)),
        Some(v) if truthy(v) => Ok(true),
        Some(v) if falsy(v) => Ok(false),
        Some(_) => Err(GraphError::param(format!(
            "(#100) Param {name} must be a boolean"
        ))),
    }
}

fn hide(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let found = visible_comment(sb, call, &actor, id, "post")?;
    if matches!(found.home, CommentHome::Post(_)) && !actor.page_token {
        return Err(page_token_required());
    }
    require(&actor, moderation_scope(host, &found.home))?;
    let hidden = hide_flag(call, &found.home)?;
    // Only the owner of the media or post moderates its comments.
    if !actor.acts_for(&found.owner) {
        return Err(permissions_error());
    }
    let now = sb.now();
    sb.update(|st| {
        if let Some(c) = st
            .meta_publishing_mut()
            .comments_mut(&found.home)
            .and_then(|cs| cs.iter_mut().find(|c| c.id == id))
        {
            c.hidden = hidden;
        }
        st.engagement_mut().log(
            Act {
                platform: platform(host),
                account_id: &found.owner,
                action: if hidden { "hide" } else { "unhide" },
                target: id,
                text: None,
                result_id: None,
            },
            now,
        );
    });
    Ok(json!({"success": true}))
}

fn delete(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let found = visible_comment(sb, call, &actor, id, "delete")?;
    if matches!(found.home, CommentHome::Post(_)) && !actor.page_token {
        return Err(page_token_required());
    }
    require(&actor, moderation_scope(host, &found.home))?;
    // The owner of the content removes anyone's comment; others only
    // their own.
    let acting = if actor.acts_for(&found.owner) {
        found.owner.clone()
    } else if actor.acts_for(&found.comment.from_id) {
        found.comment.from_id.clone()
    } else {
        return Err(permissions_error());
    };
    let now = sb.now();
    sb.update(|st| {
        st.meta_publishing_mut().remove_comment(&found.home, id);
        st.engagement_mut().log(
            Act {
                platform: platform(host),
                account_id: &acting,
                action: "delete",
                target: id,
                text: None,
                result_id: None,
            },
            now,
        );
    });
    Ok(json!({"success": true}))
}

// ---------------------------------------------------------------- edges

/// Handles the engagement edges of an edge request: `replies` on a
/// comment, `comments` on a Page comment, and `messages`. None: not an
/// engagement edge, for the publishing simulators to answer.
pub(super) async fn edge(
    sb: &Sandbox,
    host: Host,
    path: &(String, String, String),
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Option<Response> {
    let (ver, id, edge) = path;
    let get = *method == Method::GET;
    let home = sb.read(|st| st.meta_publishing().find_comment(id).map(|f| f.home));
    let endpoint = match (edge.as_str(), &home) {
        ("replies", _) => "instagram.replies",
        ("comments", Some(CommentHome::Post(_))) if host == Host::Facebook => "facebook.comments",
        ("messages", _) if !get => messages_endpoint(sb, host, id),
        _ => return None,
    };
    let app_id = host.app_id(sb);
    let mut call = GraphCall::begin(sb, endpoint, &app_id, query, headers, body).await;
    let c = &mut call;
    let result = match (endpoint, get) {
        ("instagram.replies", true) => list_replies(sb, host, ver, id, edge, c),
        ("instagram.replies", false) => reply(sb, host, ver, id, edge, c),
        ("facebook.comments", true) => list_replies(sb, host, ver, id, edge, c),
        ("facebook.comments", false) => reply(sb, host, ver, id, edge, c),
        _ => messages(sb, host, ver, id, endpoint, c),
    };
    Some(call.finish(result))
}

/// Instagram messages go to an Instagram account's id (or `me` on
/// graph.instagram.com), Messenger's to a Page's.
fn messages_endpoint(sb: &Sandbox, host: Host, id: &str) -> &'static str {
    if host == Host::Instagram {
        return "instagram.messages";
    }
    let instagram = connected_accounts(sb)
        .iter()
        .any(|a| a.object() == "instagram" && a.id() == id);
    if instagram {
        "instagram.messages"
    } else {
        "facebook.messages"
    }
}

/// The edge a comment's replies are under on its host.
fn replies_edge(home: &CommentHome) -> &'static str {
    match home {
        CommentHome::Media(_) => "replies",
        CommentHome::Post(_) => "comments",
    }
}

fn list_replies(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    edge: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let found = visible_comment(sb, call, &actor, id, "get")?;
    if edge != replies_edge(&found.home) {
        return Err(GraphError::unknown_path(&format!("/{edge}")));
    }
    let fields = comment_fields(call, &found.home)?;
    // Oldest first as made; the listing pages newest first by position.
    let mut replies: Vec<(u64, Comment)> = sb
        .read(|st| {
            st.meta_publishing()
                .comments_of(&found.home)
                .map(<[Comment]>::to_vec)
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.parent.as_deref() == Some(id))
        .enumerate()
        .map(|(i, c)| (i as u64 + 1, c))
        .collect();
    replies.reverse();
    let path = format!("/{}/{ver}/{id}/{edge}", host.name());
    paged(
        sb,
        call,
        &path,
        replies,
        |(seq, _)| *seq,
        |(_, c)| render_with(&found.home, c, &fields),
    )
}

fn reply(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    edge: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let found = visible_comment(sb, call, &actor, id, "post")?;
    if edge != replies_edge(&found.home) {
        return Err(GraphError::unknown_path(&format!("/{edge}")));
    }
    if matches!(found.home, CommentHome::Post(_)) && !actor.page_token {
        return Err(page_token_required());
    }
    require(&actor, moderation_scope(host, &found.home))?;
    let Some(account) = actor.account(&found.owner).cloned() else {
        return Err(permissions_error());
    };
    let message = call
        .params
        .non_empty("message")
        .ok_or_else(|| required("message"))?
        .to_owned();
    if message.chars().count() > COMMENT_MAX {
        return Err(GraphError::param(
            "(#100) A comment can have at most 2,200 characters",
        ));
    }
    if found.comment.hidden && matches!(found.home, CommentHome::Media(_)) {
        return Err(hidden_comment());
    }
    // A reply to a reply joins the top-level comment's replies.
    let top = found
        .comment
        .parent
        .clone()
        .unwrap_or_else(|| id.to_owned());
    let now = sb.now();
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let new_id = match &found.home {
            CommentHome::Media(_) => store.fresh_id("1791", 17),
            CommentHome::Post(post) => {
                let suffix = post.split_once('_').map_or(post.as_str(), |(_, s)| s);
                format!("{suffix}_{}", store.fresh_id("1223", 16))
            }
        };
        let comments = store
            .comments_mut(&found.home)
            .ok_or_else(|| unsupported("post", id))?;
        comments.push(
            Comment::new(
                new_id.clone(),
                message.clone(),
                now,
                account.id.clone(),
                account.name.clone(),
            )
            .reply_to(&top),
        );
        st.engagement_mut().log(
            Act {
                platform: platform(host),
                account_id: &account.id,
                action: "reply",
                target: id,
                text: Some(&message),
                result_id: Some(&new_id),
            },
            now,
        );
        Ok(json!({ "id": new_id }))
    })
}

// ------------------------------------------------------------- messages

/// Who a message goes to.
enum Recipient {
    /// Someone who wrote to the account (`recipient={"id":…}`).
    Person(String),
    /// The author of a comment (`recipient={"comment_id":…}`): a private
    /// reply.
    Comment(String),
}

/// A JSON object parameter (`recipient`, `message`), sent as JSON text in
/// the query or a form, or nested in a JSON body.
fn object_param(
    call: &GraphCall,
    name: &str,
) -> Result<Option<serde_json::Map<String, Value>>, GraphError> {
    let Some(raw) = call.params.non_empty(name) else {
        return Ok(None);
    };
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        _ => Err(GraphError::param(format!(
            "(#100) param {name} must be a JSON object"
        ))),
    }
}

fn recipient(call: &GraphCall) -> Result<Recipient, GraphError> {
    let map = object_param(call, "recipient")?.ok_or_else(|| required("recipient"))?;
    let field = |key: &str| {
        map.get(key).and_then(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    if let Some(comment) = field("comment_id") {
        return Ok(Recipient::Comment(comment));
    }
    if let Some(id) = field("id") {
        return Ok(Recipient::Person(id));
    }
    Err(GraphError::param(
        "(#100) param recipient must name an id or a comment_id (the sandbox simulates no other recipients)",
    ))
}

fn message_text(call: &GraphCall, max: usize) -> Result<String, GraphError> {
    let map = object_param(call, "message")?.ok_or_else(empty_message)?;
    let text = map
        .get("text")
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(empty_message)?;
    if text.chars().count() > max {
        return Err(GraphError::param(format!(
            "(#100) Length of param message[text] must be less than or equal to {max}"
        )));
    }
    Ok(text.to_owned())
}

/// The person a comment's author is to messaging: their Page-scoped id
/// on a Page, their Instagram-scoped id on Instagram.
fn person_of(found: &FoundComment) -> String {
    match found.home {
        CommentHome::Post(_) => found.comment.from_id.clone(),
        CommentHome::Media(_) => Follower::named(&found.comment.from_name).igsid,
    }
}

fn messages(
    sb: &Sandbox,
    host: Host,
    ver: &str,
    id: &str,
    endpoint: &str,
    call: &mut GraphCall,
) -> Result<Value, GraphError> {
    check_version(ver)?;
    let actor = actor(sb, call, host)?;
    let instagram = endpoint == "instagram.messages";
    let account = match (host, id) {
        (Host::Instagram, "me") => actor.accounts.first().cloned(),
        _ => actor.account(id).cloned(),
    };
    let Some(account) = account else {
        call.fault(sb, Budget::App, GraphError::no_permission)?;
        call.check_app_budget()?;
        return Err(unsupported("post", id));
    };
    let budget = if instagram {
        Budget::Instagram(&account.id)
    } else if actor.page_token {
        Budget::Page(&account.id)
    } else {
        Budget::App
    };
    call.fault(sb, budget, GraphError::no_permission)?;
    call.check_app_budget()?;
    call.charge_object(sb, budget)?;
    if !instagram && !actor.page_token {
        return Err(page_token_required());
    }
    let recipient = recipient(call)?;
    let scope = match (&recipient, instagram, host) {
        (Recipient::Comment(_), true, _) => host.comments_scope(),
        (Recipient::Person(_), true, Host::Instagram) => "instagram_business_manage_messages",
        (Recipient::Person(_), true, Host::Facebook) => "instagram_manage_messages",
        (_, false, _) => "pages_messaging",
    };
    require(&actor, scope)?;
    let text = message_text(
        call,
        if instagram {
            INSTAGRAM_TEXT_MAX
        } else {
            MESSENGER_TEXT_MAX
        },
    )?;
    let now = sb.now();
    match recipient {
        Recipient::Comment(comment) => private_reply(sb, host, &account, &comment, &text, now),
        Recipient::Person(person) => {
            if !instagram {
                match call.params.non_empty("messaging_type") {
                    None => return Err(required("messaging_type")),
                    Some("RESPONSE" | "UPDATE" | "MESSAGE_TAG") => {}
                    Some(_) => {
                        return Err(GraphError::param(
                            "(#100) param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}",
                        ));
                    }
                }
            }
            direct_message(sb, host, &account, &person, &text, now)
        }
    }
}

fn private_reply(
    sb: &Sandbox,
    host: Host,
    account: &Acting,
    comment: &str,
    text: &str,
    now: Timestamp,
) -> Result<Value, GraphError> {
    let found = sb
        .read(|st| st.meta_publishing().find_comment(comment))
        .ok_or_else(no_matching_user)?;
    // Only comments on the account's own content, written by someone who
    // is not a Page or professional account of the sandbox.
    if found.owner != account.id {
        return Err(permissions_error());
    }
    let by_an_account = connected_accounts(sb)
        .iter()
        .any(|a| a.id() == found.comment.from_id);
    if by_an_account || found.comment.from_id == account.id {
        return Err(permissions_error());
    }
    if sb.read(|st| st.engagement().private_reply_of(comment).is_some()) {
        return Err(already_replied());
    }
    if now.duration_since(found.comment.at) > PRIVATE_REPLY_WINDOW {
        return Err(cannot_reply());
    }
    let person = person_of(&found);
    let mid = sb.update(|st| {
        let engagement = st.engagement_mut();
        let mid = engagement.send(&account.id, &person, text, now, Some(comment));
        engagement.log(
            Act {
                platform: platform(host),
                account_id: &account.id,
                action: "private_reply",
                target: comment,
                text: Some(text),
                result_id: Some(&mid),
            },
            now,
        );
        mid
    });
    Ok(json!({"recipient_id": person, "message_id": mid}))
}

fn direct_message(
    sb: &Sandbox,
    host: Host,
    account: &Acting,
    person: &str,
    text: &str,
    now: Timestamp,
) -> Result<Value, GraphError> {
    let last = sb.read(|st| {
        st.engagement()
            .conversation(&account.id, person)
            .and_then(crate::engagement::Conversation::last_incoming)
    });
    let Some(last) = last else {
        return Err(no_matching_user());
    };
    if now.duration_since(last) > MESSAGE_WINDOW {
        return Err(outside_window());
    }
    let mid = sb.update(|st| {
        let engagement = st.engagement_mut();
        let mid = engagement.send(&account.id, person, text, now, None);
        engagement.log(
            Act {
                platform: platform(host),
                account_id: &account.id,
                action: "message",
                target: person,
                text: Some(text),
                result_id: Some(&mid),
            },
            now,
        );
        mid
    });
    Ok(json!({"recipient_id": person, "message_id": mid}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_have_graphs_codes() {
        let window = outside_window().to_json();
        assert_eq!(window["error"]["code"], 10);
        assert_eq!(window["error"]["error_subcode"], 2018278);
        assert_eq!(already_replied().to_json()["error"]["code"], 10900);
        assert_eq!(cannot_reply().to_json()["error"]["code"], 10903);
        let nobody = no_matching_user().to_json();
        assert_eq!(
            (
                nobody["error"]["code"].clone(),
                nobody["error"]["error_subcode"].clone()
            ),
            (json!(100), json!(2018001))
        );
        assert_eq!(permissions_error().to_json()["error"]["code"], 200);
        assert_eq!(page_token_required().to_json()["error"]["code"], 210);
    }

    #[test]
    fn the_person_of_a_comment_is_scoped_to_the_product() {
        let follower = Follower::named("zoe.mueller");
        let on_media = FoundComment {
            home: CommentHome::Media("m".into()),
            owner: "17841".into(),
            comment: Comment::new(
                "c".into(),
                "hi".into(),
                Timestamp::UNIX_EPOCH,
                follower.ig_id.clone(),
                follower.username.clone(),
            ),
        };
        assert_eq!(person_of(&on_media), follower.igsid);
        let on_post = FoundComment {
            home: CommentHome::Post("p_1".into()),
            owner: "p".into(),
            comment: Comment::new(
                "c".into(),
                "hi".into(),
                Timestamp::UNIX_EPOCH,
                follower.psid.clone(),
                follower.name.clone(),
            ),
        };
        assert_eq!(person_of(&on_post), follower.psid);
    }
}
