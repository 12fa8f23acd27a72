//! Recommendations: the workspace's own gaps (cadence below plan, a format
//! unused, a pillar neglected, engagement falling, best hours unused,
//! anomalies), each with its evidence, the guide to read and a next step.
//! What a member dismissed or did stays away until its signal changes.
//!
//! The rules are one pure function, [`recommend`], over [`Inputs`] that
//! [`Analytics::recommendations`] gathers from the fact tables, the
//! studio's cadence plan and pillars, and the stored anomalies.
//!
//! | signal | key | when |
//! | --- | --- | --- |
//! | cadence below plan | `cadence_below_plan:<platform>` | fewer posts published on the platform in the last 7 days than the plan's posts a week |
//! | format unused | `format_unused:<platform>:<format>` | the platform (posted to in the last 90 days) supports the format and it was not used for [`UNUSED_DAYS`] days |
//! | pillar neglected | `pillar_neglected:<pillar id>` | no post from a draft of the pillar for [`UNUSED_DAYS`] days (counted from its creation when it never had one) |
//! | engagement falling | `engagement_falling:<connection>` | the last 30 days' engagements per view at least 20 % below the 30 days before, each with 21+ days of figures and 500+ views |
//! | best hours unused | `best_hours_unused` | none of the last 10 posts went out in one of the best slots of the last 90 days (at most three, two posts each, better than the 90 days' mean) |
//! | anomaly | `anomaly:<connection>:<metric>` | an unusual drop in the last 7 days |
//!
//! The best slots are weekday × hour in UTC, so whether the signal holds and
//! its fingerprint are the same for every reader (a member dismisses it for
//! everyone); the evidence names the slot's next occurrence in the
//! reader's time zone, and the next step opens the composer at that
//! instant.
//!
//! # Words
//!
//! The edge renders `recommendation-<signal>-title` and
//! `recommendation-<signal>-evidence` (crates/web/i18n/{en,de}.ftl) with the
//! evidence as Fluent arguments. Numbers are plain decimals with a dot
//! (the edge formats them in the reader's language); `platform` is a
//! [`Platform`] code, `metric` a [`crate::Metric`] code.
//!
//! | signal | evidence params |
//! | --- | --- |
//! | `cadence_below_plan` | `platform`, `planned`, `posted` |
//! | `format_unused` | `platform`, `format` (`reel`, `carousel`, `short`, `video`, `photo`), `used` (`never`, `before`), `days` (when `before`) |
//! | `pillar_neglected` | `pillar` (its name), `used` (`never`, `before`), `days` (since the last post, or since the pillar was made) |
//! | `engagement_falling` | `account`, `rate`, `previous` (percent, one decimal), `change` (percent fallen, whole) |
//! | `best_hours_unused` | `weekday` (`mon` … `sun`) and `hour` (0–23) in the reader's zone, `rate` (percent, one decimal), `posts` (recent posts looked at) |
//! | `anomaly` | `account`, `metric`, `day` (YYYY-MM-DD), `value`, `median` |
//!
//! # Fingerprints
//!
//! A hash of the key and the evidence that matters, coarse enough that a
//! day passing does not bring back what a member dismissed: the plan and
//! the UTC week for cadence, the day a format or pillar was last used, the
//! engagement fall in steps of 10 %, the set of best slots, the anomaly's
//! day.

use std::collections::{BTreeMap, BTreeSet};

use herald_accounts::{Authorized, Permission};
use herald_core::{ConnectionId, Named, PillarId, SignedDuration, Timestamp};
use herald_db::{DbTime, on_pool};
use jiff::tz::TimeZone;
use sha2::{Digest, Sha256};

use crate::anomaly::{date_of, utc_day};
use crate::{
    Analytics, AnalyticsError, Direction, Filter, Metric, NextStep, Outcome, Period, Platform,
    Recommendation, Signal, Slot,
};

/// Days without a format or a pillar before it is called unused.
pub const UNUSED_DAYS: i64 = 21;
/// How far an engagement rate must fall (fraction of the one before).
pub const FALL: f64 = 0.20;
/// What each 30-day window needs before rates are compared.
pub const MIN_RATE_DAYS: u32 = 21;
pub const MIN_RATE_VIEWS: i64 = 500;
/// The recent posts looked at for the best hours.
pub const RECENT_POSTS: usize = 10;

/// The formats worth a nudge per platform (what Herald publishes and the
/// platform's insights tell apart).
pub fn formats_of(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Instagram => &["reel", "carousel"],
        Platform::Facebook => &["video", "photo"],
        Platform::YouTube => &["short", "video"],
        // TikTok posts are all videos: nothing to tell apart.
        Platform::TikTok => &[],
    }
}

/// The studio's template format that writes a post of `format`.
pub fn studio_format(format: &str) -> &'static str {
    match format {
        "carousel" => "carousel",
        "photo" | "image" | "feed" => "caption",
        // Reels, shorts, TikToks and videos start from a script.
        _ => "script",
    }
}

/// An account's engagements and views over 30 days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateWindow {
    pub engagements: i64,
    /// Views, or reach where the platform reports no views.
    pub views: i64,
    /// Days with both figures.
    pub days: u32,
}

impl RateWindow {
    fn rate(&self) -> Option<f64> {
        (self.views > 0).then(|| self.engagements as f64 / self.views as f64)
    }
}

/// A connected account as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountFacts {
    pub id: ConnectionId,
    pub platform: Platform,
    pub name: String,
    /// The last 30 complete days, and the 30 before them.
    pub recent: RateWindow,
    pub before: RateWindow,
}

