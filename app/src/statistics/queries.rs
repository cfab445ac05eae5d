//! The counts behind each view. Applications and who is inside are
//! counted where they are; scans come from `scan_day_counts` (days that
//! can no longer change, see `rollup.rs`) plus `scan_events` for the days
//! after them, so a year's view reads a few thousand rows, not ten million.

use super::chart;
use super::rollup::{day_number, rolled_to};
use super::types::*;
use crate::domain::gate::Reason;
use crate::domain::lifecycle::Status;
use crate::domain::statistics::{Period, PeriodProblem, TURNAROUND_BOUNDS_MS, turnaround_bucket};
use crate::error::AppError;
use crate::i18n::{Lang, Msg, OfficeMsg};
use crate::platform::context::AppState;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The filter's period, or why not.
pub fn period(st: &AppState, f: &StatsFilter) -> Result<Period, AppError> {
    Period::parse(&f.from, &f.to, st.clock.today()).map_err(|p| match p {
        PeriodProblem::Unreadable => AppError::invalid("from", Msg::ErrBadRequest),
        PeriodProblem::Backwards => AppError::invalid("to", Msg::ErrStatsBackwards),
        PeriodProblem::TooLong => AppError::invalid("from", Msg::ErrStatsTooLong),
    })
}

fn section(id: &str, title: &str, note: String, rows: Vec<(String, i64)>, columns_every: Option<usize>) -> Section {
    let svg = match columns_every {
        Some(every) => chart::columns(title, &rows, every),
        None => chart::bars(title, &rows),
    };
    Section { id: id.into(), title: title.into(), note, rows, svg }
}

/// A step as the office reads it: "第2步 计算机学院" (steps count from 1).
fn step_label(step: u8, who: &str, lang: Lang) -> String {
    format!("{} {who}", OfficeMsg::StepNumber.text(lang).replace("{n}", &(step as u32 + 1).to_string()))
}

/// The applications' filter after `FROM applications a`: `$1`–`$7` (a
/// status matches its steps and, for `rejected`, those not yet seen).
const APPLICATIONS: &str = "a.created_at >= $1 AND a.created_at < $2 AND ($3 = '' OR a.campus_id = $3) AND ($4 = '' OR a.department_id = $4)
     AND ($5 = '' OR a.kind = $5) AND ($6 = '' OR a.status = $6 OR a.status LIKE $7)";

fn bind_applications<'q, O>(
    q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    st: &AppState,
    p: &Period,
    f: &'q StatsFilter,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    q.bind(st.clock.start_of_day(p.from))
        .bind(st.clock.end_of_day(p.to))
        .bind(&f.campus_id)
        .bind(&f.department_id)
        .bind(&f.kind)
        .bind(&f.status)
        .bind(format!("{}%", f.status))
}

