//! Guardrails on spending: quotas per workspace and member, the cost
//! ledger, and the usage report.
//!
//! A generation is counted when it is accepted: one conditional update per
//! quota row adds one generation and the tokens it may use at most (its
//! prompt's estimate plus the output limit) only while that stays within
//! the limit, all in the request's transaction. Two requests racing for
//! the last generation of a day cannot both pass: the second update finds
//! the row already at the limit (PostgreSQL re-checks the condition after
//! the first one's row lock; SQLite runs one writer at a time). When the
//! generation ends, the reservation is settled once to the tokens it
//! really used (or released when it used none).

use std::collections::BTreeMap;

use herald_accounts::{Authorized, Permission};
use herald_core::{GenerationId, Timestamp, UserId, WorkspaceId};
use herald_db::{DbTime, Tx, on_pool, on_tx};
use serde::{Deserialize, Serialize};

use crate::error::QuotaHit;
use crate::{Studio, StudioError};

/// Prices of the models, per million tokens, in one currency.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prices {
    /// The currency's code (`USD` unless configured).
    pub currency: String,
    /// model → (input, output) in trillionths of the currency per token
    /// (that is, millionths per million tokens).
    by_model: BTreeMap<String, (i64, i64)>,
}

impl Prices {
    /// Reads `model=input/output;…`, the prices per million input and
    /// output tokens (`gpt-4o-mini=0.15/0.60;llama3.1=0/0`). A model not
    /// listed costs nothing (local models), and the ledger says so.
    pub fn parse(text: &str, currency: &str) -> Result<Prices, String> {
        let mut by_model = BTreeMap::new();
        for part in text
            .split([';', ','])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (model, price) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not model=input/output"))?;
            let (input, output) = price
                .split_once('/')
                .ok_or_else(|| format!("{part:?} is not model=input/output"))?;
            by_model.insert(
                model.trim().to_owned(),
                (per_token(input.trim())?, per_token(output.trim())?),
            );
        }
        let currency = currency.trim();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!("{currency:?} is not a currency code like USD"));
        }
        Ok(Prices {
            currency: currency.to_owned(),
            by_model,
        })
    }

    /// What `input` and `output` tokens of `model` cost, in billionths of
    /// the currency.
    pub fn cost_nanos(&self, model: &str, input: u32, output: u32) -> i64 {
        let (i, o) = self
            .by_model
            .get(model)
            .or_else(|| {
                // A server may answer with a dated name (`gpt-4o-mini-2024-07-18`).
                self.by_model
                    .iter()
                    .filter(|(m, _)| model.starts_with(m.as_str()))
                    .max_by_key(|(m, _)| m.len())
                    .map(|(_, p)| p)
            })
            .copied()
            .unwrap_or((0, 0));
        let picos = i128::from(input) * i128::from(i) + i128::from(output) * i128::from(o);
        // Picos to nanos, rounded half up.
        i64::try_from((picos + 500) / 1000).unwrap_or(i64::MAX)
    }

    pub fn is_priced(&self, model: &str) -> bool {
        self.cost_nanos(model, 1_000_000, 1_000_000) > 0
    }
}

/// A price per million tokens (decimal, up to 6 places) as trillionths
/// per token.
fn per_token(text: &str) -> Result<i64, String> {
    let bad = || format!("{text:?} is not a price like 0.15");
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 6 {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let frac_value: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<6}").parse().map_err(|_| bad())?
    };
    if !(0..=1_000_000).contains(&whole) {
        return Err(bad());
    }
    Ok(whole * 1_000_000 + frac_value)
}

/// A limit on one period; `None` is no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limit {
    pub generations: Option<u64>,
    pub tokens: Option<u64>,
}

/// A workspace's quotas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quotas {
    pub workspace_day: Limit,
    pub workspace_month: Limit,
    pub member_day: Limit,
    pub member_month: Limit,
}

impl Default for Quotas {
    /// Generous for a small team, a ceiling on a runaway script.
    fn default() -> Self {
        Quotas {
            workspace_day: Limit {
                generations: Some(200),
                tokens: Some(500_000),
            },
            workspace_month: Limit {
                generations: Some(2_000),
                tokens: Some(5_000_000),
            },
            member_day: Limit {
                generations: Some(50),
                tokens: Some(150_000),
            },
            member_month: Limit::default(),
        }
    }
}