/// A post published in the last 90 days.
#[derive(Debug, Clone, PartialEq)]
pub struct PostFact {
    pub connection: ConnectionId,
    pub platform: Platform,
    pub published_at: Timestamp,
    pub format: Option<String>,
    /// Engagements per view (or reach).
    pub engagement_rate: Option<f64>,
}

/// A pillar of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PillarFacts {
    pub id: PillarId,
    pub name: String,
    pub created_at: Timestamp,
    /// The last post from one of its drafts.
    pub last_post: Option<Timestamp>,
}

/// An unusual drop.
#[derive(Debug, Clone, PartialEq)]
pub struct Drop {
    pub connection: ConnectionId,
    pub account: String,
    pub metric: Metric,
    pub day: i32,
    pub value: i64,
    pub median: f64,
}

/// What a guide is tagged with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideMeta {
    pub slug: String,
    pub signals: Vec<Signal>,
    pub platforms: Vec<Platform>,
    pub formats: Vec<String>,
}

/// Everything the rules look at.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub now: Timestamp,
    /// The reader's (evidence of the best hours).
    pub time_zone: TimeZone,
    /// Posts a week per platform; empty without a plan.
    pub plan: BTreeMap<Platform, u8>,
    pub accounts: Vec<AccountFacts>,
    /// The last 90 days' posts.
    pub posts: Vec<PostFact>,
    /// The best slots of the last 90 days' posts, weekday × hour in UTC
    /// ([`Analytics::best_times`]: two posts each at least, best first).
    pub best: Vec<Slot>,
    /// When each platform last used each format (all time).
    pub format_last: BTreeMap<(Platform, String), Timestamp>,
    pub pillars: Vec<PillarFacts>,
    /// Drops of the last 7 days.
    pub drops: Vec<Drop>,
    /// The live guides, in the seed's order.
    pub guides: Vec<GuideMeta>,
}

/// The weekday (0 = Monday) and hour of `at` in `tz`.
fn slot_of(at: Timestamp, tz: &TimeZone) -> (u8, u8) {
    let z = at.to_zoned(tz.clone());
    (
        z.weekday().to_monday_zero_offset() as u8,
        z.hour().clamp(0, 23) as u8,
    )
}

/// The first whole hour after `now` that falls on the UTC slot.
pub fn next_occurrence(now: Timestamp, weekday: u8, hour: u8) -> Timestamp {
    let start = now.as_second().div_euclid(3600) * 3600;
    (1..=168)
        .map(|h| Timestamp::from_second(start + h * 3600).unwrap_or(now))
        .find(|t| slot_of(*t, &TimeZone::UTC) == (weekday, hour))
        .unwrap_or(now)
}

fn fingerprint(key: &str, parts: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(key.as_bytes());
    for p in parts {
        h.update(b"|");
        h.update(p.as_bytes());
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The guide best matching a recommendation, among those tagged with its
/// signal: a guide mainly about the signal (its first tag) first, then one
/// about the format, then one about the platform (one about that platform
/// alone before a general one); the seed's order breaks ties.
pub fn pick_guide(
    guides: &[GuideMeta],
    signal: Signal,
    platform: Option<Platform>,
    format: Option<&str>,
) -> Option<String> {
    let mut best: Option<(u8, &GuideMeta)> = None;
    for g in guides.iter().filter(|g| g.signals.contains(&signal)) {
        let main = g.signals.first() == Some(&signal);
        let on_format = format.is_some_and(|f| g.formats.iter().any(|x| x == f));
        let on_platform = platform.is_some_and(|p| g.platforms.contains(&p));
        let score = 8 * u8::from(main)
            + 4 * u8::from(on_format)
            + 2 * u8::from(on_platform)
            + u8::from(on_platform && g.platforms.len() == 1);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, g));
        }
    }
    best.map(|(_, g)| g.slug.clone())
}

fn days_between(earlier: Timestamp, later: Timestamp) -> i64 {
    (later.as_second() - earlier.as_second()).div_euclid(86_400)
}

fn percent(rate: f64) -> String {
    format!("{:.1}", rate * 100.0)
}

