//! Exports of the office's lists: the file formats, and the one rule that
//! keeps a cell from running as a formula when a spreadsheet opens it.

/// A file an office list is exported as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// UTF-8 with a byte-order mark, so Excel opens Chinese correctly.
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn from_code(s: &str) -> Option<ExportFormat> {
        match s {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The byte-order mark a CSV export starts with.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text cell as a spreadsheet may show it: one that begins like a formula
/// (`=`, `+`, `-`, `@`, or a tab or carriage return before one) gets a
/// leading `'`, so a name like `=HYPERLINK(…)` typed into a form is shown,
/// never run (OWASP's CSV injection advice).
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_shown_not_run() {
        for (given, shown) in [
            ("=1+1", "'=1+1"),
            ("+86 138", "'+86 138"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=cmd", "'\t=cmd"),
            ("\r=cmd", "'\r=cmd"),
            ("李雷", "李雷"),
            ("京A12345", "京A12345"),
            ("", ""),
            ("a=b", "a=b"),
        ] {
            assert_eq!(spreadsheet_safe(given), shown, "{given:?}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for f in [ExportFormat::Csv, ExportFormat::Xlsx] {
            assert_eq!(ExportFormat::from_code(f.code()), Some(f));
        }
        assert_eq!(ExportFormat::from_code("xls"), None);
    }

    proptest! {
        #[test]
        fn no_cell_starts_like_a_formula(s in any::<String>()) {
            let safe = spreadsheet_safe(&s);
            prop_assert!(!safe.starts_with(['=', '+', '-', '@', '\t', '\r']));
            // Nothing is lost: the text is all there after the mark.
            prop_assert!(safe == s || safe.strip_prefix('\'') == Some(s.as_str()));
        }
    }
}
