//! Hostile input: everything a stranger can hand the system (a scanned QR,
//! a typed ID number, mobile or plate, a `next` link, an uploaded CSV, a
//! device's JSON) goes through these parsers. Whatever it is, they answer
//! (a value or an error) and never panic.
//!
//! The test command runs each with proptest's default cases; the campaign
//! (`scripts/fuzz.sh`) runs millions: `PROPTEST_CASES=1000000`.
#![cfg(feature = "import")]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use domain::document::{DocType, DocumentNumber};
use domain::gate::Direction;
use domain::pass_token::{self, PublicKey};
use domain::roster::{LocalRoster, Roster};
use domain::{Phone, Plate, csv_file, household_import, site_path, staff_import};
use ed25519_dalek::{Signer, SigningKey};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn key() -> SigningKey {
    SigningKey::from_bytes(&[9u8; 32])
}

fn public() -> PublicKey {
    PublicKey { kid: "k1".into(), x: URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes()) }
}

/// A token signed with the real key over a header and claims that may be
/// anything: a signature that checks must not make the parser trust junk.
fn signed(header: &[u8], claims: &[u8]) -> String {
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(claims));
    let sig = key().sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// JSON-ish text: the shapes a parser expects, with wrong types, huge
/// numbers and stray bytes mixed in.
fn jsonish() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        "\"[a-z0-9:/._-]{0,12}\"",
        Just("\"\\ud800\"".to_owned()),
        Just("1e400".to_owned()),
        Just("-9223372036854775809".to_owned()),
    ];
    let keys = prop_oneof![
        Just("alg"),
        Just("kid"),
        Just("typ"),
        Just("pid"),
        Just("knd"),
        Just("cmp"),
        Just("nbf"),
        Just("exp"),
        Just("su"),
        Just("x"),
        Just("y")
    ];
    prop::collection::vec((keys, leaf), 0..9)
        .prop_map(|fields| format!("{{{}}}", fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect::<Vec<_>>().join(",")))
}

/// CSV-ish text: cells from the file's own vocabulary, quotes, separators
/// and line ends in any order.
fn csvish() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        Just("校区".to_owned()),
        Just("小区".to_owned()),
        Just("楼栋".to_owned()),
        Just("门牌".to_owned()),
        Just("姓名".to_owned()),
        Just("手机".to_owned()),
        Just("证件类型".to_owned()),
        Just("证件号".to_owned()),
        Just("户主".to_owned()),
        Just("纸质通行证".to_owned()),
        Just("工号".to_owned()),
        Just("部门".to_owned()),
        Just("主校区".to_owned()),
        Just("是".to_owned()),
        Just("否".to_owned()),
        Just("身份证".to_owned()),
        Just("13900139000".to_owned()),
        Just("110101199003070014".to_owned()),
        Just("\"".to_owned()),
        Just("=cmd|' /C calc'!A0".to_owned()),
        ".{0,8}",
    ];
    let sep = prop_oneof![Just(","), Just(",,"), Just("\n"), Just("\r\n"), Just("\r"), Just("\""), Just("\t")];
    prop::collection::vec((cell, sep), 0..40).prop_map(|parts| parts.into_iter().map(|(c, s)| format!("{c}{s}")).collect())
}

proptest! {
    #[test]
    fn a_scanned_text_is_a_token_or_an_error(text in ".{0,300}") {
        let token = pass_token::token_from_scan(&text);
        let _ = pass_token::header(token);
        let _ = pass_token::verify(token, &[public()], 1_500);
    }

    #[test]
    fn a_validly_signed_token_of_junk_is_refused_or_read_never_a_panic(header in jsonish(), claims in jsonish()) {
        let t = signed(header.as_bytes(), claims.as_bytes());
        let _ = pass_token::header(&t);
        let _ = pass_token::verify(&t, &[public()], 1_500);
    }

    #[test]
    fn three_segments_of_any_bytes(a in prop::collection::vec(any::<u8>(), 0..200), b in prop::collection::vec(any::<u8>(), 0..200), c in prop::collection::vec(any::<u8>(), 0..90)) {
        let t = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(&a), URL_SAFE_NO_PAD.encode(&b), URL_SAFE_NO_PAD.encode(&c));
        let _ = pass_token::verify(&t, &[public()], 1_500);
        let _ = pass_token::verify(&format!("https://pass.example.edu.cn/s#t={t}"), &[public()], 1_500);
    }

    #[test]
    fn typed_documents_mobiles_and_plates(text in ".{0,40}", digits in "[0-9Xx]{0,20}") {
        for t in [&text, &digits] {
            for d in DocType::ALL {
                if let Ok(doc) = DocumentNumber::parse(d, t, today()) {
                    let _ = (doc.masked(), doc.claim_text());
                }
            }
            if let Ok(p) = Phone::parse(t) { let _ = p.masked(); }
            if let Ok(p) = Plate::parse(t) { let _ = p.masked(); }
        }
    }

    #[test]
    fn a_next_link_is_this_site_or_nothing(next in ".{0,80}") {
        if let Some(path) = site_path::safe_next(&next) {
            prop_assert!(path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\"), "{:?}", path);
        }
    }

    #[test]
    fn an_uploaded_file_of_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        if let Ok(text) = csv_file::decode(&bytes) {
            let _ = household_import::parse(&text, |c| (c == "主校区").then(|| "c1".to_owned()), today());
            let _ = staff_import::parse(&text, |d| (!d.is_empty()).then(|| "d1".to_owned()));
        }
    }

    #[test]
    fn an_uploaded_csv_of_the_files_own_words(text in csvish()) {
        let _ = household_import::parse(&text, |c| (c == "主校区").then(|| "c1".to_owned()), today());
        let _ = staff_import::parse(&text, |d| (!d.is_empty()).then(|| "d1".to_owned()));
    }

    #[test]
    fn a_roster_from_the_wire_and_what_the_phone_decides_with_it(json in jsonish(), scanned in ".{0,200}", plate in ".{0,12}") {
        // A roster as a device might receive it (any JSON): refused or read.
        let _ = serde_json::from_str::<Roster>(&json);
        let roster = LocalRoster { keys: vec![public()], ..LocalRoster::default() };
        let _ = roster.verdict_for_qr("g1", Direction::In, &scanned, 1_500);
        let _ = roster.verdict_for_plate("g1", Direction::Out, &plate, 1_500);
    }
}
