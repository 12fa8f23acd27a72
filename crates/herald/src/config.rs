//! Configuration: defaults, then an optional TOML file, then `HERALD_*`
//! environment variables, then `HERALD_*_FILE` (a value read from a file,
//! as Docker and Kubernetes mount secrets). Every key can come from any
//! layer; a later layer wins. Invalid values stop the start with a message
//! naming the key, where the value came from and what is expected.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// How Herald runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keys are generated into the data folder; development-only pages exist.
    Development,
    /// Every secret must be configured explicitly.
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// One configuration key.
struct Key {
    name: &'static str,
    secret: bool,
    default: Option<&'static str>,
    help: &'static str,
}

const KEYS: &[Key] = &[
    Key {
        name: "mode",
        secret: false,
        default: Some("development"),
        help: "development | production",
    },
    Key {
        name: "listen",
        secret: false,
        default: Some("127.0.0.1:8080"),
        help: "address and port to serve HTTP on",
    },
    Key {
        name: "data_dir",
        secret: false,
        default: Some("./herald-data"),
        help: "folder for the SQLite database, generated keys and local media",
    },
    Key {
        name: "database_url",
        secret: true,
        default: None,
        help: "sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (default: SQLite in the data folder)",
    },
    Key {
        name: "public_url",
        secret: false,
        default: None,
        help: "external base URL used in links and OAuth redirects (default: http://LISTEN; required in production)",
    },
    Key {
        name: "session_secret",
        secret: true,
        default: None,
        help: "at least 32 characters; signs sessions and CSRF tokens (generated in development)",
    },
    Key {
        name: "log",
        secret: false,
        default: Some("info"),
        help: "log filter, e.g. info or herald=debug,sqlx=warn",
    },
    Key {
        name: "log_format",
        secret: false,
        default: None,
        help: "pretty | json (default: pretty in development, json in production)",
    },
    Key {
        name: "worker_concurrency",
        secret: false,
        default: Some("8"),
        help: "jobs run at once per queue by each worker process",
    },
    Key {
        name: "database_max_connections",
        secret: false,
        default: Some("10"),
        help: "database pool size per process",
    },
    Key {
        name: "request_timeout_secs",
        secret: false,
        default: Some("30"),
        help: "longest time a request may take",
    },
    Key {
        name: "body_limit_bytes",
        secret: false,
        default: Some("2097152"),
        help: "largest accepted request body",
    },
    Key {
        name: "shutdown_grace_secs",
        secret: false,
        default: Some("30"),
        help: "time running jobs get to finish at shutdown",
    },
    Key {
        name: "redis_url",
        secret: true,
        default: None,
        help: "redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://…; rate limits shared by every instance (default: in-process)",
    },
    Key {
        name: "smtp_url",
        secret: true,
        default: None,
        help: "smtps://USER:PASSWORD@HOST:465 (TLS) or smtp://USER:PASSWORD@HOST:587?tls=required (STARTTLS); required in production (development: the /dev/mailbox page)",
    },
    Key {
        name: "mail_from",
        secret: false,
        default: Some("Herald <herald@localhost>"),
        help: "sender of the mail Herald sends, e.g. Herald <no-reply@example.com>",
    },
    Key {
        name: "meta_app_id",
        secret: false,
        default: None,
        help: "Facebook app id for Facebook Login (Pages and their Instagram accounts); unset: the sandbox",
    },
    Key {
        name: "meta_app_secret",
        secret: true,
        default: None,
        help: "Facebook app secret (with meta_app_id); during a rotation list the new and the old one, comma-separated: the first signs requests, all are accepted on webhooks",
    },
    Key {
        name: "instagram_app_id",
        secret: false,
        default: None,
        help: "Instagram app id for Instagram Login; unset: the sandbox",
    },
    Key {
        name: "instagram_app_secret",
        secret: true,
        default: None,
        help: "Instagram app secret (with instagram_app_id); comma-separated during a rotation, like meta_app_secret",
    },
    Key {
        name: "tiktok_client_key",
        secret: false,
        default: None,
        help: "TikTok Login Kit client key; unset: the sandbox",
    },
    Key {
        name: "tiktok_client_secret",
        secret: true,
        default: None,
        help: "TikTok client secret (with tiktok_client_key)",
    },
    Key {
        name: "google_client_id",
        secret: false,
        default: None,
        help: "Google OAuth client id for YouTube; unset: the sandbox",
    },
    Key {
        name: "google_client_secret",
        secret: true,
        default: None,
        help: "Google OAuth client secret (with google_client_id)",
    },
    Key {
        name: "sandbox",
        secret: false,
        default: Some("auto"),
        help: "auto: on in development, off in production | on: platforms without app credentials use the built-in sandbox at /sandbox, in production too (with a warning at start and a banner) | off: they are not offered",
    },
    Key {
        name: "sandbox_url",
        secret: false,
        default: None,
        help: "base URL of a standalone `herald sandbox` to use instead of the built-in one",
    },
    Key {
        name: "meta_verify_token",
        secret: true,
        default: None,
        help: "the verify token Meta sends when subscribing to webhooks at PUBLIC_URL/webhooks/meta (generated in development)",
    },
    Key {
        name: "trusted_proxies",
        secret: false,
        default: None,
        help: "comma-separated addresses or CIDRs (10.0.0.0/8) of reverse proxies whose X-Forwarded-For names the client; unset: the header is ignored and the TCP peer is the client",
    },
    Key {
        name: "metrics_token",
        secret: true,
        default: None,
        help: "when set, /metrics answers only requests with Authorization: Bearer TOKEN (unset: /metrics is open; keep it off the public network)",
    },
    Key {
        name: "operator_name",
        secret: false,
        default: None,
        help: "who runs this instance (a person or organisation), named in the privacy notice and terms; set it in production (platform app review asks for it)",
    },
    Key {
        name: "operator_contact",
        secret: false,
        default: None,
        help: "an e-mail or postal address where people reach the operator, shown with operator_name",
    },
    Key {
        name: "webhook_allow_private",
        secret: false,
        default: Some("false"),
        help: "true: outbound webhook endpoints may be private, loopback or link-local addresses (and plain http); false: public https only",
    },
    Key {
        name: "nats_url",
        secret: true,
        default: None,
        help: "NATS server with JetStream; publishing events are relayed there (in-process subscribers only when unset)",
    },
    Key {
        name: "nats_stream",
        secret: false,
        default: Some("HERALD"),
        help: "JetStream stream holding Herald's events (created when missing)",
    },
    Key {
        name: "credential_keys_file",
        secret: false,
        default: None,
        help: "keyring encrypting platform tokens (default: DATA_DIR/secrets/credential-keys, generated)",
    },
    Key {
        name: "media_dir",
        secret: false,
        default: None,
        help: "folder for media files when no S3 bucket is set (default: DATA_DIR/media)",
    },
    Key {
        name: "media_max_bytes",
        secret: false,
        default: Some("1073741824"),
        help: "largest media file accepted, uploaded or imported from Google Drive",
    },
    Key {
        name: "s3_endpoint",
        secret: false,
        default: None,
        help: "S3-compatible endpoint, e.g. http://127.0.0.1:9000 or https://s3.example.com (default: AWS for the region)",
    },
    Key {
        name: "s3_bucket",
        secret: false,
        default: None,
        help: "keep media in this S3 bucket instead of the local folder",
    },
    Key {
        name: "s3_region",
        secret: false,
        default: Some("us-east-1"),
        help: "region of the S3 bucket",
    },
    Key {
        name: "s3_access_key_id",
        secret: false,
        default: None,
        help: "S3 access key id (with s3_secret_access_key; unset: the instance's credentials)",
    },
    Key {
        name: "s3_secret_access_key",
        secret: true,
        default: None,
        help: "S3 secret access key (with s3_access_key_id)",
    },
    Key {
        name: "s3_path_style",
        secret: false,
        default: Some("true"),
        help: "true: ENDPOINT/BUCKET/KEY addresses (MinIO, Garage, most self-hosted servers) | false: BUCKET.ENDPOINT/KEY",
    },
];

