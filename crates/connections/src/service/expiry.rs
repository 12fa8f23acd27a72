//! Warning before a connection's access runs out for good: some grants
//! end on a date no refresh can move (a TikTok refresh token after a year,
//! Meta's data access, an access token of a provider that does not
//! refresh), and after it only the person can connect the account again.
//! A daily check appends `connection.expiring` for every active
//! connection whose end is within [`WARN_BEFORE`]; the event is raised as
//! a notice once per connection, end and level (a week ahead, then the
//! last day) by whoever turns events into notices.

use herald_core::{Named, SignedDuration, Timestamp};
use herald_db::DbTime;

use super::Connections;
use crate::store;

/// How long before the end the first warning goes out.
pub const WARN_BEFORE: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The subject of the event (payload: `workspace_id`, `connection_id`,
/// `provider`, `name`, `expires_at` (RFC 3339), `level` (`week`, `day`)).
pub const EXPIRING_SUBJECT: &str = "connection.expiring";

/// How soon the end is: within the week, or within the last day.
pub fn level(now: Timestamp, ends: Timestamp) -> &'static str {
    if ends.duration_since(now) <= SignedDuration::from_hours(24) {
        "day"
    } else {
        "week"
    }
}

/// The date after which a connection can no longer be renewed without its
/// person: its refresh grant's end, else (for a provider that does not
/// refresh) its access token's.
pub fn hard_end(
    provider: &str,
    access: Option<Timestamp>,
    refresh: Option<Timestamp>,
) -> Option<Timestamp> {
    if refresh.is_some() {
        return refresh;
    }
    let refreshes = herald_platforms::ProviderId::parse(provider)
        .is_some_and(|p| herald_platforms::info(p).refreshes);
    if refreshes { None } else { access }
}

impl Connections {
    /// Appends `connection.expiring` for every active connection whose
    /// hard end is within [`WARN_BEFORE`] of now; returns how many.
    pub async fn warn_expiring(&self) -> Result<usize, crate::ConnectError> {
        let now = self.now();
        let horizon = now.checked_add(WARN_BEFORE).expect("a time before 9999");
        let rows = store::ending_between(&self.inner.db, DbTime(now), DbTime(horizon)).await?;
        let mut told = 0;
        let mut tx = self.inner.db.begin().await?;
        for row in rows {
            let Some(ends) = hard_end(
                &row.provider,
                row.access_expires_at.map(Timestamp::from),
                row.refresh_expires_at.map(Timestamp::from),
            )
            .filter(|e| *e > now && *e <= horizon) else {
                continue;
            };
            let event = herald_events::Event::new(
                herald_events::Subject::parse(EXPIRING_SUBJECT).expect("a valid subject"),
                serde_json::json!({
                    "workspace_id": row.workspace_id,
                    "connection_id": row.id,
                    "provider": row.provider,
                    "name": row.name,
                    "expires_at": ends.to_string(),
                    "level": level(now, ends),
                }),
                now,
            );
            self.inner.outbox.append(&mut tx, &event).await?;
            told += 1;
        }
        tx.commit().await?;
        Ok(told)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_hard_end_is_the_refresh_grants_else_a_non_refreshing_token() {
        let a = Some(t("2026-12-10T00:00:00Z"));
        let r = Some(t("2027-01-10T00:00:00Z"));
        assert_eq!(hard_end("tiktok", a, r), r);
        assert_eq!(hard_end("youtube", a, None), None, "Google refreshes");
        assert_eq!(hard_end("facebook", a, None), a, "Facebook Login does not");
        assert_eq!(
            hard_end("facebook", None, None),
            None,
            "a Page token does not end"
        );
        assert_eq!(hard_end("nowhere", a, None), a);
    }

    #[test]
    fn the_last_day_is_its_own_level() {
        let now = t("2026-12-07T12:00:00Z");
        assert_eq!(level(now, t("2026-12-12T12:00:00Z")), "week");
        assert_eq!(level(now, t("2026-12-08T12:00:00Z")), "day");
        assert_eq!(level(now, t("2026-12-07T13:00:00Z")), "day");
    }
}
