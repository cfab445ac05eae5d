//! The offline roster: what a guard's phone or a gate device keeps so it can
//! still give a verdict when the server cannot be reached, and that verdict.
//! Pure: the server builds the roster, the browser (WASM) and devices check
//! against it, and the tests here pin the rules.
//!
//! Offline, a verdict rests on the signature (public keys), the token's time
//! window, the roster's view of the pass (cancelled, already used, which
//! gates) and what this phone itself has spent since its last sync. What the
//! roster cannot know — a pass spent at another offline gate a minute ago —
//! surfaces as a conflict when the events are synced.

use super::gate::{Direction, Found, GateFacts, PassFacts, Reason, Standing, VehicleGates, decide, pass_named_by_qr};
use super::pass_token::PublicKey;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A pass as an offline roster lists it: a masked name, never a phone or
/// document number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterPass {
    pub pid: String,
    /// The holder's name with all but the first character hidden; a
    /// vehicle's plate in full (plate cameras read it anyway).
    pub holder: String,
    pub kind: String,
    pub vehicle: bool,
    /// The visit reason is official (any vehicle gate, no parking fee).
    pub official: bool,
    pub allowed_vehicle_gates: Vec<String>,
    pub single_use: bool,
    pub used: bool,
    /// Milliseconds since the epoch.
    pub valid_from: i64,
    pub valid_until: i64,
    /// The validity as the guard reads it, in campus time.
    #[serde(default)]
    pub valid_text: String,
    /// Which document the guard checks beside the QR: `resident_id`,
    /// `passport`, `other` or `vehicle`.
    #[serde(default)]
    pub check_document: String,
    /// A temporary person's category, department and number (seed 003).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A pass's kind as the roster, a verdict, the pass page and the device API
/// name it: `vehicle` for a car's pass, else the kind's code without its
/// underscores (`visitor`, `staffwork`): the wire's spelling from before
/// the tables took `PassKind::code`, kept for devices and cached rosters.
pub fn kind_on_wire(kind_code: &str, vehicle: bool) -> String {
    if vehicle { "vehicle".to_owned() } else { kind_code.replace('_', "") }
}

/// The kind a wire spelling names; `None` for a car's pass or an unknown word.
pub fn kind_from_wire(wire: &str) -> Option<crate::policy::PassKind> {
    crate::policy::PassKind::ALL.into_iter().find(|k| kind_on_wire(k.code(), false) == wire)
}

impl RosterPass {
    /// The pass's facts as the phone knows them: the roster lists only its
    /// campus's passes, and withdrawn ones by id alone (so the standing of a
    /// listed pass is good); `spent_here` is a local admission not yet synced.
    pub fn facts(&self, campus_id: &str, spent_here: bool) -> PassFacts {
        let vehicle = self.vehicle.then(|| VehicleGates { official: self.official, allowed: self.allowed_vehicle_gates.clone() });
        PassFacts::new(campus_id, (self.valid_from, self.valid_until), vehicle, self.single_use && (self.used || spent_here), Standing::Good)
    }
}

/// The roster of one campus, as `GET /api/gate/v1/roster` and the
/// scanner page receive it. With `since`, only what changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roster {
    pub campus_id: String,
    /// Server time of this roster (ms): the next delta asks `since` it.
    pub generated_at: i64,
    /// True when `since` was given: merge into what you have.
    #[serde(default)]
    pub delta: bool,
    pub keys: Vec<PublicKey>,
    #[serde(default)]
    pub gates: Vec<GateFacts>,
    pub passes: Vec<RosterPass>,
    /// Passes that must no longer let anyone in (cancelled, or a holder or
    /// plate put on the blacklist).
    pub cancelled: Vec<String>,
}

/// What a phone keeps between syncs: the merged roster, and the single-use
/// passes it has admitted itself since.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LocalRoster {
    pub campus_id: String,
    pub synced_at: i64,
    pub keys: Vec<PublicKey>,
    pub gates: Vec<GateFacts>,
    pub passes: HashMap<String, RosterPass>,
    pub cancelled: HashSet<String>,
    /// Single-use passes this phone let in while offline.
    pub spent: HashSet<String>,
}

