//! Wiring: turns a [`Config`] into a running web server and/or worker.

use herald_core::Named;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use anyhow::Context;
use herald_core::{Clock, SystemClock};
use herald_db::{ConnectOptions, Db, Notifications};
use herald_jobs::{Queue, Registry, Worker, WorkerOptions};
use herald_mail::MailTransport;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Mode};

/// Opens the configured database and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let url = config.database_url.expose_secret();
    let db = Db::connect(
        url,
        &ConnectOptions {
            max_connections: config.database_max_connections,
            ..ConnectOptions::default()
        },
    )
    .await?;
    db.migrate()
        .await
        .with_context(|| format!("could not migrate the {} database", db.backend().as_str()))?;
    Ok(db)
}

/// Which process is being wired: the server also serves the built-in
/// sandbox (when some provider uses it); a worker only calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    Server,
    Worker,
}

/// Every service of one Herald process, built one way for `serve`,
/// `worker` and the publish benchmark: a service added here is there for
/// all of them.
pub struct Services {
    pub db: Db,
    pub queue: Queue,
    pub accounts: herald_accounts::Accounts,
    pub platforms: crate::platforms::Platforms,
    pub media: herald_media::MediaLibrary,
    /// Domain events waiting for the relay.
    pub outbox: herald_events::Outbox,
    pub publishing: herald_publishing::Publishing,
    pub webhooks: crate::webhooks::Webhooks,
    pub inbox: herald_webhooks::inbox::Inbox,
    pub privacy: herald_privacy::Privacy,
    pub retention: crate::retention::Retention,
    /// Notification mail and the weekly digest.
    pub notify: crate::notify::Notify,
    /// The content studio: catalog, AI drafting, drafts.
    pub studio: herald_studio::Studio,
    /// Analytics and the learning hub.
    pub analytics: herald_analytics::Analytics,
}

impl Services {
    /// Builds every service on `db`, with `clock` as every part's "now",
    /// and makes sure the recurring retention purge is scheduled.
    pub async fn build(
        config: &Config,
        db: Db,
        clock: Arc<dyn Clock>,
        process: Process,
    ) -> anyhow::Result<Self> {
        // The worker and the events relay wait on one set of wake-ups: one
        // LISTEN connection per process on PostgreSQL.
        let notifications = Notifications::new(&db);
        let queue = Queue::with_notifications(db.clone(), clock.clone(), notifications.clone());
        let accounts =
            crate::accounts::build(config, db.clone(), queue.clone(), clock.clone()).await?;
        let platforms = crate::platforms::build(
            config,
            db.clone(),
            queue.clone(),
            accounts.clone(),
            clock.clone(),
            process == Process::Server,
        )?;
        let media = crate::media::build(config, db.clone(), clock.clone())?;
        let outbox =
            herald_events::Outbox::with_notifications(db.clone(), clock.clone(), notifications);
        let publishing = crate::publishing::build(
            db.clone(),
            queue.clone(),
            platforms.connections.clone(),
            media.clone(),
            platforms.publishers.clone(),
            outbox.clone(),
        );
        let webhooks = crate::webhooks::build(
            config,
            db.clone(),
            queue.clone(),
            clock.clone(),
            platforms.vault.clone(),
        )
        .await?;
        let notify = crate::notify::build(
            config,
            db.clone(),
            queue.clone(),
            clock.clone(),
            publishing.clone(),
        )
        .await?;
        let inbox = crate::inbox::build(
            db.clone(),
            queue.clone(),
            clock.clone(),
            platforms.connections.clone(),
            publishing.clone(),
            platforms.engagers.clone(),
        )
        .await?;
        let studio = crate::studio::build(config, db.clone(), queue.clone(), clock.clone()).await?;
        let analytics = crate::analytics::build(
            db.clone(),
            queue.clone(),
            clock.clone(),
            &platforms,
            accounts.limiter().clone(),
            studio.clone(),
        )
        .await?;
        let privacy = crate::privacy::build(
            config,
            db.clone(),
            queue.clone(),
            clock.clone(),
            herald_privacy::Services {
                accounts: accounts.clone(),
                connections: platforms.connections.clone(),
                publishing: publishing.clone(),
                media: media.clone(),
                outbound: webhooks.outbound.clone(),
                notifications: webhooks.notifications.clone(),
                studio: studio.clone(),
            },
        )?;
        let retention = crate::retention::Retention::new(
            db.clone(),
            queue.clone(),
            accounts.clone(),
            platforms.connections.clone(),
            privacy.clone(),
        );
        retention
            .ensure_scheduled()
            .await
            .context("could not schedule the retention purge")?;
        herald_connections::jobs::schedule_expiry_check(&platforms.connections)
            .await
            .context("could not schedule the connection expiry check")?;
        Ok(Self {
            db,
            queue,
            accounts,
            platforms,
            media,
            outbox,
            publishing,
            webhooks,
            inbox,
            privacy,
            retention,
            notify,
            studio,
            analytics,
        })
    }

