//! The one error type server functions return. It carries a message key, never
//! internals: those are logged on the server where the error is made.

use crate::i18n::{Lang, Msg};
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

// Read through `Wire` (below): serde's derive of this enum's struct
// variants was 8 KB of wasm in every page bundle, the same JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(try_from = "Wire")]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Bad input: which field, and what to tell the person.
    #[error("invalid {field}: {msg:?}")]
    Invalid { field: String, msg: Msg },
    /// A rule refused the request; `arg` fills the message's `{arg}` (the
    /// masked value that collides, the campus a car is inside, a limit).
    #[error("refused by rule on {field}: {msg:?}")]
    Rule { field: String, msg: Msg, arg: String },
    /// Several rows of an upload were wrong; nothing was changed.
    #[error("{} invalid rows", rows.len())]
    InvalidRows { rows: Vec<RowError> },
    #[error("rate limited: {msg:?}")]
    RateLimited { msg: Msg, retry_after_secs: i64 },
    /// The request collides with the current state (duplicate, already handled).
    #[error("conflict: {msg:?}")]
    Conflict { msg: Msg },
    #[error("cross-site request refused")]
    CrossSite,
    #[error("internal error")]
    Internal,
    /// The request never got a proper answer (network, decoding).
    #[error("request failed: {0}")]
    Request(String),
}

pub use crate::domain::RowError;

/// `AppError`'s JSON as it is read: each variant's fields in one struct.
/// Accepts exactly what the derived `Serialize` writes (externally tagged:
/// `"NotFound"`, `{"Invalid":{"field":…,"msg":…}}`, `{"Request":"…"}`).
#[derive(Deserialize)]
enum Wire {
    Unauthenticated,
    Forbidden,
    NotFound,
    Invalid(WireFields),
    Rule(WireFields),
    InvalidRows(WireFields),
    RateLimited(WireFields),
    Conflict(WireFields),
    CrossSite,
    Internal,
    Request(String),
}

#[derive(Deserialize)]
struct WireFields {
    #[serde(default)]
    field: String,
    #[serde(default)]
    msg: Option<Msg>,
    #[serde(default)]
    arg: String,
    #[serde(default)]
    rows: Vec<RowError>,
    #[serde(default)]
    retry_after_secs: i64,
}

impl TryFrom<Wire> for AppError {
    type Error = &'static str;

    /// Refused when a variant that says something lacks its message.
    fn try_from(w: Wire) -> Result<AppError, &'static str> {
        let msg = |f: &WireFields| f.msg.ok_or("missing field `msg`");
        Ok(match w {
            Wire::Unauthenticated => AppError::Unauthenticated,
            Wire::Forbidden => AppError::Forbidden,
            Wire::NotFound => AppError::NotFound,
            Wire::Invalid(f) => AppError::Invalid { msg: msg(&f)?, field: f.field },
            Wire::Rule(f) => AppError::Rule { msg: msg(&f)?, field: f.field, arg: f.arg },
            Wire::InvalidRows(f) => AppError::InvalidRows { rows: f.rows },
            Wire::RateLimited(f) => AppError::RateLimited { msg: msg(&f)?, retry_after_secs: f.retry_after_secs },
            Wire::Conflict(f) => AppError::Conflict { msg: msg(&f)? },
            Wire::CrossSite => AppError::CrossSite,
            Wire::Internal => AppError::Internal,
            Wire::Request(r) => AppError::Request(r),
        })
    }
}

impl AppError {
    pub fn invalid(field: &str, msg: Msg) -> Self {
        AppError::Invalid { field: field.to_owned(), msg }
    }

    pub fn msg(&self) -> Msg {
        match self {
            AppError::Unauthenticated => Msg::ErrUnauthenticated,
            AppError::Forbidden => Msg::ErrForbidden,
            AppError::NotFound => Msg::ErrNotFound,
            AppError::Invalid { msg, .. } | AppError::Rule { msg, .. } | AppError::Conflict { msg } | AppError::RateLimited { msg, .. } => *msg,
            AppError::InvalidRows { .. } => Msg::ImportErrors,
            AppError::CrossSite => Msg::ErrCrossSite,
            AppError::Internal => Msg::ErrInternal,
            AppError::Request(_) => Msg::ErrNetwork,
        }
    }

