//! Insights: what the platforms report about an account and its posts
//! (followers, views, reach, interactions, watch time), read for Herald's
//! analytics.
//!
//! [`InsightsReader`] is the contract; each account kind has one adapter
//! (registered in [`Readers::new`]), reached through the same
//! [`crate::PlatformClient`] as publishing. An adapter knows its
//! platform's endpoints, metric names, periods and pagination; it hands
//! back each figure twice: under the platform's own metric name
//! ([`Facts::raw`]) and mapped onto Herald's few cross-platform measures
//! ([`Normalized`]), so the analytics crate never meets a wire name.
//!
//! Every HTTP call an adapter makes is first cleared with the caller's
//! [`Pacer`], so ingestion keeps within each platform's limits across
//! processes; a pacer that says "not before T" turns into
//! [`crate::ErrorKind::RateLimited`] with `until = T`, the same error a
//! platform's own throttling gives.
//!
//! The adapters: [`graph`] (Facebook Pages), [`instagram`] (Instagram
//! business accounts through graph.facebook.com and Instagram Login
//! accounts on graph.instagram.com), [`tiktok`] and [`youtube`]. What each
//! simulated rule is and where it comes from is in
//! `docs/platforms/analytics.md`.

pub mod graph;
pub mod instagram;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use jiff::civil::Date;

use crate::publish::instagram::InstagramApi;
use crate::{AccountKind, PlatformClient, PlatformError, PlatformsConfig, Secret};

pub mod tiktok;
pub mod youtube;

/// The account whose insights are read, with the token to read them (a
/// Page token for Pages and the Instagram accounts reached through them).
#[derive(Debug, Clone)]
pub struct InsightsAccount {
    pub kind: AccountKind,
    /// The account's platform id (Page id, Instagram user id, TikTok
    /// open_id, channel id).
    pub account_id: String,
    pub access_token: Secret,
}

/// Herald's cross-platform measures. `None` means the platform does not
/// report it (or did not for this day), never zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Normalized {
    /// Followers (subscribers) at the end of the day, or now for a
    /// snapshot.
    pub followers: Option<i64>,
    /// New followers gained in the day.
    pub follows: Option<i64>,
    /// Followers lost in the day.
    pub unfollows: Option<i64>,
    /// Times the content was seen or played (`views`; YouTube and TikTok
    /// views; Facebook media views).
    pub views: Option<i64>,
    /// Distinct accounts reached.
    pub reach: Option<i64>,
    /// All interactions: likes, comments, shares, saves (the platform's
    /// total where it has one, else their sum).
    pub engagements: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub saves: Option<i64>,
    /// Actions on the profile: visits, link taps.
    pub profile_actions: Option<i64>,
    /// Seconds watched, where the platform measures it.
    pub watch_time_secs: Option<i64>,
}

/// One set of figures: the platform's own names and values, and Herald's
/// measures derived from them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub normalized: Normalized,
    /// Metric name as the platform calls it (`views`, `page_media_view`,
    /// `estimatedMinutesWatched`, `like_count`) → value.
    pub raw: BTreeMap<String, i64>,
}

/// An account's figures for one day (the platform's reporting day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDay {
    pub day: Date,
    pub facts: Facts,
}

/// A post and its lifetime figures as of now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFacts {
    /// The platform's id of the post (the same id publishing stored as
    /// the target's remote id).
    pub remote_id: String,
    pub published_at: Option<Timestamp>,
    /// The platform's kind of post, lower case: `image`, `carousel`,
    /// `reel`, `story`, `video`, `short`, `feed`, `photo`.
    pub format: Option<String>,
    pub permalink: Option<String>,
    /// Title or the start of the caption, at most 200 characters.
    pub title: Option<String>,
    pub facts: Facts,
}

/// One page of an account's posts, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostPage {
    pub posts: Vec<PostFacts>,
    /// Where the next (older) page starts, when there is one and it still
    /// holds posts published at or after the `since` asked for.
    pub next: Option<String>,
}

/// What a reader call returned, with how many HTTP calls it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched<T> {
    pub value: T,
    pub calls: u32,
}

/// The pace Herald keeps with a platform's insights endpoints: at most
/// `calls` per `per`, for the whole app and for each account. Kept below
/// the platform's documented limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub app: Budget,
    pub account: Budget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub calls: u32,
    pub per: Duration,
}

