//! The two migration trees must describe the same schema.

use std::collections::BTreeMap;

use herald_db::testing::TestDb;
use herald_db::{Db, on_pool};

/// table -> sorted column names.
async fn columns(db: &Db) -> BTreeMap<String, Vec<String>> {
    let rows: Vec<(String, String)> = match db {
        Db::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        out.entry(table).or_default().push(column);
    }
    for cols in out.values_mut() {
        cols.sort();
    }
    out
}

async fn index_names(db: &Db) -> Vec<String> {
    let mut names: Vec<String> = on_pool!(db, |pool| {
        let sql = match db {
            Db::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
            }
            Db::Postgres(_) => {
                "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' AND indexname NOT LIKE '_sqlx%'"
            }
        };
        sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
    });
    names.sort();
    names
}

#[tokio::test]
async fn sqlite_migrations_apply_twice_without_change() {
    let t = TestDb::sqlite().await;
    let before = columns(&t.db).await;
    t.db.migrate().await.unwrap();
    assert_eq!(before, columns(&t.db).await);
    assert!(before.contains_key("jobs"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set HERALD_TEST_POSTGRES_URL and pass --ignored"]
async fn postgres_and_sqlite_migrations_create_the_same_tables_columns_and_indexes() {
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres().await;
    assert_eq!(columns(&sqlite.db).await, columns(&postgres.db).await);
    assert_eq!(
        index_names(&sqlite.db).await,
        index_names(&postgres.db).await
    );
}
