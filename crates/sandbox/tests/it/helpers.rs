//! A sandbox on a manual clock driven through `oneshot`, plus small
//! helpers for forms, redirects and JSON.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use herald_core::ManualClock;
use herald_sandbox::{Sandbox, SandboxConfig};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tower::ServiceExt;

pub const BASE: &str = "http://sandbox.test/sb";
pub const REDIRECT: &str = "https://app.example/callback?from=sandbox";

pub struct TestSandbox {
    pub sb: Sandbox,
    pub clock: Arc<ManualClock>,
    router: Router,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}), status {}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn location(&self) -> String {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "body: {}", self.text());
        self.header("location").expect("a Location header")
    }

    pub fn header_json(&self, name: &str) -> Value {
        serde_json::from_str(
            &self
                .header(name)
                .unwrap_or_else(|| panic!("no {name} header")),
        )
        .unwrap()
    }
}

/// The query parameters of a redirect URL (fragment dropped).
pub fn query_of(url: &str) -> HashMap<String, String> {
    let url = url::Url::parse(url).unwrap();
    url.query_pairs().into_owned().collect()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

impl TestSandbox {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    pub fn with(configure: impl FnOnce(&mut SandboxConfig)) -> Self {
        let mut config = SandboxConfig::new(BASE);
        configure(&mut config);
        let clock = Arc::new(ManualClock::new(
            Timestamp::from_second(1_767_225_600).unwrap(), // 2026-01-01T00:00:00Z
        ));
        let sb = Sandbox::new(config, clock.clone()).unwrap();
        let router = sb.router();
        Self { sb, clock, router }
    }

    /// A test sandbox around an existing one (e.g. restarted on a state file).
    pub fn from_parts(sb: Sandbox, clock: Arc<ManualClock>) -> Self {
        let router = sb.router();
        Self { sb, clock, router }
    }

    pub fn clock_now(&self) -> Timestamp {
        herald_core::Clock::now(&*self.clock)
    }

    pub fn advance(&self, secs: i64) {
        self.clock.advance(SignedDuration::from_secs(secs));
    }

    pub async fn request(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, String)],
        body: Body,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let res = self
            .router
            .clone()
            .oneshot(req.body(body).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), 64 << 20)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.request(Method::GET, uri, &[], Body::empty()).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, String)]) -> Resp {
        self.request(Method::GET, uri, headers, Body::empty()).await
    }

    pub async fn delete(&self, uri: &str) -> Resp {
        self.request(Method::DELETE, uri, &[], Body::empty()).await
    }

    pub async fn post_form(&self, uri: &str, body: &str) -> Resp {
        self.request(
            Method::POST,
            uri,
            &[(
                header::CONTENT_TYPE.as_str(),
                "application/x-www-form-urlencoded".into(),
            )],
            Body::from(body.to_owned()),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> Resp {
        self.request(
            Method::POST,
            uri,
            &[(header::CONTENT_TYPE.as_str(), "application/json".into())],
            Body::from(body.to_string()),
        )
        .await
    }

    // ------------------------------------------------------------ flows

    /// Shows the consent page for `authorize` (path + query), then submits
    /// it with `extra` form fields (sandbox_user, grant, page, decision).
    pub async fn consent(&self, authorize: &str, extra: &[(&str, &str)]) -> Resp {
        let page = self.get(authorize).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let (path, query) = authorize.split_once('?').unwrap();
        let mut body = query.to_owned();
        let extra = form(extra);
        if !extra.is_empty() {
            body.push('&');
            body.push_str(&extra);
        }
        self.post_form(path, &body).await
    }

    pub fn meta_authorize(&self, scopes: &str, state: &str) -> String {
        format!(
            "/www.facebook.com/v25.0/dialog/oauth?{}",
            form(&[
                ("client_id", &self.sb.config().meta.client_id),
                ("redirect_uri", REDIRECT),
                ("state", state),
                ("response_type", "code"),
                ("scope", scopes),
            ])
        )
    }

    /// Facebook Login as `user`, keeping `pages` and all scopes; returns a
    /// short-lived user token.
    pub async fn meta_login(&self, user: &str, scopes: &str, pages: &[&str]) -> String {
        let authorize = self.meta_authorize(scopes, "s");
        let mut extra: Vec<(&str, &str)> = vec![("sandbox_user", user), ("decision", "allow")];
        for scope in scopes.split(',') {
            extra.push(("grant", scope));
        }
        for page in pages {
            extra.push(("page", page));
        }
        let redirect = self.consent(&authorize, &extra).await.location();
        let code = query_of(&redirect)["code"].clone();
        let app = &self.sb.config().meta;
        let res = self
            .get(&format!(
                "/graph.facebook.com/v25.0/oauth/access_token?{}",
                form(&[
                    ("client_id", &app.client_id),
                    ("client_secret", &app.client_secret),
                    ("redirect_uri", REDIRECT),
                    ("code", &code),
                ])
            ))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn meta_long_lived(&self, short: &str) -> String {
        let app = &self.sb.config().meta;
        let res = self
            .get(&format!(
                "/graph.facebook.com/v25.0/oauth/access_token?{}",
                form(&[
                    ("grant_type", "fb_exchange_token"),
                    ("client_id", &app.client_id),
                    ("client_secret", &app.client_secret),
                    ("fb_exchange_token", short),
                ])
            ))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()["access_token"].as_str().unwrap().to_owned()
    }

    pub fn tiktok_authorize(&self, scopes: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs = vec![
            ("client_key", self.sb.config().tiktok.client_id.as_str()),
            ("response_type", "code"),
            ("scope", scopes),
            ("redirect_uri", REDIRECT),
            ("state", "tt-state"),
        ];
        pairs.extend_from_slice(extra);
        format!("/www.tiktok.com/v2/auth/authorize/?{}", form(&pairs))
    }

    pub async fn tiktok_token(&self, pairs: &[(&str, &str)]) -> Resp {
        let app = &self.sb.config().tiktok;
        let mut all = vec![
            ("client_key", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
        ];
        all.extend_from_slice(pairs);
        self.post_form("/open.tiktokapis.com/v2/oauth/token/", &form(&all))
            .await
    }

    /// TikTok login granting every requested scope; returns the token JSON.
    pub async fn tiktok_login(&self, user: &str, scopes: &str) -> Value {
        let mut extra = vec![("sandbox_user", user), ("decision", "allow")];
        for s in scopes.split(',') {
            extra.push(("grant", s));
        }
        let redirect = self
            .consent(&self.tiktok_authorize(scopes, &[]), &extra)
            .await
            .location();
        let code = query_of(&redirect)["code"].clone();
        let res = self
            .tiktok_token(&[
                ("code", &code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
            ])
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()
    }

    pub fn google_authorize(&self, scopes: &str, extra: &[(&str, &str)]) -> String {
        let mut pairs = vec![
            ("client_id", self.sb.config().google.client_id.as_str()),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("scope", scopes),
            ("state", "g-state"),
        ];
        pairs.extend_from_slice(extra);
        format!("/accounts.google.com/o/oauth2/v2/auth?{}", form(&pairs))
    }

    pub async fn google_token(&self, pairs: &[(&str, &str)]) -> Resp {
        let app = &self.sb.config().google;
        let mut all = vec![
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.as_str()),
        ];
        all.extend_from_slice(pairs);
        self.post_form("/oauth2.googleapis.com/token", &form(&all))
            .await
    }

    /// Google consent granting everything requested (offline, with
    /// `prompt=consent`); returns the token JSON.
    pub async fn google_login(&self, user: &str, scopes: &str) -> Value {
        let mut extra = vec![("sandbox_user", user), ("decision", "allow")];
        for s in scopes.split(' ') {
            extra.push(("grant", s));
        }
        let authorize =
            self.google_authorize(scopes, &[("access_type", "offline"), ("prompt", "consent")]);
        let redirect = self.consent(&authorize, &extra).await.location();
        let code = query_of(&redirect)["code"].clone();
        let res = self
            .google_token(&[
                ("code", &code),
                ("grant_type", "authorization_code"),
                ("redirect_uri", REDIRECT),
            ])
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.json()
    }
}