impl LocalRoster {
    /// Takes in a roster from the server: a full one replaces what was
    /// known (keeping local spends), a delta is merged. Passes already over
    /// are dropped, so the roster never grows past a day's worth.
    pub fn merge(&mut self, r: Roster, now_ms: i64) {
        if !r.delta || self.campus_id != r.campus_id {
            self.passes.clear();
            self.cancelled.clear();
            self.campus_id = r.campus_id.clone();
        }
        self.synced_at = r.generated_at;
        self.keys = r.keys;
        if !r.gates.is_empty() || !r.delta {
            self.gates = r.gates;
        }
        for id in r.cancelled {
            self.passes.remove(&id);
            self.cancelled.insert(id);
        }
        for p in r.passes {
            self.cancelled.remove(&p.pid);
            if p.used {
                // The server has it now; no need to remember it locally.
                self.spent.remove(&p.pid);
            }
            self.passes.insert(p.pid.clone(), p);
        }
        self.passes.retain(|_, p| p.valid_until > now_ms);
        let passes = &self.passes;
        self.spent.retain(|id| passes.contains_key(id));
    }

    pub fn gate(&self, gate_id: &str) -> Option<&GateFacts> {
        self.gates.iter().find(|g| g.id == gate_id)
    }

    /// The verdict for scanned QR text at a gate, decided here alone with
    /// the server's own rule (`gate::pass_named_by_qr`, then `gate::decide`).
    /// Returns the pass the roster knows, for the guard to see.
    pub fn verdict_for_qr(&self, gate_id: &str, direction: Direction, scanned: &str, now_ms: i64) -> (Reason, Option<&RosterPass>) {
        let Some(gate) = self.gate(gate_id) else { return (Reason::GateInactive, None) };
        match pass_named_by_qr(scanned, &self.keys, gate, now_ms) {
            Ok(pid) => self.verdict_for_pass(gate, direction, &pid, now_ms),
            Err(reason) => (reason, None),
        }
    }

    /// The verdict for a pass id a QR named (its token already verified by
    /// `gate::pass_named_by_qr`): the second half of `verdict_for_qr`.
    pub fn verdict_for_pid(&self, gate_id: &str, direction: Direction, pid: &str, now_ms: i64) -> (Reason, Option<&RosterPass>) {
        let Some(gate) = self.gate(gate_id) else { return (Reason::GateInactive, None) };
        self.verdict_for_pass(gate, direction, pid, now_ms)
    }

    /// The verdict for a plate read at a vehicle gate (a plate camera's
    /// question, or the guard typing it in).
    pub fn verdict_for_plate(&self, gate_id: &str, direction: Direction, plate: &str, now_ms: i64) -> (Reason, Option<&RosterPass>) {
        let Some(gate) = self.gate(gate_id) else { return (Reason::GateInactive, None) };
        let found = self
            .passes
            .values()
            .filter(|p| p.vehicle && p.holder == plate && p.valid_from <= now_ms && now_ms < p.valid_until)
            .min_by_key(|p| p.valid_until);
        match found {
            Some(p) => self.verdict_for_pass(gate, direction, &p.pid.clone(), now_ms),
            None => (Reason::NoPass, None),
        }
    }

    fn verdict_for_pass(&self, gate: &GateFacts, direction: Direction, pid: &str, now_ms: i64) -> (Reason, Option<&RosterPass>) {
        if self.cancelled.contains(pid) {
            return (decide(gate, Found::Withdrawn, direction, now_ms), None);
        }
        let Some(p) = self.passes.get(pid) else { return (decide(gate, Found::Unknown, direction, now_ms), None) };
        let facts = p.facts(&self.campus_id, self.spent.contains(pid));
        (decide(gate, Found::Pass(&facts), direction, now_ms), Some(p))
    }

