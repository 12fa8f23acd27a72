//! A sandbox served on loopback, the real adapters pointed at it, and a
//! small "browser" that clicks through the consent pages.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use herald_core::{Clock, ManualClock, SignedDuration, Timestamp};
use herald_platforms::{
    AppConfig, AuthorizeRequest, ClientOptions, CodeExchange, Connector, ErrorKind, Grant, Hosts,
    PlatformClient, PlatformError, PlatformsConfig, ProviderId, Providers, Secret,
};
use herald_sandbox::{AppCredentials, Fault, FaultKind, Limits, Sandbox, SandboxConfig};
use tokio::task::JoinHandle;

/// Where the consent pages send the browser back to. Never requested: the
/// tests only read the `Location` header.
pub const REDIRECT: &str = "https://herald.example/connect/callback";

/// A PKCE verifier (43 characters, RFC 7636's alphabet).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// 2026-01-01T00:00:00Z.
pub const START: i64 = 1_767_225_600;

pub fn start() -> Timestamp {
    Timestamp::from_second(START).unwrap()
}

/// Short timeouts and backoffs so failures and retries take milliseconds.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_attempts: 3,
        base_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        max_wait: Duration::from_millis(200),
    }
}

/// A client that gives up on an answer after 250 ms, for `Slow` faults.
pub fn impatient_options() -> ClientOptions {
    ClientOptions {
        read_timeout: Duration::from_millis(250),
        request_timeout: Duration::from_millis(400),
        max_attempts: 2,
        ..fast_options()
    }
}

/// Longer than any timeout of [`impatient_options`].
pub const SLOW_MS: u64 = 1_000;

/// How an [`Env`] is set up.
pub struct Setup {
    pub options: ClientOptions,
    pub start: Timestamp,
    pub tiktok_rotating_refresh: bool,
    /// The sandbox's TikTok app has not passed TikTok's audit.
    pub tiktok_unaudited: bool,
    pub limits: Limits,
    /// The sandbox's Google project passed YouTube's audit.
    pub youtube_audited: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            options: fast_options(),
            start: start(),
            tiktok_rotating_refresh: false,
            tiktok_unaudited: false,
            limits: Limits::default(),
            youtube_audited: false,
        }
    }
}

