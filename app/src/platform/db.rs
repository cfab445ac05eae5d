//! One storage layer, two backends, picked by the database URL's scheme.
//!
//! Queries are portable SQL on `sqlx::Any` with `$N` placeholders (both
//! SQLite and PostgreSQL read them). Instants are BIGINT milliseconds, dates
//! `YYYY-MM-DD` text, flags BIGINT 0/1: the types both backends agree on.
//!
//! SQLite gets one writer connection: writes queue in the pool instead of
//! failing "database is locked", and a transaction that reads then writes can
//! never be overtaken by another writer. Readers use their own pool (WAL lets
//! them run beside the writer). PostgreSQL uses one pool for both; its
//! concurrency rules are unique indexes and conditional updates.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    /// Reads that need not see an uncommitted write of their own.
    pub read: AnyPool,
    /// Every write and every read-then-write transaction.
    pub write: AnyPool,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (use sqlite:// or postgres://)")]
    Scheme,
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("creating the data folder: {0}")]
    Io(#[from] std::io::Error),
}

/// The portable migrations, shared by both backends.
static SHARED: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
/// The few a backend writes its own way (SQLite rebuilds a table to drop a
/// NOT NULL; PostgreSQL alters the column), under the same versions.
static SQLITE_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-sqlite");
static POSTGRES_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// One backend's migrations in version order.
fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    let own = match backend {
        Backend::Sqlite => &SQLITE_ONLY,
        Backend::Postgres => &POSTGRES_ONLY,
    };
    let mut all: Vec<sqlx::migrate::Migration> = SHARED.iter().chain(own.iter()).cloned().collect();
    all.sort_by_key(|m| m.version);
    sqlx::migrate::Migrator { migrations: std::borrow::Cow::Owned(all), ..sqlx::migrate::Migrator::DEFAULT }
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        install_default_drivers();
        if url.starts_with("sqlite:") {
            let url = sqlite_url(url)?;
            // synchronous=FULL: in WAL mode each commit is one fsync of the
            // log. NORMAL would be faster but can lose the last commits on
            // power loss, and a lost "pass used" would let a single-use pass
            // in twice. The single writer keeps fsyncs from contending.
            let pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
            // The writer copies the log back into the database itself only
            // past 40 MB: normally the checkpointer below does it beside it,
            // off the path of the commits everyone waits for. A larger page
            // cache keeps the indexes it writes to in memory.
            let writer_pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;
                                  PRAGMA wal_autocheckpoint=10000; PRAGMA cache_size=-32768;";
            let write = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(move |conn, _| Box::pin(async move { conn.execute(writer_pragmas).await.map(|_| ()) }))
                .connect(&url)
                .await?;
            // Run migrations before readers open, so they see the schema.
            migrator(Backend::Sqlite).run(&write).await?;
            // Each SQLite connection is a thread of its own: on a small
            // server more readers than cores only add context switches.
            let readers = std::thread::available_parallelism().map_or(4, |n| n.get().clamp(2, 4) as u32 * 2);
            let read = AnyPoolOptions::new()
                .max_connections(readers)
                .after_connect(move |conn, _| Box::pin(async move { conn.execute(pragmas).await.map(|_| ()) }))
                .connect(&url)
                .await?;
            let checkpointer = read.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(1));
                loop {
                    tick.tick().await;
                    // PASSIVE: copies what it can without waiting for anyone.
                    if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&checkpointer).await {
                        tracing::debug!(error = %e, "checkpoint");
                    }
                }
            });
            Ok(Db { read, write, backend: Backend::Sqlite })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // 16 connections a server for the requests (the write batcher
            // and the scan recorder have 3 of their own, see `own_writer`).
            // PostgreSQL runs a process per connection: more busy ones than
            // its cores only queue there instead of here, and three servers
            // (57) stay inside the `max_connections = 100` of
            // scripts/bench/postgresql.conf.
            let pool = AnyPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
            migrator(Backend::Postgres).run(&pool).await?;
            Ok(Db { read: pool.clone(), write: pool, backend: Backend::Postgres })
        } else {
            Err(DbError::Scheme)
        }
    }
}

