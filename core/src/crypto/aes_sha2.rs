//! RFC 8009: aes128-cts-hmac-sha256-128 (19) and aes256-cts-hmac-sha384-192 (20).
//!
//! Keys come from KDF-HMAC-SHA2 (SP 800-108 counter mode with one block);
//! ciphertext = CTS(Ke, N | plaintext) | HMAC(Ki, IV | that)[..h] with a zero IV
//! (the default cipher state). The MAC covers the ciphertext, so decryption
//! verifies first and only then decrypts.

use hmac::Hmac;
use sha2::{Sha256, Sha384};
use zeroize::{Zeroize, Zeroizing};

use super::cts::{self, AesDec, AesEnc, BLOCK_LEN};
use super::iov::Segments;
use super::mac::{ct_eq, hmac_into};
use super::rfc3961::usage_constant;
use crate::{Error, Result};

/// RFC 8009 section 4: the default PBKDF2 iteration count.
pub(crate) const DEFAULT_ITERATIONS: u32 = 32768;

/// Longest salt the RFC 8009 string-to-key accepts: it has to be copied after
/// the enctype name into one contiguous PBKDF2 salt on the stack.
pub const MAX_SALT_LEN: usize = 512;

/// Which of the two RFC 8009 etypes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    /// aes128-cts-hmac-sha256-128
    Aes128Sha256,
    /// aes256-cts-hmac-sha384-192
    Aes256Sha384,
}

impl Variant {
    pub(crate) const fn key_len(self) -> usize {
        match self {
            Variant::Aes128Sha256 => 16,
            Variant::Aes256Sha384 => 32,
        }
    }

    /// Length of the truncated HMAC (and of Ki and Kc).
    pub(crate) const fn mac_len(self) -> usize {
        match self {
            Variant::Aes128Sha256 => 16,
            Variant::Aes256Sha384 => 24,
        }
    }

    const fn name(self) -> &'static [u8] {
        match self {
            Variant::Aes128Sha256 => b"aes128-cts-hmac-sha256-128",
            Variant::Aes256Sha384 => b"aes256-cts-hmac-sha384-192",
        }
    }

    fn hmac(self, key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
        match self {
            Variant::Aes128Sha256 => hmac_into::<Hmac<Sha256>>(key, parts, out),
            Variant::Aes256Sha384 => hmac_into::<Hmac<Sha384>>(key, parts, out),
        }
    }
}

/// KDF-HMAC-SHA2(key, label, k) with k = `out.len()` bytes (at most one hash).
pub(crate) fn kdf(variant: Variant, key: &[u8], label: &[u8], out: &mut [u8]) -> Result<()> {
    let bits = u32::try_from(out.len())
        .ok()
        .and_then(|n| n.checked_mul(8))
        .ok_or(Error::BufferTooSmall { needed: 48 })?;
    variant.hmac(
        key,
        &[&1u32.to_be_bytes(), label, &[0], &bits.to_be_bytes()],
        out,
    )
}

/// saltp = enctype-name | 0x00 | salt; PBKDF2-HMAC-SHA2 to the key length;
/// key = KDF-HMAC-SHA2(tkey, "kerberos", key length).
pub(crate) fn string_to_key(
    variant: Variant,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    let name = variant.name();
    let mut saltp = Zeroizing::new([0u8; 27 + MAX_SALT_LEN]);
    let saltp_len = name
        .len()
        .checked_add(1)
        .and_then(|n| n.checked_add(salt.len()))
        .filter(|n| salt.len() <= MAX_SALT_LEN && *n <= saltp.len())
        .ok_or(Error::CapacityExceeded {
            what: what!("string-to-key salt"),
        })?;
    let saltp = saltp.get_mut(..saltp_len).ok_or(Error::CapacityExceeded {
        what: what!("string-to-key salt"),
    })?;
    let (head, rest) = saltp
        .split_at_mut_checked(name.len())
        .ok_or(Error::CapacityExceeded {
            what: what!("string-to-key salt"),
        })?;
    head.copy_from_slice(name);
    let (zero, tail) = rest.split_first_mut().ok_or(Error::CapacityExceeded {
        what: what!("string-to-key salt"),
    })?;
    *zero = 0;
    tail.copy_from_slice(salt);

    let mut tkey = Zeroizing::new([0u8; 32]);
    let tkey = tkey
        .get_mut(..variant.key_len())
        .ok_or(Error::BufferTooSmall { needed: 32 })?;
    match variant {
        Variant::Aes128Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, saltp, iterations, tkey),
        Variant::Aes256Sha384 => pbkdf2::pbkdf2_hmac::<Sha384>(password, saltp, iterations, tkey),
    }
    kdf(variant, tkey, b"kerberos", out)
}

/// Derives the key for `usage` and `kind` (Ke: key length; Ki, Kc: MAC length)
/// into `out`, whose length selects the size.
pub(crate) fn derive(
    variant: Variant,
    base: &[u8],
    usage: u32,
    kind: u8,
    out: &mut [u8],
) -> Result<()> {
    kdf(variant, base, &usage_constant(usage, kind), out)
}

/// Encrypts `body` (`N | plaintext`, N in place) in place and writes the MAC
/// to `mac` (the variant's MAC length).
pub(crate) fn seal(
    variant: Variant,
    ke: &[u8],
    ki: &[u8],
    body: &mut Segments<'_>,
    mac: &mut [u8],
) -> Result<()> {
    let iv = [0u8; BLOCK_LEN];
    cts::encrypt_with(&AesEnc::new(ke)?, &iv, body)?;
    let [a, b, c] = body.parts();
    variant.hmac(ki, &[&iv, a, b, c], mac)
}

/// Checks `mac` over `body`, then decrypts `body` in place. On a bad MAC the
/// body is left as it was.
pub(crate) fn open(
    variant: Variant,
    ke: &[u8],
    ki: &[u8],
    body: &mut Segments<'_>,
    mac: &[u8],
) -> Result<()> {
    let len = body.len().saturating_add(mac.len());
    if mac.len() != variant.mac_len() || body.len() < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    let iv = [0u8; BLOCK_LEN];
    let mut expected = [0u8; 24];
    let expected_mac = expected
        .get_mut(..variant.mac_len())
        .ok_or(Error::BadCiphertextLength { len })?;
    let [a, b, c] = body.parts();
    variant.hmac(ki, &[&iv, a, b, c], expected_mac)?;
    let ok = ct_eq(expected_mac, mac);
    expected.zeroize();
    if !ok {
        return Err(Error::Integrity {
            what: what!("ciphertext checksum"),
        });
    }
    cts::decrypt_with(&AesDec::new(ke)?, &iv, body)?;
    Ok(())
}

/// hmac-sha256-128-aes128 / hmac-sha384-192-aes256: HMAC(Kc, data)[..h].
pub(crate) fn checksum(variant: Variant, kc: &[u8], data: &[&[u8]], out: &mut [u8]) -> Result<()> {
    variant.hmac(kc, data, out)
}
