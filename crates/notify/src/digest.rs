//! The weekly digest: every Monday at 08:00 in each member's time zone (UTC
//! until they choose one), a summary of the workspace's week — what was
//! published against the week before, what failed, what waits for
//! approval, what is scheduled — and the one next step that matters most.
//! In-app and by mail, each as the member chose (both on by default).
//!
//! A sweep (`notify.digest.v1`) runs every quarter hour and makes the
//! digest of every member whose local Monday 08:00 has come in the last
//! day and whose digest of that local week was not made yet
//! (`digests`, one row per member, workspace and week). Local time is
//! computed with the zone's rules at that instant, so the digest keeps
//! 08:00 across daylight-saving changes; a server that was down on Monday
//! morning sends it when it is back, the same day.

use std::sync::Arc;

use async_trait::async_trait;
use herald_accounts::Role;
use herald_core::{Clock, SignedDuration, Timestamp, UserId, WorkspaceId};
use herald_db::{Db, DbTime, on_tx};
use herald_jobs::{Handler, JobContext, JobError, JobPayload, NewJob, Queue};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::report::{Digest, NextStep, WeekFigures};
use crate::unsubscribe::{Unsubscription, wants};
use crate::words::{BoxError, Letter, MailBody, Words};
use crate::{Channel, NotificationKind, NotifyError, Settings};

/// When the digest goes out unless the member chooses: Monday 08:00 in
/// their time zone.
pub const DIGEST_DAY: Weekday = Weekday::Monday;
pub const DIGEST_TIME: Time = Time::constant(8, 0, 0, 0);

/// When a member's digest comes, in their time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestSchedule {
    pub day: Weekday,
    /// On the minute (seconds are dropped).
    pub time: Time,
}

impl Default for DigestSchedule {
    fn default() -> DigestSchedule {
        DigestSchedule {
            day: DIGEST_DAY,
            time: DIGEST_TIME,
        }
    }
}

const DAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Monday),
    ("tuesday", Weekday::Tuesday),
    ("wednesday", Weekday::Wednesday),
    ("thursday", Weekday::Thursday),
    ("friday", Weekday::Friday),
    ("saturday", Weekday::Saturday),
    ("sunday", Weekday::Sunday),
];

impl DigestSchedule {
    /// The seven day names, Monday first (as the API and forms take them).
    pub fn day_names() -> [&'static str; 7] {
        DAYS.map(|(name, _)| name)
    }

    /// `day` (`monday` … `sunday`) at `time` (`HH:MM`, 24 hours); `None`
    /// for anything else.
    pub fn parse(day: &str, time: &str) -> Option<DigestSchedule> {
        let day = DAYS.iter().find(|(name, _)| *name == day.trim())?.1;
        let (h, m) = time.trim().split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let time = Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()?;
        Some(DigestSchedule { day, time })
    }

    pub fn day_name(&self) -> &'static str {
        DAYS.iter()
            .find(|(_, d)| *d == self.day)
            .map_or("monday", |(name, _)| name)
    }

    /// `HH:MM`.
    pub fn time_text(&self) -> String {
        format!("{:02}:{:02}", self.time.hour(), self.time.minute())
    }

    /// As stored: the weekday (1 Monday … 7 Sunday) and the minute of the
    /// day.
    pub(crate) fn to_stored(self) -> (i32, i32) {
        (
            i32::from(self.day.to_monday_one_offset()),
            i32::from(self.time.hour()) * 60 + i32::from(self.time.minute()),
        )
    }

    pub(crate) fn from_stored(weekday: i32, minute: i32) -> Option<DigestSchedule> {
        let day = Weekday::from_monday_one_offset(i8::try_from(weekday).ok()?).ok()?;
        let time = Time::new(
            i8::try_from(minute / 60).ok()?,
            i8::try_from(minute % 60).ok()?,
            0,
            0,
        )
        .ok()?;
        Some(DigestSchedule { day, time })
    }
}

/// How late a digest may still be made (a server down on Monday morning).
const LATE_LIMIT: SignedDuration = SignedDuration::from_hours(24);

/// How often the sweep runs.
const EVERY: SignedDuration = SignedDuration::from_mins(15);

/// Memberships read per page.
const PAGE: i64 = 500;

/// The sweep's job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepDigests {}