/// Clears each HTTP call before it is sent.
#[async_trait]
pub trait Pacer: Send + Sync {
    /// Waits until a call for `account` to `kind`'s platform may go, or
    /// says when it may (`Err(until)`) when that is too far off to wait.
    async fn clear(&self, kind: AccountKind, account: &str) -> Result<(), Timestamp>;
}

/// A pacer that never waits (tests of an adapter alone).
pub struct Unpaced;

#[async_trait]
impl Pacer for Unpaced {
    async fn clear(&self, _kind: AccountKind, _account: &str) -> Result<(), Timestamp> {
        Ok(())
    }
}

/// Reads one account kind's insights.
#[async_trait]
pub trait InsightsReader: Send + Sync {
    fn kind(&self) -> AccountKind;

    /// The platform's pace for insights calls.
    fn pace(&self) -> Pace;

    /// The longest range of days one [`InsightsReader::account_days`] call
    /// may ask for. 0: the platform keeps no daily account figures (TikTok);
    /// Herald then derives them from each day's [`InsightsReader::snapshot`]
    /// and post figures, and never calls `account_days`.
    fn max_days(&self) -> u32;

    /// How many days the platform takes to finish a day's figures: the
    /// last complete day is today minus this.
    fn lag_days(&self) -> u32;

    /// The account's figures per day from `from` to `to`, both included
    /// (at most [`InsightsReader::max_days`] days). Days the platform has
    /// nothing for are left out.
    async fn account_days(
        &self,
        account: &InsightsAccount,
        from: Date,
        to: Date,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Vec<AccountDay>>, PlatformError>;

    /// The account's figures now (followers, and whatever lifetime totals
    /// the platform has).
    async fn snapshot(
        &self,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Facts>, PlatformError>;

    /// One page of the account's posts published at or after `since`, with
    /// their lifetime figures, from `page` (a cursor from an earlier
    /// [`PostPage::next`]) or the newest.
    async fn posts(
        &self,
        account: &InsightsAccount,
        since: Timestamp,
        page: Option<&str>,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<PostPage>, PlatformError>;
}

/// The readers this deployment has, by account kind.
#[derive(Clone, Default)]
pub struct Readers {
    by_kind: HashMap<AccountKind, Arc<dyn InsightsReader>>,
}

impl Readers {
    /// A reader for every account kind whose provider has an app (real or
    /// sandbox).
    pub fn new(config: &PlatformsConfig, client: &PlatformClient) -> Readers {
        let mut readers = Readers::default();
        // Each adapter registers here: Meta (Pages, Instagram through
        // Facebook Login and Instagram Login), TikTok, YouTube.
        if let Some(app) = &config.facebook {
            readers.insert(Arc::new(graph::FacebookPageInsights::new(
                app.hosts.clone(),
                client.clone(),
            )));
            readers.insert(Arc::new(instagram::InstagramInsights::new(
                app.hosts.clone(),
                InstagramApi::FacebookLogin,
                client.clone(),
            )));
        }
        if let Some(app) = &config.instagram {
            readers.insert(Arc::new(instagram::InstagramInsights::new(
                app.hosts.clone(),
                InstagramApi::InstagramLogin,
                client.clone(),
            )));
        }
        if let Some(app) = &config.tiktok {
            readers.insert(Arc::new(tiktok::TikTokInsights::new(
                app.hosts.clone(),
                client.clone(),
            )));
        }
        if let Some(app) = &config.youtube {
            readers.insert(Arc::new(youtube::YouTubeInsights::new(
                app.hosts.clone(),
                client.clone(),
            )));
        }
        readers
    }

    pub fn insert(&mut self, reader: Arc<dyn InsightsReader>) {
        self.by_kind.insert(reader.kind(), reader);
    }

    pub fn get(&self, kind: AccountKind) -> Option<&Arc<dyn InsightsReader>> {
        self.by_kind.get(&kind)
    }
}

/// Sums the values that are there; `None` when none is.
pub fn sum(values: &[Option<i64>]) -> Option<i64> {
    values.iter().flatten().copied().reduce(i64::saturating_add)
}

/// Clears one call with `pacer`, as the error a platform's throttling
/// would give when it may not go for a while.
pub(crate) async fn paced(
    pacer: &dyn Pacer,
    provider: crate::ProviderId,
    kind: AccountKind,
    account: &str,
) -> Result<(), PlatformError> {
    pacer.clear(kind, account).await.map_err(|until| {
        PlatformError::new(
            provider,
            crate::ErrorKind::RateLimited { until: Some(until) },
            "paused to keep within the platform's insights limits",
        )
        .with_code("paced")
    })
}
