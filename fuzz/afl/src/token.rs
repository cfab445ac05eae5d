//! A scanned QR text: the token in it, its header, its signature check.
use domain::pass_token::{self, PublicKey};

fn main() {
    // RFC 8037's example Ed25519 public key: any real key does.
    let keys = [PublicKey { kid: "k1".into(), x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".into() }];
    afl::fuzz!(|data: &[u8]| {
        if let Ok(text) = std::str::from_utf8(data) {
            let token = pass_token::token_from_scan(text);
            let _ = pass_token::header(token);
            let _ = pass_token::verify(token, &keys, 1_764_720_000_000);
        }
    });
}
