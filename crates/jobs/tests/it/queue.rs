//! Enqueueing, claiming order, retries, the dead state, cancel and rescue,
//! driven step by step with a manual clock.

use std::sync::atomic::Ordering;
use std::time::Duration;

use herald_core::SignedDuration;
use herald_db::testing::TestDb;
use herald_jobs::{Cancelled, Enqueued, JobState, NewJob, Registry, Worker, WorkerOptions};

use crate::helpers::{Scripted, ScriptedHandler, manual_queue, t0};
use herald_db::on_both_backends;

fn job(n: i64) -> NewJob {
    NewJob::of(&Scripted {
        n,
        fail_first: 0,
        permanent: false,
    })
    .unwrap()
}

fn worker(queue: &herald_jobs::Queue, handler: ScriptedHandler) -> Worker {
    let mut registry = Registry::new();
    registry.register::<Scripted, _>(handler);
    Worker::new(
        queue.clone(),
        registry,
        WorkerOptions {
            lease: Duration::from_secs(30),
            ..WorkerOptions::default()
        },
    )
}

async fn a_rolled_back_transaction_leaves_no_job(t: TestDb) {
    let (queue, _) = manual_queue(&t.db);
    let mut tx = t.db.begin().await.unwrap();
    queue.enqueue(&mut tx, job(1)).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(queue.counts().await.unwrap().is_empty());

    let mut tx = t.db.begin().await.unwrap();
    let id = queue.enqueue(&mut tx, job(2)).await.unwrap().id();
    tx.commit().await.unwrap();
    let stored = queue.get(id).await.unwrap().unwrap();
    assert_eq!(stored.state, JobState::Queued);
    assert_eq!(stored.kind, "test.scripted.v1");
    assert_eq!(stored.payload["n"], 2);
    assert_eq!(stored.run_at, t0());
}

