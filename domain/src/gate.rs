//! Gates and what a gate lets through: the pure rules of a scan verdict,
//! shared by the server (online) and the guard's browser (offline).
//! (Over 400 lines with the unit tests of the verdict and the parking fee beside their rules.)

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GateKind {
    Pedestrian,
    Vehicle,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GateDirection {
    Both,
    Entry,
    Exit,
}

impl GateKind {
    pub const ALL: [GateKind; 3] = [GateKind::Pedestrian, GateKind::Vehicle, GateKind::Both];
    pub fn code(self) -> &'static str {
        match self {
            GateKind::Pedestrian => "pedestrian",
            GateKind::Vehicle => "vehicle",
            GateKind::Both => "both",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            GateKind::Pedestrian => Msg::GateKindPedestrian,
            GateKind::Vehicle => Msg::GateKindVehicle,
            GateKind::Both => Msg::GateKindBoth,
        }
    }
}

impl GateDirection {
    pub const ALL: [GateDirection; 3] = [GateDirection::Both, GateDirection::Entry, GateDirection::Exit];
    pub fn code(self) -> &'static str {
        match self {
            GateDirection::Both => "both",
            GateDirection::Entry => "entry",
            GateDirection::Exit => "exit",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn label(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            GateDirection::Both => Msg::DirectionBoth,
            GateDirection::Entry => Msg::DirectionEntry,
            GateDirection::Exit => Msg::DirectionExit,
        }
    }
}

/// Which way someone passes a gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub fn code(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// Why a scan was allowed or refused. The codes are stable: gate devices
/// and the scan log use them (documented in the OpenAPI description).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Ok,
    /// Not a pass code of this system.
    Malformed,
    /// Signature, algorithm or key did not verify.
    BadSignature,
    NotYetValid,
    Expired,
    /// Signed by us, but no such pass (or not known to an offline roster).
    UnknownPass,
    Cancelled,
    /// A single-use pass that was already used.
    AlreadyUsed,
    /// The pass is for another campus.
    WrongCampus,
    /// A vehicle at a pedestrian-only gate, or a person at a vehicle-only gate.
    WrongGateKind,
    /// A private visit's vehicle at a vehicle gate not listed for its reason.
    GateNotAllowed,
    /// Leaving through an entry-only gate, or entering through an exit-only one.
    WrongDirection,
    Blacklisted,
    /// A plate or ID number with no valid pass today.
    NoPass,
    /// The gate is switched off.
    GateInactive,
}

impl Reason {
    pub const ALL: [Reason; 15] = [
        Reason::Ok,
        Reason::Malformed,
        Reason::BadSignature,
        Reason::NotYetValid,
        Reason::Expired,
        Reason::UnknownPass,
        Reason::Cancelled,
        Reason::AlreadyUsed,
        Reason::WrongCampus,
        Reason::WrongGateKind,
        Reason::GateNotAllowed,
        Reason::WrongDirection,
        Reason::Blacklisted,
        Reason::NoPass,
        Reason::GateInactive,
    ];

    pub fn code(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn from_token_error(e: super::pass_token::TokenError) -> Reason {
        use super::pass_token::TokenError as T;
        match e {
            T::Malformed => Reason::Malformed,
            T::Algorithm | T::UnknownKey | T::Signature => Reason::BadSignature,
            T::NotYetValid => Reason::NotYetValid,
            T::Expired => Reason::Expired,
        }
    }

    /// The sentence a guard reads (zh-CN / English).
    pub fn msg(self) -> crate::messages::Msg {
        use crate::messages::Msg;
        match self {
            Reason::Ok => Msg::VerdictOk,
            Reason::Malformed => Msg::VerdictMalformed,
            Reason::BadSignature => Msg::VerdictBadSignature,
            Reason::NotYetValid => Msg::VerdictNotYetValid,
            Reason::Expired => Msg::VerdictExpired,
            Reason::UnknownPass => Msg::VerdictUnknownPass,
            Reason::Cancelled => Msg::VerdictCancelled,
            Reason::AlreadyUsed => Msg::VerdictAlreadyUsed,
            Reason::WrongCampus => Msg::VerdictWrongCampus,
            Reason::WrongGateKind => Msg::VerdictWrongGateKind,
            Reason::GateNotAllowed => Msg::VerdictGateNotAllowed,
            Reason::WrongDirection => Msg::VerdictWrongDirection,
            Reason::Blacklisted => Msg::VerdictBlacklisted,
            Reason::NoPass => Msg::VerdictNoPass,
            Reason::GateInactive => Msg::VerdictGateInactive,
        }
    }
}

/// The gate a scan happens at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GateFacts {
    pub id: String,
    pub campus_id: String,
    pub kind: GateKind,
    pub direction: GateDirection,
    pub active: bool,
}

