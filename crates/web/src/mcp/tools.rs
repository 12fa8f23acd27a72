//! The tools an assistant may call, each a thin call of one domain
//! service with the caller's [`Authorized`] proof, so the service's own
//! permission checks decide: a token that may not publish is refused by
//! `Publishing`, not by the absence of a tool.
//!
//! Arguments are read with their JSON path on error; a refusal (bad
//! arguments, not allowed, not found, a rule broken) is a tool result with
//! `isError: true` whose text is `{"error": {"code", "message", …}}` (the
//! JSON API's body, message in the request's language), so the assistant
//! can read it and correct itself, as MCP asks of input errors since its
//! 2025-11-25 revision; only a call the protocol cannot route (an unknown
//! tool) is a JSON-RPC error. A success is `structuredContent` matching the
//! tool's `outputSchema`, a one-line summary, and the JSON as text for
//! clients that read no structured content.
//!
//! Every call is audited as `mcp.<tool>` with its outcome (`success`,
//! `denied`, `failure`).

use std::sync::LazyLock;

use axum::http::StatusCode;
use herald_accounts::{AuditEvent, Authorized, Scope};
use herald_core::{ConnectionId, Named, PostId, SignedDuration, Timestamp};
use herald_platforms::PostFormat;
use herald_publishing::{
    PostInput, PostStatus, PostView, PublishError, Schedule, TargetInput, TargetStatus, Variant,
    When,
};
use rmcp::handler::server::tool::{schema_for_input, schema_for_output};
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ContentBlock, ErrorData, JsonObject, Tool,
    ToolAnnotations,
};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Caller;
use super::analytics::{self, Analytics};
use super::views::{self, Account, Accounts, Post, Posts};
use crate::error::BodyProblem;
use crate::i18n::error_copy;
use crate::{AppState, WebError};

pub(super) const INSTRUCTIONS: &str = "Herald publishes social media posts for one workspace (the \
     one this connection was set up for). Start with list_accounts to see where posts can go, \
     then create_draft, and submit_for_review to ask the workspace's approvers. Drafts are \
     safe: nothing goes out until someone who may publish schedules or publishes it, or an \
     approver approves it. Refusals come back as tool errors with a code (forbidden, \
     insufficient_scope, post_not_found, post_invalid …) and a message.";

/// The longest period one listing or report may cover.
const MAX_RANGE: SignedDuration = SignedDuration::from_hours(24 * 400);
/// The period `read_analytics` covers when none is given.
const DEFAULT_PERIOD: SignedDuration = SignedDuration::from_hours(24 * 30);
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;
/// The most accounts one draft may go to.
const MAX_TARGETS: usize = 20;

/// The tools, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    ListAccounts,
    ListPosts,
    GetPost,
    CreateDraft,
    SubmitForReview,
    SchedulePost,
    PublishPost,
    ReadAnalytics,
}

