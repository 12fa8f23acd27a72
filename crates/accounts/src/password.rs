//! Passwords: a policy for new ones (length, and not common or guessable,
//! judged by zxcvbn's dictionaries of leaked passwords and patterns) and
//! Argon2id hashing with OWASP's parameters (19 MiB, 2 passes, 1 lane).
//! A stored hash with weaker parameters is rehashed at the next login.

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest accepted password (characters).
pub const MIN_LENGTH: usize = 12;
/// Longest accepted password: hashing cost must stay bounded.
pub const MAX_LENGTH: usize = 256;

const M_COST_KIB: u32 = 19_456;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("the password is shorter than {MIN_LENGTH} characters")]
    TooShort,
    #[error("the password is longer than {MAX_LENGTH} characters")]
    TooLong,
    #[error("the password is too common or too easy to guess")]
    TooWeak,
}

/// A password that passed the policy; only it can be hashed for storage.
pub struct NewPassword(String);

impl NewPassword {
    /// Checks `raw` against the policy; `user_inputs` (the e-mail address,
    /// the name) make passwords built from them count as weak.
    pub fn parse(raw: &str, user_inputs: &[&str]) -> Result<NewPassword, PasswordPolicyError> {
        let length = raw.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordPolicyError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordPolicyError::TooLong);
        }
        // zxcvbn's cost grows with length; beyond 100 characters a password
        // is not guessable and the estimate adds nothing.
        if length <= 100 {
            let estimate = zxcvbn::zxcvbn(raw, user_inputs);
            if u8::from(estimate.score()) < 3 {
                return Err(PasswordPolicyError::TooWeak);
            }
        }
        Ok(NewPassword(raw.to_owned()))
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing failed (only on an internal error of the RNG or the hasher).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// The PHC string to store for `password`. CPU-heavy: call from a blocking
/// task.
pub fn hash(password: &NewPassword) -> Result<String, HashError> {
    hasher()
        .hash_password(password.0.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, and the stored hash uses weaker parameters than today's.
    YesRehash,
}

/// Checks `password` against the stored PHC string (the parameters come
/// from the string). CPU-heavy: call from a blocking task.
pub fn verify(password: &str, stored: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verified::No;
    };
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::No;
    }
    let current = Params::try_from(&parsed).is_ok_and(|p| {
        parsed.algorithm == Algorithm::Argon2id.ident()
            && p.m_cost() >= M_COST_KIB
            && p.t_cost() >= T_COST
            && p.p_cost() >= P_COST
    });
    if current {
        Verified::Yes
    } else {
        Verified::YesRehash
    }
}

/// A hash of a random password, verified against when an account does not
/// exist so that unknown and known e-mail addresses take the same time.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash(&NewPassword(crate::secret::new_token())).expect("hashing a random password")
});

/// The hash of a shared password that guards something other than an
/// account (a client review link): 8 to 128 characters, no strength
/// estimate (the person choosing it hands it to someone else).
/// CPU-heavy: call from a blocking task.
pub fn hash_shared(raw: &str) -> Result<String, PasswordPolicyError> {
    let length = raw.chars().count();
    if length < 8 {
        return Err(PasswordPolicyError::TooShort);
    }
    if length > 128 {
        return Err(PasswordPolicyError::TooLong);
    }
    hash(&NewPassword(raw.to_owned())).map_err(|_| PasswordPolicyError::TooWeak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_common_passwords_are_refused() {
        assert_eq!(
            NewPassword::parse("short", &[]).unwrap_err(),
            PasswordPolicyError::TooShort
        );
        assert_eq!(
            NewPassword::parse(&"x".repeat(257), &[]).unwrap_err(),
            PasswordPolicyError::TooLong
        );
        for weak in [
            "password1234",
            "qwertyuiop123",
            "123456789012",
            "aaaaaaaaaaaa",
        ] {
            assert_eq!(
                NewPassword::parse(weak, &[]).unwrap_err(),
                PasswordPolicyError::TooWeak,
                "{weak}"
            );
        }
        assert_eq!(
            NewPassword::parse("alice@example.com1", &["alice@example.com"]).unwrap_err(),
            PasswordPolicyError::TooWeak
        );
        assert!(NewPassword::parse("correct horse battery staple 42", &[]).is_ok());
    }

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let pw = NewPassword::parse("violet lantern across the fjord", &[]).unwrap();
        let stored = hash(&pw).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert_eq!(
            verify("violet lantern across the fjord", &stored),
            Verified::Yes
        );
        assert_eq!(
            verify("violet lantern across the fjorD", &stored),
            Verified::No
        );
        assert_eq!(verify("anything", "not a hash"), Verified::No);
        assert!(!format!("{pw:?}").contains("violet"));
    }

    #[test]
    fn weaker_stored_hashes_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(4096, 1, 1, None).unwrap(),
        )
        .hash_password(b"violet lantern across the fjord")
        .unwrap()
        .to_string();
        assert_eq!(
            verify("violet lantern across the fjord", &weak),
            Verified::YesRehash
        );
    }

    #[test]
    fn a_shared_password_is_hashed_within_its_bounds_and_verifies() {
        assert!(matches!(
            hash_shared("short"),
            Err(PasswordPolicyError::TooShort)
        ));
        assert!(matches!(
            hash_shared(&"x".repeat(129)),
            Err(PasswordPolicyError::TooLong)
        ));
        let stored = hash_shared("croissant-2031").unwrap();
        assert_ne!(verify("croissant-2031", &stored), Verified::No);
        assert_eq!(verify("baguette-2031", &stored), Verified::No);
    }
}
