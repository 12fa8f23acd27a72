//! The one error type of the web layer.
//!
//! A handler returns [`WebError`]; its `IntoResponse` records the status,
//! the error code and the cause in the response's extensions. The error
//! middleware then logs it once and renders the body for the caller: JSON
//! (`{"error": {"code", "message"}}`) for the API, an HTML page otherwise,
//! with the message taken from the localised copy table by code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use herald_db::DbError;

/// Errors a handler can end with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {code}")]
    BadRequest { code: &'static str },
    /// Well-formed input that breaks a rule (422); nothing changed.
    #[error("unprocessable: {code}")]
    Unprocessable { code: &'static str },
    #[error("forbidden: {code}")]
    Forbidden { code: &'static str },
    #[error("not signed in")]
    Unauthorized,
    /// A scoped token without the scope this route needs (`Some`: the one
    /// it could hold; `None`: no token may use the route): 403 with
    /// `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750).
    #[error("the token lacks the scope {0:?}")]
    InsufficientScope(Option<herald_accounts::Scope>),
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("unsupported content type")]
    UnsupportedMediaType,
    /// A JSON body that is not JSON (400).
    #[error("malformed JSON at {}: {}", .0.field, .0.expected)]
    MalformedJson(BodyProblem),
    /// A JSON body whose value at `field` is not what the endpoint takes
    /// (422); nothing changed.
    #[error("invalid body at {}: {}", .0.field, .0.expected)]
    InvalidBody(BodyProblem),
    #[error("account operation failed")]
    Account(#[from] herald_accounts::AccountError),
    #[error("connection operation failed")]
    Connect(#[source] herald_connections::ConnectError),
    #[error("publishing operation failed")]
    Publish(#[source] herald_publishing::PublishError),
    #[error("media operation failed")]
    Media(#[from] herald_media::MediaError),
    #[error("inbox operation failed")]
    Inbox(#[from] herald_webhooks::inbox::InboxError),
    #[error("content studio operation failed")]
    Studio(#[from] herald_studio::StudioError),
    #[error("analytics operation failed")]
    Analytics(#[from] herald_analytics::AnalyticsError),
    #[error("database error")]
    Database(#[from] DbError),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Where a JSON body departs from what an endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    /// The JSON path of the value (`targets[0].variant.format`; `.` for
    /// the body as a whole).
    pub field: String,
    /// What was wrong there, in the JSON parser's words (for developers;
    /// the `message` beside it is in the reader's language).
    pub expected: String,
}

/// The JSON body of every refused API request:
/// `{"error": {"code", "message", "field"?, "expected"?}}`, rendered by the
/// error middleware.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and for people (`message`).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code: `not_found`, `forbidden`, `invalid_body`, …
    #[schema(example = "invalid_body")]
    pub code: String,
    /// The code's message in the caller's language (`Accept-Language`).
    pub message: String,
    /// For a refused JSON body: the JSON path of the value
    /// (`targets[1].variant.format`; `.` for the body as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a refused JSON body: what was wrong there, in the JSON parser's
    /// words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

/// What the error middleware needs to log and render an error response.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub code: &'static str,
    /// The cause chain, for the log only; never shown to the caller.
    pub detail: Option<String>,
    /// For a refused JSON body: where and why (shown to API callers).
    pub problem: Option<BodyProblem>,
    /// The variables of the code's message (`error.quota_reached` names
    /// the quota), set in the reader's language by the middleware.
    pub params: Vec<(&'static str, String)>,
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            WebError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Forbidden { .. } => StatusCode::FORBIDDEN,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::InsufficientScope(_) => StatusCode::FORBIDDEN,
            WebError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::MalformedJson(_) => StatusCode::BAD_REQUEST,
            WebError::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Account(e) => account_status(e),
            WebError::Connect(e) => connect_status(e),
            WebError::Publish(e) => publish_status(e),
            WebError::Media(e) => media_status(e),
            WebError::Inbox(e) => inbox_status(e),
            WebError::Studio(e) => studio_status(e),
            WebError::Analytics(e) => analytics_status(e),
            WebError::Database(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code that indexes the shared copy table.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::NotFound => "not_found",
            WebError::BadRequest { code }
            | WebError::Unprocessable { code }
            | WebError::Forbidden { code } => code,
            WebError::Unauthorized => "unauthorized",
            WebError::InsufficientScope(_) => "insufficient_scope",
            WebError::PayloadTooLarge => "payload_too_large",
            WebError::UnsupportedMediaType => "unsupported_media_type",
            WebError::MalformedJson(_) => "malformed_json",
            WebError::InvalidBody(_) => "invalid_body",
            WebError::Account(e) => e.code(),
            WebError::Connect(e) => e.code(),
            WebError::Publish(e) => e.code(),
            WebError::Media(e) => e.code(),
            WebError::Inbox(e) => e.code(),
            WebError::Studio(e) => e.code(),
            WebError::Analytics(e) => e.code(),
            WebError::Database(_) | WebError::Internal(_) => "internal",
        }
    }
}

/// The status of a failed connection operation.
pub fn connect_status(e: &herald_connections::ConnectError) -> StatusCode {
    use herald_connections::ConnectError as E;
    use herald_platforms::ErrorKind as K;
    match e {
        E::Account(e) => account_status(e),
        E::UnknownProvider => StatusCode::NOT_FOUND,
        E::SessionRequired => StatusCode::UNAUTHORIZED,
        E::ForgedState => StatusCode::FORBIDDEN,
        E::StaleState
        | E::Denied
        | E::Redirect(_)
        | E::MissingScopes(_)
        | E::NoAccounts(_)
        | E::NothingChosen => StatusCode::BAD_REQUEST,
        E::Platform(p) => match p.kind {
            K::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            K::Reconnect | K::Reconsent { .. } => StatusCode::CONFLICT,
            _ => StatusCode::BAD_GATEWAY,
        },
        E::Database(_) | E::Vault(_) | E::Corrupt(_) | E::Event(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// The status of a failed publishing operation.
pub fn publish_status(e: &herald_publishing::PublishError) -> StatusCode {
    use herald_publishing::PublishError as P;
    match e {
        P::Account(e) => account_status(e),
        P::NotFound => StatusCode::NOT_FOUND,
        P::NoTargets
        | P::DuplicateTarget
        | P::UnknownConnection(_)
        | P::UnknownMedia(_)
        | P::Invalid(_)
        | P::UnknownTimeZone(_)
        | P::InvalidTime(_)
        | P::InPast => StatusCode::UNPROCESSABLE_ENTITY,
        P::CommentRequired | P::CommentTooLong | P::UnknownMember => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        P::CommentNotFound | P::LinkNotFound => StatusCode::NOT_FOUND,
        P::LinkExpired => StatusCode::GONE,
        P::LinkPasswordRequired | P::LinkPasswordWrong => StatusCode::UNAUTHORIZED,
        P::LinkPosts | P::LinkExpiry | P::LinkLabelTooLong | P::LinkPassword | P::ReviewerName => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        // A rule about this post (it is theirs), not about their role.
        P::ConnectionNeedsReconnection(_)
        | P::OwnPost
        | P::WrongState(_)
        | P::ApprovalRequired
        | P::NotInReview => StatusCode::CONFLICT,
        P::ProviderUnavailable(_) | P::PlatformUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        P::Db(_) | P::Media(_) | P::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<herald_publishing::PublishError> for WebError {
    fn from(e: herald_publishing::PublishError) -> Self {
        WebError::Publish(e)
    }
}

/// The status of a failed media operation.
pub fn media_status(e: &herald_media::MediaError) -> StatusCode {
    use herald_media::MediaError as M;
    use herald_platforms::ErrorKind as K;
    match e {
        M::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        M::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        M::Empty | M::Malformed { .. } | M::NotDownloadable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        M::NotFound => StatusCode::NOT_FOUND,
        M::Access(e) => account_status(e),
        M::Body(_) => StatusCode::BAD_REQUEST,
        M::DriveUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        M::Drive(p) => match p.kind {
            K::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            K::Reconnect | K::Reconsent { .. } => StatusCode::CONFLICT,
            K::BadRequest if p.code.as_deref() == Some("notFound") => StatusCode::NOT_FOUND,
            _ => StatusCode::BAD_GATEWAY,
        },
        M::Connection(e) => connect_status(e),
        M::Storage(_) | M::Database(_) | M::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status of a failed inbox operation.
pub fn inbox_status(e: &herald_webhooks::inbox::InboxError) -> StatusCode {
    use herald_webhooks::inbox::InboxError as I;
    match e {
        I::Access(e) => account_status(e),
        I::NotFound => StatusCode::NOT_FOUND,
        I::TextRequired
        | I::TextTooLong { .. }
        | I::NoteRequired
        | I::NoteTooLong
        | I::Unsupported
        | I::UnknownMember => StatusCode::UNPROCESSABLE_ENTITY,
        I::Db(_) | I::Encode(_) | I::Posts(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The status of a failed content studio operation: a missing object is
/// 404 (another workspace's too), a rule about the object's state 409, a
/// refused value 422, a quota 429.
pub fn studio_status(e: &herald_studio::StudioError) -> StatusCode {
    use herald_studio::StudioError as S;
    match e {
        S::Access(e) => account_status(e),
        S::TemplateNotFound
        | S::ToneNotFound
        | S::PillarNotFound
        | S::GenerationNotFound
        | S::DraftNotFound
        | S::PostNotFound
        | S::VersionNotFound => StatusCode::NOT_FOUND,
        S::CatalogReadOnly | S::PillarExists | S::Conflict { .. } | S::AlreadyEnded => {
            StatusCode::CONFLICT
        }
        S::Invalid { .. } | S::FormatMismatch { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        S::QuotaReached(_) => StatusCode::TOO_MANY_REQUESTS,
        S::Db(_) | S::Queue(_) | S::Seed(_) | S::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The variables of a studio error's message: which quota, which field
/// and why, which formats, which versions.
pub fn studio_params(e: &herald_studio::StudioError) -> Vec<(&'static str, String)> {
    use herald_studio::StudioError as S;
    match e {
        S::QuotaReached(hit) => vec![
            ("scope", hit.scope.to_owned()),
            ("period", hit.period.to_owned()),
            ("measure", hit.measure.to_owned()),
            ("limit", hit.limit.to_string()),
        ],
        S::Invalid { field, reason } => {
            vec![
                ("field", (*field).to_owned()),
                ("reason", (*reason).to_owned()),
            ]
        }
        S::FormatMismatch { expected, found } => vec![
            ("expected", (*expected).to_owned()),
            ("found", (*found).to_owned()),
        ],
        S::Conflict { base, current } => {
            vec![("base", base.to_string()), ("current", current.to_string())]
        }
        _ => Vec::new(),
    }
}

/// The status of a failed analytics operation: a filter or parameter the
/// workspace has no such thing for (an account or pillar of another
/// workspace reads the same as one that never existed) is a refused value,
/// 422 naming it; a guide or recommendation that is not there is 404.
pub fn analytics_status(e: &herald_analytics::AnalyticsError) -> StatusCode {
    use herald_analytics::AnalyticsError as A;
    match e {
        A::Access(e) => account_status(e),
        A::AccountNotFound | A::PillarNotFound | A::Invalid { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        A::GuideNotFound | A::RecommendationNotFound => StatusCode::NOT_FOUND,
        A::Studio(e) => studio_status(e),
        // The rest is Herald's to fix (storage, the seed, raising a
        // notice), whatever new kinds of it the crate adds.
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The parameter an analytics refusal is about, and what it takes there
/// (for developers; the message says it in the reader's language).
pub fn analytics_problem(e: &herald_analytics::AnalyticsError) -> Option<BodyProblem> {
    use herald_analytics::AnalyticsError as A;
    let (field, expected) = match e {
        A::Invalid { field, reason } => (*field, *reason),
        A::AccountNotFound => ("account", "an account connected to this workspace"),
        A::PillarNotFound => ("pillar", "a content pillar of this workspace"),
        _ => return None,
    };
    Some(BodyProblem {
        field: field.to_owned(),
        expected: expected.to_owned(),
    })
}

/// Adds `Retry-After` (whole seconds, rounded up) when `e` is a rate limit.
pub fn set_retry_after(resp: &mut Response, e: &herald_accounts::AccountError) {
    if let herald_accounts::AccountError::RateLimited { retry_after } = e {
        let secs = retry_after.as_millis().div_ceil(1000).max(1);
        resp.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(u64::try_from(secs).unwrap_or(u64::MAX)),
        );
    }
}

/// The scope a refusal for lack of scope names, if it is one: the route's
/// own, or the narrowest that implies the permission a service wanted.
fn missing_scope(e: &WebError) -> Option<Option<herald_accounts::Scope>> {
    use herald_accounts::AccountError as A;
    use herald_publishing::PublishError as P;
    let account = match e {
        WebError::InsufficientScope(scope) => return Some(*scope),
        WebError::Account(a) => a,
        WebError::Publish(P::Account(a)) => a,
        WebError::Connect(herald_connections::ConnectError::Account(a)) => a,
        WebError::Media(herald_media::MediaError::Access(a)) => a,
        WebError::Inbox(herald_webhooks::inbox::InboxError::Access(a)) => a,
        WebError::Studio(herald_studio::StudioError::Access(a)) => a,
        WebError::Analytics(herald_analytics::AnalyticsError::Access(a)) => a,
        _ => return None,
    };
    match account {
        A::InsufficientScope(p) => Some(herald_accounts::Scope::granting(*p)),
        _ => None,
    }
}

/// Adds `WWW-Authenticate: Bearer error="insufficient_scope"` (with the
/// scope when there is one, RFC 6750 §3) to a refusal for lack of scope.
pub fn set_insufficient_scope(resp: &mut Response, scope: Option<herald_accounts::Scope>) {
    let value = match scope {
        Some(s) => format!("Bearer error=\"insufficient_scope\", scope=\"{s}\""),
        None => "Bearer error=\"insufficient_scope\"".to_owned(),
    };
    if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
        resp.headers_mut()
            .insert(axum::http::header::WWW_AUTHENTICATE, v);
    }
}

/// The HTTP status of an account error.
pub fn account_status(e: &herald_accounts::AccountError) -> StatusCode {
    use herald_accounts::AccountError as A;
    match e {
        A::InvalidEmail(_) | A::WeakPassword(_) | A::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        A::InvalidCredentials | A::TokenReused => StatusCode::UNAUTHORIZED,
        A::InvalidToken => StatusCode::BAD_REQUEST,
        A::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        A::NotVerified | A::Forbidden | A::InsufficientScope(_) | A::ScopeBeyondRole => {
            StatusCode::FORBIDDEN
        }
        A::NotFound => StatusCode::NOT_FOUND,
        A::LastOwner | A::InviteEmailMismatch | A::AlreadyMember => StatusCode::CONFLICT,
        A::Database(_) | A::Sessions(_) | A::Hash(_) | A::Mail(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// The cause chain of `err`, joined with ": ".
pub use herald_core::error::chain;

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let detail = match &self {
            WebError::Database(_) | WebError::Internal(_) => Some(chain(&self)),
            WebError::Account(e) if account_status(e).is_server_error() => Some(chain(&self)),
            WebError::Publish(e) if publish_status(e).is_server_error() => Some(chain(&self)),
            WebError::Media(e) if media_status(e).is_server_error() => Some(chain(&self)),
            WebError::Inbox(e) if inbox_status(e).is_server_error() => Some(chain(&self)),
            WebError::Studio(e) if studio_status(e).is_server_error() => Some(chain(&self)),
            WebError::Analytics(e) if analytics_status(e).is_server_error() => Some(chain(&self)),
            _ => None,
        };
        let mut resp = self.status().into_response();
        if let WebError::Account(e) = &self {
            set_retry_after(&mut resp, e);
        }
        if let WebError::Studio(herald_studio::StudioError::QuotaReached(hit)) = &self {
            // The quota is counted afresh when its period ends.
            let secs = hit
                .resets_at
                .duration_since(jiff::Timestamp::now())
                .as_secs()
                .max(1);
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(u64::try_from(secs).unwrap_or(1)),
            );
        }
        if let Some(scope) = missing_scope(&self) {
            set_insufficient_scope(&mut resp, scope);
        }
        let problem = match &self {
            WebError::MalformedJson(p) | WebError::InvalidBody(p) => Some(p.clone()),
            // A refused value names its field, like a refused body does.
            WebError::Studio(herald_studio::StudioError::Invalid { field, reason }) => {
                Some(BodyProblem {
                    field: (*field).to_owned(),
                    expected: (*reason).to_owned(),
                })
            }
            WebError::Analytics(e) => analytics_problem(e),
            _ => None,
        };
        let params = match &self {
            WebError::Studio(e) => studio_params(e),
            WebError::Analytics(herald_analytics::AnalyticsError::Studio(e)) => studio_params(e),
            WebError::Analytics(e) => analytics_problem(e)
                .map(|p| vec![("field", p.field)])
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        resp.extensions_mut().insert(ErrorInfo {
            code: self.code(),
            detail,
            problem,
            params,
        });
        resp
    }
}

/// The fallback for unknown paths.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// The error code for a bare error status produced outside a handler (by
/// the router or a tower layer).
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}
