//! An uploaded CSV file (UTF-8 or GBK): the household and staff imports.
use domain::{csv_file, household_import, staff_import};

fn main() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = csv_file::decode(data) {
            let _ = household_import::parse(&text, |c| (c == "主校区").then(|| "c1".to_owned()), today);
            let _ = staff_import::parse(&text, |d| (!d.is_empty()).then(|| "d1".to_owned()));
        }
    });
}
