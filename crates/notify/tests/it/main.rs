//! Notifications on both engines: who is told through which channel, a
//! repeat told once, a storm of failures mailed as one summary, the weekly
//! digest at Monday 08:00 local time across a daylight-saving change, and
//! one-click unsubscribe.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use herald_accounts::Permission;
use herald_core::{Clock, ManualClock, Timestamp, UserId, WorkspaceId};
use herald_db::testing::TestDb;
use herald_db::{on_both_backends, on_pool};
use herald_jobs::Queue;
use herald_notify::{
    Audience, BoxError, Channel, Choice, Composed, Digests, Figures, Letter, MailBody, Notice,
    NoticeMail, NotificationKind, Notifications, Notifier, Raise, Settings, UnsubscribeKey,
    WeekFigures, Words,
};

/// What the words port was asked to compose (a real composer is tested in
/// the web crate; here what matters is what reaches it).
#[derive(Default)]
struct Recorded {
    letters: Vec<(String, String, String, u64, usize)>,
}

struct RecordingWords(Arc<Mutex<Recorded>>);

impl Words for RecordingWords {
    fn compose(&self, letter: &Letter<'_>) -> Result<Composed, BoxError> {
        let (what, total, shown) = match &letter.body {
            MailBody::Notices {
                kind,
                pieces,
                total,
            } => (format!("{kind:?}"), *total, pieces.len()),
            MailBody::Digest(d) => (format!("digest {} {:?}", d.week, d.next), 0, 0),
        };
        self.0.lock().unwrap().letters.push((
            letter.locale.to_owned(),
            letter.time_zone.iana_name().unwrap_or("").to_owned(),
            what,
            total,
            shown,
        ));
        Ok(Composed {
            subject: "subject".into(),
            text: format!("unsubscribe: {}", letter.unsubscribe),
            html: "<p>html</p>".into(),
        })
    }
}

struct FixedFigures;

#[async_trait]
impl Figures for FixedFigures {
    async fn week(
        &self,
        _workspace: WorkspaceId,
        _from: Timestamp,
        _to: Timestamp,
    ) -> Result<WeekFigures, BoxError> {
        Ok(WeekFigures {
            published: 12,
            published_before: 9,
            failed: 1,
            awaiting_approval: 2,
            scheduled_next: 4,
        })
    }
}

struct Env {
    t: TestDb,
    clock: Arc<ManualClock>,
    notifier: Notifier,
    notifications: Notifications,
    mail: NoticeMail,
    digests: Digests,
    words: Arc<Mutex<Recorded>>,
    key: UnsubscribeKey,
}

impl Env {
    async fn new(t: TestDb, now: &str) -> Env {
        let clock = Arc::new(ManualClock::new(now.parse().unwrap()));
        let queue = Queue::new(t.db.clone(), clock.clone());
        let key = UnsubscribeKey::derive(b"install secret");
        let settings = Settings::new("https://herald.example/", key.clone());
        let words = Arc::new(Mutex::new(Recorded::default()));
        let port: Arc<dyn Words> = Arc::new(RecordingWords(words.clone()));
        Env {
            notifier: Notifier::new(queue.clone()),
            notifications: Notifications::new(t.db.clone(), clock.clone(), key.clone()),
            mail: NoticeMail::new(
                t.db.clone(),
                queue.clone(),
                clock.clone(),
                port.clone(),
                settings.clone(),
            ),
            digests: Digests::new(
                t.db.clone(),
                queue.clone(),
                clock.clone(),
                port,
                Arc::new(FixedFigures),
                settings,
            ),
            t,
            clock,
            words,
            key,
        }
    }