impl JobPayload for SweepDigests {
    const KIND: &'static str = "notify.digest.v1";
    const QUEUE: &'static str = "notify";
}

/// Reads a workspace's week (the binary implements it over publishing).
#[async_trait]
pub trait Figures: Send + Sync {
    /// The figures of `workspace` for the week [`from`, `to`), the week
    /// before it, and the week after `to`.
    async fn week(
        &self,
        workspace: WorkspaceId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<WeekFigures, BoxError>;
}

/// The digest's latest time on or before the day `local` (a date in the
/// member's zone): the last `schedule.day` at `schedule.time` there, as
/// the date and the instant. A time that does not exist that day (a DST
/// gap) moves forward, as the clock does.
pub fn digest_time(
    local: Date,
    zone: &TimeZone,
    schedule: DigestSchedule,
) -> Option<(Date, Timestamp)> {
    let back = (i64::from(local.weekday().to_monday_zero_offset())
        - i64::from(schedule.day.to_monday_zero_offset()))
    .rem_euclid(7);
    let day = local.checked_sub(jiff::Span::new().days(back)).ok()?;
    let at = day.to_datetime(schedule.time).to_zoned(zone.clone()).ok()?;
    Some((day, at.timestamp()))
}

/// The digest a member in `zone` is due at `now`, if any: their local
/// digest time of this week has passed, less than a day ago.
pub fn due(now: Timestamp, zone: &TimeZone, schedule: DigestSchedule) -> Option<(Date, Timestamp)> {
    let local = now.to_zoned(zone.clone()).date();
    let (week, at) = digest_time(local, zone, schedule)?;
    let late = now.duration_since(at);
    (late >= SignedDuration::ZERO && late < LATE_LIMIT).then_some((week, at))
}

/// The chosen schedules of `users` (those without one have the default).
pub(crate) async fn schedules(
    db: &Db,
    users: &[UserId],
) -> Result<std::collections::HashMap<UserId, DigestSchedule>, NotifyError> {
    let mut found = std::collections::HashMap::new();
    for chunk in users.chunks(500) {
        let rows: Vec<(UserId, i32, i32)> = herald_db::on_pool!(db, |pool| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT user_id, weekday, minute FROM digest_schedules WHERE user_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(pool).await?
        });
        for (user, weekday, minute) in rows {
            if let Some(s) = DigestSchedule::from_stored(weekday, minute) {
                found.insert(user, s);
            }
        }
    }
    Ok(found)
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestsMade {
    pub made: u64,
    pub mailed: u64,
}

/// The weekly digests.
#[derive(Clone)]
pub struct Digests {
    db: Db,
    queue: Queue,
    clock: Arc<dyn Clock>,
    words: Arc<dyn Words>,
    figures: Arc<dyn Figures>,
    settings: Settings,
}

impl Digests {
    pub fn new(
        db: Db,
        queue: Queue,
        clock: Arc<dyn Clock>,
        words: Arc<dyn Words>,
        figures: Arc<dyn Figures>,
        settings: Settings,
    ) -> Digests {
        Digests {
            db,
            queue,
            clock,
            words,
            figures,
            settings,
        }
    }