    /// Every job kind this build of Herald can run; mail goes out through
    /// `transport`.
    pub fn registry(&self, transport: Arc<dyn MailTransport>) -> Registry {
        let connections = &self.platforms.connections;
        let mut registry = Registry::new();
        self.retention.register(&mut registry);
        self.privacy.register(&mut registry);
        registry.register::<herald_jobs::system::Ping, _>(herald_jobs::system::PingHandler);
        herald_mail::register(&mut registry, self.db.clone(), transport);
        herald_media::jobs::register(&mut registry, self.media.clone(), connections.clone());
        herald_connections::jobs::register(&mut registry, connections.clone(), keyring());
        herald_publishing::register(&mut registry, self.publishing.clone());
        self.notify.register(&mut registry);
        self.inbox.register_jobs(&mut registry);
        self.studio.register(&mut registry);
        self.analytics.register(&mut registry);
        let webhooks = self.webhooks.clone();
        herald_webhooks::register(
            &mut registry,
            webhooks.inbound,
            webhooks.callbacks,
            webhooks.outbound,
            webhooks.retention,
        );
        registry
    }

    /// The services the web layer serves.
    pub fn web(&self) -> herald_web::Services {
        herald_web::Services {
            accounts: self.accounts.clone(),
            connections: self.platforms.connections.clone(),
            publishing: self.publishing.clone(),
            media: self.media.clone(),
            webhooks: self.webhooks.web(),
            inbox: self.inbox.clone(),
            privacy: self.privacy.clone(),
            studio: self.studio.clone(),
            analytics: self.analytics.clone(),
        }
    }
}

/// Every set of values sealed with the credential vault: a key rotation
/// re-encrypts them all and a key is retired only when none uses it.
pub fn keyring() -> herald_connections::sealed::Keyring {
    herald_connections::sealed::Keyring::new(vec![
        Arc::new(herald_connections::sealed::ConnectionSecrets),
        Arc::new(herald_webhooks::outbound::EndpointSecrets),
    ])
}

/// SMTP when HERALD_SMTP_URL is set, the development mailbox otherwise
/// (development mode only).
pub fn mail_transport(config: &Config) -> anyhow::Result<Arc<dyn MailTransport>> {
    Ok(herald_mail::transport_from_config(
        config
            .smtp_url
            .as_ref()
            .map(secrecy::ExposeSecret::expose_secret),
        &config.mail_from,
        config.mode == Mode::Development,
    )?)
}

pub fn worker_options(config: &Config) -> WorkerOptions {
    WorkerOptions {
        default_concurrency: config.worker_concurrency,
        shutdown_grace: config.shutdown_grace,
        ..WorkerOptions::default()
    }
}

/// Makes the data folder and the secrets ready; logs what was generated.
pub fn prepare(config: &mut Config) -> anyhow::Result<()> {
    // The folder holds the database and generated keys: only Herald's user
    // may enter it when Herald creates it.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&config.data_dir)
        .with_context(|| {
            format!(
                "could not create the data folder {}",
                config.data_dir.display()
            )
        })?;
    for note in config.ensure_secrets()? {
        tracing::warn!("{note}");
    }
    Ok(())
}

/// A started instance: the HTTP server and the worker, running until
/// [`Running::stop`] (or its shutdown token fires).
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub db: Db,
    /// The instance's queue: jobs enqueued through it wake its worker at
    /// once.
    pub queue: Queue,
    pub shutdown: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Waits until the instance has stopped (after its token fired).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("the server task panicked")?
    }

    /// Stops gracefully: in-flight requests and jobs finish first.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        self.wait().await
    }
}

/// Starts the web app, API, worker and scheduler on `listener` (or on the
/// configured address).
pub async fn start(config: Config, listener: Option<TcpListener>) -> anyhow::Result<Running> {
    start_with_clock(config, listener, Arc::new(SystemClock)).await
}

