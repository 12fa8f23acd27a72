//! Configuration: defaults, then an optional TOML file, then `HERALD_*`
//! environment variables, then `HERALD_*_FILE` (a value read from a file,
//! as Docker and Kubernetes mount secrets). Every key can come from any
//! layer; a later layer wins. Invalid values stop the start with a message
//! naming the key, where the value came from and what is expected.
//!
//! Each key is declared once, as a field in the `settings!` block below:
//! its doc comment is its help text, `= "…"` its default, and its type says
//! whether it is a secret and how `herald config` shows it. Each layer is a
//! figment [`Provider`]; figment merges them, remembers which one gave each
//! key, and extracts the fields, which `Settings::validate` turns into the
//! typed [`Config`].

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

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

const REDACTED: &str = "[redacted]";

/// A secret URL: `herald config` shows it with only its password masked.
#[derive(Deserialize)]
#[serde(transparent)]
struct SecretUrl(SecretString);

/// What a field's type says about its key: whether it is a secret, and how
/// `herald config` shows a value of it.
trait Field {
    const SECRET: bool = false;
    fn show(raw: &str) -> String {
        raw.trim().to_owned()
    }
}

impl Field for String {}
impl Field for Option<String> {}

impl Field for Option<SecretString> {
    const SECRET: bool = true;
    fn show(_: &str) -> String {
        REDACTED.to_owned()
    }
}

impl Field for Option<SecretUrl> {
    const SECRET: bool = true;
    fn show(raw: &str) -> String {
        herald_db::redact_url(raw.trim())
    }
}

/// One key, as the `settings!` block declares it.
struct Key {
    name: &'static str,
    help: &'static str,
    default: Option<&'static str>,
    secret: bool,
    show: fn(&str) -> String,
}

