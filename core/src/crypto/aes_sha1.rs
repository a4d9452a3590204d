//! RFC 3962: aes128-cts-hmac-sha1-96 (17) and aes256-cts-hmac-sha1-96 (18).
//!
//! Ciphertext = CTS(Ke, confounder | plaintext) | HMAC-SHA1(Ki, confounder | plaintext)[..12].
//! The MAC covers the plaintext, so decryption must decrypt before it can verify;
//! on a bad MAC the decrypted bytes are wiped before the error is returned.

use super::hash::Sha1;
use hmac::Hmac;
use zeroize::{Zeroize, Zeroizing};

use super::cts::{self, AesDec, AesEnc, BLOCK_LEN};
use super::iov::Segments;
use super::mac::{ct_eq, hmac_into};
use super::rfc3961::{dk_aes, usage_constant};
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

/// Encrypts `body` (`confounder | plaintext`, confounder in place) in place
/// and writes the MAC to `mac` (12 bytes).
pub(crate) fn seal(ke: &[u8], ki: &[u8], body: &mut Segments<'_>, mac: &mut [u8]) -> Result<()> {
    hmac_into::<Hmac<Sha1>>(ki, &body.parts(), mac)?;
    cts::encrypt_with(&AesEnc::new(ke)?, &[0; BLOCK_LEN], body)?;
    Ok(())
}

/// Decrypts `body` in place and checks `mac`; on a bad MAC the decrypted
/// bytes are wiped.
pub(crate) fn open(ke: &[u8], ki: &[u8], body: &mut Segments<'_>, mac: &[u8]) -> Result<()> {
    if mac.len() != MAC_LEN {
        return Err(Error::BadCiphertextLength {
            len: body.len().saturating_add(mac.len()),
        });
    }
    cts::decrypt_with(&AesDec::new(ke)?, &[0; BLOCK_LEN], body)?;
    let mut expected = [0u8; MAC_LEN];
    hmac_into::<Hmac<Sha1>>(ki, &body.parts(), &mut expected)?;
    let ok = ct_eq(&expected, mac);
    expected.zeroize();
    if !ok {
        body.zeroize();
        return Err(Error::Integrity {
            what: what!("ciphertext checksum"),
        });
    }
    Ok(())
}

/// hmac-sha1-96-aes*: HMAC-SHA1(Kc, data)[..12].
pub(crate) fn checksum(kc: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<()> {
    hmac_into::<Hmac<Sha1>>(kc, data, out)
}
