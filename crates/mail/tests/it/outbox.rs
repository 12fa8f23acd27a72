//! The outbox and its delivery job, on both backends: enqueueing in the
//! caller's transaction, delivery through `Worker::run_due`, retries and
//! idempotency.

use std::sync::Arc;

use herald_core::{ManualClock, SignedDuration};
use herald_db::testing::TestDb;
use herald_jobs::{JobState, NewJob, Queue, Registry, Worker, WorkerOptions};
use herald_mail::{
    DevMailbox, MailError, MailId, MailState, MailTransport, SendMail, SendMailHandler,
    SmtpOptions, SmtpTransport, enqueue, get, recent,
};

use crate::helpers::{FROM, manual_queue, t0, verify_mail};
use crate::smtp_server::TestSmtp;
use herald_db::on_both_backends;

fn worker(queue: &Queue, clock: &Arc<ManualClock>, transport: Arc<dyn MailTransport>) -> Worker {
    let mut registry = Registry::new();
    registry.register::<SendMail, _>(
        SendMailHandler::new(queue.db().clone(), transport).with_clock(clock.clone()),
    );
    Worker::new(queue.clone(), registry, WorkerOptions::default())
}

fn smtp(server: &TestSmtp) -> Arc<dyn MailTransport> {
    Arc::new(SmtpTransport::new(&SmtpOptions::parse(&server.url()).unwrap(), FROM).unwrap())
}

async fn enqueue_one(queue: &Queue) -> MailId {
    let mut tx = queue.db().begin().await.unwrap();
    let id = enqueue(&mut tx, queue, verify_mail("ada@example.com"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn a_rolled_back_enqueue_leaves_neither_mail_nor_job(t: TestDb) {
    let (queue, _clock) = manual_queue(&t.db);
    let mut tx = t.db.begin().await.unwrap();
    let id = enqueue(&mut tx, &queue, verify_mail("ada@example.com"))
        .await
        .unwrap();
    assert!(id.0 > 0);
    tx.rollback().await.unwrap();
    assert!(recent(&t.db, 10).await.unwrap().is_empty());
    assert!(get(&t.db, id).await.unwrap().is_none());
    assert!(queue.counts().await.unwrap().is_empty(), "no job either");
}

async fn an_enqueued_mail_is_delivered_by_the_worker_and_marked_sent(t: TestDb) {
    let server = TestSmtp::start().await;
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;

    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Pending);
    assert_eq!(
        (mail.kind.as_str(), mail.to.as_str()),
        ("verify_email", "ada@example.com")
    );
    assert_eq!(mail.created_at, t0());
    assert_eq!(mail.attempts, 0);
    let jobs = queue
        .list(JobState::Queued, Some("mail"), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "mail.send.v1");
    assert_eq!(jobs[0].payload, serde_json::json!({ "id": id.0 }));

    clock.advance(SignedDuration::from_secs(3));
    assert_eq!(
        worker(&queue, &clock, smtp(&server))
            .run_due()
            .await
            .unwrap(),
        1
    );
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Sent);
    assert_eq!(mail.sent_at, Some(t0() + SignedDuration::from_secs(3)));
    assert_eq!(mail.attempts, 1);
    assert_eq!(mail.last_error, None);
    assert_eq!(server.received().len(), 1);
    assert!(queue.counts().await.unwrap().is_empty(), "the job is done");
}

async fn a_transient_failure_leaves_the_mail_pending_and_a_later_run_sends_it(t: TestDb) {
    let server = TestSmtp::start().await;
    server.refuse_rcpt(Some(451));
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    let worker = worker(&queue, &clock, smtp(&server));

    assert_eq!(worker.run_due().await.unwrap(), 1);
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Pending);
    assert_eq!(mail.attempts, 1);
    let error = mail.last_error.unwrap();
    assert!(error.contains("451"), "{error}");
    let jobs = queue
        .list(JobState::Queued, Some("mail"), 10)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1, "the job waits for its retry");
    assert!(jobs[0].run_at > t0());
    assert_eq!(worker.run_due().await.unwrap(), 0, "not due yet");

    server.refuse_rcpt(None);
    clock.advance(SignedDuration::from_hours(1));
    assert_eq!(worker.run_due().await.unwrap(), 1);
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Sent);
    assert_eq!(mail.attempts, 2);
    assert_eq!(mail.last_error, None);
    assert_eq!(server.received().len(), 1);
    assert!(queue.counts().await.unwrap().is_empty());
}