/// Declares `Settings` and, from the same fields, `KEYS`.
macro_rules! settings {
    (@default) => { None };
    (@default $default:literal) => { Some($default) };
    ($($(#[doc = $doc:literal])+ $name:ident: $ty:ty $(= $default:literal)?,)+) => {
        /// Every key's raw value, as the layers gave it.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Settings {
            $($(#[doc = $doc])+ $name: $ty,)+
        }

        /// Every key, in the order `herald config` lists them.
        const KEYS: &[Key] = &[$(Key {
            name: stringify!($name),
            help: concat!($($doc),+),
            default: settings!(@default $($default)?),
            secret: <$ty as Field>::SECRET,
            show: <$ty as Field>::show,
        },)+];
    };
}

settings! {
    /// development | production
    mode: String = "development",
    /// address and port to serve HTTP on
    listen: String = "127.0.0.1:8080",
    /// folder for the SQLite database, generated keys and local media
    data_dir: String = "./herald-data",
    /// sqlite://PATH or postgres://USER:PASSWORD@HOST/DB (default: SQLite in the data folder)
    database_url: Option<SecretUrl>,
    /// external base URL used in links and OAuth redirects
    /// (default: http://LISTEN; required in production)
    public_url: Option<String>,
    /// at least 32 characters; signs sessions and CSRF tokens (generated in development)
    session_secret: Option<SecretString>,
    /// log filter, e.g. info or herald=debug,sqlx=warn
    log: String = "info",
    /// pretty | json (default: pretty in development, json in production)
    log_format: Option<String>,
    /// jobs run at once per queue by each worker process
    worker_concurrency: String = "8",
    /// database pool size per process
    database_max_connections: String = "10",
    /// longest time a request may take
    request_timeout_secs: String = "30",
    /// largest accepted request body
    body_limit_bytes: String = "2097152",
    /// time running jobs get to finish at shutdown
    shutdown_grace_secs: String = "30",
    /// redis://[:PASSWORD@]HOST:PORT[/DB] or rediss://…; rate limits shared by every instance
    /// (default: in-process)
    redis_url: Option<SecretUrl>,
    /// smtps://USER:PASSWORD@HOST:465 (TLS) or smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS); required in production (development: the /dev/mailbox page)
    smtp_url: Option<SecretUrl>,
    /// sender of the mail Herald sends, e.g. Herald <no-reply@example.com>
    mail_from: String = "Herald <herald@localhost>",
    /// Facebook app id for Facebook Login (Pages and their Instagram accounts); unset: the sandbox
    meta_app_id: Option<String>,
    /// Facebook app secret (with meta_app_id); during a rotation list the new and the old one,
    /// comma-separated: the first signs requests, all are accepted on webhooks
    meta_app_secret: Option<SecretString>,
    /// Instagram app id for Instagram Login; unset: the sandbox
    instagram_app_id: Option<String>,
    /// Instagram app secret (with instagram_app_id); comma-separated during a rotation,
    /// like meta_app_secret
    instagram_app_secret: Option<SecretString>,
    /// TikTok Login Kit client key; unset: the sandbox
    tiktok_client_key: Option<String>,
    /// TikTok client secret (with tiktok_client_key)
    tiktok_client_secret: Option<SecretString>,
    /// Google OAuth client id for YouTube; unset: the sandbox
    google_client_id: Option<String>,
    /// Google OAuth client secret (with google_client_id)
    google_client_secret: Option<SecretString>,
    /// YouTube uploads (videos.insert calls) Herald may start per Pacific day, for every
    /// workspace together: the Google Cloud project's videos.insert quota (later uploads wait
    /// for the next day)
    youtube_daily_uploads: String = "100",
    /// auto: on in development, off in production | on: platforms without app credentials use
    /// the built-in sandbox at /sandbox, in production too (with a warning at start and a
    /// banner) | off: they are not offered
    sandbox: String = "auto",
    /// base URL of a standalone `herald sandbox` to use instead of the built-in one
    sandbox_url: Option<String>,
    /// the verify token Meta sends when subscribing to webhooks at PUBLIC_URL/webhooks/meta
    /// (generated in development)
    meta_verify_token: Option<SecretString>,
    /// comma-separated addresses or CIDRs (10.0.0.0/8) of reverse proxies whose X-Forwarded-For
    /// names the client; unset: the header is ignored and the TCP peer is the client
    trusted_proxies: Option<String>,
    /// when set, /metrics answers only requests with Authorization: Bearer TOKEN
    /// (unset: /metrics is open; keep it off the public network)
    metrics_token: Option<SecretString>,
    /// who runs this instance (a person or organisation), named in the privacy notice and
    /// terms; set it in production (platform app review asks for it)
    operator_name: Option<String>,
    /// an e-mail or postal address where people reach the operator, shown with operator_name
    operator_contact: Option<String>,
    /// true: outbound webhook endpoints may be private, loopback or link-local addresses
    /// (and plain http); false: public https only
    webhook_allow_private: String = "false",
    /// NATS server with JetStream; publishing events are relayed there
    /// (in-process subscribers only when unset)
    nats_url: Option<SecretString>,
    /// JetStream stream holding Herald's events (created when missing)
    nats_stream: String = "HERALD",
    /// keyring encrypting platform tokens (default: DATA_DIR/secrets/credential-keys, generated)
    credential_keys_file: Option<String>,
    /// folder for media files when no S3 bucket is set (default: DATA_DIR/media)
    media_dir: Option<String>,
    /// largest media file accepted, uploaded or imported from Google Drive
    media_max_bytes: String = "1073741824",
    /// S3-compatible endpoint, e.g. http://127.0.0.1:9000 or https://s3.example.com
    /// (default: AWS for the region)
    s3_endpoint: Option<String>,
    /// keep media in this S3 bucket instead of the local folder
    s3_bucket: Option<String>,
    /// region of the S3 bucket
    s3_region: String = "us-east-1",
    /// S3 access key id (with s3_secret_access_key; unset: the instance's credentials)
    s3_access_key_id: Option<String>,
    /// S3 secret access key (with s3_access_key_id)
    s3_secret_access_key: Option<SecretString>,
    /// true: ENDPOINT/BUCKET/KEY addresses (MinIO, Garage, most self-hosted servers)
    /// | false: BUCKET.ENDPOINT/KEY
    s3_path_style: String = "true",
    /// base URL of an OpenAI-compatible API for AI drafting, e.g. https://api.openai.com/v1 or
    /// http://127.0.0.1:11434/v1 (Ollama), or `sandbox` for the sandbox's simulated one;
    /// unset: the built-in template engine (no AI)
    ai_base_url: Option<String>,
    /// API key sent as a bearer token (local servers may need none)
    ai_api_key: Option<SecretString>,
    /// the model to ask, e.g. gpt-4o-mini or llama3.1 (required with ai_base_url)
    ai_model: Option<String>,
    /// prices per million input/output tokens for the cost ledger,
    /// e.g. gpt-4o-mini=0.15/0.60;llama3.1=0/0 (unlisted models cost nothing)
    ai_prices: Option<String>,
    /// currency of ai_prices
    ai_currency: String = "USD",
    /// most output tokens one generation may use
    ai_max_output_tokens: String = "1500",
    /// longest a generation may take on the AI service
    ai_timeout_secs: String = "120",
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
    #[error("unknown key `{key}` in the config file {path}; known keys: {known}{hint}")]
    UnknownFileKey {
        key: String,
        path: PathBuf,
        hint: String,
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
    #[error("the configuration could not be read: {0}")]
    Layers(String),
}

/// The effective configuration. Secrets are `SecretString`s, so `Debug`
/// redacts them.
#[derive(Clone, Debug)]
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
    /// The OpenAI-compatible AI service drafts are written with; the
    /// built-in template engine when unset.
    pub ai: Option<AiService>,
    /// Prices of the AI models for the cost ledger.
    pub ai_prices: herald_studio::Prices,
    /// YouTube uploads Herald may start per Pacific day, for every
    /// workspace together.
    pub youtube_daily_uploads: u32,
    /// The most output tokens one generation may use.
    pub ai_max_output_tokens: u32,
    /// Where each key's value came from.
    pub sources: BTreeMap<&'static str, Source>,
    /// Each configured key's value as `herald config` shows it (secrets redacted).
    shown: BTreeMap<&'static str, String>,
    /// Things worth a warning once logging is up (misspelled variables).
    pub warnings: Vec<String>,
}

/// An OpenAI-compatible API (OpenAI, Ollama, vLLM, llama.cpp's server).
#[derive(Clone, Debug)]
pub struct AiService {
    pub endpoint: AiEndpoint,
    pub api_key: Option<SecretString>,
    pub model: String,
    /// The longest one generation may take.
    pub timeout: Duration,
}

/// Where the OpenAI-compatible API is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AiEndpoint {
    /// A base URL without a trailing slash, e.g. `https://api.openai.com/v1`.
    Url(String),
    /// The sandbox's simulated API (`HERALD_AI_BASE_URL=sandbox`), with the
    /// sandbox's generated key.
    Sandbox,
}

/// Where media files are kept.
#[derive(Clone, Debug)]
pub enum MediaStore {
    /// A local folder (`DATA_DIR/media` unless `HERALD_MEDIA_DIR`).
    Local(PathBuf),
    /// An S3-compatible bucket.
    S3(S3Settings),
}

/// An S3-compatible bucket for media.
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug)]
pub struct SandboxSecrets {
    pub meta: SecretString,
    pub instagram: SecretString,
    pub tiktok: SecretString,
    pub google: SecretString,
    /// The simulated OpenAI-compatible API's key.
    pub ai: SecretString,
}

