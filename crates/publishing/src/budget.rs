//! The ledger of app-wide daily budgets: what a platform counts per app
//! rather than per account (YouTube's `videos.insert` calls per Google
//! Cloud project), so every workspace and every process of the instance
//! draws on the same count. The dispatcher claims a unit before the step
//! that spends it ([`herald_platforms::Publisher::spend`]); a step that
//! would go beyond the day's budget waits for the next day instead of
//! being refused by the platform.
//!
//! A unit is claimed (and committed) before the call goes out and is never
//! given back: the platform charges failed calls too, and a claim lost in
//! a crash only makes Herald more careful. A target holds one unit a day
//! however often it is retried that day, so a retry after an outage or a
//! renewed token is not held back by its own earlier claim; the platform
//! counting those retries itself is what its own quota error (postponed
//! the same way) is there for.

use herald_core::{TargetId, Timestamp};
use herald_db::{Db, DbError, on_tx};
use herald_platforms::Budget;
use serde::Serialize;

/// How a claim on a budget went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The unit is Herald's; `used` counts it.
    Granted { used: u32 },
    /// Nothing is left today.
    Refused { used: u32 },
}

/// How much of an app-wide daily budget is used today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BudgetUse {
    pub used: u32,
    pub limit: u32,
    /// When the platform's next day starts.
    pub resets_at: Timestamp,
}

impl BudgetUse {
    /// At least 80 % used: worth a warning where people schedule posts.
    pub fn near_limit(&self) -> bool {
        u64::from(self.used) * 5 >= u64::from(self.limit) * 4
    }

    /// Nothing left: new posts wait for the next day.
    pub fn spent(&self) -> bool {
        self.used >= self.limit
    }
}

/// The use at which the warning is logged: the first claim of the day
/// that reaches 80 % (each claim sees its own count, so one logs).
fn warning_at(limit: u32) -> u32 {
    (limit.saturating_mul(4)).div_ceil(5).max(1)
}

/// Claims one unit of `budget` for `target` today. A target holds at
/// most one unit a day: a retry of it (after an outage, a renewed token, a
/// lost answer) the same day is granted without counting again. With
/// `admit`, a new unit only while some is left; without, always (work
/// admitted earlier is counted, not held).
pub(crate) async fn claim(
    db: &Db,
    budget: &Budget,
    target: &TargetId,
    admit: bool,
) -> Result<Claim, DbError> {
    let mut tx = db.begin().await?;
    let (used, granted, counted): (i64, bool, bool) = on_tx!(tx, |conn| {
        // Only today's claims matter.
        sqlx::query("DELETE FROM publish_budget_claims WHERE bucket = $1 AND day <> $2")
            .bind(&budget.bucket)
            .bind(&budget.day)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO publish_budget_days (bucket, day, used) VALUES ($1, $2, 0) \
             ON CONFLICT (bucket, day) DO NOTHING",
        )
        .bind(&budget.bucket)
        .bind(&budget.day)
        .execute(&mut *conn)
        .await?;
        let new = sqlx::query(
            "INSERT INTO publish_budget_claims (bucket, day, target_id) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, day, target_id) DO NOTHING",
        )
        .bind(&budget.bucket)
        .bind(&budget.day)
        .bind(target)
        .execute(&mut *conn)
        .await?
        .rows_affected()
            == 1;
        // The condition is checked on the locked row, so two processes
        // claiming the last unit at once cannot both get it.
        let granted = if !new {
            true
        } else if admit {
            sqlx::query(
                "UPDATE publish_budget_days SET used = used + 1 \
                 WHERE bucket = $1 AND day = $2 AND used < $3",
            )
            .bind(&budget.bucket)
            .bind(&budget.day)
            .bind(i64::from(budget.limit))
            .execute(&mut *conn)
            .await?
            .rows_affected()
                == 1
        } else {
            sqlx::query(
                "UPDATE publish_budget_days SET used = used + 1 WHERE bucket = $1 AND day = $2",
            )
            .bind(&budget.bucket)
            .bind(&budget.day)
            .execute(&mut *conn)
            .await?;
            true
        };
        let used: i64 = sqlx::query_scalar(
            "SELECT used FROM publish_budget_days WHERE bucket = $1 AND day = $2",
        )
        .bind(&budget.bucket)
        .bind(&budget.day)
        .fetch_one(&mut *conn)
        .await?;
        (used, granted, new && granted)
    });
    let used = u32::try_from(used.max(0)).unwrap_or(u32::MAX);
    if !granted {
        // Nothing was taken: the target's claim row goes too.
        tx.rollback().await?;
        return Ok(Claim::Refused { used });
    }
    tx.commit().await?;
    if counted && used == warning_at(budget.limit) {
        tracing::warn!(
            bucket = %budget.bucket,
            day = %budget.day,
            used,
            limit = budget.limit,
            "an app-wide daily publishing budget is 80 % used; later posts wait for the next day"
        );
    }
    Ok(Claim::Granted { used })
}

/// How much of `budget` is used today.
pub(crate) async fn usage(db: &Db, budget: &Budget) -> Result<BudgetUse, DbError> {
    let used: Option<i64> = herald_db::on_pool!(db, |pool| {
        sqlx::query_scalar("SELECT used FROM publish_budget_days WHERE bucket = $1 AND day = $2")
            .bind(&budget.bucket)
            .bind(&budget.day)
            .fetch_optional(pool)
            .await?
    });
    Ok(BudgetUse {
        used: u32::try_from(used.unwrap_or(0).max(0)).unwrap_or(u32::MAX),
        limit: budget.limit,
        resets_at: budget.resets_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_comes_at_four_fifths_of_the_budget() {
        assert_eq!(warning_at(100), 80);
        assert_eq!(warning_at(6), 5);
        assert_eq!(warning_at(1), 1);
        let at = |used, limit| BudgetUse {
            used,
            limit,
            resets_at: Timestamp::UNIX_EPOCH,
        };
        assert!(!at(79, 100).near_limit());
        assert!(at(80, 100).near_limit());
        assert!(at(100, 100).spent() && !at(99, 100).spent());
    }
}
