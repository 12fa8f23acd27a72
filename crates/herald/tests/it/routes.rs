//! Route by route, who may do what (security checklist item 29: deny by
//! default; every object access checks the workspace).
//!
//! The routes are read from the web crate's source: every `.route(PATH,
//! METHOD_ROUTER)` under `crates/web/src`. Each (method, path) needs an
//! entry in [`table`] naming its access class, so a route added without a
//! decision fails the suite, and so does a decision for a route that is
//! gone. (`/sandbox` is the sandbox crate's, mounted by the binary.)
//!
//! Every decision is then tried over HTTP against one running app, as
//! anonymous callers (without any cookie, and with the anonymous CSRF
//! cookie so unsafe methods reach the route's own check), a member of
//! another workspace (asking for the first workspace, and asking for its
//! objects through their own workspace), and each role of the workspace.
//! Paths name real objects (a post, media, endpoints, deliveries,
//! connections, an invitation, a session, a device, connect attempts),
//! made once or, where a request consumes them, afresh for each request,
//! so a 404 is never an accident of a made-up id. Nothing an anonymous
//! caller or the other workspace's member receives may contain the first
//! workspace's data (marker strings planted in it).
//!
//! Scoped access tokens are callers too: one token per scope and an
//! assistant token with its defaults, all made by the owner (so only their
//! scopes limit them). Each API route names what a token gets
//! ([`TokenRule`]: the scope it needs, or refused, or any token); a route
//! of the API without that decision fails the first test, and a page is
//! simply not signed in for a token. Tokens asking for another workspace
//! get 404.
//!
//! A check that shows a route letting a persona do what it should not is
//! listed in [`KNOWN_FINDINGS`] with the correct expectation kept in the
//! table: it is printed and skipped until the code is fixed, and fails
//! once it passes, so the list only shrinks.

use herald_core::Named;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use herald_accounts::{Permission, Role, Scope, Scopes};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::connections::{back, consent, location, start};
use crate::helpers::*;

// ------------------------------------------------------------ decisions

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Anyone (pages before login, assets, operations endpoints).
    Public,
    /// Authenticated by the credentials in the body (the token grant):
    /// no session, no CSRF.
    Credentials,
    /// Authenticated by a platform's signature or verify token: no
    /// session, no CSRF.
    Webhook,
    /// Authenticated by the URL's signature (media platforms pull).
    SignedUrl,
    /// Development mode without SMTP, loopback clients only.
    DevOnly,
    /// Any signed-in user; what it touches is the caller's own account.
    SignedIn,
    /// Signed in, and the object in the path is the caller's own (a
    /// session, a device, a connect attempt bound to their browser
    /// session): anyone else's is refused.
    Own,
    /// A member of the workspace (`?workspace=`, a form field or a path
    /// segment) whose role has the permission.
    Workspace(Permission),
    /// Draft-like changes to a post: the first permission for one's own
    /// drafts, the second for anyone's (the test's post is the owner's).
    AuthorOr(Permission, Permission),
    /// A bearer token only (the assistants' MCP endpoint): no session
    /// counts, so every session persona gets 401; each persona's own
    /// bearer token is tried apart.
    Bearer(Permission),
}

/// What a scoped token gets from an API route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenRule {
    /// Allowed when one of the token's scopes covers this one and its
    /// scopes imply the permission the route's access names (for
    /// `AuthorOr`, the first: the token acts as the owner, on the owner's
    /// draft); else 403 `insufficient_scope`.
    Scope(Scope),
    /// [`TokenRule::Scope`] with the permission named here (the service
    /// checks less than the members' access says: a Drive is its owner's).
    ScopeFor(Scope, Permission),
    /// About the person, not the workspace: 403 `insufficient_scope` for
    /// every token.
    Refused,
    /// Any token.
    Any,
    /// Exactly this, for every token.
    Always(Outcome),
}