impl Quotas {
    fn rows(&self) -> [(&'static str, &'static str, Limit); 4] {
        [
            ("workspace", "day", self.workspace_day),
            ("workspace", "month", self.workspace_month),
            ("member", "day", self.member_day),
            ("member", "month", self.member_month),
        ]
    }
}

/// The counters' period keys of `at` (UTC): `d2026-12-07`, `m2026-12`.
pub fn periods(at: Timestamp) -> (String, String) {
    let date = at.to_zoned(jiff::tz::TimeZone::UTC).date();
    (
        format!("d{}", date.strftime("%Y-%m-%d")),
        format!("m{}", date.strftime("%Y-%m")),
    )
}

/// When the `period` (`day` or `month`, UTC) that holds `at` ends.
pub fn period_end(period: &str, at: Timestamp) -> Timestamp {
    let date = at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let next = if period == "day" {
        date.tomorrow().ok()
    } else {
        date.first_of_month()
            .checked_add(jiff::Span::new().months(1))
            .ok()
    };
    next.and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map_or(at, |z| z.timestamp())
}

/// The four counter rows a generation of `user` counts against, with their
/// limits.
fn counters(
    quotas: &Quotas,
    user: Option<UserId>,
    at: Timestamp,
) -> Vec<(i64, String, &'static str, &'static str, Limit)> {
    let (day, month) = periods(at);
    let mut out = Vec::new();
    for (scope, period, limit) in quotas.rows() {
        let key = if period == "day" { &day } else { &month };
        let user_id = match (scope, user) {
            ("workspace", _) => 0,
            (_, Some(u)) => u.0,
            // A member who has left: only the workspace counts.
            (_, None) => continue,
        };
        out.push((user_id, key.clone(), scope, period, limit));
    }
    out
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Counts one generation reserving `tokens` against every quota of the
/// workspace and `user`, or refuses with the first quota it would break.
pub(crate) async fn reserve(
    tx: &mut Tx,
    quotas: &Quotas,
    workspace: WorkspaceId,
    user: Option<UserId>,
    tokens: u64,
    at: Timestamp,
) -> Result<(), StudioError> {
    let tokens = clamp(tokens);
    for (user_id, period_key, scope, period, limit) in counters(quotas, user, at) {
        let updated = on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO studio_usage (workspace_id, user_id, period) VALUES ($1, $2, $3) \
                 ON CONFLICT (workspace_id, user_id, period) DO NOTHING",
            )
            .bind(workspace)
            .bind(user_id)
            .bind(&period_key)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE studio_usage SET generations = generations + 1, tokens = tokens + $4 \
                 WHERE workspace_id = $1 AND user_id = $2 AND period = $3 \
                 AND generations + 1 <= $5 AND tokens + $4 <= $6",
            )
            .bind(workspace)
            .bind(user_id)
            .bind(&period_key)
            .bind(tokens)
            .bind(limit.generations.map_or(i64::MAX, clamp))
            .bind(limit.tokens.map_or(i64::MAX, clamp))
            .execute(conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            // Which measure: the generations if one more would not fit,
            // else the tokens.
            let used: (i64, i64) = on_tx!(tx, |conn| {
                sqlx::query_as(
                    "SELECT generations, tokens FROM studio_usage \
                     WHERE workspace_id = $1 AND user_id = $2 AND period = $3",
                )
                .bind(workspace)
                .bind(user_id)
                .bind(&period_key)
                .fetch_one(conn)
                .await?
            });
            let (measure, limit) = match limit.generations {
                Some(g) if used.0 >= clamp(g) => ("generations", g),
                _ => ("tokens", limit.tokens.unwrap_or(0)),
            };
            return Err(StudioError::QuotaReached(QuotaHit {
                scope,
                period,
                measure,
                limit,
                resets_at: period_end(period, at),
            }));
        }
    }
    Ok(())
}

