//! The two migration trees must describe the same schema. Their text is
//! compared without a database: the same files, written line for line
//! alike, so that after dropping comments and blank lines, collapsing
//! whitespace and rewriting the known dialect spellings only the listed
//! real differences remain. With PostgreSQL the applied schemas are
//! compared too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

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

/// Spellings of the same thing in each dialect, rewritten to one form
/// before the trees are compared. Each rule applies to its own tree only.
/// A 64-bit key the database assigns is SQLite's rowid alias and
/// PostgreSQL's identity column.
const SQLITE_SPELLINGS: &[(&str, &str)] = &[(
    "INTEGER PRIMARY KEY AUTOINCREMENT",
    "<generated bigint key>",
)];
const POSTGRES_SPELLINGS: &[(&str, &str)] = &[(
    "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "<generated bigint key>",
)];

/// Lines that really differ between the trees: (file, SQLite line,
/// PostgreSQL line, why), both lines normalised. Keep this short; an entry
/// that no longer matches anything fails the test.
const ALLOWED_DIFFERENCES: &[(&str, &str, &str, &str)] = &[(
    "20261122000001_jobs.sql",
    "payload TEXT NOT NULL,",
    "payload JSONB NOT NULL,",
    "the queue reads and writes payloads as sqlx's Json, which PostgreSQL \
     decodes only from JSON or JSONB columns; SQLite keeps JSON in TEXT",
)];

/// A migration line as compared: where it is, what it says, and its
/// normalised form.
struct Line {
    number: usize,
    text: String,
    normalised: String,
}

/// `sql` without comments and blank lines, whitespace collapsed and the
/// dialect's `spellings` rewritten.
fn normalise(sql: &str, spellings: &[(&str, &str)]) -> Vec<Line> {
    let mut lines = Vec::new();
    for (i, text) in sql.lines().enumerate() {
        let mut quoted = false;
        let mut code = text;
        for (at, c) in text.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                '-' if !quoted && text[at..].starts_with("--") => {
                    code = &text[..at];
                    break;
                }
                _ => {}
            }
        }
        let mut normalised = code.split_whitespace().collect::<Vec<_>>().join(" ");
        if normalised.is_empty() {
            continue;
        }
        for (from, to) in spellings {
            normalised = normalised.replace(from, to);
        }
        lines.push(Line {
            number: i + 1,
            text: text.trim().to_owned(),
            normalised,
        });
    }
    lines
}

/// Every `.sql` file of a migration tree: name -> text.
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect()
}

fn shown(tree: &str, file: &str, line: Option<&Line>) -> String {
    match line {
        Some(l) => format!("  {tree}/{file}:{}: {}", l.number, l.text),
        None => format!("  {tree}/{file}: (end of file)"),
    }
}