struct Rec {
    key: String,
    signal: Signal,
    evidence: Vec<(&'static str, String)>,
    fingerprint: String,
    platform: Option<Platform>,
    format: Option<String>,
    next: NextStep,
    priority: u8,
}

/// The recommendations `inputs` call for, best first.
pub fn recommend(inputs: &Inputs) -> Vec<Recommendation> {
    let now = inputs.now;
    let mut out: Vec<Rec> = Vec::new();
    let platforms: BTreeSet<Platform> = inputs.accounts.iter().map(|a| a.platform).collect();
    let first_account = |p: Platform| {
        inputs
            .accounts
            .iter()
            .find(|a| a.platform == p)
            .map(|a| a.id.clone())
    };
    // The best slots that beat the 90 days' mean: with few slots, the
    // one every recent post used is among the top three without being good.
    let rates: Vec<f64> = inputs
        .posts
        .iter()
        .filter_map(|p| p.engagement_rate)
        .collect();
    let mean = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let best: Vec<&Slot> = inputs
        .best
        .iter()
        .filter(|s| s.engagement_rate.is_some_and(|r| r > mean))
        .collect();
    let best_at = best
        .first()
        .map(|s| next_occurrence(now, s.weekday, s.hour));

    // Cadence: the plan's posts a week against the last 7 days.
    let week = now.to_zoned(TimeZone::UTC).date().iso_week_date();
    let week = format!("{}-W{:02}", week.year(), week.week());
    for (&platform, &planned) in &inputs.plan {
        if planned == 0 || !platforms.contains(&platform) {
            continue;
        }
        let posted = inputs
            .posts
            .iter()
            .filter(|p| p.platform == platform && days_between(p.published_at, now) < 7)
            .filter(|p| p.published_at <= now)
            .count();
        if posted >= usize::from(planned) {
            continue;
        }
        let key = format!("cadence_below_plan:{}", platform.as_str());
        let planned = planned.to_string();
        out.push(Rec {
            fingerprint: fingerprint(&key, &[&planned, &week]),
            key,
            signal: Signal::CadenceBelowPlan,
            evidence: vec![
                ("platform", platform.as_str().into()),
                ("planned", planned),
                ("posted", posted.to_string()),
            ],
            platform: Some(platform),
            format: None,
            next: NextStep::Compose {
                at: best_at,
                account: first_account(platform),
            },
            priority: 80,
        });
    }

    // Formats the platform supports and the workspace stopped using.
    for &platform in &platforms {
        let active = inputs
            .posts
            .iter()
            .any(|p| p.platform == platform && days_between(p.published_at, now) < 90);
        if !active {
            continue;
        }
        for &format in formats_of(platform) {
            let last = inputs.format_last.get(&(platform, format.to_owned()));
            let days = last.map(|t| days_between(*t, now));
            if days.is_some_and(|d| d < UNUSED_DAYS) {
                continue;
            }
            let key = format!("format_unused:{}:{format}", platform.as_str());
            let last_day = last.map_or("never".to_owned(), |t| utc_day(*t).to_string());
            let mut evidence = vec![
                ("platform", platform.as_str().to_owned()),
                ("format", format.to_owned()),
                (
                    "used",
                    if days.is_some() { "before" } else { "never" }.into(),
                ),
            ];
            if let Some(d) = days {
                evidence.push(("days", d.to_string()));
            }
            out.push(Rec {
                fingerprint: fingerprint(&key, &[&last_day]),
                key,
                signal: Signal::FormatUnused,
                evidence,
                platform: Some(platform),
                format: Some(format.to_owned()),
                next: NextStep::Templates {
                    format: Some(studio_format(format).to_owned()),
                    pillar: None,
                },
                priority: 50,
            });
        }
    }

    // Pillars without a post for a while.
    for pillar in &inputs.pillars {
        let since = pillar.last_post.unwrap_or(pillar.created_at);
        let days = days_between(since, now);
        if days < UNUSED_DAYS {
            continue;
        }
        let key = format!("pillar_neglected:{}", pillar.id);
        let last = pillar
            .last_post
            .map_or("never".to_owned(), |t| utc_day(t).to_string());
        out.push(Rec {
            fingerprint: fingerprint(&key, &[&last]),
            key,
            signal: Signal::PillarNeglected,
            evidence: vec![
                ("pillar", pillar.name.clone()),
                (
                    "used",
                    if pillar.last_post.is_some() {
                        "before"
                    } else {
                        "never"
                    }
                    .into(),
                ),
                ("days", days.to_string()),
            ],
            platform: None,
            format: None,
            next: NextStep::Templates {
                format: None,
                pillar: Some(pillar.id),
            },
            priority: 40,
        });
    }

    // Engagement per view falling, per account.
    for a in &inputs.accounts {
        let enough = |w: &RateWindow| w.days >= MIN_RATE_DAYS && w.views >= MIN_RATE_VIEWS;
        if !enough(&a.recent) || !enough(&a.before) {
            continue;
        }
        let (Some(rate), Some(previous)) = (a.recent.rate(), a.before.rate()) else {
            continue;
        };
        if previous <= 0.0 || rate > previous * (1.0 - FALL) {
            continue;
        }
        let fall = 1.0 - rate / previous;
        let key = format!("engagement_falling:{}", a.id);
        let step = ((fall * 10.0).floor() as i64).to_string();
        out.push(Rec {
            fingerprint: fingerprint(&key, &[&step]),
            key,
            signal: Signal::EngagementFalling,
            evidence: vec![
                ("account", a.name.clone()),
                ("rate", percent(rate)),
                ("previous", percent(previous)),
                ("change", format!("{:.0}", fall * 100.0)),
            ],
            platform: Some(a.platform),
            format: None,
            next: NextStep::Dashboard {
                account: Some(a.id.clone()),
            },
            priority: 70,
        });
    }

    // The best hours of the last 90 days, unused by the last 10 posts.
    if let (Some(top), Some(at)) = (best.first(), best_at) {
        let mut recent: Vec<&PostFact> = inputs.posts.iter().collect();
        recent.sort_by_key(|p| std::cmp::Reverse(p.published_at));
        recent.truncate(RECENT_POSTS);
        let in_best = |p: &&PostFact| {
            let s = slot_of(p.published_at, &TimeZone::UTC);
            best.iter().any(|b| (b.weekday, b.hour) == s)
        };
        if recent.len() == RECENT_POSTS && !recent.iter().any(in_best) {
            let key = "best_hours_unused".to_owned();
            let slots: Vec<String> = best
                .iter()
                .map(|s| format!("{}:{}", s.weekday, s.hour))
                .collect();
            let slots: Vec<&str> = slots.iter().map(String::as_str).collect();
            let (weekday, hour) = slot_of(at, &inputs.time_zone);
            let weekday =
                ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][usize::from(weekday % 7)];
            let only = (inputs.accounts.len() == 1).then(|| inputs.accounts[0].id.clone());
            out.push(Rec {
                fingerprint: fingerprint(&key, &slots),
                key,
                signal: Signal::BestHoursUnused,
                evidence: vec![
                    ("weekday", weekday.to_owned()),
                    ("hour", hour.to_string()),
                    ("rate", percent(top.engagement_rate.unwrap_or_default())),
                    ("posts", recent.len().to_string()),
                ],
                platform: None,
                format: None,
                next: NextStep::Compose {
                    at: Some(at),
                    account: only,
                },
                priority: 60,
            });
        }
    }

