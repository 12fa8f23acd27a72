//! The dashboards' figures, read from the fact tables for one workspace,
//! one period and the filter's account, platform and pillar.
//!
//! A period is the last 7, 30 or 90 days up to today (UTC days, the
//! platforms' reporting days), compared with as many days before. Sums are
//! taken in SQL over the workspace's index `(workspace_id, day)`; the
//! ranking orders and limits in SQL; the heat map groups by UTC hour in
//! SQL and only then turns hours into the reader's weekday and hour, so no
//! request reads more rows than it shows. The post tables' pillar is the
//! pillar of the draft a post was composed from (`studio_draft_posts`,
//! read by join).

use std::collections::{BTreeMap, HashMap};

use herald_accounts::{Authorized, Permission};
use herald_core::{ConnectionId, PillarId, PostId, Timestamp, WorkspaceId};
use herald_db::{Db, DbTime, on_pool};
use jiff::tz::TimeZone;

use crate::store::{self, date_of, utc_day};
use crate::{
    AccountSummary, Analytics, AnalyticsError, BestTimes, Dashboard, Figure, Filter, FunnelStep,
    Platform, PlatformRow, PostRow, Rank, Ranking, Rate, Reason, Refresh, RunStatus, RunView,
    Series, Slot, Step, Summary, Totals,
};

/// The most rows a ranking returns at each end.
pub const MAX_LIMIT: u32 = 100;

const MICROS_PER_HOUR: i64 = 3_600_000_000;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// An enrolled account with its connection's name and kind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Named {
    pub connection_id: ConnectionId,
    pub name: String,
    pub kind: String,
}

impl Named {
    fn platform(&self) -> Option<Platform> {
        Platform::of_kind(&self.kind)
    }
}

/// The days a filter covers: the period and the one before.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Days {
    pub from: i32,
    pub to: i32,
    pub previous_from: i32,
}

impl Days {
    pub fn of(period: crate::Period, now: Timestamp) -> Days {
        let to = utc_day(now);
        let from = to - period.days() + 1;
        Days {
            from,
            to,
            previous_from: from - period.days(),
        }
    }

    fn micros(day: i32) -> i64 {
        i64::from(day) * MICROS_PER_DAY
    }
}

/// Sums of one account over the period and the one before.
#[derive(Debug, Default, Clone, sqlx::FromRow)]
struct Sums {
    connection_id: Option<ConnectionId>,
    views: Option<i64>,
    reach: Option<i64>,
    engagements: Option<i64>,
    profile_actions: Option<i64>,
    follows: Option<i64>,
    watch_time_secs: Option<i64>,
    p_views: Option<i64>,
    p_reach: Option<i64>,
    p_engagements: Option<i64>,
    p_profile_actions: Option<i64>,
    p_follows: Option<i64>,
    p_watch_time_secs: Option<i64>,
}

fn add(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn ratio(numerator: Option<i64>, denominator: Option<i64>) -> Option<f64> {
    let d = denominator?;
    if d <= 0 {
        return None;
    }
    Some(numerator? as f64 / d as f64)
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        fn fig(a: &mut Figure, b: &Figure) {
            a.value = add(a.value, b.value);
            a.previous = add(a.previous, b.previous);
        }
        fig(&mut self.followers, &other.followers);
        fig(&mut self.views, &other.views);
        fig(&mut self.reach, &other.reach);
        fig(&mut self.engagements, &other.engagements);
        fig(&mut self.profile_actions, &other.profile_actions);
        fig(&mut self.follows, &other.follows);
        fig(&mut self.watch_time_secs, &other.watch_time_secs);
        fig(&mut self.posts, &other.posts);
        self.rate();
    }

    /// Engagements per view (per reach where there are no views).
    fn rate(&mut self) {
        let denominator = |views: Option<i64>, reach: Option<i64>| views.or(reach);
        self.engagement_rate = Rate {
            value: ratio(
                self.engagements.value,
                denominator(self.views.value, self.reach.value),
            ),
            previous: ratio(
                self.engagements.previous,
                denominator(self.views.previous, self.reach.previous),
            ),
        };
    }
}

