//! Receiving before processing, within one process.
//!
//! Acknowledging Meta is what has a deadline; applying a delivery is not.
//! So a processing job defers to receiving in this process: before it
//! starts, it waits (for at most [`MAX_DEFER`]) while a `receive` is in
//! flight or deliveries arrive in a burst ([`BURST`] within [`BURST_WINDOW`]).
//! At an ordinary rate nothing waits more than a moment; under a flood the
//! acknowledgements keep the CPU (on two cores, processing alongside cut
//! the acknowledgement rate to a third) and the backlog is worked off when
//! the flood ebbs.
//!
//! On SQLite the gate is also a lock: the writer's batch and each
//! processing transaction take turns through an async mutex, because two
//! of them meeting in SQLite's own lock would make the loser sleep in the
//! busy handler (1, 2, 5, 10 ms …) — that is what turned a 2 ms
//! acknowledgement into a 30 ms one. PostgreSQL needs no such lock.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use herald_db::Backend;
use tokio::sync::{Mutex, MutexGuard, Notify};
use tokio::time::Instant;

/// The longest a processing job waits for receiving to pause; after that
/// it runs anyway, so sustained load cannot starve processing for good.
pub(crate) const MAX_DEFER: Duration = Duration::from_secs(2);
/// This many arrivals within [`BURST_WINDOW`] (400 a second) is a burst.
pub(crate) const BURST: usize = 8;
pub(crate) const BURST_WINDOW: Duration = Duration::from_millis(20);
/// How often a deferred job looks again during a burst.
const RECHECK: Duration = Duration::from_millis(5);

pub(crate) struct Gate {
    /// Deliveries handed to `receive` and not yet answered.
    in_flight: AtomicUsize,
    /// Told when `in_flight` drops to zero.
    idle: Notify,
    /// When the last [`BURST`] deliveries arrived.
    arrivals: std::sync::Mutex<VecDeque<Instant>>,
    /// SQLite only: one writing transaction of this module at a time.
    exclusive: Option<Mutex<()>>,
}

impl Gate {
    pub fn new(backend: Backend) -> Arc<Gate> {
        Arc::new(Gate {
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
            arrivals: std::sync::Mutex::new(VecDeque::with_capacity(BURST)),
            exclusive: match backend {
                Backend::Sqlite => Some(Mutex::new(())),
                Backend::Postgres => None,
            },
        })
    }

    /// Counts a delivery as in flight until the ticket is dropped (when it
    /// is answered, or its request is abandoned before the writer took it).
    pub fn ticket(self: &Arc<Gate>) -> Ticket {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let mut arrivals = self
            .arrivals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if arrivals.len() == BURST {
            arrivals.pop_front();
        }
        arrivals.push_back(Instant::now());
        Ticket(self.clone())
    }

    fn in_flight(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) > 0
    }

    fn bursting(&self) -> bool {
        let arrivals = self
            .arrivals
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        arrivals.len() == BURST && arrivals.front().is_some_and(|t| t.elapsed() < BURST_WINDOW)
    }

    fn busy(&self) -> bool {
        self.in_flight() || self.bursting()
    }

    /// The writer's turn (SQLite: waits for at most the one processing
    /// transaction under way).
    pub async fn for_writer(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.exclusive {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }

    /// A processing job's turn: once receiving pauses (or [`MAX_DEFER`]
    /// passed), and on SQLite with the lock held.
    pub async fn for_processing(&self) -> Option<MutexGuard<'_, ()>> {
        let deadline = Instant::now() + MAX_DEFER;
        loop {
            while Instant::now() < deadline {
                let idle = self.idle.notified();
                if self.in_flight() {
                    let _ = tokio::time::timeout_at(deadline, idle).await;
                } else if self.bursting() {
                    tokio::time::sleep(RECHECK.min(deadline - Instant::now())).await;
                } else {
                    break;
                }
            }
            let Some(lock) = &self.exclusive else {
                return None;
            };
            let guard = lock.lock().await;
            // Queued before the writer asked: let it go first.
            if self.busy() && Instant::now() < deadline {
                drop(guard);
                continue;
            }
            return Some(guard);
        }
    }
}

/// One delivery in flight (see [`Gate::ticket`]).
pub(crate) struct Ticket(Arc<Gate>);

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn processing_waits_for_receiving_to_pause_but_not_forever() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let gate = Gate::new(backend);
            // Idle: at once.
            let started = Instant::now();
            drop(gate.for_processing().await);
            assert!(started.elapsed() < Duration::from_millis(50));

            // A delivery in flight for 200 ms: processing starts when it
            // has been answered.
            let ticket = gate.ticket();
            let g = gate.clone();
            let waiter = tokio::spawn(async move {
                let started = Instant::now();
                let _turn = g.for_processing().await;
                started.elapsed()
            });
            tokio::time::sleep(Duration::from_millis(200)).await;
            drop(ticket);
            let waited = waiter.await.unwrap();
            assert!(
                waited >= Duration::from_millis(200) && waited < Duration::from_millis(400),
                "{waited:?}"
            );
        }
        // A burst of arrivals (all answered) still holds processing back
        // until it is over.
        let gate = Gate::new(Backend::Postgres);
        for _ in 0..BURST {
            drop(gate.ticket());
        }
        let started = Instant::now();
        drop(gate.for_processing().await);
        let waited = started.elapsed();
        assert!(
            waited >= BURST_WINDOW - Duration::from_millis(2)
                && waited < Duration::from_millis(200),
            "{waited:?}"
        );
        // A few arrivals are no burst.
        for _ in 0..BURST - 1 {
            drop(gate.ticket());
        }
        let started = Instant::now();
        drop(gate.for_processing().await);
        assert!(started.elapsed() < Duration::from_millis(10));

        // Receiving that never pauses: processing goes ahead after MAX_DEFER.
        let gate = Gate::new(Backend::Sqlite);
        let _endless = gate.ticket();
        let started = Instant::now();
        drop(gate.for_processing().await);
        let waited = started.elapsed();
        assert!(waited >= MAX_DEFER && waited < MAX_DEFER + Duration::from_millis(500));
    }

    #[tokio::test]
    async fn on_sqlite_the_writer_and_processing_take_turns() {
        let gate = Gate::new(Backend::Sqlite);
        let turn = gate.for_processing().await;
        assert!(turn.is_some());
        let g = gate.clone();
        let writer = tokio::spawn(async move { g.for_writer().await.is_some() });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            !writer.is_finished(),
            "the writer waits for the transaction"
        );
        drop(turn);
        assert!(writer.await.unwrap());
        assert!(Gate::new(Backend::Postgres).for_writer().await.is_none());
    }
}
