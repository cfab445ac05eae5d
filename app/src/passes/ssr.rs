//! The server side of passes, one file per use case; this module keeps
//! their old paths (`passes::ssr::issue`, `cancel_for`, …)
//! for the areas, the server crate and the tests.

pub use super::devices::*;
pub use super::fees::*;
pub use super::issue::*;
pub use super::manual::*;
pub use super::office_queries::*;
pub use super::pass_page::*;
pub use super::passage::{Fees, unpaid_fee_cents};
pub use super::roll_call::*;
pub use super::scan::{Scanner, campus_of_gate, photo, scan, scan_at};
pub use super::scan_context::{ScanContextRow, verdict_for};
pub use super::state::{ScanState, scan_state};
pub use super::stored::{PassRow, Tx, mask_name};
pub use super::sync::*;
pub use super::token::*;
pub use super::types::{IngestOutcome, MAX_EVENTS_PER_BATCH, OfflineEvent};
