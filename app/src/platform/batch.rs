//! Group commit for SQLite's one writer: write jobs that arrive while a
//! batch is being written run together in the next one, each after the
//! first inside its own savepoint (a job that fails is rolled back alone;
//! the first, with the transaction, before the rest go on), and the batch
//! commits once: one log sync for many submissions instead of one each.
//! Plain scripts of writes (a session's "last seen", an SMS outcome) go
//! further: a batch's scripts reach the connection as one text, one round
//! trip for all of them. Every caller waits for the commit that holds its
//! job, so nobody is told "done" for a write that is not durable.
//!
//! PostgreSQL batches the same way (each commit there is a WAL flush and
//! two round trips too), with a few writers taking turns at one queue:
//! its connections write at once, and a batch's statements are round
//! trips a single writer would wait out one after another. Batches of
//! different writers may run at once there, as separate requests' writes
//! did before: the rules' unique indexes and conditional updates hold
//! across them as across servers.

use super::db::{Backend, Db, Script, Statement};
use crate::error::AppError;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{Mutex, mpsc, oneshot};

pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;
pub type JobFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 't>>;

type Erased = Box<dyn Any + Send>;
type ErasedJob = Box<dyn for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> JobFuture<'t, Erased> + Send>;
type Reply = oneshot::Sender<Result<Erased, AppError>>;

/// What a caller sends the writer, with where its answer goes.
enum Envelope {
    Job(ErasedJob, Reply),
    Script(Script, Reply),
}

/// At most this many jobs in one transaction.
const MAX_BATCH: usize = 64;

/// PostgreSQL writers per server: two, so one batch is written while the
/// next gathers, and few enough that batches hold several jobs (more
/// writers split the rush into one-job transactions, each with its own
/// BEGIN and COMMIT round trips). Measured on the rush with the harness's
/// campus on two cores: 1 writer 1,415/s, 2: 1,490-1,557/s, 3: 1,278/s,
/// 4: 1,152-1,281/s, 8: 1,318/s.
const POSTGRES_WRITERS: usize = 2;

#[derive(Clone)]
pub struct WriteBatcher {
    jobs: mpsc::Sender<Envelope>,
    /// Transactions committed so far (what group commit saves is jobs
    /// minus these).
    commits: Arc<AtomicU64>,
}

/// Helps the compiler see a closure as a job (a function of the
/// transaction returning a boxed future that borrows it).
pub fn job<F, T>(f: F) -> F
where
    F: for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> JobFuture<'t, T> + Send + 'static,
{
    f
}

impl WriteBatcher {
    /// Starts the batching writers on a thread and runtime of their own
    /// (like the scan recorder), so their statements do not queue behind
    /// requests: on SQLite one, on PostgreSQL a few with connections of
    /// their own, taking turns at one queue.
    pub fn spawn(db: Db) -> WriteBatcher {
        let (tx, rx) = mpsc::channel::<Envelope>(4 * MAX_BATCH);
        let queue = Arc::new(Mutex::new(rx));
        let commits = Arc::new(AtomicU64::new(0));
        let writers = if db.backend == Backend::Sqlite { 1 } else { POSTGRES_WRITERS };
        let counted = commits.clone();
        let started = std::thread::Builder::new().name("write-batcher".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => return tracing::error!(error = %e, "the write batcher could not start"),
            };
            rt.block_on(async move {
                let db = Db { write: db.own_writer(writers as u32), ..db };
                let running: Vec<_> = (0..writers).map(|_| tokio::spawn(run(db.clone(), queue.clone(), counted.clone()))).collect();
                for writer in running {
                    let _ = writer.await;
                }
            })
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "the write batcher thread could not start");
        }
        WriteBatcher { jobs: tx, commits }
    }

    /// How many transactions the writers have committed.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Runs `f` in a transaction (shared with other jobs) and returns its
    /// result once committed. An error rolls back `f`'s writes
    /// only.
    pub async fn run<F, T>(&self, f: F) -> Result<T, AppError>
    where
        F: for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> JobFuture<'t, T> + Send + 'static,
        T: Send + 'static,
    {
        let erased: ErasedJob = Box::new(move |tx| {
            let fut = f(tx);
            Box::pin(async move { fut.await.map(|v| Box::new(v) as Erased) })
        });
        let out = ask(&self.jobs, |reply| Envelope::Job(erased, reply)).await?;
        out.downcast::<T>().map(|b| *b).map_err(|_| AppError::Internal)
    }

    /// Writes `script`, all of it or (on an error) none of it, and returns
    /// once committed. Cheaper than a job doing the same: the scripts of a
    /// batch reach the connection together.
    pub async fn write(&self, script: Script) -> Result<(), AppError> {
        ask(&self.jobs, |reply| Envelope::Script(script, reply)).await.map(|_| ())
    }
}

async fn ask(jobs: &mpsc::Sender<Envelope>, envelope: impl FnOnce(Reply) -> Envelope) -> Result<Erased, AppError> {
    let (reply, answer) = oneshot::channel();
    jobs.send(envelope(reply)).await.map_err(|_| AppError::Internal)?;
    answer.await.map_err(|_| AppError::Internal)?
}

