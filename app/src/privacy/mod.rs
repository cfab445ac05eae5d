//! Personal information (PIPL): how long a visit's personal data is kept
//! and the job that anonymises it after that (`retention.rs`).

#[cfg(feature = "ssr")]
pub mod retention;
