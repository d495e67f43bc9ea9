//! Phone numbers at rest: sealed for sending, hashed for counting.
//!
//! The outbox must be able to send (so it needs the number back) and to enforce the per-citizen
//! daily cap (so it needs to group by number) — but the database, its backups and the sync replicas
//! should hold neither the number nor anything that yields it without the hall's key. So a number
//! is stored twice: sealed with AES-256-GCM (random nonce, so equal numbers seal differently), and
//! as an HMAC-SHA256 lookup hash under a separate derived key (deterministic, so equal numbers
//! group). There are only about 10¹⁰ mobile numbers: the hash protects only while the key is
//! secret, which is why it is keyed and not a plain SHA-256.

use std::fmt;

use aes_gcm::aead::{Aead, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::error::{Result, SmsError};
use crate::phone::Phone;
use crate::provider::hmac_sha256;

/// Bumped if the format changes, so old rows stay readable during a migration.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Binds a sealed value to its purpose: a sealed phone cannot be replayed as some other sealed
/// field that happens to share the key.
const AAD: &[u8] = b"hallkeeper-sms/phone/v1";

/// Seals and hashes phone numbers under the hall's 32-byte key.
pub struct PhoneCipher {
    aead: Aes256Gcm,
    lookup_key: [u8; 32],
}

impl fmt::Debug for PhoneCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneCipher { .. }")
    }
}

impl PhoneCipher {
    /// Derives separate encryption and lookup keys from `master_key`, so that the lookup hash
    /// reveals nothing about the encryption key and either can be rotated by changing its label.
    pub fn new(master_key: &[u8]) -> Result<PhoneCipher> {
        if master_key.len() != 32 {
            return Err(SmsError::CipherKeyInvalid { len: master_key.len() });
        }
        let enc_key = hmac_sha256(master_key, b"hallkeeper-sms/phone-seal/v1");
        let lookup_key = hmac_sha256(master_key, b"hallkeeper-sms/phone-lookup/v1");
        let aead = Aes256Gcm::new_from_slice(&enc_key).map_err(|_| SmsError::CipherKeyInvalid { len: 32 })?;
        Ok(PhoneCipher { aead, lookup_key })
    }

    /// `base64(version ‖ nonce ‖ ciphertext ‖ tag)`.
    pub fn seal(&self, phone: &Phone) -> Result<String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| SmsError::ConfigInvalid {
            reason: format!("no OS randomness for the nonce: {e}"),
        })?;
        let ct = self
            .aead
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: phone.expose().as_bytes(), aad: AAD })
            .map_err(|_| SmsError::CipherOpenFailed { reason: "encryption failed" })?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ct.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<Phone> {
        let fail = |reason| SmsError::CipherOpenFailed { reason };
        let bytes = STANDARD.decode(sealed.trim()).map_err(|_| fail("not base64"))?;
        if bytes.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(fail("too short"));
        }
        if bytes[0] != VERSION {
            return Err(fail("unknown format version"));
        }
        let (nonce, ct) = bytes[1..].split_at(NONCE_LEN);
        let plain = self
            .aead
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad: AAD })
            .map_err(|_| fail("authentication failed: altered, or sealed under another key"))?;
        let text = String::from_utf8(plain).map_err(|_| fail("plaintext is not text"))?;
        Phone::parse(&text).map_err(|_| fail("plaintext is not a phone number"))
    }

    /// Hex HMAC-SHA256 of the 11 digits under the lookup key: equal for equal numbers, so the
    /// outbox can count today's messages per citizen without opening anything.
    pub fn lookup_hash(&self, phone: &Phone) -> String {
        hex::encode(hmac_sha256(&self.lookup_key, phone.expose().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> PhoneCipher {
        PhoneCipher::new(&[byte; 32]).unwrap()
    }

    fn phone() -> Phone {
        Phone::parse("13812345678").unwrap()
    }

    #[test]
    fn round_trip_and_nonce_varies() {
        let c = cipher(7);
        let a = c.seal(&phone()).unwrap();
        let b = c.seal(&phone()).unwrap();
        assert_ne!(a, b);
        assert_eq!(c.open(&a).unwrap(), phone());
        assert!(!a.contains("13812345678"));
    }

    #[test]
    fn tampering_is_detected() {
        let c = cipher(7);
        let sealed = c.seal(&phone()).unwrap();
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        for i in 1..bytes.len() {
            bytes[i] ^= 0x01;
            let err = c.open(&STANDARD.encode(&bytes)).unwrap_err();
            assert_eq!(err.code(), "sms.cipher_open_failed", "byte {i}");
            bytes[i] ^= 0x01;
        }
        bytes[0] = 9;
        assert!(c.open(&STANDARD.encode(&bytes)).unwrap_err().to_string().contains("version"));
        assert!(c.open("@@@").is_err());
        assert!(c.open(&STANDARD.encode([1u8; 10])).unwrap_err().to_string().contains("too short"));
    }

    #[test]
    fn other_key_cannot_open() {
        let sealed = cipher(1).seal(&phone()).unwrap();
        assert!(cipher(2).open(&sealed).unwrap_err().to_string().contains("authentication failed"));
    }

    #[test]
    fn lookup_hash_is_keyed_and_deterministic() {
        let c = cipher(3);
        assert_eq!(c.lookup_hash(&phone()), c.lookup_hash(&Phone::parse("+86 138-1234-5678").unwrap()));
        assert_ne!(c.lookup_hash(&phone()), cipher(4).lookup_hash(&phone()));
        assert_ne!(c.lookup_hash(&phone()), c.lookup_hash(&Phone::parse("13812345679").unwrap()));
        assert_eq!(c.lookup_hash(&phone()).len(), 64);
    }

    #[test]
    fn key_length_checked() {
        assert_eq!(PhoneCipher::new(&[0; 16]).unwrap_err(), SmsError::CipherKeyInvalid { len: 16 });
        assert_eq!(format!("{:?}", cipher(1)), "PhoneCipher { .. }");
    }
}
