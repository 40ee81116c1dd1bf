//! Secret link tokens (newsletter confirmation and unsubscribe): 256 random bits from the
//! operating system, handed out once in a mail and stored only as their SHA-256, so a copy
//! of the database does not contain working links.

use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Random bytes per token.
const TOKEN_BYTES: usize = 32;

/// A token as it appears in a link: 64 lowercase hexadecimal characters.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl LinkToken {
    /// A fresh token from the OS RNG.
    pub fn generate() -> Result<Self, ApiError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|error| ApiError::internal(format!("OS random generator: {error}")))?;
        Ok(LinkToken(hex(&bytes)))
    }

    /// A token from a link, if it has the right shape; anything else cannot be one of ours.
    pub fn parse(raw: &str) -> Option<Self> {
        let well_formed = raw.len() == TOKEN_BYTES * 2
            && raw
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        well_formed.then(|| LinkToken(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up.
    pub fn sha256(&self) -> String {
        hex(&Sha256::digest(self.0.as_bytes()))
    }
}

/// Never printed: a token in a log is a working link.
impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkToken(..)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_well_formed_and_hashed() {
        let a = LinkToken::generate().unwrap();
        let b = LinkToken::generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(LinkToken::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.sha256().len(), 64);
        assert_ne!(a.sha256(), a.as_str());
        assert!(!format!("{a:?}").contains(a.as_str()));
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"a".repeat(65)] {
            assert_eq!(LinkToken::parse(bad), None, "{bad:?}");
        }
    }
}
