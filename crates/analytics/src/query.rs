//! The dashboards' figures, read from the fact tables for one workspace,
//! one period and the filter's account, platform and pillar.

use herald_accounts::Authorized;
use herald_core::ConnectionId;

use crate::{
    Analytics, AnalyticsError, BestTimes, Dashboard, Filter, FunnelStep, PlatformRow, Rank,
    Ranking, Refresh, RunView, Series, Summary,
};

impl Analytics {
    /// Everything `/home/analytics` shows, in one read. `time_zone` is the
    /// reader's (the heat map's hours).
    pub async fn dashboard(
        &self,
        auth: &Authorized,
        filter: &Filter,
        time_zone: &str,
    ) -> Result<Dashboard, AnalyticsError> {
        let _ = (auth, filter, time_zone);
        todo!()
    }

    /// Per account and in all: followers, views, reach, engagements,
    /// engagement rate, and their change against the period before.
    pub async fn summary(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Summary, AnalyticsError> {
        let _ = (auth, filter);
        todo!()
    }

    /// Day by day: all accounts added up first, then each account.
    pub async fn growth(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<Series>, AnalyticsError> {
        let _ = (auth, filter);
        todo!()
    }

    /// Views → engagements → profile actions → follows over the period.
    pub async fn funnel(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<FunnelStep>, AnalyticsError> {
        let _ = (auth, filter);
        todo!()
    }

    /// The posts published in the period, best `limit` and worst `limit`
    /// by `rank`.
    pub async fn posts(
        &self,
        auth: &Authorized,
        filter: &Filter,
        rank: Rank,
        limit: u32,
    ) -> Result<Ranking, AnalyticsError> {
        let _ = (auth, filter, rank, limit);
        todo!()
    }

    /// Weekday × hour (in `time_zone`) of the posts published in the
    /// period, with their mean engagement rate.
    pub async fn best_times(
        &self,
        auth: &Authorized,
        filter: &Filter,
        time_zone: &str,
    ) -> Result<BestTimes, AnalyticsError> {
        let _ = (auth, filter, time_zone);
        todo!()
    }

    /// Each platform's totals side by side.
    pub async fn platforms(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<PlatformRow>, AnalyticsError> {
        let _ = (auth, filter);
        todo!()
    }

    /// The workspace's latest ingestion runs, newest first.
    pub async fn runs(&self, auth: &Authorized, limit: u32) -> Result<Vec<RunView>, AnalyticsError> {
        let _ = (auth, limit);
        todo!()
    }

    /// "Refresh now": queues a run for `account` or for every account of
    /// the workspace with an insights reader (one waiting run per account
    /// at most).
    pub async fn refresh(
        &self,
        auth: &Authorized,
        account: Option<&ConnectionId>,
    ) -> Result<Refresh, AnalyticsError> {
        let _ = (auth, account);
        todo!()
    }
}
