//! Group commit for SQLite's one writer: write jobs that arrive while a
//! batch is being written run together in the next one, each inside its
//! own savepoint (a job that fails is rolled back alone), and the batch
//! commits once: one log sync for many submissions instead of one each.
//! Plain scripts of writes (a session's "last seen", an SMS outcome) go
//! further: a batch's scripts reach the connection as one text, one round
//! trip for all of them. Every caller waits for the commit that holds its
//! job, so nobody is told "done" for a write that is not durable.
//!
//! On PostgreSQL, where many connections write at once, a job simply runs
//! in a transaction of its own.

use super::db::{Backend, Db, Script, Statement};
use crate::error::AppError;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

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

#[derive(Clone)]
pub struct WriteBatcher {
    db: Db,
    jobs: Option<mpsc::Sender<Envelope>>,
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
    /// Starts the batching writer on SQLite (a thread of its own, like the
    /// scan recorder, so its statements do not queue behind requests).
    pub fn spawn(db: Db) -> WriteBatcher {
        if db.backend != Backend::Sqlite {
            return WriteBatcher { db, jobs: None };
        }
        let (tx, rx) = mpsc::channel::<Envelope>(4 * MAX_BATCH);
        let writer = db.clone();
        let started = std::thread::Builder::new().name("write-batcher".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(run(writer, rx)),
                Err(e) => tracing::error!(error = %e, "the write batcher could not start"),
            }
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "the write batcher thread could not start");
        }
        WriteBatcher { db, jobs: Some(tx) }
    }

    /// Runs `f` in a transaction (shared with other jobs on SQLite) and
    /// returns its result once committed. An error rolls back `f`'s writes
    /// only.
    pub async fn run<F, T>(&self, f: F) -> Result<T, AppError>
    where
        F: for<'t, 'c> FnOnce(&'t mut Tx<'c>) -> JobFuture<'t, T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(jobs) = &self.jobs else {
            let mut tx = self.db.write.begin().await?;
            let out = f(&mut tx).await?;
            tx.commit().await?;
            return Ok(out);
        };
        let erased: ErasedJob = Box::new(move |tx| {
            let fut = f(tx);
            Box::pin(async move { fut.await.map(|v| Box::new(v) as Erased) })
        });
        let out = ask(jobs, |reply| Envelope::Job(erased, reply)).await?;
        out.downcast::<T>().map(|b| *b).map_err(|_| AppError::Internal)
    }

    /// Writes `script`, all of it or (on an error) none of it, and returns
    /// once committed. Cheaper than a job doing the same: the scripts of a
    /// batch reach the connection together.
    pub async fn write(&self, script: Script) -> Result<(), AppError> {
        let Some(jobs) = &self.jobs else {
            let mut tx = self.db.write.begin().await?;
            script.execute(&mut tx).await?;
            tx.commit().await?;
            return Ok(());
        };
        ask(jobs, |reply| Envelope::Script(script, reply)).await.map(|_| ())
    }
}

async fn ask(jobs: &mpsc::Sender<Envelope>, envelope: impl FnOnce(Reply) -> Envelope) -> Result<Erased, AppError> {
    let (reply, answer) = oneshot::channel();
    jobs.send(envelope(reply)).await.map_err(|_| AppError::Internal)?;
    answer.await.map_err(|_| AppError::Internal)?
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
    sqlx::raw_sql("ROLLBACK TO scripts; RELEASE scripts").execute(&mut **tx).await?;
    for (script, reply) in scripts {
        let r = Script::execute_joined(&[&open, &script, &close], tx).await;
        if r.is_err() {
            sqlx::raw_sql("ROLLBACK TO scripts; RELEASE scripts").execute(&mut **tx).await?;
        }
        results.push((reply, r.map(|_| Box::new(()) as Erased).map_err(AppError::from)));
    }
    Ok(())
}

async fn run(db: Db, mut rx: mpsc::Receiver<Envelope>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
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
            // own (the latest of that name); what came before stays.
            let mut open = false;
            for (job, reply) in closures {
                sqlx::raw_sql(if open { "RELEASE job; SAVEPOINT job" } else { "SAVEPOINT job" }).execute(&mut *tx).await?;
                open = true;
                let r = job(&mut tx).await;
                if r.is_err() {
                    sqlx::raw_sql("ROLLBACK TO job").execute(&mut *tx).await?;
                }
                results.push((reply, r));
            }
            tx.commit().await?;
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
    }
}
