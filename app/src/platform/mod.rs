//! Server-side plumbing: configuration, storage, keys, clock, sessions, SMS,
//! WeCom, rate limits and the audit trail. Compiled only with the `ssr` feature.

pub mod audit;
pub mod batch;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod export;
pub mod keys;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sms;
pub mod sms_cloud;
pub mod wecom;

use crate::error::AppError;

impl From<sqlx::Error> for AppError {
    /// Database errors are logged here and never shown: the person sees a
    /// plain sentence, the log has the cause.
    fn from(e: sqlx::Error) -> Self {
        if db::is_unique_violation(&e) {
            return AppError::Conflict { msg: crate::i18n::Msg::ErrDuplicate };
        }
        if matches!(e, sqlx::Error::RowNotFound) {
            return AppError::NotFound;
        }
        tracing::error!(error = %e, "database error");
        AppError::Internal
    }
}
