//! Parking fees as the office collects them: the list (unpaid, settled or
//! all, by plate), settling a plate's unpaid fees against the receipt the
//! office issued (audited with the amount before and after), and the list
//! as a file. Fees are charged in `passage.rs` as a car leaves.

use super::*;
use crate::components::LIST_PAGE;
use crate::domain::Plate;
use crate::domain::parking::{ReceiptNumber, yuan};
use crate::i18n::{Lang, Msg, OfficeMsg};
use crate::platform::context::{AppState, Principal, client_ip};
use crate::platform::export::{self, Sheet};

#[derive(sqlx::FromRow)]
struct FeeRecord {
    id: String,
    plate: String,
    campus: String,
    entered_at: i64,
    left_at: i64,
    cents: i64,
    settled_at: Option<i64>,
    settled_by: Option<String>,
    receipt_no: Option<String>,
}

/// `$1` the status (`unpaid`, `settled`, anything else: all), `$2` a plate or ''.
const FEES: &str = "SELECT f.id, f.plate, c.name AS campus, f.entered_at, f.left_at, f.cents, f.settled_at, f.settled_by, f.receipt_no
     FROM parking_fees f JOIN campuses c ON c.id = f.campus_id
     WHERE (($1 = 'unpaid' AND f.settled_at IS NULL) OR ($1 = 'settled' AND f.settled_at IS NOT NULL) OR $1 NOT IN ('unpaid', 'settled'))
       AND ($2 = '' OR f.plate = $2)
     ORDER BY f.left_at DESC, f.id";

/// The filter's plate, parsed; empty for every plate.
pub fn plate_filter(text: &str) -> Result<String, AppError> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    Ok(Plate::parse(text).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?.as_str().to_string())
}

pub async fn list_fees(st: &AppState, f: &FeeFilter) -> Result<Vec<FeeRow>, AppError> {
    let plate = plate_filter(&f.plate)?;
    let rows: Vec<FeeRecord> = sqlx::query_as(&format!("{FEES} LIMIT {LIST_PAGE} OFFSET $3"))
        .bind(&f.status)
        .bind(&plate)
        .bind(f.offset.max(0))
        .fetch_all(&st.db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| FeeRow {
            id: r.id,
            plate: r.plate,
            campus: r.campus,
            entered_at: st.clock.format(r.entered_at),
            left_at: st.clock.format(r.left_at),
            cents: r.cents,
            settled_at: r.settled_at.map(|t| st.clock.format(t)),
            settled_by: r.settled_by.unwrap_or_default(),
            receipt_no: r.receipt_no.unwrap_or_default(),
        })
        .collect())
}

/// Settles every unpaid fee of `plate` against the office's receipt; the
/// amount settled, in cents. Only the fees this call marks count, so two
/// clerks settling one plate at once record it once (the other is told
/// there is nothing left to settle).
pub async fn settle_fees(st: &AppState, me: &Principal, plate: &str, receipt_no: &str) -> Result<i64, AppError> {
    let plate = Plate::parse(plate).map_err(|_| AppError::invalid("plate", Msg::ErrPlate))?;
    let receipt = ReceiptNumber::parse(receipt_no).ok_or_else(|| AppError::invalid("receipt_no", Msg::ErrReceiptNo))?;
    let now = st.clock.now_ms();
    let mut tx = st.db.write.begin().await?;
    let settled: Vec<(String, i64)> = sqlx::query_as(
        "UPDATE parking_fees SET settled_at = $1, settled_by = $2, receipt_no = $3 WHERE plate = $4 AND settled_at IS NULL RETURNING id, cents",
    )
    .bind(now)
    .bind(me.actor_label())
    .bind(receipt.as_str())
    .bind(plate.as_str())
    .fetch_all(&mut *tx)
    .await?;
    if settled.is_empty() {
        return Err(AppError::rule("plate", Msg::ErrNoUnpaidFee, ""));
    }
    let cents: i64 = settled.iter().map(|(_, c)| c).sum();
    crate::platform::audit::record(
        &mut *tx,
        now,
        &me.actor_label(),
        "settle_fees",
        "vehicle",
        plate.as_str(),
        serde_json::json!({
            "before": {"unpaid": yuan(cents)},
            "after": {"unpaid": "0.00", "receipt_no": receipt.as_str()},
            "fees": settled.iter().map(|(id, _)| id).collect::<Vec<_>>(),
        }),
        Some(&client_ip()),
    )
    .await?;
    tx.commit().await?;
    Ok(cents)
}

/// The fees as a file's rows, newest exit first.
/// `f.plate` has been through [`plate_filter`].
pub fn fees_export(st: &AppState, f: FeeFilter, lang: Lang) -> Sheet {
    let plate = f.plate;
    let headers = [
        Msg::Plate.text(lang),
        Msg::Campus.text(lang),
        OfficeMsg::EnteredAt.text(lang),
        OfficeMsg::LeftAt.text(lang),
        OfficeMsg::Amount.text(lang),
        OfficeMsg::SettledBy.text(lang),
        OfficeMsg::ReceiptNo.text(lang),
    ];
    let st = st.clone();
    let rows = export::rows(move |out| async move {
        let fees = sqlx::query_as::<_, FeeRecord>(FEES).bind(&f.status).bind(&plate).fetch(&st.db.read);
        export::send_all(&out, fees, |r| {
            let settled = r.settled_at.map(|t| format!("{} {}", st.clock.format(t), r.settled_by.unwrap_or_default())).unwrap_or_default();
            vec![
                r.plate.into(),
                r.campus.into(),
                st.clock.format(r.entered_at).into(),
                st.clock.format(r.left_at).into(),
                export::Cell::Yuan(r.cents),
                settled.into(),
                r.receipt_no.unwrap_or_default().into(),
            ]
        })
        .await?;
        Ok(())
    });
    Sheet::new(&headers, rows)
}