/// Applications submitted in the period: by status, the pending ones by
/// the step they wait at, and how long approvers took to decide.
pub async fn applications(st: &AppState, f: &StatsFilter, lang: Lang) -> Result<StatsView, AppError> {
    let p = period(st, f)?;
    let by_status: Vec<(String, i64)> = bind_applications(
        sqlx::query_as(&format!("SELECT a.status, COUNT(*) FROM applications a WHERE {APPLICATIONS} GROUP BY a.status")),
        st,
        &p,
        f,
    )
    .fetch_all(&st.db.read)
    .await?;
    let mut statuses: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for (code, n) in by_status {
        let status = Status::from_code(&code);
        // Steps are counted in the next section; here "in review" is one row.
        let key = code.split(':').next().unwrap_or_default().to_owned();
        let label = status.map(|s| crate::applications::status_label(s).text(lang).to_owned()).unwrap_or(key.clone());
        statuses.entry(key).or_insert((label, 0)).1 += n;
    }
    let mut status_rows: Vec<(String, i64)> = statuses.into_values().collect();
    status_rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: i64 = status_rows.iter().map(|(_, n)| n).sum();

    let steps: Vec<(String, Option<String>, Option<String>, i64)> = bind_applications(
        sqlx::query_as(&format!(
            "SELECT a.status, d.name, s.name, COUNT(*) FROM applications a
             LEFT JOIN departments d ON d.id = a.waiting_department_id LEFT JOIN staff s ON s.id = a.waiting_staff_id
             WHERE {APPLICATIONS} AND a.status LIKE 'in_review:%' GROUP BY a.status, d.name, s.name"
        )),
        st,
        &p,
        f,
    )
    .fetch_all(&st.db.read)
    .await?;
    let mut step_rows: Vec<(u8, String, i64)> = steps
        .into_iter()
        .map(|(code, dept, staff, n)| {
            let step = match Status::from_code(&code) {
                Some(Status::InReview { step }) => step,
                _ => 0,
            };
            let who = staff.or(dept).unwrap_or_default();
            (step, step_label(step, &who, lang), n)
        })
        .collect();
    step_rows.sort();
    let step_rows: Vec<(String, i64)> = step_rows.into_iter().map(|(_, l, n)| (l, n)).collect();
    let pending: i64 = step_rows.iter().map(|(_, n)| n).sum();

    // From submission to the decision that approved or rejected it.
    let decided: Vec<(i64, i64)> = bind_applications(
        sqlx::query_as(&format!(
            "SELECT a.created_at, MIN(e.at) FROM applications a JOIN application_events e ON e.application_id = a.id
             WHERE {APPLICATIONS} AND e.to_status IN ('approved', 'rejected_unacknowledged') GROUP BY a.id, a.created_at"
        )),
        st,
        &p,
        f,
    )
    .fetch_all(&st.db.read)
    .await?;
    let mut buckets = [0i64; TURNAROUND_BOUNDS_MS.len() + 1];
    let mut sum_ms = 0i64;
    for (submitted, decided_at) in &decided {
        let took = (decided_at - submitted).max(0);
        buckets[turnaround_bucket(took)] += 1;
        sum_ms += took;
    }
    let labels =
        [OfficeMsg::WithinAnHour, OfficeMsg::OneToFourHours, OfficeMsg::FourHoursToADay, OfficeMsg::OneToThreeDays, OfficeMsg::OverThreeDays];
    let turnaround_rows: Vec<(String, i64)> = labels.iter().zip(buckets).map(|(l, n)| (l.text(lang).to_owned(), n)).collect();
    let average_hours = if decided.is_empty() { 0.0 } else { sum_ms as f64 / decided.len() as f64 / 3_600_000.0 };

    Ok(StatsView {
        from: p.from.to_string(),
        to: p.to.to_string(),
        sections: vec![
            section("by-status", OfficeMsg::StatsByStatus.text(lang), format!("{} {total}", OfficeMsg::Total.text(lang)), status_rows, None),
            section("by-step", OfficeMsg::StatsByStep.text(lang), format!("{} {pending}", OfficeMsg::Total.text(lang)), step_rows, None),
            section(
                "turnaround",
                OfficeMsg::StatsTurnaround.text(lang),
                format!("{} {} · {} {average_hours:.1}", OfficeMsg::Decided.text(lang), decided.len(), OfficeMsg::AverageHours.text(lang)),
                turnaround_rows,
                None,
            ),
        ],
    })
}

/// One group of scans: campus day, hour, gate, allowed, reason, direction.
type ScanGroup = (i64, i64, String, i64, String, String, i64);

