//! Sign-up, login and logout, e-mail verification, password reset and
//! accepting an invitation: short forms on the public layout, each a thin
//! handler over one `Accounts` call. Errors are shown on the form, in the
//! caller's language, from the shared copy table.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use herald_accounts::AccountError;
use serde::Deserialize;

use super::public::local_path;
use super::{Chrome, render};
use crate::auth::{CurrentUser, Meta, SignedIn};
use crate::error::account_status;
use crate::i18n::error_copy;
use crate::{AppState, WebError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(show_login).post(log_in))
        .route("/logout", axum::routing::post(log_out))
        .route("/signup", get(show_signup).post(sign_up))
        .route("/verify-email", get(show_verify).post(verify_email))
        .route(
            "/verify-email/resend",
            axum::routing::post(resend_verification),
        )
        .route("/forgot-password", get(show_forgot).post(request_reset))
        .route("/reset-password", get(show_reset).post(reset_password))
        .route("/invites/accept", get(show_invite).post(accept_invite))
}

pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub autocomplete: &'static str,
    pub required: bool,
    pub hint: Option<String>,
}

impl Field {
    fn visible(
        c: &Chrome,
        name: &'static str,
        label_key: &str,
        kind: &'static str,
        autocomplete: &'static str,
    ) -> Field {
        Field {
            name,
            label: c.t.get(label_key).to_owned(),
            kind,
            value: String::new(),
            autocomplete,
            required: true,
            hint: None,
        }
    }

    fn hidden(name: &'static str, value: &str) -> Field {
        Field {
            name,
            label: String::new(),
            kind: "hidden",
            value: value.to_owned(),
            autocomplete: "off",
            required: false,
            hint: None,
        }
    }

    fn with_value(mut self, value: &str) -> Field {
        self.value = value.to_owned();
        self
    }

    fn with_hint(mut self, hint: &str) -> Field {
        self.hint = Some(hint.to_owned());
        self
    }
}

pub struct FormSpec {
    pub action: String,
    pub fields: Vec<Field>,
    pub submit: String,
}

pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "auth_page.html")]
struct AuthPage {
    c: Chrome,
    title: String,
    lead: Option<String>,
    error: Option<String>,
    form: Option<FormSpec>,
    links: Vec<Link>,
}

impl AuthPage {
    fn new(c: Chrome, title_key: &str) -> AuthPage {
        AuthPage {
            title: c.t.get(title_key).to_owned(),
            c,
            lead: None,
            error: None,
            form: None,
            links: Vec::new(),
        }
    }

    fn lead(mut self, text: String) -> Self {
        self.lead = Some(text);
        self
    }

    fn form(mut self, action: &str, fields: Vec<Field>, submit_key: &str) -> Self {
        self.form = Some(FormSpec {
            action: action.to_owned(),
            fields,
            submit: self.c.t.get(submit_key).to_owned(),
        });
        self
    }

    fn link(mut self, href: &str, label_key: &str) -> Self {
        self.links.push(Link {
            href: href.to_owned(),
            label: self.c.t.get(label_key).to_owned(),
        });
        self
    }

    fn error(mut self, error: Option<&AccountError>) -> Self {
        self.error = error.map(|e| error_copy(self.c.locale, e.code()).to_owned());
        self
    }

    /// Renders with the status (and `Retry-After`) an error calls for.
    fn respond(self, failure: Option<&AccountError>) -> Result<Response, WebError> {
        let mut resp = render(&self)?;
        if let Some(e) = failure {
            *resp.status_mut() = account_status(e);
            crate::error::set_retry_after(&mut resp, e);
        }
        Ok(resp)
    }
}

/// Errors a form shows to the person; anything else is a server error.
fn shown(e: AccountError) -> Result<AccountError, WebError> {
    if account_status(&e).is_server_error() {
        Err(WebError::Account(e))
    } else {
        Ok(e)
    }
}

#[derive(Deserialize, Default)]
struct NextQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    token: String,
}

fn login_page(c: Chrome, next: &str, email: &str) -> AuthPage {
    let fields = vec![
        Field::visible(&c, "email", "auth.email", "email", "username").with_value(email),
        Field::visible(
            &c,
            "password",
            "auth.password",
            "password",
            "current-password",
        ),
        Field::hidden("next", next),
    ];
    AuthPage::new(c, "auth.login_title")
        .form("/login", fields, "auth.login_submit")
        .link("/signup", "auth.to_signup")
        .link("/forgot-password", "auth.to_forgot")
}

async fn show_login(
    CurrentUser(user): CurrentUser,
    c: Chrome,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    if user.is_some() {
        return Ok(Redirect::to(local_or_home(&q.next)).into_response());
    }
    login_page(c, local_path(&q.next), "").respond(None)
}