/// Compares the trees file by file and line by line; returns a report of
/// every file that differs beyond the known spellings and `allowed`, with
/// the first differing line of each side, and of `allowed` entries that
/// match nothing in a file that otherwise compared equal.
fn compare_trees(
    sqlite: &BTreeMap<String, String>,
    postgres: &BTreeMap<String, String>,
    allowed: &[(&str, &str, &str, &str)],
) -> Result<(), String> {
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let mut differing = BTreeSet::new();
    for name in sqlite.keys().filter(|n| !postgres.contains_key(*n)) {
        problems.push(format!("{name} is in migrations/sqlite only"));
    }
    for name in postgres.keys().filter(|n| !sqlite.contains_key(*n)) {
        problems.push(format!("{name} is in migrations/postgres only"));
    }
    for (name, sqlite_sql) in sqlite {
        let Some(postgres_sql) = postgres.get(name) else {
            continue;
        };
        let left = normalise(sqlite_sql, SQLITE_SPELLINGS);
        let right = normalise(postgres_sql, POSTGRES_SPELLINGS);
        for i in 0..left.len().max(right.len()) {
            let (l, r) = (left.get(i), right.get(i));
            if let (Some(l), Some(r)) = (l, r) {
                if l.normalised == r.normalised {
                    continue;
                }
                if let Some(k) = allowed.iter().position(|(file, a, b, _)| {
                    file == name && *a == l.normalised && *b == r.normalised
                }) {
                    used.insert(k);
                    continue;
                }
            }
            problems.push(format!(
                "{name} differs:\n{}\n{}",
                shown("sqlite", name, l),
                shown("postgres", name, r)
            ));
            differing.insert(name.as_str());
            break;
        }
    }
    for (k, (file, a, b, why)) in allowed.iter().enumerate() {
        // Past a file's first difference nothing was compared.
        if !used.contains(&k) && !differing.contains(file) {
            problems.push(format!(
                "allowed difference no longer found in {file}: `{a}` / `{b}` ({why})"
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn the_migration_trees_match_apart_from_dialect_spellings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let sqlite = read_tree(&root.join("sqlite"));
    let postgres = read_tree(&root.join("postgres"));
    assert!(!sqlite.is_empty(), "no migrations found");
    if let Err(report) = compare_trees(&sqlite, &postgres, ALLOWED_DIFFERENCES) {
        panic!(
            "the SQLite and PostgreSQL migrations differ beyond the known dialect spellings \
             (tests/schema.rs lists those and the allowed differences):\n{report}"
        );
    }
}

#[test]
fn a_difference_is_reported_with_the_first_differing_line_of_each_file() {
    let tree = |text: &str| BTreeMap::from([("1_t.sql".to_owned(), text.to_owned())]);
    let sqlite = tree(
        "-- A table.\nCREATE TABLE t (\n    id   INTEGER PRIMARY KEY AUTOINCREMENT,\n    \
         name TEXT NOT NULL,\n    size BIGINT\n);\n",
    );
    let postgres = tree(
        "-- A table, described differently.\nCREATE TABLE t (\n    \
         id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT,\n    size TEXT\n);\n",
    );
    let report = compare_trees(&sqlite, &postgres, &[]).unwrap_err();
    assert_eq!(
        report,
        "1_t.sql differs:\n  sqlite/1_t.sql:4: name TEXT NOT NULL,\n  postgres/1_t.sql:4: name TEXT,"
    );

    let allowed = [("1_t.sql", "name TEXT NOT NULL,", "name TEXT,", "a test")];
    let report = compare_trees(&sqlite, &postgres, &allowed).unwrap_err();
    assert!(
        report.contains("sqlite/1_t.sql:5: size BIGINT\n  postgres/1_t.sql:5: size TEXT"),
        "the next difference shows once the first is allowed: {report}"
    );

    let shorter = tree("CREATE TABLE t (\n    id INTEGER PRIMARY KEY AUTOINCREMENT\n);\n");
    let report = compare_trees(&shorter, &tree(""), &[]).unwrap_err();
    assert_eq!(
        report,
        "1_t.sql differs:\n  sqlite/1_t.sql:1: CREATE TABLE t (\n  postgres/1_t.sql: (end of file)"
    );

    // The same table in each dialect's spelling compares equal; an allowed
    // difference that matches nothing is reported.
    let postgres_key =
        tree("CREATE TABLE t (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY\n);\n");
    assert_eq!(compare_trees(&shorter, &postgres_key, &[]), Ok(()));
    let report = compare_trees(&shorter, &postgres_key, &allowed).unwrap_err();
    assert!(
        report.starts_with("allowed difference no longer found in 1_t.sql"),
        "{report}"
    );
    let only = BTreeMap::from([("2_u.sql".to_owned(), String::new())]);
    let report = compare_trees(&sqlite, &only, &[]).unwrap_err();
    assert_eq!(
        report,
        "1_t.sql is in migrations/sqlite only\n2_u.sql is in migrations/postgres only"
    );
}
