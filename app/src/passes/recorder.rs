//! Records online scans in batches: every scan that arrives while a batch
//! is being written joins the next one, and a batch is one transaction: one
//! read of every pass it names, the verdicts, a few writes and one commit
//! (one fsync on SQLite). Each caller waits for the commit that holds its
//! scan: a guard is never told "allow" for a scan that is not durable, and
//! the verdict is decided on what the same transaction reads. A single-use
//! pass is still spent by its own conditional update, so two gates (or two
//! servers) racing for it admit it once.

use super::arrivals::Arrival;
use super::passage::{passage, people_in, spend};
use super::scan_context::{SCAN_CONTEXT, ScanContextRow, verdict_for};
use super::stored::{PassRow, Tx};
use crate::domain::gate::GateFacts;
use crate::domain::gate::{Direction, Reason};
use crate::error::AppError;
use crate::platform::context::AppState;
use crate::platform::db::{in_list, marks, new_id, row_chunks};
use crate::platform::sms;
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// At most this many scans in one transaction (the events' multi-row
/// insert stays well inside both backends' bind limits).
const MAX_BATCH: usize = 256;

/// One scan as it will be stored.
pub struct ScanRecord {
    pub event_key: String,
    /// The caller named its own event id: an earlier copy may exist.
    pub replayable: bool,
    pub at: i64,
    pub gate: GateFacts,
    pub guard: Option<String>,
    pub device_id: Option<String>,
    pub direction: Direction,
    pub method: &'static str,
    /// The pass the scan names (its signature already checked), or why
    /// there is none.
    pub target: Result<String, Reason>,
}

/// What was recorded: the verdict, a parking fee on exit, and the pass as
/// read (for the guard's screen).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub reason: Reason,
    pub fee: Option<i64>,
    pub context: Option<ScanContextRow>,
}

type Job = (ScanRecord, oneshot::Sender<Result<Recorded, AppError>>);

/// The handle request handlers send scans to; one writer task per server.
#[derive(Clone)]
pub struct Recorder {
    jobs: mpsc::Sender<Job>,
}

impl Recorder {
    /// Starts the writer on a thread and runtime of its own: a batch
    /// awaits its statements one after another, and on the shared runtime
    /// each of those wake-ups queued behind every request in flight (a
    /// batch took 4–6 ms on SQLite, most of it waiting its turn; on
    /// PostgreSQL the gate's p99 was 115 ms). SQLite connections are
    /// threads of their own; on PostgreSQL it opens one connection of its
    /// own there (`Db::own_writer`).
    /// Texts queued by a batch are sent from the server's runtime (the
    /// one this is called on), where the SMS provider's client lives.
    pub fn spawn(st: AppState) -> Recorder {
        let (jobs, rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        let server = tokio::runtime::Handle::current();
        let started = std::thread::Builder::new().name("scan-recorder".into()).spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt.block_on(async move {
                    let pool = st.db.own_writer(1);
                    run(st, pool, server, rx).await
                }),
                Err(e) => tracing::error!(error = %e, "the scan recorder could not start"),
            }
        });
        if let Err(e) = started {
            tracing::error!(error = %e, "the scan recorder thread could not start");
        }
        Recorder { jobs }
    }

    pub async fn record(&self, r: ScanRecord) -> Result<Recorded, AppError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send((r, reply)).await.map_err(|_| AppError::Internal)?;
        answer.await.map_err(|_| AppError::Internal)?
    }
}