fn local_or_home(next: &str) -> &str {
    match local_path(next) {
        "/" => "/home",
        other => other,
    }
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn log_in(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    match state
        .accounts()
        .log_in(&form.email, &form.password, &meta)
        .await
    {
        Ok((token, _user)) => {
            let max_age = state.accounts().settings().session_absolute.as_secs();
            let mut headers = HeaderMap::new();
            // A new session id at every login; the anonymous CSRF cookie
            // is no longer needed.
            headers.insert(
                header::SET_COOKIE,
                state.cookies().set_session(token.expose(), max_age),
            );
            headers.insert(
                header::LOCATION,
                HeaderValue::from_str(local_or_home(&form.next))
                    .map_err(|e| WebError::Internal(e.into()))?,
            );
            Ok((StatusCode::SEE_OTHER, headers).into_response())
        }
        Err(e) => {
            let e = shown(e)?;
            login_page(c, local_path(&form.next), form.email.trim())
                .error(Some(&e))
                .respond(Some(&e))
        }
    }
}

async fn log_out(
    State(state): State<AppState>,
    Meta(meta): Meta,
    CurrentUser(user): CurrentUser,
) -> Result<Response, WebError> {
    if let Some(authed) = user {
        state.accounts().log_out(&authed, &meta).await?;
    }
    Ok(crate::auth::signed_out(&state))
}

fn signup_page(c: Chrome, name: &str, email: &str) -> AuthPage {
    let hint = c.t.get("auth.password_hint").to_owned();
    let fields = vec![
        Field::visible(&c, "display_name", "auth.name", "text", "name").with_value(name),
        Field::visible(&c, "email", "auth.email", "email", "email").with_value(email),
        Field::visible(&c, "password", "auth.password", "password", "new-password")
            .with_hint(&hint),
        Field::visible(&c, "accept_terms", "auth.accept_terms", "checkbox", "off")
            .with_value("yes"),
    ];
    let mut page = AuthPage::new(c, "auth.signup_title")
        .form("/signup", fields, "auth.signup_submit")
        .link("/login", "auth.to_login");
    if let Some(f) = page.form.as_mut().and_then(|f| f.fields.first_mut()) {
        f.required = false;
    }
    page
}

async fn show_signup(c: Chrome) -> Result<Response, WebError> {
    signup_page(c, "", "").respond(None)
}

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(default)]
    display_name: String,
    email: String,
    password: String,
    /// The privacy notice and terms accepted (`yes`).
    #[serde(default)]
    accept_terms: Option<String>,
}

async fn sign_up(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    match state
        .accounts()
        .sign_up(
            &form.email,
            &form.password,
            &form.display_name,
            c.locale.code(),
            if form.accept_terms.as_deref() == Some("yes") {
                super::LEGAL_VERSION
            } else {
                ""
            },
            &meta,
        )
        .await
    {
        Ok(email) => {
            let lead = c.t.fill("auth.check_inbox_lead", "email", email.as_str());
            AuthPage::new(c, "auth.check_inbox_title")
                .lead(lead)
                .link("/login", "auth.to_login")
                .respond(None)
        }
        Err(e) => {
            let e = shown(e)?;
            signup_page(c, form.display_name.trim(), form.email.trim())
                .error(Some(&e))
                .respond(Some(&e))
        }
    }
}

fn verify_page(c: Chrome, token: &str) -> AuthPage {
    // With the token from the mail there is nothing to type: it stays
    // hidden and the page is one button.
    let (field, lead) = if token.is_empty() {
        (
            Field::visible(&c, "token", "auth.token", "text", "one-time-code"),
            c.t.get("auth.verify_paste").to_owned(),
        )
    } else {
        (
            Field::hidden("token", token),
            c.t.get("auth.verify_lead").to_owned(),
        )
    };
    AuthPage::new(c, "auth.verify_title").lead(lead).form(
        "/verify-email",
        vec![field],
        "auth.verify_submit",
    )
}

async fn show_verify(c: Chrome, Query(q): Query<NextQuery>) -> Result<Response, WebError> {
    no_referrer(verify_page(c, q.token.trim()).respond(None))
}

/// Pages whose URL carries a token must not leak it to other sites
/// through the `Referer` header.
fn no_referrer(resp: Result<Response, WebError>) -> Result<Response, WebError> {
    resp.map(|mut r| {
        r.headers_mut().insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        r
    })
}

#[derive(Deserialize)]
struct TokenForm {
    token: String,
}

async fn verify_email(
    State(state): State<AppState>,
    Meta(meta): Meta,
    CurrentUser(user): CurrentUser,
    c: Chrome,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    match state.accounts().verify_email(&form.token, &meta).await {
        Ok(_) => {
            let page = AuthPage::new(c, "auth.verified_title").lead(String::new());
            let page = if user.is_some() {
                page.link("/home", "auth.to_home")
            } else {
                page.link("/login", "auth.to_login")
            };
            let lead = page.c.t.get("auth.verified_lead").to_owned();
            page.lead(lead).respond(None)
        }
        Err(e) => {
            let e = shown(e)?;
            verify_page(c, "").error(Some(&e)).respond(Some(&e))
        }
    }
}

