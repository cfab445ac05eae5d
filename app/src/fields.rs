//! Free-text form fields, parsed on the server into trimmed, bounded
//! strings; a problem names the field.

use crate::domain::account::{FieldError, short_text};
use crate::error::AppError;
use crate::i18n::Msg;

pub fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    short_text(value, max).map_err(|e| match e {
        FieldError::Empty => AppError::invalid(field, Msg::ErrRequired),
        _ => AppError::invalid(field, Msg::ErrTooLong),
    })
}

pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    if value.trim().is_empty() { Ok(String::new()) } else { text(field, value, max) }
}