/// One sandbox on `127.0.0.1:{port}`, one clock shared by the sandbox and
/// the platform client, and every provider registered against it.
pub struct Env {
    pub sandbox: Sandbox,
    pub clock: Arc<ManualClock>,
    pub client: PlatformClient,
    pub providers: Providers,
    pub base: String,
    browser: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for Env {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn app(credentials: &AppCredentials, base: &str) -> AppConfig {
    AppConfig {
        client_id: credentials.client_id.clone(),
        client_secret: Secret::new(credentials.client_secret.clone()),
        hosts: Hosts::sandbox(base),
    }
}

impl Env {
    pub async fn start() -> Env {
        Env::with(|_| {}).await
    }

    pub async fn with(configure: impl FnOnce(&mut Setup)) -> Env {
        let mut setup = Setup::default();
        configure(&mut setup);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = SandboxConfig::new(base.clone());
        config.tiktok_rotating_refresh = setup.tiktok_rotating_refresh;
        config.tiktok_unaudited = setup.tiktok_unaudited;
        config.limits = setup.limits;
        config.youtube_audited = setup.youtube_audited;
        let clock = Arc::new(ManualClock::new(setup.start));
        let sandbox = Sandbox::new(config, clock.clone()).unwrap();
        let router = sandbox.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let client = PlatformClient::new(clock.clone(), setup.options).unwrap();
        let c = sandbox.config();
        let platforms = PlatformsConfig {
            facebook: Some(app(&c.meta, &base)),
            instagram: Some(app(&c.instagram, &base)),
            tiktok: Some(app(&c.tiktok, &base)),
            youtube: Some(app(&c.google, &base)),
        };
        let providers = Providers::new(&platforms, &client);
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        Env {
            sandbox,
            clock,
            client,
            providers,
            base,
            browser,
            server,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn advance(&self, by: SignedDuration) {
        self.clock.advance(by);
    }

    pub fn hosts(&self) -> Hosts {
        Hosts::sandbox(&self.base)
    }

    pub fn connector(&self, id: ProviderId) -> Arc<dyn Connector> {
        let registered = self.providers.get(id).expect("provider registered");
        assert!(registered.sandbox, "{id} should point at the sandbox");
        registered.connector.clone()
    }

    /// Makes the next `times` requests to `endpoint` fail with `kind`
    /// (`None`: until cleared).
    pub fn inject(&self, endpoint: &str, kind: FaultKind, times: Option<u32>) {
        self.sandbox
            .inject(endpoint, Fault { kind, times })
            .unwrap();
    }

    pub fn calls(&self, endpoint: &str) -> u64 {
        self.sandbox.calls(endpoint)
    }

    // ------------------------------------------------------------ consent

    /// Opens the consent page of `provider`'s authorize URL.
    pub async fn consent(&self, provider: ProviderId) -> ConsentForm {
        self.consent_with(provider, false).await
    }

    pub async fn consent_with(&self, provider: ProviderId, rerequest: bool) -> ConsentForm {
        let state = format!("state-{}-{}", provider, rand_suffix());
        let url = self
            .connector(provider)
            .authorize_url(&AuthorizeRequest {
                redirect_uri: REDIRECT,
                state: &state,
                pkce_verifier: VERIFIER,
                rerequest,
            })
            .unwrap();
        assert!(
            url.as_str().starts_with(&self.base),
            "authorize URL {url} is not under the sandbox"
        );
        let page = self.browser.get(url.as_str()).send().await.unwrap();
        let status = page.status();
        let html = page.text().await.unwrap();
        assert_eq!(status, 200, "consent page for {provider}: {html}");
        let form = ConsentForm::parse(&html, url, state);
        assert_eq!(
            form.action_url().path(),
            form.authorize_url.path(),
            "the form posts back to the authorize path"
        );
        form
    }

    /// Submits the form with `decision` (`allow` or `deny`) and returns
    /// where the browser is sent.
    pub async fn submit(&self, form: &ConsentForm, decision: &str) -> Redirect {
        let response = self
            .browser
            .post(form.action_url().as_str())
            .form(&form.fields(decision))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 303, "consent submit: {body}");
        let location = location.expect("a Location header");
        assert!(
            location.starts_with(REDIRECT),
            "redirected to {location}, not to the redirect URI"
        );
        let redirect = Redirect::parse(&location);
        assert_eq!(
            redirect.param("state"),
            Some(form.state.as_str()),
            "state carried through: {location}"
        );
        redirect
    }

    /// Consents with the form as `adjust` leaves it and returns the code.
    pub async fn authorize_code(
        &self,
        provider: ProviderId,
        adjust: impl FnOnce(&mut ConsentForm),
    ) -> String {
        let mut form = self.consent(provider).await;
        adjust(&mut form);
        let redirect = self.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), None, "{}", redirect.location);
        redirect.param("code").expect("a code").to_owned()
    }

    pub async fn exchange(&self, provider: ProviderId, code: &str) -> Result<Grant, PlatformError> {
        self.exchange_with(provider, code, REDIRECT, VERIFIER).await
    }

    pub async fn exchange_with(
        &self,
        provider: ProviderId,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<Grant, PlatformError> {
        self.connector(provider)
            .exchange(&CodeExchange {
                code,
                redirect_uri,
                pkce_verifier: verifier,
            })
            .await
    }

    /// The whole flow with the form adjusted by `adjust`.
    pub async fn connect_with(
        &self,
        provider: ProviderId,
        adjust: impl FnOnce(&mut ConsentForm),
    ) -> Result<Grant, PlatformError> {
        let code = self.authorize_code(provider, adjust).await;
        self.exchange(provider, &code).await
    }

    /// The whole flow, everything granted.
    pub async fn connect(&self, provider: ProviderId) -> Grant {
        self.connect_with(provider, |_| {})
            .await
            .unwrap_or_else(|e| panic!("connecting {provider}: {e}"))
    }
}

impl Env {
    /// The whole flow as sandbox user `user`, asking for `extra` scopes on
    /// top of the connector's, or without those written `-scope` (to see
    /// what a connection made before a scope was asked for gets),
    /// everything granted.
    pub async fn connect_as(&self, provider: ProviderId, user: &str, extra: &[&str]) -> Grant {
        let state = format!("state-{}-{}", provider, rand_suffix());
        let mut url = self
            .connector(provider)
            .authorize_url(&AuthorizeRequest {
                redirect_uri: REDIRECT,
                state: &state,
                pkce_verifier: VERIFIER,
                rerequest: false,
            })
            .unwrap();
        let separator = if provider == ProviderId::YouTube {
            " "
        } else {
            ","
        };
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .map(|(k, v)| {
                if k == "scope" && !extra.is_empty() {
                    let dropped: Vec<&str> =
                        extra.iter().filter_map(|s| s.strip_prefix('-')).collect();
                    let mut scopes: Vec<&str> = v
                        .split(separator)
                        .filter(|s| !dropped.contains(s))
                        .collect();
                    scopes.extend(extra.iter().filter(|s| !s.starts_with('-')));
                    (k, scopes.join(separator))
                } else {
                    (k, v)
                }
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let page = self.browser.get(url.as_str()).send().await.unwrap();
        let status = page.status();
        let html = page.text().await.unwrap();
        assert_eq!(status, 200, "consent page for {provider}: {html}");
        let mut form = ConsentForm::parse(&html, url, state);
        form.user = user.to_owned();
        let redirect = self.submit(&form, "allow").await;
        assert_eq!(redirect.param("error"), None, "{}", redirect.location);
        let code = redirect.param("code").expect("a code").to_owned();
        self.exchange(provider, &code)
            .await
            .unwrap_or_else(|e| panic!("connecting {provider} as {user}: {e}"))
    }

    /// A JSON request to the sandbox's admin API; the answer's status and
    /// JSON body.
    pub async fn admin_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.browser.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    /// `POST` to the admin API, which must answer 200.
    pub async fn admin(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, json) = self
            .admin_call(reqwest::Method::POST, path, Some(&body))
            .await;
        assert_eq!(status, 200, "{path}: {json}");
        json
    }
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

// ------------------------------------------------------------ the form

/// A consent page's form, as a browser would submit it.
#[derive(Debug, Clone)]
pub struct ConsentForm {
    pub authorize_url: url::Url,
    pub action: String,
    pub state: String,
    /// Hidden inputs (the OAuth parameters, and the required scopes, which
    /// come as a disabled checkbox plus a hidden `grant`).
    pub hidden: Vec<(String, String)>,
    pub user: String,
    /// Scope checkboxes that can be unticked, and which are ticked.
    pub optional_scopes: Vec<String>,
    pub grants: Vec<String>,
    /// Page checkboxes (Facebook Login), and which are ticked.
    pub offered_pages: Vec<String>,
    pub pages: Vec<String>,
}

impl ConsentForm {
    fn parse(html: &str, authorize_url: url::Url, state: String) -> ConsentForm {
        let form_tag = tags(html, "form")
            .into_iter()
            .next()
            .expect("a <form> on the consent page");
        let action = form_tag
            .get("action")
            .cloned()
            .flatten()
            .expect("form action");
        let mut form = ConsentForm {
            authorize_url,
            action,
            state,
            hidden: Vec::new(),
            user: String::new(),
            optional_scopes: Vec::new(),
            grants: Vec::new(),
            offered_pages: Vec::new(),
            pages: Vec::new(),
        };
        for input in tags(html, "input") {
            let attr = |name: &str| input.get(name).cloned().flatten();
            let Some(name) = attr("name") else { continue };
            let value = attr("value").unwrap_or_default();
            let kind = attr("type").unwrap_or_else(|| "text".into());
            let checked = input.contains_key("checked");
            let disabled = input.contains_key("disabled");
            match kind.as_str() {
                "hidden" => form.hidden.push((name, value)),
                "checkbox" if disabled => {}
                "checkbox" => {
                    let (offered, ticked) = match name.as_str() {
                        "grant" => (&mut form.optional_scopes, &mut form.grants),
                        "page" => (&mut form.offered_pages, &mut form.pages),
                        other => panic!("unexpected checkbox {other}"),
                    };
                    offered.push(value.clone());
                    if checked {
                        ticked.push(value);
                    }
                }
                _ if name == "sandbox_user" => form.user = value,
                other => panic!("unexpected input {name} of type {other}"),
            }
        }
        assert!(!form.user.is_empty(), "a sandbox user field");
        form
    }

    pub fn action_url(&self) -> url::Url {
        url::Url::parse(&self.action).expect("an absolute form action")
    }

    /// Unticks a scope checkbox (it must be one the page lets one untick).
    pub fn untick(&mut self, scope: &str) -> &mut Self {
        assert!(
            self.optional_scopes.iter().any(|s| s == scope),
            "{scope} is not an optional scope on this page: {:?}",
            self.optional_scopes
        );
        self.grants.retain(|s| s != scope);
        self
    }

    pub fn untick_all_pages(&mut self) -> &mut Self {
        assert!(!self.offered_pages.is_empty(), "no Pages on this form");
        self.pages.clear();
        self
    }

    /// The required scopes (sent as hidden `grant` fields).
    pub fn required_scopes(&self) -> Vec<&str> {
        self.hidden
            .iter()
            .filter(|(k, _)| k == "grant")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn fields(&self, decision: &str) -> Vec<(String, String)> {
        let mut fields = self.hidden.clone();
        fields.push(("sandbox_user".into(), self.user.clone()));
        for g in &self.grants {
            fields.push(("grant".into(), g.clone()));
        }
        for p in &self.pages {
            fields.push(("page".into(), p.clone()));
        }
        fields.push(("decision".into(), decision.into()));
        fields
    }
}

/// Where a consent page sent the browser.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub location: String,
    pub query: HashMap<String, String>,
    pub fragment: Option<String>,
}

impl Redirect {
    fn parse(location: &str) -> Redirect {
        let url = url::Url::parse(location).unwrap();
        Redirect {
            location: location.to_owned(),
            query: url.query_pairs().into_owned().collect(),
            fragment: url.fragment().map(str::to_owned),
        }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }
}

/// Every `<name …>` tag's attributes (valueless ones map to None), values
/// unescaped.
fn tags(html: &str, name: &str) -> Vec<HashMap<String, Option<String>>> {
    let open = format!("<{name}");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        if !after.starts_with(|c: char| c.is_whitespace() || c == '>') {
            rest = after;
            continue;
        }
        let end = after.find('>').expect("a closed tag");
        out.push(attributes(&after[..end]));
        rest = &after[end..];
    }
    out
}

fn attributes(s: &str) -> HashMap<String, Option<String>> {
    let mut attrs = HashMap::new();
    let bytes: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && (bytes[i].is_whitespace() || bytes[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_whitespace() && bytes[i] != '=' && bytes[i] != '/' {
            i += 1;
        }
        if start == i {
            break;
        }
        let name: String = bytes[start..i].iter().collect::<String>().to_lowercase();
        if i < bytes.len() && bytes[i] == '=' {
            i += 1;
            let value: String = if i < bytes.len() && (bytes[i] == '"' || bytes[i] == '\'') {
                let quote = bytes[i];
                i += 1;
                let v0 = i;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                let v = bytes[v0..i].iter().collect();
                i += 1;
                v
            } else {
                let v0 = i;
                while i < bytes.len() && !bytes[i].is_whitespace() {
                    i += 1;
                }
                bytes[v0..i].iter().collect()
            };
            attrs.insert(name, Some(unescape(&value)));
        } else {
            attrs.insert(name, None);
        }
    }
    attrs
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------ assertions

/// The error of a call that must fail, with context when it did not.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(
    result: Result<T, PlatformError>,
    what: &str,
) -> PlatformError {
    match result {
        Ok(v) => panic!("{what}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// Asserts the kind of an error, showing the whole error when it differs.
#[track_caller]
pub fn assert_kind(error: &PlatformError, kind: ErrorKind) {
    assert_eq!(error.kind, kind, "{error} (code {:?})", error.code);
}

#[track_caller]
pub fn assert_reconsent(error: &PlatformError) {
    assert!(
        matches!(error.kind, ErrorKind::Reconsent { .. }),
        "expected reconsent: {error} (code {:?})",
        error.code
    );
}

#[track_caller]
pub fn assert_rate_limited(error: &PlatformError) -> Option<Timestamp> {
    match &error.kind {
        ErrorKind::RateLimited { until } => *until,
        _ => panic!("expected rate_limited: {error} (code {:?})", error.code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_parsed_and_unescaped() {
        let a = attributes(
            r#"type="checkbox" name="grant" value="a&#38;b&#x2f;c&quot;" checked disabled"#,
        );
        assert_eq!(a["type"].as_deref(), Some("checkbox"));
        assert_eq!(a["value"].as_deref(), Some("a&b/c\""));
        assert_eq!(a["checked"], None);
        assert!(a.contains_key("disabled"));
        assert_eq!(unescape("x &amp;&lt;&#39;&zz; y"), "x &<'&zz; y");
    }
}
