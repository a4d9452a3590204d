//! Cryptographic glue over the RustCrypto crates.
//!
//! Kerberos (RFC 3961 framework, RFC 3962 AES-SHA1, RFC 8009 AES-SHA2, RFC 4757
//! RC4-HMAC, and DES under `legacy`) lives behind [`Key`]: one type whose methods
//! dispatch on its [`Etype`]. NTLM's primitives live in [`ntlm`].
//!
//! All encryption is in place. A ciphertext buffer is laid out as
//! `header | plaintext | trailer` where `header_len` and `trailer_len` depend on
//! the etype (AES: confounder before, HMAC after; RC4-HMAC: HMAC and confounder
//! before, nothing after). To encrypt, the caller writes the plaintext at
//! `buf[etype.header_len()..]` and calls [`Key::encrypt`]; to decrypt, it passes
//! the whole ciphertext to [`Key::decrypt`] and gets back the range of the
//! plaintext inside the same buffer, released only after the checksum verified.

pub mod ntlm;

mod etype;
pub use etype::{ChecksumType, Etype, Key, UsageKeys, MAX_CHECKSUM_LEN, MAX_KEY_LEN, MAX_OVERHEAD};
