//! The `herald` binary as an operator meets it: configuration errors,
//! unreachable databases, an unusable data folder, and a graceful stop.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn herald() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
    // A clean slate: no inherited HERALD_* settings.
    for (k, _) in std::env::vars() {
        if k.starts_with("HERALD_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_configuration_stops_the_start_with_a_message_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(herald()
        .arg("serve")
        .env("HERALD_DATA_DIR", dir.path())
        .env("HERALD_LISTEN", "not-an-address"));
    assert_eq!(code, 1);
    assert!(err.contains("invalid HERALD_LISTEN"), "{err}");
    assert!(err.contains("expected an address and port"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, _, err) = run(herald().arg("serve").env("HERALD_MODE", "production"));
    assert_eq!(code, 1);
    assert!(
        err.contains("HERALD_PUBLIC_URL must be set in production mode"),
        "{err}"
    );
}

#[test]
fn production_refuses_to_start_without_configured_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(herald()
        .arg("serve")
        .env("HERALD_DATA_DIR", dir.path())
        .env("HERALD_MODE", "production")
        .env("HERALD_PUBLIC_URL", "https://herald.example"));
    assert_eq!(code, 1);
    assert!(
        err.contains("HERALD_SMTP_URL must be set in production mode"),
        "{err}"
    );
    let (code, _, err) = run(herald()
        .arg("serve")
        .env("HERALD_DATA_DIR", dir.path())
        .env("HERALD_MODE", "production")
        .env("HERALD_PUBLIC_URL", "https://herald.example")
        .env("HERALD_SMTP_URL", "smtps://herald:pw@mail.example:465"));
    assert_eq!(code, 1);
    assert!(
        err.contains("HERALD_SESSION_SECRET must be set in production mode"),
        "{err}"
    );
    assert!(
        !dir.path().join("secrets").exists(),
        "nothing generated in production"
    );
}

#[test]
fn an_unreachable_database_is_a_clear_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(herald()
        .arg("migrate")
        .env("HERALD_DATA_DIR", dir.path())
        .env(
            "HERALD_DATABASE_URL",
            "postgres://herald:hunter2@127.0.0.1:1/herald",
        ));
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "could not connect to the database at `postgres://herald:***@127.0.0.1:1/herald`"
        ),
        "{err}"
    );
    assert!(
        !err.contains("hunter2"),
        "the password stays out of messages: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unusable_data_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let (code, _, err) = run(herald()
        .arg("serve")
        .env("HERALD_DATA_DIR", file.join("data")));
    assert_eq!(code, 1);
    assert!(err.contains("could not create the data folder"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn the_data_folder_is_created_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested").join("data");
    let (code, out, err) = run(herald().arg("migrate").env("HERALD_DATA_DIR", &data));
    assert_eq!(code, 0, "{out}{err}");
    let mode = std::fs::metadata(&data).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the data folder is {mode:o}");
}

#[test]
fn config_prints_every_key_with_its_source_and_redacts_secrets() {
    let (code, out, _) = run(herald()
        .arg("config")
        .env("HERALD_DATABASE_URL", "postgres://herald:hunter2@db/herald")
        .env(
            "HERALD_SESSION_SECRET",
            "a-session-secret-that-is-long-enough-1234",
        )
        .env("HERALD_REDIS_URL", "redis://:redispw@cache:6379/0")
        .env(
            "HERALD_SMTP_URL",
            "smtp://mailer:smtppw@mail:587?tls=required",
        )
        .env("HERALD_WORKER_CONCURENCY", "3"));
    assert_eq!(code, 0);
    assert!(out.contains("redis://:***@cache:6379/0"), "{out}");
    assert!(out.contains("smtp://mailer:***@mail:587"), "{out}");
    assert!(!out.contains("redispw") && !out.contains("smtppw"), "{out}");
    assert!(out.contains("HERALD_DATABASE_URL"), "{out}");
    assert!(out.contains("postgres://herald:***@db/herald"), "{out}");
    assert!(out.contains("(environment HERALD_DATABASE_URL)"), "{out}");
    assert!(
        out.contains("HERALD_LISTEN") && out.contains("(default)"),
        "{out}"
    );
    assert!(
        !out.contains("hunter2") && !out.contains("long-enough"),
        "{out}"
    );
}

#[test]
fn serve_starts_on_the_embedded_default_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = herald()
        .arg("serve")
        .current_dir(dir.path())
        .env("HERALD_LISTEN", "127.0.0.1:0")
        .env("HERALD_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut addr = None;
    let mut generated = false;
    let deadline = Instant::now() + Duration::from_secs(60);
    while addr.is_none() && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        let v: serde_json::Value = serde_json::from_str(&line).expect("JSON log lines");
        if v["message"]
            .as_str()
            .unwrap_or("")
            .contains("generated a session secret")
        {
            generated = true;
        }
        if let Some(listen) = v["listen"].as_str() {
            addr = Some(listen.to_owned());
        }
    }
    let addr = addr.expect("the server says where it listens");
    assert!(generated, "development mode says it generated keys");
    assert!(
        dir.path().join("herald-data/herald.db").exists(),
        "SQLite in ./herald-data"
    );

    let body = raw_http::get(&format!("http://{addr}/healthz"));
    assert!(body.contains("\"ok\""), "{body}");

    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "stopped after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "a clean exit: {status:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("worker stopped")),
        "{rest:?}"
    );
}

/// A plain blocking GET, for a test that is not async.
mod raw_http {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    pub fn get(url: &str) -> String {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest
            .split_once('/')
            .map(|(h, p)| (h, format!("/{p}")))
            .unwrap();
        let mut s = TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }
}