/// A vehicle pass's gate rule: official visits may drive in through any
/// vehicle gate, private ones only through the gates listed for their reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VehicleGates {
    pub official: bool,
    pub allowed: Vec<String>,
}

/// Whether a pass may still be used at all. Cancelled wins over
/// blacklisted: a guard hears the pass's own state first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Good,
    Cancelled,
    Blacklisted,
}

impl Standing {
    pub fn of(cancelled: bool, blacklisted: bool) -> Standing {
        match (cancelled, blacklisted) {
            (true, _) => Standing::Cancelled,
            (false, true) => Standing::Blacklisted,
            (false, false) => Standing::Good,
        }
    }
}

/// What is known about a pass when it is scanned: online from its row,
/// offline from the roster. Built only by `PassFacts::new`, so both sides
/// state the same facts (time window, campus, gate rule, single use,
/// standing) and `decide` reads nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassFacts {
    campus_id: String,
    /// Milliseconds since the epoch: valid from `valid_from`, until before `valid_until`.
    valid_from: i64,
    valid_until: i64,
    /// `None` for a person.
    vehicle: Option<VehicleGates>,
    /// A single-use pass that was already used.
    spent: bool,
    standing: Standing,
}

impl PassFacts {
    /// `window` is the pass's own validity (ms, end excluded); `spent` is
    /// "single use and already used".
    pub fn new(campus_id: &str, window: (i64, i64), vehicle: Option<VehicleGates>, spent: bool, standing: Standing) -> PassFacts {
        PassFacts { campus_id: campus_id.to_owned(), valid_from: window.0, valid_until: window.1, vehicle, spent, standing }
    }
}

/// What a scan found: a pass with its facts, a pass id known to be
/// withdrawn (an offline roster lists cancelled and blacklisted passes as
/// ids only: the phone is not told who is blacklisted), or nothing.
#[derive(Clone, Copy, Debug)]
pub enum Found<'a> {
    Pass(&'a PassFacts),
    Withdrawn,
    Unknown,
}

/// The verdict for a pass whose token already verified (or that a plate or
/// ID number found), at `now_ms`. One rule for the server and the guard's
/// phone. The order is the order a guard would want to hear about
/// problems; the pass's own window comes last (the token's window was
/// checked with the signature).
pub fn decide(gate: &GateFacts, found: Found<'_>, direction: Direction, now_ms: i64) -> Reason {
    let pass = match found {
        Found::Unknown => return Reason::UnknownPass,
        _ if !gate.active => return Reason::GateInactive,
        Found::Withdrawn => return Reason::Cancelled,
        Found::Pass(p) => p,
    };
    match pass.standing {
        Standing::Cancelled => return Reason::Cancelled,
        Standing::Blacklisted => return Reason::Blacklisted,
        Standing::Good => {}
    }
    if pass.campus_id != gate.campus_id {
        return Reason::WrongCampus;
    }
    match (gate.direction, direction) {
        (GateDirection::Entry, Direction::Out) | (GateDirection::Exit, Direction::In) => return Reason::WrongDirection,
        _ => {}
    }
    match (gate.kind, pass.vehicle.is_some()) {
        (GateKind::Pedestrian, true) | (GateKind::Vehicle, false) => return Reason::WrongGateKind,
        _ => {}
    }
    if let Some(v) = &pass.vehicle
        && direction == Direction::In
        && !v.official
        && !v.allowed.contains(&gate.id)
    {
        return Reason::GateNotAllowed;
    }
    // A single-use pass is spent on entry; leaving is always allowed.
    if pass.spent && direction == Direction::In {
        return Reason::AlreadyUsed;
    }
    if now_ms < pass.valid_from {
        return Reason::NotYetValid;
    }
    if now_ms >= pass.valid_until {
        return Reason::Expired;
    }
    Reason::Ok
}