/// [`start`] with the clock every part of the instance asks for "now":
/// tests pass a `ManualClock` to decide when retries and expiries come due
/// instead of racing real time.
pub async fn start_with_clock(
    mut config: Config,
    listener: Option<TcpListener>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Running> {
    prepare(&mut config)?;
    let metrics = crate::telemetry::init_metrics()?;
    let db = open_database(&config).await?;
    let listener = match listener {
        Some(l) => l,
        None => TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("could not listen on {} (HERALD_LISTEN)", config.listen))?,
    };
    let addr = listener.local_addr()?;
    let services = Services::build(&config, db.clone(), clock, Process::Server).await?;
    let registry = services.registry(mail_transport(&config)?);
    let queue = services.queue.clone();
    queue.report_queues(registry.queues());
    let session_secret = config
        .session_secret
        .as_ref()
        .context("the session secret is missing")?
        .expose_secret()
        .to_owned();
    let state = herald_web::AppState::new(
        db.clone(),
        queue.clone(),
        metrics,
        herald_web::SiteConfig {
            public_url: config.public_url.clone(),
            development: config.mode == Mode::Development,
            dev_mailbox: config.mode == Mode::Development && config.smtp_url.is_none(),
            trusted_proxies: config.trusted_proxies.clone(),
            metrics_token: config
                .metrics_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            sandbox_in_production: config.mode == Mode::Production && config.sandbox,
            operator: config
                .operator
                .as_ref()
                .map(|(name, contact)| herald_web::Operator {
                    name: name.clone(),
                    contact: contact.clone(),
                }),
            retention: crate::retention::policy(services.accounts.settings()),
            meta_verify_token: config.meta_verify_token.is_some(),
            body_limit: config.body_limit,
            request_timeout: config.request_timeout,
            form_targets: services.platforms.form_targets.clone(),
        },
        services.web(),
        &session_secret,
    );
    let sandbox_router = services
        .platforms
        .sandbox
        .as_ref()
        .map(herald_sandbox::Sandbox::router);
    if config.mode == Mode::Development && !addr.ip().is_loopback() {
        tracing::warn!(
            listen = %addr,
            "DEVELOPMENT MODE ON A NETWORK ADDRESS: keys are generated, the sandbox's admin API is \
             open and anyone who can reach {addr} can use this instance; set HERALD_MODE=production \
             (or listen on 127.0.0.1) before anyone else can reach it"
        );
    }
    if config.mode == Mode::Production && config.sandbox {
        tracing::warn!(
            "HERALD_SANDBOX=on in production mode: platforms without app credentials connect to the \
             built-in simulators, not to the real platforms, and every page shows a banner saying so"
        );
    }
    if config.mode == Mode::Production && config.operator.is_none() {
        tracing::warn!(
            "HERALD_OPERATOR_NAME and HERALD_OPERATOR_CONTACT are unset: the privacy notice and \
             terms cannot say who runs this instance, and platform app reviews ask for it"
        );
    }
    if services.platforms.sandbox.is_some() {
        tracing::info!(
            "platforms without app credentials use the built-in sandbox at {}/sandbox",
            config.public_url
        );
    }
    let shutdown = CancellationToken::new();
    let relay_task = crate::publishing::start_relay(
        &config,
        services.outbox,
        &services.webhooks.outbound,
        &services.queue,
        shutdown.child_token(),
    )
    .await?;
    let running_queue = queue.clone();
    let worker = Worker::new(queue, registry, worker_options(&config));
    let worker_task = tokio::spawn(worker.run(shutdown.child_token()));
    tracing::info!(
        listen = %addr,
        database = db.backend().as_str(),
        mode = ?config.mode,
        "Herald is serving on {}",
        config.public_url
    );
    let server_stop = shutdown.clone();
    let stop_all = shutdown.clone();
    let task_db = db.clone();
    let task = tokio::spawn(async move {
        let app = herald_web::app(state, sandbox_router)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { server_stop.cancelled().await })
            .await
            .context("the HTTP server failed");
        stop_all.cancel();
        worker_task.await.context("the worker task panicked")??;
        relay_task.await.context("the event relay panicked")?;
        task_db.close().await;
        served
    });
    Ok(Running {
        addr,
        db,
        queue: running_queue,
        shutdown,
        task,
    })
}

/// `herald serve`: everything in one process, until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let running = start(config, None).await?;
    let token = running.shutdown.clone();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests and jobs");
        token.cancel();
    });
    running.wait().await?;
    tracing::info!("stopped");
    Ok(())
}

/// `herald worker`: background jobs only, for scaling out on PostgreSQL.
pub async fn work(mut config: Config) -> anyhow::Result<()> {
    prepare(&mut config)?;
    if matches!(config.database_url.expose_secret(), u if u.starts_with("sqlite:")) {
        tracing::warn!(
            "a separate worker on SQLite competes with `herald serve` for one file; \
             `herald serve` already runs the worker. Use PostgreSQL to scale out."
        );
    }
    let db = open_database(&config).await?;
    let services =
        Services::build(&config, db.clone(), Arc::new(SystemClock), Process::Worker).await?;
    let shutdown = CancellationToken::new();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        tracing::info!("shutting down: finishing running jobs");
        signal.cancel();
    });
    let registry = services.registry(mail_transport(&config)?);
    let relay_task = crate::publishing::start_relay(
        &config,
        services.outbox,
        &services.webhooks.outbound,
        &services.queue,
        shutdown.child_token(),
    )
    .await?;
    Worker::new(services.queue, registry, worker_options(&config))
        .run(shutdown)
        .await?;
    relay_task.await.context("the event relay panicked")?;
    db.close().await;
    Ok(())
}