/// What a persona must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Authorised: not 401/403, not 404 (the objects are real), no server
    /// error, and no redirect to the login page or with
    /// `error=forbidden`/`error=not_found`.
    Allowed,
    /// Anything but 401/403 (public routes: a 404 for an unknown code or
    /// a 422 for an empty form is fine).
    Open,
    /// Exactly this status.
    Status(u16),
    /// This status with this JSON error code.
    Api(u16, &'static str),
    /// A redirect whose `Location` contains this.
    Redirect(&'static str),
    /// A redirect to the login page (`/login?next=…`).
    Login,
    /// 200: a page that shows the caller's own workspace instead of one
    /// they are not in (the leak check makes sure none of it shows).
    OwnWorkspace,
    /// A client error: refused without credentials.
    Refused,
    /// This status, and the body contains this.
    Contains(u16, &'static str),
    /// Not found: a 404 whatever its code, or a redirect with
    /// `error=not_found`.
    NotFound,
}

#[derive(Debug, Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(&'static str),
    /// A JSON-RPC message to the MCP endpoint, which accepts a POST only
    /// from a client that takes both JSON and an event stream back.
    JsonRpc(&'static str),
    /// A small JPEG, different every time (uploads deduplicate).
    Jpeg,
}

/// Objects a request consumes: made afresh when the previous one may
/// have been used up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Fresh {
    /// `{post}`: a draft of the owner's.
    Post,
    /// `{endpoint}`: an outbound endpoint.
    Endpoint,
    /// `{media}`: an image in the library.
    Media,
    /// `{conn}`: a TikTok connection of its own sandbox user.
    Connection,
    /// `{invite}`: an open invitation.
    Invite,
    /// `{member}`: the spare member, in the workspace again.
    Membership,
    /// `{device}`: a device (refresh-token family) of the owner's.
    Device,
    /// `{link}`: a live client review link to the owner's post.
    Link,
    /// `{token}`: a scoped token of the owner's.
    Token,
    /// `{draft}`: a studio draft of the owner's.
    Draft,
    /// `{template}`: the workspace's copy of a catalog template.
    Template,
    /// `{pillar}`: a content pillar.
    Pillar,
}

struct Route {
    method: &'static str,
    /// As in the source.
    path: &'static str,
    /// What the test requests, with `{placeholders}` for the fixtures.
    url: &'static str,
    access: Access,
    body: Body,
    /// A role without the permission.
    denied: Outcome,
    /// The other workspace's member, asking for the first workspace.
    outsider: Outcome,
    /// The other workspace's member naming their own workspace and the
    /// first workspace's objects; `None`: not found.
    idor: Option<Outcome>,
    /// `Own`: anyone but the object's owner.
    other: Outcome,
    fresh: Option<Fresh>,
    /// Ends the caller's sessions: signed-in personas try it last.
    terminal: bool,
    /// What scoped tokens get (API routes that need a caller).
    token: Option<TokenRule>,
}

fn route(method: &'static str, path: &'static str, access: Access) -> Route {
    let api = path.starts_with("/api/");
    Route {
        method,
        path,
        url: path,
        access,
        body: Body::None,
        denied: if api {
            Outcome::Api(403, "forbidden")
        } else {
            Outcome::Status(403)
        },
        outsider: if api {
            Outcome::Api(404, "not_found")
        } else {
            Outcome::Status(404)
        },
        idor: None,
        other: if api {
            Outcome::Api(404, "not_found")
        } else {
            Outcome::Status(404)
        },
        fresh: None,
        terminal: false,
        token: None,
    }
}

fn get(path: &'static str, access: Access) -> Route {
    route("GET", path, access)
}
fn post(path: &'static str, access: Access) -> Route {
    route("POST", path, access)
}
fn put(path: &'static str, access: Access) -> Route {
    route("PUT", path, access)
}
fn delete(path: &'static str, access: Access) -> Route {
    route("DELETE", path, access)
}
fn patch(path: &'static str, access: Access) -> Route {
    route("PATCH", path, access)
}

impl Route {
    fn at(mut self, url: &'static str) -> Self {
        self.url = url;
        self
    }
    fn form(mut self, fields: &'static [(&'static str, &'static str)]) -> Self {
        self.body = Body::Form(fields);
        self
    }
    fn json(mut self, body: &'static str) -> Self {
        self.body = Body::Json(body);
        self
    }
    fn json_rpc(mut self, body: &'static str) -> Self {
        self.body = Body::JsonRpc(body);
        self
    }
    fn jpeg(mut self) -> Self {
        self.body = Body::Jpeg;
        self
    }
    fn denied(mut self, o: Outcome) -> Self {
        self.denied = o;
        self
    }
    fn outsider(mut self, o: Outcome) -> Self {
        self.outsider = o;
        self
    }
    fn idor(mut self, o: Outcome) -> Self {
        self.idor = Some(o);
        self
    }
    fn other(mut self, o: Outcome) -> Self {
        self.other = o;
        self
    }
    fn fresh(mut self, f: Fresh) -> Self {
        self.fresh = Some(f);
        self
    }
    fn terminal(mut self) -> Self {
        self.terminal = true;
        self
    }
    fn token(mut self, rule: TokenRule) -> Self {
        self.token = Some(rule);
        self
    }
    /// Tokens need `scope` (see [`TokenRule::Scope`]).
    fn scope(self, scope: Scope) -> Self {
        self.token(TokenRule::Scope(scope))
    }
}

/// An MCP request (JSON-RPC) that lists the tools.
const MCP_LIST_TOOLS: &str = r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#;

/// A draft for the TikTok account, as the JSON API takes it.
const DRAFT: &str = r#"{"targets":[{"connection_id":"{tiktok}","variant":{"format":"video","caption":"routes check","media":[]}}],"when":{"action":"draft"}}"#;
/// The composer's form for the same draft.
const DRAFT_FORM: &[(&str, &str)] = &[
    ("workspace", "{ws}"),
    ("account", "{tiktok}"),
    ("caption", "routes check"),
    ("action", "draft"),
];
const WS_FORM: &[(&str, &str)] = &[("workspace", "{ws}")];
const EMPTY_FORM: &[(&str, &str)] = &[];
const ENDPOINT_FORM: &[(&str, &str)] = &[
    ("url", "http://127.0.0.1:9/routes-check"),
    ("description", "routes check"),
];

/// Checks that show a route letting a persona do what it should not:
/// (method, path as in the source, persona). The table keeps the correct
/// expectation; these are printed and skipped until the code is fixed.
const KNOWN_FINDINGS: &[(&str, &str, &str)] = &[];

/// Every route of the web router and who may call it.
fn table() -> Vec<Route> {
    use Access::*;
    use Outcome::*;
    use Permission as P;
    use Scope as S;
    use TokenRule::{Any, Refused};
    let not_found = Redirect("error=not_found");
    let forbidden = Redirect("error=forbidden");
    vec![
        // ---------------------------------------------- public pages, assets, operations
        get("/", Public),
        get("/privacy", Public),
        get("/terms", Public),
        post("/language", Public).form(&[("lang", "de"), ("next", "/")]),
        get("/static/{name}", Public).at("/static/app.css"),
        get("/favicon.ico", Public),
        get("/healthz", Public),
        get("/readyz", Public),
        // The API's OpenAPI document and its reference page: the same for
        // everyone, no data of anyone's.
        get("/api/openapi.json", Public),
        get("/docs/api", Public),
        // Public unless HERALD_METRICS_TOKEN is set (tested in security.rs).
        get("/metrics", Public),
        get("/privacy/data-deletion", Public),
        // The status page of a data-deletion request: the code is the secret.
        get("/privacy/data-deletion/{code}", Public).at("/privacy/data-deletion/abcd1234"),
        // Only a redirect to /home/webhooks/deliveries/{id}, which decides.
        get("/home/webhooks/{id}", Public).at("/home/webhooks/{delivery}?workspace={ws}"),
        // ---------------------------------------------- signing up and in
        get("/login", Public),
        post("/login", Public).form(EMPTY_FORM),
        // Ends the caller's own session, if any: tried last.
        post("/logout", Public).form(EMPTY_FORM).terminal(),
        get("/signup", Public),
        post("/signup", Public).form(EMPTY_FORM),
        get("/verify-email", Public),
        post("/verify-email", Public).form(&[("token", "not-a-token")]),
        get("/forgot-password", Public),
        post("/forgot-password", Public).form(EMPTY_FORM),
        get("/reset-password", Public),
        post("/reset-password", Public).form(EMPTY_FORM),
        post("/api/auth/signup", Public).json("{}"),
        post("/api/auth/password-reset", Public).json("{}"),
        post("/api/auth/token", Credentials).json("{}"),
        // ---------------------------------------------- platforms calling in
        get("/webhooks/meta", Webhook),
        get("/webhooks/instagram", Webhook),
        post("/webhooks/meta", Webhook).json(r#"{"object":"page","entry":[]}"#),
        post("/webhooks/instagram", Webhook).json(r#"{"object":"instagram","entry":[]}"#),
        post("/webhooks/meta/deauthorize", Webhook).form(&[("signed_request", "abc.def")]),
        post("/webhooks/meta/data-deletion", Webhook).form(&[("signed_request", "abc.def")]),
        post("/webhooks/instagram/deauthorize", Webhook).form(&[("signed_request", "abc.def")]),
        post("/webhooks/instagram/data-deletion", Webhook)
            .form(&[("signed_request", "abc.def")]),
        get("/media/{id}", SignedUrl).at("/media/{media}"),
        get("/dev/mailbox", DevOnly),
        get("/dev/mailbox/{id}", DevOnly).at("/dev/mailbox/{mail}"),
        // ---------------------------------------------- one's own account
        get("/home", SignedIn),
        post("/settings/password", SignedIn).form(&[
            ("current", "not the current password"),
            ("new", "an entirely different long passphrase"),
        ]),
        post("/settings/logout-everywhere", SignedIn)
            .form(EMPTY_FORM)
            .terminal(),
        post("/verify-email/resend", SignedIn).form(EMPTY_FORM),
        get("/invites/accept", SignedIn),
        post("/invites/accept", SignedIn).form(&[("token", "not-a-token")]),
        // A token sees only its own workspace there (tokens.rs checks).
        get("/api/me", SignedIn).token(Any),
        get("/api/auth/devices", SignedIn).token(Refused),
        // Which platforms this server offers: no workspace's data.
        get("/api/platforms", SignedIn).token(Any),
        post("/settings/sessions/{id}/revoke", Own)
            .at("/settings/sessions/{session}/revoke")
            .form(EMPTY_FORM)
            .other(not_found),
        post("/settings/devices/{id}/revoke", Own)
            .at("/settings/devices/{device}/revoke")
            .form(EMPTY_FORM)
            .other(not_found)
            .fresh(Fresh::Device),
        delete("/api/auth/devices/{id}", Own)
            .at("/api/auth/devices/{device}")
            .fresh(Fresh::Device)
            .token(Refused),
        // A connect attempt only completes in the browser session that
        // started it.
        get("/home/publishing/choose/{attempt}", Own)
            .at("/home/publishing/choose/{attempt}")
            .other(Status(400)),
        post("/home/publishing/choose/{attempt}", Own)
            .at("/home/publishing/choose/{attempt}")
            .form(&[("account", "{choice}")])
            .other(Status(400)),
        get("/oauth/{provider}/callback", Own)
            .at("{callback}")
            .other(Status(403)),
        // ---------------------------------------------- settings and members
        get("/home/settings", Workspace(P::View))
            .at("/home/settings?workspace={ws}")
            .outsider(OwnWorkspace),
        get("/home/settings/audit", Workspace(P::ViewAudit))
            .at("/home/settings/audit?workspace={ws}")
            .outsider(OwnWorkspace),
        get("/home/settings/review", Workspace(P::ManageConnections))
            .at("/home/settings/review?workspace={ws}")
            .outsider(OwnWorkspace),
        // Your data: one's own account; a workspace only by its owner.
        get("/home/settings/data", SignedIn),
        post("/home/settings/data/export", SignedIn).form(EMPTY_FORM),
        get("/home/settings/data/exports/{id}", Own)
            .at("/home/settings/data/exports/{export}"),
        // A wrong password: refused, nothing scheduled.
        post("/home/settings/data/delete-account", SignedIn)
            .form(&[("password", "not the password")]),
        post("/home/settings/data/cancel-deletion", SignedIn).form(EMPTY_FORM),
        // The first workspace is the owner's personal one: refused too.
        post("/workspaces/{id}/delete", Workspace(P::ManageOwners))
            .at("/workspaces/{ws}/delete")
            .form(&[("confirm", "not the name")])
            .denied(forbidden)
            .outsider(not_found),
        post("/workspaces/{id}/invites", Workspace(P::ManageMembers))
            .at("/workspaces/{ws}/invites")
            .form(&[("email", "routes-invited@example.com"), ("role", "viewer")])
            .denied(forbidden)
            .outsider(not_found),
        post(
            "/workspaces/{id}/invites/{invite}/revoke",
            Workspace(P::ManageMembers),
        )
        .at("/workspaces/{ws}/invites/{invite}/revoke")
        .form(EMPTY_FORM)
        .denied(forbidden)
        .outsider(not_found)
        .fresh(Fresh::Invite),
        post(
            "/workspaces/{id}/members/{user}/role",
            Workspace(P::ManageMembers),
        )
        .at("/workspaces/{ws}/members/{member}/role")
        .form(&[("role", "viewer")])
        .denied(forbidden)
        .outsider(not_found),
        post(
            "/workspaces/{id}/members/{user}/remove",
            Workspace(P::ManageMembers),
        )
        .at("/workspaces/{ws}/members/{member}/remove")
        .form(EMPTY_FORM)
        .denied(forbidden)
        .outsider(not_found)
        .fresh(Fresh::Membership),
        // ---------------------------------------------- connections
        get("/home/publishing", Workspace(P::View))
            .at("/home/publishing?workspace={ws}")
            .outsider(OwnWorkspace),
        post(
            "/home/publishing/connect/{provider}",
            Workspace(P::ManageConnections),
        )
        .at("/home/publishing/connect/tiktok")
        .form(WS_FORM)
        .denied(forbidden),
        post(
            "/home/publishing/connections/{id}/remove",
            Workspace(P::ManageConnections),
        )
        .at("/home/publishing/connections/{conn}/remove")
        .form(WS_FORM)
        .fresh(Fresh::Connection),
        post(
            "/api/platforms/{provider}/connect",
            Workspace(P::ManageConnections),
        )
        .at("/api/platforms/tiktok/connect?workspace={ws}")
        // Connecting needs the browser session the platform comes back to.
        .token(TokenRule::Always(Api(401, "connect_session_required"))),
        get("/api/platforms/{provider}/connections", Workspace(P::View))
            .at("/api/platforms/tiktok/connections?workspace={ws}")
            .scope(S::AccountsRead),
        delete(
            "/api/platforms/{provider}/connections/{id}",
            Workspace(P::ManageConnections),
        )
        .at("/api/platforms/tiktok/connections/{conn}?workspace={ws}")
        .fresh(Fresh::Connection)
        .token(Refused),
        // What the account offers for a post (TikTok's creator info), for
        // composing: those who draft.
        get(
            "/api/platforms/{provider}/connections/{id}/posting-options",
            Workspace(P::Draft),
        )
        .at("/api/platforms/tiktok/connections/{tiktok}/posting-options?workspace={ws}")
        .scope(S::DraftsWrite),
        // ---------------------------------------------- posts: pages
        get("/home/calendar", Workspace(P::View))
            .at("/home/calendar?workspace={ws}")
            .outsider(OwnWorkspace),
        // Saving needs Draft; looking at the composer does not.
        get("/home/compose", Workspace(P::View))
            .at("/home/compose?workspace={ws}")
            .outsider(OwnWorkspace),
        // Another workspace's account: the form comes back with an error.
        post("/home/compose", Workspace(P::Draft))
            .form(DRAFT_FORM)
            .idor(Status(422)),
        get("/home/compose/{id}", Workspace(P::View)).at("/home/compose/{post}?workspace={ws}"),
        post("/home/compose/{id}", AuthorOr(P::Draft, P::Publish))
            .at("/home/compose/{post}")
            .form(DRAFT_FORM),
        get("/home/posts/{id}", Workspace(P::View)).at("/home/posts/{post}?workspace={ws}"),
        post("/home/posts/{id}/reschedule", Workspace(P::Publish))
            .at("/home/posts/{post}/reschedule")
            .form(WS_FORM)
            .denied(forbidden),
        post("/home/posts/{id}/cancel", Workspace(P::Publish))
            .at("/home/posts/{post}/cancel")
            .form(WS_FORM)
            .denied(forbidden)
            .fresh(Fresh::Post),
        post("/home/posts/{id}/delete", Workspace(P::Publish))
            .at("/home/posts/{post}/delete")
            .form(WS_FORM)
            .denied(forbidden)
            .fresh(Fresh::Post),
        post("/home/targets/{id}/retry", Workspace(P::Publish))
            .at("/home/targets/{target}/retry")
            .form(WS_FORM)
            .denied(forbidden),
        // ---------------------------------------------- approvals and comments: pages
        post("/home/posts/{id}/submit", AuthorOr(P::Draft, P::Publish))
            .at("/home/posts/{post}/submit")
            .form(WS_FORM)
            .denied(forbidden)
            .fresh(Fresh::Post),
        // The owner wrote the post: their refusal (nobody approves their
        // own post) is a notice, not "forbidden".
        post("/home/posts/{id}/approve", Workspace(P::Approve))
            .at("/home/posts/{post}/approve")
            .form(WS_FORM)
            .denied(forbidden)
            .fresh(Fresh::Post),
        post("/home/posts/{id}/request-changes", Workspace(P::Approve))
            .at("/home/posts/{post}/request-changes")
            .form(&[("workspace", "{ws}"), ("comment", "routes check")])
            .denied(forbidden)
            .fresh(Fresh::Post),
        post("/home/posts/{id}/comments", Workspace(P::Draft))
            .at("/home/posts/{post}/comments")
            .form(&[("workspace", "{ws}"), ("body", "routes check")])
            .denied(forbidden),
        post("/home/posts/{id}/review-links", Workspace(P::Publish))
            .at("/home/posts/{post}/review-links")
            .form(&[("workspace", "{ws}"), ("days", "7")])
            .denied(forbidden),
        post("/home/review-links/{id}/revoke", Workspace(P::Publish))
            .at("/home/review-links/{link}/revoke")
            .form(WS_FORM)
            .denied(forbidden)
            .fresh(Fresh::Link),
        // Client review pages: no account; a token that names no link is
        // a 404 for everyone (the guest flow has its own tests).
        get("/review/{token}", Public).at("/review/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        post("/review/{token}", Public)
            .at("/review/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .form(&[("password", "routes check")]),
        post("/review/{token}/posts/{post}", Public)
            .at("/review/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/posts/{post}")
            .form(&[("decision", "approve"), ("name", "routes check")]),
        get("/home/settings/approvals", Workspace(P::View))
            .at("/home/settings/approvals?workspace={ws}")
            .outsider(OwnWorkspace),
        post("/home/settings/approvals", Workspace(P::ManageMembers))
            .at("/home/settings/approvals")
            .form(&[("workspace", "{ws}"), ("mode", "none"), ("reapprove_on_edit", "on")])
            .denied(forbidden),
        // ---------------------------------------------- posts: API
        get("/api/posts", Workspace(P::View))
            .at("/api/posts?workspace={ws}&queue=drafts")
            .scope(S::PostsRead),
        post("/api/posts", Workspace(P::Draft))
            .at("/api/posts?workspace={ws}")
            .json(DRAFT)
            .idor(Api(422, "post_unknown_connection"))
            .scope(S::DraftsWrite),
        post("/api/posts/validate", Workspace(P::Draft))
            .at("/api/posts/validate?workspace={ws}")
            .json(r#"{"targets":[{"connection_id":"{tiktok}","variant":{"format":"video","caption":"routes check","media":[]}}]}"#)
            // Another workspace's account is reported as unknown.
            .idor(Contains(200, "account_unknown"))
            .scope(S::DraftsWrite),
        get("/api/posts/{id}", Workspace(P::View))
            .at("/api/posts/{post}?workspace={ws}")
            .scope(S::PostsRead),
        put("/api/posts/{id}", AuthorOr(P::Draft, P::Publish))
            .at("/api/posts/{post}?workspace={ws}")
            .json(DRAFT)
            .scope(S::DraftsWrite),
        delete("/api/posts/{id}", Workspace(P::Publish))
            .at("/api/posts/{post}?workspace={ws}")
            .fresh(Fresh::Post)
            .scope(S::PostsWrite),
        post("/api/posts/{id}/reschedule", AuthorOr(P::Draft, P::Publish))
            .at("/api/posts/{post}/reschedule?workspace={ws}")
            .json(r#"{"when":{"action":"draft"}}"#)
            .scope(S::DraftsWrite),
        post("/api/posts/{id}/cancel", Workspace(P::Publish))
            .at("/api/posts/{post}/cancel?workspace={ws}")
            .fresh(Fresh::Post)
            .scope(S::PostsWrite),
        post("/api/targets/{id}/retry", Workspace(P::Publish))
            .at("/api/targets/{target}/retry?workspace={ws}")
            .scope(S::PostsWrite),
        get("/api/targets/{id}/receipts", Workspace(P::View))
            .at("/api/targets/{target}/receipts?workspace={ws}")
            .scope(S::PostsRead),
        // ---------------------------------------------- approvals and comments: API
        post("/api/posts/{id}/submit", AuthorOr(P::Draft, P::Publish))
            .at("/api/posts/{post}/submit?workspace={ws}")
            .fresh(Fresh::Post)
            .scope(S::DraftsWrite),
        post("/api/posts/{id}/approve", Workspace(P::Approve))
            .at("/api/posts/{post}/approve?workspace={ws}")
            .fresh(Fresh::Post)
            .scope(S::PostsApprove),
        post("/api/posts/{id}/request-changes", Workspace(P::Approve))
            .at("/api/posts/{post}/request-changes?workspace={ws}")
            .json(r#"{"comment":"routes check"}"#)
            .fresh(Fresh::Post)
            .scope(S::PostsApprove),
        get("/api/posts/{id}/reviews", Workspace(P::View))
            .at("/api/posts/{post}/reviews?workspace={ws}")
            .scope(S::PostsRead),
        get("/api/posts/{id}/comments", Workspace(P::View))
            .at("/api/posts/{post}/comments?workspace={ws}")
            .scope(S::PostsRead),
        post("/api/posts/{id}/comments", Workspace(P::Draft))
            .at("/api/posts/{post}/comments?workspace={ws}")
            .json(r#"{"body":"routes check"}"#)
            .scope(S::DraftsWrite),
        post("/api/posts/{id}/review-links", Workspace(P::Publish))
            .at("/api/posts/{post}/review-links?workspace={ws}")
            .json(r#"{"expires_in_days":3}"#)
            .scope(S::PostsWrite),
        get("/api/posts/{id}/review-links", Workspace(P::View))
            .at("/api/posts/{post}/review-links?workspace={ws}")
            .scope(S::PostsRead),
        delete("/api/review-links/{id}", Workspace(P::Publish))
            .at("/api/review-links/{link}?workspace={ws}")
            .fresh(Fresh::Link)
            .scope(S::PostsWrite),
        get("/api/approval-policy", Workspace(P::View))
            .at("/api/approval-policy?workspace={ws}")
            .scope(S::PostsRead),
        put("/api/approval-policy", Workspace(P::ManageMembers))
            .at("/api/approval-policy?workspace={ws}")
            .json(r#"{"mode":"none","reapprove_on_edit":true}"#)
            .token(TokenRule::Refused),
        // ---------------------------------------------- media
        get("/api/workspaces/{ws}/media", Workspace(P::View)).scope(S::PostsRead),
        post("/api/workspaces/{ws}/media", Workspace(P::Draft))
            .at("/api/workspaces/{ws}/media?filename=routes.jpg")
            .jpeg()
            .scope(S::MediaWrite),
        get("/api/workspaces/{ws}/media/{id}", Workspace(P::View))
            .at("/api/workspaces/{ws}/media/{media}")
            .scope(S::PostsRead),
        // A token needs media:write here, and the service wants Publish:
        // posts:write besides.
        delete("/api/workspaces/{ws}/media/{id}", Workspace(P::Publish))
            .at("/api/workspaces/{ws}/media/{media}")
            .fresh(Fresh::Media)
            .scope(S::MediaWrite),
        get("/api/workspaces/{ws}/media/{id}/thumbnail", Workspace(P::View))
            .at("/api/workspaces/{ws}/media/{media}/thumbnail")
            .scope(S::PostsRead),
        // A connection's Drive: its owner's, or a connection manager's
        // (the table's connection is the owner's).
        post(
            "/api/workspaces/{ws}/media/import/drive",
            Workspace(P::ManageConnections),
        )
        .json(r#"{"connection_id":"{youtube}","file_id":"routesCheckFile"}"#)
            .token(TokenRule::ScopeFor(S::MediaWrite, P::Draft)),
        get(
            "/api/workspaces/{ws}/drive/{connection}/files",
            Workspace(P::ManageConnections),
        )
            .at("/api/workspaces/{ws}/drive/{youtube}/files")
            .token(TokenRule::ScopeFor(S::MediaWrite, P::View)),
        // ---------------------------------------------- notifications
        get("/home/notifications", Workspace(P::View))
            .at("/home/notifications?workspace={ws}")
            .outsider(OwnWorkspace),
        post("/home/notifications/read", Workspace(P::View)).form(WS_FORM),
        get("/home/settings/notifications", Workspace(P::View))
            .at("/home/settings/notifications?workspace={ws}")
            .outsider(OwnWorkspace),
        post("/home/settings/notifications", Workspace(P::View))
            .form(&[("workspace", "{ws}"), ("in_app", "comment")]),
        get("/api/notifications", Workspace(P::View)).at("/api/notifications?workspace={ws}")
            .token(Refused),
        get("/api/notifications/preferences", Workspace(P::View))
            .at("/api/notifications/preferences?workspace={ws}")
            .token(Refused),
        put("/api/notifications/preferences", Workspace(P::View))
            .at("/api/notifications/preferences?workspace={ws}")
            .json("{}")
            .token(Refused),
        get("/api/notification-preferences", Workspace(P::View))
            .at("/api/notification-preferences?workspace={ws}")
            .token(Refused),
        put("/api/notification-preferences", Workspace(P::View))
            .at("/api/notification-preferences?workspace={ws}")
            .json(r#"{"choices": {}}"#)
            .token(Refused),
        // One-click unsubscribe: no account; a token this install did not
        // sign is a 404 for everyone (the flow has its own tests).
        get("/unsubscribe/{token}", Public).at("/unsubscribe/1.1.digest.forged"),
        post("/unsubscribe/{token}", Public)
            .at("/unsubscribe/1.1.digest.forged")
            .form(&[]),
        // ---------------------------------------------- the engagement inbox: pages
        get("/home/inbox", Workspace(P::View))
            .at("/home/inbox?workspace={ws}")
            .outsider(OwnWorkspace),
        get("/home/inbox/{id}", Workspace(P::View)).at("/home/inbox/{item}?workspace={ws}"),
        post("/home/inbox/{id}/reply", Workspace(P::Engage))
            .at("/home/inbox/{item}/reply")
            .form(&[("workspace", "{ws}"), ("text", "routes check")])
            .denied(forbidden),
        post("/home/inbox/{id}/assign", Workspace(P::Triage))
            .at("/home/inbox/{item}/assign")
            .form(&[("workspace", "{ws}"), ("user", "")])
            .denied(forbidden),
        post("/home/inbox/{id}/notes", Workspace(P::Triage))
            .at("/home/inbox/{item}/notes")
            .form(&[("workspace", "{ws}"), ("text", "routes check")])
            .denied(forbidden),
        post("/home/inbox/{id}/done", Workspace(P::Triage))
            .at("/home/inbox/{item}/done")
            .form(&[("workspace", "{ws}"), ("value", "false")])
            .denied(forbidden),
        post("/home/inbox/{id}/read", Workspace(P::View))
            .at("/home/inbox/{item}/read")
            .form(WS_FORM),
        post("/home/inbox/{id}/hide", Workspace(P::Engage))
            .at("/home/inbox/{item}/hide")
            .form(&[("workspace", "{ws}"), ("value", "false")])
            .denied(forbidden),
        post("/home/inbox/{id}/delete", Workspace(P::Engage))
            .at("/home/inbox/{item}/delete")
            .form(WS_FORM)
            .denied(forbidden),
        // The live stream (read up to its first events): one's own
        // workspace's counts for someone who is not in the one asked for.
        get("/home/live", Workspace(P::View))
            .at("/home/live?workspace={ws}")
            .outsider(OwnWorkspace),
        // ---------------------------------------------- the engagement inbox: API
        get("/api/inbox", Workspace(P::View))
            .at("/api/inbox?workspace={ws}")
            .scope(S::InboxRead),
        get("/api/inbox/{id}", Workspace(P::View))
            .at("/api/inbox/{item}?workspace={ws}")
            .scope(S::InboxRead),
        post("/api/inbox/{id}/reply", Workspace(P::Engage))
            .at("/api/inbox/{item}/reply?workspace={ws}")
            .json(r#"{"text":"routes check"}"#)
            .scope(S::InboxReply),
        post("/api/inbox/{id}/assign", Workspace(P::Triage))
            .at("/api/inbox/{item}/assign?workspace={ws}")
            .json(r#"{"user_id":null}"#)
            .scope(S::InboxWrite),
        post("/api/inbox/{id}/done", Workspace(P::Triage))
            .at("/api/inbox/{item}/done?workspace={ws}")
            .json(r#"{"done":false}"#)
            .scope(S::InboxWrite),
        post("/api/inbox/{id}/notes", Workspace(P::Triage))
            .at("/api/inbox/{item}/notes?workspace={ws}")
            .json(r#"{"text":"routes check"}"#)
            .scope(S::InboxWrite),
        post("/api/inbox/{id}/read", Workspace(P::View))
            .at("/api/inbox/{item}/read?workspace={ws}")
            .scope(S::InboxRead),
        post("/api/inbox/{id}/hide", Workspace(P::Engage))
            .at("/api/inbox/{item}/hide?workspace={ws}")
            .json(r#"{"hidden":false}"#)
            .scope(S::InboxReply),
        post("/api/inbox/{id}/delete", Workspace(P::Engage))
            .at("/api/inbox/{item}/delete?workspace={ws}")
            .scope(S::InboxReply),
        // ---------------------------------------------- incoming webhooks
        get("/home/webhooks", Workspace(P::ManageWebhooks))
            .at("/home/webhooks?workspace={ws}")
            .outsider(OwnWorkspace),
        // A list of ids: those not of the caller's workspace are skipped.
        post("/home/webhooks/replay", Workspace(P::ManageWebhooks))
            .form(&[("workspace", "{ws}"), ("ids", "{delivery}")])
            .idor(Redirect("count=0")),
        get("/home/webhooks/deliveries/{id}", Workspace(P::ManageWebhooks))
            .at("/home/webhooks/deliveries/{delivery}?workspace={ws}"),
        post(
            "/home/webhooks/deliveries/{id}/replay",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/deliveries/{delivery}/replay")
        .form(WS_FORM),
        get("/api/webhooks/deliveries", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/deliveries?workspace={ws}")
            .scope(S::WebhooksManage),
        post("/api/webhooks/deliveries/replay", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/deliveries/replay?workspace={ws}")
            .json(r#"{"ids":[{delivery}]}"#)
            .idor(Contains(200, r#""queued":0"#))
            .scope(S::WebhooksManage),
        get("/api/webhooks/deliveries/{id}", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/deliveries/{delivery}?workspace={ws}")
            .scope(S::WebhooksManage),
        // ---------------------------------------------- outbound endpoints: pages
        get("/home/webhooks/endpoints", Workspace(P::ManageWebhooks))
            .at("/home/webhooks/endpoints?workspace={ws}"),
        post("/home/webhooks/endpoints", Workspace(P::ManageWebhooks))
            .at("/home/webhooks/endpoints?workspace={ws}")
            .form(ENDPOINT_FORM),
        get("/home/webhooks/endpoints/{id}", Workspace(P::ManageWebhooks))
            .at("/home/webhooks/endpoints/{endpoint}?workspace={ws}"),
        post("/home/webhooks/endpoints/{id}", Workspace(P::ManageWebhooks))
            .at("/home/webhooks/endpoints/{endpoint}?workspace={ws}")
            .form(ENDPOINT_FORM)
            .fresh(Fresh::Endpoint),
        post(
            "/home/webhooks/endpoints/{id}/enable",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/enable?workspace={ws}")
        .form(EMPTY_FORM),
        post(
            "/home/webhooks/endpoints/{id}/disable",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/disable?workspace={ws}")
        .form(EMPTY_FORM),
        post(
            "/home/webhooks/endpoints/{id}/secret",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/secret?workspace={ws}")
        .form(EMPTY_FORM),
        post(
            "/home/webhooks/endpoints/{id}/rotate-secret",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/rotate-secret?workspace={ws}")
        .form(EMPTY_FORM),
        post(
            "/home/webhooks/endpoints/{id}/test",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/test?workspace={ws}")
        .form(EMPTY_FORM),
        post(
            "/home/webhooks/endpoints/{id}/delete",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/delete?workspace={ws}")
        .form(&[("confirm", "yes")])
        .fresh(Fresh::Endpoint),
        post(
            "/home/webhooks/endpoints/{id}/replay",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/replay?workspace={ws}")
        .form(&[("delivery", "{outdelivery}")]),
        post(
            "/home/webhooks/endpoints/{id}/replay-failed",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/{endpoint}/replay-failed?workspace={ws}")
        .form(&[("since", "2020-01-01T00:00"), ("tz", "UTC")]),
        get(
            "/home/webhooks/endpoints/deliveries/{id}",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/deliveries/{outdelivery}?workspace={ws}"),
        post(
            "/home/webhooks/endpoints/deliveries/{id}/replay",
            Workspace(P::ManageWebhooks),
        )
        .at("/home/webhooks/endpoints/deliveries/{outdelivery}/replay?workspace={ws}")
        .form(EMPTY_FORM),
        // ---------------------------------------------- outbound endpoints: API
        get("/api/webhooks/endpoints", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/endpoints?workspace={ws}")
            .scope(S::WebhooksManage),
        post("/api/webhooks/endpoints", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/endpoints?workspace={ws}")
            .json(r#"{"url":"http://127.0.0.1:9/routes-check"}"#)
            .scope(S::WebhooksManage),
        get("/api/webhooks/endpoints/{id}", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/endpoints/{endpoint}?workspace={ws}")
            .scope(S::WebhooksManage),
        patch("/api/webhooks/endpoints/{id}", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/endpoints/{endpoint}?workspace={ws}")
            .json(r#"{"enabled":true}"#)
            .scope(S::WebhooksManage),
        delete("/api/webhooks/endpoints/{id}", Workspace(P::ManageWebhooks))
            .at("/api/webhooks/endpoints/{endpoint}?workspace={ws}")
            .fresh(Fresh::Endpoint)
            .scope(S::WebhooksManage),
        get(
            "/api/webhooks/endpoints/{id}/secrets",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoints/{endpoint}/secrets?workspace={ws}")
            .scope(S::WebhooksManage),
        post(
            "/api/webhooks/endpoints/{id}/rotate-secret",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoints/{endpoint}/rotate-secret?workspace={ws}")
            .scope(S::WebhooksManage),
        post(
            "/api/webhooks/endpoints/{id}/test",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoints/{endpoint}/test?workspace={ws}")
            .scope(S::WebhooksManage),
        get(
            "/api/webhooks/endpoints/{id}/deliveries",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoints/{endpoint}/deliveries?workspace={ws}")
            .scope(S::WebhooksManage),
        post(
            "/api/webhooks/endpoints/{id}/replay",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoints/{endpoint}/replay?workspace={ws}")
        .json(r#"{"ids":[{outdelivery}]}"#)
            .scope(S::WebhooksManage),
        get(
            "/api/webhooks/endpoint-deliveries/{id}",
            Workspace(P::ManageWebhooks),
        )
        .at("/api/webhooks/endpoint-deliveries/{outdelivery}?workspace={ws}")
            .scope(S::WebhooksManage),
        // ---------------------------------------------- access tokens
        // Every member makes and lists their own; tokens never manage
        // tokens.
        get("/api/tokens", Workspace(P::View))
            .at("/api/tokens?workspace={ws}")
            .token(Refused),
        post("/api/tokens", Workspace(P::View))
            .at("/api/tokens?workspace={ws}")
            .json(r#"{"name":"routes check","kind":"personal","scopes":["posts:read"]}"#)
            .token(Refused),
        // The owner's token: theirs, or a member manager's, to revoke.
        delete("/api/tokens/{id}", Workspace(P::ManageMembers))
            .at("/api/tokens/{token}?workspace={ws}")
            .fresh(Fresh::Token)
            .denied(Api(404, "not_found"))
            .token(Refused),
        post("/home/settings/tokens", Workspace(P::View)).form(&[
            ("workspace", "{ws}"),
            ("name", "routes check page"),
            ("kind", "app"),
            ("scope", "posts:read"),
        ]),
        post("/home/settings/tokens/{id}/revoke", Workspace(P::ManageMembers))
            .at("/home/settings/tokens/{token}/revoke")
            .form(WS_FORM)
            .fresh(Fresh::Token)
            .denied(not_found),
        // ---------------------------------------------- the content studio: pages
        get("/home/content", Workspace(P::View))
            .at("/home/content?workspace={ws}")
            .outsider(OwnWorkspace),
        get("/home/content/templates/{id}", Workspace(P::View))
            .at("/home/content/templates/{template}?workspace={ws}"),
        post("/home/content/templates/{id}", Workspace(P::Draft))
            .at("/home/content/templates/{template}")
            .form(&[
                ("workspace", "{ws}"),
                ("title", "ws1-secret-template"),
                ("platform", "tiktok"),
                ("hook", "routes check"),
                ("beat", "routes check"),
                ("cta", "routes check"),
                ("caption", "routes check"),
            ])
            .denied(forbidden),
        post("/home/content/templates/{id}/copy", Workspace(P::Draft))
            .at("/home/content/templates/{template}/copy")
            .form(WS_FORM)
            .denied(forbidden),
        post("/home/content/templates/{id}/delete", Workspace(P::Draft))
            .at("/home/content/templates/{template}/delete")
            .form(WS_FORM)
            .fresh(Fresh::Template)
            .denied(forbidden),
        // One's own bookmark on something of the workspace.
        post("/home/content/bookmarks", Workspace(P::View)).form(&[
            ("workspace", "{ws}"),
            ("kind", "draft"),
            ("id", "{draft}"),
            ("on", "true"),
        ]),
        post("/home/content/drafts", Workspace(P::Draft))
            .form(&[("workspace", "{ws}"), ("format", "caption")])
            .denied(forbidden),
        get("/home/content/generate", Workspace(P::View))
            .at("/home/content/generate?workspace={ws}")
            .outsider(OwnWorkspace),
        // A refusal shows the form again, with its status.
        post("/home/content/generate", Workspace(P::Draft))
            .form(&[("workspace", "{ws}"), ("brief", "routes check")]),
        get("/home/content/generations/{id}", Workspace(P::View))
            .at("/home/content/generations/{generation}?workspace={ws}"),
        get("/home/content/generations/{id}/stream", Workspace(P::View))
            .at("/home/content/generations/{generation}/stream?workspace={ws}"),
        // The generation has ended: "already ended" for those who may.
        post("/home/content/generations/{id}/cancel", AuthorOr(P::Draft, P::Publish))
            .at("/home/content/generations/{generation}/cancel")
            .form(WS_FORM)
            .denied(forbidden),
        get("/home/content/drafts/{id}", Workspace(P::View))
            .at("/home/content/drafts/{draft}?workspace={ws}"),
        post("/home/content/drafts/{id}", AuthorOr(P::Draft, P::Publish))
            .at("/home/content/drafts/{draft}")
            .form(&[("workspace", "{ws}"), ("title", "routes check"), ("text", "routes check")])
            .denied(forbidden),
        post("/home/content/drafts/{id}/restore", AuthorOr(P::Draft, P::Publish))
            .at("/home/content/drafts/{draft}/restore")
            .form(&[("workspace", "{ws}"), ("version", "1")])
            .denied(forbidden),
        post("/home/content/drafts/{id}/delete", AuthorOr(P::Draft, P::Publish))
            .at("/home/content/drafts/{draft}/delete")
            .form(WS_FORM)
            .fresh(Fresh::Draft)
            .denied(forbidden),
        get("/home/content/pillars", Workspace(P::View))
            .at("/home/content/pillars?workspace={ws}")
            .outsider(OwnWorkspace),
        post("/home/content/pillars", Workspace(P::Publish))
            .form(&[("workspace", "{ws}"), ("name", "routes check page")])
            .denied(forbidden),
        post("/home/content/pillars/{id}", Workspace(P::Publish))
            .at("/home/content/pillars/{pillar}")
            .form(&[("workspace", "{ws}"), ("name", "ws1-secret-pillar")])
            .denied(forbidden),
        post("/home/content/pillars/{id}/delete", Workspace(P::Publish))
            .at("/home/content/pillars/{pillar}/delete")
            .form(WS_FORM)
            .fresh(Fresh::Pillar)
            .denied(forbidden),
        post("/home/content/cadence", Workspace(P::Publish))
            .form(&[("workspace", "{ws}"), ("n.instagram", "2"), ("day", "mon")])
            .denied(forbidden),
        get("/home/content/usage", Workspace(P::View))
            .at("/home/content/usage?workspace={ws}")
            .outsider(OwnWorkspace),
        post("/home/content/usage/quotas", Workspace(P::SetQuotas))
            .form(&[
                ("workspace", "{ws}"),
                ("workspace_day.generations", "1000"),
                ("member_day.generations", "500"),
            ])
            .denied(forbidden),
        // ---------------------------------------------- the content studio: API
        get("/api/templates", Workspace(P::View))
            .at("/api/templates?workspace={ws}")
            .scope(S::PostsRead),
        get("/api/templates/{id}", Workspace(P::View))
            .at("/api/templates/{template}?workspace={ws}")
            .scope(S::PostsRead),
        put("/api/templates/{id}", Workspace(P::Draft))
            .at("/api/templates/{template}?workspace={ws}")
            .json(r#"{"title":"ws1-secret-template"}"#)
            .scope(S::DraftsWrite),
        post("/api/templates/{id}/copy", Workspace(P::Draft))
            .at("/api/templates/{template}/copy?workspace={ws}")
            .scope(S::DraftsWrite),
        get("/api/tones", Workspace(P::View))
            .at("/api/tones?workspace={ws}")
            .scope(S::PostsRead),
        get("/api/pillars", Workspace(P::View))
            .at("/api/pillars?workspace={ws}")
            .scope(S::PostsRead),
        // The workspace's plan: editors and up (a second add is 409).
        post("/api/pillars", Workspace(P::Publish))
            .at("/api/pillars?workspace={ws}")
            .json(r#"{"name":"routes check api"}"#)
            .scope(S::DraftsWrite),
        post("/api/generations", Workspace(P::Draft))
            .at("/api/generations?workspace={ws}")
            .json(r#"{"brief":"routes check"}"#)
            .scope(S::DraftsWrite),
        get("/api/generations/{id}", Workspace(P::View))
            .at("/api/generations/{generation}?workspace={ws}")
            .scope(S::PostsRead),
        post("/api/generations/{id}/cancel", AuthorOr(P::Draft, P::Publish))
            .at("/api/generations/{generation}/cancel?workspace={ws}")
            .scope(S::DraftsWrite),
        get("/api/drafts", Workspace(P::View))
            .at("/api/drafts?workspace={ws}")
            .scope(S::PostsRead),
        post("/api/drafts", Workspace(P::Draft))
            .at("/api/drafts?workspace={ws}")
            .json("{}")
            .scope(S::DraftsWrite),
        get("/api/drafts/{id}", Workspace(P::View))
            .at("/api/drafts/{draft}?workspace={ws}")
            .scope(S::PostsRead),
        put("/api/drafts/{id}", AuthorOr(P::Draft, P::Publish))
            .at("/api/drafts/{draft}?workspace={ws}")
            .json(r#"{"content":{"format":"caption","text":"routes check"}}"#)
            .scope(S::DraftsWrite),
        get("/api/drafts/{id}/versions", Workspace(P::View))
            .at("/api/drafts/{draft}/versions?workspace={ws}")
            .scope(S::PostsRead),
        get("/api/drafts/{id}/versions/{version}", Workspace(P::View))
            .at("/api/drafts/{draft}/versions/1?workspace={ws}")
            .scope(S::PostsRead),
        post("/api/drafts/{id}/restore", AuthorOr(P::Draft, P::Publish))
            .at("/api/drafts/{draft}/restore?workspace={ws}")
            .json(r#"{"version":1}"#)
            .scope(S::DraftsWrite),
        get("/api/usage", Workspace(P::View))
            .at("/api/usage?workspace={ws}")
            .scope(S::AnalyticsRead),
        get("/api/quotas", Workspace(P::View))
            .at("/api/quotas?workspace={ws}")
            .scope(S::AnalyticsRead),
        put("/api/quotas", Workspace(P::SetQuotas))
            .at("/api/quotas?workspace={ws}")
            .json(r#"{"workspace_day":{"generations":1000,"tokens":null},"workspace_month":{"generations":null,"tokens":null},"member_day":{"generations":500,"tokens":null},"member_month":{"generations":null,"tokens":null}}"#)
            .token(Refused),
        get("/api/bookmarks", Workspace(P::View))
            .at("/api/bookmarks?workspace={ws}")
            .scope(S::PostsRead),
        post("/api/bookmarks", Workspace(P::View))
            .at("/api/bookmarks?workspace={ws}")
            .json(r#"{"kind":"draft","id":{draft}}"#)
            .scope(S::DraftsWrite),
        delete("/api/bookmarks", Workspace(P::View))
            .at("/api/bookmarks?workspace={ws}&kind=draft&id={draft}")
            .scope(S::DraftsWrite),
        // ---------------------------------------------- analytics and the learning hub
        get("/home/analytics", Workspace(P::View))
            .at("/home/analytics?workspace={ws}")
            .outsider(OwnWorkspace),
        // Spends the platforms' rate limits: those who may publish.
        post("/home/analytics/refresh", Workspace(P::Publish)).form(WS_FORM),
        get("/home/analytics/export/{file}", Workspace(P::View))
            .at("/home/analytics/export/posts.csv?workspace={ws}")
            .outsider(OwnWorkspace),
        get("/home/learn", Workspace(P::View))
            .at("/home/learn?workspace={ws}")
            .outsider(OwnWorkspace),
        // A guide is the same for every workspace: members see it.
        get("/home/learn/{slug}", Workspace(P::View))
            .at("/home/learn/reading-your-analytics?workspace={ws}")
            .outsider(OwnWorkspace),
        // Another workspace's recommendation is one this workspace does
        // not have: "no longer applies", as for any unknown one.
        post("/home/learn/recommendations", Workspace(P::Draft))
            .form(&[
                ("workspace", "{ws}"),
                ("key", "{recommendation}"),
                ("fingerprint", "00ff"),
                ("outcome", "dismissed"),
            ])
            .idor(Redirect("done=gone")),
        get("/api/analytics/summary", Workspace(P::View))
            .at("/api/analytics/summary?workspace={ws}")
            .scope(S::AnalyticsRead),
        get("/api/analytics/posts", Workspace(P::View))
            .at("/api/analytics/posts?workspace={ws}")
            .scope(S::AnalyticsRead),
        get("/api/analytics/best-times", Workspace(P::View))
            .at("/api/analytics/best-times?workspace={ws}")
            .scope(S::AnalyticsRead),
        // Only posts:write implies publishing among the scopes.
        post("/api/analytics/refresh", Workspace(P::Publish))
            .at("/api/analytics/refresh?workspace={ws}")
            .scope(S::PostsWrite),
        get("/api/recommendations", Workspace(P::View))
            .at("/api/recommendations?workspace={ws}")
            .scope(S::AnalyticsRead),
        post("/api/recommendations/{key}/dismiss", Workspace(P::Draft))
            .at("/api/recommendations/{recommendation}/dismiss?workspace={ws}")
            .json(r#"{"fingerprint":"00ff"}"#)
            .scope(S::DraftsWrite),
        post("/api/recommendations/{key}/done", Workspace(P::Draft))
            .at("/api/recommendations/{recommendation}/done?workspace={ws}")
            .json(r#"{"fingerprint":"00ff"}"#)
            .scope(S::DraftsWrite),
        // ---------------------------------------------- assistants (MCP)
        // Each tool's own permission is the service's: tests/it/mcp.rs.
        post("/mcp", Bearer(P::View))
            .at("/mcp?workspace={ws}")
            .json_rpc(MCP_LIST_TOOLS),
    ]
}

/// What each role may do, written out here rather than asked of
/// `Role::allows`, so a change there must be made here too, on purpose
/// (the first test says so when they disagree).
fn may(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Owner => true,
        Role::Admin => p != ManageOwners,
        Role::Editor => matches!(p, View | Draft | Publish | Approve | Triage | Engage),
        Role::Contributor => matches!(p, View | Draft | Triage),
        Role::Viewer => p == View,
    }
}

/// Every permission; a new one does not compile until it is listed.
fn all_permissions() -> Vec<Permission> {
    use Permission::*;
    let all = vec![
        View,
        Draft,
        Publish,
        Approve,
        ManageConnections,
        ManageMembers,
        ViewAudit,
        ManageWebhooks,
        ManageOwners,
        Triage,
        Engage,
        SetQuotas,
    ];
    for p in &all {
        match p {
            View | Draft | Publish | Approve | ManageConnections | ManageMembers | ViewAudit
            | ManageWebhooks | ManageOwners | Triage | Engage | SetQuotas => {}
        }
    }
    all
}

// ------------------------------------------------------------ reading the router

/// Every (METHOD, path) of a `.route(PATH, METHOD_ROUTER)` call in the
/// web crate's source, outside comments and `#[cfg(test)]` modules.
pub(crate) fn routes_in_source() -> BTreeSet<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no Rust files under {}", root.display());
    let mut found = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let (masked, code) = lex(&text);
        let code = without_test_modules(&masked, code);
        let where_ = |at: usize| format!("{}:{}", file.display(), text[..at].lines().count());
        let mut from = 0;
        while let Some(at) = find_code(&masked, &code, ".route(", from) {
            let open = at + ".route".len();
            let close = matching(&masked, &code, open)
                .unwrap_or_else(|| panic!("{}: unbalanced .route(", where_(at)));
            let mut first = open + 1;
            while masked[first].is_ascii_whitespace() {
                first += 1;
            }
            assert!(
                masked[first] == b'"',
                "{}: a route whose path is not a string literal: decide it by hand",
                where_(at)
            );
            let end = first + 1 + text[first + 1..].find('"').unwrap();
            let path = &text[first + 1..end];
            let methods = methods_in(&masked, &code, end + 1, close);
            assert!(
                !methods.is_empty(),
                "{}: route {path}: no get/post/put/delete/patch in its method router",
                where_(at)
            );
            for m in methods {
                found.insert((m.to_uppercase(), path.to_owned()));
            }
            from = close;
        }
        assert!(
            find_code(&masked, &code, ".route_service(", 0).is_none(),
            "{}: .route_service( is not read by this test",
            file.display()
        );
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The source with comments blanked, and which bytes are code (not in a
/// string or character literal).
fn lex(src: &str) -> (Vec<u8>, Vec<bool>) {
    let b = src.as_bytes();
    let n = b.len();
    let mut out = b.to_vec();
    let mut code = vec![true; n];
    let mut i = 0;
    while i < n {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'/' && next == Some(b'/') {
            while i < n && b[i] != b'\n' {
                out[i] = b' ';
                code[i] = false;
                i += 1;
            }
        } else if c == b'/' && next == Some(b'*') {
            let mut depth = 0;
            while i < n {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    for k in i..i + 2 {
                        out[k] = b' ';
                        code[k] = false;
                    }
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                if b[i] != b'\n' {
                    out[i] = b' ';
                }
                code[i] = false;
                i += 1;
            }
        } else if c == b'"' {
            code[i] = false;
            i += 1;
            while i < n {
                code[i] = false;
                if b[i] == b'\\' {
                    if i + 1 < n {
                        code[i + 1] = false;
                    }
                    i += 2;
                    continue;
                }
                i += 1;
                if b[i - 1] == b'"' {
                    break;
                }
            }
        } else if c == b'r'
            && (i == 0
                || !is_ident(b[i - 1])
                || (b[i - 1] == b'b' && (i < 2 || !is_ident(b[i - 2]))))
            && matches!(next, Some(b'#') | Some(b'"'))
        {
            let mut hashes = 0;
            while b.get(i + 1 + hashes) == Some(&b'#') {
                hashes += 1;
            }
            if b.get(i + 1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let mut closing = String::from("\"");
            closing.push_str(&"#".repeat(hashes));
            let body = i + 2 + hashes;
            let end = src[body..]
                .find(&closing)
                .map_or(n, |k| body + k + closing.len());
            for flag in &mut code[i..end] {
                *flag = false;
            }
            i = end;
        } else if c == b'\'' {
            let literal_end = if next == Some(b'\\') {
                src[i + 2..].find('\'').map(|k| i + 2 + k + 1)
            } else if b.get(i + 2) == Some(&b'\'') {
                Some(i + 3)
            } else if next.is_some_and(|x| x >= 0x80) {
                src[i + 1..]
                    .char_indices()
                    .nth(1)
                    .filter(|(_, ch)| *ch == '\'')
                    .map(|(k, _)| i + 1 + k + 1)
            } else {
                None
            };
            match literal_end {
                Some(end) => {
                    for flag in &mut code[i..end] {
                        *flag = false;
                    }
                    i = end;
                }
                None => i += 1, // a lifetime
            }
        } else {
            i += 1;
        }
    }
    (out, code)
}

/// The first `needle` at or after `from` that starts in code.
fn find_code(masked: &[u8], code: &[bool], needle: &str, from: usize) -> Option<usize> {
    let needle = needle.as_bytes();
    (from..masked.len().saturating_sub(needle.len() - 1))
        .find(|&i| code[i] && masked[i..].starts_with(needle))
}

/// The bracket closing the one at `open` (`(`/`{`), counting code only.
fn matching(masked: &[u8], code: &[bool], open: usize) -> Option<usize> {
    let (o, c) = match masked[open] {
        b'(' => (b'(', b')'),
        b'{' => (b'{', b'}'),
        _ => return None,
    };
    let mut depth = 0;
    for i in open..masked.len() {
        if !code[i] {
            continue;
        }
        if masked[i] == o {
            depth += 1;
        } else if masked[i] == c {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// `code` with every `#[cfg(test)] mod … { … }` marked as not code.
fn without_test_modules(masked: &[u8], mut code: Vec<bool>) -> Vec<bool> {
    let mut from = 0;
    while let Some(at) = find_code(masked, &code, "#[cfg(test)]", from) {
        from = at + 1;
        let mut i = at + "#[cfg(test)]".len();
        while i < masked.len() && masked[i].is_ascii_whitespace() {
            i += 1;
        }
        if !masked[i..].starts_with(b"mod ") {
            continue;
        }
        let Some(open) = (i..masked.len()).find(|&k| code[k] && matches!(masked[k], b'{' | b';'))
        else {
            continue;
        };
        if masked[open] == b';' {
            continue;
        }
        if let Some(close) = matching(masked, &code, open) {
            for flag in &mut code[at..=close] {
                *flag = false;
            }
        }
    }
    code
}

/// The HTTP methods of a method router expression (`get(a).post(b)`,
/// `axum::routing::post(c)`).
fn methods_in(masked: &[u8], code: &[bool], from: usize, to: usize) -> Vec<&'static str> {
    let mut out = Vec::new();
    for name in ["get", "post", "put", "delete", "patch"] {
        let call = format!("{name}(");
        let mut at = from;
        while let Some(i) = find_code(masked, code, &call, at) {
            if i >= to {
                break;
            }
            if !is_ident(masked[i - 1]) {
                out.push(name);
            }
            at = i + 1;
        }
    }
    for other in ["any(", "on(", "_service("] {
        if let Some(i) = find_code(masked, code, other, from)
            && i < to
            && (other == "_service(" || !is_ident(masked[i - 1]))
        {
            panic!("a method router with {other}…): the test reads only get/post/put/delete/patch");
        }
    }
    out
}

// ------------------------------------------------------------ the first test

#[test]
fn every_route_of_the_web_crate_has_an_access_decision() {
    let source = routes_in_source();
    let table = table();
    let mut problems = Vec::new();
    let mut decided = BTreeSet::new();
    for r in &table {
        if !decided.insert((r.method.to_owned(), r.path.to_owned())) {
            problems.push(format!(
                "route {} {} is decided twice in tests/it/routes.rs",
                r.method, r.path
            ));
        }
    }
    for (method, path) in &source {
        if !decided.contains(&(method.clone(), path.clone())) {
            problems.push(format!(
                "route {method} {path} has no access decision in tests/it/routes.rs"
            ));
        }
    }
    for (method, path) in &decided {
        if !source.contains(&(method.clone(), path.clone())) {
            problems.push(format!(
                "route {method} {path} is decided in tests/it/routes.rs but the web crate no \
                 longer serves it"
            ));
        }
    }
    for r in &table {
        let needs_caller = matches!(
            r.access,
            Access::SignedIn | Access::Own | Access::Workspace(_) | Access::AuthorOr(..)
        );
        if r.path.starts_with("/api/") && needs_caller && r.token.is_none() {
            problems.push(format!(
                "route {} {} has no decision for scoped tokens in tests/it/routes.rs \
                 (`.scope(…)` or `.token(…)`)",
                r.method, r.path
            ));
        }
        if !r.path.starts_with("/api/") && r.token.is_some() {
            problems.push(format!(
                "route {} {} is a page: tokens never reach it, drop its token decision",
                r.method, r.path
            ));
        }
    }
    for role in Role::ALL {
        for p in all_permissions() {
            if may(role, p) != role.allows(p) {
                problems.push(format!(
                    "the {role} role's {p:?} changed in crates/accounts/src/role.rs: update \
                     `may` in tests/it/routes.rs and review the decisions"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for r in &table {
        *classes.entry(format!("{:?}", r.access)).or_default() += 1;
    }
    println!("{} routes in crates/web/src, each decided:", source.len());
    for (class, n) in classes {
        println!("  {n:>3}  {class}");
    }
}

// ------------------------------------------------------------ personas

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No cookie at all.
    Bare,
    /// Only the anonymous CSRF cookie, and its token.
    Anon,
    /// Signed in, a member of another workspace only.
    Outsider,
    Member(Role),
    /// The owner's session, sending no CSRF token (checklist item 10).
    NoToken,
    /// The owner's session and token, from a page of another site.
    CrossSite,
    /// A scoped token of the owner's (no cookie): these scopes.
    Token(Scopes),
}

struct Persona {
    name: &'static str,
    kind: Kind,
    client: reqwest::Client,
    token: Option<String>,
    /// A scoped token's secret, sent as `Authorization: Bearer`.
    bearer: Option<String>,
}

impl Persona {
    fn anonymous(&self) -> bool {
        matches!(self.kind, Kind::Bare | Kind::Anon)
    }
}

const OWNER: &str = "routes-owner@example.com";
const SPARE: &str = "routes-spare@example.com";
const PENDING: &str = "routes-pending@example.com";

/// Strings planted in the first workspace's data: no answer to an
/// anonymous caller or the other workspace's member may contain them.
const MARKERS: [&str; 9] = [
    "ws1-secret-draft",
    "ws1-secret-template",
    "ws1-secret-brief",
    "ws1-secret-caption",
    "ws1-secret-endpoint",
    "ws1-secret-hook",
    "ws1-secret-comment",
    "ws1-secret-image",
    OWNER,
];

/// Objects whose placeholders make a request "about the first
/// workspace's object".
const OBJECTS: [&str; 17] = [
    "{draft}",
    "{recommendation}",
    "{template}",
    "{generation}",
    "{pillar}",
    "{post}",
    "{item}",
    "{target}",
    "{media}",
    "{endpoint}",
    "{delivery}",
    "{outdelivery}",
    "{tiktok}",
    "{youtube}",
    "{conn}",
    "{member}",
    "{invite}",
];

async fn me(app: &TestApp, client: &reqwest::Client) -> Value {
    let resp = client.get(app.url("/api/me")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// The caller's personal workspace.
async fn personal_workspace(app: &TestApp, client: &reqwest::Client) -> String {
    me(app, client).await["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["personal"] == true)
        .expect("a personal workspace")["id"]
        .to_string()
}

/// A JPEG of its own (`seed` changes the pixels).
fn jpeg(seed: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 7) as u8, (seed % 251) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

/// `url` without this app's base (a path and query).
fn local(app: &TestApp, url: &str) -> String {
    let url = url.split('#').next().unwrap();
    url.strip_prefix(&app.base).unwrap_or(url).to_owned()
}

// ------------------------------------------------------------ requests

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

impl Answer {
    fn code(&self) -> Option<String> {
        serde_json::from_str::<Value>(&self.body)
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
    }

    fn show(&self) -> String {
        let mut s = self.status.as_u16().to_string();
        if !self.location.is_empty() {
            s.push_str(&format!(" → {}", self.location));
        }
        if let Some(code) = self.code() {
            s.push_str(&format!(" ({code})"));
        }
        s
    }
}

fn check(expected: Outcome, a: &Answer) -> Result<(), String> {
    let status = a.status.as_u16();
    let redirect = a.status.is_redirection();
    let ok = match expected {
        Outcome::Allowed => {
            !matches!(status, 401 | 403 | 404)
                && !a.status.is_server_error()
                && !(redirect
                    && (a.location.starts_with("/login?")
                        || a.location.contains("error=forbidden")
                        || a.location.contains("error=not_found")
                        || a.location.contains("error=unauthorized")))
        }
        Outcome::Open => !matches!(status, 401 | 403) && !a.status.is_server_error(),
        Outcome::Status(s) => status == s,
        Outcome::Api(s, code) => status == s && a.code().as_deref() == Some(code),
        Outcome::Redirect(part) => status == 303 && a.location.contains(part),
        Outcome::Login => status == 303 && a.location.starts_with("/login?next="),
        Outcome::OwnWorkspace => status == 200,
        Outcome::Refused => a.status.is_client_error(),
        Outcome::Contains(s, part) => status == s && a.body.contains(part),
        Outcome::NotFound => {
            status == 404 || (status == 303 && a.location.contains("error=not_found"))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expected:?}, got {}", a.show()))
    }
}

/// Replaces every `{name}` of `vars` in `template`; a placeholder left
/// over is a mistake in the table.
fn fill(template: &str, vars: &HashMap<&'static str, String>) -> String {
    let mut out = template.to_owned();
    for (k, v) in vars {
        out = out.replace(k, v);
    }
    let bytes = out.as_bytes();
    for (i, _) in out.match_indices('{') {
        let rest = &bytes[i + 1..];
        let len = rest
            .iter()
            .take_while(|b| b.is_ascii_lowercase() || **b == b'_')
            .count();
        assert!(
            !(len > 0 && rest.get(len) == Some(&b'}')),
            "unfilled placeholder in {template}"
        );
    }
    out
}

// ------------------------------------------------------------ the world

struct World {
    app: TestApp,
    owner: reqwest::Client,
    owner_token: String,
    spare: reqwest::Client,
    vars: HashMap<&'static str, String>,
    /// Fresh objects not yet used up.
    fresh: HashMap<Fresh, String>,
    seed: std::cell::Cell<u32>,
}

impl World {
    async fn new() -> World {
        let app = spawn_app_with(
            Backend::Sqlite,
            &[
                // The development mailbox is also tried from elsewhere.
                ("HERALD_TRUSTED_PROXIES", "127.0.0.1"),
                // Endpoints point at a closed local port.
                ("HERALD_WEBHOOK_ALLOW_PRIVATE", "true"),
            ],
        )
        .await;
        let owner = app.signed_in(OWNER).await;
        let owner_token = app.csrf_for(&owner).await;
        let ws = personal_workspace(&app, &owner).await;
        let mut vars: HashMap<&'static str, String> = HashMap::new();
        vars.insert("{ws}", ws.clone());
        let spare = app.member(&owner, &ws, SPARE, "viewer").await;
        vars.insert("{member}", me(&app, &spare).await["id"].to_string());
        let mut w = World {
            app,
            owner,
            owner_token,
            spare,
            vars,
            fresh: HashMap::new(),
            seed: std::cell::Cell::new(0),
        };
        w.plant().await;
        w
    }

    fn ws(&self) -> &str {
        &self.vars["{ws}"]
    }

    /// A request as the owner, with its CSRF token.
    async fn as_owner(
        &self,
        method: Method,
        path: &str,
        json: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .owner
            .request(method, self.app.url(path))
            .header("x-csrf-token", &self.owner_token);
        if let Some(body) = json {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The first workspace's objects, with the markers in them.
    async fn plant(&mut self) {
        let app = &self.app;
        let ws = self.ws().to_owned();
        // Connected accounts: TikTok for posts, YouTube (Google) for
        // Drive, Instagram for incoming webhooks.
        let tiktok = crate::posts::connect(app, &self.owner, "tiktok").await;
        let youtube = crate::posts::connect(app, &self.owner, "youtube").await;
        let instagram = crate::posts::connect(app, &self.owner, "instagram").await;
        self.vars.insert("{tiktok}", tiktok);
        self.vars.insert("{youtube}", youtube);

        let (post, target) = self.new_post(&self.owner, &self.owner_token).await;
        self.vars.insert("{post}", post);
        self.vars.insert("{target}", target);

        let (media, signed) = self.new_media().await;
        self.vars.insert("{media}", media);
        self.vars.insert("{signed}", signed);

        let endpoint = self.new_endpoint().await;
        let (status, body) = self
            .as_owner(
                Method::POST,
                &format!("/api/webhooks/endpoints/{endpoint}/test?workspace={ws}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        self.vars.insert("{outdelivery}", body["id"].to_string());
        self.vars.insert("{endpoint}", endpoint);

        // An Instagram comment, signed as Meta signs it, routed here.
        let (_, list) = self
            .as_owner(
                Method::GET,
                &format!("/api/platforms/instagram/connections?workspace={ws}"),
                None,
            )
            .await;
        let ig = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == instagram.as_str())
            .and_then(|c| c["remote_id"].as_str())
            .expect("the Instagram account's id")
            .to_owned();
        let delivery = crate::webhooks::comment(&ig, "c-routes", "ws1-secret-comment");
        let signature = crate::webhooks::instagram_secrets(app)
            .sign(delivery.as_bytes())
            .unwrap();
        let resp = reqwest::Client::new()
            .post(app.url("/webhooks/instagram"))
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(delivery)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "a signed delivery is taken");
        let deadline = Instant::now() + Duration::from_secs(60);
        let delivery = loop {
            let (status, body) = self
                .as_owner(
                    Method::GET,
                    &format!("/api/webhooks/deliveries?workspace={ws}"),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            if let Some(d) = body["deliveries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["status"] == "processed")
            {
                break d["id"].to_string();
            }
            assert!(Instant::now() < deadline, "never processed: {body}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.vars.insert("{delivery}", delivery);
        // The comment, in the workspace's inbox.
        let (status, inbox) = self
            .as_owner(Method::GET, &format!("/api/inbox?workspace={ws}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{inbox}");
        self.vars
            .insert("{item}", inbox["items"][0]["id"].to_string());

        // A second session of the owner's, for revoking.
        let other = new_client();
        app.log_in(&other, OWNER).await;
        let html = app.html(&self.owner, "/home/settings").await;
        let session = html
            .split("action=\"/settings/sessions/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .expect("the other session's revoke form")
            .to_owned();
        self.vars.insert("{session}", session);

        // A TikTok flow at the platform's redirect back, not yet followed.
        let authorize = start(app, &self.owner, "tiktok").await;
        let callback = consent(&authorize, "allow", |f| sandbox_user(f, "routes-callback")).await;
        self.vars.insert("{callback}", local(app, &callback));

        // A YouTube flow waiting for the choice of a channel.
        let authorize = start(app, &self.owner, "youtube").await;
        let callback = consent(&authorize, "allow", |f| sandbox_user(f, "routes-choose")).await;
        let resp = back(&self.owner, &callback).await;
        let choose = location(&resp);
        assert!(choose.starts_with("/home/publishing/choose/"), "{choose}");
        let html = app.html(&self.owner, &choose).await;
        let choice = html
            .split("name=\"account\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a channel to choose")
            .to_owned();
        let attempt = choose.rsplit('/').next().unwrap().to_owned();
        self.vars.insert("{attempt}", attempt);
        self.vars.insert("{choice}", choice);

        // A data export of the owner's, ready to download.
        let resp = app
            .submit(&self.owner, "/home/settings/data/export", &[])
            .await;
        assert!(location(&resp).contains("done=export_requested"));
        let deadline = Instant::now() + Duration::from_secs(60);
        let export = loop {
            let html = self
                .owner
                .get(app.url("/home/settings/data"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if let Some(id) = html
                .split("href=\"/home/settings/data/exports/")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
            {
                break id.to_owned();
            }
            assert!(Instant::now() < deadline, "the export never got ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        self.vars.insert("{export}", export);

        let mail = herald_mail::recent(&app.db, 1).await.unwrap();
        self.vars.insert("{mail}", mail[0].id.to_string());

        // The content studio: a template copy, a draft, a pillar and a
        // generation that has ended.
        let template = self.new_template().await;
        self.vars.insert("{template}", template);
        let draft = self.new_draft(&self.owner, &self.owner_token).await;
        self.vars.insert("{draft}", draft);
        let pillar = self.new_pillar().await;
        self.vars.insert("{pillar}", pillar);
        // A pillar made weeks ago without a post: a recommendation that
        // holds whatever else the table changes (settling it leaves it
        // recommended, only hidden).
        let neglected = self.new_pillar().await;
        crate::analytics::backdate_pillar(app, neglected.parse().unwrap(), 40).await;
        self.vars
            .insert("{recommendation}", format!("pillar_neglected:{neglected}"));
        let generation = self.new_generation(&self.owner, &self.owner_token).await;
        self.vars.insert("{generation}", generation);
    }

    /// A request as `client` with its CSRF `token`.
    async fn as_client(
        &self,
        client: &reqwest::Client,
        token: &str,
        method: Method,
        path: &str,
        json: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = client
            .request(method, self.app.url(path))
            .header("x-csrf-token", token);
        if let Some(body) = json {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The workspace's copy of the catalog's first template, named with
    /// the marker.
    async fn new_template(&self) -> String {
        let ws = self.ws();
        let (status, list) = self
            .as_owner(Method::GET, &format!("/api/templates?workspace={ws}"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let catalog = list["templates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["workspace"].is_null())
            .expect("a catalog template")["id"]
            .clone();
        let (status, copy) = self
            .as_owner(
                Method::POST,
                &format!("/api/templates/{catalog}/copy?workspace={ws}"),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{copy}");
        let id = copy["id"].to_string();
        let (status, body) = self
            .as_owner(
                Method::PUT,
                &format!("/api/templates/{id}?workspace={ws}"),
                Some(r#"{"title":"ws1-secret-template"}"#),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        id
    }

    /// A caption draft of `client`'s with the marker.
    async fn new_draft(&self, client: &reqwest::Client, token: &str) -> String {
        let (status, draft) = self
            .as_client(
                client,
                token,
                Method::POST,
                &format!("/api/drafts?workspace={}", self.ws()),
                Some(
                    r#"{"title":"ws1-secret-draft","content":{"format":"caption","text":"ws1-secret-draft"}}"#,
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        draft["id"].to_string()
    }

    async fn new_pillar(&self) -> String {
        let (status, pillar) = self
            .as_owner(
                Method::POST,
                &format!("/api/pillars?workspace={}", self.ws()),
                Some(&format!(
                    r#"{{"name":"ws1-secret-pillar {}"}}"#,
                    self.next_seed()
                )),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{pillar}");
        pillar["id"].to_string()
    }

    /// A generation of `client`'s that has ended.
    async fn new_generation(&self, client: &reqwest::Client, token: &str) -> String {
        let ws = self.ws();
        let (status, g) = self
            .as_client(
                client,
                token,
                Method::POST,
                &format!("/api/generations?workspace={ws}"),
                Some(r#"{"brief":"ws1-secret-brief"}"#),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{g}");
        let id = g["id"].to_string();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (_, g) = self
                .as_client(
                    client,
                    token,
                    Method::GET,
                    &format!("/api/generations/{id}?workspace={ws}"),
                    None,
                )
                .await;
            if g["status"] == "succeeded" {
                return id;
            }
            assert!(Instant::now() < deadline, "the generation never ended: {g}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A draft with the caption marker, written by `client`.
    async fn new_post(&self, client: &reqwest::Client, token: &str) -> (String, String) {
        let body = DRAFT
            .replace("{tiktok}", &self.vars["{tiktok}"])
            .replace("routes check", "ws1-secret-caption");
        let resp = client
            .post(self.app.url(&format!("/api/posts?workspace={}", self.ws())))
            .header("x-csrf-token", token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let post: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{post}");
        (
            post["id"].as_str().unwrap().to_owned(),
            post["targets"][0]["id"].as_str().unwrap().to_owned(),
        )
    }

    /// An image in the library; its id and signed URL (path and query).
    fn next_seed(&self) -> u32 {
        self.seed.set(self.seed.get() + 1);
        self.seed.get()
    }

    async fn new_media(&self) -> (String, String) {
        let seed = self.next_seed();
        let resp = self
            .owner
            .post(self.app.url(&format!(
                "/api/workspaces/{}/media?filename=ws1-secret-image.jpg",
                self.ws()
            )))
            .header("x-csrf-token", &self.owner_token)
            .header("content-type", "image/jpeg")
            .body(jpeg(seed))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let media: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{media}");
        assert!(media["thumbnail_url"].is_string(), "{media}");
        (
            media["id"].as_str().unwrap().to_owned(),
            local(&self.app, media["url"].as_str().unwrap()),
        )
    }

    async fn new_endpoint(&self) -> String {
        let (status, body) = self
            .as_owner(
                Method::POST,
                &format!("/api/webhooks/endpoints?workspace={}", self.ws()),
                Some(
                    r#"{"url":"http://127.0.0.1:9/ws1-secret-hook","description":"ws1-secret-endpoint"}"#,
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// A client review link to the owner's post; its id.
    async fn new_link(&self) -> String {
        let (status, body) = self
            .as_owner(
                Method::POST,
                &format!(
                    "/api/posts/{}/review-links?workspace={}",
                    self.vars["{post}"],
                    self.ws()
                ),
                Some(r#"{"label":"ws1-secret-client"}"#),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// A TikTok connection of its own sandbox user.
    async fn new_connection(&self) -> String {
        let user = format!("routes-removable-{}", self.next_seed());
        let authorize = start(&self.app, &self.owner, "tiktok").await;
        let callback = consent(&authorize, "allow", |f| sandbox_user(f, &user)).await;
        let resp = back(&self.owner, &callback).await;
        assert!(location(&resp).contains("done=connected"), "{user}");
        let (_, list) = self
            .as_owner(
                Method::GET,
                &format!("/api/platforms/tiktok/connections?workspace={}", self.ws()),
                None,
            )
            .await;
        let known: HashSet<&str> = [
            self.vars["{tiktok}"].as_str(),
            self.fresh
                .get(&Fresh::Connection)
                .map_or("", |s| s.as_str()),
        ]
        .into();
        list.as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .rfind(|id| !known.contains(id))
            .expect("the new connection")
            .to_owned()
    }

    /// The id of an open invitation to [`PENDING`].
    async fn new_invite(&self) -> String {
        let ws = self.ws();
        let resp = self
            .app
            .submit(
                &self.owner,
                &format!("/workspaces/{ws}/invites"),
                &[("email", PENDING), ("role", "viewer")],
            )
            .await;
        assert!(
            location(&resp).contains("done=invited"),
            "{}",
            location(&resp)
        );
        let html = self
            .owner
            .get(self.app.url(&format!("/home/settings?workspace={ws}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        html.split("<li>")
            .find(|item| item.contains(PENDING))
            .and_then(|item| item.split("/invites/").nth(1))
            .and_then(|rest| rest.split('/').next())
            .expect("the open invitation's revoke form")
            .to_owned()
    }

    /// The spare member, back in the workspace if they were removed.
    async fn spare_membership(&self) -> String {
        let ws = self.ws().to_owned();
        let joined = me(&self.app, &self.spare).await["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["id"].as_i64() == ws.parse().ok());
        if !joined {
            let resp = self
                .app
                .submit(
                    &self.owner,
                    &format!("/workspaces/{ws}/invites"),
                    &[("email", SPARE), ("role", "viewer")],
                )
                .await;
            assert!(location(&resp).contains("done=invited"));
            let invite = self.app.token_mailed_to(SPARE).await;
            let resp = self
                .app
                .submit(&self.spare, "/invites/accept", &[("token", &invite)])
                .await;
            assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        }
        self.vars["{member}"].clone()
    }

    /// A scoped token of the owner's in the first workspace with `scopes`
    /// (none: an assistant's defaults); its id and secret.
    async fn new_token(&self, scopes: &[Scope]) -> (String, String) {
        let kind = if scopes.is_empty() {
            "assistant"
        } else {
            "app"
        };
        let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        let body = serde_json::json!({
            "name": format!("routes token {}", self.next_seed()),
            "kind": kind,
            "scopes": names,
        });
        let (status, body) = self
            .as_owner(
                Method::POST,
                &format!("/api/tokens?workspace={}", self.ws()),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (
            body["token"]["id"].to_string(),
            body["secret"].as_str().unwrap().to_owned(),
        )
    }

    /// A device of the owner's (a password grant).
    async fn new_device(&self) -> String {
        let resp = reqwest::Client::new()
            .post(self.app.url("/api/auth/token"))
            .json(&serde_json::json!({
                "grant_type": "password",
                "email": OWNER,
                "password": PASSWORD,
                "device_name": "routes check",
            }))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        body["device_id"].to_string()
    }

    /// The value of `kind`'s placeholder, made if the last one may have
    /// been used up.
    async fn fresh(&mut self, kind: Fresh) -> (&'static str, String) {
        let placeholder = match kind {
            Fresh::Post => "{post}",
            Fresh::Endpoint => "{endpoint}",
            Fresh::Media => "{media}",
            Fresh::Connection => "{conn}",
            Fresh::Invite => "{invite}",
            Fresh::Membership => "{member}",
            Fresh::Device => "{device}",
            Fresh::Link => "{link}",
            Fresh::Token => "{token}",
            Fresh::Draft => "{draft}",
            Fresh::Template => "{template}",
            Fresh::Pillar => "{pillar}",
        };
        if kind == Fresh::Membership {
            return (placeholder, self.spare_membership().await);
        }
        if let Some(v) = self.fresh.get(&kind) {
            return (placeholder, v.clone());
        }
        let value = match kind {
            Fresh::Post => self.new_post(&self.owner, &self.owner_token).await.0,
            Fresh::Endpoint => self.new_endpoint().await,
            Fresh::Media => self.new_media().await.0,
            Fresh::Connection => self.new_connection().await,
            Fresh::Invite => self.new_invite().await,
            Fresh::Device => self.new_device().await,
            Fresh::Link => self.new_link().await,
            Fresh::Token => self.new_token(&[]).await.0,
            Fresh::Draft => self.new_draft(&self.owner, &self.owner_token).await,
            Fresh::Template => self.new_template().await,
            Fresh::Pillar => self.new_pillar().await,
            Fresh::Membership => unreachable!(),
        };
        self.fresh.insert(kind, value.clone());
        (placeholder, value)
    }

    async fn send(
        &self,
        p: &Persona,
        route: &Route,
        vars: &HashMap<&'static str, String>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let url = self.app.url(&fill(route.url, vars));
        let mut req = p.client.request(method.clone(), url);
        if method != Method::GET
            && let Some(token) = &p.token
        {
            req = req.header("x-csrf-token", token);
        }
        if let Some(secret) = &p.bearer {
            req = req.bearer_auth(secret);
        }
        if p.kind == Kind::CrossSite {
            req = req
                .header("origin", "https://attacker.example")
                .header("sec-fetch-site", "cross-site");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req = match route.body {
            Body::None => req,
            Body::Form(fields) => {
                let filled: Vec<(&str, String)> =
                    fields.iter().map(|(k, v)| (*k, fill(v, vars))).collect();
                req.form(&filled)
            }
            Body::Json(json) => req
                .header("content-type", "application/json")
                .body(fill(json, vars)),
            Body::JsonRpc(json) => req
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(fill(json, vars)),
            Body::Jpeg => req
                .header("content-type", "image/jpeg")
                .body(jpeg(10_000 + self.next_seed())),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        // An event stream does not end: its first events are the answer.
        let streaming = resp
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let mut resp = resp;
        let bytes = if streaming {
            tokio::time::timeout(Duration::from_secs(60), resp.chunk())
                .await
                .expect("the stream's first events")
                .unwrap()
                .unwrap_or_default()
        } else {
            resp.bytes().await.unwrap()
        };
        Answer {
            status,
            location,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// A bearer access token of `email`'s (the password grant).
async fn bearer_token(app: &TestApp, email: &str) -> String {
    let resp = reqwest::Client::new()
        .post(app.url("/api/auth/token"))
        .json(&serde_json::json!({
            "grant_type": "password",
            "email": email,
            "password": PASSWORD,
            "device_name": "routes check",
            "device_kind": "assistant",
        }))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{email}: {body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// Sets the sandbox consent form's user (a different person, so a
/// different account at the platform).
fn sandbox_user(fields: &mut [(String, String)], user: &str) {
    for (k, v) in fields.iter_mut() {
        if k == "sandbox_user" {
            *v = user.to_owned();
        }
    }
}

/// What `p` must get from `route`; `None`: not asked of this persona.
fn expected(route: &Route, p: &Persona) -> Option<Outcome> {
    use Access::*;
    use Outcome::*;
    let api = route.path.starts_with("/api/");
    let safe = route.method == "GET";
    if matches!(p.kind, Kind::NoToken | Kind::CrossSite) {
        // Every state change a session can make needs the token, and a
        // page of this site to come from.
        let code = if p.kind == Kind::NoToken {
            "csrf_failed"
        } else {
            "cross_site_request"
        };
        return match route.access {
            _ if safe => None,
            Public | SignedIn | Own | Workspace(_) | AuthorOr(..) if api => Some(Api(403, code)),
            Public | SignedIn | Own | Workspace(_) | AuthorOr(..) => Some(Status(403)),
            // The session is no credential here; from another site the
            // same-origin layer refuses first.
            Bearer(_) if p.kind == Kind::NoToken => Some(Status(401)),
            Bearer(_) => Some(Status(403)),
            Credentials | Webhook | SignedUrl | DevOnly => None,
        };
    }
    if let Kind::Token(scopes) = p.kind {
        return token_expected(route, scopes);
    }
    let anonymous = match (p.kind, safe, api) {
        (Kind::Bare, false, true) => Api(403, "csrf_failed"),
        (Kind::Bare, false, false) => Status(403),
        (_, _, true) => Status(401),
        (_, _, false) => Login,
    };
    match route.access {
        Public => match (p.kind, safe) {
            (Kind::Bare, true) => Some(Open),
            (Kind::Bare, false) => Some(Status(403)),
            (Kind::Anon, false) => Some(Open),
            _ => None,
        },
        Credentials | Webhook => p.anonymous().then_some(Refused),
        Bearer(_) => Some(Status(401)),
        SignedUrl => (p.kind == Kind::Bare).then_some(Status(403)),
        DevOnly => (p.kind == Kind::Bare).then_some(Status(200)),
        SignedIn => Some(if p.anonymous() { anonymous } else { Allowed }),
        Own => Some(match p.kind {
            Kind::Bare | Kind::Anon => anonymous,
            Kind::Member(Role::Owner) => Allowed,
            _ => route.other,
        }),
        Workspace(needed) | AuthorOr(_, needed) => Some(match p.kind {
            Kind::Bare | Kind::Anon => anonymous,
            Kind::Outsider => route.outsider,
            Kind::Member(role) if may(role, needed) => Allowed,
            Kind::Member(_) => route.denied,
            Kind::NoToken | Kind::CrossSite | Kind::Token(_) => unreachable!(),
        }),
    }
}

/// What a scoped token of the owner's holding `scopes` must get from
/// `route`; `None`: not asked (routes that need no caller).
fn token_expected(route: &Route, scopes: Scopes) -> Option<Outcome> {
    use Access::*;
    use Outcome::*;
    // The MCP endpoint lets every token in (each scope implies seeing the
    // workspace); each tool then asks for its own scope (tests/it/mcp.rs).
    if let Bearer(needed) = route.access {
        return Some(if scopes.implies(needed) {
            Allowed
        } else {
            Api(403, "insufficient_scope")
        });
    }
    let needs_caller = matches!(route.access, SignedIn | Own | Workspace(_) | AuthorOr(..));
    if !needs_caller {
        return None;
    }
    // A page reads only the session cookie: not signed in.
    if !route.path.starts_with("/api/") {
        return Some(Login);
    }
    let insufficient = Api(403, "insufficient_scope");
    let permission = match route.access {
        Workspace(p) | AuthorOr(p, _) => p,
        _ => Permission::View,
    };
    Some(
        match route.token.expect("decided (the first test checks)") {
            TokenRule::Any => Allowed,
            TokenRule::Refused => insufficient,
            TokenRule::Always(o) => o,
            TokenRule::Scope(scope) if scopes.covers(scope) && scopes.implies(permission) => {
                Allowed
            }
            TokenRule::ScopeFor(scope, p) if scopes.covers(scope) && scopes.implies(p) => Allowed,
            TokenRule::Scope(_) | TokenRule::ScopeFor(..) => insufficient,
        },
    )
}

/// Checks and their results, with the known findings set aside.
#[derive(Default)]
struct Report {
    checks: usize,
    /// Every caller a check was made as.
    callers: BTreeSet<String>,
    failures: Vec<String>,
    known: Vec<String>,
}

impl Report {
    fn record(&mut self, route: &Route, persona: &str, result: Result<(), String>) {
        self.checks += 1;
        self.callers.insert(persona.to_owned());
        let finding = KNOWN_FINDINGS
            .iter()
            .any(|(m, path, who)| *m == route.method && *path == route.path && *who == persona);
        let what = format!("{} {} as {persona}", route.method, route.path);
        match (result, finding) {
            (Ok(()), false) => {}
            (Err(e), false) => self.failures.push(format!("{what}: {e}")),
            (Err(e), true) => self.known.push(format!("{what}: {e}")),
            (Ok(()), true) => self.failures.push(format!(
                "{what} now behaves as decided: remove it from KNOWN_FINDINGS"
            )),
        }
    }

    fn leak(&mut self, route: &Route, persona: &str, a: &Answer) {
        if let Some(marker) = MARKERS.iter().find(|m| a.body.contains(**m)) {
            self.record(
                route,
                persona,
                Err(format!("the answer ({}) contains {marker:?}", a.show())),
            );
        }
    }
}

#[tokio::test]
async fn every_route_answers_each_persona_as_its_access_decision_says() {
    let started = Instant::now();
    let mut w = World::new().await;
    let ws = w.ws().to_owned();
    let app = &w.app;

    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let anon = new_client();
    let anon_token = app.csrf_for(&anon).await;
    let outsider = app.signed_in("routes-outsider@example.com").await;
    let outsider_token = app.csrf_for(&outsider).await;
    let other_ws = personal_workspace(app, &outsider).await;
    assert_ne!(other_ws, ws);
    let mut personas = vec![
        Persona {
            name: "anonymous",
            kind: Kind::Bare,
            client: bare,
            token: None,
            bearer: None,
        },
        Persona {
            name: "anonymous with a CSRF token",
            kind: Kind::Anon,
            client: anon,
            token: Some(anon_token),
            bearer: None,
        },
        Persona {
            name: "outsider",
            kind: Kind::Outsider,
            client: outsider,
            token: Some(outsider_token),
            bearer: None,
        },
    ];
    // Least power first; the owner, whose own objects some routes use
    // up, last.
    for role in [Role::Viewer, Role::Contributor, Role::Editor, Role::Admin] {
        let email = format!("routes-{role}@example.com");
        let client = app.member(&w.owner, &ws, &email, role.as_str()).await;
        let token = app.csrf_for(&client).await;
        personas.push(Persona {
            name: role.as_str(),
            kind: Kind::Member(role),
            client,
            token: Some(token),
            bearer: None,
        });
    }
    // Scoped tokens of the owner's: one per scope, the assistant's
    // defaults, and every scope at once.
    let mut token_sets: Vec<(&'static str, Vec<Scope>)> = Scope::ALL
        .iter()
        .map(|s| (token_persona_name(*s), vec![*s]))
        .collect();
    token_sets.push(("assistant token (defaults)", Vec::new()));
    token_sets.push(("token with every scope", Scope::ALL.to_vec()));
    for (name, scopes) in token_sets {
        let (_, secret) = w.new_token(&scopes).await;
        let held = if scopes.is_empty() {
            Scopes::ASSISTANT_DEFAULT
        } else {
            Scopes::of(&scopes)
        };
        personas.push(Persona {
            name,
            kind: Kind::Token(held),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            token: None,
            bearer: Some(secret),
        });
    }
    personas.push(Persona {
        name: "owner without a CSRF token",
        kind: Kind::NoToken,
        client: w.owner.clone(),
        token: None,
        bearer: None,
    });
    personas.push(Persona {
        name: "owner, from another site",
        kind: Kind::CrossSite,
        client: w.owner.clone(),
        token: Some(w.owner_token.clone()),
        bearer: None,
    });
    personas.push(Persona {
        name: "owner",
        kind: Kind::Member(Role::Owner),
        client: w.owner.clone(),
        token: Some(w.owner_token.clone()),
        bearer: None,
    });
    let ready = started.elapsed();

    let table = table();
    let mut report = Report::default();
    run(&mut w, &table, &personas, false, &other_ws, &mut report).await;

    // A contributor may change their own drafts.
    let contributor = personas
        .iter()
        .find(|p| p.kind == Kind::Member(Role::Contributor))
        .unwrap();
    for route in table
        .iter()
        .filter(|r| matches!(r.access, Access::AuthorOr(..)))
    {
        let token = contributor.token.as_deref().unwrap();
        let (post, _) = w.new_post(&contributor.client, token).await;
        let mut vars = w.vars.clone();
        vars.insert("{post}", post);
        // The studio's: a draft and a generation of the contributor's.
        if route.path.starts_with("/api/drafts") || route.path.starts_with("/home/content/drafts") {
            vars.insert("{draft}", w.new_draft(&contributor.client, token).await);
        }
        if route.path.contains("/generations/") {
            vars.insert(
                "{generation}",
                w.new_generation(&contributor.client, token).await,
            );
        }
        let answer = w.send(contributor, route, &vars, &[]).await;
        report.record(
            route,
            "contributor (own draft)",
            check(Outcome::Allowed, &answer),
        );
    }
    // The signed media URL serves the bytes to anyone who has it.
    let bare = &personas[0];
    for route in table.iter().filter(|r| r.access == Access::SignedUrl) {
        let mut signed = route.clone_with_url("{signed}");
        signed.body = Body::None;
        let answer = w.send(bare, &signed, &w.vars.clone(), &[]).await;
        report.record(
            route,
            "anonymous with the signed URL",
            check(Outcome::Status(200), &answer),
        );
    }
    // The development mailbox: not for a client elsewhere.
    for route in table.iter().filter(|r| r.access == Access::DevOnly) {
        let vars = w.vars.clone();
        let answer = w
            .send(bare, route, &vars, &[("x-forwarded-for", "203.0.113.5")])
            .await;
        report.record(
            route,
            "anonymous, not on loopback",
            check(Outcome::Status(404), &answer),
        );
    }

    // Bearer-only routes: each person's device token (a password grant:
    // their whole role; the scoped tokens are personas above). Members
    // are let in as their role allows; the other workspace's member is
    // not, unless naming their own workspace; a made-up token never, and
    // a scoped token only in its own workspace.
    let mut bearers: Vec<(String, Option<Role>, String)> = Vec::new();
    for role in Role::ALL {
        let email = match role {
            Role::Owner => OWNER.to_owned(),
            _ => format!("routes-{role}@example.com"),
        };
        let token = bearer_token(&w.app, &email).await;
        bearers.push((format!("{role}'s bearer token"), Some(role), token));
    }
    let outsider_token = bearer_token(&w.app, "routes-outsider@example.com").await;
    bearers.push(("outsider's bearer token".to_owned(), None, outsider_token));
    let (_, assistant) = w.new_token(&[]).await;
    for route in &table {
        let Access::Bearer(needed) = route.access else {
            continue;
        };
        let bare = &personas[0];
        let mut theirs = w.vars.clone();
        theirs.insert("{ws}", other_ws.clone());
        let authorization = format!("Bearer {assistant}");
        let who = "assistant token (defaults), asking for another workspace";
        let answer = w
            .send(bare, route, &theirs, &[("authorization", &authorization)])
            .await;
        report.record(route, who, check(Outcome::NotFound, &answer));
        report.leak(route, who, &answer);
        let made_up = (
            "a made-up bearer token".to_owned(),
            None,
            "not-a-token".to_owned(),
        );
        for (who, role, token) in bearers.iter().chain([&made_up]) {
            let authorization = format!("Bearer {token}");
            let headers = [("authorization", authorization.as_str())];
            let real = token != "not-a-token";
            let expected = match role {
                _ if !real => Outcome::Status(401),
                Some(role) if may(*role, needed) => Outcome::Allowed,
                Some(_) => route.denied,
                None => route.outsider,
            };
            let answer = w.send(bare, route, &w.vars.clone(), &headers).await;
            report.record(route, who, check(expected, &answer));
            if role.is_none() {
                report.leak(route, who, &answer);
                // Naming their own workspace instead.
                let mut theirs = w.vars.clone();
                theirs.insert("{ws}", other_ws.clone());
                let answer = w.send(bare, route, &theirs, &headers).await;
                let who = format!("{who} via the outsider's workspace");
                let expected = if real {
                    Outcome::Allowed
                } else {
                    Outcome::Status(401)
                };
                report.record(route, &who, check(expected, &answer));
                report.leak(route, &who, &answer);
            }
        }
    }

    // Last, what ends the signed-in personas' sessions.
    run(&mut w, &table, &personas, true, &other_ws, &mut report).await;

    for known in &report.known {
        println!("KNOWN FINDING (skipped until fixed): {known}");
    }
    println!(
        "{} checks of {} routes × {} callers in {:.1?} ({:.1?} to set up): {}",
        report.checks,
        table.len(),
        report.callers.len(),
        started.elapsed(),
        ready,
        report
            .callers
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        report.failures.is_empty(),
        "{} of {} checks failed:\n{}",
        report.failures.len(),
        report.checks,
        report.failures.join("\n")
    );
    w.app.stop().await;
}

/// One pass over the table: every route but those that end sessions, or
/// (`terminal`) only those, for the signed-in personas.
async fn run(
    w: &mut World,
    table: &[Route],
    personas: &[Persona],
    terminal: bool,
    other_ws: &str,
    report: &mut Report,
) {
    for route in table {
        for p in personas {
            // Routes that end the caller's sessions: signed-in personas
            // after everything else.
            if route.terminal && terminal == p.anonymous() {
                continue;
            }
            if !route.terminal && terminal {
                continue;
            }
            let Some(outcome) = expected(route, p) else {
                continue;
            };

            let mut vars = w.vars.clone();
            if let Some(kind) = route.fresh {
                let (k, v) = w.fresh(kind).await;
                vars.insert(k, v);
            }
            let answer = w.send(p, route, &vars, &[]).await;
            let result = check(outcome, &answer);
            // Whatever may have used the object up: the next one is new.
            if let Some(kind) = route.fresh
                && (outcome == Outcome::Allowed || result.is_err())
            {
                w.fresh.remove(&kind);
            }
            report.record(route, p.name, result);
            if route.access != Access::DevOnly && (p.anonymous() || p.kind == Kind::Outsider) {
                report.leak(route, p.name, &answer);
            }
            // A token asking for another workspace: not found.
            if matches!(p.kind, Kind::Token(_))
                && matches!(
                    route.token,
                    Some(TokenRule::Scope(_) | TokenRule::ScopeFor(..))
                )
                && (route.url.contains("{ws}") || body_contains(route.body, "{ws}"))
            {
                let mut theirs = vars.clone();
                theirs.insert("{ws}", other_ws.to_owned());
                let answer = w.send(p, route, &theirs, &[]).await;
                let result = check(Outcome::NotFound, &answer);
                if let Some(kind) = route.fresh
                    && result.is_err()
                {
                    w.fresh.remove(&kind);
                }
                report.record(route, "a token, asking for another workspace", result);
                report.leak(route, "a token, asking for another workspace", &answer);
            }
            // The other workspace's member, through their own workspace,
            // naming the first workspace's objects.
            let names_object = OBJECTS
                .iter()
                .any(|o| route.url.contains(o) || body_contains(route.body, o));
            let names_ws = route.url.contains("{ws}") || body_contains(route.body, "{ws}");
            if p.kind == Kind::Outsider && names_object && names_ws {
                let mut theirs = vars.clone();
                theirs.insert("{ws}", other_ws.to_owned());
                let answer = w.send(p, route, &theirs, &[]).await;
                let name = "outsider via own workspace";
                let result = check(route.idor.unwrap_or(Outcome::NotFound), &answer);
                if let Some(kind) = route.fresh
                    && result.is_err()
                {
                    w.fresh.remove(&kind);
                }
                report.record(route, name, result);
                report.leak(route, name, &answer);
            }
        }
    }
}

/// A token persona's name: "posts:read token".
fn token_persona_name(scope: Scope) -> &'static str {
    match scope {
        Scope::AccountsRead => "accounts:read token",
        Scope::PostsRead => "posts:read token",
        Scope::DraftsWrite => "drafts:write token",
        Scope::PostsWrite => "posts:write token",
        Scope::PostsApprove => "posts:approve token",
        Scope::MediaWrite => "media:write token",
        Scope::AnalyticsRead => "analytics:read token",
        Scope::WebhooksManage => "webhooks:manage token",
        Scope::InboxRead => "inbox:read token",
        Scope::InboxWrite => "inbox:write token",
        Scope::InboxReply => "inbox:reply token",
    }
}

fn body_contains(body: Body, needle: &str) -> bool {
    match body {
        Body::Form(fields) => fields.iter().any(|(_, v)| v.contains(needle)),
        Body::Json(json) | Body::JsonRpc(json) => json.contains(needle),
        Body::None | Body::Jpeg => false,
    }
}

impl Route {
    fn clone_with_url(&self, url: &'static str) -> Route {
        Route {
            method: self.method,
            path: self.path,
            url,
            access: self.access,
            body: self.body,
            denied: self.denied,
            outsider: self.outsider,
            idor: self.idor,
            other: self.other,
            fresh: self.fresh,
            terminal: self.terminal,
            token: self.token,
        }
    }
}