/// One platform app: client id and secret.
#[derive(Clone, Debug)]
pub struct PlatformApp {
    pub client_id: String,
    /// The current secret: the first of the configured list.
    pub client_secret: SecretString,
    /// Every configured secret, the current one first: all are accepted on
    /// incoming webhooks while the app secret is being rotated.
    pub accepted_secrets: Vec<SecretString>,
}

/// The configured platform apps.
#[derive(Clone, Debug, Default)]
pub struct PlatformApps {
    pub facebook: Option<PlatformApp>,
    pub instagram: Option<PlatformApp>,
    pub tiktok: Option<PlatformApp>,
    pub youtube: Option<PlatformApp>,
}

/// One layer of values, as a figment provider named after its [`Source`].
struct Layer {
    source: Source,
    values: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.source.to_string())
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.values.clone()))
    }
}

impl Layer {
    fn defaults() -> Layer {
        let values = KEYS
            .iter()
            .filter_map(|k| Some((k.name.to_owned(), Value::from(k.default?))))
            .collect();
        Layer {
            source: Source::Default,
            values,
        }
    }

    /// The TOML file: each key's value as text, as if it came from the
    /// environment.
    fn file(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        let table: toml::Table =
            toml::from_str(&text).map_err(|source| ConfigError::ParseFile {
                path: path.to_owned(),
                source,
            })?;
        let values = table
            .into_iter()
            .map(|(key, value)| {
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    _ => {
                        let path = path.to_owned();
                        return Err(ConfigError::BadFileValue { key, path });
                    }
                };
                Ok((key, Value::from(text)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Layer {
            source: Source::ConfigFile(path.to_owned()),
            values,
        })
    }

    /// `HERALD_*` and `HERALD_*_FILE`, one layer per variable, and a warning
    /// for each variable that looks like Herald's but is not.
    fn environment(
        env: &BTreeMap<String, String>,
        layers: &mut Vec<Layer>,
    ) -> Result<Vec<String>, ConfigError> {
        for key in KEYS {
            let var = env_name(key.name);
            let file_var = format!("{var}_FILE");
            let (value, source) = match (env.get(&var), env.get(&file_var)) {
                (Some(_), Some(_)) => return Err(ConfigError::Both { var }),
                (Some(value), None) => (value.clone(), Source::Env(var)),
                (None, Some(path)) => {
                    let path = PathBuf::from(path);
                    let raw = std::fs::read_to_string(&path).map_err(|source| {
                        ConfigError::ReadSecret {
                            var: file_var.clone(),
                            path: path.clone(),
                            source,
                        }
                    })?;
                    // Files written by editors and `echo` end in a newline.
                    let value = raw.trim_end_matches(['\n', '\r']).to_owned();
                    let var = file_var;
                    (value, Source::EnvFile { var, path })
                }
                (None, None) => continue,
            };
            let values = Dict::from([(key.name.to_owned(), Value::from(value))]);
            layers.push(Layer { source, values });
        }
        let known: Vec<String> = KEYS
            .iter()
            .flat_map(|k| [env_name(k.name), format!("{}_FILE", env_name(k.name))])
            .chain(["HERALD_CONFIG".to_owned()])
            .collect();
        Ok(env
            .keys()
            .filter(|var| !known.contains(var) && !var.starts_with("HERALD_TEST_"))
            .map(|var| {
                let hint = did_you_mean(var, known.iter().map(String::as_str));
                format!("ignoring unknown environment variable {var}{hint}")
            })
            .collect())
    }
}

/// The merged layers, for error messages: each key's value and source.
struct Layered {
    figment: Figment,
    sources: BTreeMap<&'static str, Source>,
}

impl Layered {
    fn invalid(&self, name: &'static str, expected: &str) -> ConfigError {
        let shown = if KEYS.iter().any(|k| k.name == name && k.secret) {
            REDACTED.to_owned()
        } else {
            let value = self.figment.find_value(name).ok();
            value.and_then(Value::into_string).unwrap_or_default()
        };
        ConfigError::Invalid {
            var: env_name(name),
            shown,
            source_of: self.sources.get(name).cloned().unwrap_or(Source::Default),
            expected: expected.to_owned(),
        }
    }

    fn required(name: &'static str, why: &'static str) -> ConfigError {
        ConfigError::Required {
            var: env_name(name),
            why,
        }
    }
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
        let mut layers = vec![Layer::defaults()];
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env.get("HERALD_CONFIG").map(PathBuf::from));
        if let Some(path) = &file {
            layers.push(Layer::file(path)?);
        }
        let warnings = Layer::environment(env, &mut layers)?;
        let figment = layers
            .iter()
            .fold(Figment::new(), |figment, layer| figment.merge(layer));
        // The layer figment took each key from, found by its name.
        let sources = KEYS
            .iter()
            .filter_map(|k| {
                let name = &figment.find_metadata(k.name)?.name;
                let layer = layers.iter().find(|l| l.source.to_string() == *name)?;
                Some((k.name, layer.source.clone()))
            })
            .collect();
        let shown = KEYS
            .iter()
            .filter_map(|k| {
                let raw = figment.find_value(k.name).ok()?.into_string()?;
                Some((k.name, (k.show)(&raw)))
            })
            .collect();
        let layered = Layered { figment, sources };
        let settings: Settings =
            layered
                .figment
                .extract()
                .map_err(|error| match (&error.kind, file) {
                    (figment::error::Kind::UnknownField(key, known), Some(path)) => {
                        ConfigError::UnknownFileKey {
                            hint: did_you_mean(key, known.iter().copied()),
                            key: key.clone(),
                            path,
                            known: known.join(", "),
                        }
                    }
                    _ => ConfigError::Layers(error.to_string()),
                })?;
        let mut config = settings.validate(&layered)?;
        config.sources = layered.sources;
        config.shown = shown;
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
            return Err(SecretsError::Config(Layered::required(
                "session_secret",
                "sessions and CSRF tokens are signed with it; generate one with `openssl rand -base64 48`",
            )));
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
            ai: load("ai")?,
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
        KEYS.iter()
            .map(|k| {
                let value = self
                    .derived(k.name)
                    .or_else(|| self.shown.get(k.name).cloned())
                    .unwrap_or_else(|| "(unset)".to_owned());
                let source = self
                    .sources
                    .get(k.name)
                    .map_or_else(|| "derived".to_owned(), ToString::to_string);
                (env_name(k.name), value, source)
            })
            .collect()
    }