async fn resend_verification(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    c: Chrome,
) -> Result<Response, WebError> {
    let result = state
        .accounts()
        .resend_verification(&authed.user, &meta)
        .await;
    let failure = match result {
        Ok(()) => None,
        Err(e) => Some(shown(e)?),
    };
    let lead =
        c.t.fill("auth.check_inbox_lead", "email", authed.user.email.as_str());
    AuthPage::new(c, "auth.check_inbox_title")
        .lead(lead)
        .error(failure.as_ref())
        .link("/home", "auth.to_home")
        .respond(failure.as_ref())
}

fn forgot_page(c: Chrome, email: &str) -> AuthPage {
    let fields =
        vec![Field::visible(&c, "email", "auth.email", "email", "username").with_value(email)];
    let lead = c.t.get("auth.forgot_lead").to_owned();
    AuthPage::new(c, "auth.forgot_title")
        .lead(lead)
        .form("/forgot-password", fields, "auth.forgot_submit")
        .link("/login", "auth.to_login")
}

async fn show_forgot(c: Chrome) -> Result<Response, WebError> {
    forgot_page(c, "").respond(None)
}

#[derive(Deserialize)]
struct EmailForm {
    email: String,
}

async fn request_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    match state
        .accounts()
        .request_password_reset(&form.email, &meta)
        .await
    {
        Ok(()) => {
            let lead = c.t.fill("auth.reset_sent_lead", "email", form.email.trim());
            AuthPage::new(c, "auth.check_inbox_title")
                .lead(lead)
                .link("/login", "auth.to_login")
                .respond(None)
        }
        Err(e) => {
            let e = shown(e)?;
            forgot_page(c, form.email.trim())
                .error(Some(&e))
                .respond(Some(&e))
        }
    }
}

fn reset_page(c: Chrome, token: &str) -> AuthPage {
    let hint = c.t.get("auth.password_hint").to_owned();
    let mut fields = Vec::new();
    if token.is_empty() {
        fields.push(Field::visible(
            &c,
            "token",
            "auth.token",
            "text",
            "one-time-code",
        ));
    } else {
        fields.push(Field::hidden("token", token));
    }
    fields.push(
        Field::visible(
            &c,
            "password",
            "settings.new_password",
            "password",
            "new-password",
        )
        .with_hint(&hint),
    );
    AuthPage::new(c, "auth.reset_title").form("/reset-password", fields, "auth.reset_submit")
}

async fn show_reset(c: Chrome, Query(q): Query<NextQuery>) -> Result<Response, WebError> {
    no_referrer(reset_page(c, q.token.trim()).respond(None))
}

#[derive(Deserialize)]
struct ResetForm {
    token: String,
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    Meta(meta): Meta,
    c: Chrome,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    match state
        .accounts()
        .reset_password(&form.token, &form.password, &meta)
        .await
    {
        Ok(_) => {
            let lead = c.t.get("auth.reset_done_lead").to_owned();
            AuthPage::new(c, "auth.reset_done_title")
                .lead(lead)
                .link("/login", "auth.to_login")
                .respond(None)
        }
        Err(e) => {
            let e = shown(e)?;
            let keep = if matches!(e, AccountError::WeakPassword(_)) {
                form.token.trim()
            } else {
                ""
            };
            reset_page(c, keep).error(Some(&e)).respond(Some(&e))
        }
    }
}

async fn show_invite(
    SignedIn(_): SignedIn,
    c: Chrome,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let lead = c.t.get("auth.invite_lead").to_owned();
    no_referrer(
        AuthPage::new(c, "auth.invite_title")
            .lead(lead)
            .form(
                "/invites/accept",
                vec![Field::hidden("token", q.token.trim())],
                "auth.invite_submit",
            )
            .respond(None),
    )
}

async fn accept_invite(
    State(state): State<AppState>,
    Meta(meta): Meta,
    SignedIn(authed): SignedIn,
    c: Chrome,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    match state
        .accounts()
        .accept_invite(&authed.user, &form.token, &meta)
        .await
    {
        Ok(ws) => {
            Ok(Redirect::to(&format!("/home/settings?workspace={ws}&done=joined")).into_response())
        }
        Err(e) => {
            let e = shown(e)?;
            let lead = c.t.get("auth.invite_lead").to_owned();
            AuthPage::new(c, "auth.invite_title")
                .lead(lead)
                .error(Some(&e))
                .link("/home", "auth.to_home")
                .respond(Some(&e))
        }
    }
}
