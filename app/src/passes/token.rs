//! Pass tokens: signing with the current key (`jsonwebtoken`), the JWKS,
//! verification (the domain's one verifier, as on the guard's phone), the
//! token's claims and the QR that carries it.

use super::stored::PassRow;
use super::*;
use crate::domain::gate::Reason;
use crate::domain::pass_token::{PassClaims, PublicKey};
use crate::domain::policy::PassKind;
use crate::platform::context::AppState;

/// A long pass's token lives at most this long; the pass page renews it,
/// so a cancelled pass stops working at an offline gate within a day.
pub const TOKEN_TTL_SECS: i64 = 24 * 3600;

/// RFC 8410: the PKCS#8 wrapping of a raw Ed25519 seed, as `jsonwebtoken`
/// takes it.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
    der.extend_from_slice(seed);
    der
}

/// Signs a pass token with the current key.
pub fn sign(st: &AppState, claims: &PassClaims) -> Result<String, AppError> {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.typ = None;
    let (kid, signing) = st.keys.signing();
    header.kid = Some(kid);
    let key = jsonwebtoken::EncodingKey::from_ed_der(&ed25519_pkcs8(signing.as_bytes()));
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| {
        tracing::error!(error = %e, "signing a pass token failed");
        AppError::Internal
    })
}

/// Every public key that may still verify a pass (JWKS material).
pub async fn public_keys(st: &AppState) -> Result<Vec<PublicKey>, AppError> {
    Ok(st.keys.published().as_ref().clone())
}

/// `/.well-known/jwks.json`.
pub async fn jwks(st: &AppState) -> Result<serde_json::Value, AppError> {
    let keys = public_keys(st).await?;
    Ok(serde_json::json!({
        "keys": keys.iter().map(|k| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.kid, "x": k.x})).collect::<Vec<_>>()
    }))
}

/// Verifies a token on the server: the domain's `pass_token::verify`
/// (ed25519-dalek `verify_strict`, EdDSA only), the same function the
/// guard's phone runs offline, with its error as a scan's reason.
pub fn verify(token: &str, keys: &[PublicKey], now_secs: i64) -> Result<PassClaims, Reason> {
    crate::domain::pass_token::verify(token, keys, now_secs).map_err(Reason::from_token_error)
}

/// The QR: the site's scan URL with the token in its fragment (never in a
/// path or query that logs keep). Error correction M.
pub fn qr_text(st: &AppState, token: &str) -> String {
    format!("{}/s#t={token}", st.config.public_base_url.trim_end_matches('/'))
}

pub fn qr_svg(text: &str) -> Result<(String, i16), AppError> {
    use qrcode::{EcLevel, QrCode, Version, render::svg};
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|e| {
        tracing::error!(error = %e, "QR too long");
        AppError::Internal
    })?;
    let version = match code.version() {
        Version::Normal(n) | Version::Micro(n) => n,
    };
    let svg = code.render::<svg::Color>().min_dimensions(264, 264).quiet_zone(true).build();
    Ok((svg, version))
}

/// The claims of a pass's token now: valid from the pass's first moment to
/// its end, but never more than a day ahead.
pub fn claims_for(p: &PassRow, now_ms: i64) -> PassClaims {
    let now = now_ms / 1000;
    PassClaims {
        pid: p.id.clone(),
        knd: match PassKind::from_code(&p.kind) {
            Some(k) => k.token_code(p.vehicle),
            None if p.vehicle => "car",
            None => "x",
        }
        .to_owned(),
        cmp: crate::domain::pass_token::campus_code(&p.campus_id),
        nbf: p.valid_from / 1000,
        exp: (p.valid_until / 1000).min(now.max(p.valid_from / 1000) + TOKEN_TTL_SECS),
        su: p.single_use,
    }
}

#[cfg(test)]
mod cost {
    use crate::domain::pass_token::{PassClaims, PublicKey};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// What one verification costs, before (jsonwebtoken, as the server
    /// verified until the one verifier) and after (`pass_token::verify`).
    /// Unoptimised both run the same unoptimised curve code, so only the
    /// ratio means anything; the bench harness's `verify-rate` gives the
    /// release figure. `cargo test ... -- --ignored verify_cost --nocapture`
    #[test]
    #[ignore]
    fn verify_cost() {
        let signing = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let keys = vec![PublicKey { kid: "k1".into(), x: URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes()) }];
        let claims = PassClaims { pid: "AAAAAAAAAAAAAAAAAAAAAA".into(), knd: "v".into(), cmp: "0000c0de".into(), nbf: 1000, exp: 2000, su: false };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.typ = None;
        header.kid = Some("k1".into());
        let token =
            jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_ed_der(&super::ed25519_pkcs8(signing.as_bytes()))).unwrap();
        let before = |t: &str| {
            let decoding = jsonwebtoken::DecodingKey::from_ed_components(&keys[0].x).unwrap();
            let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
            v.validate_exp = false;
            v.validate_nbf = false;
            jsonwebtoken::decode::<PassClaims>(t, &decoding, &v).is_ok()
        };
        let after = |t: &str| super::verify(t, &keys, 1500).is_ok();
        let rate = |f: &dyn Fn(&str) -> bool| {
            let started = std::time::Instant::now();
            let mut n = 0u32;
            while started.elapsed() < std::time::Duration::from_secs(3) {
                assert!(f(&token));
                n += 1;
            }
            n as f64 / started.elapsed().as_secs_f64()
        };
        let (b, a) = (rate(&before), rate(&after));
        println!("verify per second: jsonwebtoken {b:.0}, pass_token::verify {a:.0} ({:+.1} %)", (a / b - 1.0) * 100.0);
    }
}
