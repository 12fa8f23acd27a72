//! Herald as a library: configuration, wiring and operator commands, so
//! the `herald` binary stays a thin CLI and tests can start the real app.

pub mod accounts;
pub mod analytics;
pub mod app;
pub mod bench;
pub mod config;
pub mod inbox;
pub mod media;
pub mod notify;
pub mod platforms;
pub mod privacy;
pub mod publishing;
pub mod retention;
pub mod secrets;
pub mod studio;
pub mod telemetry;
pub mod webhooks;

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