async fn run(st: AppState, pool: sqlx::AnyPool, server: tokio::runtime::Handle, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => batch.push(j),
                Err(_) => break,
            }
        }
        let (records, replies): (Vec<ScanRecord>, Vec<_>) = batch.into_iter().unzip();
        let started = std::time::Instant::now();
        let written = write(&st, &pool, &records).await;
        tracing::debug!(scans = records.len(), micros = started.elapsed().as_micros() as u64, "scan batch");
        match written {
            Ok((done, texts)) => {
                super::arrivals::deliver(&st, &server, texts);
                for (reply, r) in replies.into_iter().zip(done) {
                    let _ = reply.send(Ok(r));
                }
            }
            // One bad scan must not fail the others: each on its own.
            Err(e) if records.len() > 1 => {
                tracing::warn!(error = ?e, scans = records.len(), "a batch of scans failed; writing them one by one");
                for (reply, r) in replies.into_iter().zip(records) {
                    let one = write(&st, &pool, std::slice::from_ref(&r)).await.map(|(mut v, texts)| {
                        super::arrivals::deliver(&st, &server, texts);
                        v.remove(0)
                    });
                    let _ = reply.send(one);
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Writes one batch in one transaction, in arrival order; returns the
/// verdicts and the texts it queued (hosts told their visitor arrived).
async fn write(st: &AppState, pool: &sqlx::AnyPool, records: &[ScanRecord]) -> Result<(Vec<Recorded>, Vec<sms::Queued>), AppError> {
    let mut tx = pool.begin().await?;
    let contexts = read_contexts(&mut tx, records).await?;
    let mut out: Vec<Recorded> = records
        .iter()
        .map(|r| match &r.target {
            Err(reason) => Recorded { reason: *reason, fee: None, context: None },
            Ok(pid) => {
                let c = contexts.get(pid.as_str());
                Recorded { reason: verdict_for(c, &r.gate, r.direction, r.at), fee: None, context: c.cloned() }
            }
        })
        .collect();
    // The same scan sent again (a retry, or the offline copy of a scan whose
    // answer was lost): answer what was recorded, change nothing.
    let mut replay: Vec<Option<usize>> = vec![None; records.len()];
    let earlier = recorded_reasons(&mut tx, records).await?;
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let Some(reason) = earlier.get(r.event_key.as_str()) {
            out[i].reason = *reason;
            replay[i] = Some(usize::MAX);
        } else if let Some(&j) = first_of.get(r.event_key.as_str()) {
            replay[i] = Some(j);
        } else {
            first_of.insert(&r.event_key, i);
        }
    }
    // Spends and passages, in order: a pass scanned twice in one batch is
    // spent by the first scan only.
    let mut spent: HashSet<String> = HashSet::new();
    let mut first_use: Vec<String> = Vec::new();
    // Where and when each pass entered first in this batch.
    let mut entered_first: HashMap<String, (&str, i64)> = HashMap::new();
    let mut entering: Vec<(String, String, i64, String)> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        if replay[i].is_some() || out[i].reason != Reason::Ok {
            continue;
        }
        let Some(c) = out[i].context.clone() else { continue };
        let p = c.pass_row();
        if p.single_use && r.direction == Direction::In {
            if spent.contains(&p.id) || !spend(&mut tx, &p.id, &r.gate.id, r.at, r.at).await? {
                out[i].reason = Reason::AlreadyUsed;
                continue;
            }
            spent.insert(p.id.clone());
            entered_first.insert(p.id.clone(), (r.gate.id.as_str(), r.at));
        } else if r.direction == Direction::In && p.used_at.is_none() {
            // A pass's first entry marks it used (an application whose pass
            // was used ends Completed, not Expired); an exit does not.
            first_use.push(p.id.clone());
            entered_first.entry(p.id.clone()).or_insert((r.gate.id.as_str(), r.at));
        }
        if !p.vehicle && r.direction == Direction::In {
            // People entering are written together; one statement may not
            // touch a row twice, so a repeat flushes first.
            if entering.iter().any(|e| e.0 == p.id) {
                flush(&mut tx, &mut entering).await?;
            }
            entering.push((p.id.clone(), p.campus_id.clone(), r.at, r.gate.id.clone()));
        } else {
            // Exits and vehicles in order, after the entries before them.
            flush(&mut tx, &mut entering).await?;
            out[i].fee = passage(&mut tx, &p, &c.fees(), &r.gate.id, r.direction, r.at).await?;
        }
    }
    flush(&mut tx, &mut entering).await?;
    first_use.sort_unstable();
    first_use.dedup();
    let first_use: Vec<&str> = first_use.iter().map(String::as_str).collect();
    // Only the rows this transaction marked: another server may have
    // recorded the same pass's first entry a moment before.
    let mut marked: Vec<String> = spent.into_iter().collect();
    for list in in_list(&first_use) {
        let sql = format!("UPDATE passes SET used_at = $1, updated_at = $1 WHERE used_at IS NULL AND id IN ({}) RETURNING id", marks(2, list.len()));
        let mut q = sqlx::query_as::<_, (String,)>(&sql).bind(records[0].at);
        for id in list {
            q = q.bind(id);
        }
        marked.extend(q.fetch_all(&mut *tx).await?.into_iter().map(|(id,)| id));
    }
    marked.sort_unstable();
    let arrivals: Vec<Arrival> =
        marked.iter().filter_map(|id| entered_first.get(id).map(|&(gate_id, at)| Arrival { pass_id: id.as_str(), gate_id, at })).collect();
    let texts = super::arrivals::queue(st, &mut tx, &arrivals, st.clock.now_ms()).await?;
    // A repeat within the batch answers what its first copy got.
    for i in 0..records.len() {
        if let Some(j) = replay[i].filter(|j| *j != usize::MAX) {
            out[i] = out[j].clone();
        }
    }
    let fresh: Vec<usize> = (0..records.len()).filter(|i| replay[*i].is_none()).collect();
    insert_events(&mut tx, records, &out, &fresh).await?;
    tx.commit().await?;
    Ok((out, texts))
}

async fn flush(tx: &mut Tx<'_>, entering: &mut Vec<(String, String, i64, String)>) -> Result<(), AppError> {
    let rows: Vec<(&str, &str, i64, &str)> = entering.iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), *c, d.as_str())).collect();
    people_in(tx, &rows).await?;
    entering.clear();
    Ok(())
}

