//! The one verdict rule, checked across a table: every combination of a
//! pass's facts, a gate, a direction and a moment goes once through the
//! server's path (the row `SCAN_CONTEXT` reads, `pass_named_by_qr`,
//! `verdict_for`) and once through the phone's (the row the roster query
//! reads, `roster_entry`, `LocalRoster::verdict_for_qr`), from the same
//! facts and the same signed token, and must give the same reason. The one
//! deliberate difference: a blacklisted pass reaches the phone as a
//! withdrawn id (the phone is not told who is blacklisted), so offline it
//! is "cancelled".

use super::scan_context::{ScanContextRow, verdict_for};
use super::sync::{RosterRow, roster_entry};
use super::token::claims_for;
use crate::domain::gate::{Direction, GateDirection, GateFacts, GateKind, Reason, pass_named_by_qr};
use crate::domain::pass_token::PublicKey;
use crate::domain::roster::{LocalRoster, Roster};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer;

const CAMPUS: &str = "0190aaaa-0000-7000-8000-00000000c0de";
const OTHER_CAMPUS: &str = "0190aaaa-0000-7000-8000-0000000other";
const HOUR: i64 = 3_600_000;
const FROM: i64 = 1_800_000_000_000;
const UNTIL: i64 = FROM + 8 * HOUR;

/// One row of the table: what the database knows about a pass.
#[derive(Clone, Debug)]
struct Facts {
    campus_id: &'static str,
    vehicle: bool,
    official: bool,
    listed_gates: &'static [&'static str],
    single_use: bool,
    used: bool,
    cancelled: bool,
    blacklisted: bool,
}

impl Facts {
    fn online(&self) -> ScanContextRow {
        ScanContextRow {
            id: "p1".into(),
            application_id: "a1".into(),
            entrant_id: (!self.vehicle).then(|| "e1".into()),
            kind: if self.vehicle { "vehicle".into() } else { "visitor".into() },
            vehicle: self.vehicle as i64,
            holder: if self.vehicle { "京A12345".into() } else { "李雷".into() },
            campus_id: self.campus_id.into(),
            valid_from: FROM,
            valid_until: UNTIL,
            single_use: self.single_use as i64,
            used_at: self.used.then_some(FROM + 1),
            cancelled_at: self.cancelled.then_some(FROM + 2),
            category: if self.official { "official".into() } else { "private".into() },
            vehicle_gates: serde_json::to_string(self.listed_gates).unwrap(),
            free_minutes: 30,
            cents_per_hour: 500,
            daily_cap_cents: 3000,
            doc_type: (!self.vehicle).then(|| "resident_id".into()),
            doc_masked: None,
            check_document: String::new(),
            has_photo: 0,
            blacklisted: self.blacklisted as i64,
            holder_note: String::new(),
        }
    }

    /// The same pass as the roster query returns it.
    fn offline(&self) -> RosterRow {
        let o = self.online();
        RosterRow {
            id: o.id,
            holder: o.holder,
            kind: o.kind,
            vehicle: o.vehicle,
            single_use: o.single_use,
            used_at: o.used_at.unwrap_or(0),
            valid_from: o.valid_from,
            valid_until: o.valid_until,
            category: o.category,
            vehicle_gates: o.vehicle_gates,
            cancelled: o.cancelled_at.is_some() as i64,
            doc_type: o.doc_type,
            check_document: o.check_document,
            blacklisted: o.blacklisted,
            holder_note: o.holder_note,
        }
    }
}

fn key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&[5u8; 32])
}

fn keys() -> Vec<PublicKey> {
    vec![PublicKey { kid: "k1".into(), x: URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes()) }]
}

