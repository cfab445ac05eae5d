//! An uploaded CSV file as Excel in China saves it: UTF-8 (with or without
//! a BOM) or GBK. Shared by the staff and the household imports.

use crate::messages::Msg;

/// Largest file accepted (about 50,000 rows).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// UTF-8 (with or without BOM) when the bytes are valid UTF-8, else GBK
/// (read as GB 18030, its superset).
pub fn decode(bytes: &[u8]) -> Result<String, Msg> {
    if bytes.len() > MAX_BYTES {
        return Err(Msg::ErrFileTooLarge);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors { Err(Msg::ErrEncoding) } else { Ok(s.into_owned()) }
}

/// The reader both imports use: no header handling of its own (the
/// caller checks line 1), rows of any length, cells trimmed.
pub fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// A yes/no cell: 是/否 (and Y/N, yes/no, 1/0, true/false); empty is no.
pub fn yes_no(cell: &str) -> Option<bool> {
    match cell.trim().to_ascii_lowercase().as_str() {
        "是" | "y" | "yes" | "1" | "true" | "√" | "✓" => Some(true),
        "否" | "n" | "no" | "0" | "false" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_gbk_decode_alike() {
        let text = "校区,小区\n主校区,教工宿舍\n";
        assert_eq!(decode(text.as_bytes()).unwrap(), text);
        assert_eq!(decode(format!("\u{feff}{text}").as_bytes()).unwrap(), text);
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode(&gbk).unwrap(), text);
    }

    #[test]
    fn too_large_or_undecodable_is_refused() {
        assert_eq!(decode(&vec![b'a'; MAX_BYTES + 1]), Err(Msg::ErrFileTooLarge));
        assert_eq!(decode(&[0xff, 0xff, 0x81, 0x20]), Err(Msg::ErrEncoding));
    }

    #[test]
    fn yes_and_no_cells() {
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(" Y "), Some(true));
        assert_eq!(yes_no("否"), Some(false));
        assert_eq!(yes_no(""), Some(false));
        assert_eq!(yes_no("也许"), None);
    }
}
