//! `spawn_app()`: the real application on a random port with its own
//! database, for one test.

use std::collections::BTreeMap;

use herald::app::Running;
use herald::config::Config;
use herald_db::testing::TestDb;
use tokio::net::TcpListener;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: herald_db::Db,
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
    .collect();
    let config = Config::from_sources(None, &env).unwrap();
    let running = herald::app::start(config, Some(listener)).await.unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        client,
        db: running.db.clone(),
        running: Some(running),
        _test_db: test_db,
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
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

    /// Graceful stop; returns once requests and jobs have finished.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await.unwrap();
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown.cancel();
        }
    }
}