impl Analytics {
    /// The workspace's enrolled accounts that the filter keeps.
    pub(crate) async fn accounts_of(
        &self,
        workspace: WorkspaceId,
        filter: &Filter,
    ) -> Result<Vec<Named>, AnalyticsError> {
        let all: Vec<Named> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT a.connection_id, c.name, c.kind FROM analytics_accounts a \
                 JOIN connections c ON c.id = a.connection_id \
                 WHERE a.workspace_id = $1 ORDER BY c.name, a.connection_id",
            )
            .bind(workspace)
            .fetch_all(pool)
            .await?
        });
        if let Some(account) = &filter.account
            && !all.iter().any(|a| &a.connection_id == account)
        {
            return Err(AnalyticsError::AccountNotFound);
        }
        Ok(all
            .into_iter()
            .filter(|a| {
                filter
                    .account
                    .as_ref()
                    .is_none_or(|id| id == &a.connection_id)
            })
            .filter(|a| filter.platform.is_none_or(|p| a.platform() == Some(p)))
            .collect())
    }

    async fn check_pillar(&self, auth: &Authorized, filter: &Filter) -> Result<(), AnalyticsError> {
        if let Some(pillar) = filter.pillar {
            let pillars = self.inner.studio.pillars(auth).await?;
            if !pillars.iter().any(|p| p.id == pillar) {
                return Err(AnalyticsError::PillarNotFound);
            }
        }
        Ok(())
    }

    /// Everything `/home/analytics` shows, in one read. `time_zone` is the
    /// reader's (the heat map's hours).
    pub async fn dashboard(
        &self,
        auth: &Authorized,
        filter: &Filter,
        time_zone: &str,
    ) -> Result<Dashboard, AnalyticsError> {
        auth.require(Permission::View)?;
        let zone = zone(time_zone)?;
        self.check_pillar(auth, filter).await?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        let summary = self
            .summary_of(auth.workspace(), filter, &accounts, days)
            .await?;
        let growth = self.growth_of(auth.workspace(), &accounts, days).await?;
        let funnel = self
            .funnel_of(auth.workspace(), filter, &accounts, days, &summary)
            .await?;
        let ranking = self
            .ranking_of(
                auth.workspace(),
                filter,
                &accounts,
                days,
                Rank::EngagementRate,
                5,
            )
            .await?;
        let best_times = self
            .best_times_of(auth.workspace(), filter, &accounts, days, time_zone, &zone)
            .await?;
        let platforms = platforms_of(&summary);
        let anomalies = self.anomalies(auth, filter).await?;
        let runs = self.runs(auth, 10).await?;
        Ok(Dashboard {
            summary,
            growth,
            funnel,
            ranking,
            best_times,
            platforms,
            anomalies,
            runs,
        })
    }

    /// Per account and in all: followers, views, reach, engagements,
    /// engagement rate, and their change against the period before.
    pub async fn summary(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Summary, AnalyticsError> {
        auth.require(Permission::View)?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        self.summary_of(auth.workspace(), filter, &accounts, days)
            .await
    }

    async fn summary_of(
        &self,
        workspace: WorkspaceId,
        filter: &Filter,
        accounts: &[Named],
        days: Days,
    ) -> Result<Summary, AnalyticsError> {
        let sums = sums(self.db(), workspace, days).await?;
        let followers = followers(self.db(), workspace, days).await?;
        let posts = post_counts(self.db(), workspace, days).await?;
        let last_days = last_days(self.db(), workspace).await?;
        let mut total = Totals::default();
        let mut out = Vec::new();
        for account in accounts {
            let s = sums
                .get(&account.connection_id)
                .cloned()
                .unwrap_or_default();
            let f = followers
                .get(&account.connection_id)
                .copied()
                .unwrap_or_default();
            let p = posts
                .get(&account.connection_id)
                .copied()
                .unwrap_or_default();
            let mut totals = Totals {
                followers: f,
                views: Figure {
                    value: s.views.or(s.reach),
                    previous: s.p_views.or(s.p_reach),
                },
                reach: Figure {
                    value: s.reach,
                    previous: s.p_reach,
                },
                engagements: Figure {
                    value: s.engagements,
                    previous: s.p_engagements,
                },
                engagement_rate: Rate::default(),
                profile_actions: Figure {
                    value: s.profile_actions,
                    previous: s.p_profile_actions,
                },
                follows: Figure {
                    value: s.follows,
                    previous: s.p_follows,
                },
                watch_time_secs: Figure {
                    value: s.watch_time_secs,
                    previous: s.p_watch_time_secs,
                },
                posts: p,
            };
            totals.rate();
            total.add(&totals);
            out.push(AccountSummary {
                connection_id: account.connection_id.clone(),
                platform: account.platform().unwrap_or(Platform::Facebook),
                kind: account.kind.clone(),
                name: account.name.clone(),
                last_day: last_days.get(&account.connection_id).map(|d| date_of(*d)),
                totals,
            });
        }
        Ok(Summary {
            period: filter.period,
            from: date_of(days.from),
            to: date_of(days.to),
            accounts: out,
            total,
        })
    }

    /// Day by day: all accounts added up first, then each account.
    pub async fn growth(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<Series>, AnalyticsError> {
        auth.require(Permission::View)?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        self.growth_of(auth.workspace(), &accounts, days).await
    }

    async fn growth_of(
        &self,
        workspace: WorkspaceId,
        accounts: &[Named],
        days: Days,
    ) -> Result<Vec<Series>, AnalyticsError> {
        type Row = (
            ConnectionId,
            i32,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT connection_id, day, followers, views, reach, engagements \
                 FROM analytics_account_days WHERE workspace_id = $1 AND day BETWEEN $2 AND $3 \
                 ORDER BY connection_id, day",
            )
            .bind(workspace)
            .bind(days.from)
            .bind(days.to)
            .fetch_all(pool)
            .await?
        });
        // The followers each account had before the period, so a line
        // starts where it stood.
        let before = followers_before(self.db(), workspace, days.from).await?;
        let mut by_account: HashMap<ConnectionId, BTreeMap<i32, crate::Point>> = HashMap::new();
        for (id, day, followers, views, reach, engagements) in rows {
            by_account.entry(id).or_default().insert(
                day,
                crate::Point {
                    day: date_of(day),
                    followers,
                    views: views.or(reach),
                    engagements,
                },
            );
        }
        let mut overall: BTreeMap<i32, crate::Point> = (days.from..=days.to)
            .map(|d| {
                (
                    d,
                    crate::Point {
                        day: date_of(d),
                        followers: None,
                        views: None,
                        engagements: None,
                    },
                )
            })
            .collect();
        let mut series = Vec::new();
        for account in accounts {
            let points = by_account
                .remove(&account.connection_id)
                .unwrap_or_default();
            let mut known = before.get(&account.connection_id).copied();
            for (day, total) in &mut overall {
                let point = points.get(day);
                if let Some(f) = point.and_then(|p| p.followers) {
                    known = Some(f);
                }
                total.followers = add(total.followers, known);
                total.views = add(total.views, point.and_then(|p| p.views));
                total.engagements = add(total.engagements, point.and_then(|p| p.engagements));
            }
            series.push(Series {
                connection_id: Some(account.connection_id.clone()),
                name: account.name.clone(),
                platform: account.platform(),
                points: points.into_values().collect(),
            });
        }
        let mut all = vec![Series {
            connection_id: None,
            name: String::new(),
            platform: None,
            points: overall.into_values().collect(),
        }];
        all.extend(series);
        Ok(all)
    }

    /// Views → engagements → profile actions → follows over the period.
    pub async fn funnel(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<FunnelStep>, AnalyticsError> {
        auth.require(Permission::View)?;
        self.check_pillar(auth, filter).await?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        let summary = self
            .summary_of(auth.workspace(), filter, &accounts, days)
            .await?;
        self.funnel_of(auth.workspace(), filter, &accounts, days, &summary)
            .await
    }

    async fn funnel_of(
        &self,
        workspace: WorkspaceId,
        filter: &Filter,
        accounts: &[Named],
        days: Days,
        summary: &Summary,
    ) -> Result<Vec<FunnelStep>, AnalyticsError> {
        let values = if let Some(pillar) = filter.pillar {
            // Account figures have no pillar: the pillar's posts' figures.
            let ids: Vec<&ConnectionId> = accounts.iter().map(|a| &a.connection_id).collect();
            type Row = (
                ConnectionId,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<i64>,
                Option<i64>,
            );
            let rows: Vec<Row> = on_pool!(self.db(), |pool| {
                sqlx::query_as(
                    "SELECT p.connection_id, CAST(SUM(p.views) AS BIGINT), CAST(SUM(p.reach) AS BIGINT), \
                     CAST(SUM(p.engagements) AS BIGINT), CAST(SUM(p.profile_actions) AS BIGINT), \
                     CAST(SUM(p.follows) AS BIGINT) \
                     FROM analytics_posts p \
                     JOIN studio_draft_posts sdp ON sdp.post_id = p.post_id \
                     JOIN studio_drafts sd ON sd.id = sdp.draft_id \
                     WHERE p.workspace_id = $1 AND p.published_at >= $2 AND p.published_at < $3 \
                       AND sd.pillar_id = $4 GROUP BY p.connection_id",
                )
                .bind(workspace)
                .bind(Days::micros(days.from))
                .bind(Days::micros(days.to + 1))
                .bind(pillar)
                .fetch_all(pool)
                .await?
            });
            let mut v = [None; 4];
            for (id, views, reach, engagements, profile, follows) in rows {
                if !ids.contains(&&id) {
                    continue;
                }
                v[0] = add(v[0], views.or(reach));
                v[1] = add(v[1], engagements);
                v[2] = add(v[2], profile);
                v[3] = add(v[3], follows);
            }
            v
        } else {
            let t = &summary.total;
            [
                t.views.value,
                t.engagements.value,
                t.profile_actions.value,
                t.follows.value,
            ]
        };
        Ok([
            Step::Views,
            Step::Engagements,
            Step::ProfileActions,
            Step::Follows,
        ]
        .into_iter()
        .zip(values)
        .map(|(step, value)| FunnelStep { step, value })
        .collect())
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
        auth.require(Permission::View)?;
        if limit == 0 || limit > MAX_LIMIT {
            return Err(AnalyticsError::Invalid {
                field: "limit",
                reason: "between 1 and 100",
            });
        }
        self.check_pillar(auth, filter).await?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        self.ranking_of(auth.workspace(), filter, &accounts, days, rank, limit)
            .await
    }

    async fn ranking_of(
        &self,
        workspace: WorkspaceId,
        filter: &Filter,
        accounts: &[Named],
        days: Days,
        rank: Rank,
        limit: u32,
    ) -> Result<Ranking, AnalyticsError> {
        let scope = AccountScope::of(filter, accounts);
        let order = match rank {
            // The expression, not its alias: PostgreSQL reads no alias in
            // WHERE.
            Rank::EngagementRate => {
                "CAST(p.engagements AS DOUBLE PRECISION) / NULLIF(COALESCE(p.views, p.reach), 0)"
            }
            Rank::Engagements => "p.engagements",
            Rank::Views => "COALESCE(p.views, p.reach)",
            Rank::Newest => "p.published_at",
        };
        let base = format!(
            "FROM analytics_posts p \
             LEFT JOIN studio_draft_posts sdp ON sdp.post_id = p.post_id \
             LEFT JOIN studio_drafts sd ON sd.id = sdp.draft_id \
             WHERE p.workspace_id = $1 AND p.published_at >= $2 AND p.published_at < $3 \
               AND ($4 IS NULL OR sd.pillar_id = $4) {scope}",
            scope = scope.sql(5)
        );
        let columns = "p.connection_id, p.remote_id, p.post_id, sd.pillar_id, p.published_at, \
             p.format, p.permalink, p.title, p.views, p.reach, p.engagements, p.likes, \
             p.comments, p.shares, p.saves, p.watch_time_secs, \
             CAST(p.engagements AS DOUBLE PRECISION) / NULLIF(COALESCE(p.views, p.reach), 0) AS rate";
        let ranked = format!("{order} IS NOT NULL");
        let top_sql = format!(
            "SELECT {columns} {base} AND {ranked} ORDER BY {order} DESC, p.remote_id LIMIT {limit}"
        );
        let bottom_sql = format!(
            "SELECT {columns} {base} AND {ranked} ORDER BY {order} ASC, p.remote_id LIMIT {limit}"
        );
        let count_sql = format!("SELECT COUNT(*) {base}");
        let pillar = filter.pillar;
        let from = Days::micros(days.from);
        let to = Days::micros(days.to + 1);
        let (top, bottom, count): (Vec<PostDbRow>, Vec<PostDbRow>, i64) =
            on_pool!(self.db(), |pool| {
                let top = scope
                    .bind(
                        sqlx::query_as(sqlx::AssertSqlSafe(top_sql))
                            .bind(workspace)
                            .bind(from)
                            .bind(to)
                            .bind(pillar),
                    )
                    .fetch_all(pool)
                    .await?;
                let bottom = scope
                    .bind(
                        sqlx::query_as(sqlx::AssertSqlSafe(bottom_sql))
                            .bind(workspace)
                            .bind(from)
                            .bind(to)
                            .bind(pillar),
                    )
                    .fetch_all(pool)
                    .await?;
                let count = scope
                    .bind_scalar(
                        sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql))
                            .bind(workspace)
                            .bind(from)
                            .bind(to)
                            .bind(pillar),
                    )
                    .fetch_one(pool)
                    .await?;
                (top, bottom, count)
            });
        let names: HashMap<&ConnectionId, &Named> =
            accounts.iter().map(|a| (&a.connection_id, a)).collect();
        let row = |r: PostDbRow| -> Option<PostRow> {
            let account = names.get(&r.connection_id)?;
            Some(PostRow {
                platform: account.platform().unwrap_or(Platform::Facebook),
                account_name: account.name.clone(),
                connection_id: r.connection_id,
                remote_id: r.remote_id,
                post_id: r.post_id,
                pillar_id: r.pillar_id,
                published_at: r.published_at.map(|t| t.0),
                format: r.format,
                permalink: r.permalink,
                title: r.title,
                views: r.views,
                reach: r.reach,
                engagements: r.engagements,
                likes: r.likes,
                comments: r.comments,
                shares: r.shares,
                saves: r.saves,
                watch_time_secs: r.watch_time_secs,
                engagement_rate: r.rate,
            })
        };
        let top: Vec<PostRow> = top.into_iter().filter_map(row).collect();
        // The bottom list never repeats the top one (few posts).
        let bottom: Vec<PostRow> = bottom
            .into_iter()
            .filter_map(row)
            .filter(|b| {
                !top.iter()
                    .any(|t| t.remote_id == b.remote_id && t.connection_id == b.connection_id)
            })
            .collect();
        Ok(Ranking {
            rank,
            top,
            bottom,
            posts: u32::try_from(count).unwrap_or(u32::MAX),
        })
    }

    /// Weekday × hour (in `time_zone`) of the posts published in the
    /// period, with their mean engagement rate.
    pub async fn best_times(
        &self,
        auth: &Authorized,
        filter: &Filter,
        time_zone: &str,
    ) -> Result<BestTimes, AnalyticsError> {
        auth.require(Permission::View)?;
        let zone = zone(time_zone)?;
        self.check_pillar(auth, filter).await?;
        let accounts = self.accounts_of(auth.workspace(), filter).await?;
        let days = Days::of(filter.period, self.now());
        self.best_times_of(auth.workspace(), filter, &accounts, days, time_zone, &zone)
            .await
    }

    async fn best_times_of(
        &self,
        workspace: WorkspaceId,
        filter: &Filter,
        accounts: &[Named],
        days: Days,
        time_zone: &str,
        zone: &TimeZone,
    ) -> Result<BestTimes, AnalyticsError> {
        let scope = AccountScope::of(filter, accounts);
        let sql = format!(
            "SELECT p.published_at / {MICROS_PER_HOUR} AS hour, COUNT(*) AS posts, \
             SUM(CAST(p.engagements AS DOUBLE PRECISION) / NULLIF(COALESCE(p.views, p.reach), 0)) AS rates, \
             COUNT(CAST(p.engagements AS DOUBLE PRECISION) / NULLIF(COALESCE(p.views, p.reach), 0)) AS rated \
             FROM analytics_posts p \
             LEFT JOIN studio_draft_posts sdp ON sdp.post_id = p.post_id \
             LEFT JOIN studio_drafts sd ON sd.id = sdp.draft_id \
             WHERE p.workspace_id = $1 AND p.published_at >= $2 AND p.published_at < $3 \
               AND ($4 IS NULL OR sd.pillar_id = $4) {scope} \
             GROUP BY p.published_at / {MICROS_PER_HOUR}",
            scope = scope.sql(5)
        );
        let pillar = filter.pillar;
        let rows: Vec<(i64, i64, Option<f64>, i64)> = on_pool!(self.db(), |pool| {
            scope
                .bind(
                    sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(workspace)
                        .bind(Days::micros(days.from))
                        .bind(Days::micros(days.to + 1))
                        .bind(pillar),
                )
                .fetch_all(pool)
                .await?
        });
        Ok(heat_map(&rows, time_zone, zone))
    }

    /// Each platform's totals side by side.
    pub async fn platforms(
        &self,
        auth: &Authorized,
        filter: &Filter,
    ) -> Result<Vec<PlatformRow>, AnalyticsError> {
        Ok(platforms_of(&self.summary(auth, filter).await?))
    }

    /// The workspace's latest ingestion runs, newest first.
    pub async fn runs(
        &self,
        auth: &Authorized,
        limit: u32,
    ) -> Result<Vec<RunView>, AnalyticsError> {
        auth.require(Permission::View)?;
        let rows =
            store::workspace_runs(self.db(), auth.workspace(), i64::from(limit.min(MAX_LIMIT)))
                .await?;
        let names: Vec<(ConnectionId, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT id, name FROM connections WHERE workspace_id = $1")
                .bind(auth.workspace())
                .fetch_all(pool)
                .await?
        });
        let names: HashMap<ConnectionId, String> = names.into_iter().collect();
        rows.into_iter()
            .map(|r| {
                Ok(RunView {
                    id: r.id,
                    account_name: names.get(&r.connection_id).cloned().unwrap_or_default(),
                    connection_id: r.connection_id,
                    reason: <Reason as herald_core::Named>::parse(&r.reason).ok_or_else(|| {
                        AnalyticsError::Corrupt(format!("run reason {}", r.reason))
                    })?,
                    status: <RunStatus as herald_core::Named>::parse(&r.status).ok_or_else(
                        || AnalyticsError::Corrupt(format!("run status {}", r.status)),
                    )?,
                    first_day: date_of(r.first_day),
                    last_day: date_of(r.last_day),
                    account_rows: i64::from(r.account_rows),
                    post_rows: i64::from(r.post_rows),
                    calls: i64::from(r.calls),
                    errors: i64::from(r.errors),
                    last_error: r.last_error,
                    created_at: r.created_at.0,
                    finished_at: r.finished_at.map(|t| t.0),
                })
            })
            .collect()
    }

    /// "Refresh now": queues a run for `account` or for every account of
    /// the workspace with an insights reader (one waiting run per account
    /// at most). Accounts connected since the last sweep are enrolled
    /// first, with their backfill.
    pub async fn refresh(
        &self,
        auth: &Authorized,
        account: Option<&ConnectionId>,
    ) -> Result<Refresh, AnalyticsError> {
        auth.require(Permission::Publish)?;
        self.enrol(Some(auth.workspace())).await?;
        let accounts = store::workspace_accounts(self.db(), auth.workspace()).await?;
        if let Some(id) = account
            && !accounts.iter().any(|a| &a.connection_id == id)
        {
            return Err(AnalyticsError::AccountNotFound);
        }
        let now = self.now();
        let mut runs = Vec::new();
        for a in accounts
            .iter()
            .filter(|a| account.is_none_or(|id| id == &a.connection_id))
        {
            if store::open_run(self.db(), &a.connection_id)
                .await?
                .is_some()
            {
                continue;
            }
            let (reason, first, last) = self.range_of(a, Reason::Manual, now);
            let mut tx = self.db().begin().await?;
            runs.push(
                self.queue_run(
                    &mut tx,
                    &a.connection_id,
                    a.workspace_id,
                    reason,
                    first,
                    last,
                )
                .await?,
            );
            tx.commit().await?;
        }
        Ok(Refresh {
            queued: u32::try_from(runs.len()).unwrap_or(u32::MAX),
            runs,
        })
    }
}