/// Settles a generation's reservation once: its counters move from the
/// reserved tokens to `used` (and give the generation back when nothing
/// was used and it did not succeed). A second call does nothing.
pub(crate) async fn settle(
    tx: &mut Tx,
    id: GenerationId,
    used: u64,
    keep_generation: bool,
) -> Result<(), StudioError> {
    let row: Option<(WorkspaceId, Option<UserId>, i64, DbTime)> = on_tx!(tx, |conn| {
        sqlx::query_as(
            "UPDATE studio_generations SET settled = TRUE WHERE id = $1 AND NOT settled \
             RETURNING workspace_id, requested_by, reserved_tokens, created_at",
        )
        .bind(id)
        .fetch_optional(conn)
        .await?
    });
    let Some((workspace, user, reserved, created)) = row else {
        return Ok(());
    };
    let delta = clamp(used) - reserved;
    let give_back = i64::from(!keep_generation);
    // The periods it was counted in are those of its acceptance.
    for (user_id, period_key, ..) in counters(&Quotas::default(), user, created.0) {
        on_tx!(tx, |conn| {
            sqlx::query(
                "UPDATE studio_usage SET tokens = CASE WHEN tokens + $4 < 0 THEN 0 ELSE tokens + $4 END, \
                 generations = generations - $5 \
                 WHERE workspace_id = $1 AND user_id = $2 AND period = $3",
            )
            .bind(workspace)
            .bind(user_id)
            .bind(&period_key)
            .bind(delta)
            .bind(give_back)
            .execute(conn)
            .await?;
        });
    }
    Ok(())
}

/// One engine call in the ledger.
pub(crate) struct LedgerEntry<'a> {
    pub workspace: WorkspaceId,
    pub user: Option<UserId>,
    pub generation: GenerationId,
    pub engine: &'a str,
    pub model: &'a str,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_nanos: i64,
}