    /// Records an offline admission: a single-use pass is spent here.
    pub fn admitted(&mut self, pid: &str, direction: Direction) {
        if direction == Direction::In && self.passes.get(pid).is_some_and(|p| p.single_use) {
            self.spent.insert(pid.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_keeps_its_spelling_of_kinds_and_names_a_car_vehicle() {
        use crate::policy::PassKind;
        assert_eq!(kind_on_wire(PassKind::StaffWork.code(), false), "staffwork");
        assert_eq!(kind_on_wire(PassKind::Visitor.code(), true), "vehicle");
        for k in PassKind::ALL {
            assert_eq!(kind_from_wire(&kind_on_wire(k.code(), false)), Some(k));
        }
        assert_eq!(kind_from_wire("vehicle"), None);
    }
    use crate::gate::{GateDirection, GateKind};
    use crate::pass_token;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use ed25519_dalek::Signer;
    use proptest::prelude::*;

    const CAMPUS: &str = "0190aaaa-0000-7000-8000-00000000c0de";
    const DAY: i64 = 86_400_000;
    const NOW: i64 = 1_800_000_000_000;

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[3u8; 32])
    }

    fn token(pid: &str, campus: &str, nbf: i64, exp: i64) -> String {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"k1"}"#);
        let claims = pass_token::PassClaims { pid: pid.into(), knd: "v".into(), cmp: pass_token::campus_code(campus), nbf, exp, su: false };
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        let sig = key().sign(format!("{h}.{p}").as_bytes());
        format!("https://pass.example.edu.cn/s#t={h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    fn pass(pid: &str) -> RosterPass {
        RosterPass {
            pid: pid.into(),
            holder: "李*".into(),
            kind: "visitor".into(),
            vehicle: false,
            official: false,
            allowed_vehicle_gates: vec![],
            single_use: false,
            used: false,
            valid_from: NOW - DAY / 2,
            valid_until: NOW + DAY / 2,
            valid_text: String::new(),
            check_document: "resident_id".into(),
            note: String::new(),
        }
    }

    fn gate(id: &str, kind: GateKind, direction: GateDirection) -> GateFacts {
        GateFacts { id: id.into(), campus_id: CAMPUS.into(), kind, direction, active: true }
    }

    fn roster(passes: Vec<RosterPass>) -> LocalRoster {
        let mut r = LocalRoster::default();
        r.merge(
            Roster {
                campus_id: CAMPUS.into(),
                generated_at: NOW - 60_000,
                delta: false,
                keys: vec![PublicKey { kid: "k1".into(), x: URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes()) }],
                gates: vec![gate("south", GateKind::Pedestrian, GateDirection::Both), gate("car", GateKind::Vehicle, GateDirection::Entry)],
                passes,
                cancelled: vec![],
            },
            NOW,
        );
        r
    }

    fn now_s() -> i64 {
        NOW / 1000
    }

    #[test]
    fn a_known_pass_with_a_good_signature_is_let_in_offline() {
        let r = roster(vec![pass("p1")]);
        let (reason, p) = r.verdict_for_qr("south", Direction::In, &token("p1", CAMPUS, now_s() - 10, now_s() + 3600), NOW);
        assert_eq!(reason, Reason::Ok);
        assert_eq!(p.unwrap().holder, "李*");
    }

    #[test]
    fn each_offline_refusal_has_its_reason() {
        let mut r =
            roster(vec![pass("p1"), RosterPass { single_use: true, ..pass("su") }, RosterPass { valid_from: NOW + DAY / 4, ..pass("later") }]);
        let ok = |pid: &str| token(pid, CAMPUS, now_s() - 10, now_s() + 3600);
        assert_eq!(r.verdict_for_qr("south", Direction::In, "not a pass", NOW).0, Reason::Malformed);
        assert_eq!(r.verdict_for_qr("south", Direction::In, &token("p1", CAMPUS, now_s() - 7200, now_s() - 3600), NOW).0, Reason::Expired);
        assert_eq!(r.verdict_for_qr("south", Direction::In, &token("p1", CAMPUS, now_s() + 3600, now_s() + 7200), NOW).0, Reason::NotYetValid);
        assert_eq!(
            r.verdict_for_qr("south", Direction::In, &token("p1", "0190aaaa-0000-7000-8000-0000000other", now_s(), now_s() + 60), NOW).0,
            Reason::WrongCampus
        );
        assert_eq!(r.verdict_for_qr("south", Direction::In, &ok("nobody"), NOW).0, Reason::UnknownPass);
        assert_eq!(r.verdict_for_qr("nowhere", Direction::In, &ok("p1"), NOW).0, Reason::GateInactive);
        assert_eq!(r.verdict_for_qr("car", Direction::In, &ok("p1"), NOW).0, Reason::WrongGateKind);
        assert_eq!(r.verdict_for_qr("south", Direction::In, &ok("later"), NOW).0, Reason::NotYetValid, "the pass's own window counts too");
        // A single-use pass: in once, then refused on this phone.
        assert_eq!(r.verdict_for_qr("south", Direction::In, &ok("su"), NOW).0, Reason::Ok);
        r.admitted("su", Direction::In);
        assert_eq!(r.verdict_for_qr("south", Direction::In, &ok("su"), NOW).0, Reason::AlreadyUsed);
        assert_eq!(r.verdict_for_qr("south", Direction::Out, &ok("su"), NOW).0, Reason::Ok, "leaving is always allowed");
        // A forged signature.
        let mut bad = ok("p1");
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(r.verdict_for_qr("south", Direction::In, &bad, NOW).0, Reason::BadSignature);
    }