/// Posts as read for a ranking.
#[derive(Debug, sqlx::FromRow)]
struct PostDbRow {
    connection_id: ConnectionId,
    remote_id: String,
    post_id: Option<PostId>,
    pillar_id: Option<PillarId>,
    published_at: Option<DbTime>,
    format: Option<String>,
    permalink: Option<String>,
    title: Option<String>,
    views: Option<i64>,
    reach: Option<i64>,
    engagements: Option<i64>,
    likes: Option<i64>,
    comments: Option<i64>,
    shares: Option<i64>,
    saves: Option<i64>,
    watch_time_secs: Option<i64>,
    rate: Option<f64>,
}

/// The accounts a post query is narrowed to: none (all of the
/// workspace's), or the filter's.
struct AccountScope {
    ids: Option<Vec<ConnectionId>>,
}

impl AccountScope {
    fn of(filter: &Filter, accounts: &[Named]) -> AccountScope {
        if filter.account.is_none() && filter.platform.is_none() {
            return AccountScope { ids: None };
        }
        AccountScope {
            ids: Some(accounts.iter().map(|a| a.connection_id.clone()).collect()),
        }
    }

    /// ` AND p.connection_id IN ($n, …)` (never empty: no account → no row).
    fn sql(&self, first: usize) -> String {
        match &self.ids {
            None => String::new(),
            Some(ids) if ids.is_empty() => " AND 1 = 0".into(),
            Some(ids) => format!(
                " AND p.connection_id IN ({})",
                (first..first + ids.len())
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn bind<'q, DB, O>(
        &'q self,
        mut q: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments>
    where
        DB: sqlx::Database,
        ConnectionId: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for id in self.ids.iter().flatten() {
            q = q.bind(id);
        }
        q
    }

    fn bind_scalar<'q, DB, O>(
        &'q self,
        mut q: sqlx::query::QueryScalar<'q, DB, O, <DB as sqlx::Database>::Arguments>,
    ) -> sqlx::query::QueryScalar<'q, DB, O, <DB as sqlx::Database>::Arguments>
    where
        DB: sqlx::Database,
        ConnectionId: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for id in self.ids.iter().flatten() {
            q = q.bind(id);
        }
        q
    }
}