/// The QR the pass page would show, issued at the start of the pass.
fn qr(row: &ScanContextRow) -> String {
    let claims = claims_for(&row.pass_row(), FROM);
    let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"k1"}"#);
    let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let sig = key().sign(format!("{h}.{p}").as_bytes());
    format!("https://pass.example.edu.cn/s#t={h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// The server's verdict for the pass a verified QR named: read by id, decided.
fn online(f: &Facts, named: &Result<String, Reason>, gate: &GateFacts, direction: Direction, now: i64) -> Reason {
    let row = f.online();
    match named {
        Err(r) => *r,
        Ok(pid) => verdict_for(Some(&row).filter(|r| &r.id == pid), gate, direction, now),
    }
}

/// The phone's roster of the gate's campus, synced at the start of the pass
/// (a roster lists only its own campus's passes).
fn roster_for(f: &Facts, gate: &GateFacts) -> LocalRoster {
    let (passes, cancelled) = match roster_entry(f.offline(), String::new()) {
        _ if f.campus_id != gate.campus_id => (vec![], vec![]),
        Ok(p) => (vec![p], vec![]),
        Err(id) => (vec![], vec![id]),
    };
    let mut local = LocalRoster::default();
    let roster =
        Roster { campus_id: gate.campus_id.clone(), generated_at: FROM, delta: false, keys: keys(), gates: vec![gate.clone()], passes, cancelled };
    local.merge(roster, FROM);
    local
}

/// The phone's verdict for the same QR: `verdict_for_qr` is
/// `pass_named_by_qr` (the same call as the server's) then `verdict_for_pid`.
fn offline(local: &LocalRoster, named: &Result<String, Reason>, gate: &GateFacts, direction: Direction, now: i64) -> Reason {
    match named {
        Err(r) => *r,
        Ok(pid) => local.verdict_for_pid(&gate.id, direction, pid, now).0,
    }
}

#[test]
fn online_and_offline_give_the_same_reason_for_the_same_facts() {
    // Another campus's pass is refused by its token's campus before anything
    // else is read: one row of it is enough.
    let mut facts = vec![Facts {
        campus_id: OTHER_CAMPUS,
        vehicle: false,
        official: false,
        listed_gates: &[],
        single_use: false,
        used: false,
        cancelled: false,
        blacklisted: false,
    }];
    for (vehicle, official, listed_gates) in
        [(false, false, &[][..]), (true, true, &[][..]), (true, false, &["g-car"][..]), (true, false, &["g-elsewhere"][..])]
    {
        for (single_use, used) in [(false, false), (true, false), (true, true)] {
            for (cancelled, blacklisted) in [(false, false), (true, false), (false, true), (true, true)] {
                facts.push(Facts { campus_id: CAMPUS, vehicle, official, listed_gates, single_use, used, cancelled, blacklisted });
            }
        }
    }
    let mut gates = Vec::new();
    for kind in GateKind::ALL {
        for direction in GateDirection::ALL {
            for active in [true, false] {
                let id = if kind == GateKind::Vehicle { "g-car".to_owned() } else { format!("g-{}-{}-{active}", kind.code(), direction.code()) };
                gates.push(GateFacts { id, campus_id: CAMPUS.into(), kind, direction, active });
            }
        }
    }
    // Before the pass (outside and inside the clock leeway), during it, and after it.
    let moments = [FROM - 2 * HOUR, FROM - 30_000, FROM, FROM + HOUR, UNTIL - 1, UNTIL + 30_000, UNTIL + 2 * HOUR];
    let mut seen = std::collections::HashSet::new();
    let mut cases = 0;
    // The signature is checked once per token and moment (it is slow
    // unoptimised); every 50th case also runs the phone's whole
    // `verdict_for_qr`, signature included.
    for f in &facts {
        let qr = qr(&f.online());
        let named: Vec<Result<String, Reason>> = moments.iter().map(|now| pass_named_by_qr(&qr, &keys(), &gates[0], *now)).collect();
        for gate in &gates {
            let local = roster_for(f, gate);
            for direction in [Direction::In, Direction::Out] {
                for (now, named) in moments.iter().copied().zip(&named) {
                    let on = online(f, named, gate, direction, now);
                    let off = offline(&local, named, gate, direction, now);
                    if cases % 50 == 0 {
                        assert_eq!(local.verdict_for_qr(&gate.id, direction, &qr, now).0, off, "the whole offline path");
                    }
                    let expected_offline = if on == Reason::Blacklisted { Reason::Cancelled } else { on };
                    assert_eq!(off, expected_offline, "{f:?} at {gate:?} going {direction:?} at {now}: online {on:?}, offline {off:?}");
                    seen.insert(on);
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 5_000);
    // The table reaches every reason a QR scan can give.
    for r in [
        Reason::Ok,
        Reason::NotYetValid,
        Reason::Expired,
        Reason::Cancelled,
        Reason::AlreadyUsed,
        Reason::WrongCampus,
        Reason::WrongGateKind,
        Reason::GateNotAllowed,
        Reason::WrongDirection,
        Reason::Blacklisted,
        Reason::GateInactive,
    ] {
        assert!(seen.contains(&r), "{r:?} never reached");
    }
}

/// A pass id the server has never issued, signed with a real key: unknown
/// on both sides, whatever the gate.
#[test]
fn an_unknown_pass_is_unknown_on_both_sides() {
    let ghost = Facts {
        campus_id: CAMPUS,
        vehicle: false,
        official: false,
        listed_gates: &[],
        single_use: false,
        used: false,
        cancelled: false,
        blacklisted: false,
    };
    let token = qr(&ghost.online());
    for active in [true, false] {
        let gate = GateFacts { id: "g1".into(), campus_id: CAMPUS.into(), kind: GateKind::Both, direction: GateDirection::Both, active };
        let on = match pass_named_by_qr(&token, &keys(), &gate, FROM + HOUR) {
            Err(r) => r,
            Ok(_) => verdict_for(None, &gate, Direction::In, FROM + HOUR),
        };
        let mut local = LocalRoster::default();
        local.merge(
            Roster {
                campus_id: CAMPUS.into(),
                generated_at: FROM,
                delta: false,
                keys: keys(),
                gates: vec![gate.clone()],
                passes: vec![],
                cancelled: vec![],
            },
            FROM,
        );
        assert_eq!((on, local.verdict_for_qr("g1", Direction::In, &token, FROM + HOUR).0), (Reason::UnknownPass, Reason::UnknownPass));
    }
}

/// A tampered token and a token from a key nobody published: the one
/// verifier refuses them alike on both sides.
#[test]
fn bad_tokens_are_refused_alike() {
    let f = Facts {
        campus_id: CAMPUS,
        vehicle: false,
        official: false,
        listed_gates: &[],
        single_use: false,
        used: false,
        cancelled: false,
        blacklisted: false,
    };
    let gate = GateFacts { id: "g1".into(), campus_id: CAMPUS.into(), kind: GateKind::Both, direction: GateDirection::Both, active: true };
    let good = qr(&f.online());
    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let mut local = LocalRoster::default();
    let entry = roster_entry(f.offline(), String::new()).unwrap();
    local.merge(
        Roster {
            campus_id: CAMPUS.into(),
            generated_at: FROM,
            delta: false,
            keys: keys(),
            gates: vec![gate.clone()],
            passes: vec![entry],
            cancelled: vec![],
        },
        FROM,
    );
    for (text, want) in [(good.as_str(), Reason::Ok), (tampered.as_str(), Reason::BadSignature), ("hello", Reason::Malformed)] {
        let on = match pass_named_by_qr(text, &keys(), &gate, FROM + HOUR) {
            Err(r) => r,
            Ok(_) => verdict_for(Some(&f.online()), &gate, Direction::In, FROM + HOUR),
        };
        assert_eq!((on, local.verdict_for_qr("g1", Direction::In, text, FROM + HOUR).0), (want, want), "{text}");
    }
}