    // Unusual drops: the latest per account and metric.
    let mut latest: BTreeMap<(ConnectionId, Metric), &Drop> = BTreeMap::new();
    for d in &inputs.drops {
        let e = latest.entry((d.connection.clone(), d.metric)).or_insert(d);
        if d.day > e.day {
            *e = d;
        }
    }
    for ((connection, metric), d) in latest {
        let key = format!("anomaly:{connection}:{}", metric.as_str());
        let day = date_of(d.day).to_string();
        let platform = inputs
            .accounts
            .iter()
            .find(|a| a.id == connection)
            .map(|a| a.platform);
        out.push(Rec {
            fingerprint: fingerprint(&key, &[&day]),
            key,
            signal: Signal::Anomaly,
            evidence: vec![
                ("account", d.account.clone()),
                ("metric", metric.as_str().into()),
                ("day", day),
                ("value", d.value.to_string()),
                ("median", format!("{:.0}", d.median)),
            ],
            platform,
            format: None,
            next: NextStep::Dashboard {
                account: Some(connection),
            },
            priority: 90,
        });
    }

    let mut recs: Vec<Recommendation> = out
        .into_iter()
        .map(|r| Recommendation {
            guide: pick_guide(&inputs.guides, r.signal, r.platform, r.format.as_deref()),
            key: r.key,
            signal: r.signal,
            evidence: r
                .evidence
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
            fingerprint: r.fingerprint,
            next: r.next,
            priority: r.priority,
        })
        .collect();
    recs.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.key.cmp(&b.key)));
    recs
}

fn studio_platform(p: herald_studio::Platform) -> Platform {
    match p {
        herald_studio::Platform::Instagram => Platform::Instagram,
        herald_studio::Platform::Facebook => Platform::Facebook,
        herald_studio::Platform::Tiktok => Platform::TikTok,
        herald_studio::Platform::Youtube => Platform::YouTube,
    }
}

fn instant(micros: i64) -> Option<Timestamp> {
    Timestamp::from_microsecond(micros).ok()
}

type DayRow = (ConnectionId, i32, Option<i64>, Option<i64>);
type PostRow = (
    ConnectionId,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
);
type DropRow = (ConnectionId, String, String, i32, i64, f64);

