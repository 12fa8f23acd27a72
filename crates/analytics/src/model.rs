//! What analytics hands its readers: periods and filters, the dashboards'
//! figures, ingestion runs, anomalies, guides and recommendations. Codes
//! and numbers only; the words are rendered at the edge.

use std::collections::BTreeMap;

use herald_core::{ConnectionId, PillarId, PostId, Timestamp};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A dashboard period: the last 7, 30 or 90 complete days.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Period {
    #[serde(rename = "7d")]
    #[strum(serialize = "7d")]
    Week,
    #[default]
    #[serde(rename = "30d")]
    #[strum(serialize = "30d")]
    Month,
    #[serde(rename = "90d")]
    #[strum(serialize = "90d")]
    Quarter,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Week, Period::Month, Period::Quarter];

    pub fn days(self) -> i32 {
        match self {
            Period::Week => 7,
            Period::Month => 30,
            Period::Quarter => 90,
        }
    }
}

/// The platforms, as the filter names them (Instagram accounts of either
/// login are `instagram`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AnalyticsPlatform))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Platform {
    Facebook,
    Instagram,
    #[serde(rename = "tiktok")]
    #[strum(serialize = "tiktok")]
    TikTok,
    #[serde(rename = "youtube")]
    #[strum(serialize = "youtube")]
    YouTube,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Facebook,
        Platform::Instagram,
        Platform::TikTok,
        Platform::YouTube,
    ];

    /// The platform of an account kind (`connections.kind`).
    pub fn of_kind(kind: &str) -> Option<Platform> {
        match kind {
            "facebook_page" => Some(Platform::Facebook),
            "instagram_business" | "instagram_account" => Some(Platform::Instagram),
            "tiktok_user" => Some(Platform::TikTok),
            "youtube_channel" => Some(Platform::YouTube),
            _ => None,
        }
    }
}

/// What a dashboard shows: a period and, optionally, one account, one
/// platform or one pillar (the pillar narrows the post tables, the heat map
/// and the funnel's post figures: account figures have no pillar).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub period: Period,
    pub account: Option<ConnectionId>,
    pub platform: Option<Platform>,
    pub pillar: Option<PillarId>,
}

/// A figure over the period and the same figure over the period before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    pub value: Option<i64>,
    pub previous: Option<i64>,
}

impl Figure {
    /// `value - previous`, when both are known.
    pub fn change(&self) -> Option<i64> {
        Some(self.value? - self.previous?)
    }

    /// The change as a fraction of `previous` (0.25 = +25 %), when
    /// `previous` is known and not zero.
    pub fn change_ratio(&self) -> Option<f64> {
        let previous = self.previous?;
        if previous == 0 {
            return None;
        }
        Some(self.change()? as f64 / previous as f64)
    }
}

/// A rate over the period and the period before (engagements per view).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub value: Option<f64>,
    pub previous: Option<f64>,
}

impl Rate {
    pub fn change(&self) -> Option<f64> {
        Some(self.value? - self.previous?)
    }
}

/// The headline figures of one account, or of all together.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Followers at the end of the period (and of the period before).
    pub followers: Figure,
    /// Views (or reach where the platform has no views) in the period.
    pub views: Figure,
    pub reach: Figure,
    pub engagements: Figure,
    /// Engagements per view.
    pub engagement_rate: Rate,
    pub profile_actions: Figure,
    pub follows: Figure,
    pub watch_time_secs: Figure,
    /// Posts published in the period (read from the platform).
    pub posts: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    pub connection_id: ConnectionId,
    pub platform: Platform,
    /// `connections.kind`.
    pub kind: String,
    pub name: String,
    /// The last day with figures, when there is one.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub last_day: Option<Date>,
    pub totals: Totals,
}

/// `GET /api/analytics/summary`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub period: Period,
    /// The period's first and last day (the period before ends the day
    /// before `from`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub accounts: Vec<AccountSummary>,
    pub total: Totals,
}

/// One day of an account's growth chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    pub followers: Option<i64>,
    pub views: Option<i64>,
    pub engagements: Option<i64>,
}

/// An account's days in the period (and `connection_id: None` for all
/// accounts added up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    pub connection_id: Option<ConnectionId>,
    pub name: String,
    pub platform: Option<Platform>,
    pub points: Vec<Point>,
}

/// A step of the engagement funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumIter)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Step {
    Views,
    Engagements,
    ProfileActions,
    Follows,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStep {
    pub step: Step,
    /// `None` where no account in the filter reports it.
    pub value: Option<i64>,
}

/// One post with its lifetime figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostRow {
    pub connection_id: ConnectionId,
    pub platform: Platform,
    pub account_name: String,
    pub remote_id: String,
    /// The Herald post it was published from, when it was.
    pub post_id: Option<PostId>,
    pub pillar_id: Option<PillarId>,
    pub published_at: Option<Timestamp>,
    pub format: Option<String>,
    pub permalink: Option<String>,
    pub title: Option<String>,
    pub views: Option<i64>,
    pub reach: Option<i64>,
    pub engagements: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub saves: Option<i64>,
    pub watch_time_secs: Option<i64>,
    /// Engagements per view (or per reach).
    pub engagement_rate: Option<f64>,
}

/// How posts are ranked.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Deserialize,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Rank {
    #[default]
    EngagementRate,
    Engagements,
    Views,
    Newest,
}

