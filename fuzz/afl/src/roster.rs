//! A roster as a gate phone receives it, and a verdict from it.
use domain::gate::Direction;
use domain::roster::{LocalRoster, Roster};

fn main() {
    afl::fuzz!(|data: &[u8]| {
        if let Ok(r) = serde_json::from_slice::<Roster>(data) {
            let mut local = LocalRoster::default();
            local.merge(r, 1_764_720_000_000);
            let _ = local.verdict_for_qr("g1", Direction::In, "https://pass.example.edu.cn/s#t=a.b.c", 1_764_720_000_000);
            let _ = local.verdict_for_plate("g1", Direction::Out, "京A12345", 1_764_720_000_000);
        }
    });
}