async fn a_permanent_refusal_marks_the_mail_failed_and_buries_the_job(t: TestDb) {
    let server = TestSmtp::start().await;
    server.refuse_rcpt(Some(550));
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    worker(&queue, &clock, smtp(&server))
        .run_due()
        .await
        .unwrap();
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Failed);
    assert_eq!(mail.attempts, 1);
    assert!(mail.last_error.unwrap().contains("550"));
    let dead = queue.list(JobState::Dead, Some("mail"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
}

async fn the_last_transient_failure_marks_the_mail_failed(t: TestDb) {
    let server = TestSmtp::start().await;
    server.refuse_data(Some(451));
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    let worker = worker(&queue, &clock, smtp(&server));
    for _ in 0..10 {
        assert_eq!(worker.run_due().await.unwrap(), 1);
        clock.advance(SignedDuration::from_hours(2));
    }
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Failed);
    assert_eq!(mail.attempts, 10);
    assert_eq!(
        queue
            .list(JobState::Dead, Some("mail"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(worker.run_due().await.unwrap(), 0);
}

async fn a_sent_mail_is_never_sent_twice_when_its_job_runs_again(t: TestDb) {
    let server = TestSmtp::start().await;
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    let worker = worker(&queue, &clock, smtp(&server));
    assert_eq!(worker.run_due().await.unwrap(), 1);
    // The same delivery job again, as after a crash between sending and
    // completing the job.
    queue
        .enqueue_now(NewJob::of(&SendMail { id: id.0 }).unwrap())
        .await
        .unwrap();
    assert_eq!(worker.run_due().await.unwrap(), 1);
    assert_eq!(server.received().len(), 1, "sent once");
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!((mail.state, mail.attempts), (MailState::Sent, 1));
    assert!(queue.counts().await.unwrap().is_empty());
}

async fn the_development_mailbox_keeps_mail_and_marks_it_sent(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    worker(&queue, &clock, Arc::new(DevMailbox))
        .run_due()
        .await
        .unwrap();
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Sent);
    assert!(
        mail.text.contains("token=abc123"),
        "the body stays readable"
    );
}

async fn a_sent_mails_stored_copy_keeps_no_live_link_and_is_purged_after_30_days(t: TestDb) {
    let server = TestSmtp::start().await;
    let (queue, clock) = manual_queue(&t.db);
    let id = enqueue_one(&queue).await;
    let pending = enqueue_one(&queue).await;
    let before = get(&t.db, id).await.unwrap().unwrap();
    assert!(before.text.contains("token=abc123"));
    worker(&queue, &clock, smtp(&server))
        .run_due()
        .await
        .unwrap();
    // The recipient got the link; the stored copy no longer has it.
    assert!(server.received()[0].data.contains("abc123"));
    let mail = get(&t.db, id).await.unwrap().unwrap();
    assert_eq!(mail.state, MailState::Sent);
    assert!(!mail.text.contains("abc123"), "{}", mail.text);
    assert!(!mail.html.contains("abc123"), "{}", mail.html);
    assert!(mail.text.contains("token=[removed]"));

    // A mail that never left stays however old it is; sent ones go after
    // 30 days.
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query("UPDATE mail_outbox SET state = 'pending' WHERE id = $1")
            .bind(pending.0)
            .execute(pool)
            .await
            .unwrap();
    });
    // (`purge` deletes what was queued before its cutoff: 30 days ago.)
    let cutoff_on = |days: i64| {
        t0() + SignedDuration::from_hours(24 * (days - herald_mail::MAIL_RETENTION_DAYS))
    };
    assert_eq!(herald_mail::purge(&t.db, cutoff_on(29)).await.unwrap(), 0);
    assert_eq!(herald_mail::purge(&t.db, cutoff_on(31)).await.unwrap(), 1);
    assert!(get(&t.db, id).await.unwrap().is_none());
    assert!(get(&t.db, pending).await.unwrap().is_some());
}

async fn a_job_for_a_missing_mail_is_buried(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    queue
        .enqueue_now(NewJob::of(&SendMail { id: 4242 }).unwrap())
        .await
        .unwrap();
    worker(&queue, &clock, Arc::new(DevMailbox))
        .run_due()
        .await
        .unwrap();
    let dead = queue.list(JobState::Dead, Some("mail"), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no longer exists")
    );
}

async fn recent_lists_the_newest_first(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(enqueue_one(&queue).await);
        clock.advance(SignedDuration::from_secs(1));
    }
    let listed: Vec<MailId> = recent(&t.db, 2)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(listed, [ids[2], ids[1]]);
    assert_eq!(recent(&t.db, 10).await.unwrap().len(), 3);
    assert!(get(&t.db, MailId(9999)).await.unwrap().is_none());
}

async fn a_malformed_recipient_fails_the_callers_change(t: TestDb) {
    let (queue, _clock) = manual_queue(&t.db);
    let mut tx = t.db.begin().await.unwrap();
    let err = enqueue(&mut tx, &queue, verify_mail("ada at example"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailError::InvalidRecipient(..)), "{err:?}");
}

on_both_backends!(
    a_sent_mails_stored_copy_keeps_no_live_link_and_is_purged_after_30_days,
    a_rolled_back_enqueue_leaves_neither_mail_nor_job,
    an_enqueued_mail_is_delivered_by_the_worker_and_marked_sent,
    a_transient_failure_leaves_the_mail_pending_and_a_later_run_sends_it,
    a_permanent_refusal_marks_the_mail_failed_and_buries_the_job,
    the_last_transient_failure_marks_the_mail_failed,
    a_sent_mail_is_never_sent_twice_when_its_job_runs_again,
    the_development_mailbox_keeps_mail_and_marks_it_sent,
    a_job_for_a_missing_mail_is_buried,
    recent_lists_the_newest_first,
    a_malformed_recipient_fails_the_callers_change,
);