/// A statement of the batch's own (savepoints), as a boxed `Send` future
/// (see [`next_batch`]).
fn raw<'a>(tx: &'a mut Tx<'_>, sql: &'static str) -> Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'a>> {
    // A plain text, without arguments: sent as a simple query, several
    // statements in one round trip on either backend.
    Box::pin(async move { sqlx::Executor::execute(&mut **tx, sql).await.map(|_| ()) })
}

/// Writes a batch's scripts in one round trip, inside a savepoint; if one
/// fails, undoes them all and writes each alone in a savepoint of its
/// own, so only the failing one's caller hears of it.
async fn write_scripts(
    tx: &mut Tx<'_>,
    scripts: Vec<(Script, Reply)>,
    results: &mut Vec<(Reply, Result<Erased, AppError>)>,
) -> Result<(), sqlx::Error> {
    let open = Script::from(Statement::new("SAVEPOINT scripts"));
    let close = Script::from(Statement::new("RELEASE scripts"));
    let mut all = vec![&open];
    all.extend(scripts.iter().map(|(script, _)| script));
    all.push(&close);
    if Script::execute_joined(&all, tx).await.is_ok() {
        results.extend(scripts.into_iter().map(|(_, reply)| (reply, Ok(Box::new(()) as Erased))));
        return Ok(());
    }
    raw(tx, "ROLLBACK TO scripts; RELEASE scripts").await?;
    for (script, reply) in scripts {
        let r = Script::execute_joined(&[&open, &script, &close], tx).await;
        if r.is_err() {
            raw(tx, "ROLLBACK TO scripts; RELEASE scripts").await?;
        }
        results.push((reply, r.map(|_| Box::new(()) as Erased).map_err(AppError::from)));
    }
    Ok(())
}

/// The next batch: what waits in the queue, up to [`MAX_BATCH`]; `None`
/// once every sender is gone. The queue is held while it is taken, so
/// each job goes to one writer.
/// (Boxed as `Send` futures here, where their lifetimes are concrete: the
/// compiler cannot prove the writer's whole loop `Send` for
/// `tokio::spawn` otherwise.)
fn next_batch(queue: &Mutex<mpsc::Receiver<Envelope>>) -> Pin<Box<dyn Future<Output = Option<Vec<Envelope>>> + Send + '_>> {
    Box::pin(async move {
        let mut rx = queue.lock().await;
        let first = rx.recv().await?;
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        Some(batch)
    })
}

async fn run(db: Db, queue: Arc<Mutex<mpsc::Receiver<Envelope>>>, commits: Arc<AtomicU64>) {
    while let Some(batch) = next_batch(&queue).await {
        write_batch(&db, batch, &commits).await;
    }
}

/// Writes one batch in one transaction and answers each caller.
fn write_batch<'a>(db: &'a Db, mut batch: Vec<Envelope>, commits: &'a AtomicU64) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
    Box::pin(async move {
        let (jobs, started) = (batch.len(), std::time::Instant::now());
        let mut results: Vec<(Reply, Result<Erased, AppError>)> = Vec::with_capacity(batch.len());
        let outcome: Result<(), AppError> = async {
            let mut tx = db.write.begin().await?;
            let mut scripts = Vec::new();
            let mut closures = Vec::new();
            for envelope in batch.drain(..) {
                match envelope {
                    Envelope::Script(script, reply) => scripts.push((script, reply)),
                    Envelope::Job(job, reply) => closures.push((job, reply)),
                }
            }
            if !scripts.is_empty() {
                write_scripts(&mut tx, scripts, &mut results).await?;
            }
            // One savepoint name, reused: closing the last job's and opening
            // the next one's is one round trip to the connection's thread,
            // and COMMIT closes the last. A failed job rolls back to its
            // own (the latest of that name); what came before stays. The
            // first job of a transaction needs none (most PostgreSQL
            // batches hold one or two jobs: a round trip saved on each):
            // if it fails, the whole transaction goes and a new one begins.
            let mut fresh = results.is_empty();
            let mut open = false;
            for (job, reply) in closures {
                if !fresh {
                    raw(&mut tx, if open { "RELEASE job; SAVEPOINT job" } else { "SAVEPOINT job" }).await?;
                    open = true;
                }
                let r = job(&mut tx).await;
                match (&r, fresh) {
                    (Ok(_), _) => fresh = false,
                    (Err(_), true) => {
                        tx.rollback().await?;
                        tx = db.write.begin().await?;
                    }
                    (Err(_), false) => raw(&mut tx, "ROLLBACK TO job").await?,
                }
                results.push((reply, r));
            }
            tx.commit().await?;
            commits.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        .await;
        tracing::debug!(jobs, micros = started.elapsed().as_micros() as u64, "write batch");
        match outcome {
            Ok(()) => {
                for (reply, r) in results {
                    let _ = reply.send(r);
                }
            }
            // Nothing of the batch was kept: everyone is told so (jobs that
            // never ran, because their envelope was dropped, see a closed
            // channel, an internal error too).
            Err(e) => {
                tracing::error!(error = ?e, "a batch of writes failed to commit");
                for (reply, _) in results {
                    let _ = reply.send(Err(AppError::Internal));
                }
            }
        }
    })
}