/// Scans in the period: by gate, by hour of the day, by verdict, and the
/// people let in each day.
pub async fn scans(st: &AppState, f: &StatsFilter, lang: Lang) -> Result<StatsView, AppError> {
    let p = period(st, f)?;
    let offset = st.clock.utc_offset_ms(st.clock.start_of_day(p.from));
    let rolled = rolled_to(&st.db.read).await?;
    let mut groups: Vec<ScanGroup> = Vec::new();
    // Days already counted, from the counts.
    if let Some(rolled) = rolled.filter(|r| *r >= p.from) {
        let to = rolled.min(p.to);
        let rows: Vec<(String, i64, String, i64, String, String, i64)> = sqlx::query_as(
            "SELECT day, hour, gate_id, allowed, reason, direction, CAST(SUM(n) AS BIGINT) FROM scan_day_counts
             WHERE day >= $1 AND day <= $2 AND ($3 = '' OR campus_id = $3) AND ($4 = '' OR gate_id = $4) AND ($5 = '' OR kind = $5)
             GROUP BY day, hour, gate_id, allowed, reason, direction",
        )
        .bind(p.from.to_string())
        .bind(to.to_string())
        .bind(&f.campus_id)
        .bind(&f.gate_id)
        .bind(&f.kind)
        .fetch_all(&st.db.read)
        .await?;
        groups.extend(rows.into_iter().map(|(day, h, g, a, r, d, n)| {
            let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map(day_number).unwrap_or_default();
            (day, h, g, a, r, d, n)
        }));
    }
    // Later days, from the events themselves.
    let live_from = match rolled {
        Some(r) if r >= p.from => r.succ_opt().unwrap_or(r),
        _ => p.from,
    };
    if live_from <= p.to {
        let join = if f.kind.is_empty() { "" } else { "JOIN passes p ON p.id = e.pass_id AND p.kind = $6" };
        let sql = format!(
            "SELECT (e.at + $1) / 86400000, ((e.at + $1) / 3600000) % 24, COALESCE(e.gate_id, ''), e.allowed, e.reason, e.direction, COUNT(*)
             FROM scan_events e {join}
             WHERE e.at >= $2 AND e.at < $3 AND ($4 = '' OR e.campus_id = $4) AND ($5 = '' OR e.gate_id = $5)
             GROUP BY 1, 2, 3, 4, 5, 6"
        );
        let mut q = sqlx::query_as::<_, ScanGroup>(&sql)
            .bind(offset)
            .bind(st.clock.start_of_day(live_from))
            .bind(st.clock.end_of_day(p.to))
            .bind(&f.campus_id)
            .bind(&f.gate_id);
        if !f.kind.is_empty() {
            q = q.bind(&f.kind);
        }
        let rows = q.fetch_all(&st.db.read).await?;
        groups.extend(rows);
    }

    let gate_names: BTreeMap<String, String> =
        sqlx::query_as::<_, (String, String, String)>("SELECT g.id, c.name, g.name FROM gates g JOIN campuses c ON c.id = g.campus_id")
            .fetch_all(&st.db.read)
            .await?
            .into_iter()
            .map(|(id, campus, gate)| (id, format!("{campus} {gate}")))
            .collect();
    let mut by_gate: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_hour = [0i64; 24];
    let mut by_reason: BTreeMap<String, i64> = BTreeMap::new();
    let mut entries: BTreeMap<i64, i64> = p.days().map(|d| (day_number(d), 0)).collect();
    let (mut total, mut refused) = (0i64, 0i64);
    for (day, hour, gate, allowed, reason, direction, n) in groups {
        let gate = gate_names.get(&gate).cloned().unwrap_or_else(|| OfficeMsg::DeviceOrUnknownGate.text(lang).to_owned());
        *by_gate.entry(gate).or_default() += n;
        by_hour[hour.clamp(0, 23) as usize] += n;
        let reason = Reason::from_code(&reason).map(|r| r.msg().text(lang).to_owned()).unwrap_or(reason);
        *by_reason.entry(reason).or_default() += n;
        total += n;
        if allowed == 0 {
            refused += n;
        } else if direction == "in"
            && let Some(e) = entries.get_mut(&day)
        {
            *e += n;
        }
    }
    let sorted = |m: BTreeMap<String, i64>| {
        let mut v: Vec<(String, i64)> = m.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    let hours: Vec<(String, i64)> = by_hour.iter().enumerate().map(|(h, n)| (format!("{h:02}"), *n)).collect();
    let days: Vec<(String, i64)> = p.days().map(|d| (d.format("%m-%d").to_string(), entries[&day_number(d)])).collect();
    let every_day = days.len().div_ceil(8).max(1);
    let admitted: i64 = days.iter().map(|(_, n)| n).sum();
    Ok(StatsView {
        from: p.from.to_string(),
        to: p.to.to_string(),
        sections: vec![
            section(
                "by-gate",
                OfficeMsg::StatsByGate.text(lang),
                format!("{} {total} · {} {refused}", OfficeMsg::Total.text(lang), OfficeMsg::RefusedCount.text(lang)),
                sorted(by_gate),
                None,
            ),
            section("by-hour", OfficeMsg::StatsByHour.text(lang), String::new(), hours, Some(3)),
            section("by-verdict", OfficeMsg::StatsByVerdict.text(lang), String::new(), sorted(by_reason), None),
            section(
                "entries",
                OfficeMsg::StatsEntriesPerDay.text(lang),
                format!("{} {admitted}", OfficeMsg::Total.text(lang)),
                days,
                Some(every_day),
            ),
        ],
    })
}

/// People and vehicles inside now.
pub async fn inside(st: &AppState, f: &StatsFilter, lang: Lang) -> Result<StatsView, AppError> {
    let (people,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM people_inside WHERE ($1 = '' OR campus_id = $1)").bind(&f.campus_id).fetch_one(&st.db.read).await?;
    let (vehicles,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM vehicles_inside WHERE ($1 = '' OR campus_id = $1)").bind(&f.campus_id).fetch_one(&st.db.read).await?;
    let today = st.clock.today().to_string();
    let rows = vec![(OfficeMsg::People.text(lang).to_owned(), people), (OfficeMsg::Vehicles.text(lang).to_owned(), vehicles)];
    Ok(StatsView { from: today.clone(), to: today, sections: vec![section("inside", Msg::OnCampus.text(lang), String::new(), rows, None)] })
}

/// The filter's choices.
pub async fn choices(st: &AppState) -> Result<StatsChoices, AppError> {
    let campuses = sqlx::query_as("SELECT id, name FROM campuses ORDER BY created_at").fetch_all(&st.db.read).await?;
    let departments = sqlx::query_as("SELECT id, name FROM departments ORDER BY code").fetch_all(&st.db.read).await?;
    let gates: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT g.campus_id, g.id, c.name || ' ' || g.name FROM gates g JOIN campuses c ON c.id = g.campus_id ORDER BY c.created_at, g.created_at",
    )
    .fetch_all(&st.db.read)
    .await?;
    Ok(StatsChoices { campuses, departments, gates })
}

#[derive(sqlx::FromRow)]
struct ApplicationLine {
    created_at: i64,
    kind: String,
    status: String,
    waiting_department: Option<String>,
    waiting_staff: Option<String>,
    applicant_phone: String,
    department: Option<String>,
    campus: Option<String>,
    reason: Option<String>,
    start_date: String,
    end_date: String,
}

/// The applications behind the numbers, as filtered, with the step each
/// waits at (seed 004's 查询统计): a file's rows, newest first; applicants'
/// mobiles masked unless `unmasked`. The period was checked by [`period`].
pub fn applications_export(st: &AppState, f: StatsFilter, p: Period, lang: Lang, unmasked: bool) -> crate::platform::export::Sheet {
    use crate::platform::export;
    let headers = [
        OfficeMsg::SubmittedAt.text(lang),
        Msg::PassKindLabel.text(lang),
        Msg::Status.text(lang),
        OfficeMsg::CurrentStep.text(lang),
        Msg::Phone.text(lang),
        Msg::Department.text(lang),
        Msg::Campus.text(lang),
        Msg::VisitReason.text(lang),
        OfficeMsg::FromDate.text(lang),
        OfficeMsg::ToDate.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let sql = format!(
            "SELECT a.created_at, a.kind, a.status, wd.name AS waiting_department, ws.name AS waiting_staff, a.applicant_phone,
                    d.name AS department, c.name AS campus, r.name AS reason, a.start_date, a.end_date
             FROM applications a LEFT JOIN departments d ON d.id = a.department_id LEFT JOIN campuses c ON c.id = a.campus_id
             LEFT JOIN visit_reasons r ON r.id = a.reason_id
             LEFT JOIN departments wd ON wd.id = a.waiting_department_id LEFT JOIN staff ws ON ws.id = a.waiting_staff_id
             WHERE {APPLICATIONS} ORDER BY a.created_at DESC"
        );
        let read = bind_applications(sqlx::query_as::<_, ApplicationLine>(&sql), &st, &p, &f).fetch(&st.db.read);
        export::send_all(&out, read, |a| {
            let status = Status::from_code(&a.status);
            let step = match status {
                Some(Status::InReview { step }) => step_label(step, &a.waiting_staff.or(a.waiting_department).unwrap_or_default(), lang),
                _ => String::new(),
            };
            let phone =
                if unmasked { a.applicant_phone } else { crate::domain::Phone::parse(&a.applicant_phone).map(|p| p.masked()).unwrap_or_default() };
            vec![
                st.clock.format(a.created_at).into(),
                crate::domain::policy::PassKind::from_code(&a.kind).map(|k| k.label().text(lang)).unwrap_or_default().into(),
                status.map(|s| crate::applications::status_label(s).text(lang)).unwrap_or_default().into(),
                step.into(),
                phone.into(),
                a.department.unwrap_or_default().into(),
                a.campus.unwrap_or_default().into(),
                a.reason.unwrap_or_default().into(),
                a.start_date.into(),
                a.end_date.into(),
            ]
        })
        .await?;
        Ok(())
    });
    export::Sheet::new(&headers, rows)
}