impl Name {
    const ALL: [Name; 8] = [
        Name::ListAccounts,
        Name::ListPosts,
        Name::GetPost,
        Name::CreateDraft,
        Name::SubmitForReview,
        Name::SchedulePost,
        Name::PublishPost,
        Name::ReadAnalytics,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Name::ListAccounts => "list_accounts",
            Name::ListPosts => "list_posts",
            Name::GetPost => "get_post",
            Name::CreateDraft => "create_draft",
            Name::SubmitForReview => "submit_for_review",
            Name::SchedulePost => "schedule_post",
            Name::PublishPost => "publish_post",
            Name::ReadAnalytics => "read_analytics",
        }
    }

    fn parse(name: &str) -> Option<Name> {
        Name::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// The scope a scoped token needs for the tool, as for the JSON API
    /// route doing the same: one permission, `View`, reads accounts, posts
    /// and analytics alike, so the scope tells them apart. Scheduling and
    /// publishing name none: `Publish` is implied by `posts:write` alone,
    /// so `Publishing` itself refuses a token without it. Whether the
    /// caller may do it at all is always the service's check.
    fn scope(self) -> Option<Scope> {
        match self {
            Name::ListAccounts => Some(Scope::AccountsRead),
            Name::ListPosts | Name::GetPost => Some(Scope::PostsRead),
            Name::CreateDraft | Name::SubmitForReview => Some(Scope::DraftsWrite),
            Name::ReadAnalytics => Some(Scope::AnalyticsRead),
            Name::SchedulePost | Name::PublishPost => None,
        }
    }

    /// The tool's definition: description, argument and result schemas,
    /// behaviour hints.
    fn tool(self) -> Tool {
        let reads = ToolAnnotations::new().read_only(true).open_world(false);
        let writes = |destructive: bool| {
            ToolAnnotations::new()
                .read_only(false)
                .destructive(destructive)
                .idempotent(false)
                .open_world(destructive)
        };
        match self {
            Name::ListAccounts => define::<NoArgs, Accounts>(
                self,
                "List connected accounts",
                "The workspace's connected social accounts (Facebook Pages, Instagram, TikTok, \
                 YouTube): id, provider, kind, name and status. A post goes to one or more of \
                 them by id.",
                reads,
            ),
            Name::ListPosts => define::<ListPostsArgs, Posts>(
                self,
                "List posts",
                "Posts of the workspace with their targets. Either a time range (`from`, `to`: \
                 posts scheduled, or else created, in it, oldest first), or one queue: \
                 `drafts`, `review` (waiting for approval), `upcoming` (the default), \
                 `published` or `failed`. `status` narrows a range to one queue too.",
                reads,
            ),
            Name::GetPost => define::<PostArgs, Post>(
                self,
                "Get a post",
                "One post by id, with every target: content, status, time, link once \
                 published, and why it failed if it did.",
                reads,
            ),
            Name::CreateDraft => define::<CreateDraftArgs, Post>(
                self,
                "Create a draft",
                "Saves a new draft post for one or more connected accounts (ids from \
                 list_accounts), each with its own format and text. Nothing is published: a \
                 draft waits for a person to schedule or publish it. Platform rules are \
                 checked when it is scheduled.",
                writes(false),
            ),
            Name::SubmitForReview => define::<SubmitArgs, Post>(
                self,
                "Submit for review",
                "Submits a draft for approval by the workspace's approvers, optionally with \
                 the wall-clock time and IANA time zone it should go out at once approved \
                 (else its own time, else right when approved). Its content is checked \
                 against the platforms' rules now. It never publishes by itself: until an \
                 approver approves, nothing goes out.",
                writes(false),
            ),
            Name::SchedulePost => define::<SchedulePostArgs, Post>(
                self,
                "Schedule a post",
                "Schedules an existing post to go out at a wall-clock time in an IANA time \
                 zone. Needs the right to publish: assistant tokens normally lack it and are \
                 refused (code `forbidden`).",
                writes(true),
            ),
            Name::PublishPost => define::<PostArgs, Post>(
                self,
                "Publish a post now",
                "Publishes an existing post right away. Needs the right to publish: assistant \
                 tokens normally lack it and are refused (code `forbidden`).",
                writes(true),
            ),
            Name::ReadAnalytics => define::<AnalyticsArgs, Analytics>(
                self,
                "Read publishing analytics",
                "Per account: what Herald recorded about publishing over a period (default: \
                 the last 30 days): how many posts were published, failed, are scheduled or \
                 going out, and links to the published ones; and the platforms' own figures \
                 over the last 7, 30 or 90 days (`period`, default 30d): followers, views, \
                 engagements and engagement rate, each beside the same days before \
                 (`platform_metrics` is true; a figure a platform does not report is null).",
                reads,
            ),
        }
    }
}

fn define<A: JsonSchema + 'static, O: JsonSchema + 'static>(
    name: Name,
    title: &str,
    description: &'static str,
    annotations: ToolAnnotations,
) -> Tool {
    let input = schema_for_input::<A>()
        .unwrap_or_else(|e| panic!("the arguments of {} are an object: {e}", name.as_str()));
    Tool::new(name.as_str(), description, input)
        .with_title(title)
        .with_raw_output_schema(schema_for_output::<O>())
        .annotate(annotations)
}