    async fn user(&self, email: &str, locale: &str, zone: Option<&str>, verified: bool) -> UserId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO users (email, password_hash, display_name, locale, time_zone, \
                 email_verified_at, created_at, updated_at) \
                 VALUES ($1, 'x', $1, $2, $3, $4, 0, 0) RETURNING id",
            )
            .bind(email)
            .bind(locale)
            .bind(zone)
            .bind(verified.then_some(1_i64))
            .fetch_one(pool)
            .await
            .unwrap()
        });
        UserId(id)
    }

    async fn workspace(&self, members: &[(UserId, &str)]) -> WorkspaceId {
        let id: i64 = on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(
                "INSERT INTO workspaces (name, created_at) VALUES ('Acme', 0) RETURNING id",
            )
            .fetch_one(pool)
            .await
            .unwrap()
        });
        for (user, role) in members {
            on_pool!(&self.t.db, |pool| {
                sqlx::query(
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) \
                     VALUES ($1, $2, $3, 0)",
                )
                .bind(id)
                .bind(user.0)
                .bind(*role)
                .execute(pool)
                .await
                .unwrap();
            });
        }
        WorkspaceId(id)
    }

    async fn raise(&self, raise: &Raise<'_>) -> herald_notify::Raised {
        let mut tx = self.t.db.begin().await.unwrap();
        let raised = self
            .notifier
            .raise(&mut tx, raise, self.clock.now())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        raised
    }

    async fn count(&self, sql: &'static str) -> i64 {
        on_pool!(&self.t.db, |pool| {
            sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
        })
    }

    fn advance_secs(&self, secs: i64) {
        self.clock
            .advance(herald_core::SignedDuration::from_secs(secs));
    }

    fn set(&self, at: &str) {
        self.clock.set(at.parse().unwrap());
    }

    fn letters(&self) -> Vec<(String, String, String, u64, usize)> {
        self.words.lock().unwrap().letters.clone()
    }
}

fn failed(n: usize) -> Notice {
    Notice::new(
        "post_failed",
        [
            ("post", format!("Post {n}").into()),
            ("platform", "Instagram".into()),
            ("account", "@acme".into()),
            ("reason", "rejected".into()),
        ],
    )
}

async fn each_channel_reaches_whom_it_should(t: TestDb) {
    let env = Env::new(t, "2026-12-07T10:00:00Z").await;
    let ann = env.user("ann@example.com", "de", None, true).await;
    let bo = env.user("bo@example.com", "en", None, true).await;
    let cy = env.user("cy@example.com", "en", None, false).await;
    let stranger = env.user("eve@example.com", "en", None, true).await;
    let ws = env
        .workspace(&[(ann, "contributor"), (bo, "editor"), (cy, "admin")])
        .await;
    // Bo keeps failures out of his inbox but in the app.
    env.notifications
        .choose(
            &herald_accounts::shared::authorize(&env.t.db, bo, ws, Permission::View)
                .await
                .unwrap(),
            &[Choice {
                kind: NotificationKind::PostFailed,
                channel: Channel::Email,
                enabled: false,
            }],
        )
        .await
        .unwrap();
    let notice = failed(1);
    // Someone outside the workspace is never told; the author is.
    let to = [ann, stranger];
    let raised = env
        .raise(
            &Raise::new(
                ws,
                Audience::MembersElse(&to, Permission::Publish),
                NotificationKind::PostFailed,
                &notice,
            )
            .key("post_failed:t1"),
        )
        .await;
    assert_eq!((raised.in_app, raised.email), (1, 1));
    // The same key within a day tells nobody again.
    let again = env
        .raise(
            &Raise::new(
                ws,
                Audience::MembersElse(&to, Permission::Publish),
                NotificationKind::PostFailed,
                &notice,
            )
            .key("post_failed:t1"),
        )
        .await;
    assert!(again.repeated);
    assert_eq!(env.count("SELECT COUNT(*) FROM notifications").await, 1);
    // The author left: those who may publish are told (Bo in the app only;
    // Cy too, but mail waits only for a confirmed address at sending).
    let gone = [stranger];
    let raised = env
        .raise(&Raise::new(
            ws,
            Audience::MembersElse(&gone, Permission::Publish),
            NotificationKind::PostFailed,
            &failed(2),
        ))
        .await;
    assert_eq!(
        (raised.in_app, raised.email),
        (2, 1),
        "bo: app; cy: app and mail"
    );
    // The one who caused it is never told.
    let raised = env
        .raise(
            &Raise::new(
                ws,
                Audience::Everyone,
                NotificationKind::Approval,
                &failed(3),
            )
            .by(ann),
        )
        .await;
    assert_eq!(raised.in_app, 2);
    // Every raise is an event for the workspace's outbound webhooks.
    assert_eq!(
        env.count("SELECT COUNT(*) FROM event_outbox WHERE subject = 'notification.raised'")
            .await,
        3
    );
    // Mail goes out after the gathering wait, never to an unconfirmed
    // address: Ann's failure and Bo's approval news; Cy's two are dropped.
    let swept = env.mail.sweep().await.unwrap();
    assert_eq!(swept.mails, 0, "nothing is mailed before the wait");
    env.advance_secs(61);
    let swept = env.mail.sweep().await.unwrap();
    assert_eq!((swept.mails, swept.notices, swept.dropped), (2, 2, 2));
    let mut letters: Vec<(String, String)> =
        env.letters().into_iter().map(|l| (l.0, l.2)).collect();
    letters.sort();
    assert_eq!(
        letters,
        vec![
            ("de".to_owned(), "PostFailed".to_owned()),
            ("en".to_owned(), "Approval".to_owned())
        ],
        "each in the reader's language"
    );
    assert_eq!(env.count("SELECT COUNT(*) FROM mail_outbox").await, 2);
    assert_eq!(env.count("SELECT COUNT(*) FROM notification_mail").await, 0);
}