fn zone(time_zone: &str) -> Result<TimeZone, AnalyticsError> {
    TimeZone::get(time_zone).map_err(|_| AnalyticsError::Invalid {
        field: "time_zone",
        reason: "an IANA time zone such as Europe/Berlin",
    })
}

/// The map of `(UTC hour since the epoch, posts, sum of rates, rated
/// posts)` rows in `zone`.
pub(crate) fn heat_map(
    rows: &[(i64, i64, Option<f64>, i64)],
    name: &str,
    zone: &TimeZone,
) -> BestTimes {
    let mut cells: BTreeMap<(u8, u8), (u32, f64, u32)> = BTreeMap::new();
    let mut posts = 0u32;
    for (hour, count, rates, rated) in rows {
        let Ok(at) = Timestamp::from_second(hour * 3600) else {
            continue;
        };
        let local = at.to_zoned(zone.clone());
        let weekday = u8::try_from(local.weekday().to_monday_zero_offset()).unwrap_or(0);
        let hour = u8::try_from(local.hour()).unwrap_or(0);
        let cell = cells.entry((weekday, hour)).or_default();
        let count = u32::try_from(*count).unwrap_or(0);
        cell.0 += count;
        cell.1 += rates.unwrap_or(0.0);
        cell.2 += u32::try_from(*rated).unwrap_or(0);
        posts += count;
    }
    let slots: Vec<Slot> = cells
        .into_iter()
        .map(|((weekday, hour), (count, rates, rated))| Slot {
            weekday,
            hour,
            posts: count,
            engagement_rate: (rated > 0).then(|| rates / f64::from(rated)),
        })
        .collect();
    let mut best: Vec<Slot> = slots
        .iter()
        .filter(|s| s.posts >= 2 && s.engagement_rate.is_some())
        .copied()
        .collect();
    best.sort_by(|a, b| {
        b.engagement_rate
            .partial_cmp(&a.engagement_rate)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(b.posts.cmp(&a.posts))
    });
    best.truncate(3);
    BestTimes {
        time_zone: name.to_owned(),
        slots,
        best,
        posts,
    }
}