impl Db {
    /// Connections for a writer that runs on a runtime of its own (a
    /// thread: its round trips' wake-ups then do not queue behind every
    /// request in flight). On SQLite the one writer connection, already a
    /// thread of its own; on PostgreSQL `n` connections of its own, opened
    /// when first used, so by that runtime: a connection's socket is
    /// driven by the runtime that opened it. Call it on that runtime.
    pub fn own_writer(&self, n: u32) -> AnyPool {
        match self.backend {
            Backend::Sqlite => self.write.clone(),
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(n)
                .acquire_timeout(Duration::from_secs(30))
                .connect_lazy_with((*self.write.connect_options()).clone()),
        }
    }
}

/// Makes sure the file's folder exists and the file is created on first use.
fn sqlite_url(url: &str) -> Result<String, DbError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or("");
    if !path.is_empty()
        && path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)?;
    }
    Ok(if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// A new random id for a row: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// True when the error is a unique-constraint violation (on either backend).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => d.is_unique_violation() || d.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555"),
        _ => false,
    }
}

/// Splits the rows of a multi-row statement into a few fixed sizes, so
/// every statement text is one the connection has prepared before: a new
/// text for every batch size meant parsing a statement of a thousand
/// parameters on almost every batch.
pub fn row_chunks<T>(rows: &[T]) -> Vec<&[T]> {
    const SIZES: [usize; 5] = [128, 32, 8, 2, 1];
    let mut out = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let size = SIZES.into_iter().find(|s| *s <= rest.len()).unwrap_or(1);
        let (head, tail) = rest.split_at(size);
        out.push(head);
        rest = tail;
    }
    out
}

/// The values of an `IN (...)` list, padded with the last one to one of a
/// few lengths (repeats change nothing in `IN`), for the same reason.
pub fn in_list<'a>(values: &[&'a str]) -> Vec<Vec<&'a str>> {
    const SIZES: [usize; 4] = [8, 32, 128, 256];
    values
        .chunks(256)
        .map(|c| {
            let size = SIZES.into_iter().find(|s| *s >= c.len()).unwrap_or(256);
            let mut v = c.to_vec();
            let last = *v.last().expect("chunks are never empty");
            v.resize(size, last);
            v
        })
        .collect()
}