async fn a_storm_of_failures_is_one_summary(t: TestDb) {
    let env = Env::new(t, "2026-12-07T10:00:00Z").await;
    let ann = env
        .user("ann@example.com", "de", Some("Europe/Berlin"), true)
        .await;
    let ws = env.workspace(&[(ann, "editor")]).await;
    let to = [ann];
    // 500 targets fail within one minute.
    for n in 0..500 {
        let key = format!("post_failed:t{n}");
        env.raise(
            &Raise::new(
                ws,
                Audience::MembersElse(&to, Permission::Publish),
                NotificationKind::PostFailed,
                &failed(n),
            )
            .key(&key),
        )
        .await;
        if n % 100 == 99 {
            env.advance_secs(10);
        }
    }
    // One sweep job per minute at most was queued, not 500.
    let sweeps = env
        .count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify.mail.v1'")
        .await;
    assert!(sweeps <= 2, "{sweeps} sweep jobs");
    env.advance_secs(61);
    let swept = env.mail.sweep().await.unwrap();
    assert_eq!((swept.mails, swept.notices), (1, 500));
    let letters = env.letters();
    assert_eq!(letters.len(), 1);
    let (locale, zone, what, total, shown) = &letters[0];
    assert_eq!(
        (locale.as_str(), zone.as_str(), what.as_str()),
        ("de", "Europe/Berlin", "PostFailed")
    );
    assert_eq!((*total, *shown), (500, herald_notify::SUMMARY_NAMES));
    // More failures right after wait for the gap: no second mail yet...
    env.raise(&Raise::new(
        ws,
        Audience::Members(&to),
        NotificationKind::PostFailed,
        &failed(501),
    ))
    .await;
    env.advance_secs(120);
    assert_eq!(env.mail.sweep().await.unwrap().mails, 0);
    // ...and one when it has passed.
    env.advance_secs(15 * 60);
    assert_eq!(env.mail.sweep().await.unwrap().mails, 1);
    assert_eq!(env.count("SELECT COUNT(*) FROM mail_outbox").await, 2);
    // A sweep for the held mail was queued for when the gap ends.
    assert!(
        env.count("SELECT COUNT(*) FROM jobs WHERE kind = 'notify.mail.v1'")
            .await
            >= 1
    );
}