fn platforms_of(summary: &Summary) -> Vec<PlatformRow> {
    let mut rows: BTreeMap<Platform, PlatformRow> = BTreeMap::new();
    for a in &summary.accounts {
        let row = rows.entry(a.platform).or_insert_with(|| PlatformRow {
            platform: a.platform,
            accounts: 0,
            totals: Totals::default(),
        });
        row.accounts += 1;
        row.totals.add(&a.totals);
    }
    rows.into_values().collect()
}

async fn sums(
    db: &Db,
    workspace: WorkspaceId,
    days: Days,
) -> Result<HashMap<ConnectionId, Sums>, AnalyticsError> {
    let cur = |c: &str| format!("CAST(SUM(CASE WHEN day >= $2 THEN {c} END) AS BIGINT) AS {c}");
    let prev = |c: &str| format!("CAST(SUM(CASE WHEN day < $2 THEN {c} END) AS BIGINT) AS p_{c}");
    let cols = [
        "views",
        "reach",
        "engagements",
        "profile_actions",
        "follows",
        "watch_time_secs",
    ];
    let select = cols
        .iter()
        .map(|c| cur(c))
        .chain(cols.iter().map(|c| prev(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT connection_id, {select} FROM analytics_account_days \
         WHERE workspace_id = $1 AND day >= $3 AND day <= $4 GROUP BY connection_id"
    );
    let rows: Vec<Sums> = on_pool!(db, |pool| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(workspace)
            .bind(days.from)
            .bind(days.previous_from)
            .bind(days.to)
            .fetch_all(pool)
            .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|s| Some((s.connection_id.clone()?, s)))
        .collect())
}

/// Each account's followers at the end of the period and of the one
/// before: its latest known count on or before each end (one backwards
/// step along each account's primary key, however long its history).
async fn followers(
    db: &Db,
    workspace: WorkspaceId,
    days: Days,
) -> Result<HashMap<ConnectionId, Figure>, AnalyticsError> {
    let rows: Vec<(ConnectionId, Option<i64>, Option<i64>)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT a.connection_id, \
               (SELECT d.followers FROM analytics_account_days d \
                 WHERE d.connection_id = a.connection_id AND d.day <= $2 \
                   AND d.followers IS NOT NULL ORDER BY d.day DESC LIMIT 1), \
               (SELECT d.followers FROM analytics_account_days d \
                 WHERE d.connection_id = a.connection_id AND d.day <= $3 \
                   AND d.followers IS NOT NULL ORDER BY d.day DESC LIMIT 1) \
             FROM analytics_accounts a WHERE a.workspace_id = $1",
        )
        .bind(workspace)
        .bind(days.to)
        .bind(days.from - 1)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, value, previous)| (id, Figure { value, previous }))
        .collect())
}

