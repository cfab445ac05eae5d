//! An office list as a file: CSV (UTF-8 with a byte-order mark, so Excel
//! opens Chinese correctly) or XLSX, in bounded memory whatever its length.
//! A list's rows are read by a task of their own and handed over a few
//! hundred at a time ([`rows`]); CSV leaves as it is written, XLSX (a zip,
//! whole only at its end) is written row by row to temporary files
//! (rust_xlsxwriter's constant-memory mode) and then sent. Every text cell
//! goes through `domain::export::spreadsheet_safe`.

use crate::domain::export::{UTF8_BOM, spreadsheet_safe};
use crate::error::AppError;
use std::future::Future;
use tokio::sync::mpsc;

/// One cell of an exported row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(i64),
    /// An amount of money in cents, shown as yuan with two decimals (a
    /// number in the spreadsheet, so it sums).
    Yuan(i64),
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n)
    }
}

pub type Row = Result<Vec<Cell>, AppError>;
pub type RowSender = mpsc::Sender<Row>;

/// Rows waiting between the reading task and the file being written.
const ROWS_IN_FLIGHT: usize = 512;
/// About this many bytes of CSV leave at a time.
const CSV_CHUNK: usize = 64 * 1024;
/// An XLSX sheet holds at most 1,048,576 rows; a longer list goes on.
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// A list to write: its column headers and its rows as they are read.
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: mpsc::Receiver<Row>,
}

impl Sheet {
    pub fn new(headers: &[&str], rows: mpsc::Receiver<Row>) -> Sheet {
        Sheet { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows }
    }
}

/// Sends each row of `read`, as `cells` writes it, until the list ends
/// (`true`) or the file's reader has gone (`false`).
pub async fn send_all<T>(
    out: &RowSender,
    mut read: impl futures::Stream<Item = Result<T, sqlx::Error>> + Unpin,
    mut cells: impl FnMut(T) -> Vec<Cell>,
) -> Result<bool, AppError> {
    use futures::TryStreamExt;
    while let Some(r) = read.try_next().await? {
        if out.send(Ok(cells(r))).await.is_err() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Starts `read`, which sends rows until its list ends, and returns them as
/// they come. A send fails once the file's reader has gone: `read` stops.
pub fn rows<F, Fut>(read: F) -> mpsc::Receiver<Row>
where
    F: FnOnce(RowSender) -> Fut,
    Fut: Future<Output = Result<(), AppError>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(ROWS_IN_FLIGHT);
    let reading = read(tx.clone());
    tokio::spawn(async move {
        if let Err(e) = reading.await {
            let _ = tx.send(Err(e)).await;
        }
    });
    rx
}

fn text_cells(row: &[Cell]) -> Vec<std::borrow::Cow<'_, str>> {
    row.iter()
        .map(|c| match c {
            Cell::Text(s) => spreadsheet_safe(s),
            Cell::Number(n) => n.to_string().into(),
            Cell::Yuan(c) => crate::domain::parking::yuan(*c).into(),
        })
        .collect()
}

fn csv_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "writing a CSV export failed");
    AppError::Internal
}

/// The CSV file's bytes as they are written: the byte-order mark and the
/// headers first, then the rows in chunks. An error ends the stream.
pub fn csv(mut sheet: Sheet) -> mpsc::Receiver<Result<Vec<u8>, AppError>> {
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(async move {
        let start = || -> Result<csv::Writer<Vec<u8>>, AppError> { Ok(csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK + 4096))) };
        let finish = |w: csv::Writer<Vec<u8>>| w.into_inner().map_err(csv_error);
        let first = (|| {
            let mut w = start()?;
            w.write_record(&sheet.headers).map_err(csv_error)?;
            let mut bytes = UTF8_BOM.to_vec();
            bytes.extend(finish(w)?);
            Ok::<_, AppError>(bytes)
        })();
        let failed = first.is_err();
        if tx.send(first).await.is_err() || failed {
            return;
        }
        let mut w = match start() {
            Ok(w) => w,
            Err(e) => return drop(tx.send(Err(e)).await),
        };
        while let Some(row) = sheet.rows.recv().await {
            let written = row.and_then(|r| w.write_record(text_cells(&r).iter().map(|c| c.as_bytes())).map_err(csv_error));
            if let Err(e) = written {
                let _ = tx.send(Err(e)).await;
                return;
            }
            if w.get_ref().len() >= CSV_CHUNK {
                let full = std::mem::replace(&mut w, csv::Writer::from_writer(Vec::with_capacity(CSV_CHUNK + 4096)));
                if tx.send(finish(full)).await.is_err() {
                    return;
                }
            }
        }
        let _ = tx.send(finish(w)).await;
    });
    rx
}