/// Every pass the batch names, in one read per 200.
async fn read_contexts(tx: &mut Tx<'_>, records: &[ScanRecord]) -> Result<HashMap<String, ScanContextRow>, AppError> {
    let mut pids: Vec<&str> = records.iter().filter_map(|r| r.target.as_ref().ok().map(String::as_str)).collect();
    pids.sort_unstable();
    pids.dedup();
    let mut found = HashMap::with_capacity(pids.len());
    for list in in_list(&pids) {
        let sql = format!("{} WHERE p.id IN ({})", *SCAN_CONTEXT, marks(1, list.len()));
        let mut q = sqlx::query_as::<_, ScanContextRow>(&sql);
        for id in list {
            q = q.bind(id);
        }
        for row in q.fetch_all(&mut **tx).await? {
            found.insert(row.id().to_owned(), row);
        }
    }
    Ok(found)
}

async fn recorded_reasons<'r>(tx: &mut Tx<'_>, records: &'r [ScanRecord]) -> Result<HashMap<&'r str, Reason>, AppError> {
    let keys: Vec<&str> = records.iter().filter(|r| r.replayable).map(|r| r.event_key.as_str()).collect();
    let mut found = HashMap::new();
    for list in in_list(&keys) {
        let sql = format!("SELECT event_key, reason FROM scan_events WHERE event_key IN ({})", marks(1, list.len()));
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for k in &list {
            q = q.bind(*k);
        }
        for (key, reason) in q.fetch_all(&mut **tx).await? {
            if let Some(k) = keys.iter().find(|k| **k == key) {
                found.insert(*k, Reason::from_code(&reason).unwrap_or(Reason::AlreadyUsed));
            }
        }
    }
    Ok(found)
}

async fn insert_events(tx: &mut Tx<'_>, records: &[ScanRecord], out: &[Recorded], which: &[usize]) -> Result<(), AppError> {
    const COLS: usize = 14;
    // SQLite finds a `$n` by a linear scan of the statement's parameter
    // names on every bind (1,792 in a 128-row insert: 3 % of the server's
    // CPU under the gate load); an anonymous `?` is bound by position.
    let anonymous = tx.backend_name() == "SQLite";
    for chunk in row_chunks(which) {
        let mut sql = String::from(
            "INSERT INTO scan_events (id, event_key, at, recorded_at, campus_id, gate_id, guard, device_id, direction, method, pass_id, plate, allowed, reason, offline, conflict) VALUES ",
        );
        for n in 0..chunk.len() {
            let marks: Vec<String> = (1..=COLS).map(|k| if anonymous { "?".to_owned() } else { format!("${}", n * COLS + k) }).collect();
            sql.push_str(&format!("{}({}, 0, 0)", if n == 0 { "" } else { ", " }, marks.join(", ")));
        }
        let passes: Vec<Option<PassRow>> = chunk.iter().map(|&i| out[i].context.as_ref().map(ScanContextRow::pass_row)).collect();
        let mut q = sqlx::query(&sql);
        for (k, &i) in chunk.iter().enumerate() {
            let r = &records[i];
            let pass = passes[k].as_ref();
            q = q
                .bind(new_id())
                .bind(&r.event_key)
                .bind(r.at)
                .bind(r.at)
                .bind(&r.gate.campus_id)
                .bind(&r.gate.id)
                .bind(r.guard.as_deref())
                .bind(r.device_id.as_deref())
                .bind(r.direction.code())
                .bind(r.method)
                .bind(pass.map(|p| p.id.as_str()))
                .bind(pass.filter(|p| p.vehicle).map(|p| p.holder.as_str()))
                .bind((out[i].reason == Reason::Ok) as i64)
                .bind(out[i].reason.code());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
