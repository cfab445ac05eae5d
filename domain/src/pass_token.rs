//! The pass token inside a QR code: a compact JWS (`header.payload.signature`)
//! signed with Ed25519, and its verification with the public keys alone.
//! Shared by the server and the guard's browser: `verify` here
//! (`ed25519-dalek`'s `verify_strict`) is the one verifier, online and
//! offline (through `gate::pass_named_by_qr`); the server only signs
//! through `jsonwebtoken` (and publishes the JWKS).
//!
//! The claims are lean on purpose: a random pass id, the kind, the campus,
//! the validity window and whether it is single use — no name, phone or ID.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

/// What a pass token says. Times are seconds since the epoch (JWT style).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassClaims {
    /// Pass id: 128 random bits, base64url.
    pub pid: String,
    /// Pass kind, as a short code (`PassKind::token_code`).
    pub knd: String,
    /// Campus, as a short code (`campus_code`).
    pub cmp: String,
    pub nbf: i64,
    pub exp: i64,
    /// Single use; left out when false (every byte counts in a QR code).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub su: bool,
}

/// A campus's short code inside a token: the last 8 hex digits of its id
/// (the random part of a UUID v7).
pub fn campus_code(campus_id: &str) -> String {
    let hex: String = campus_id.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    hex[hex.len().saturating_sub(8)..].to_owned()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenHeader {
    pub alg: String,
    #[serde(default)]
    pub typ: Option<String>,
    pub kid: String,
}

/// Why a token was refused. Stable codes: the gate API reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TokenError {
    #[error("not a pass token")]
    Malformed,
    #[error("algorithm not accepted")]
    Algorithm,
    #[error("signed by an unknown key")]
    UnknownKey,
    #[error("signature does not verify")]
    Signature,
    #[error("not yet valid")]
    NotYetValid,
    #[error("expired")]
    Expired,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed",
            TokenError::Algorithm | TokenError::UnknownKey | TokenError::Signature => "bad_signature",
            TokenError::NotYetValid => "not_yet_valid",
            TokenError::Expired => "expired",
        }
    }
}

/// A public key the verifier trusts: its id and the 32 raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicKey {
    pub kid: String,
    /// base64url of the 32-byte Ed25519 public key (the JWK `x`).
    pub x: String,
}

/// Tolerance for phone clocks that run a little fast or slow.
pub const LEEWAY_SECS: i64 = 60;

/// Finds the token in scanned text: the QR holds a URL whose fragment is
/// `#t=<token>`; a bare token is accepted too.
pub fn token_from_scan(text: &str) -> &str {
    // The QR's URL is `…/s#t=<token>`.
    let text = text.trim();
    match text.split_once("#t=") {
        Some((_, t)) => t.split('&').next().unwrap_or(t),
        None => text,
    }
}