/// Each account's followers last known before `day`.
async fn followers_before(
    db: &Db,
    workspace: WorkspaceId,
    day: i32,
) -> Result<HashMap<ConnectionId, i64>, AnalyticsError> {
    let rows: Vec<(ConnectionId, Option<i64>)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT a.connection_id, \
               (SELECT d.followers FROM analytics_account_days d \
                 WHERE d.connection_id = a.connection_id AND d.day < $2 \
                   AND d.followers IS NOT NULL ORDER BY d.day DESC LIMIT 1) \
             FROM analytics_accounts a WHERE a.workspace_id = $1",
        )
        .bind(workspace)
        .bind(day)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(id, f)| Some((id, f?)))
        .collect())
}

/// Posts published in the period and in the one before, per account.
async fn post_counts(
    db: &Db,
    workspace: WorkspaceId,
    days: Days,
) -> Result<HashMap<ConnectionId, Figure>, AnalyticsError> {
    let rows: Vec<(ConnectionId, Option<i64>, Option<i64>)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT connection_id, \
             CAST(SUM(CASE WHEN published_at >= $2 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN published_at < $2 THEN 1 ELSE 0 END) AS BIGINT) \
             FROM analytics_posts WHERE workspace_id = $1 AND published_at >= $3 AND published_at < $4 \
             GROUP BY connection_id",
        )
        .bind(workspace)
        .bind(Days::micros(days.from))
        .bind(Days::micros(days.previous_from))
        .bind(Days::micros(days.to + 1))
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, value, previous)| {
            (
                id,
                Figure {
                    value: Some(value.unwrap_or(0)),
                    previous: Some(previous.unwrap_or(0)),
                },
            )
        })
        .collect())
}

