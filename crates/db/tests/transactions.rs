//! Transactions under contention: SQLite gives a transaction that already
//! read no busy wait when it then writes while another connection holds
//! the write lock (its snapshot might be stale), so it fails at once with
//! "database is locked". Herald's transactions take the write lock when
//! they begin, where SQLite does wait.

use std::time::Duration;

use herald_db::testing::TestDb;
use herald_db::{on_pool, on_tx};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_transaction_that_reads_then_writes_waits_for_another_writer() {
    let t = TestDb::sqlite().await;
    on_pool!(&t.db, |pool| {
        sqlx::query("CREATE TABLE contended (n BIGINT NOT NULL)")
            .execute(pool)
            .await
            .unwrap();
    });
    // Another writer holds the lock for a moment, then commits.
    let mut other = t.db.begin().await.unwrap();
    on_tx!(&mut other, |tx| {
        sqlx::query("INSERT INTO contended (n) VALUES (1)")
            .execute(&mut *tx)
            .await
            .unwrap();
    });
    let db = t.db.clone();
    let (starting, started) = tokio::sync::oneshot::channel();
    let reader_writer = tokio::spawn(async move {
        starting.send(()).unwrap();
        let mut tx = db.begin().await.unwrap();
        let seen: i64 = on_tx!(&mut tx, |tx| {
            sqlx::query_scalar("SELECT COUNT(*) FROM contended")
                .fetch_one(&mut *tx)
                .await
                .unwrap()
        });
        on_tx!(&mut tx, |tx| {
            sqlx::query("INSERT INTO contended (n) VALUES (2)")
                .execute(&mut *tx)
                .await
                .unwrap();
        });
        tx.commit().await.unwrap();
        seen
    });
    // Give the second transaction time to read and try to write while the
    // lock is held (a deferred one would fail right there), then let go.
    started.await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    other.commit().await.unwrap();
    let seen = reader_writer
        .await
        .expect("the second transaction committed");
    assert_eq!(seen, 1, "it read after the first writer committed");
    let total: i64 = on_pool!(&t.db, |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM contended")
            .fetch_one(pool)
            .await
            .unwrap()
    });
    assert_eq!(total, 2);
}