fn key(name: &str) -> &'static Key {
    KEYS.iter().find(|k| k.name == name).expect("known key")
}

fn env_name(key: &str) -> String {
    format!("HERALD_{}", key.to_ascii_uppercase())
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    ConfigFile(PathBuf),
    Env(String),
    EnvFile { var: String, path: PathBuf },
    Generated(PathBuf),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::ConfigFile(p) => write!(f, "config file {}", p.display()),
            Source::Env(v) => write!(f, "environment {v}"),
            Source::EnvFile { var, path } => write!(f, "{var} ({})", path.display()),
            Source::Generated(p) => write!(f, "generated into {}", p.display()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read the config file {path}")]
    ReadFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid TOML")]
    ParseFile {
        path: PathBuf,
        #[source]
        source: toml::de::Error,
    },
    #[error("unknown key `{key}` in the config file {path}; known keys: {known}")]
    UnknownFileKey {
        key: String,
        path: PathBuf,
        known: String,
    },
    #[error("`{key}` in the config file {path} must be a string, number or boolean")]
    BadFileValue { key: String, path: PathBuf },
    #[error("both {var} and {var}_FILE are set; set only one")]
    Both { var: String },
    #[error("could not read {var} from {path}")]
    ReadSecret {
        var: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{var} is not valid Unicode")]
    NotUnicode { var: String },
    #[error("invalid {var} = {shown:?} (from {source_of}): expected {expected}")]
    Invalid {
        var: String,
        shown: String,
        source_of: Source,
        expected: String,
    },
    #[error("{var} must be set in production mode ({why})")]
    Required { var: String, why: &'static str },
}

/// The effective configuration.
#[derive(Clone)]
pub struct Config {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: SecretString,
    pub public_url: String,
    /// None until configured or generated (development) by [`Config::ensure_secrets`].
    pub session_secret: Option<SecretString>,
    pub log: String,
    pub log_format: LogFormat,
    pub worker_concurrency: usize,
    pub database_max_connections: u32,
    pub request_timeout: Duration,
    pub body_limit: usize,
    pub shutdown_grace: Duration,
    /// Redis for shared rate limits; in-process limits when unset.
    pub redis_url: Option<SecretString>,
    /// SMTP server for mail; the development mailbox when unset (development only).
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    /// App credentials per platform; a platform without them uses the sandbox.
    pub platforms: PlatformApps,
    /// Whether unconfigured platforms use the sandbox (`auto`: in
    /// development only).
    pub sandbox: bool,
    /// The sandbox's app secrets, generated per install into the data
    /// folder by [`Config::ensure_secrets`] when the sandbox is on.
    pub sandbox_secrets: Option<SandboxSecrets>,
    /// A standalone sandbox to use instead of the built-in one.
    pub sandbox_url: Option<String>,
    /// The credential keyring file, when not the default in the data folder.
    pub credential_keys_file: Option<PathBuf>,
    /// Where media files are kept.
    pub media_store: MediaStore,
    /// The largest media file accepted.
    pub media_max_bytes: u64,
    /// NATS (JetStream) for relaying events; in-process only when unset.
    pub nats_url: Option<SecretString>,
    pub nats_stream: String,
    /// The token Meta's subscription handshake must present.
    pub meta_verify_token: Option<SecretString>,
    /// Whether outbound webhooks may target private networks.
    pub webhook_allow_private: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The bearer token `/metrics` requires, when set.
    pub metrics_token: Option<SecretString>,
    /// Who runs this instance (name, contact), when both are set.
    pub operator: Option<(String, String)>,
    /// Where each key's value came from.
    pub sources: BTreeMap<&'static str, Source>,
    /// Things worth a warning once logging is up (misspelled variables).
    pub warnings: Vec<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("mode", &self.mode)
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &herald_db::redact_url(self.database_url.expose_secret()),
            )
            .field("public_url", &self.public_url)
            .field(
                "session_secret",
                &self.session_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

/// Where media files are kept.
#[derive(Clone)]
pub enum MediaStore {
    /// A local folder (`DATA_DIR/media` unless `HERALD_MEDIA_DIR`).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Settings),
}

/// An S3-compatible bucket for media.
#[derive(Clone)]
pub struct S3Settings {
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<SecretString>,
    pub path_style: bool,
}

/// The secrets of the sandbox's simulated apps. They sign the sandbox's
/// webhooks and callbacks and authenticate Herald at its token endpoints,
/// so they are generated per install (never constants, which anyone could
/// read in the source) and kept in `DATA_DIR/secrets/sandbox-*-secret`,
/// where a standalone `herald sandbox` with the same data folder finds them.
#[derive(Clone)]
pub struct SandboxSecrets {
    pub meta: SecretString,
    pub instagram: SecretString,
    pub tiktok: SecretString,
    pub google: SecretString,
}

/// One platform app: client id and secret.
#[derive(Clone)]
pub struct PlatformApp {
    pub client_id: String,
    /// The current secret: the first of the configured list.
    pub client_secret: SecretString,
    /// Every configured secret, the current one first: all are accepted on
    /// incoming webhooks while the app secret is being rotated.
    pub accepted_secrets: Vec<SecretString>,
}

/// The configured platform apps.
#[derive(Clone, Default)]
pub struct PlatformApps {
    pub facebook: Option<PlatformApp>,
    pub instagram: Option<PlatformApp>,
    pub tiktok: Option<PlatformApp>,
    pub youtube: Option<PlatformApp>,
}

/// Raw values with their sources, before typing.
struct Layers {
    values: BTreeMap<&'static str, (String, Source)>,
}

impl Config {
    /// Loads from `file` (or `HERALD_CONFIG`) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| {
                let k = k.into_string().ok()?;
                k.starts_with("HERALD_").then_some(())?;
                Some(match v.into_string() {
                    Ok(v) => Ok((k, v)),
                    Err(_) => Err(ConfigError::NotUnicode { var: k }),
                })
            })
            .collect::<Result<_, _>>()?;
        Config::from_sources(file, &env)
    }

    /// Loads from an explicit environment map (tests pass their own).
    pub fn from_sources(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut layers = Layers {
            values: KEYS
                .iter()
                .filter_map(|k| k.default.map(|d| (k.name, (d.to_owned(), Source::Default))))
                .collect(),
        };
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("HERALD_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            layers.apply_file(&path)?;
        }
        let warnings = layers.apply_env(env)?;
        let mut config = layers.build()?;
        config.warnings = warnings;
        Ok(config)
    }

    /// Makes sure every secret is present: in development, missing ones are
    /// generated into `DATA_DIR/secrets/` (mode 0600) and reused next time;
    /// in production a missing secret is an error.
    pub fn ensure_secrets(&mut self) -> Result<Vec<String>, SecretsError> {
        let mut notes = Vec::new();
        if self.sandbox && self.sandbox_secrets.is_none() {
            self.sandbox_secrets = Some(self.load_sandbox_secrets()?);
        }
        if self.meta_verify_token.is_none() && self.mode == Mode::Development {
            let token =
                self.generated_secret("meta_verify_token", "a webhook verify token", &mut notes)?;
            self.meta_verify_token = Some(token);
        }
        if self.session_secret.is_some() {
            return Ok(notes);
        }
        if self.mode == Mode::Production {
            return Err(SecretsError::Config(ConfigError::Required {
                var: env_name("session_secret"),
                why: "sessions and CSRF tokens are signed with it; generate one with `openssl rand -base64 48`",
            }));
        }
        let secret = self.generated_secret("session_secret", "a session secret", &mut notes)?;
        self.session_secret = Some(secret);
        Ok(notes)
    }

    /// The sandbox apps' secrets from `DATA_DIR/secrets/`, generated there
    /// the first time.
    pub fn load_sandbox_secrets(&self) -> Result<SandboxSecrets, SecretsError> {
        let dir = self.data_dir.join("secrets");
        let load = |app: &str| -> Result<SecretString, SecretsError> {
            let path = dir.join(format!("sandbox-{app}-secret"));
            Ok(crate::secrets::load_or_generate(&dir, &path)?.0)
        };
        Ok(SandboxSecrets {
            meta: load("meta")?,
            instagram: load("instagram")?,
            tiktok: load("tiktok")?,
            google: load("google")?,
        })
    }

    /// Development only: the secret `name` from `DATA_DIR/secrets/`,
    /// generated there the first time (with a note saying so).
    fn generated_secret(
        &mut self,
        name: &'static str,
        what: &str,
        notes: &mut Vec<String>,
    ) -> Result<SecretString, SecretsError> {
        let dir = self.data_dir.join("secrets");
        let path = dir.join(name);
        let (secret, generated) = crate::secrets::load_or_generate(&dir, &path)?;
        if generated {
            notes.push(format!(
                "development mode: generated {what} into {} (set {} in production)",
                path.display(),
                env_name(name)
            ));
        }
        self.sources.insert(name, Source::Generated(path));
        Ok(secret)
    }

    /// The keyring that encrypts platform tokens.
    pub fn credential_keys_path(&self) -> PathBuf {
        self.credential_keys_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secrets").join("credential-keys"))
    }

    /// The effective configuration as `(ENV_NAME, shown value, source)`
    /// rows, secrets redacted.
    pub fn describe(&self) -> Vec<(String, String, String)> {
        let show = |k: &str| -> String {
            match k {
                "mode" => match self.mode {
                    Mode::Development => "development".into(),
                    Mode::Production => "production".into(),
                },
                "listen" => self.listen.to_string(),
                "data_dir" => self.data_dir.display().to_string(),
                "database_url" => herald_db::redact_url(self.database_url.expose_secret()),
                "public_url" => self.public_url.clone(),
                "session_secret" => match &self.session_secret {
                    Some(_) => "[redacted]".into(),
                    None if self.mode == Mode::Development => {
                        "(generated into the data folder at start)".into()
                    }
                    None => "(missing)".into(),
                },
                "log" => self.log.clone(),
                "log_format" => match self.log_format {
                    LogFormat::Pretty => "pretty".into(),
                    LogFormat::Json => "json".into(),
                },
                "worker_concurrency" => self.worker_concurrency.to_string(),
                "database_max_connections" => self.database_max_connections.to_string(),
                "request_timeout_secs" => self.request_timeout.as_secs().to_string(),
                "body_limit_bytes" => self.body_limit.to_string(),
                "shutdown_grace_secs" => self.shutdown_grace.as_secs().to_string(),
                "redis_url" => match &self.redis_url {
                    Some(url) => herald_db::redact_url(url.expose_secret()),
                    None => "(unset: in-process rate limits)".into(),
                },
                "smtp_url" => match &self.smtp_url {
                    Some(url) => herald_db::redact_url(url.expose_secret()),
                    None => "(unset: the development mailbox)".into(),
                },
                "mail_from" => self.mail_from.clone(),
                "meta_app_id" | "instagram_app_id" | "tiktok_client_key" | "google_client_id" => {
                    let app = match k {
                        "meta_app_id" => &self.platforms.facebook,
                        "instagram_app_id" => &self.platforms.instagram,
                        "tiktok_client_key" => &self.platforms.tiktok,
                        _ => &self.platforms.youtube,
                    };
                    match app {
                        Some(app) => app.client_id.clone(),
                        None if self.sandbox => "(unset: the sandbox)".into(),
                        None => "(unset: not offered)".into(),
                    }
                }
                "meta_app_secret"
                | "instagram_app_secret"
                | "tiktok_client_secret"
                | "google_client_secret" => {
                    if self.sources.contains_key(k) {
                        "[redacted]".into()
                    } else {
                        "(unset)".into()
                    }
                }
                "sandbox" => if self.sandbox { "on" } else { "off" }.into(),
                "sandbox_url" => self
                    .sandbox_url
                    .clone()
                    .unwrap_or_else(|| "(unset: built in, at PUBLIC_URL/sandbox)".into()),
                "nats_url" => if self.nats_url.is_some() {
                    "[redacted]"
                } else {
                    "(unset: in-process subscribers only)"
                }
                .into(),
                "nats_stream" => self.nats_stream.clone(),
                "meta_verify_token" => match &self.meta_verify_token {
                    Some(_) => "[redacted]".into(),
                    None if self.mode == Mode::Development => {
                        "(generated into the data folder at start)".into()
                    }
                    None => "(unset: the webhook subscription handshake is refused)".into(),
                },
                "webhook_allow_private" => self.webhook_allow_private.to_string(),
                "trusted_proxies" => {
                    if self.trusted_proxies.is_empty() {
                        "(unset: X-Forwarded-For is ignored)".into()
                    } else {
                        self.trusted_proxies
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                }
                "metrics_token" => match &self.metrics_token {
                    Some(_) => "[redacted]".into(),
                    None => "(unset: /metrics is open)".into(),
                },
                "operator_name" => match &self.operator {
                    Some((name, _)) => name.clone(),
                    None => "(unset: the privacy notice names no operator)".into(),
                },
                "operator_contact" => match &self.operator {
                    Some((_, contact)) => contact.clone(),
                    None => "(unset)".into(),
                },
                "media_dir" => match &self.media_store {
                    MediaStore::Local(dir) => dir.display().to_string(),
                    MediaStore::S3(_) => "(unused: media are kept in S3)".into(),
                },
                "media_max_bytes" => self.media_max_bytes.to_string(),
                "s3_endpoint"
                | "s3_bucket"
                | "s3_region"
                | "s3_access_key_id"
                | "s3_secret_access_key"
                | "s3_path_style" => match &self.media_store {
                    MediaStore::Local(_) if k == "s3_bucket" => "(unset: the local folder)".into(),
                    MediaStore::Local(_) => "(unused)".into(),
                    MediaStore::S3(s3) => match k {
                        "s3_endpoint" => {
                            s3.endpoint.clone().unwrap_or_else(|| "(unset: AWS)".into())
                        }
                        "s3_bucket" => s3.bucket.clone(),
                        "s3_region" => s3.region.clone(),
                        "s3_access_key_id" => s3
                            .access_key_id
                            .clone()
                            .unwrap_or_else(|| "(unset: instance credentials)".into()),
                        "s3_secret_access_key" => match s3.secret_access_key {
                            Some(_) => "[redacted]".into(),
                            None => "(unset)".into(),
                        },
                        _ => s3.path_style.to_string(),
                    },
                },
                "credential_keys_file" => match &self.credential_keys_file {
                    Some(p) => p.display().to_string(),
                    None => "(DATA_DIR/secrets/credential-keys, generated at start)".into(),
                },
                _ => String::new(),
            }
        };
        KEYS.iter()
            .map(|k| {
                let source = self
                    .sources
                    .get(k.name)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "derived".into());
                (env_name(k.name), show(k.name), source)
            })
            .collect()
    }

    /// Help text for every key, for `herald config --keys` and the README.
    pub fn key_help() -> Vec<(String, Option<&'static str>, &'static str, bool)> {
        KEYS.iter()
            .map(|k| (env_name(k.name), k.default, k.help, k.secret))
            .collect()
    }
}

/// Why secrets could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Io(#[from] crate::secrets::SecretFileError),
}