/// The best and the worst posts of the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ranking {
    pub rank: Rank,
    pub top: Vec<PostRow>,
    pub bottom: Vec<PostRow>,
    /// Posts in the period in all.
    pub posts: u32,
}

/// One hour of one weekday in the heat map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TimeSlot))]
pub struct Slot {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// 0 … 23, in `BestTimes::time_zone`.
    pub hour: u8,
    pub posts: u32,
    /// The mean engagement rate of the posts published then.
    pub engagement_rate: Option<f64>,
}

/// `GET /api/analytics/best-times`: when the workspace's own posts did
/// best, by weekday and hour in the reader's time zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BestTimes {
    pub time_zone: String,
    /// Every slot with at least one post.
    pub slots: Vec<Slot>,
    /// The best slots (at least two posts each), best first, at most three.
    pub best: Vec<Slot>,
    /// Posts behind the map.
    pub posts: u32,
}

/// A platform's figures side by side with the others'.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformRow {
    pub platform: Platform,
    pub accounts: u32,
    pub totals: Totals,
}

/// Why an ingestion run happened.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Reason {
    /// The first run after an account was connected: 90 days.
    Backfill,
    Nightly,
    /// "Refresh now".
    Manual,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

/// One ingestion run of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunView {
    pub id: i64,
    pub connection_id: ConnectionId,
    pub account_name: String,
    pub reason: Reason,
    pub status: RunStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub first_day: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub last_day: Date,
    /// Rows written (days, posts) and platform calls made.
    pub account_rows: i64,
    pub post_rows: i64,
    pub calls: i64,
    /// Failed attempts (each retried).
    pub errors: i64,
    /// The last failure's code (`rate_limited`, `unavailable`, `reconnect`).
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// `POST /api/analytics/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refresh {
    /// Runs queued (accounts whose platform has an insights reader and no
    /// run already waiting).
    pub queued: u32,
    pub runs: Vec<i64>,
}

/// The measures anomalies are looked for in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Metric {
    Views,
    Reach,
    Engagements,
    Follows,
    Unfollows,
    WatchTimeSecs,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Direction {
    Spike,
    Drop,
}

/// An unusual day, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Anomaly {
    pub id: i64,
    pub connection_id: ConnectionId,
    pub account_name: String,
    pub metric: Metric,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub day: Date,
    pub direction: Direction,
    pub value: i64,
    /// The median of the 28 days before and their median absolute
    /// deviation.
    pub median: f64,
    pub mad: f64,
    /// How far from the median, in scaled MADs.
    pub score: f64,
}

/// What a guide helps with, and what a recommendation is about.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Signal {
    /// Fewer posts than the cadence plan asks for.
    CadenceBelowPlan,
    /// A format (reel, carousel, short, video…) not used for a while.
    FormatUnused,
    /// A content pillar with no post for a while.
    PillarNeglected,
    /// The engagement rate fell against the period before.
    EngagementFalling,
    /// The best hours of the heat map are not being used.
    BestHoursUnused,
    /// A metric dropped or jumped unusually.
    Anomaly,
}

/// A guide of the learning hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guide {
    pub slug: String,
    pub locale: String,
    /// `filming`, `hooks`, `tone`, `accessibility`, `formats`, `planning`,
    /// `analytics`.
    pub topic: String,
    pub title: String,
    pub summary: String,
    /// Paragraphs (blank-line separated); lines starting `- ` are list
    /// items, lines starting `## ` headings.
    pub body: String,
    pub signals: Vec<Signal>,
    /// Reading time.
    pub minutes: u32,
}

/// The one-click next step of a recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NextStep {
    /// Open the composer, at `at` (a best hour) when there is one, for one
    /// account when there is one.
    Compose {
        at: Option<Timestamp>,
        account: Option<ConnectionId>,
    },
    /// Open the template gallery on a format (`script`, `caption`,
    /// `carousel`, `thread`), for a pillar when there is one.
    Templates {
        format: Option<String>,
        pillar: Option<PillarId>,
    },
    /// Open the cadence plan.
    Cadence,
    /// Open the dashboard on an account and period.
    Dashboard { account: Option<ConnectionId> },
}

/// A recommendation: what the workspace's own figures show, the guide to
/// read and the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// Stable per signal and subject (`format_unused:reel`,
    /// `pillar_neglected:12`).
    pub key: String,
    pub signal: Signal,
    /// The evidence as named parameters (`days`, `planned`, `posted`,
    /// `format`, `pillar`, `rate`, `previous`…), rendered at the edge.
    pub evidence: BTreeMap<String, String>,
    /// Changes whenever the evidence does: a dismissed recommendation
    /// comes back when it differs from the one dismissed.
    pub fingerprint: String,
    /// The guide to read (its slug).
    pub guide: Option<String>,
    pub next: NextStep,
    /// Higher first.
    pub priority: u8,
}

/// What a member did with a recommendation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    Dismissed,
    Done,
}

/// The whole dashboard in one read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub summary: Summary,
    /// All accounts added up first, then each account.
    pub growth: Vec<Series>,
    pub funnel: Vec<FunnelStep>,
    pub ranking: Ranking,
    pub best_times: BestTimes,
    pub platforms: Vec<PlatformRow>,
    pub anomalies: Vec<Anomaly>,
    pub runs: Vec<RunView>,
}
