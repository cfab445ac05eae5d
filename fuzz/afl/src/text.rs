//! What a person types: a document number of each type, a mobile, a
//! plate; and a sign-in's `next` link.
use domain::document::{DocType, DocumentNumber};
use domain::{Phone, Plate, site_path};

fn main() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = std::str::from_utf8(data) {
            for d in DocType::ALL {
                if let Ok(doc) = DocumentNumber::parse(d, text, today) {
                    let _ = (doc.masked(), doc.claim_text());
                }
            }
            if let Ok(p) = Phone::parse(text) {
                let _ = p.masked();
            }
            if let Ok(p) = Plate::parse(text) {
                let _ = p.masked();
            }
            if let Some(path) = site_path::safe_next(text) {
                assert!(path.starts_with('/') && !path.starts_with("//"), "{path:?} leaves the site");
            }
        }
    });
}