    pub fn rule(field: &str, msg: Msg, arg: impl Into<String>) -> Self {
        AppError::Rule { field: field.to_owned(), msg, arg: arg.into() }
    }

    /// The form field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Rule { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A sentence for the person in front of the screen.
    pub fn user_message(&self, lang: Lang) -> String {
        let text = self.msg().text(lang);
        match self {
            AppError::Rule { arg, .. } => text.replace("{arg}", arg),
            _ => text.to_owned(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::NotFound => 404,
            AppError::Invalid { .. } | AppError::Rule { .. } | AppError::InvalidRows { .. } => 422,
            AppError::RateLimited { .. } => 429,
            AppError::Conflict { .. } => 409,
            AppError::Internal | AppError::Request(_) => 500,
        }
    }
}

fn bad_request(detail: String) -> AppError {
    #[cfg(feature = "ssr")]
    tracing::info!(detail = %shape_of(&detail), "a server function's arguments did not decode");
    let _ = detail;
    AppError::invalid("body", Msg::ErrBadRequest)
}

/// A decoder's complaint without the data it quotes (`invalid type: string
/// "13800000001"`): quoted text becomes `"…"` and long numbers `#`, so a
/// log line says what was wrong, never whose mobile or ID number it was.
pub fn shape_of(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len());
    let mut quoted = false;
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        out.push_str(if digits.len() >= 4 { "#" } else { digits });
        digits.clear();
    };
    for c in detail.chars() {
        if c == '"' {
            flush(&mut digits, &mut out);
            if !quoted {
                out.push_str("\"…");
            } else {
                out.push('"');
            }
            quoted = !quoted;
        } else if quoted {
            continue;
        } else if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    if quoted {
        out.push('"');
    }
    flush(&mut digits, &mut out);
    out
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request's arguments did not decode (a stale page, a
            // hand-made call): bad input like any other; the parser's words
            // go to our log, not to the caller. On the server a JSON body
            // that does not decode is reported as `Deserialization` too.
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::MissingArg(detail) => bad_request(detail),
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => bad_request(detail),
            other => AppError::Request(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decoding_complaint_is_logged_without_the_data_it_quotes() {
        assert_eq!(
            shape_of(r#"invalid type: string "13800000001", expected u32 at line 1 column 42"#),
            r#"invalid type: string "…", expected u# at line 1 column 42"#.replace("u#", "u32")
        );
        assert_eq!(shape_of("invalid value: integer `110105194912310021`, expected a date"), "invalid value: integer `#`, expected a date");
        assert_eq!(shape_of(r#"missing field `phone` "unterminated 1380000"#), r#"missing field `phone` "…""#);
    }

    #[test]
    fn every_error_reads_back_as_it_was_written() {
        let all = [
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::invalid("entrants[0].doc_number", Msg::ErrBadJson),
            AppError::rule("plate", Msg::ErrUnpaidFee, "12.50"),
            AppError::InvalidRows { rows: vec![RowError { row: 3, field: "phone".into(), msg: Msg::ErrBadJson }] },
            AppError::RateLimited { msg: Msg::ErrBadJson, retry_after_secs: 60 },
            AppError::Conflict { msg: Msg::ErrBadJson },
            AppError::CrossSite,
            AppError::Internal,
            AppError::Request("HTTP 502".into()),
        ];
        for e in all {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e, "{json}");
        }
    }

    #[test]
    fn an_unknown_or_incomplete_error_is_refused() {
        for json in [r#""Teapot""#, r#"{"Teapot":{}}"#, r#"{"Invalid":{"field":"x"}}"#, r#"{}"#, "3"] {
            assert!(serde_json::from_str::<AppError>(json).is_err(), "{json}");
        }
    }
}