/// The pass a scanned QR names at `gate`, or why there is none: the
/// signature and the token's window (`pass_token::verify`, the one
/// verifier), then the token's campus. The server and the phone both start
/// a QR verdict here.
pub fn pass_named_by_qr(scanned: &str, keys: &[super::pass_token::PublicKey], gate: &GateFacts, now_ms: i64) -> Result<String, Reason> {
    use super::pass_token;
    let claims = pass_token::verify(pass_token::token_from_scan(scanned), keys, now_ms.div_euclid(1000)).map_err(Reason::from_token_error)?;
    if claims.cmp != pass_token::campus_code(&gate.campus_id) {
        return Err(Reason::WrongCampus);
    }
    Ok(claims.pid)
}

#[cfg(test)]
mod verdict_tests {
    use super::*;

    const NOW: i64 = 1_000_000;

    fn gate(kind: GateKind, direction: GateDirection) -> GateFacts {
        GateFacts { id: "g1".into(), campus_id: "c1".into(), kind, direction, active: true }
    }

    fn person() -> PassFacts {
        PassFacts::new("c1", (0, 2 * NOW), None, false, Standing::Good)
    }

    fn car(official: bool, allowed: &[&str]) -> PassFacts {
        PassFacts { vehicle: Some(VehicleGates { official, allowed: allowed.iter().map(|g| (*g).to_owned()).collect() }), ..person() }
    }

    fn decide(gate: &GateFacts, pass: &PassFacts, direction: Direction) -> Reason {
        super::decide(gate, Found::Pass(pass), direction, NOW)
    }

    #[test]
    fn each_rule_has_its_reason() {
        let g = gate(GateKind::Both, GateDirection::Both);
        assert_eq!(decide(&g, &person(), Direction::In), Reason::Ok);
        assert_eq!(decide(&GateFacts { active: false, ..g.clone() }, &person(), Direction::In), Reason::GateInactive);
        assert_eq!(decide(&g, &PassFacts { standing: Standing::Cancelled, ..person() }, Direction::In), Reason::Cancelled);
        assert_eq!(decide(&g, &PassFacts { standing: Standing::Blacklisted, ..person() }, Direction::In), Reason::Blacklisted);
        assert_eq!(decide(&g, &PassFacts { campus_id: "c2".into(), ..person() }, Direction::In), Reason::WrongCampus);
        assert_eq!(decide(&gate(GateKind::Both, GateDirection::Entry), &person(), Direction::Out), Reason::WrongDirection);
        assert_eq!(decide(&gate(GateKind::Both, GateDirection::Exit), &person(), Direction::In), Reason::WrongDirection);
        assert_eq!(decide(&gate(GateKind::Vehicle, GateDirection::Both), &person(), Direction::In), Reason::WrongGateKind);
        assert_eq!(decide(&gate(GateKind::Pedestrian, GateDirection::Both), &car(true, &[]), Direction::In), Reason::WrongGateKind);
        let used = PassFacts { spent: true, ..person() };
        assert_eq!(decide(&g, &used, Direction::In), Reason::AlreadyUsed);
        assert_eq!(decide(&g, &used, Direction::Out), Reason::Ok, "leaving is always allowed");
        assert_eq!(decide(&g, &PassFacts { valid_from: NOW + 1, ..person() }, Direction::In), Reason::NotYetValid);
        assert_eq!(decide(&g, &PassFacts { valid_until: NOW, ..person() }, Direction::In), Reason::Expired);
        assert_eq!(super::decide(&g, Found::Unknown, Direction::In, NOW), Reason::UnknownPass);
        assert_eq!(super::decide(&g, Found::Withdrawn, Direction::In, NOW), Reason::Cancelled);
    }