async fn the_digest_comes_at_eight_local_across_daylight_saving(t: TestDb) {
    // Sunday 25 October 2026: Berlin's clocks went back at 03:00.
    let env = Env::new(t, "2026-10-25T12:00:00Z").await;
    let ann = env
        .user("ann@example.com", "de", Some("Europe/Berlin"), true)
        .await;
    let bo = env.user("bo@example.com", "en", None, true).await;
    let ws = env.workspace(&[(ann, "admin"), (bo, "viewer")]).await;
    assert_eq!(env.digests.sweep().await.unwrap().made, 0, "a Sunday");
    // Monday 07:59 in Berlin (CET, UTC+1) is 06:59 UTC: not yet.
    env.set("2026-10-26T06:59:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 0);
    // 08:00 in Berlin is 07:00 UTC now (it was 06:00 the week before).
    env.set("2026-10-26T07:00:00Z");
    let made = env.digests.sweep().await.unwrap();
    assert_eq!(
        (made.made, made.mailed),
        (1, 1),
        "Ann's, not yet Bo's (UTC)"
    );
    // Sweeping again the same morning makes nothing twice.
    env.set("2026-10-26T07:15:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 0);
    // Bo has no zone: 08:00 UTC.
    env.set("2026-10-26T08:00:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 1);
    let letters = env.letters();
    assert_eq!(letters.len(), 2);
    assert_eq!(letters[0].0, "de");
    assert_eq!(letters[0].1, "Europe/Berlin");
    assert_eq!(
        letters[0].2, "digest 2026-10-26 FixFailed",
        "an admin is asked to fix the failure first"
    );
    assert_eq!(
        letters[1].2, "digest 2026-10-26 KeepCadence",
        "a viewer can neither resend nor approve"
    );
    // The digest is in the app too.
    assert_eq!(
        env.count("SELECT COUNT(*) FROM notifications WHERE kind = 'digest'")
            .await,
        2
    );
    // Its unsubscribe link turns the digest mail off without a login.
    let token = env.key.token(&herald_notify::Unsubscription {
        user: ann,
        workspace: ws,
        kind: NotificationKind::Digest,
    });
    assert!(
        env.notifications
            .unsubscribe(&token)
            .await
            .unwrap()
            .is_some()
    );
    // A forged one does nothing.
    assert!(
        env.notifications
            .unsubscribe(&token.replace("digest", "post_failed"))
            .await
            .unwrap()
            .is_none()
    );
    // Next Monday (still CET): Ann gets it in the app only.
    env.set("2026-11-02T07:00:00Z");
    let made = env.digests.sweep().await.unwrap();
    assert_eq!((made.made, made.mailed), (1, 0));
    assert_eq!(env.letters().len(), 2);
}

async fn unsubscribing_turns_off_one_kind_and_drops_its_waiting_mail(t: TestDb) {
    let env = Env::new(t, "2026-12-07T10:00:00Z").await;
    let ann = env.user("ann@example.com", "en", None, true).await;
    let ws = env.workspace(&[(ann, "editor")]).await;
    let to = [ann];
    env.raise(&Raise::new(
        ws,
        Audience::Members(&to),
        NotificationKind::PostFailed,
        &failed(1),
    ))
    .await;
    let token = env.key.token(&herald_notify::Unsubscription {
        user: ann,
        workspace: ws,
        kind: NotificationKind::PostFailed,
    });
    let u = env
        .notifications
        .unsubscribe(&token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.kind, NotificationKind::PostFailed);
    assert_eq!(env.count("SELECT COUNT(*) FROM notification_mail").await, 0);
    let auth = herald_accounts::shared::authorize(&env.t.db, ann, ws, Permission::View)
        .await
        .unwrap();
    let choices = env.notifications.choices(&auth).await.unwrap();
    let of = |kind, channel| {
        choices
            .iter()
            .find(|c| c.kind == kind && c.channel == channel)
            .unwrap()
            .enabled
    };
    assert!(!of(NotificationKind::PostFailed, Channel::Email));
    assert!(
        of(NotificationKind::PostFailed, Channel::InApp),
        "the app keeps it"
    );
    assert!(
        of(NotificationKind::Approval, Channel::Email),
        "other kinds keep mail"
    );
    // A later failure is shown in the app but not mailed.
    let raised = env
        .raise(&Raise::new(
            ws,
            Audience::Members(&to),
            NotificationKind::PostFailed,
            &failed(2),
        ))
        .await;
    assert_eq!((raised.in_app, raised.email), (1, 0));
    // Someone who left the workspace: the link does nothing.
    on_pool!(&env.t.db, |pool| {
        sqlx::query("DELETE FROM memberships WHERE user_id = $1")
            .bind(ann)
            .execute(pool)
            .await
            .unwrap();
    });
    assert!(
        env.notifications
            .unsubscribe(&token)
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_member_chooses_the_digests_day_and_time(t: TestDb) {
    let env = Env::new(t, "2026-10-30T12:00:00Z").await;
    let ann = env
        .user("ann@example.com", "de", Some("Europe/Berlin"), true)
        .await;
    env.workspace(&[(ann, "editor")]).await;
    let friday = herald_notify::DigestSchedule::parse("friday", "17:30").unwrap();
    env.notifications
        .set_digest_schedule(ann, friday)
        .await
        .unwrap();
    assert_eq!(
        env.notifications.digest_schedule(ann).await.unwrap(),
        friday
    );
    // Friday 17:29 in Berlin (CET): not yet; 17:30: the digest.
    env.set("2026-10-30T16:29:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 0);
    env.set("2026-10-30T16:30:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 1);
    // Monday 08:00 brings nothing now.
    env.set("2026-11-02T07:00:00Z");
    assert_eq!(env.digests.sweep().await.unwrap().made, 0);
    assert_eq!(env.letters()[0].2, "digest 2026-10-30 FixFailed");
}

on_both_backends!(
    a_member_chooses_the_digests_day_and_time,
    each_channel_reaches_whom_it_should,
    a_storm_of_failures_is_one_summary,
    the_digest_comes_at_eight_local_across_daylight_saving,
    unsubscribing_turns_off_one_kind_and_drops_its_waiting_mail,
);