    /// Makes every digest that is due now.
    pub async fn sweep(&self) -> Result<DigestsMade, NotifyError> {
        let now = self.clock.now();
        let mut made = DigestsMade::default();
        let mut after = None;
        loop {
            let page = herald_accounts::shared::memberships_after(&self.db, after, PAGE).await?;
            let Some(&(w, u, _)) = page.last() else {
                break;
            };
            after = Some((w, u));
            let users: Vec<UserId> = page.iter().map(|(_, u, _)| *u).collect();
            let recipients = herald_accounts::shared::recipients(&self.db, &users).await?;
            let chosen = schedules(&self.db, &users).await?;
            for (workspace, user, role) in &page {
                let Some(recipient) = recipients.iter().find(|r| r.id == *user) else {
                    continue;
                };
                let zone = crate::zone_of(recipient.time_zone.as_deref());
                let schedule = chosen.get(user).copied().unwrap_or_default();
                let Some((week, at)) = due(now, &zone, schedule) else {
                    continue;
                };
                let one = self
                    .make(*workspace, recipient, *role, &zone, week, at)
                    .await?;
                made.made += one.made;
                made.mailed += one.mailed;
            }
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        Ok(made)
    }

    async fn make(
        &self,
        workspace: WorkspaceId,
        recipient: &herald_accounts::shared::Recipient,
        role: Role,
        zone: &TimeZone,
        week: Date,
        at: Timestamp,
    ) -> Result<DigestsMade, NotifyError> {
        let user = recipient.id;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let first = on_tx!(tx, |conn| {
            sqlx::query(
                "INSERT INTO digests (user_id, workspace_id, week, made_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (user_id, workspace_id, week) DO NOTHING",
            )
            .bind(user)
            .bind(workspace)
            .bind(week.to_string())
            .bind(DbTime(now))
            .execute(conn)
            .await?
            .rows_affected()
        }) == 1;
        if !first {
            return Ok(DigestsMade::default());
        }
        let in_app = wants(
            &mut tx,
            user,
            workspace,
            NotificationKind::Digest,
            Channel::InApp,
        )
        .await?;
        let email = recipient.verified
            && wants(
                &mut tx,
                user,
                workspace,
                NotificationKind::Digest,
                Channel::Email,
            )
            .await?;
        if !in_app && !email {
            tx.commit().await?;
            return Ok(DigestsMade::default());
        }
        let from = at
            .checked_sub(SignedDuration::from_hours(24 * 7))
            .expect("a time after 1970");
        let figures = self
            .figures
            .week(workspace, from, at)
            .await
            .map_err(NotifyError::Figures)?;
        let digest = Digest {
            workspace,
            week,
            from,
            to: at,
            figures,
            next: NextStep::of(&figures, role),
        };
        if in_app {
            let notice = digest.notice();
            crate::raise::insert_for(
                &mut tx,
                workspace,
                user,
                NotificationKind::Digest,
                &notice,
                Some(&format!("/home?workspace={}", workspace.0)),
                now,
            )
            .await?;
            self.queue
                .notifications()
                .notify_after_commit(&mut tx, crate::LIVE_CHANNEL, &workspace.0.to_string())
                .await?;
        }
        if email {
            let name = herald_accounts::shared::workspace_name(&self.db, workspace)
                .await?
                .unwrap_or_default();
            let unsubscribe = self.settings.unsubscribe_url(&Unsubscription {
                user,
                workspace,
                kind: NotificationKind::Digest,
            });
            let composed = self
                .words
                .compose(&Letter {
                    locale: &recipient.locale,
                    time_zone: zone,
                    name: &recipient.name,
                    workspace: &name,
                    body: MailBody::Digest(&digest),
                    unsubscribe: &unsubscribe,
                    site: &self.settings.site,
                })
                .map_err(NotifyError::Compose)?;
            herald_mail::enqueue(
                &mut tx,
                &self.queue,
                herald_mail::NewMail {
                    kind: "digest",
                    to: recipient.email.clone(),
                    subject: composed.subject,
                    text: composed.text,
                    html: composed.html,
                },
            )
            .await
            .map_err(NotifyError::Mail)?;
        }
        tx.commit().await?;
        Ok(DigestsMade {
            made: 1,
            mailed: u64::from(email),
        })
    }

    /// Makes sure a sweep is queued (at start-up; each sweep queues the
    /// next).
    pub async fn ensure_scheduled(&self) -> Result<(), NotifyError> {
        self.schedule_after(self.clock.now()).await
    }

    async fn schedule_after(&self, now: Timestamp) -> Result<(), NotifyError> {
        let slot = now.as_second().div_euclid(EVERY.as_secs()) + 1;
        let at = Timestamp::from_second(slot * EVERY.as_secs()).expect("a time before 9999");
        let job = NewJob::of(&SweepDigests {})
            .map_err(NotifyError::Encode)?
            .run_at(at)
            .unique_key(format!("notify.digest:{slot}"));
        let mut tx = self.db.begin().await?;
        self.queue
            .enqueue(&mut tx, job)
            .await
            .map_err(NotifyError::Queue)?;
        tx.commit().await?;
        Ok(())
    }

    pub fn register_jobs(&self, registry: &mut herald_jobs::Registry) {
        registry.register::<SweepDigests, _>(DigestHandler(self.clone()));
    }
}

struct DigestHandler(Digests);

#[async_trait]
impl Handler<SweepDigests> for DigestHandler {
    async fn run(&self, _job: SweepDigests, _ctx: &JobContext) -> Result<(), JobError> {
        let digests = &self.0;
        digests
            .sweep()
            .await
            .map_err(|e| JobError::transient(herald_core::error::chain(&e)))?;
        digests
            .schedule_after(digests.clock.now())
            .await
            .map_err(|e| JobError::transient(herald_core::error::chain(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const M: DigestSchedule = DigestSchedule {
        day: DIGEST_DAY,
        time: DIGEST_TIME,
    };

    #[test]
    fn a_chosen_day_and_time_is_kept_in_the_members_zone() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let friday = DigestSchedule::parse("friday", "17:30").unwrap();
        // Friday 30 October 2026, 17:30 in Berlin (CET) is 16:30 UTC.
        assert_eq!(due(t("2026-10-30T16:29:00Z"), &berlin, friday), None);
        let (day, at) = due(t("2026-10-30T16:30:00Z"), &berlin, friday).unwrap();
        assert_eq!(day.to_string(), "2026-10-30");
        assert_eq!(at, t("2026-10-30T16:30:00Z"));
        // Still due on Saturday morning (the server was down), not later.
        assert!(due(t("2026-10-31T09:00:00Z"), &berlin, friday).is_some());
        assert_eq!(due(t("2026-10-31T17:00:00Z"), &berlin, friday), None);
        // Sunday 23:45 UTC when Sunday is chosen.
        let sunday = DigestSchedule::parse("sunday", "23:45").unwrap();
        assert!(due(t("2026-11-01T23:50:00Z"), &TimeZone::UTC, sunday).is_some());
    }

    #[test]
    fn a_schedule_reads_and_stores_only_real_days_and_times() {
        assert_eq!(DigestSchedule::parse("monday", "08:00"), Some(M));
        for (day, time) in [
            ("mon", "08:00"),
            ("monday", "8:00"),
            ("monday", "24:00"),
            ("monday", "08:60"),
            ("monday", "08-00"),
            ("", ""),
        ] {
            assert_eq!(DigestSchedule::parse(day, time), None, "{day} {time}");
        }
        let s = DigestSchedule::parse("sunday", "23:59").unwrap();
        assert_eq!((s.day_name(), s.time_text().as_str()), ("sunday", "23:59"));
        let (d, m) = s.to_stored();
        assert_eq!((d, m), (7, 1439));
        assert_eq!(DigestSchedule::from_stored(d, m), Some(s));
        assert_eq!(DigestSchedule::from_stored(8, 0), None);
    }

    #[test]
    fn the_digest_keeps_eight_in_the_morning_across_daylight_saving() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        // Summer time (UTC+2): Monday 19 October 2026, 08:00 is 06:00 UTC.
        assert_eq!(due(t("2026-10-19T05:59:59Z"), &berlin, M), None);
        let (week, at) = due(t("2026-10-19T06:00:00Z"), &berlin, M).unwrap();
        assert_eq!(week.to_string(), "2026-10-19");
        assert_eq!(at, t("2026-10-19T06:00:00Z"));
        // The clocks go back on Sunday 25 October: the next Monday's 08:00
        // is 07:00 UTC.
        assert_eq!(due(t("2026-10-26T06:00:00Z"), &berlin, M), None);
        assert_eq!(due(t("2026-10-26T06:59:59Z"), &berlin, M), None);
        let (week, at) = due(t("2026-10-26T07:00:00Z"), &berlin, M).unwrap();
        assert_eq!(week.to_string(), "2026-10-26");
        assert_eq!(at, t("2026-10-26T07:00:00Z"));
        // And forward again on 29 March 2026.
        assert_eq!(
            due(t("2026-03-30T06:00:00Z"), &berlin, M).map(|(_, at)| at),
            Some(t("2026-03-30T06:00:00Z"))
        );
        assert_eq!(due(t("2026-03-30T05:59:00Z"), &berlin, M), None);
    }

    #[test]
    fn a_late_digest_is_made_the_same_day_only() {
        let utc = TimeZone::UTC;
        assert!(due(t("2026-12-07T23:00:00Z"), &utc, M).is_some());
        assert_eq!(due(t("2026-12-08T08:00:00Z"), &utc, M), None);
        assert_eq!(due(t("2026-12-06T09:00:00Z"), &utc, M), None, "a Sunday");
    }
}