async fn a_unique_key_enqueues_once(t: TestDb) {
    let (queue, _) = manual_queue(&t.db);
    let first = queue
        .enqueue_now(job(1).unique_key("refresh:42"))
        .await
        .unwrap();
    let second = queue
        .enqueue_now(job(2).unique_key("refresh:42"))
        .await
        .unwrap();
    assert!(matches!(first, Enqueued::New(_)));
    assert_eq!(second, Enqueued::Existing(first.id()));
    let mut tx = t.db.begin().await.unwrap();
    let n = queue
        .enqueue_many(
            &mut tx,
            &[job(3).unique_key("refresh:42"), job(4).unique_key("other")],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(n, 1);
    let stored = queue.get(first.id()).await.unwrap().unwrap();
    assert_eq!(stored.payload["n"], 1, "the first job is kept unchanged");
}

async fn due_jobs_run_by_priority_then_age_and_future_ones_wait(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let handler = ScriptedHandler::default();
    let order = handler.order.clone();
    let w = worker(&queue, handler);
    queue.enqueue_now(job(1)).await.unwrap();
    queue.enqueue_now(job(2).priority(5)).await.unwrap();
    queue.enqueue_now(job(3)).await.unwrap();
    queue
        .enqueue_now(job(4).run_at(t0() + SignedDuration::from_secs(60)))
        .await
        .unwrap();

    assert_eq!(w.run_due().await.unwrap(), 3);
    assert_eq!(*order.lock().unwrap(), vec![2, 1, 3]);
    clock.advance(SignedDuration::from_secs(59));
    assert_eq!(w.run_due().await.unwrap(), 0, "not due yet");
    clock.advance(SignedDuration::from_secs(1));
    assert_eq!(w.run_due().await.unwrap(), 1);
    assert!(
        queue.counts().await.unwrap().is_empty(),
        "finished jobs are deleted"
    );
}

async fn failures_are_retried_with_backoff_then_kept_dead_and_can_be_requeued(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let handler = ScriptedHandler::default();
    let runs = handler.runs.clone();
    let w = worker(&queue, handler);
    let id = queue
        .enqueue_now(
            NewJob::of(&Scripted {
                n: 1,
                fail_first: 10,
                permanent: false,
            })
            .unwrap(),
        )
        .await
        .unwrap()
        .id();

    assert_eq!(w.run_due().await.unwrap(), 1);
    let after_first = queue.get(id).await.unwrap().unwrap();
    assert_eq!(after_first.state, JobState::Queued);
    assert_eq!(after_first.attempts, 1);
    assert_eq!(after_first.last_error.as_deref(), Some("attempt 1 failed"));
    let wait = after_first.run_at.duration_since(t0());
    assert!(
        wait >= SignedDuration::from_millis(1600) && wait <= SignedDuration::from_millis(2400),
        "first retry after about 2 s, got {wait:?}"
    );
    assert_eq!(w.run_due().await.unwrap(), 0, "not before the backoff");

    clock.advance(SignedDuration::from_secs(3));
    w.run_due().await.unwrap();
    let second = queue.get(id).await.unwrap().unwrap();
    assert_eq!(second.attempts, 2);
    let wait = second.run_at.duration_since(clock_now(&queue));
    assert!(
        wait >= SignedDuration::from_millis(3200),
        "backoff grows: {wait:?}"
    );

    clock.advance(SignedDuration::from_secs(10));
    w.run_due().await.unwrap();
    let dead = queue.get(id).await.unwrap().unwrap();
    assert_eq!(dead.state, JobState::Dead, "three attempts is the limit");
    assert_eq!(dead.attempts, 3);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(queue.list(JobState::Dead, None, 10).await.unwrap().len(), 1);

    clock.advance(SignedDuration::from_secs(3600));
    assert_eq!(w.run_due().await.unwrap(), 0, "dead jobs are not run");
    assert!(queue.requeue(id).await.unwrap());
    let again = queue.get(id).await.unwrap().unwrap();
    assert_eq!((again.state, again.attempts), (JobState::Queued, 0));
    assert!(
        !queue.requeue(id).await.unwrap(),
        "only dead jobs are requeued"
    );
}

fn clock_now(queue: &herald_jobs::Queue) -> herald_core::Timestamp {
    queue.clock().now()
}

async fn permanent_errors_and_unknown_payloads_go_straight_to_dead(t: TestDb) {
    let (queue, _) = manual_queue(&t.db);
    let w = worker(&queue, ScriptedHandler::default());
    let bad = queue
        .enqueue_now(
            NewJob::of(&Scripted {
                n: 1,
                fail_first: 0,
                permanent: true,
            })
            .unwrap(),
        )
        .await
        .unwrap()
        .id();
    w.run_due().await.unwrap();
    let stored = queue.get(bad).await.unwrap().unwrap();
    assert_eq!((stored.state, stored.attempts), (JobState::Dead, 1));
    assert_eq!(
        stored.last_error.as_deref(),
        Some("this job can never work")
    );

    // A payload that no longer fits its kind cannot get better by retrying.
    let mut malformed = job(2);
    malformed = malformed.max_attempts(5);
    let id = queue.enqueue_now(malformed).await.unwrap().id();
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query("UPDATE jobs SET payload = $1 WHERE id = $2")
            .bind(sqlx::types::Json(serde_json::json!({"n": "not a number"})))
            .bind(id.0)
            .execute(pool)
            .await
            .unwrap();
    });
    w.run_due().await.unwrap();
    let stored = queue.get(id).await.unwrap().unwrap();
    assert_eq!(stored.state, JobState::Dead);
    assert!(
        stored
            .last_error
            .unwrap()
            .contains("payload does not fit job kind test.scripted.v1")
    );
}

async fn cancel_removes_waiting_jobs_and_flags_running_ones(t: TestDb) {
    let (queue, _) = manual_queue(&t.db);
    let id = queue.enqueue_now(job(1)).await.unwrap().id();
    assert_eq!(queue.cancel(id).await.unwrap(), Cancelled::Removed);
    assert_eq!(queue.cancel(id).await.unwrap(), Cancelled::NotFound);

    let id = queue.enqueue_now(job(2)).await.unwrap().id();
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query("UPDATE jobs SET state = 'running', lease_owner = 'elsewhere' WHERE id = $1")
            .bind(id.0)
            .execute(pool)
            .await
            .unwrap();
    });
    assert_eq!(queue.cancel(id).await.unwrap(), Cancelled::Requested);
}