pub(crate) async fn record(
    tx: &mut Tx,
    e: &LedgerEntry<'_>,
    at: Timestamp,
) -> Result<(), StudioError> {
    on_tx!(tx, |conn| {
        sqlx::query(
            "INSERT INTO studio_ledger (workspace_id, user_id, generation_id, engine, model, \
             input_tokens, output_tokens, cost_nanos, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.workspace)
        .bind(e.user)
        .bind(e.generation)
        .bind(e.engine)
        .bind(e.model)
        .bind(i64::from(e.input_tokens))
        .bind(i64::from(e.output_tokens))
        .bind(e.cost_nanos)
        .bind(DbTime(at))
        .execute(conn)
        .await?;
    });
    Ok(())
}

/// Spending of one month.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageReport {
    /// `2026-12`.
    pub month: String,
    pub currency: String,
    pub generations: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Billionths of the currency.
    pub cost_nanos: i64,
    /// The month by model.
    pub by_model: Vec<ModelUsage>,
    /// The month by member: everyone's for those who may set quotas, else
    /// only the caller's own line.
    pub by_member: Vec<MemberUsage>,
    /// What is counted against the quotas today and this month.
    pub quotas: Vec<QuotaUse>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelUsage {
    pub engine: String,
    pub model: String,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_nanos: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberUsage {
    /// `None`: a member who has since been deleted.
    pub user: Option<UserId>,
    pub name: String,
    pub calls: u64,
    pub tokens: u64,
    pub cost_nanos: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuotaUse {
    /// `workspace` or `member` (the caller's own).
    pub scope: String,
    /// `day` or `month`.
    pub period: String,
    pub generations: u64,
    pub tokens: u64,
    pub limit: Limit,
}

fn unsigned(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Studio {
    /// The workspace's quotas (its own, or the defaults).
    pub async fn quotas(&self, auth: &Authorized) -> Result<Quotas, StudioError> {
        auth.require(Permission::View)?;
        quotas_of(
            &self.inner.db,
            &self.inner.settings.default_quotas,
            auth.workspace(),
        )
        .await
    }

    /// Sets the workspace's quotas (owners and admins).
    pub async fn set_quotas(
        &self,
        auth: &Authorized,
        quotas: &Quotas,
    ) -> Result<Quotas, StudioError> {
        auth.require(Permission::SetQuotas)?;
        const MAX: u64 = 1_000_000_000_000;
        for (_, _, l) in quotas.rows() {
            if l.generations.is_some_and(|n| n > MAX) || l.tokens.is_some_and(|n| n > MAX) {
                return Err(StudioError::Invalid {
                    field: "quotas",
                    reason: "too_large",
                });
            }
        }
        let now = DbTime(self.now());
        let mut tx = self.inner.db.begin().await?;
        for (scope, period, limit) in quotas.rows() {
            on_tx!(tx, |conn| {
                sqlx::query("DELETE FROM studio_quotas WHERE workspace_id = $1 AND scope = $2 AND period = $3")
                    .bind(auth.workspace())
                    .bind(scope)
                    .bind(period)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "INSERT INTO studio_quotas (workspace_id, scope, period, generations, tokens, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(auth.workspace())
                .bind(scope)
                .bind(period)
                .bind(limit.generations.map(clamp))
                .bind(limit.tokens.map(clamp))
                .bind(auth.user())
                .bind(now)
                .execute(conn)
                .await?;
            });
        }
        let detail = quotas
            .rows()
            .iter()
            .map(|(s, p, l)| {
                let n = |v: Option<u64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
                format!("{s}_{p}={}/{}", n(l.generations), n(l.tokens))
            })
            .collect::<Vec<_>>()
            .join(" ");
        herald_accounts::shared::record_member_event(
            &mut tx,
            now.0,
            auth,
            "studio.quotas.set",
            "quotas",
            &detail,
        )
        .await?;
        tx.commit().await?;
        Ok(*quotas)
    }

    /// The month's spending (`month` as `2026-12`; this month when
    /// `None`).
    pub async fn usage(
        &self,
        auth: &Authorized,
        month: Option<&str>,
    ) -> Result<UsageReport, StudioError> {
        auth.require(Permission::View)?;
        let now = self.now();
        let month = match month {
            Some(m) => {
                jiff::civil::Date::strptime("%Y-%m-%d", format!("{m}-01")).map_err(|_| {
                    StudioError::Invalid {
                        field: "month",
                        reason: "not_yyyy_mm",
                    }
                })?
            }
            None => now
                .to_zoned(jiff::tz::TimeZone::UTC)
                .date()
                .first_of_month(),
        };
        let start = month
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|_| StudioError::Invalid {
                field: "month",
                reason: "not_yyyy_mm",
            })?;
        let end = start
            .checked_add(jiff::Span::new().months(1))
            .map_err(|_| StudioError::Invalid {
                field: "month",
                reason: "not_yyyy_mm",
            })?;
        let (from, to) = (DbTime(start.timestamp()), DbTime(end.timestamp()));
        let db = &self.inner.db;
        let models: Vec<(String, String, i64, i64, i64, i64)> = on_pool!(db, |pool| {
            sqlx::query_as(
                "SELECT engine, model, COUNT(*), CAST(SUM(input_tokens) AS BIGINT), \
                 CAST(SUM(output_tokens) AS BIGINT), CAST(SUM(cost_nanos) AS BIGINT) \
                 FROM studio_ledger WHERE workspace_id = $1 AND at >= $2 AND at < $3 \
                 GROUP BY engine, model ORDER BY engine, model",
            )
            .bind(auth.workspace())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        let members: Vec<(Option<UserId>, i64, i64, i64)> = on_pool!(db, |pool| {
            sqlx::query_as(
                "SELECT user_id, COUNT(*), CAST(SUM(input_tokens + output_tokens) AS BIGINT), \
                 CAST(SUM(cost_nanos) AS BIGINT) FROM studio_ledger \
                 WHERE workspace_id = $1 AND at >= $2 AND at < $3 GROUP BY user_id",
            )
            .bind(auth.workspace())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        let generations: i64 = on_pool!(db, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM studio_generations WHERE workspace_id = $1 \
                 AND created_at >= $2 AND created_at < $3 AND status = 'succeeded'",
            )
            .bind(auth.workspace())
            .bind(from)
            .bind(to)
            .fetch_one(pool)
            .await?
        });
        let all_members = auth.allows(Permission::SetQuotas);
        let ids: Vec<UserId> = members.iter().filter_map(|m| m.0).collect();
        let names = herald_accounts::shared::display_names(db, &ids).await?;
        let by_member = members
            .into_iter()
            .filter(|m| all_members || m.0 == Some(auth.user()))
            .map(|(user, calls, tokens, cost)| MemberUsage {
                user,
                name: user
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_default(),
                calls: unsigned(calls),
                tokens: unsigned(tokens),
                cost_nanos: cost,
            })
            .collect();
        let by_model: Vec<ModelUsage> = models
            .into_iter()
            .map(|(engine, model, calls, input, output, cost)| ModelUsage {
                engine,
                model,
                calls: unsigned(calls),
                input_tokens: unsigned(input),
                output_tokens: unsigned(output),
                cost_nanos: cost,
            })
            .collect();
        let quotas = quotas_of(db, &self.inner.settings.default_quotas, auth.workspace()).await?;
        let mut quota_use = Vec::new();
        for (user_id, key, scope, period, limit) in counters(&quotas, Some(auth.user()), now) {
            let row: Option<(i64, i64)> = on_pool!(db, |pool| {
                sqlx::query_as(
                    "SELECT generations, tokens FROM studio_usage \
                     WHERE workspace_id = $1 AND user_id = $2 AND period = $3",
                )
                .bind(auth.workspace())
                .bind(user_id)
                .bind(&key)
                .fetch_optional(pool)
                .await?
            });
            let (g, t) = row.unwrap_or_default();
            quota_use.push(QuotaUse {
                scope: scope.to_owned(),
                period: period.to_owned(),
                generations: unsigned(g),
                tokens: unsigned(t),
                limit,
            });
        }
        Ok(UsageReport {
            month: month.strftime("%Y-%m").to_string(),
            currency: self.inner.settings.prices.currency.clone(),
            generations: unsigned(generations),
            input_tokens: by_model.iter().map(|m| m.input_tokens).sum(),
            output_tokens: by_model.iter().map(|m| m.output_tokens).sum(),
            cost_nanos: by_model.iter().map(|m| m.cost_nanos).sum(),
            by_model,
            by_member,
            quotas: quota_use,
        })
    }
}

pub(crate) async fn quotas_of(
    db: &herald_db::Db,
    defaults: &Quotas,
    workspace: WorkspaceId,
) -> Result<Quotas, StudioError> {
    let rows: Vec<(String, String, Option<i64>, Option<i64>)> = on_pool!(db, |pool| {
        sqlx::query_as(
            "SELECT scope, period, generations, tokens FROM studio_quotas WHERE workspace_id = $1",
        )
        .bind(workspace)
        .fetch_all(pool)
        .await?
    });
    let mut q = *defaults;
    for (scope, period, generations, tokens) in rows {
        let limit = Limit {
            generations: generations.map(unsigned),
            tokens: tokens.map(unsigned),
        };
        match (scope.as_str(), period.as_str()) {
            ("workspace", "day") => q.workspace_day = limit,
            ("workspace", "month") => q.workspace_month = limit,
            ("member", "day") => q.member_day = limit,
            ("member", "month") => q.member_month = limit,
            _ => {}
        }
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_and_cost() {
        let p = Prices::parse("gpt-4o-mini=0.15/0.60; llama3.1=0/0", "USD").unwrap();
        // 1,000 input tokens at $0.15/M = $0.00015 = 150,000 nanos.
        assert_eq!(p.cost_nanos("gpt-4o-mini", 1000, 0), 150_000);
        assert_eq!(p.cost_nanos("gpt-4o-mini", 0, 1000), 600_000);
        assert_eq!(p.cost_nanos("gpt-4o-mini-2024-07-18", 1000, 1000), 750_000);
        assert_eq!(p.cost_nanos("llama3.1", 1000, 1000), 0);
        assert_eq!(p.cost_nanos("unknown", 1000, 1000), 0);
        assert!(Prices::parse("gpt=abc/1", "USD").is_err());
        assert!(Prices::parse("gpt=1", "USD").is_err());
        assert!(Prices::parse("gpt=0.1234567/1", "USD").is_err());
        assert!(Prices::parse("", "dollars").is_err());
    }

    #[test]
    fn periods_are_utc_day_and_month() {
        let at: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        assert_eq!(periods(at), ("d2026-12-31".into(), "m2026-12".into()));
    }

    #[test]
    fn a_period_ends_at_the_next_utc_midnight_or_first_of_the_month() {
        let at: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        let next_year: Timestamp = "2027-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(period_end("day", at), next_year);
        assert_eq!(period_end("month", at), next_year);
        let mid: Timestamp = "2026-02-10T08:00:00Z".parse().unwrap();
        assert_eq!(
            period_end("day", mid),
            "2026-02-11T00:00:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(
            period_end("month", mid),
            "2026-03-01T00:00:00Z".parse::<Timestamp>().unwrap()
        );
    }
}
