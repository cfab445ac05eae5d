//! Households and their members from CSV (seed 004: the resident office's
//! register): one row per member; rows with the same campus, community,
//! building and door are one household. Every row is checked before
//! anything is written; any wrong row gives the full list and no rows.
//! What needs the database (a mobile registered in another household, a
//! household left without a householder) is the server's to check.

use crate::account::{FieldError, short_text};
use crate::csv_file::{reader, yes_no};
use crate::document::{DocType, DocumentNumber};
use crate::household::{Address, NAME_MAX};
use crate::messages::Msg;
use crate::{Phone, RowError};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The columns, each with the header names accepted for it.
const HEADERS: [&[&str]; 10] = [
    &["校区", "校区名称", "campus"],
    &["小区", "小区名称", "community"],
    &["楼栋", "楼栋号", "building"],
    &["门牌", "门牌号", "door"],
    &["姓名", "name"],
    &["手机", "手机号", "手机号码", "mobile", "phone"],
    &["证件类型", "doc_type", "document type"],
    &["证件号码", "证件号", "doc_number", "document number"],
    &["户主", "是否户主", "householder"],
    &["纸质通行证", "已领纸质通行证", "paper_pass", "paper pass"],
];

/// One member, as the file gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedMember {
    /// 1-based line in the file, for messages.
    pub line: usize,
    pub name: String,
    pub phone: Phone,
    pub doc: DocumentNumber,
    pub householder: bool,
}

/// One household and its members in the file, in the file's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedHousehold {
    /// The line of its first row.
    pub line: usize,
    pub campus_id: String,
    pub address: Address,
    pub paper_pass: bool,
    pub members: Vec<ImportedMember>,
}

impl ImportedHousehold {
    /// The member the file names householder, if any (at most one).
    pub fn householder(&self) -> Option<&ImportedMember> {
        self.members.iter().find(|m| m.householder)
    }
}

/// A document type cell: 居民身份证 (or 身份证; empty means it too), 护照,
/// 其他 / a permit, or the codes.
pub fn doc_type_cell(cell: &str) -> Option<DocType> {
    let c = cell.trim().to_ascii_lowercase();
    match c.as_str() {
        "" | "居民身份证" | "身份证" | "resident_id" | "residentid" | "id" | "id card" => Some(DocType::ResidentId),
        "护照" | "passport" => Some(DocType::Passport),
        "other" => Some(DocType::Other),
        _ if c.starts_with("其他") || c.contains("通行证") || c.contains("居住证") => Some(DocType::Other),
        _ => None,
    }
}

