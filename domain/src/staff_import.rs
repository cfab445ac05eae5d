//! Staff import from CSV: the header, and every row checked before
//! anything is written (decoding is `csv_file`'s, shared with the
//! household import).

use super::{Phone, StaffNo, account::short_text};
use crate::RowError;
use crate::messages::Msg;

pub use crate::csv_file::{MAX_BYTES, decode};

#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    /// 1-based line in the file, for messages.
    pub line: usize,
    pub staff_no: StaffNo,
    pub name: String,
    pub department_id: String,
    pub phone: Option<Phone>,
}

const HEADERS: [&[&str]; 4] = [
    &["工号", "staff_no", "staff number", "staffno"],
    &["姓名", "name"],
    &["部门", "部门代码", "部门名称", "department"],
    &["手机", "手机号", "手机号码", "mobile", "phone"],
];

/// Parses and checks every row. `department` maps a department code or
/// name to its id. All or nothing: any wrong row gives the full list of
/// errors and no rows.
pub fn parse(text: &str, department: impl Fn(&str) -> Option<String>) -> Result<Vec<StaffRow>, Vec<RowError>> {
    let mut reader = crate::csv_file::reader(text);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen = std::collections::HashMap::new();
    let err = |row: usize, field: &str, msg: Msg| RowError { row, field: field.to_owned(), msg };
    for (i, rec) in reader.records().enumerate() {
        let line = i + 1;
        let rec = match rec {
            Ok(r) => r,
            Err(_) => {
                errors.push(err(line, "", Msg::ErrCsvColumns));
                continue;
            }
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if line == 1 {
            let ok = rec.len() >= 3 && rec.len() <= 4 && rec.iter().zip(HEADERS).all(|(h, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)));
            if !ok {
                return Err(vec![err(1, "", Msg::ErrCsvHeader)]);
            }
            continue;
        }
        if rec.len() < 3 || rec.len() > 4 {
            errors.push(err(line, "", Msg::ErrCsvColumns));
            continue;
        }
        let staff_no = match StaffNo::parse(&rec[0]) {
            Ok(s) => Some(s),
            Err(super::account::FieldError::Empty) => {
                errors.push(err(line, "staff_no", Msg::ErrRequired));
                None
            }
            Err(_) => {
                errors.push(err(line, "staff_no", Msg::ErrStaffNoInvalid));
                None
            }
        };
        if let Some(s) = &staff_no
            && seen.insert(s.clone(), line).is_some()
        {
            errors.push(err(line, "staff_no", Msg::ErrCsvDuplicateInFile));
        }
        let name = match short_text(&rec[1], 50) {
            Ok(n) => Some(n),
            Err(super::account::FieldError::Empty) => {
                errors.push(err(line, "name", Msg::ErrRequired));
                None
            }
            Err(_) => {
                errors.push(err(line, "name", Msg::ErrTooLong));
                None
            }
        };
        let dept = if rec[2].is_empty() {
            errors.push(err(line, "department", Msg::ErrRequired));
            None
        } else {
            let d = department(&rec[2]);
            if d.is_none() {
                errors.push(err(line, "department", Msg::ErrUnknownDepartment));
            }
            d
        };
        let phone = match rec.get(3).filter(|p| !p.is_empty()) {
            None => Some(None),
            Some(p) => match Phone::parse(p) {
                Ok(p) => Some(Some(p)),
                Err(_) => {
                    errors.push(err(line, "phone", Msg::ErrPhoneInvalid));
                    None
                }
            },
        };
        if let (Some(staff_no), Some(name), Some(department_id), Some(phone)) = (staff_no, name, dept, phone) {
            rows.push(StaffRow { line, staff_no, name, department_id, phone });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(vec![err(1, "", Msg::ErrCsvEmpty)]);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(s: &str) -> Option<String> {
        match s {
            "CS" | "计算机学院" => Some("d-cs".into()),
            "HIST" => Some("d-hist".into()),
            _ => None,
        }
    }

    #[test]
    fn a_good_file_in_utf8_with_bom() {
        let text = decode("\u{feff}工号,姓名,部门,手机\nT001,张伟,CS,13800138000\nt002,李娜,计算机学院,\n".as_bytes()).unwrap();
        let rows = parse(&text, dept).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].staff_no.as_str(), "T002");
        assert_eq!(rows[1].department_id, "d-cs");
        assert_eq!(rows[1].phone, None);
    }

    #[test]
    fn gbk_as_excel_writes_it() {
        let (bytes, _, _) = encoding_rs::GBK.encode("工号,姓名,部门\nT001,王芳,计算机学院\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let rows = parse(&decode(&bytes).unwrap(), dept).unwrap();
        assert_eq!(rows[0].name, "王芳");
    }

    #[test]
    fn every_bad_row_is_reported_and_none_returned() {
        let text = "staff_no,name,department,mobile\nT001,张伟,CS,123\n,李娜,CS\nT003,,NOPE\nT004,赵六,HIST\nT004,钱七,HIST\n";
        let errs = parse(text, dept).unwrap_err();
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.field.as_str())).collect();
        assert_eq!(got, vec![(2, "phone"), (3, "staff_no"), (4, "name"), (4, "department"), (6, "staff_no")]);
    }

    #[test]
    fn wrong_header_or_empty_file() {
        assert_eq!(parse("a,b,c\nT1,x,CS\n", dept).unwrap_err()[0].msg, Msg::ErrCsvHeader);
        assert_eq!(parse("工号,姓名,部门\n", dept).unwrap_err()[0].msg, Msg::ErrCsvEmpty);
    }

    #[test]
    fn undecodable_bytes_are_refused() {
        assert_eq!(decode(&[0xff, 0xff, 0x81, 0x20]), Err(Msg::ErrEncoding));
    }
}
