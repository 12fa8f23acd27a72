//! `spawn_app()`: the real application on a random port with its own
//! database, for one test.

use std::collections::BTreeMap;
use std::sync::Arc;

use herald::app::Running;
use herald::config::Config;
use herald_core::{Clock, SystemClock};
use herald_db::testing::TestDb;
use tokio::net::TcpListener;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: herald_db::Db,
    pub db_url: String,
    /// The app's queue (what is enqueued here wakes its worker at once).
    pub queue: herald_jobs::Queue,
    pub data_dir: std::path::PathBuf,
    running: Option<Running>,
    _test_db: TestDb,
    _dir: tempfile::TempDir,
}

pub enum Backend {
    Sqlite,
    Postgres,
}

/// The app on SQLite.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(Backend::Sqlite).await
}

pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// The app with extra configuration (`HERALD_*` variables).
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    spawn_app_with_clock(backend, extra, Arc::new(SystemClock)).await
}

/// The app in production mode, with the secrets production requires (its
/// mail goes to an SMTP address where nothing listens) and `extra`.
pub async fn spawn_production_app(extra: &[(&str, &str)]) -> TestApp {
    let session_secret = "production-session-secret-".repeat(2);
    let mut env: Vec<(&str, &str)> = vec![
        ("HERALD_MODE", "production"),
        ("HERALD_SESSION_SECRET", &session_secret),
        ("HERALD_SMTP_URL", "smtp://127.0.0.1:9"),
    ];
    env.extend_from_slice(extra);
    spawn_app_with(Backend::Sqlite, &env).await
}

/// The app on `clock`: with a `ManualClock` nothing scheduled for later
/// (retries, expiries) comes due until the test moves it.
pub async fn spawn_app_with_clock(
    backend: Backend,
    extra: &[(&str, &str)],
    clock: Arc<dyn Clock>,
) -> TestApp {
    let test_db = match backend {
        Backend::Sqlite => TestDb::sqlite().await,
        Backend::Postgres => TestDb::postgres().await,
    };
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env: BTreeMap<String, String> = [
        ("HERALD_DATA_DIR", dir.path().to_str().unwrap().to_owned()),
        ("HERALD_DATABASE_URL", test_db.url.clone()),
        ("HERALD_LISTEN", addr.to_string()),
        ("HERALD_PUBLIC_URL", format!("http://{addr}")),
        ("HERALD_BODY_LIMIT_BYTES", "65536".to_owned()),
        ("HERALD_SHUTDOWN_GRACE_SECS", "2".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    .collect();
    let config = Config::from_sources(None, &env).unwrap();
    let running = herald::app::start_with_clock(config, Some(listener), clock)
        .await
        .unwrap();
    let client = new_client();
    TestApp {
        base: format!("http://{addr}"),
        client,
        db: running.db.clone(),
        db_url: test_db.url.clone(),
        queue: running.queue.clone(),
        data_dir: dir.path().to_owned(),
        running: Some(running),
        _test_db: test_db,
        _dir: dir,
    }
}

/// A client that keeps cookies (like a browser) and does not follow
/// redirects (so tests see them).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A strong password for test accounts.
pub const PASSWORD: &str = "violet lantern across the fjord";

/// The value of the first `name="_csrf"` field in a page.
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("the page has a CSRF field");
    let rest = &html[at + "name=\"_csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The CSRF token `client` must send (loads a page to get its cookie).
    pub async fn csrf_for(&self, client: &reqwest::Client) -> String {
        // Any page with a form will do; the privacy page has the language
        // switch whether or not one is signed in.
        let html = client
            .get(self.url("/privacy"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        csrf_in(&html)
    }

    /// POSTs a form as `client`, with its CSRF token.
    pub async fn submit(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf_for(client).await;
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.push(("_csrf", &token));
        client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    /// The newest mail sent to `to`.
    pub async fn last_mail_to(&self, to: &str) -> herald_mail::StoredMail {
        herald_mail::recent(&self.db, 200)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// The `token=` value of the link in the newest mail to `to`.
    pub async fn token_mailed_to(&self, to: &str) -> String {
        let mail = self.last_mail_to(to).await;
        let at = mail
            .text
            .find("token=")
            .expect("the mail has a link with a token");
        mail.text[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// Signs `email` up through the forms, confirms the address from the
    /// mail and logs in; returns the signed-in client.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = new_client();
        let resp = self
            .submit(
                &client,
                "/signup",
                &[
                    ("email", email),
                    ("password", PASSWORD),
                    ("display_name", ""),
                    ("accept_terms", "yes"),
                ],
            )
            .await;
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "sign-up of {email}");
        let token = self.token_mailed_to(email).await;
        let resp = self
            .submit(&client, "/verify-email", &[("token", &token)])
            .await;
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::OK,
            "verification of {email}"
        );
        self.log_in(&client, email).await;
        client
    }

    /// The page at `path` as `client` sees it.
    pub async fn html(&self, client: &reqwest::Client, path: &str) -> String {
        client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The id of the workspace `client`'s settings page manages.
    pub async fn settings_workspace(&self, client: &reqwest::Client) -> String {
        self.html(client, "/home/settings")
            .await
            .split("/workspaces/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("the workspace's forms")
            .to_owned()
    }

    /// Signs `email` up and has them join `owner`'s workspace `ws` as
    /// `role` through an invitation; returns the member's client.
    pub async fn member(
        &self,
        owner: &reqwest::Client,
        ws: &str,
        email: &str,
        role: &str,
    ) -> reqwest::Client {
        let resp = self
            .submit(
                owner,
                &format!("/workspaces/{ws}/invites"),
                &[("email", email), ("role", role)],
            )
            .await;
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::SEE_OTHER,
            "invite {email}"
        );
        let invite = self.token_mailed_to(email).await;
        let client = self.signed_in(email).await;
        let resp = self
            .submit(&client, "/invites/accept", &[("token", &invite)])
            .await;
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::SEE_OTHER,
            "accept {email}"
        );
        client
    }

    pub async fn log_in(&self, client: &reqwest::Client, email: &str) {
        let resp = self
            .submit(
                client,
                "/login",
                &[("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            resp.status(),
            reqwest::StatusCode::SEE_OTHER,
            "login of {email}"
        );
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET with extra request headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// POST an urlencoded form, with extra request headers.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.client.post(self.url(path)).form(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.unwrap()
    }

    /// Stops serving (gracefully) but keeps the database and the data
    /// folder, for a test that goes on with another process.
    pub async fn stop_serving(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }

    /// Graceful stop; returns once requests and jobs have finished.
    pub async fn stop(mut self) {
        self.stop_serving().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown.cancel();
        }
    }
}
