//! RFC 3962: aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18).
//!
//! Ciphertext = CTS(Ke, confounder | plaintext) | HMAC-SHA1(Ki, confounder | plaintext)[..12].
//! The MAC covers the plaintext, so decryption must decrypt before it can verify;
//! on a bad MAC the decrypted bytes are wiped before the error is returned.

use core::ops::Range;

use hmac::Hmac;
use sha1::Sha1;
use zeroize::Zeroizing;

use super::mac::hmac_into;
use super::rfc3961::{aes_decrypt, aes_encrypt, dk_aes, usage_constant, AesMac};
use crate::{Error, Result};

/// HMAC-SHA1-96: the MAC and checksum length.
pub(crate) const MAC_LEN: usize = 12;
/// RFC 3962 section 4: the default PBKDF2 iteration count.
pub(crate) const DEFAULT_ITERATIONS: u32 = 4096;

/// PBKDF2-HMAC-SHA1 to the key length, then DK(tkey, "kerberos").
pub(crate) fn string_to_key(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    let mut tkey = Zeroizing::new([0u8; 32]);
    let tkey = tkey
        .get_mut(..out.len())
        .ok_or(Error::BufferTooSmall { needed: 32 })?;
    pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, tkey);
    dk_aes(tkey, b"kerberos", out)
}

/// DK(base, usage | kind) into `out` (key length).
pub(crate) fn derive(base: &[u8], usage: u32, kind: u8, out: &mut [u8]) -> Result<()> {
    dk_aes(base, &usage_constant(usage, kind), out)
}

/// Encrypts `buf[16..16 + plaintext_len]` in place behind `confounder`;
/// returns the ciphertext length.
pub(crate) fn encrypt(
    ke: &[u8],
    ki: &[u8],
    confounder: &[u8],
    buf: &mut [u8],
    plaintext_len: usize,
) -> Result<usize> {
    aes_encrypt(AesMac::Sha1, ke, ki, confounder, buf, plaintext_len)
}

/// Decrypts the whole ciphertext `buf` in place; returns the plaintext range.
pub(crate) fn decrypt(ke: &[u8], ki: &[u8], buf: &mut [u8]) -> Result<Range<usize>> {
    aes_decrypt(AesMac::Sha1, ke, ki, buf)
}

/// hmac-sha1-96-aes*: HMAC-SHA1(Kc, data)[..12].
pub(crate) fn checksum(kc: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<()> {
    hmac_into::<Hmac<Sha1>>(kc, data, out)
}
