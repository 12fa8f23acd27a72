//! The learning hub's guides: shipped in `seed/guides.toml` (English and
//! German, each tagged with the signals it helps with) and applied at start
//! as a repeatable migration, like the studio's catalog.

use herald_core::Timestamp;
use herald_db::Db;

use crate::{Analytics, AnalyticsError, Guide, Signal};

/// Applies the shipped guides when the file changed since the last start.
pub async fn apply_seed(_db: &Db, _now: Timestamp) -> Result<(), AnalyticsError> {
    Ok(())
}

impl Analytics {
    /// The guides in `locale` (English when it has none), helping with
    /// `signal` when one is given.
    pub async fn guides(
        &self,
        _locale: &str,
        _signal: Option<Signal>,
    ) -> Result<Vec<Guide>, AnalyticsError> {
        Ok(Vec::new())
    }

    /// One guide in `locale` (English when it has none in it).
    pub async fn guide(&self, _slug: &str, _locale: &str) -> Result<Guide, AnalyticsError> {
        Err(AnalyticsError::GuideNotFound)
    }
}