async fn an_expired_lease_returns_the_job_as_a_new_attempt(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let handler = ScriptedHandler::default();
    let runs = handler.runs.clone();
    let w = worker(&queue, handler);
    let id = queue.enqueue_now(job(1)).await.unwrap().id();
    // A worker that claimed the job and died: running, lease ends in 30 s.
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = 'running', attempts = 1, lease_owner = 'dead-worker', \
             lease_expires_at = $1 WHERE id = $2",
        )
        .bind(herald_db::DbTime(t0() + SignedDuration::from_secs(30)))
        .bind(id.0)
        .execute(pool)
        .await
        .unwrap();
    });
    assert_eq!(w.rescue_expired().await.unwrap(), 0, "lease still valid");
    assert_eq!(w.run_due().await.unwrap(), 0);
    clock.advance(SignedDuration::from_secs(31));
    assert_eq!(w.rescue_expired().await.unwrap(), 1);
    let back = queue.get(id).await.unwrap().unwrap();
    assert_eq!(back.state, JobState::Queued);
    assert!(back.last_error.unwrap().contains("lease expired"));
    assert_eq!(w.run_due().await.unwrap(), 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(queue.get(id).await.unwrap().is_none());
}

async fn a_job_that_keeps_killing_its_worker_ends_dead(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    let w = worker(&queue, ScriptedHandler::default());
    let id = queue
        .enqueue_now(job(1).max_attempts(2))
        .await
        .unwrap()
        .id();
    herald_db::on_pool!(&t.db, |pool| {
        sqlx::query(
            "UPDATE jobs SET state = 'running', attempts = 2, lease_owner = 'dead-worker', \
             lease_expires_at = $1 WHERE id = $2",
        )
        .bind(herald_db::DbTime(t0()))
        .bind(id.0)
        .execute(pool)
        .await
        .unwrap();
    });
    clock.advance(SignedDuration::from_secs(1));
    w.rescue_expired().await.unwrap();
    assert_eq!(queue.get(id).await.unwrap().unwrap().state, JobState::Dead);
}

async fn concurrent_claims_never_share_a_job(t: TestDb) {
    let (queue, _) = manual_queue(&t.db);
    let jobs: Vec<NewJob> = (0..400).map(job).collect();
    let mut tx = t.db.begin().await.unwrap();
    assert_eq!(queue.enqueue_many(&mut tx, &jobs).await.unwrap(), 400);
    tx.commit().await.unwrap();

    let mut tasks = Vec::new();
    for _ in 0..4 {
        let handler = ScriptedHandler::default();
        let order = handler.order.clone();
        let w = worker(&queue, handler);
        tasks.push(tokio::spawn(async move {
            w.run_due().await.unwrap();
            order.lock().unwrap().clone()
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.extend(t.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..400).collect::<Vec<_>>(),
        "each job ran exactly once"
    );
}

async fn the_next_due_time_is_the_earliest_across_priorities(t: TestDb) {
    let (queue, clock) = manual_queue(&t.db);
    assert_eq!(queue.next_due("test").await.unwrap(), None, "empty queue");
    let at = |secs: i64| t0() + SignedDuration::from_secs(secs);
    // The earliest job has neither the highest nor the lowest priority.
    for (n, priority, secs) in [
        (1, 5, 300),
        (2, 0, 120),
        (3, -3, 200),
        (4, 5, 600),
        (5, 0, 90),
    ] {
        queue
            .enqueue_now(job(n).priority(priority).run_at(at(secs)))
            .await
            .unwrap();
    }
    assert_eq!(queue.next_due("test").await.unwrap(), Some(at(90)));
    assert_eq!(queue.next_due("other").await.unwrap(), None);

    // Once the two earliest have run, the next is the earliest of the rest.
    clock.set(at(120));
    let w = worker(&queue, ScriptedHandler::default());
    let ran = w.run_due().await.unwrap();
    assert_eq!(ran, 2);
    assert_eq!(queue.next_due("test").await.unwrap(), Some(at(200)));
}

on_both_backends!(
    the_next_due_time_is_the_earliest_across_priorities,
    a_rolled_back_transaction_leaves_no_job,
    a_unique_key_enqueues_once,
    due_jobs_run_by_priority_then_age_and_future_ones_wait,
    failures_are_retried_with_backoff_then_kept_dead_and_can_be_requeued,
    permanent_errors_and_unknown_payloads_go_straight_to_dead,
    cancel_removes_waiting_jobs_and_flags_running_ones,
    an_expired_lease_returns_the_job_as_a_new_attempt,
    a_job_that_keeps_killing_its_worker_ends_dead,
    concurrent_claims_never_share_a_job,
);