impl Analytics {
    /// Gathers what the rules look at for `auth`'s workspace.
    async fn inputs(
        &self,
        auth: &Authorized,
        time_zone: TimeZone,
    ) -> Result<Inputs, AnalyticsError> {
        let ws = auth.workspace();
        let now = self.now();
        let today = utc_day(now);
        let plan = self
            .inner
            .studio
            .cadence_plan(auth)
            .await?
            .map(|p| {
                p.cadence
                    .per_week
                    .into_iter()
                    .map(|(k, v)| (studio_platform(k), v))
                    .collect()
            })
            .unwrap_or_default();
        let connections: Vec<(ConnectionId, String, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT id, kind, name FROM connections WHERE workspace_id = $1 ORDER BY created_at, id",
            )
            .bind(ws)
            .fetch_all(pool)
            .await?
        });
        let days: Vec<DayRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT connection_id, day, engagements, COALESCE(views, reach) \
                 FROM analytics_account_days WHERE workspace_id = $1 AND day >= $2 AND day < $3",
            )
            .bind(ws)
            .bind(today - 60)
            .bind(today)
            .fetch_all(pool)
            .await?
        });
        let mut windows: BTreeMap<ConnectionId, (RateWindow, RateWindow)> = BTreeMap::new();
        for (connection, day, engagements, views) in days {
            let (Some(e), Some(v)) = (engagements, views) else {
                continue;
            };
            let w = windows.entry(connection).or_default();
            let w = if day >= today - 30 {
                &mut w.0
            } else {
                &mut w.1
            };
            w.engagements += e;
            w.views += v;
            w.days += 1;
        }
        let accounts: Vec<AccountFacts> = connections
            .iter()
            .filter_map(|(id, kind, name)| {
                let platform = Platform::of_kind(kind)?;
                let (recent, before) = windows.get(id).copied().unwrap_or_default();
                Some(AccountFacts {
                    id: id.clone(),
                    platform,
                    name: name.clone(),
                    recent,
                    before,
                })
            })
            .collect();
        let since = now - SignedDuration::from_hours(24 * 90);
        let rows: Vec<PostRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT p.connection_id, c.kind, p.published_at, p.format, p.engagements, \
                 COALESCE(p.views, p.reach) \
                 FROM analytics_posts p JOIN connections c ON c.id = p.connection_id \
                 WHERE p.workspace_id = $1 AND p.published_at >= $2",
            )
            .bind(ws)
            .bind(DbTime(since))
            .fetch_all(pool)
            .await?
        });
        let posts: Vec<PostFact> = rows
            .into_iter()
            .filter_map(|(connection, kind, at, format, engagements, views)| {
                Some(PostFact {
                    connection,
                    platform: Platform::of_kind(&kind)?,
                    published_at: instant(at)?,
                    format,
                    engagement_rate: match (engagements, views) {
                        (Some(e), Some(v)) if v > 0 => Some(e as f64 / v as f64),
                        _ => None,
                    },
                })
            })
            .collect();
        let used: Vec<(String, String, Option<i64>)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT c.kind, p.format, MAX(p.published_at) \
                 FROM analytics_posts p JOIN connections c ON c.id = p.connection_id \
                 WHERE p.workspace_id = $1 AND p.format IS NOT NULL \
                 GROUP BY c.kind, p.format",
            )
            .bind(ws)
            .fetch_all(pool)
            .await?
        });
        let mut format_last: BTreeMap<(Platform, String), Timestamp> = BTreeMap::new();
        for (kind, format, at) in used {
            let (Some(platform), Some(at)) = (Platform::of_kind(&kind), at.and_then(instant))
            else {
                continue;
            };
            let e = format_last.entry((platform, format)).or_insert(at);
            *e = (*e).max(at);
        }
        // The studio's pillars and, through the post → draft links, when
        // each last had a post (read-only joins of the studio's tables).
        let pillar_rows: Vec<(PillarId, String, i64)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT id, name, created_at FROM studio_pillars WHERE workspace_id = $1 ORDER BY name",
            )
            .bind(ws)
            .fetch_all(pool)
            .await?
        });
        let last_posts: Vec<(PillarId, Option<i64>)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT d.pillar_id, MAX(p.published_at) FROM analytics_posts p \
                 JOIN studio_draft_posts l ON l.post_id = p.post_id \
                 JOIN studio_drafts d ON d.id = l.draft_id \
                 WHERE p.workspace_id = $1 AND d.workspace_id = $1 AND d.pillar_id IS NOT NULL \
                 GROUP BY d.pillar_id",
            )
            .bind(ws)
            .fetch_all(pool)
            .await?
        });
        let last_posts: BTreeMap<PillarId, Timestamp> = last_posts
            .into_iter()
            .filter_map(|(id, at)| Some((id, instant(at?)?)))
            .collect();
        let pillars = pillar_rows
            .into_iter()
            .filter_map(|(id, name, created)| {
                Some(PillarFacts {
                    id,
                    name,
                    created_at: instant(created)?,
                    last_post: last_posts.get(&id).copied(),
                })
            })
            .collect();
        let drops: Vec<DropRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT a.connection_id, c.name, a.metric, a.day, a.value, a.median \
                 FROM analytics_anomalies a JOIN connections c ON c.id = a.connection_id \
                 WHERE a.workspace_id = $1 AND a.direction = $2 AND a.day >= $3",
            )
            .bind(ws)
            .bind(Direction::Drop.as_str())
            .bind(today - crate::anomaly::NOTIFY_DAYS)
            .fetch_all(pool)
            .await?
        });
        let drops = drops
            .into_iter()
            .filter_map(|(connection, account, metric, day, value, median)| {
                Some(Drop {
                    connection,
                    account,
                    metric: Metric::parse(&metric)?,
                    day,
                    value,
                    median,
                })
            })
            .collect();
        // In UTC: whether the signal holds must not depend on the reader.
        let quarter = Filter {
            period: Period::Quarter,
            ..Filter::default()
        };
        let best = self.best_times(auth, &quarter, "UTC").await?.best;
        Ok(Inputs {
            now,
            time_zone,
            plan,
            accounts,
            posts,
            best,
            format_last,
            pillars,
            drops,
            guides: self.guide_metas().await?,
        })
    }

    /// The live guides with what the shipped file says they are about.
    async fn guide_metas(&self) -> Result<Vec<GuideMeta>, AnalyticsError> {
        let live: Vec<(String, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT slug, signals FROM analytics_guides WHERE locale = 'en' AND NOT retired ORDER BY slug",
            )
            .fetch_all(pool)
            .await?
        });
        let shipped = crate::guides::shipped_once();
        let order = |slug: &str| {
            shipped
                .and_then(|f| f.guides.iter().position(|g| g.slug == slug))
                .unwrap_or(usize::MAX)
        };
        let mut metas: Vec<GuideMeta> = live
            .into_iter()
            .map(|(slug, signals)| {
                let names: Vec<String> = serde_json::from_str(&signals).unwrap_or_default();
                let seed = shipped.and_then(|f| f.guides.iter().find(|g| g.slug == slug));
                GuideMeta {
                    signals: names.iter().filter_map(|n| Signal::parse(n)).collect(),
                    platforms: seed.map(|g| g.platforms.clone()).unwrap_or_default(),
                    formats: seed.map(|g| g.formats.clone()).unwrap_or_default(),
                    slug,
                }
            })
            .collect();
        metas.sort_by_key(|g| order(&g.slug));
        Ok(metas)
    }

    /// The workspace's current recommendations, best first, without the
    /// ones dismissed or done for the same evidence. `time_zone` is the
    /// reader's (best hours are shown and proposed in it).
    pub async fn recommendations(
        &self,
        auth: &Authorized,
        time_zone: &str,
    ) -> Result<Vec<Recommendation>, AnalyticsError> {
        auth.require(Permission::View)?;
        let tz = TimeZone::get(time_zone).map_err(|_| AnalyticsError::Invalid {
            field: "time_zone",
            reason: "unknown",
        })?;
        let inputs = self.inputs(auth, tz).await?;
        let settled: Vec<(String, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT key, fingerprint FROM analytics_recommendation_states WHERE workspace_id = $1",
            )
            .bind(auth.workspace())
            .fetch_all(pool)
            .await?
        });
        let settled: BTreeMap<String, String> = settled.into_iter().collect();
        Ok(recommend(&inputs)
            .into_iter()
            .filter(|r| settled.get(&r.key) != Some(&r.fingerprint))
            .collect())
    }

    /// Records that a member dismissed or did the recommendation `key`
    /// whose evidence had `fingerprint`.
    pub async fn settle_recommendation(
        &self,
        auth: &Authorized,
        key: &str,
        fingerprint: &str,
        outcome: Outcome,
    ) -> Result<(), AnalyticsError> {
        auth.require(Permission::Draft)?;
        if key.is_empty() || key.len() > 200 {
            return Err(AnalyticsError::Invalid {
                field: "key",
                reason: "length",
            });
        }
        if fingerprint.is_empty()
            || fingerprint.len() > 64
            || !fingerprint.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(AnalyticsError::Invalid {
                field: "fingerprint",
                reason: "format",
            });
        }
        // Whether a signal holds does not depend on the reader's zone.
        let inputs = self.inputs(auth, TimeZone::UTC).await?;
        if !recommend(&inputs).iter().any(|r| r.key == key) {
            return Err(AnalyticsError::RecommendationNotFound);
        }
        let now = DbTime(self.now());
        let mut tx = self.db().begin().await?;
        herald_db::on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO analytics_recommendation_states (workspace_id, key, state, fingerprint, user_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (workspace_id, key) DO UPDATE SET state = excluded.state, \
                 fingerprint = excluded.fingerprint, user_id = excluded.user_id, at = excluded.at",
            )
            .bind(auth.workspace())
            .bind(key)
            .bind(outcome.as_str())
            .bind(fingerprint)
            .bind(auth.user())
            .bind(now)
            .execute(conn)
            .await?;
        });
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const NOW: &str = "2026-12-07T10:00:00Z";

    fn account(id: &str, platform: Platform) -> AccountFacts {
        AccountFacts {
            id: ConnectionId::from(id),
            platform,
            name: format!("{id} account"),
            recent: RateWindow::default(),
            before: RateWindow::default(),
        }
    }

    fn post(id: &str, platform: Platform, when: Timestamp, format: &str, rate: f64) -> PostFact {
        PostFact {
            connection: ConnectionId::from(id),
            platform,
            published_at: when,
            format: Some(format.into()),
            engagement_rate: Some(rate),
        }
    }

    fn days_ago(n: i64) -> Timestamp {
        at(NOW) - SignedDuration::from_hours(24 * n)
    }

    fn guide(
        slug: &str,
        signals: &[Signal],
        platforms: &[Platform],
        formats: &[&str],
    ) -> GuideMeta {
        GuideMeta {
            slug: slug.into(),
            signals: signals.to_vec(),
            platforms: platforms.to_vec(),
            formats: formats.iter().map(ToString::to_string).collect(),
        }
    }

    fn inputs() -> Inputs {
        Inputs {
            now: at(NOW),
            time_zone: TimeZone::get("Europe/Berlin").unwrap(),
            plan: BTreeMap::new(),
            accounts: vec![account("ig", Platform::Instagram)],
            posts: Vec::new(),
            best: Vec::new(),
            format_last: BTreeMap::new(),
            pillars: Vec::new(),
            drops: Vec::new(),
            guides: vec![
                guide(
                    "planning",
                    &[Signal::CadenceBelowPlan, Signal::PillarNeglected],
                    &[],
                    &[],
                ),
                guide(
                    "reels",
                    &[Signal::FormatUnused],
                    &[Platform::Instagram],
                    &["reel"],
                ),
                guide(
                    "carousels",
                    &[Signal::FormatUnused],
                    &[Platform::Instagram],
                    &["carousel"],
                ),
                guide(
                    "shorts",
                    &[Signal::FormatUnused],
                    &[Platform::YouTube],
                    &["short"],
                ),
                guide(
                    "reading",
                    &[Signal::EngagementFalling, Signal::Anomaly],
                    &[],
                    &[],
                ),
                guide("timing", &[Signal::BestHoursUnused], &[], &[]),
            ],
        }
    }

    fn keys(recs: &[Recommendation]) -> Vec<&str> {
        recs.iter().map(|r| r.key.as_str()).collect()
    }

    #[test]
    fn nothing_to_say_about_a_workspace_without_data_or_plan() {
        assert!(recommend(&inputs()).is_empty());
    }

    #[test]
    fn cadence_below_plan_counts_the_last_seven_days_per_platform() {
        let mut i = inputs();
        i.plan = BTreeMap::from([(Platform::Instagram, 3), (Platform::TikTok, 5)]);
        i.format_last
            .insert((Platform::Instagram, "reel".into()), days_ago(2));
        i.format_last
            .insert((Platform::Instagram, "carousel".into()), days_ago(3));
        i.posts = vec![
            post("ig", Platform::Instagram, days_ago(2), "reel", 0.05),
            post("ig", Platform::Instagram, days_ago(3), "carousel", 0.05),
            post("ig", Platform::Instagram, days_ago(8), "image", 0.05),
        ];
        let recs = recommend(&i);
        // No TikTok account: its plan cannot be kept, nothing to say.
        assert_eq!(keys(&recs), ["cadence_below_plan:instagram"]);
        let r = &recs[0];
        assert_eq!(r.signal, Signal::CadenceBelowPlan);
        assert_eq!(r.evidence["planned"], "3");
        assert_eq!(r.evidence["posted"], "2");
        assert_eq!(r.guide.as_deref(), Some("planning"));
        assert_eq!(
            r.next,
            NextStep::Compose {
                at: None,
                account: Some(ConnectionId::from("ig"))
            }
        );
        // A day later in the same week: the same fingerprint.
        let mut later = i.clone();
        later.now = at("2026-12-08T10:00:00Z");
        assert_eq!(recommend(&later)[0].fingerprint, r.fingerprint);
        // With a best hour known, the composer opens there.
        i.best = vec![slot(1, 9, 2, 0.09)];
        assert_eq!(
            recommend(&i)[0].next,
            NextStep::Compose {
                at: Some(at("2026-12-08T09:00:00Z")),
                account: Some(ConnectionId::from("ig"))
            }
        );
        i.best.clear();
        // A new plan is a new signal.
        i.plan.insert(Platform::Instagram, 4);
        assert_ne!(recommend(&i)[0].fingerprint, r.fingerprint);
        i.plan.insert(Platform::Instagram, 2);
        assert!(recommend(&i).is_empty());
    }

    #[test]
    fn a_format_unused_for_three_weeks_points_to_its_templates_and_guide() {
        let mut i = inputs();
        i.posts = vec![post("ig", Platform::Instagram, days_ago(1), "image", 0.05)];
        i.format_last
            .insert((Platform::Instagram, "reel".into()), days_ago(30));
        i.format_last
            .insert((Platform::Instagram, "carousel".into()), days_ago(20));
        let recs = recommend(&i);
        assert_eq!(keys(&recs), ["format_unused:instagram:reel"]);
        let r = &recs[0];
        assert_eq!(r.evidence["days"], "30");
        assert_eq!(r.evidence["used"], "before");
        assert_eq!(r.guide.as_deref(), Some("reels"));
        assert_eq!(
            r.next,
            NextStep::Templates {
                format: Some("script".into()),
                pillar: None
            }
        );
        // A day passing does not change the fingerprint; a use does.
        let mut later = i.clone();
        later.now = at("2026-12-09T10:00:00Z");
        let again = recommend(&later);
        assert_eq!(keys(&again)[..1], ["format_unused:instagram:carousel"]);
        assert_eq!(again[1].fingerprint, r.fingerprint);
        // Never used: said so, and the carousel guide is the one to read.
        i.format_last.clear();
        let recs = recommend(&i);
        let carousel = recs
            .iter()
            .find(|r| r.key == "format_unused:instagram:carousel")
            .unwrap();
        assert_eq!(carousel.evidence["used"], "never");
        assert!(!carousel.evidence.contains_key("days"));
        assert_eq!(carousel.guide.as_deref(), Some("carousels"));
        // An account that posted nothing for 90 days gets no format nudges.
        i.posts.clear();
        assert!(recommend(&i).is_empty());
    }

    #[test]
    fn a_neglected_pillar_counts_from_its_last_post_or_its_creation() {
        let mut i = inputs();
        i.pillars = vec![
            PillarFacts {
                id: PillarId(1),
                name: "Recipes".into(),
                created_at: days_ago(100),
                last_post: Some(days_ago(25)),
            },
            PillarFacts {
                id: PillarId(2),
                name: "Behind the scenes".into(),
                created_at: days_ago(40),
                last_post: None,
            },
            PillarFacts {
                id: PillarId(3),
                name: "New".into(),
                created_at: days_ago(5),
                last_post: None,
            },
            PillarFacts {
                id: PillarId(4),
                name: "Busy".into(),
                created_at: days_ago(100),
                last_post: Some(days_ago(2)),
            },
        ];
        let recs = recommend(&i);
        assert_eq!(keys(&recs), ["pillar_neglected:1", "pillar_neglected:2"]);
        assert_eq!(recs[0].evidence["days"], "25");
        assert_eq!(recs[1].evidence["used"], "never");
        assert_eq!(
            recs[1].next,
            NextStep::Templates {
                format: None,
                pillar: Some(PillarId(2))
            }
        );
        assert_eq!(recs[0].guide.as_deref(), Some("planning"));
    }

    #[test]
    fn a_falling_engagement_rate_needs_enough_data_and_a_real_fall() {
        let mut i = inputs();
        let w = |engagements, views, days| RateWindow {
            engagements,
            views,
            days,
        };
        i.accounts[0].before = w(500, 10_000, 30);
        i.accounts[0].recent = w(370, 10_000, 30);
        let recs = recommend(&i);
        assert_eq!(keys(&recs), ["engagement_falling:ig"]);
        assert_eq!(recs[0].evidence["rate"], "3.7");
        assert_eq!(recs[0].evidence["previous"], "5.0");
        assert_eq!(recs[0].evidence["change"], "26");
        assert_eq!(recs[0].guide.as_deref(), Some("reading"));
        let fp = recs[0].fingerprint.clone();
        // A little worse, in the same step: still dismissed.
        i.accounts[0].recent = w(360, 10_000, 30);
        assert_eq!(recommend(&i)[0].fingerprint, fp);
        // Much worse: a new signal.
        i.accounts[0].recent = w(200, 10_000, 30);
        assert_ne!(recommend(&i)[0].fingerprint, fp);
        // 15 % is no fall worth telling; too few days or views say nothing.
        i.accounts[0].recent = w(425, 10_000, 30);
        assert!(recommend(&i).is_empty());
        i.accounts[0].recent = w(200, 10_000, 20);
        assert!(recommend(&i).is_empty());
        i.accounts[0].recent = w(2, 400, 30);
        assert!(recommend(&i).is_empty());
    }

    fn slot(weekday: u8, hour: u8, posts: u32, rate: f64) -> Slot {
        Slot {
            weekday,
            hour,
            posts,
            engagement_rate: Some(rate),
        }
    }

    #[test]
    fn the_next_occurrence_of_a_slot_is_the_next_whole_hour_on_it() {
        // The next Monday 18:00 UTC after Monday 2026-12-07 10:00.
        assert_eq!(next_occurrence(at(NOW), 0, 18), at("2026-12-07T18:00:00Z"));
        assert_eq!(next_occurrence(at(NOW), 0, 10), at("2026-12-14T10:00:00Z"));
        assert_eq!(next_occurrence(at(NOW), 6, 23), at("2026-12-13T23:00:00Z"));
    }

    #[test]
    fn best_hours_unused_by_the_last_ten_posts_open_the_composer_there() {
        let mut i = inputs();
        // Two old Monday-18:00 posts did best; the last ten went out on
        // Wednesdays at noon and did worse.
        i.posts = vec![
            post(
                "ig",
                Platform::Instagram,
                at("2026-09-14T18:00:00Z"),
                "reel",
                0.09,
            ),
            post(
                "ig",
                Platform::Instagram,
                at("2026-09-21T18:00:00Z"),
                "reel",
                0.11,
            ),
        ];
        for n in 0..10 {
            let when = at("2026-12-02T12:00:00Z") - SignedDuration::from_hours(24 * 7 * n);
            i.posts
                .push(post("ig", Platform::Instagram, when, "reel", 0.03));
        }
        // Best first, as best_times has them: the Wednesdays are second
        // but below the mean, so they are no best hour to suggest.
        i.best = vec![slot(0, 18, 2, 0.10), slot(2, 12, 10, 0.03)];
        i.format_last
            .insert((Platform::Instagram, "reel".into()), days_ago(5));
        i.format_last
            .insert((Platform::Instagram, "carousel".into()), days_ago(5));
        let recs = recommend(&i);
        assert_eq!(keys(&recs), ["best_hours_unused"]);
        let r = &recs[0];
        // Monday 18:00 UTC is 19:00 in Berlin in December.
        assert_eq!(
            (r.evidence["weekday"].as_str(), r.evidence["hour"].as_str()),
            ("mon", "19")
        );
        assert_eq!(r.evidence["rate"], "10.0");
        assert_eq!(
            r.next,
            NextStep::Compose {
                at: Some(at("2026-12-07T18:00:00Z")),
                account: Some(ConnectionId::from("ig"))
            }
        );
        assert_eq!(r.guide.as_deref(), Some("timing"));
        // The reader's zone changes the words, not the signal.
        let mut utc = i.clone();
        utc.time_zone = TimeZone::UTC;
        let u = &recommend(&utc)[0];
        assert_eq!(
            (u.fingerprint.as_str(), u.evidence["hour"].as_str()),
            (r.fingerprint.as_str(), "18")
        );
        // One recent post in the best slot: nothing to say.
        i.posts.push(post(
            "ig",
            Platform::Instagram,
            at("2026-11-30T18:00:00Z"),
            "reel",
            0.05,
        ));
        i.best = vec![slot(0, 18, 3, 0.083), slot(2, 12, 10, 0.03)];
        assert!(recommend(&i).iter().all(|r| r.key != "best_hours_unused"));
    }

    #[test]
    fn recent_drops_come_first_one_per_account_and_metric() {
        let mut i = inputs();
        let drop = |day: i32, value| Drop {
            connection: ConnectionId::from("ig"),
            account: "Acme IG".into(),
            metric: Metric::Views,
            day,
            value,
            median: 1234.4,
        };
        i.drops = vec![drop(20_790, 100), drop(20_792, 80)];
        i.pillars = vec![PillarFacts {
            id: PillarId(9),
            name: "Old".into(),
            created_at: days_ago(60),
            last_post: None,
        }];
        let recs = recommend(&i);
        assert_eq!(keys(&recs), ["anomaly:ig:views", "pillar_neglected:9"]);
        let r = &recs[0];
        assert_eq!(r.evidence["day"], "2026-12-05");
        assert_eq!(r.evidence["value"], "80");
        assert_eq!(r.evidence["median"], "1234");
        assert_eq!(
            r.next,
            NextStep::Dashboard {
                account: Some(ConnectionId::from("ig"))
            }
        );
        assert!(r.priority > recs[1].priority);
        assert_eq!(r.guide.as_deref(), Some("reading"));
    }

    #[test]
    fn the_guide_is_the_best_match_and_none_without_a_tagged_one() {
        let g = inputs().guides;
        assert_eq!(
            pick_guide(
                &g,
                Signal::FormatUnused,
                Some(Platform::YouTube),
                Some("short")
            )
            .as_deref(),
            Some("shorts")
        );
        assert_eq!(
            pick_guide(
                &g,
                Signal::FormatUnused,
                Some(Platform::Instagram),
                Some("carousel")
            )
            .as_deref(),
            Some("carousels")
        );
        assert_eq!(
            pick_guide(&g, Signal::FormatUnused, None, None).as_deref(),
            Some("reels"),
            "ties go to the seed's order"
        );
        assert_eq!(pick_guide(&g[..1], Signal::Anomaly, None, None), None);
        assert_eq!(studio_format("short"), "script");
        assert_eq!(studio_format("photo"), "caption");
        assert_eq!(studio_format("carousel"), "carousel");
    }
}