/// Parses and checks every row. `campus` maps a campus's name (or English
/// name, or id) to its id; `today` dates the ID numbers' birth-date check.
pub fn parse(text: &str, campus: impl Fn(&str) -> Option<String>, today: NaiveDate) -> Result<Vec<ImportedHousehold>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut households: Vec<ImportedHousehold> = Vec::new();
    let mut by_key: HashMap<(String, Address), usize> = HashMap::new();
    let mut phones: HashMap<Phone, usize> = HashMap::new();
    let mut docs: HashMap<String, usize> = HashMap::new();
    let err = |row: usize, field: &str, msg: Msg| RowError { row, field: field.to_owned(), msg };
    let text_msg = |e: FieldError| if e == FieldError::Empty { Msg::ErrRequired } else { Msg::ErrTooLong };
    for (i, rec) in reader(text).records().enumerate() {
        let line = i + 1;
        let Ok(rec) = rec else {
            errors.push(err(line, "", Msg::ErrCsvColumns));
            continue;
        };
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if line == 1 {
            let ok = rec.len() == HEADERS.len() && rec.iter().zip(HEADERS).all(|(h, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h)));
            if !ok {
                return Err(vec![err(1, "", Msg::ErrHouseholdCsvHeader)]);
            }
            continue;
        }
        if rec.len() != HEADERS.len() {
            errors.push(err(line, "", Msg::ErrCsvColumns));
            continue;
        }
        let before = errors.len();
        let campus_id = if rec[0].is_empty() {
            errors.push(err(line, "campus", Msg::ErrRequired));
            None
        } else {
            let c = campus(&rec[0]);
            if c.is_none() {
                errors.push(err(line, "campus", Msg::ErrUnknownCampus));
            }
            c
        };
        let address =
            Address::parse(&rec[1], &rec[2], &rec[3]).map_err(|wrong| errors.extend(wrong.into_iter().map(|(f, e)| err(line, f, text_msg(e))))).ok();
        let name = short_text(&rec[4], NAME_MAX).map_err(|e| errors.push(err(line, "name", text_msg(e)))).ok();
        let phone = Phone::parse(&rec[5])
            .map_err(|e| errors.push(err(line, "phone", if e == crate::phone::PhoneError::Empty { Msg::ErrRequired } else { Msg::ErrPhoneInvalid })))
            .ok();
        let doc = match doc_type_cell(&rec[6]) {
            None => {
                errors.push(err(line, "doc_type", Msg::ErrDocTypeUnknown));
                None
            }
            Some(t) => DocumentNumber::parse(t, &rec[7], today).map_err(|e| errors.push(err(line, "doc_number", e.msg()))).ok(),
        };
        let householder = yes_no(&rec[8]).ok_or_else(|| errors.push(err(line, "householder", Msg::ErrYesNo))).ok();
        let paper_pass = yes_no(&rec[9]).ok_or_else(|| errors.push(err(line, "paper_pass", Msg::ErrYesNo))).ok();
        if let Some(p) = &phone
            && phones.insert(p.clone(), line).is_some()
        {
            errors.push(err(line, "phone", Msg::ErrCsvMobileTwice));
        }
        if let Some(d) = &doc
            && docs.insert(d.claim_text(), line).is_some()
        {
            errors.push(err(line, "doc_number", Msg::ErrCsvDocumentTwice));
        }
        if errors.len() > before {
            continue;
        }
        let (Some(campus_id), Some(address), Some(name), Some(phone), Some(doc), Some(householder), Some(paper_pass)) =
            (campus_id, address, name, phone, doc, householder, paper_pass)
        else {
            continue;
        };
        let member = ImportedMember { line, name, phone, doc, householder };
        match by_key.get(&(campus_id.clone(), address.clone())) {
            Some(&at) => {
                let h = &mut households[at];
                if h.paper_pass != paper_pass {
                    errors.push(err(line, "paper_pass", Msg::ErrCsvPaperPassDiffers));
                }
                if householder && h.householder().is_some() {
                    errors.push(err(line, "householder", Msg::ErrCsvTwoHouseholders));
                }
                h.members.push(member);
            }
            None => {
                by_key.insert((campus_id.clone(), address.clone()), households.len());
                households.push(ImportedHousehold { line, campus_id, address, paper_pass, members: vec![member] });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if households.is_empty() {
        return Err(vec![err(1, "", Msg::ErrCsvEmpty)]);
    }
    Ok(households)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn campus(s: &str) -> Option<String> {
        match s {
            "主校区" | "Main Campus" => Some("c-main".into()),
            "东校区" => Some("c-east".into()),
            _ => None,
        }
    }

    /// A valid resident ID number born 1990-03-07 with sequence `seq`.
    fn id(seq: u32) -> String {
        let first17 = format!("11010119900307{seq:03}");
        format!("{first17}{}", crate::id_number::check_char(first17.as_bytes()) as char)
    }

    const HEADER: &str = "校区,小区,楼栋,门牌,姓名,手机,证件类型,证件号码,户主,纸质通行证\n";

    #[test]
    fn rows_of_one_door_make_one_household_in_file_order() {
        let text = format!(
            "\u{feff}{HEADER}主校区,教工宿舍,5栋,302,吴芳,13900139000,居民身份证,{},是,否\n\
             主校区,教工宿舍,5栋,302,陈小明,139 0013 9001,护照,e1234 5678,否,否\n\
             东校区,东苑,3栋,201,何伟,13900139004,,{},是,是\n\
             Main Campus, 教工宿舍 ,5栋,302,陈小红,13900139005,其他,HK1234567,,\n",
            id(1),
            id(4)
        );
        let text = crate::csv_file::decode(text.as_bytes()).unwrap();
        let hs = parse(&text, campus, today()).unwrap();
        assert_eq!(hs.len(), 2);
        assert_eq!((hs[0].line, hs[0].campus_id.as_str(), hs[0].address.label()), (2, "c-main", "教工宿舍 5栋 302".to_owned()));
        assert_eq!(hs[0].members.len(), 3);
        assert_eq!(hs[0].householder().map(|m| m.name.as_str()), Some("吴芳"));
        assert_eq!(hs[0].members[1].phone.as_str(), "13900139001");
        assert_eq!(hs[0].members[1].doc.claim_text(), "document:E12345678");
        assert_eq!(hs[0].members[2].doc.doc_type, DocType::Other);
        assert!(!hs[0].paper_pass);
        assert_eq!(hs[1].members[0].doc.doc_type, DocType::ResidentId, "an empty type is a resident ID");
        assert!(hs[1].paper_pass);
    }

    #[test]
    fn a_gbk_file_from_excel_parses() {
        let text = format!("{HEADER}主校区,紫荆园,1号楼,1203,林秀英,13900139003,身份证,{},是,是\n", id(3));
        let (bytes, _, _) = encoding_rs::GBK.encode(&text);
        let hs = parse(&crate::csv_file::decode(&bytes).unwrap(), campus, today()).unwrap();
        assert_eq!(hs[0].members[0].name, "林秀英");
        assert_eq!(hs[0].address.community, "紫荆园");
    }

    #[test]
    fn english_headers_are_accepted() {
        let text = format!(
            "campus,community,building,door,name,mobile,doc_type,doc_number,householder,paper_pass\n主校区,A,1,101,张三,13900000001,resident_id,{},yes,no\n",
            id(9)
        );
        assert_eq!(parse(&text, campus, today()).unwrap().len(), 1);
    }

    #[test]
    fn every_bad_row_is_reported_and_none_returned() {
        let text = format!(
            "{HEADER}\
             北校区,A,1,101,张三,13900000001,身份证,{a},是,否\n\
             主校区,,1,101,李四,123,身份证,110101199003078671,是,否\n\
             主校区,A,1,102,,13900000003,驾照,X1,是,也许\n\
             主校区,A,1,103,王五,13900000004,身份证,{b},是,否\n\
             主校区,A,1,103,赵六,13900000004,身份证,{b},是,是\n\
             主校区,A,1,104\n",
            a = id(1),
            b = id(2)
        );
        let errs = parse(&text, campus, today()).unwrap_err();
        let got: Vec<(usize, &str, Msg)> = errs.iter().map(|e| (e.row, e.field.as_str(), e.msg)).collect();
        assert_eq!(
            got,
            vec![
                (2, "campus", Msg::ErrUnknownCampus),
                (3, "community", Msg::ErrRequired),
                (3, "phone", Msg::ErrPhoneInvalid),
                (3, "doc_number", Msg::ErrIdNumber),
                (4, "name", Msg::ErrRequired),
                (4, "doc_type", Msg::ErrDocTypeUnknown),
                (4, "paper_pass", Msg::ErrYesNo),
                (6, "phone", Msg::ErrCsvMobileTwice),
                (6, "doc_number", Msg::ErrCsvDocumentTwice),
                (7, "", Msg::ErrCsvColumns),
            ]
        );
    }

    #[test]
    fn one_householder_and_one_paper_pass_mark_per_household() {
        let text =
            format!("{HEADER}主校区,A,1,101,张三,13900000001,身份证,{},是,否\n主校区,A,1,101,李四,13900000002,身份证,{},是,是\n", id(1), id(2));
        let errs = parse(&text, campus, today()).unwrap_err();
        let got: Vec<(usize, &str, Msg)> = errs.iter().map(|e| (e.row, e.field.as_str(), e.msg)).collect();
        assert_eq!(got, vec![(3, "paper_pass", Msg::ErrCsvPaperPassDiffers), (3, "householder", Msg::ErrCsvTwoHouseholders)]);
    }

    #[test]
    fn wrong_header_or_empty_file() {
        assert_eq!(
            parse("工号,姓名,部门\nT1,x,CS\n", campus, today()).unwrap_err(),
            vec![RowError { row: 1, field: String::new(), msg: Msg::ErrHouseholdCsvHeader }]
        );
        assert_eq!(parse(HEADER, campus, today()).unwrap_err()[0].msg, Msg::ErrCsvEmpty);
        assert_eq!(parse(&format!("{HEADER}\n,,,,,,,,,\n"), campus, today()).unwrap_err()[0].msg, Msg::ErrCsvEmpty);
    }

    #[test]
    fn document_type_cells() {
        assert_eq!(doc_type_cell("居民身份证"), Some(DocType::ResidentId));
        assert_eq!(doc_type_cell(" Passport "), Some(DocType::Passport));
        assert_eq!(doc_type_cell("港澳居民来往内地通行证"), Some(DocType::Other));
        assert_eq!(doc_type_cell("其他证件"), Some(DocType::Other));
        assert_eq!(doc_type_cell("驾照"), None);
    }
}
