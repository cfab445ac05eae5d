//! Staff passwords: argon2id, hashed off the async threads.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::Rng;

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing with defaults").to_string()
    })
    .await
    .expect("hashing task")
}

pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        // Without a stored hash, still spend the time, so a missing account
        // answers as slowly as a wrong password.
        let stored = stored.unwrap_or_else(|| DUMMY.with(|d| d.clone()));
        PasswordHash::new(&stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false)
}

thread_local! {
    static DUMMY: String = {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"no such account", &salt).map(|h| h.to_string()).unwrap_or_default()
    };
}

/// A one-time initial password an administrator hands out: 12 characters
/// without look-alikes (0/O, 1/l/I), always with letters and digits.
pub fn initial_password() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::rngs::OsRng;
    loop {
        let p: String = (0..12)
            .map(|_| {
                let all = if rng.gen_bool(0.3) { DIGITS } else { LETTERS };
                all[rng.gen_range(0..all.len())] as char
            })
            .collect();
        if crate::domain::account::password_is_acceptable(&p, "") {
            return p;
        }
    }
}