async fn last_days(
    db: &Db,
    workspace: WorkspaceId,
) -> Result<HashMap<ConnectionId, i32>, AnalyticsError> {
    let rows: Vec<(ConnectionId, Option<i32>)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT connection_id, last_day FROM analytics_accounts WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(id, d)| Some((id, d?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_map_turns_utc_hours_into_the_readers_weekday_and_hour() {
        // 2026-12-07 is a Monday; 23:00 UTC is Tuesday 00:00 in Berlin.
        let monday_23 = Timestamp::from_second(1_796_684_400).expect("a time");
        assert_eq!(
            monday_23.to_zoned(TimeZone::UTC).to_string(),
            "2026-12-07T23:00:00+00:00[UTC]"
        );
        let hour = monday_23.as_second() / 3600;
        let rows = vec![(hour, 2, Some(0.2), 2), (hour - 1, 1, Some(0.05), 1)];
        let berlin = TimeZone::get("Europe/Berlin").expect("a zone");
        let map = heat_map(&rows, "Europe/Berlin", &berlin);
        assert_eq!(map.posts, 3);
        let tuesday_midnight = map
            .slots
            .iter()
            .find(|s| s.weekday == 1 && s.hour == 0)
            .expect("Tuesday 00:00");
        assert_eq!(tuesday_midnight.posts, 2);
        assert!((tuesday_midnight.engagement_rate.expect("a rate") - 0.1).abs() < 1e-9);
        // Only slots with two posts or more can be "best".
        assert_eq!(map.best.len(), 1);
        assert_eq!((map.best[0].weekday, map.best[0].hour), (1, 0));
    }

    #[test]
    fn a_rate_needs_a_positive_denominator() {
        assert_eq!(ratio(Some(5), Some(0)), None);
        assert_eq!(ratio(Some(5), None), None);
        assert_eq!(ratio(None, Some(10)), None);
        assert_eq!(ratio(Some(5), Some(10)), Some(0.5));
    }

    #[test]
    fn totals_add_up_what_is_known_and_recompute_the_rate() {
        let mut total = Totals::default();
        let mut a = Totals {
            views: Figure {
                value: Some(100),
                previous: Some(50),
            },
            engagements: Figure {
                value: Some(10),
                previous: Some(10),
            },
            ..Totals::default()
        };
        a.rate();
        let b = Totals {
            reach: Figure {
                value: Some(40),
                previous: None,
            },
            engagements: Figure {
                value: Some(10),
                previous: None,
            },
            ..Totals::default()
        };
        total.add(&a);
        total.add(&b);
        assert_eq!(total.views.value, Some(100));
        assert_eq!(total.engagements.value, Some(20));
        assert_eq!(total.engagement_rate.value, Some(0.2));
        assert_eq!(total.engagement_rate.previous, Some(0.2));
    }
}