/// Reads the header without verifying (to pick the key).
pub fn header(token: &str) -> Result<TokenHeader, TokenError> {
    let h = token.split('.').next().ok_or(TokenError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD.decode(h).map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

/// Verifies signature (EdDSA only, strict), key id and time window at
/// `now` (seconds). Everything else — cancellation, single use, gate —
/// is for the caller.
pub fn verify(token: &str, keys: &[PublicKey], now: i64) -> Result<PassClaims, TokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Malformed);
    };
    let head = header(token)?;
    if head.alg != "EdDSA" {
        return Err(TokenError::Algorithm);
    }
    let key = keys.iter().find(|k| k.kid == head.kid).ok_or(TokenError::UnknownKey)?;
    let key_bytes: [u8; 32] = URL_SAFE_NO_PAD.decode(&key.x).ok().and_then(|b| b.try_into().ok()).ok_or(TokenError::UnknownKey)?;
    let verifying = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).map_err(|_| TokenError::UnknownKey)?;
    let sig_bytes: [u8; 64] = URL_SAFE_NO_PAD.decode(s).ok().and_then(|b| b.try_into().ok()).ok_or(TokenError::Signature)?;
    let signature = ed25519_dalek::Signature::from_bytes(&sig_bytes);
    let signed = &token[..h.len() + 1 + p.len()];
    verifying.verify_strict(signed.as_bytes(), &signature).map_err(|_| TokenError::Signature)?;
    let payload = URL_SAFE_NO_PAD.decode(p).map_err(|_| TokenError::Malformed)?;
    let claims: PassClaims = serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    if now + LEEWAY_SECS < claims.nbf {
        return Err(TokenError::NotYetValid);
    }
    if now - LEEWAY_SECS >= claims.exp {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Signer;
    use proptest::prelude::*;

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[7u8; 32])
    }

    fn public(kid: &str, k: &ed25519_dalek::SigningKey) -> PublicKey {
        PublicKey { kid: kid.into(), x: URL_SAFE_NO_PAD.encode(k.verifying_key().as_bytes()) }
    }

    fn claims() -> PassClaims {
        PassClaims { pid: "AAAAAAAAAAAAAAAAAAAAAA".into(), knd: "visitor".into(), cmp: "c1".into(), nbf: 1000, exp: 2000, su: false }
    }

    /// Signs by hand (the server uses jsonwebtoken; the tests in
    /// `passes` check that both agree).
    fn sign(header: &str, claims: &PassClaims, k: &ed25519_dalek::SigningKey) -> String {
        let h = URL_SAFE_NO_PAD.encode(header);
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        let sig = k.sign(format!("{h}.{p}").as_bytes());
        format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
    }

    const HEADER: &str = r#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#;

    #[test]
    fn a_good_token_verifies_within_its_window() {
        let t = sign(HEADER, &claims(), &key());
        assert_eq!(verify(&t, &[public("k1", &key())], 1500), Ok(claims()));
        assert_eq!(verify(&t, &[public("k1", &key())], 900), Err(TokenError::NotYetValid));
        assert_eq!(verify(&t, &[public("k1", &key())], 2100), Err(TokenError::Expired));
        assert_eq!(verify(&t, &[public("k2", &key())], 1500), Err(TokenError::UnknownKey));
    }

    #[test]
    fn alg_none_and_hmac_with_the_public_key_are_refused() {
        let c = claims();
        let p = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap());
        let none = format!("{}.{p}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#));
        assert_eq!(verify(&none, &[public("k1", &key())], 1500), Err(TokenError::Algorithm));
        // HS256 keyed with the public key's bytes: the classic confusion attack.
        use hmac::{Hmac, Mac};
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","kid":"k1"}"#);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key().verifying_key().as_bytes()).unwrap();
        mac.update(format!("{h}.{p}").as_bytes());
        let forged = format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        assert_eq!(verify(&forged, &[public("k1", &key())], 1500), Err(TokenError::Algorithm));
        // EdDSA header, but signed by someone else's key.
        let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        assert_eq!(verify(&sign(HEADER, &c, &other), &[public("k1", &key())], 1500), Err(TokenError::Signature));
    }

    #[test]
    fn the_token_is_found_in_the_scanned_url() {
        assert_eq!(token_from_scan("https://pass.example.edu.cn/scan#t=aaa.bbb.ccc"), "aaa.bbb.ccc");
        assert_eq!(token_from_scan(" aaa.bbb.ccc\n"), "aaa.bbb.ccc");
    }

    proptest! {
        /// Changing any byte of a token makes it fail.
        #[test]
        fn any_mutation_is_refused(pos in 0usize..400, byte in 0u8..=255) {
            let t = sign(HEADER, &claims(), &key());
            let mut b = t.clone().into_bytes();
            let i = pos % b.len();
            prop_assume!(b[i] != byte);
            b[i] = byte;
            let Ok(m) = String::from_utf8(b) else { return Ok(()) };
            // Strict base64 also refuses a changed unused low bit.
            prop_assert!(verify(&m, &[public("k1", &key())], 1500).is_err(), "mutation at {} accepted", i);
        }
    }
}