impl Layers {
    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
                path: path.to_owned(),
                source,
            })?;
        for (name, value) in table {
            let Some(key) = KEYS.iter().find(|k| k.name == name) else {
                return Err(ConfigError::UnknownFileKey {
                    key: name,
                    path: path.to_owned(),
                    known: KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", "),
                });
            };
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Float(f) => f.to_string(),
                _ => {
                    return Err(ConfigError::BadFileValue {
                        key: name,
                        path: path.to_owned(),
                    });
                }
            };
            self.values
                .insert(key.name, (text, Source::ConfigFile(path.to_owned())));
        }
        Ok(())
    }

    /// Applies `HERALD_*` and `HERALD_*_FILE`; returns warnings for
    /// variables that look like Herald's but are not.
    fn apply_env(&mut self, env: &BTreeMap<String, String>) -> Result<Vec<String>, ConfigError> {
        for key in KEYS {
            let var = env_name(key.name);
            let file_var = format!("{var}_FILE");
            match (env.get(&var), env.get(&file_var)) {
                (Some(_), Some(_)) => return Err(ConfigError::Both { var }),
                (Some(v), None) => {
                    self.values.insert(key.name, (v.clone(), Source::Env(var)));
                }
                (None, Some(p)) => {
                    let path = PathBuf::from(p);
                    let raw = std::fs::read_to_string(&path).map_err(|source| {
                        ConfigError::ReadSecret {
                            var: file_var.clone(),
                            path: path.clone(),
                            source,
                        }
                    })?;
                    // Files written by editors and `echo` end in a newline.
                    let value = raw.trim_end_matches(['\n', '\r']).to_owned();
                    self.values.insert(
                        key.name,
                        (
                            value,
                            Source::EnvFile {
                                var: file_var,
                                path,
                            },
                        ),
                    );
                }
                (None, None) => {}
            }
        }
        let known: Vec<String> = KEYS
            .iter()
            .flat_map(|k| [env_name(k.name), format!("{}_FILE", env_name(k.name))])
            .chain(["HERALD_CONFIG".to_owned()])
            .collect();
        let mut warnings = Vec::new();
        for var in env.keys() {
            if known.contains(var) || var.starts_with("HERALD_TEST_") {
                continue;
            }
            let hint = known
                .iter()
                .min_by_key(|k| edit_distance(k, var))
                .filter(|k| edit_distance(k, var) <= 3)
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            warnings.push(format!("ignoring unknown environment variable {var}{hint}"));
        }
        Ok(warnings)
    }

    fn raw(&self, name: &'static str) -> Option<&(String, Source)> {
        self.values.get(name)
    }

    fn invalid(&self, name: &'static str, expected: &str) -> ConfigError {
        let (value, source) = self.raw(name).cloned().unwrap_or_default_pair();
        let shown = if key(name).secret {
            "[redacted]".to_owned()
        } else {
            value
        };
        ConfigError::Invalid {
            var: env_name(name),
            shown,
            source_of: source,
            expected: expected.to_owned(),
        }
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        expected: &str,
    ) -> Result<T, ConfigError> {
        let (value, _) = self.raw(name).expect("key has a default");
        value
            .trim()
            .parse()
            .map_err(|_| self.invalid(name, expected))
    }

    fn build(self) -> Result<Config, ConfigError> {
        let mode = match self
            .raw("mode")
            .map(|(v, _)| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("development") | Some("dev") => Mode::Development,
            Some("production") | Some("prod") => Mode::Production,
            _ => return Err(self.invalid("mode", "development or production")),
        };
        let listen: SocketAddr = self.parse(
            "listen",
            "an address and port such as 127.0.0.1:8080 or 0.0.0.0:8080",
        )?;
        let data_dir = PathBuf::from(&self.raw("data_dir").expect("default").0);
        if data_dir.as_os_str().is_empty() {
            return Err(self.invalid("data_dir", "a folder path"));
        }
        let database_url = match self.raw("database_url") {
            Some((url, _)) => {
                let url = url.trim();
                if !(url.starts_with("sqlite:")
                    || url.starts_with("postgres://")
                    || url.starts_with("postgresql://"))
                {
                    return Err(self.invalid(
                        "database_url",
                        "sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                    ));
                }
                url.to_owned()
            }
            None => format!("sqlite://{}", data_dir.join("herald.db").display()),
        };
        let public_url = match self.raw("public_url") {
            Some((url, _)) => {
                let url = url.trim().trim_end_matches('/');
                let rest = url
                    .strip_prefix("https://")
                    .or_else(|| url.strip_prefix("http://"));
                match rest {
                    Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => {
                        url.to_owned()
                    }
                    _ => {
                        return Err(self.invalid(
                            "public_url",
                            "an absolute http:// or https:// URL such as https://herald.example.com",
                        ));
                    }
                }
            }
            None if mode == Mode::Production => {
                return Err(ConfigError::Required {
                    var: env_name("public_url"),
                    why: "links in mail and OAuth redirect URIs are built from it",
                });
            }
            None => {
                let host = if listen.ip().is_unspecified() {
                    "127.0.0.1".to_owned()
                } else {
                    listen.ip().to_string()
                };
                let host = if listen.is_ipv6() && !listen.ip().is_unspecified() {
                    format!("[{host}]")
                } else {
                    host
                };
                format!("http://{host}:{}", listen.port())
            }
        };
        let session_secret = match self.raw("session_secret") {
            Some((s, _)) if s.chars().count() >= 32 => Some(SecretString::from(s.clone())),
            Some(_) => return Err(self.invalid("session_secret", "at least 32 characters")),
            None => None,
        };
        let log_format = match self
            .raw("log_format")
            .map(|(v, _)| v.trim().to_ascii_lowercase())
        {
            None => match mode {
                Mode::Development => LogFormat::Pretty,
                Mode::Production => LogFormat::Json,
            },
            Some(v) if v == "pretty" || v == "text" => LogFormat::Pretty,
            Some(v) if v == "json" => LogFormat::Json,
            Some(_) => return Err(self.invalid("log_format", "pretty or json")),
        };
        let log = self.raw("log").expect("default").0.clone();
        if tracing_subscriber::EnvFilter::try_new(&log).is_err() {
            return Err(self.invalid("log", "a filter such as info or herald=debug,sqlx=warn"));
        }
        let positive = |name, what: &str| -> Result<u64, ConfigError> {
            let n: u64 = self.parse(name, what)?;
            if n == 0 {
                return Err(self.invalid(name, what));
            }
            Ok(n)
        };
        let worker_concurrency = positive("worker_concurrency", "a whole number from 1 to 1000")?;
        if worker_concurrency > 1000 {
            return Err(self.invalid("worker_concurrency", "a whole number from 1 to 1000"));
        }
        let database_max_connections =
            positive("database_max_connections", "a whole number from 1 to 1000")?;
        if database_max_connections > 1000 {
            return Err(self.invalid("database_max_connections", "a whole number from 1 to 1000"));
        }
        let request_timeout = positive("request_timeout_secs", "a number of seconds, at least 1")?;
        let body_limit = positive("body_limit_bytes", "a number of bytes, at least 1")?;
        let shutdown_grace: u64 = self.parse("shutdown_grace_secs", "a number of seconds")?;

        let url_with = |name: &'static str, schemes: &[&str], expected: &str| match self.raw(name) {
            Some((url, _)) => {
                let url = url.trim();
                let ok = schemes.iter().any(|s| {
                    url.strip_prefix(s)
                        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                });
                if ok {
                    Ok(Some(SecretString::from(url.to_owned())))
                } else {
                    Err(self.invalid(name, expected))
                }
            }
            None => Ok(None),
        };
        let redis_url = url_with(
            "redis_url",
            &["redis://", "rediss://"],
            "redis://HOST:PORT or rediss://HOST:PORT",
        )?;
        let smtp_url = url_with(
            "smtp_url",
            &["smtp://", "smtps://"],
            "smtps://USER:PASSWORD@HOST:465 or smtp://USER:PASSWORD@HOST:587?tls=required",
        )?;
        if smtp_url.is_none() && mode == Mode::Production {
            return Err(ConfigError::Required {
                var: env_name("smtp_url"),
                why: "verification, password-reset and invitation mail must reach people; the development mailbox exists only in development mode",
            });
        }
        let mail_from = self.raw("mail_from").expect("default").0.trim().to_owned();
        if !mail_from.contains('@') || mail_from.contains(['\r', '\n']) {
            return Err(self.invalid(
                "mail_from",
                "an address such as no-reply@example.com or Herald <no-reply@example.com>",
            ));
        }
        let app = |id_key: &'static str,
                   secret_key: &'static str|
         -> Result<Option<PlatformApp>, ConfigError> {
            let id = self
                .raw(id_key)
                .map(|(v, _)| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            let secret = self
                .raw(secret_key)
                .map(|(v, _)| v.trim().to_owned())
                .filter(|v| !v.is_empty());
            match (id, secret) {
                (Some(client_id), Some(secret)) => {
                    let accepted: Vec<SecretString> = secret
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(SecretString::from)
                        .collect();
                    let Some(current) = accepted.first().cloned() else {
                        return Err(self.invalid(secret_key, "an app secret"));
                    };
                    Ok(Some(PlatformApp {
                        client_id,
                        client_secret: current,
                        accepted_secrets: accepted,
                    }))
                }
                (None, None) => Ok(None),
                (Some(_), None) => Err(ConfigError::Required {
                    var: env_name(secret_key),
                    why: "an app id needs its secret",
                }),
                (None, Some(_)) => Err(ConfigError::Required {
                    var: env_name(id_key),
                    why: "an app secret needs its id",
                }),
            }
        };
        let platforms = PlatformApps {
            facebook: app("meta_app_id", "meta_app_secret")?,
            instagram: app("instagram_app_id", "instagram_app_secret")?,
            tiktok: app("tiktok_client_key", "tiktok_client_secret")?,
            youtube: app("google_client_id", "google_client_secret")?,
        };
        let sandbox = match self.raw("sandbox").expect("default").0.trim() {
            "auto" => mode == Mode::Development,
            "on" => true,
            "off" => false,
            _ => return Err(self.invalid("sandbox", "auto, on or off")),
        };
        let sandbox_url = match self.raw("sandbox_url") {
            Some((url, _)) => {
                let url = url.trim().trim_end_matches('/').to_owned();
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(self.invalid("sandbox_url", "http://HOST:PORT or https://HOST"));
                }
                Some(url)
            }
            None => None,
        };
        let credential_keys_file = self
            .raw("credential_keys_file")
            .map(|(p, _)| PathBuf::from(p.trim()));
        let media_max_bytes = positive("media_max_bytes", "a number of bytes, at least 1")?;
        let media_store = self.media_store(&data_dir)?;
        let nats_url = match self.raw("nats_url") {
            Some((url, _)) => {
                let url = url.trim().to_owned();
                if !(url.starts_with("nats://") || url.starts_with("tls://")) {
                    return Err(self.invalid("nats_url", "nats://HOST:PORT or tls://HOST:PORT"));
                }
                Some(SecretString::from(url))
            }
            None => None,
        };
        let nats_stream = self
            .raw("nats_stream")
            .expect("default")
            .0
            .trim()
            .to_owned();
        if nats_stream.is_empty()
            || !nats_stream
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(self.invalid("nats_stream", "letters, digits, - and _"));
        }
        let meta_verify_token = self
            .raw("meta_verify_token")
            .map(|(v, _)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(SecretString::from);
        let webhook_allow_private =
            match self.raw("webhook_allow_private").expect("default").0.trim() {
                "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => return Err(self.invalid("webhook_allow_private", "true or false")),
            };
        let trusted_proxies = match self.raw("trusted_proxies") {
            Some((list, _)) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map(|net| net.trunc())
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| {
                    self.invalid(
                        "trusted_proxies",
                        "addresses or CIDRs, comma-separated, such as 127.0.0.1,10.0.0.0/8",
                    )
                })?,
            None => Vec::new(),
        };
        let metrics_token = self
            .raw("metrics_token")
            .map(|(v, _)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(SecretString::from);
        let text = |key: &'static str| {
            self.raw(key)
                .map(|(v, _)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let operator = match (text("operator_name"), text("operator_contact")) {
            (Some(name), Some(contact)) => {
                for (key, value) in [("operator_name", &name), ("operator_contact", &contact)] {
                    if value.chars().count() > 200 || value.chars().any(char::is_control) {
                        return Err(self.invalid(key, "one line of at most 200 characters"));
                    }
                }
                Some((name, contact))
            }
            (None, None) => None,
            (Some(_), None) => {
                return Err(self.invalid(
                    "operator_contact",
                    "an e-mail or postal address, set together with operator_name",
                ));
            }
            (None, Some(_)) => {
                return Err(self.invalid(
                    "operator_name",
                    "the operator's name, set together with operator_contact",
                ));
            }
        };
        let sources = self
            .values
            .iter()
            .map(|(k, (_, s))| (*k, s.clone()))
            .collect();
        Ok(Config {
            operator,
            meta_verify_token,
            webhook_allow_private,
            trusted_proxies,
            metrics_token,
            mode,
            listen,
            data_dir,
            database_url: SecretString::from(database_url),
            public_url,
            session_secret,
            log,
            log_format,
            worker_concurrency: worker_concurrency as usize,
            database_max_connections: database_max_connections as u32,
            request_timeout: Duration::from_secs(request_timeout),
            body_limit: usize::try_from(body_limit).unwrap_or(usize::MAX),
            shutdown_grace: Duration::from_secs(shutdown_grace),
            redis_url,
            smtp_url,
            mail_from,
            platforms,
            sandbox,
            sandbox_secrets: None,
            sandbox_url,
            credential_keys_file,
            media_store,
            media_max_bytes,
            nats_url,
            nats_stream,
            sources,
            warnings: Vec::new(),
        })
    }
}

impl Layers {
    /// The media folder, or the S3 bucket when `s3_bucket` is set.
    fn media_store(&self, data_dir: &Path) -> Result<MediaStore, ConfigError> {
        let value = |name: &'static str| {
            self.raw(name)
                .map(|(v, _)| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let Some(bucket) = value("s3_bucket") else {
            for other in ["s3_endpoint", "s3_access_key_id", "s3_secret_access_key"] {
                if value(other).is_some() {
                    return Err(ConfigError::Required {
                        var: env_name("s3_bucket"),
                        why: "the other S3 settings name no bucket without it",
                    });
                }
            }
            let dir = value("media_dir")
                .map(PathBuf::from)
                .unwrap_or_else(|| data_dir.join("media"));
            return Ok(MediaStore::Local(dir));
        };
        let endpoint = match value("s3_endpoint") {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                Some(url.trim_end_matches('/').to_owned())
            }
            Some(_) => {
                return Err(self.invalid(
                    "s3_endpoint",
                    "an http:// or https:// URL such as https://s3.example.com",
                ));
            }
            None => None,
        };
        let access_key_id = value("s3_access_key_id");
        let secret_access_key = value("s3_secret_access_key").map(SecretString::from);
        match (&access_key_id, &secret_access_key) {
            (Some(_), None) => {
                return Err(ConfigError::Required {
                    var: env_name("s3_secret_access_key"),
                    why: "an access key id needs its secret",
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Required {
                    var: env_name("s3_access_key_id"),
                    why: "a secret access key needs its id",
                });
            }
            _ => {}
        }
        let path_style = match value("s3_path_style").as_deref() {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => return Err(self.invalid("s3_path_style", "true or false")),
        };
        Ok(MediaStore::S3(S3Settings {
            endpoint,
            bucket,
            region: value("s3_region").unwrap_or_else(|| "us-east-1".into()),
            access_key_id,
            secret_access_key,
            path_style,
        }))
    }
}

trait DefaultPair {
    fn unwrap_or_default_pair(self) -> (String, Source);
}

impl DefaultPair for Option<(String, Source)> {
    fn unwrap_or_default_pair(self) -> (String, Source) {
        self.unwrap_or((String::new(), Source::Default))
    }
}

/// Levenshtein distance, for "did you mean" hints on misspelled variables.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_give_a_development_instance_on_sqlite() {
        let c = Config::from_sources(None, &env(&[])).unwrap();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./herald-data"));
        assert_eq!(
            c.database_url.expose_secret(),
            "sqlite://./herald-data/herald.db"
        );
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert!(c.session_secret.is_none());
    }

    #[test]
    fn environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("herald.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nworker_concurrency = 4\n").unwrap();
        let c = Config::from_sources(Some(&file), &env(&[("HERALD_WORKER_CONCURRENCY", "16")]))
            .unwrap();
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.worker_concurrency, 16);
        assert_eq!(c.sources["listen"], Source::ConfigFile(file.clone()));
        assert_eq!(
            c.sources["worker_concurrency"],
            Source::Env("HERALD_WORKER_CONCURRENCY".into())
        );
        // An unspecified listen address still yields a usable public URL.
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
    }

    #[test]
    fn file_variables_read_secrets_and_drop_the_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("session");
        std::fs::write(&secret, "0123456789abcdef0123456789abcdef-long\n").unwrap();
        let c = Config::from_sources(
            None,
            &env(&[("HERALD_SESSION_SECRET_FILE", secret.to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(
            c.session_secret.unwrap().expose_secret(),
            "0123456789abcdef0123456789abcdef-long"
        );
    }

    #[test]
    fn setting_a_value_and_its_file_twice_is_refused() {
        let err = Config::from_sources(
            None,
            &env(&[
                ("HERALD_LISTEN", "127.0.0.1:1"),
                ("HERALD_LISTEN_FILE", "/x"),
            ]),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("both HERALD_LISTEN and HERALD_LISTEN_FILE")
        );
    }

    #[test]
    fn the_operator_is_named_and_reachable_or_not_configured_at_all() {
        let config = Config::from_sources(
            None,
            &env(&[
                ("HERALD_OPERATOR_NAME", " Example Media GmbH "),
                ("HERALD_OPERATOR_CONTACT", "privacy@example.com"),
            ]),
        )
        .unwrap();
        assert_eq!(
            config.operator,
            Some((
                "Example Media GmbH".to_owned(),
                "privacy@example.com".to_owned()
            ))
        );
        assert_eq!(
            Config::from_sources(None, &env(&[])).unwrap().operator,
            None
        );
        for (vars, named) in [
            (
                &[("HERALD_OPERATOR_NAME", "Example")][..],
                "HERALD_OPERATOR_CONTACT",
            ),
            (
                &[("HERALD_OPERATOR_CONTACT", "a@example.com")][..],
                "HERALD_OPERATOR_NAME",
            ),
            (
                &[
                    ("HERALD_OPERATOR_NAME", "Line\nbreak"),
                    ("HERALD_OPERATOR_CONTACT", "a@example.com"),
                ][..],
                "HERALD_OPERATOR_NAME",
            ),
        ] {
            let err = Config::from_sources(None, &env(vars)).unwrap_err();
            assert!(err.to_string().contains(named), "{vars:?}: {err}");
        }
    }

    #[test]
    fn invalid_values_name_the_key_the_source_and_what_is_expected() {
        let err = Config::from_sources(None, &env(&[("HERALD_LISTEN", "localhost")])).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("HERALD_LISTEN"), "{msg}");
        assert!(msg.contains("environment HERALD_LISTEN"), "{msg}");
        assert!(msg.contains("127.0.0.1:8080"), "{msg}");

        for (var, value) in [
            ("HERALD_MODE", "staging"),
            ("HERALD_DATABASE_URL", "mysql://root@localhost/herald"),
            ("HERALD_PUBLIC_URL", "herald.example.com"),
            ("HERALD_WORKER_CONCURRENCY", "0"),
            ("HERALD_LOG_FORMAT", "xml"),
            ("HERALD_SESSION_SECRET", "short"),
        ] {
            let err = Config::from_sources(None, &env(&[(var, value)])).unwrap_err();
            assert!(err.to_string().contains(var), "{var}: {err}");
        }
    }

    #[test]
    fn media_go_to_the_data_folder_unless_an_s3_bucket_is_set() {
        let c = Config::from_sources(None, &env(&[("HERALD_DATA_DIR", "/srv/herald")])).unwrap();
        assert!(
            matches!(&c.media_store, MediaStore::Local(d) if d == Path::new("/srv/herald/media"))
        );
        assert_eq!(c.media_max_bytes, 1 << 30);
        let c = Config::from_sources(
            None,
            &env(&[
                ("HERALD_S3_BUCKET", "media"),
                ("HERALD_S3_ENDPOINT", "http://127.0.0.1:9000/"),
                ("HERALD_S3_ACCESS_KEY_ID", "AKID"),
                ("HERALD_S3_SECRET_ACCESS_KEY", "s3cr3t-key"),
                ("HERALD_MEDIA_MAX_BYTES", "5000000"),
            ]),
        )
        .unwrap();
        let MediaStore::S3(s3) = &c.media_store else {
            panic!("S3 expected")
        };
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(
            (s3.bucket.as_str(), s3.region.as_str()),
            ("media", "us-east-1")
        );
        assert!(s3.path_style);
        assert_eq!(c.media_max_bytes, 5_000_000);
        let shown = format!("{:?}", c.describe());
        assert!(!shown.contains("s3cr3t-key"), "{shown}");
        for bad in [
            vec![("HERALD_S3_ENDPOINT", "http://127.0.0.1:9000")],
            vec![
                ("HERALD_S3_BUCKET", "m"),
                ("HERALD_S3_ACCESS_KEY_ID", "AKID"),
            ],
            vec![
                ("HERALD_S3_BUCKET", "m"),
                ("HERALD_S3_ENDPOINT", "s3.example.com"),
            ],
            vec![("HERALD_S3_BUCKET", "m"), ("HERALD_S3_PATH_STYLE", "maybe")],
            vec![("HERALD_MEDIA_MAX_BYTES", "0")],
        ] {
            assert!(Config::from_sources(None, &env(&bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn secrets_never_appear_in_errors_or_debug_output() {
        let err = Config::from_sources(None, &env(&[("HERALD_SESSION_SECRET", "tooshort-s3cret")]))
            .unwrap_err();
        assert!(!err.to_string().contains("s3cret"));
        let c = Config::from_sources(
            None,
            &env(&[
                (
                    "HERALD_DATABASE_URL",
                    "postgres://herald:pa55word@db/herald",
                ),
                (
                    "HERALD_SESSION_SECRET",
                    "a-very-long-session-secret-of-40-characters",
                ),
            ]),
        )
        .unwrap();
        let debug = format!("{c:?}");
        let described = format!("{:?}", c.describe());
        for text in [debug, described] {
            assert!(!text.contains("pa55word"), "{text}");
            assert!(!text.contains("very-long-session"), "{text}");
        }
    }

    #[test]
    fn production_requires_a_public_url_and_secrets() {
        let err = Config::from_sources(None, &env(&[("HERALD_MODE", "production")])).unwrap_err();
        assert!(
            err.to_string().contains("HERALD_PUBLIC_URL must be set"),
            "{err}"
        );

        let mut c = Config::from_sources(
            None,
            &env(&[
                ("HERALD_MODE", "production"),
                ("HERALD_PUBLIC_URL", "https://h.example"),
                ("HERALD_SMTP_URL", "smtps://u:p@mail.example:465"),
            ]),
        )
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        let err = c.ensure_secrets().unwrap_err();
        assert!(
            err.to_string()
                .contains("HERALD_SESSION_SECRET must be set"),
            "{err}"
        );
    }

    #[test]
    fn development_generates_secrets_once_with_private_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let vars = env(&[("HERALD_DATA_DIR", dir.path().to_str().unwrap())]);
        let mut first = Config::from_sources(None, &vars).unwrap();
        let notes = first.ensure_secrets().unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        for name in ["session_secret", "meta_verify_token"] {
            let path = dir.path().join("secrets").join(name);
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}");
        }

        let mut second = Config::from_sources(None, &vars).unwrap();
        assert!(second.ensure_secrets().unwrap().is_empty());
        assert_eq!(
            first.session_secret.unwrap().expose_secret(),
            second.session_secret.unwrap().expose_secret()
        );
        assert_eq!(
            first.meta_verify_token.unwrap().expose_secret(),
            second.meta_verify_token.unwrap().expose_secret()
        );
    }

    #[test]
    fn unknown_variables_and_file_keys_are_reported() {
        let c = Config::from_sources(None, &env(&[("HERALD_LISTN", "127.0.0.1:1")])).unwrap();
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].contains("did you mean HERALD_LISTEN?"),
            "{:?}",
            c.warnings
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("herald.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:1\"\n").unwrap();
        let err = Config::from_sources(Some(&file), &env(&[])).unwrap_err();
        assert!(err.to_string().contains("unknown key `lisen`"), "{err}");
    }
}