fn xlsx_error(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "writing an XLSX export failed");
    AppError::Internal
}

/// The XLSX file, written to a temporary file that is deleted when the
/// returned handle is dropped. `title` names the sheet.
pub async fn xlsx(mut sheet: Sheet, title: &str) -> Result<tempfile::NamedTempFile, AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let title = title.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let yuan_format = Format::new().set_num_format("0.00");
        let mut sheets = 0usize;
        let mut next_row = XLSX_MAX_ROWS;
        while let Some(row) = sheet.rows.blocking_recv() {
            let row = row?;
            if next_row == XLSX_MAX_ROWS {
                let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
                sheets += 1;
                ws.set_name(if sheets == 1 { title.clone() } else { format!("{title} {sheets}") }).map_err(xlsx_error)?;
                ws.write_row_with_format(0, 0, &sheet.headers, &bold).map_err(xlsx_error)?;
                next_row = 1;
            }
            let ws = book.worksheet_from_index(sheets - 1).map_err(xlsx_error)?;
            for (col, cell) in row.iter().enumerate() {
                let col = col as u16;
                match cell {
                    Cell::Text(s) => ws.write_string(next_row, col, spreadsheet_safe(s)).map(|_| ()),
                    Cell::Number(n) => ws.write_number(next_row, col, *n as f64).map(|_| ()),
                    Cell::Yuan(c) => ws.write_number_with_format(next_row, col, *c as f64 / 100.0, &yuan_format).map(|_| ()),
                }
                .map_err(xlsx_error)?;
            }
            next_row += 1;
        }
        if sheets == 0 {
            let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            ws.set_name(title.clone()).map_err(xlsx_error)?;
            ws.write_row_with_format(0, 0, &sheet.headers, &bold).map_err(xlsx_error)?;
        }
        let file = tempfile::NamedTempFile::new().map_err(xlsx_error)?;
        book.save(file.path()).map_err(xlsx_error)?;
        Ok(file)
    })
    .await
    .map_err(xlsx_error)?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: Vec<Row>) -> Sheet {
        let (tx, rx) = mpsc::channel(rows.len().max(1));
        for r in rows {
            tx.try_send(r).unwrap();
        }
        Sheet { headers: vec!["姓名".into(), "次数".into()], rows: rx }
    }

    #[tokio::test]
    async fn a_csv_starts_with_the_mark_and_shows_formulas_as_text() {
        let mut out = csv(sheet(vec![Ok(vec!["=cmd|' /C calc'!A0".into(), Cell::Number(3)]), Ok(vec!["李雷, \"小李\"".into(), Cell::Number(-1)])]));
        let mut bytes = Vec::new();
        while let Some(chunk) = out.recv().await {
            bytes.extend(chunk.unwrap());
        }
        assert!(bytes.starts_with(UTF8_BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "姓名,次数\n'=cmd|' /C calc'!A0,3\n\"李雷, \"\"小李\"\"\",-1\n");
    }

    #[tokio::test]
    async fn a_failing_list_ends_the_csv_with_its_error() {
        let mut out = csv(sheet(vec![Ok(vec!["a".into(), Cell::Number(1)]), Err(AppError::Internal)]));
        let mut got = Vec::new();
        while let Some(chunk) = out.recv().await {
            got.push(chunk.is_ok());
        }
        assert_eq!(got, vec![true, false]);
    }
}
