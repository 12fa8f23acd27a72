//! [`Queue`]: enqueueing jobs and managing stored ones.

use herald_core::Named;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use herald_core::Clock;
use herald_db::{Db, DbError, Notifications, Tx};

use crate::job::{Enqueued, JobId, JobRecord, JobState, NewJob};
use crate::store::{self, Cancelled};

/// The notification channel of the queue; a notification's topic is the
/// name of the queue that got work.
pub(crate) const CHANNEL: &str = "herald_jobs";

/// A handle on the job queue; cheap to clone.
#[derive(Clone)]
pub struct Queue {
    pub(crate) db: Db,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) notifications: Notifications,
    /// Queues the gauges have reported, so an emptied queue reports zero.
    gauge_queues: Arc<std::sync::Mutex<BTreeSet<String>>>,
}

impl Queue {
    /// A queue with wake-ups of its own. A process that also runs other
    /// waiting loops (the events relay) shares one [`Notifications`]
    /// through [`Queue::with_notifications`] instead.
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Queue {
        let notifications = Notifications::new(&db);
        Queue::with_notifications(db, clock, notifications)
    }

    /// A queue whose workers are woken through `notifications`.
    pub fn with_notifications(
        db: Db,
        clock: Arc<dyn Clock>,
        notifications: Notifications,
    ) -> Queue {
        Queue {
            db,
            clock,
            notifications,
            gauge_queues: Arc::default(),
        }
    }

    /// The wake-ups this queue sends and its workers wait for.
    pub fn notifications(&self) -> &Notifications {
        &self.notifications
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// When the earliest queued job of `queue` is due, if it has any.
    pub async fn next_due(&self, queue: &str) -> Result<Option<herald_core::Timestamp>, DbError> {
        store::next_due(&self.db, queue).await
    }

    /// Names queues the gauges always report, so a queue that has never held
    /// a job in this process still shows up (as zero) in the metrics.
    pub fn report_queues<'a>(&self, queues: impl IntoIterator<Item = &'a str>) {
        let mut seen = self
            .gauge_queues
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        seen.extend(queues.into_iter().map(str::to_owned));
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Enqueues `job` inside the caller's transaction: the job exists exactly
    /// when the caller's change does, and workers are woken after commit.
    pub async fn enqueue(&self, tx: &mut Tx, job: NewJob) -> Result<Enqueued, DbError> {
        let result = store::insert(tx, &job, self.clock.now()).await?;
        if matches!(result, Enqueued::New(_)) {
            self.wake_after_commit(tx, [job.queue]).await?;
        }
        Ok(result)
    }

    /// Enqueues many jobs in the caller's transaction; returns how many were
    /// new.
    pub async fn enqueue_many(&self, tx: &mut Tx, jobs: &[NewJob]) -> Result<u64, DbError> {
        let n = store::insert_many(tx, jobs, self.clock.now()).await?;
        let queues: BTreeSet<String> = jobs.iter().map(|j| j.queue.clone()).collect();
        self.wake_after_commit(tx, queues).await?;
        Ok(n)
    }

    /// Enqueues `job` in a transaction of its own.
    pub async fn enqueue_now(&self, job: NewJob) -> Result<Enqueued, DbError> {
        let mut tx = self.db.begin().await?;
        let result = self.enqueue(&mut tx, job).await?;
        tx.commit().await?;
        Ok(result)
    }

    async fn wake_after_commit(
        &self,
        tx: &mut Tx,
        queues: impl IntoIterator<Item = String>,
    ) -> Result<(), DbError> {
        for queue in queues {
            self.notifications
                .notify_after_commit(tx, CHANNEL, &queue)
                .await?;
        }
        Ok(())
    }

    /// Cancels a job: a queued or dead one is removed; a running one is asked
    /// to stop (its handler sees the cancellation) and removed when it does.
    pub async fn cancel(&self, id: JobId) -> Result<Cancelled, DbError> {
        store::cancel(&self.db, id).await
    }

    /// Requeues one dead job with a fresh set of attempts. False when there
    /// is no dead job with that id.
    pub async fn requeue(&self, id: JobId) -> Result<bool, DbError> {
        let queues = store::requeue_dead(&self.db, Some(id), None, self.clock.now()).await?;
        self.wake(&queues);
        Ok(!queues.is_empty())
    }

    /// Requeues every dead job (of `queue`, when given); returns how many.
    pub async fn requeue_all_dead(&self, queue: Option<&str>) -> Result<usize, DbError> {
        let queues = store::requeue_dead(&self.db, None, queue, self.clock.now()).await?;
        self.wake(&queues);
        Ok(queues.len())
    }

    pub async fn get(&self, id: JobId) -> Result<Option<JobRecord>, DbError> {
        store::get(&self.db, id).await
    }

    /// Stored jobs in `state`, newest first.
    pub async fn list(
        &self,
        state: JobState,
        queue: Option<&str>,
        limit: i64,
    ) -> Result<Vec<JobRecord>, DbError> {
        store::list(&self.db, state, queue, limit).await
    }

    /// Counts by queue and state.
    pub async fn counts(&self) -> Result<BTreeMap<(String, JobState), i64>, DbError> {
        store::counts(&self.db).await
    }

    /// Refreshes the stored-jobs gauge (called when metrics are scraped).
    pub async fn record_gauges(&self) -> Result<(), DbError> {
        let counts = self.counts().await?;
        let queues: Vec<String> = {
            let mut seen = self
                .gauge_queues
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            seen.extend(counts.keys().map(|(q, _)| q.clone()));
            seen.iter().cloned().collect()
        };
        for queue in &queues {
            for state in JobState::ALL {
                let n = counts.get(&(queue.clone(), state)).copied().unwrap_or(0);
                metrics::gauge!(crate::metrics::STORED, "queue" => queue.clone(), "state" => state.as_str())
                    .set(n as f64);
            }
        }
        Ok(())
    }

    pub(crate) fn wake(&self, queues: &[String]) {
        for q in queues {
            self.notifications.notify(CHANNEL, q);
        }
    }
}