/// Every tool's definition, made once.
pub(super) fn catalogue() -> &'static [Tool] {
    static TOOLS: LazyLock<Vec<Tool>> =
        LazyLock::new(|| Name::ALL.into_iter().map(Name::tool).collect());
    &TOOLS
}

// ------------------------------------------------------------ arguments

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoArgs {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PostArgs {
    /// The post's id.
    id: String,
}

/// A queue of posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Queue {
    Drafts,
    /// Waiting for approval, or with changes asked for.
    Review,
    Upcoming,
    Published,
    Failed,
}

impl Queue {
    fn filter(self) -> herald_publishing::QueueFilter {
        use herald_publishing::QueueFilter as Q;
        match self {
            Queue::Drafts => Q::Drafts,
            Queue::Review => Q::Review,
            Queue::Upcoming => Q::Upcoming,
            Queue::Published => Q::Published,
            Queue::Failed => Q::Failed,
        }
    }

    /// Whether `post` belongs in this queue (as the queue lists decide).
    fn holds(self, post: &PostView) -> bool {
        match self {
            Queue::Drafts => post.status == PostStatus::Draft,
            Queue::Review => post.review.is_waiting(),
            Queue::Upcoming => {
                matches!(post.status, PostStatus::Scheduled | PostStatus::Publishing)
            }
            Queue::Published => matches!(
                post.status,
                PostStatus::Published | PostStatus::PartiallyPublished
            ),
            Queue::Failed => post
                .targets
                .iter()
                .any(|t| t.status == TargetStatus::Failed),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ListPostsArgs {
    /// One queue; without a range, `upcoming` when not given.
    status: Option<Queue>,
    /// Start of a range, an RFC 3339 instant (`2026-03-01T00:00:00Z`); needs `to`.
    from: Option<String>,
    /// End of the range (excluded); at most 400 days after `from`.
    to: Option<String>,
    /// At most this many posts (1 to 100, default 20).
    limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CreateDraftArgs {
    /// One entry per account the post goes to (1 to 20).
    targets: Vec<DraftTarget>,
}

/// What one account gets.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DraftTarget {
    /// A connected account's id, from list_accounts.
    connection_id: String,
    /// What the post is on the platform. Facebook Pages: text, image or video;
    /// Instagram: image, carousel, reel or story; TikTok and YouTube: video.
    #[schemars(schema_with = "format_schema")]
    format: PostFormat,
    /// The text of the post (a YouTube video's description).
    #[serde(default)]
    caption: String,
    /// A YouTube video's title.
    title: Option<String>,
    /// A link (Facebook).
    link: Option<String>,
    /// A first comment posted under it (Instagram, Facebook).
    first_comment: Option<String>,
    /// Who may see it, in the platform's words (`PUBLIC_TO_EVERYONE`, `private` …).
    privacy: Option<String>,
    /// Media library ids, in posting order.
    #[serde(default)]
    media: Vec<String>,
}

/// `PostFormat`'s values, from the type itself.
fn format_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let formats: Vec<&str> = PostFormat::ALL.iter().map(|f| f.as_str()).collect();
    schemars::json_schema!({ "type": "string", "enum": formats })
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SubmitArgs {
    /// The post's id.
    id: String,
    /// When it should go out once approved, a wall-clock time
    /// (`2026-03-29T09:00`); needs `time_zone`.
    local_time: Option<String>,
    /// An IANA time zone, `Europe/Berlin`; needs `local_time`.
    time_zone: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SchedulePostArgs {
    /// The post's id.
    id: String,
    /// The wall-clock time, `2026-03-29T09:00` (seconds optional).
    local_time: String,
    /// An IANA time zone, `Europe/Berlin`.
    time_zone: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AnalyticsArgs {
    /// Start of the period, an RFC 3339 instant; default 30 days before `to`.
    from: Option<String>,
    /// End of the period (excluded); default now.
    to: Option<String>,
    /// Only this account (an id from list_accounts).
    connection_id: Option<String>,
    /// The platforms' figures cover the last `7d`, `30d` (default) or
    /// `90d` up to today (UTC).
    period: Option<String>,
}

// ------------------------------------------------------------ calling

/// A call that went through: the structured result, a one-line summary,
/// and what it was about (for the audit log).
struct Done {
    value: Value,
    summary: String,
    subject: Option<String>,
}

impl Done {
    fn of(
        value: impl Serialize,
        summary: String,
        subject: Option<String>,
    ) -> Result<Done, Refusal> {
        let value = serde_json::to_value(value).map_err(|e| Refusal::internal(e.to_string()))?;
        Ok(Done {
            value,
            summary,
            subject,
        })
    }
}

/// Why a call was refused.
#[derive(Debug)]
enum Refusal {
    /// Arguments not of the tool's schema.
    Arguments(BodyProblem),
    /// What a service said (not allowed, not found, a rule broken …).
    Web(WebError),
}

impl Refusal {
    fn internal(cause: String) -> Refusal {
        Refusal::Web(WebError::Internal(cause.into()))
    }

    fn argument(field: &str, expected: &str) -> Refusal {
        Refusal::Arguments(BodyProblem {
            field: field.to_owned(),
            expected: expected.to_owned(),
        })
    }

    fn code(&self) -> &'static str {
        match self {
            Refusal::Arguments(_) => "invalid_arguments",
            Refusal::Web(e) => e.code(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Refusal::Arguments(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Refusal::Web(e) => e.status(),
        }
    }

    /// `denied` when the caller may not, `failure` otherwise.
    fn outcome(&self) -> &'static str {
        match self.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "denied",
            _ => "failure",
        }
    }

    /// The error body the JSON API would send.
    fn body(&self, caller: &Caller) -> Value {
        let code = self.code();
        let mut error = json!({
            "code": code,
            "message": error_copy(caller.locale, code),
        });
        match self {
            Refusal::Arguments(problem) => {
                error["field"] = json!(problem.field);
                error["expected"] = json!(problem.expected);
            }
            Refusal::Web(WebError::Publish(PublishError::Invalid(problems))) => {
                error["issues"] = json!(crate::api::posts::issues_json(caller.locale, problems));
            }
            Refusal::Web(_) => {}
        }
        json!({ "error": error })
    }
}

impl From<WebError> for Refusal {
    fn from(e: WebError) -> Refusal {
        Refusal::Web(e)
    }
}

impl From<PublishError> for Refusal {
    fn from(e: PublishError) -> Refusal {
        Refusal::Web(e.into())
    }
}

impl From<herald_accounts::AccountError> for Refusal {
    fn from(e: herald_accounts::AccountError) -> Refusal {
        Refusal::Web(e.into())
    }
}

/// Runs the tool `request` names for `caller` and audits it. An unknown
/// tool is the protocol's error; everything else is a tool result.
pub(super) async fn call(
    state: &AppState,
    caller: &Caller,
    request: CallToolRequestParams,
) -> Result<CallToolResult, ErrorData> {
    let Some(name) = Name::parse(&request.name) else {
        audit(state, caller, "mcp.unknown_tool", "failure", None, "").await;
        return Err(ErrorData::invalid_params(
            format!(
                "no tool named {:?}; tools/list names them",
                truncated(&request.name)
            ),
            None,
        ));
    };
    let args = request.arguments.unwrap_or_default();
    let action = format!("mcp.{}", name.as_str());
    match run(name, state, caller, args).await {
        Ok(done) => {
            audit(
                state,
                caller,
                &action,
                "success",
                done.subject.as_deref(),
                "",
            )
            .await;
            let mut result = CallToolResult::structured(done.value);
            result.content.insert(0, ContentBlock::text(done.summary));
            Ok(result)
        }
        Err(refusal) => {
            // A tool result is answered 200, so the error middleware never
            // sees it: a server-side failure is logged here, once.
            if refusal.status().is_server_error()
                && let Refusal::Web(e) = &refusal
            {
                tracing::error!(
                    tool = name.as_str(),
                    error = %herald_core::error::chain(e),
                    "an MCP tool failed"
                );
            }
            audit(
                state,
                caller,
                &action,
                refusal.outcome(),
                None,
                refusal.code(),
            )
            .await;
            let text = refusal.body(caller).to_string();
            Ok(CallToolResult::error(vec![ContentBlock::text(text)]))
        }
    }
}

/// A client's tool name, cut short for messages and logs.
fn truncated(name: &str) -> String {
    name.chars().take(64).collect()
}

async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    outcome: &str,
    subject: Option<&str>,
    detail: &str,
) {
    // Through a scoped token: "via assistant X on behalf of Y".
    let via = caller.auth.via_label();
    state
        .accounts()
        .audit(
            AuditEvent {
                actor: Some(caller.auth.user()),
                workspace: Some(caller.auth.workspace()),
                subject,
                detail,
                via: via.as_deref(),
                ..AuditEvent::new(action, outcome)
            },
            &caller.meta,
        )
        .await;
}

/// The arguments as a `T`, or where and why not.
fn parse<T: DeserializeOwned>(args: JsonObject) -> Result<T, Refusal> {
    serde_path_to_error::deserialize(Value::Object(args)).map_err(|e| {
        Refusal::Arguments(BodyProblem {
            field: e.path().to_string(),
            expected: e.inner().to_string(),
        })
    })
}

fn instant(field: &str, value: &str) -> Result<Timestamp, Refusal> {
    value
        .trim()
        .parse()
        .map_err(|_| Refusal::argument(field, "an RFC 3339 instant, e.g. 2026-03-01T09:00:00Z"))
}

/// `[from, to)`, checked: `from` before `to`, at most [`MAX_RANGE`].
fn range(from: Timestamp, to: Timestamp) -> Result<(Timestamp, Timestamp), Refusal> {
    if to <= from {
        return Err(Refusal::argument("to", "an instant after `from`"));
    }
    if to.duration_since(from) > MAX_RANGE {
        return Err(Refusal::argument("to", "at most 400 days after `from`"));
    }
    Ok((from, to))
}

async fn run(
    name: Name,
    state: &AppState,
    caller: &Caller,
    args: JsonObject,
) -> Result<Done, Refusal> {
    let auth = &caller.auth;
    if let (Some(grant), Some(scope)) = (auth.via(), name.scope())
        && !grant.scopes.covers(scope)
    {
        return Err(WebError::InsufficientScope(Some(scope)).into());
    }
    let post = |view: &PostView| Post::of(view, caller.locale);
    match name {
        Name::ListAccounts => {
            let NoArgs {} = parse(args)?;
            let accounts: Vec<Account> = state
                .connections()
                .list(auth, None)
                .await
                .map_err(WebError::Connect)?
                .into_iter()
                .map(Account::from)
                .collect();
            let summary = format!("{} connected accounts", accounts.len());
            Done::of(Accounts { accounts }, summary, None)
        }
        Name::ListPosts => {
            let a: ListPostsArgs = parse(args)?;
            let limit = a.limit.unwrap_or(DEFAULT_LIMIT);
            if !(1..=MAX_LIMIT).contains(&limit) {
                return Err(Refusal::argument("limit", "a number from 1 to 100"));
            }
            let views = list_posts(state, auth, &a, limit).await?;
            let posts: Vec<Post> = views.iter().map(post).collect();
            let summary = format!("{} posts", posts.len());
            Done::of(Posts { posts }, summary, None)
        }
        Name::GetPost => {
            let PostArgs { id } = parse(args)?;
            let view = state.publishing().get(auth, &PostId(id)).await?;
            let summary = format!("Post {} ({})", view.id, view.status.as_str());
            let subject = Some(view.id.to_string());
            Done::of(post(&view), summary, subject)
        }
        Name::CreateDraft => {
            let a: CreateDraftArgs = parse(args)?;
            if a.targets.len() > MAX_TARGETS {
                return Err(Refusal::argument("targets", "at most 20 accounts"));
            }
            let input = PostInput {
                targets: a.targets.into_iter().map(draft_target).collect(),
                when: When::Draft,
            };
            let view = state.publishing().create(auth, input).await?;
            let summary = format!("Draft {} saved; nothing was published", view.id);
            let subject = Some(view.id.to_string());
            Done::of(post(&view), summary, subject)
        }
        Name::SubmitForReview => {
            let a: SubmitArgs = parse(args)?;
            let schedule = match (a.local_time, a.time_zone) {
                (Some(local), Some(zone)) => Some(Schedule::new(local, zone)),
                (None, None) => None,
                (Some(_), None) => {
                    return Err(Refusal::argument(
                        "time_zone",
                        "a time zone, since `local_time` is given",
                    ));
                }
                (None, Some(_)) => {
                    return Err(Refusal::argument(
                        "local_time",
                        "a time, since `time_zone` is given",
                    ));
                }
            };
            let view = state
                .publishing()
                .submit(auth, &PostId(a.id), schedule)
                .await?;
            let summary = format!(
                "Post {} submitted for review; it goes out only once approved",
                view.id
            );
            let subject = Some(view.id.to_string());
            Done::of(post(&view), summary, subject)
        }
        Name::SchedulePost => {
            let a: SchedulePostArgs = parse(args)?;
            let when = When::Schedule {
                schedule: Schedule::new(a.local_time, a.time_zone),
            };
            let view = state
                .publishing()
                .reschedule(auth, &PostId(a.id), when)
                .await?;
            let summary = format!("Post {} scheduled", view.id);
            let subject = Some(view.id.to_string());
            Done::of(post(&view), summary, subject)
        }
        Name::PublishPost => {
            let PostArgs { id } = parse(args)?;
            let view = state
                .publishing()
                .reschedule(auth, &PostId(id), When::Now)
                .await?;
            let summary = format!("Post {} is going out now", view.id);
            let subject = Some(view.id.to_string());
            Done::of(post(&view), summary, subject)
        }
        Name::ReadAnalytics => {
            let a: AnalyticsArgs = parse(args)?;
            let to = match &a.to {
                Some(to) => instant("to", to)?,
                None => Timestamp::now(),
            };
            let from = match &a.from {
                Some(from) => instant("from", from)?,
                None => to - DEFAULT_PERIOD,
            };
            let (from, to) = range(from, to)?;
            let period = crate::analytics_params::period(&a.period)
                .map_err(|_| Refusal::argument("period", "7d, 30d or 90d"))?;
            let only = a.connection_id.map(ConnectionId);
            let views = state.publishing().between(auth, from, to).await?;
            let mut accounts = analytics::activity(&views, only.as_ref());
            // Every account's figures, narrowed here: an account whose
            // figures were never read is simply without them.
            let figures = state
                .analytics()
                .summary(
                    auth,
                    &herald_analytics::Filter {
                        period,
                        ..herald_analytics::Filter::default()
                    },
                )
                .await
                .map_err(WebError::from)?;
            analytics::add_figures(&mut accounts, &figures, only.as_ref());
            let summary = format!(
                "Publishing of {} accounts from {from} to {to}; platform figures from {} to {}",
                accounts.len(),
                figures.from,
                figures.to
            );
            let report = Analytics {
                from: views::instant(from),
                to: views::instant(to),
                platform_metrics: true,
                platform_period: analytics::PlatformPeriod::of(&figures),
                accounts,
            };
            Done::of(report, summary, only.map(|c| c.to_string()))
        }
    }
}

/// A range (optionally one queue of it) or a queue.
async fn list_posts(
    state: &AppState,
    auth: &Authorized,
    a: &ListPostsArgs,
    limit: u32,
) -> Result<Vec<PostView>, Refusal> {
    let publishing = state.publishing();
    match (&a.from, &a.to) {
        (Some(from), Some(to)) => {
            let (from, to) = range(instant("from", from)?, instant("to", to)?)?;
            let mut posts = publishing.between(auth, from, to).await?;
            if let Some(queue) = a.status {
                posts.retain(|p| queue.holds(p));
            }
            posts.truncate(limit as usize);
            Ok(posts)
        }
        (None, None) => {
            let queue = a.status.unwrap_or(Queue::Upcoming);
            Ok(publishing
                .queue_list(auth, queue.filter(), i64::from(limit))
                .await?)
        }
        (Some(_), None) => Err(Refusal::argument("to", "an instant, since `from` is given")),
        (None, Some(_)) => Err(Refusal::argument("from", "an instant, since `to` is given")),
    }
}

fn draft_target(t: DraftTarget) -> TargetInput {
    TargetInput {
        connection_id: ConnectionId(t.connection_id),
        variant: Variant {
            format: t.format,
            caption: t.caption,
            title: t.title,
            link: t.link,
            first_comment: t.first_comment,
            privacy: t.privacy,
            media: t.media,
            ..Variant::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_an_object_input_schema_an_output_schema_and_a_description() {
        let tools = catalogue();
        assert_eq!(tools.len(), Name::ALL.len());
        for tool in tools {
            assert_eq!(
                tool.input_schema.get("type").and_then(Value::as_str),
                Some("object"),
                "{}",
                tool.name
            );
            let output = tool.output_schema.as_ref().expect("an output schema");
            assert_eq!(output.get("type").and_then(Value::as_str), Some("object"));
            assert!(tool.description.as_ref().is_some_and(|d| d.len() > 40));
            assert_eq!(Name::parse(&tool.name).map(Name::as_str), Some(&*tool.name));
        }
        let draft = tools.iter().find(|t| t.name == "create_draft").unwrap();
        let schema = Value::Object((*draft.input_schema).clone()).to_string();
        for format in PostFormat::ALL {
            assert!(
                schema.contains(&format!("\"{}\"", format.as_str())),
                "{schema}"
            );
        }
    }

    #[test]
    fn arguments_of_the_wrong_shape_say_where() {
        let args = |v: Value| v.as_object().unwrap().clone();
        let bad = parse::<CreateDraftArgs>(args(json!({
            "targets": [{"connection_id": "c", "format": "hologram"}]
        })))
        .unwrap_err();
        let Refusal::Arguments(problem) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!(problem.field, "targets[0].format");
        assert!(problem.expected.contains("unknown variant `hologram`"));

        let typo = parse::<ListPostsArgs>(args(json!({"stauts": "drafts"}))).unwrap_err();
        assert!(
            matches!(&typo, Refusal::Arguments(p) if p.expected.contains("unknown field `stauts`"))
        );
        assert_eq!(typo.code(), "invalid_arguments");
        assert!(parse::<NoArgs>(JsonObject::new()).is_ok());
    }

    #[test]
    fn ranges_are_ordered_and_bounded() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(range(t("2026-01-01T00:00:00Z"), t("2026-02-01T00:00:00Z")).is_ok());
        assert!(range(t("2026-02-01T00:00:00Z"), t("2026-01-01T00:00:00Z")).is_err());
        assert!(range(t("2026-01-01T00:00:00Z"), t("2028-01-01T00:00:00Z")).is_err());
        assert!(matches!(
            instant("from", "yesterday"),
            Err(Refusal::Arguments(p)) if p.field == "from"
        ));
    }

    #[test]
    fn refusals_say_denied_only_when_the_caller_may_not() {
        let forbidden = Refusal::from(herald_accounts::AccountError::Forbidden);
        assert_eq!(
            (forbidden.code(), forbidden.outcome()),
            ("forbidden", "denied")
        );
        let missing = Refusal::from(PublishError::NotFound);
        assert_eq!(
            (missing.code(), missing.outcome()),
            ("post_not_found", "failure")
        );
        assert_eq!(Refusal::argument("id", "a string").outcome(), "failure");
    }
}