    /// The effective value of a key Herald derives or normalises, as
    /// `herald config` shows it.
    fn derived(&self, name: &str) -> Option<String> {
        let secret = |value: &Option<SecretString>| match value {
            Some(_) => Some(REDACTED.to_owned()),
            None if self.mode == Mode::Development => {
                Some("(generated into the data folder at start)".to_owned())
            }
            None => None,
        };
        Some(match name {
            "mode" => match self.mode {
                Mode::Development => "development".into(),
                Mode::Production => "production".into(),
            },
            "database_url" => herald_db::redact_url(self.database_url.expose_secret()),
            "public_url" => self.public_url.clone(),
            "session_secret" => return secret(&self.session_secret),
            "meta_verify_token" => return secret(&self.meta_verify_token),
            "log_format" => match self.log_format {
                LogFormat::Pretty => "pretty".into(),
                LogFormat::Json => "json".into(),
            },
            "sandbox" => if self.sandbox { "on" } else { "off" }.into(),
            "media_dir" => match &self.media_store {
                MediaStore::Local(dir) => dir.display().to_string(),
                MediaStore::S3(_) => "(unused: media are kept in S3)".into(),
            },
            "credential_keys_file" => self.credential_keys_path().display().to_string(),
            _ => return None,
        })
    }

    /// Help text for every key, for `herald config --keys` and the README.
    pub fn key_help() -> Vec<(String, Option<&'static str>, &'static str, bool)> {
        KEYS.iter()
            .map(|k| (env_name(k.name), k.default, k.help.trim(), k.secret))
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

/// A value trimmed, when it is not blank.
fn text(value: Option<&str>) -> Option<String> {
    Some(value?.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A secret trimmed, when it is not blank.
fn secret_text(value: &Option<SecretString>) -> Option<String> {
    text(value.as_ref().map(ExposeSecret::expose_secret))
}

fn is_http(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

impl Settings {
    /// The typed configuration, or the first value that is not acceptable.
    fn validate(self, at: &Layered) -> Result<Config, ConfigError> {
        // A field names its key: these macros take the field, not a string.
        macro_rules! bad {
            ($key:ident, $expected:expr) => {
                return Err(at.invalid(stringify!($key), $expected))
            };
        }
        macro_rules! required {
            ($key:ident, $why:expr) => {
                return Err(Layered::required(stringify!($key), $why))
            };
        }
        macro_rules! number {
            ($key:ident, $range:expr, $expected:expr) => {
                match self.$key.trim().parse::<u64>() {
                    Ok(n) if ($range).contains(&n) => n,
                    _ => bad!($key, $expected),
                }
            };
        }
        macro_rules! url {
            ($key:ident, $schemes:expr, $expected:expr) => {
                match self.$key.as_ref().map(|url| url.0.expose_secret().trim()) {
                    Some(url)
                        if $schemes.iter().any(|scheme: &&str| {
                            url.strip_prefix(scheme)
                                .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
                        }) =>
                    {
                        Some(SecretString::from(url))
                    }
                    Some(_) => bad!($key, $expected),
                    None => None,
                }
            };
        }
        macro_rules! app {
            ($id:ident, $secret:ident) => {
                match (text(self.$id.as_deref()), secret_text(&self.$secret)) {
                    (None, None) => None,
                    (Some(_), None) => required!($secret, "an app id needs its secret"),
                    (None, Some(_)) => required!($id, "an app secret needs its id"),
                    (Some(client_id), Some(list)) => {
                        let accepted: Vec<SecretString> = list
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(SecretString::from)
                            .collect();
                        let Some(client_secret) = accepted.first().cloned() else {
                            bad!($secret, "an app secret")
                        };
                        Some(PlatformApp {
                            client_id,
                            client_secret,
                            accepted_secrets: accepted,
                        })
                    }
                }
            };
        }

        let mode = match self.mode.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Mode::Development,
            "production" | "prod" => Mode::Production,
            _ => bad!(mode, "development or production"),
        };
        let Ok(listen) = self.listen.trim().parse::<SocketAddr>() else {
            bad!(
                listen,
                "an address and port such as 127.0.0.1:8080 or 0.0.0.0:8080"
            )
        };
        let data_dir = PathBuf::from(&self.data_dir);
        if data_dir.as_os_str().is_empty() {
            bad!(data_dir, "a folder path");
        }
        let database_url = match self
            .database_url
            .as_ref()
            .map(|u| u.0.expose_secret().trim())
        {
            Some(url)
                if ["sqlite:", "postgres://", "postgresql://"]
                    .iter()
                    .any(|scheme| url.starts_with(scheme)) =>
            {
                url.to_owned()
            }
            Some(_) => bad!(
                database_url,
                "sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            ),
            None => format!("sqlite://{}", data_dir.join("herald.db").display()),
        };
        let public_url = match self
            .public_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/'))
        {
            Some(url) => match url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))
            {
                Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => url.to_owned(),
                _ => bad!(
                    public_url,
                    "an absolute http:// or https:// URL such as https://herald.example.com"
                ),
            },
            None if mode == Mode::Production => required!(
                public_url,
                "links in mail and OAuth redirect URIs are built from it"
            ),
            None => match listen.ip() {
                ip if ip.is_unspecified() => format!("http://127.0.0.1:{}", listen.port()),
                std::net::IpAddr::V6(ip) => format!("http://[{ip}]:{}", listen.port()),
                ip => format!("http://{ip}:{}", listen.port()),
            },
        };
        let session_secret = match self.session_secret {
            Some(s) if s.expose_secret().chars().count() < 32 => {
                bad!(session_secret, "at least 32 characters")
            }
            secret => secret,
        };
        let log_format = self
            .log_format
            .as_deref()
            .map(|v| v.trim().to_ascii_lowercase());
        let log_format = match log_format.as_deref() {
            None if mode == Mode::Development => LogFormat::Pretty,
            None | Some("json") => LogFormat::Json,
            Some("pretty" | "text") => LogFormat::Pretty,
            Some(_) => bad!(log_format, "pretty or json"),
        };
        if tracing_subscriber::EnvFilter::try_new(&self.log).is_err() {
            bad!(log, "a filter such as info or herald=debug,sqlx=warn");
        }
        const WHOLE: &str = "a whole number from 1 to 1000";
        let worker_concurrency = number!(worker_concurrency, 1..=1000, WHOLE);
        let database_max_connections = number!(database_max_connections, 1..=1000, WHOLE);
        let request_timeout = number!(request_timeout_secs, 1.., "a number of seconds, at least 1");
        let body_limit = number!(body_limit_bytes, 1.., "a number of bytes, at least 1");
        let shutdown_grace = number!(shutdown_grace_secs, 0.., "a number of seconds");
        let redis_url = url!(
            redis_url,
            ["redis://", "rediss://"],
            "redis://HOST:PORT or rediss://HOST:PORT"
        );
        let smtp_url = url!(
            smtp_url,
            ["smtp://", "smtps://"],
            "smtps://USER:PASSWORD@HOST:465 or smtp://USER:PASSWORD@HOST:587?tls=required"
        );
        if smtp_url.is_none() && mode == Mode::Production {
            required!(
                smtp_url,
                "verification, password-reset and invitation mail must reach people; the development mailbox exists only in development mode"
            );
        }
        let mail_from = self.mail_from.trim().to_owned();
        if !mail_from.contains('@') || mail_from.contains(['\r', '\n']) {
            bad!(
                mail_from,
                "an address such as no-reply@example.com or Herald <no-reply@example.com>"
            );
        }
        let platforms = PlatformApps {
            facebook: app!(meta_app_id, meta_app_secret),
            instagram: app!(instagram_app_id, instagram_app_secret),
            tiktok: app!(tiktok_client_key, tiktok_client_secret),
            youtube: app!(google_client_id, google_client_secret),
        };
        let sandbox = match self.sandbox.trim() {
            "auto" => mode == Mode::Development,
            "on" => true,
            "off" => false,
            _ => bad!(sandbox, "auto, on or off"),
        };
        let sandbox_url = match self
            .sandbox_url
            .as_deref()
            .map(|u| u.trim().trim_end_matches('/'))
        {
            Some(url) if is_http(url) => Some(url.to_owned()),
            Some(_) => bad!(sandbox_url, "http://HOST:PORT or https://HOST"),
            None => None,
        };
        let media_max_bytes = number!(media_max_bytes, 1.., "a number of bytes, at least 1");
        let s3_access_key_id = text(self.s3_access_key_id.as_deref());
        let s3_secret_access_key = secret_text(&self.s3_secret_access_key);
        let s3_endpoint = text(self.s3_endpoint.as_deref());
        let media_store = match text(self.s3_bucket.as_deref()) {
            None if s3_endpoint.is_some()
                || s3_access_key_id.is_some()
                || s3_secret_access_key.is_some() =>
            {
                required!(s3_bucket, "the other S3 settings name no bucket without it")
            }
            None => MediaStore::Local(
                text(self.media_dir.as_deref())
                    .map_or_else(|| data_dir.join("media"), PathBuf::from),
            ),
            Some(bucket) => {
                let endpoint = match s3_endpoint {
                    Some(url) if is_http(&url) => Some(url.trim_end_matches('/').to_owned()),
                    Some(_) => bad!(
                        s3_endpoint,
                        "an http:// or https:// URL such as https://s3.example.com"
                    ),
                    None => None,
                };
                match (&s3_access_key_id, &s3_secret_access_key) {
                    (Some(_), None) => {
                        required!(s3_secret_access_key, "an access key id needs its secret")
                    }
                    (None, Some(_)) => {
                        required!(s3_access_key_id, "a secret access key needs its id")
                    }
                    _ => {}
                }
                let path_style = match self.s3_path_style.trim() {
                    "" | "true" => true,
                    "false" => false,
                    _ => bad!(s3_path_style, "true or false"),
                };
                MediaStore::S3(S3Settings {
                    endpoint,
                    bucket,
                    region: text(Some(&self.s3_region)).unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: s3_access_key_id,
                    secret_access_key: s3_secret_access_key.map(SecretString::from),
                    path_style,
                })
            }
        };
        let nats_url = match self.nats_url.as_ref().map(|url| url.expose_secret().trim()) {
            Some(url) if url.starts_with("nats://") || url.starts_with("tls://") => {
                Some(SecretString::from(url))
            }
            Some(_) => bad!(nats_url, "nats://HOST:PORT or tls://HOST:PORT"),
            None => None,
        };
        let nats_stream = self.nats_stream.trim().to_owned();
        let stream_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if nats_stream.is_empty() || !nats_stream.chars().all(stream_char) {
            bad!(nats_stream, "letters, digits, - and _");
        }
        let webhook_allow_private = match self.webhook_allow_private.trim() {
            "true" | "1" | "yes" => true,
            "false" | "0" | "no" => false,
            _ => bad!(webhook_allow_private, "true or false"),
        };
        let Ok(trusted_proxies) = (self.trusted_proxies.as_deref().unwrap_or_default())
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<ipnet::IpNet>()
                    .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
            })
            .collect::<Result<Vec<_>, _>>()
        else {
            bad!(
                trusted_proxies,
                "addresses or CIDRs, comma-separated, such as 127.0.0.1,10.0.0.0/8"
            )
        };
        let name = text(self.operator_name.as_deref());
        let operator = match (name, text(self.operator_contact.as_deref())) {
            (None, None) => None,
            (Some(_), None) => bad!(
                operator_contact,
                "an e-mail or postal address, set together with operator_name"
            ),
            (None, Some(_)) => bad!(
                operator_name,
                "the operator's name, set together with operator_contact"
            ),
            (Some(name), Some(contact)) => {
                let one_line =
                    |v: &str| v.chars().count() <= 200 && !v.chars().any(char::is_control);
                const LINE: &str = "one line of at most 200 characters";
                if !one_line(&name) {
                    bad!(operator_name, LINE);
                }
                if !one_line(&contact) {
                    bad!(operator_contact, LINE);
                }
                Some((name, contact))
            }
        };
        let youtube_daily_uploads = number!(
            youtube_daily_uploads,
            1..=1_000_000,
            "a whole number of uploads per day, from 1 to 1000000"
        );
        let ai_max_output_tokens = number!(
            ai_max_output_tokens,
            16..=100_000,
            "a number of tokens from 16 to 100000"
        );
        let ai_timeout = number!(
            ai_timeout_secs,
            5..=3600,
            "a number of seconds from 5 to 3600"
        );
        let ai = match (
            self.ai_base_url
                .as_deref()
                .map(|u| u.trim().trim_end_matches('/'))
                .filter(|u| !u.is_empty()),
            text(self.ai_model.as_deref()),
        ) {
            (None, _) => None,
            (Some("sandbox"), _) if !sandbox => bad!(
                ai_base_url,
                "an API URL: `sandbox` needs the sandbox on (development, or HERALD_SANDBOX=on)"
            ),
            (Some("sandbox"), model) => Some(AiService {
                endpoint: AiEndpoint::Sandbox,
                api_key: None,
                model: model.unwrap_or_else(|| "gpt-4o-mini".to_owned()),
                timeout: Duration::from_secs(ai_timeout),
            }),
            (Some(url), _) if !is_http(url) => bad!(
                ai_base_url,
                "http://HOST:PORT/v1 or https://HOST/v1 (an OpenAI-compatible API)"
            ),
            (Some(_), None) => required!(
                ai_model,
                "the AI service needs to be told which model to use (e.g. gpt-4o-mini, llama3.1)"
            ),
            (Some(url), Some(model)) => Some(AiService {
                endpoint: AiEndpoint::Url(url.to_owned()),
                api_key: secret_text(&self.ai_api_key).map(SecretString::from),
                model,
                timeout: Duration::from_secs(ai_timeout),
            }),
        };
        let ai_prices = match herald_studio::Prices::parse(
            self.ai_prices.as_deref().unwrap_or_default(),
            &self.ai_currency,
        ) {
            Ok(p) => p,
            Err(_)
                if self
                    .ai_prices
                    .as_deref()
                    .is_some_and(|p| !p.trim().is_empty()) =>
            {
                bad!(
                    ai_prices,
                    "model=INPUT/OUTPUT prices per million tokens, separated by ; (gpt-4o-mini=0.15/0.60)"
                )
            }
            Err(_) => bad!(
                ai_currency,
                "a three-letter currency code such as USD or EUR"
            ),
        };
        Ok(Config {
            mode,
            listen,
            data_dir,
            database_url: SecretString::from(database_url),
            public_url,
            session_secret,
            log: self.log,
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
            credential_keys_file: (self.credential_keys_file.as_deref())
                .map(|path| PathBuf::from(path.trim())),
            media_store,
            media_max_bytes,
            nats_url,
            nats_stream,
            meta_verify_token: secret_text(&self.meta_verify_token).map(SecretString::from),
            webhook_allow_private,
            trusted_proxies,
            metrics_token: secret_text(&self.metrics_token).map(SecretString::from),
            operator,
            ai,
            ai_prices,
            ai_max_output_tokens: ai_max_output_tokens as u32,
            youtube_daily_uploads: youtube_daily_uploads as u32,
            sources: BTreeMap::new(),
            shown: BTreeMap::new(),
            warnings: Vec::new(),
        })
    }
}

/// "; did you mean X?" for the `known` name closest to `word`, if any is close.
fn did_you_mean<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|k| (edit_distance(k, word), k))
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| format!("; did you mean {k}?"))
        .unwrap_or_default()
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
        assert!(err.to_string().contains("did you mean listen?"), "{err}");

        std::fs::write(&file, "listen = [\"127.0.0.1:1\"]\n").unwrap();
        let err = Config::from_sources(Some(&file), &env(&[])).unwrap_err();
        assert!(
            err.to_string().contains("`listen` in the config file")
                && err.to_string().contains("string, number or boolean"),
            "{err}"
        );
    }

    #[test]
    fn help_comes_from_the_declaration_of_each_key() {
        let help = Config::key_help();
        assert_eq!(help.len(), KEYS.len());
        let find = |var: &str| help.iter().find(|(v, ..)| v == var).unwrap().clone();
        assert_eq!(
            find("HERALD_LISTEN"),
            (
                "HERALD_LISTEN".to_owned(),
                Some("127.0.0.1:8080"),
                "address and port to serve HTTP on",
                false
            )
        );
        let (_, default, text, secret) = find("HERALD_SMTP_URL");
        assert_eq!((default, secret), (None, true));
        // A doc comment of several lines is one line of help.
        assert!(
            text.starts_with("smtps://USER:PASSWORD@HOST:465 (TLS) or smtp://")
                && text.contains("?tls=required (STARTTLS); required in production")
                && !text.contains("  "),
            "{text}"
        );
        for secret in [
            "HERALD_SESSION_SECRET",
            "HERALD_META_APP_SECRET",
            "HERALD_NATS_URL",
        ] {
            assert!(find(secret).3, "{secret}");
        }
    }

    #[test]
    fn config_shows_every_key_with_the_layer_it_came_from() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("herald.toml");
        std::fs::write(
            &file,
            "worker_concurrency = 4\nwebhook_allow_private = true\nlog = \"warn\"\n",
        )
        .unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, "metrics-t0ken\n").unwrap();
        let c = Config::from_sources(
            Some(&file),
            &env(&[
                ("HERALD_LOG", "debug"),
                ("HERALD_METRICS_TOKEN_FILE", token.to_str().unwrap()),
                ("HERALD_NATS_URL", "nats://user:natspw@nats:4222"),
            ]),
        )
        .unwrap();
        assert_eq!(c.worker_concurrency, 4);
        assert!(c.webhook_allow_private);
        let rows = c.describe();
        assert_eq!(rows.len(), KEYS.len());
        let row = |var: &str| {
            let (_, value, source) = rows.iter().find(|(v, ..)| v == var).unwrap();
            (value.as_str(), source.as_str())
        };
        let in_file = format!("config file {}", file.display());
        assert_eq!(row("HERALD_LISTEN"), ("127.0.0.1:8080", "default"));
        assert_eq!(row("HERALD_WORKER_CONCURRENCY"), ("4", in_file.as_str()));
        assert_eq!(
            row("HERALD_WEBHOOK_ALLOW_PRIVATE"),
            ("true", in_file.as_str())
        );
        assert_eq!(row("HERALD_LOG"), ("debug", "environment HERALD_LOG"));
        let from_file = format!("HERALD_METRICS_TOKEN_FILE ({})", token.display());
        assert_eq!(
            row("HERALD_METRICS_TOKEN"),
            ("[redacted]", from_file.as_str())
        );
        assert_eq!(
            row("HERALD_NATS_URL"),
            ("[redacted]", "environment HERALD_NATS_URL")
        );
        assert_eq!(row("HERALD_REDIS_URL"), ("(unset)", "derived"));
        assert_eq!(
            row("HERALD_DATABASE_URL"),
            ("sqlite://./herald-data/herald.db", "derived")
        );
        assert_eq!(row("HERALD_SANDBOX"), ("on", "default"));
        let shown = format!("{rows:?} {c:?}");
        assert!(
            !shown.contains("t0ken") && !shown.contains("natspw"),
            "{shown}"
        );
    }
}