/// `$from, $from+1, …` for `n` parameters.
pub fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A value bound to a [`Statement`], owned, so statements can be kept,
/// sent to the write batcher and joined into one script.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Param {
    fn from(v: i64) -> Param {
        Param::Int(Some(v))
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Param {
        Param::Int(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Param {
        Param::Text(Some(v.to_owned()))
    }
}
impl From<&String> for Param {
    fn from(v: &String) -> Param {
        Param::Text(Some(v.clone()))
    }
}
impl From<String> for Param {
    fn from(v: String) -> Param {
        Param::Text(Some(v))
    }
}
impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Param {
        Param::Text(v)
    }
}
impl From<&Option<String>> for Param {
    fn from(v: &Option<String>) -> Self {
        v.clone().into()
    }
}

impl From<Option<&str>> for Param {
    fn from(v: Option<&str>) -> Param {
        Param::Text(v.map(str::to_owned))
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl Param {
    /// Bound by reference: running a statement or script clones nothing.
    fn bind_to<'q>(&'q self, q: AnyQuery<'q>) -> AnyQuery<'q> {
        match self {
            Param::Int(v) => q.bind(*v),
            Param::Text(v) => q.bind(v.as_deref()),
        }
    }
}

/// One write with its parameters (`$1`, `$2`, … of its own).
#[derive(Clone, Debug)]
pub struct Statement {
    sql: std::borrow::Cow<'static, str>,
    params: Vec<Param>,
}

impl Statement {
    pub fn new(sql: impl Into<std::borrow::Cow<'static, str>>) -> Statement {
        Statement { sql: sql.into(), params: Vec::new() }
    }

    pub fn bind(mut self, v: impl Into<Param>) -> Statement {
        self.params.push(v.into());
        self
    }

    /// Runs it alone; returns the rows it wrote.
    pub async fn execute<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(&self, exec: E) -> Result<u64, sqlx::Error> {
        let q = self.params.iter().fold(sqlx::query(&self.sql), |q, p| p.bind_to(q));
        Ok(q.execute(exec).await?.rows_affected())
    }
}

/// Writes sent as one. On SQLite, one string of statements whose
/// parameters are numbered across it: the connection's thread is woken
/// once instead of once a statement, and those wake-ups are what bound
/// the one writer at the 16:00 rush. On PostgreSQL (no multi-statement
/// prepared queries) a script of inserts only, such as a submission's, is
/// one statement of data-modifying `WITH` parts: one round trip instead
/// of one an insert, and round trips are what bound its writers at the
/// rush. Its inserts then see the same snapshot, so no insert of a script
/// may read what an earlier one of it wrote (none does: each writes rows
/// of its own; a foreign key to a row inserted beside it holds, checked
/// at the statement's end). Other scripts run one statement after another.
/// A failing statement stops the rest and what ran before stays: run a
/// script in a transaction or savepoint that is rolled back on error.
#[derive(Clone, Debug, Default)]
pub struct Script {
    statements: Vec<Statement>,
}

impl From<Statement> for Script {
    fn from(s: Statement) -> Script {
        Script { statements: vec![s] }
    }
}

impl Script {
    pub fn new() -> Script {
        Script::default()
    }

    pub fn push(&mut self, s: Statement) -> &mut Script {
        self.statements.push(s);
        self
    }

    pub fn append(&mut self, other: Script) -> &mut Script {
        self.statements.extend(other.statements);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    pub fn len(&self) -> usize {
        self.statements.len()
    }

    /// Runs every statement on `conn`; returns the rows they inserted,
    /// updated or deleted, together (counted for INSERT, UPDATE and DELETE
    /// statements only: SQLite repeats the last such count after others).
    /// The text is kept prepared by the connection: it recurs.
    pub async fn execute(&self, conn: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        Script::run(&[self], true, conn).await
    }

    /// Runs `parts` one after another as one script, parsed for this run
    /// only (a batch's mix of scripts seldom recurs).
    pub async fn execute_joined(parts: &[&Script], conn: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        Script::run(parts, false, conn).await
    }

    async fn run(parts: &[&Script], keep: bool, conn: &mut sqlx::AnyConnection) -> Result<u64, sqlx::Error> {
        let statements = || parts.iter().flat_map(|p| p.statements.iter());
        if statements().next().is_none() {
            return Ok(0);
        }
        if conn.backend_name() != "SQLite" {
            if let Some((sql, params)) = inserts_as_one(statements()) {
                let q = params.into_iter().fold(sqlx::query(&sql), |q, p| p.bind_to(q)).persistent(keep);
                let written: i64 = sqlx::Row::try_get(&q.fetch_one(conn).await?, 0)?;
                return Ok(written as u64);
            }
            let mut rows = 0;
            for s in statements() {
                rows += s.execute(&mut *conn).await?;
            }
            return Ok(rows);
        }
        let (sql, params) = joined(statements());
        let q = params.into_iter().fold(sqlx::query(&sql), |q, p| p.bind_to(q)).persistent(keep);
        Ok(q.execute(conn).await?.rows_affected())
    }
}

/// One text, each statement's `$n` moved past the parameters of those
/// before it (SQLite numbers `$n` across the whole text).
fn joined<'a>(statements: impl Iterator<Item = &'a Statement>) -> (String, Vec<&'a Param>) {
    let mut sql = String::new();
    let mut params = Vec::new();
    for s in statements {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        shift_params(&s.sql, params.len(), &mut sql);
        params.extend(s.params.iter());
    }
    (sql, params)
}

/// Two or more inserts as one PostgreSQL statement that answers the rows
/// they wrote: `WITH w0 AS (INSERT … RETURNING 1), … SELECT` their
/// counts. `None` for anything else (updates and deletes may touch rows of
/// one another, which one statement would not order).
fn inserts_as_one<'a>(statements: impl Iterator<Item = &'a Statement> + Clone) -> Option<(String, Vec<&'a Param>)> {
    let is_insert = |s: &Statement| s.sql.trim_start().get(..6).is_some_and(|k| k.eq_ignore_ascii_case("INSERT"));
    if statements.clone().nth(1).is_none() || !statements.clone().all(is_insert) {
        return None;
    }
    let mut sql = String::from("WITH ");
    let mut params = Vec::new();
    let mut counts = Vec::new();
    for (i, s) in statements.enumerate() {
        if i > 0 {
            sql.push_str(",\n");
        }
        sql.push_str(&format!("w{i} AS ("));
        shift_params(s.sql.trim(), params.len(), &mut sql);
        sql.push_str(" RETURNING 1)");
        params.extend(s.params.iter());
        counts.push(format!("(SELECT count(*) FROM w{i})"));
    }
    sql.push_str("\nSELECT ");
    sql.push_str(&counts.join(" + "));
    Some((sql, params))
}

/// Copies `sql` to `out` with every `$n` written as `$(n + by)`. Our
/// statements have no `$` in literals: values are always parameters.
fn shift_params(sql: &str, by: usize, out: &mut String) {
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + by).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_split_into_fixed_sizes_and_lists_pad_to_fixed_lengths() {
        let rows: Vec<u32> = (0..75).collect();
        let sizes: Vec<usize> = row_chunks(&rows).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![32, 32, 8, 2, 1]);
        assert_eq!(row_chunks(&rows).concat(), rows);
        assert!(row_chunks::<u32>(&[]).is_empty());
        let lists = in_list(&["a", "b", "c"]);
        assert_eq!(lists, vec![vec!["a", "b", "c", "c", "c", "c", "c", "c"]]);
        let many: Vec<String> = (0..300).map(|i| i.to_string()).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let lists = in_list(&refs);
        assert_eq!(lists.iter().map(Vec::len).collect::<Vec<_>>(), vec![256, 128]);
    }

    #[test]
    fn a_script_numbers_each_statements_parameters_after_those_before_it() {
        let mut s = Script::new();
        s.push(Statement::new("INSERT INTO a (x, y) VALUES ($1, $2)").bind(1i64).bind("one"));
        s.push(Statement::new("UPDATE b SET z = $2 WHERE id = $1 AND w = $1").bind("id").bind(None::<i64>));
        s.push(Statement::new("DELETE FROM c WHERE q = $10").bind(7i64));
        let (sql, params) = joined(s.statements.iter());
        assert_eq!(sql, "INSERT INTO a (x, y) VALUES ($1, $2);\nUPDATE b SET z = $4 WHERE id = $3 AND w = $3;\nDELETE FROM c WHERE q = $14");
        assert_eq!(params, vec![&Param::Int(Some(1)), &Param::from("one"), &Param::from("id"), &Param::Int(None), &Param::Int(Some(7))]);
        // PostgreSQL: inserts only become one statement; anything else not.
        assert!(inserts_as_one(s.statements.iter()).is_none());
        let mut i = Script::new();
        i.push(Statement::new("INSERT INTO a (x) VALUES ($1)").bind(1i64));
        assert!(inserts_as_one(i.statements.iter()).is_none(), "one statement runs as it is");
        i.push(Statement::new(" insert INTO b (y, z) VALUES ($2, $1)").bind("p").bind("q"));
        let (sql, params) = inserts_as_one(i.statements.iter()).expect("two inserts");
        assert_eq!(
            sql,
            "WITH w0 AS (INSERT INTO a (x) VALUES ($1) RETURNING 1),\nw1 AS (insert INTO b (y, z) VALUES ($3, $2) RETURNING 1)\nSELECT (SELECT count(*) FROM w0) + (SELECT count(*) FROM w1)"
        );
        assert_eq!(params, vec![&Param::Int(Some(1)), &Param::from("p"), &Param::from("q")]);
        let mut out = String::new();
        shift_params("SELECT $ , $x, $9", 3, &mut out);
        assert_eq!(out, "SELECT $ , $x, $12");
    }
}
