//! Free-text form fields, parsed on the server into trimmed, bounded
//! strings; a problem names the field.

use crate::domain::account::{FieldError, short_text};
use crate::error::AppError;
use crate::i18n::Msg;
use base64::Engine;

pub fn text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    short_text(value, max).map_err(|e| match e {
        FieldError::Empty => AppError::invalid(field, Msg::ErrRequired),
        _ => AppError::invalid(field, Msg::ErrTooLong),
    })
}

pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    if value.trim().is_empty() { Ok(String::new()) } else { text(field, value, max) }
}

/// A face photo as a data URL: JPEG, PNG or WebP by its first bytes,
/// at most ~300 KB.
pub fn photo(field: &str, data_url: &str) -> Result<String, AppError> {
    let bad = || AppError::invalid(field, Msg::ErrPhotoInvalid);
    let (head, b64) = data_url.split_once(',').ok_or_else(bad)?;
    let mime = head.strip_prefix("data:").and_then(|h| h.strip_suffix(";base64")).ok_or_else(bad)?;
    if b64.len() > 400_000 {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad())?;
    let ok = match mime {
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG"),
        "image/webp" => bytes.len() > 12 && &bytes[8..12] == b"WEBP",
        _ => false,
    };
    if ok { Ok(data_url.to_owned()) } else { Err(bad()) }
}