    #[test]
    fn private_visits_drive_in_only_through_their_listed_gates() {
        let g = gate(GateKind::Vehicle, GateDirection::Both);
        let private = car(false, &["g9"]);
        assert_eq!(decide(&g, &private, Direction::In), Reason::GateNotAllowed);
        assert_eq!(decide(&g, &private, Direction::Out), Reason::Ok);
        assert_eq!(decide(&g, &car(false, &["g1"]), Direction::In), Reason::Ok);
        assert_eq!(decide(&g, &car(true, &[]), Direction::In), Reason::Ok);
    }

    #[test]
    fn reason_codes_are_stable_snake_case() {
        assert_eq!(Reason::AlreadyUsed.code(), "already_used");
        assert_eq!(Reason::Ok.code(), "ok");
        let codes: std::collections::HashSet<String> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(&r.code()), Some(r));
        }
    }
}

/// How old an offline event may be when it reaches the server: a phone or
/// device out of the network for a week has bigger problems, and older
/// times are a wrong clock or a forgery (a car "inside" for years).
pub const OFFLINE_EVENT_MAX_AGE_MS: i64 = 7 * 24 * 3_600_000;
/// How far ahead of the server's clock an event may be (a device's clock
/// a little fast), not more: a future exit would keep a car inside.
pub const OFFLINE_EVENT_MAX_AHEAD_MS: i64 = 10 * 60_000;

/// Why an offline event's time is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTimeProblem {
    TooOld,
    InTheFuture,
    /// An admission on a pass outside the times the pass was valid.
    OutsidePass,
}

/// The longest id a device or phone may give a passage, in characters
/// (the API document says the same: `maxLength`).
pub const EVENT_ID_MAX_CHARS: usize = 100;

/// A passage's own id: 1 to [`EVENT_ID_MAX_CHARS`] characters.
pub fn event_id_ok(id: &str) -> bool {
    !id.is_empty() && id.chars().count() <= EVENT_ID_MAX_CHARS
}

/// Whether an offline event at `at` can be believed, received at `now`;
/// an admission on a pass also within the pass's validity `[from, until)`
/// (give or take the clock allowance).
pub fn offline_event_time(at: i64, now: i64, admitted_on: Option<(i64, i64)>) -> Result<(), EventTimeProblem> {
    if at < now.saturating_sub(OFFLINE_EVENT_MAX_AGE_MS) {
        return Err(EventTimeProblem::TooOld);
    }
    if at > now.saturating_add(OFFLINE_EVENT_MAX_AHEAD_MS) {
        return Err(EventTimeProblem::InTheFuture);
    }
    if let Some((from, until)) = admitted_on
        && (at < from.saturating_sub(OFFLINE_EVENT_MAX_AHEAD_MS) || at >= until.saturating_add(OFFLINE_EVENT_MAX_AHEAD_MS))
    {
        return Err(EventTimeProblem::OutsidePass);
    }
    Ok(())
}

#[cfg(test)]
mod offline_time_tests {
    use super::*;

    #[test]
    fn an_offline_event_is_believed_within_a_week_past_and_minutes_ahead_and_its_pass() {
        let now = 1_800_000_000_000;
        let hour = 3_600_000;
        assert_eq!(offline_event_time(now - hour, now, None), Ok(()));
        assert_eq!(offline_event_time(now - 8 * 24 * hour, now, None), Err(EventTimeProblem::TooOld));
        assert_eq!(offline_event_time(now - 20 * 365 * 24 * hour, now, None), Err(EventTimeProblem::TooOld));
        assert_eq!(offline_event_time(now + 5 * 60_000, now, None), Ok(()));
        assert_eq!(offline_event_time(now + hour, now, None), Err(EventTimeProblem::InTheFuture));
        assert_eq!(offline_event_time(i64::MAX, now, None), Err(EventTimeProblem::InTheFuture));
        assert_eq!(offline_event_time(i64::MIN, now, None), Err(EventTimeProblem::TooOld));
        let pass = (now - 2 * hour, now + 10 * hour);
        assert_eq!(offline_event_time(now - hour, now, Some(pass)), Ok(()));
        assert_eq!(offline_event_time(now - 3 * hour, now, Some(pass)), Err(EventTimeProblem::OutsidePass));
    }
}
