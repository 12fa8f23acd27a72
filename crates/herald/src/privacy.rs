//! Wiring the data-rights service: the services holding a person's data,
//! and where archives are written before they are stored.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use herald_core::Clock;
use herald_db::Db;
use herald_jobs::Queue;
use herald_privacy::{Privacy, Services};

use crate::config::Config;

/// The data-rights service over `services` (every store holding a
/// person's data), with its archive folder under the data folder.
pub fn build(
    config: &Config,
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    services: Services,
) -> anyhow::Result<Privacy> {
    let temp_dir = config.data_dir.join("exports-incoming");
    std::fs::create_dir_all(&temp_dir).with_context(|| {
        format!(
            "could not prepare the folder for data exports {}",
            temp_dir.display()
        )
    })?;
    crate::media::remove_stale(&temp_dir, "herald-export-", STALE_ARCHIVE);
    Ok(Privacy::new(db, queue, clock, services, temp_dir))
}

/// An archive being written is at most this old; older folders were left
/// by a process that died mid-export (its job runs again elsewhere).
const STALE_ARCHIVE: Duration = Duration::from_secs(6 * 3600);