    #[test]
    fn a_delta_cancels_adds_and_a_full_roster_replaces() {
        let mut r = roster(vec![pass("p1"), pass("p2")]);
        let keys = r.keys.clone();
        let delta = |passes, cancelled| Roster {
            campus_id: CAMPUS.into(),
            generated_at: NOW,
            delta: true,
            keys: keys.clone(),
            gates: vec![],
            passes,
            cancelled,
        };
        r.merge(delta(vec![pass("p3")], vec!["p1".into()]), NOW);
        assert_eq!(r.verdict_for_qr("south", Direction::In, &token("p1", CAMPUS, now_s(), now_s() + 60), NOW).0, Reason::Cancelled);
        assert!(r.passes.contains_key("p2") && r.passes.contains_key("p3"));
        assert_eq!(r.gates.len(), 2, "a delta without gates keeps them");
        // Passes that are over drop out.
        r.merge(delta(vec![RosterPass { valid_until: NOW - 1, ..pass("old") }], vec![]), NOW);
        assert!(!r.passes.contains_key("old"));
        // A full roster replaces the passes.
        r.merge(Roster { delta: false, gates: r.gates.clone(), ..delta(vec![pass("p9")], vec![]) }, NOW);
        assert_eq!(r.passes.keys().collect::<Vec<_>>(), vec!["p9"]);
        assert!(r.cancelled.is_empty());
    }

    #[test]
    fn a_spend_is_forgotten_once_the_server_knows_it() {
        let mut r = roster(vec![RosterPass { single_use: true, ..pass("su") }]);
        r.admitted("su", Direction::In);
        assert!(r.spent.contains("su"));
        let keys = r.keys.clone();
        r.merge(
            Roster {
                campus_id: CAMPUS.into(),
                generated_at: NOW,
                delta: true,
                keys,
                gates: vec![],
                passes: vec![RosterPass { single_use: true, used: true, ..pass("su") }],
                cancelled: vec![],
            },
            NOW,
        );
        assert!(r.spent.is_empty());
        assert_eq!(r.verdict_for_qr("south", Direction::In, &token("su", CAMPUS, now_s(), now_s() + 60), NOW).0, Reason::AlreadyUsed);
    }

    #[test]
    fn plates_are_looked_up_at_vehicle_gates() {
        let car = RosterPass {
            vehicle: true,
            holder: "京A12345".into(),
            official: false,
            allowed_vehicle_gates: vec!["car".into()],
            check_document: "vehicle".into(),
            ..pass("v1")
        };
        let r = roster(vec![car]);
        assert_eq!(r.verdict_for_plate("car", Direction::In, "京A12345", NOW).0, Reason::Ok);
        assert_eq!(r.verdict_for_plate("car", Direction::In, "京B12345", NOW).0, Reason::NoPass);
        assert_eq!(r.verdict_for_plate("south", Direction::In, "京A12345", NOW).0, Reason::WrongGateKind);
    }

    proptest! {
        /// Whatever the roster holds, a pass it does not list, or lists as
        /// cancelled, is never let in offline.
        #[test]
        fn unlisted_or_cancelled_passes_never_get_in(listed in proptest::collection::vec("[a-z]{1,4}", 0..8), pid in "[a-z]{1,4}", cancel in any::<bool>()) {
            let mut r = roster(listed.iter().map(|p| pass(p)).collect());
            if cancel {
                let keys = r.keys.clone();
                r.merge(Roster { campus_id: CAMPUS.into(), generated_at: NOW, delta: true, keys, gates: vec![], passes: vec![], cancelled: vec![pid.clone()] }, NOW);
            }
            let (reason, _) = r.verdict_for_qr("south", Direction::In, &token(&pid, CAMPUS, now_s() - 1, now_s() + 60), NOW);
            if cancel || !listed.contains(&pid) {
                prop_assert_ne!(reason, Reason::Ok);
            } else {
                prop_assert_eq!(reason, Reason::Ok);
            }
        }
    }
}
