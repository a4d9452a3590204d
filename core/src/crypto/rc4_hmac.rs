//! RFC 4757: rc4-hmac (23) and its checksum hmac-md5 (-138).
//!
//! K1 = HMAC-MD5(K, T) for the (translated) usage T as a little-endian u32;
//! ciphertext = checksum | RC4(K3, confounder | plaintext) with
//! checksum = HMAC-MD5(K1, confounder | plaintext) and K3 = HMAC-MD5(K1, checksum).
//! The checksum covers the plaintext: decryption decrypts, verifies, and wipes
//! the decrypted bytes when the checksum is wrong.

use core::ops::Range;

use super::hash::{Md4, Md5};
use zeroize::{Zeroize, Zeroizing};

use super::mac::ct_eq;
use super::ntlm::Rc4Stream;
use crate::{Error, Result};

/// Key, K1, Ksign and checksum length.
pub(crate) const KEY_LEN: usize = 16;
/// Length of the checksum at the front of a ciphertext.
pub(crate) const CHECKSUM_LEN: usize = 16;
/// Length of the confounder after it.
pub(crate) const CONFOUNDER_LEN: usize = 8;
const HEADER_LEN: usize = CHECKSUM_LEN + CONFOUNDER_LEN;

/// RFC 4757 section 3: the RFC 4120 usage numbers Windows replaced with its own
/// "message types" (AS-REP and TGS-REP encrypted parts both use 8; the GSS
/// wrap signature uses 13). All others pass through.
pub(crate) const fn translate_usage(usage: u32) -> u32 {
    match usage {
        3 | 9 => 8,
        23 => 13,
        other => other,
    }
}

/// String-to-key: MD4 over the UTF-16LE form of the UTF-8 `password`
/// (the NT hash). Salt and parameters play no part.
pub(crate) fn string_to_key(password: &[u8], out: &mut [u8]) -> Result<()> {
    use digest::Digest;
    let text = core::str::from_utf8(password).map_err(|_| Error::Malformed {
        what: what!("password (not UTF-8)"),
    })?;
    let mut md4 = Md4::new();
    for unit in text.encode_utf16() {
        let mut le = unit.to_le_bytes();
        md4.update(le);
        le.zeroize();
    }
    let mut hash = md4.finalize();
    out.copy_from_slice(
        hash.get(..out.len())
            .ok_or(Error::BufferTooSmall { needed: KEY_LEN })?,
    );
    hash.as_mut_slice().zeroize();
    Ok(())
}

/// Every rc4-hmac key (K, K1, K3, Ksign) is 16 bytes: NTLM's HMAC-MD5 and RC4
/// for 16-byte keys serve it (one copy of each in the image).
fn key16(key: &[u8]) -> Result<&[u8; KEY_LEN]> {
    key.try_into()
        .map_err(|_| Error::BadKeyLength { len: key.len() })
}

/// HMAC-MD5 of the concatenation of `parts` under a 16-byte key, written
/// (truncated) to `out`.
fn hmac(key: &[u8], parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let mac = Zeroizing::new(super::ntlm::hmac_md5(key16(key)?, parts));
    let head = mac
        .get(..out.len())
        .ok_or(Error::BufferTooSmall { needed: mac.len() })?;
    out.copy_from_slice(head);
    Ok(())
}

/// K1 for a message type (already translated).
pub(crate) fn usage_key(key: &[u8], message_type: u32, out: &mut [u8]) -> Result<()> {
    hmac(key, &[&message_type.to_le_bytes()], out)
}

/// Ksign = HMAC-MD5(K, "signaturekey\0") (RFC 4757 section 4).
pub(crate) fn signing_key(key: &[u8], out: &mut [u8]) -> Result<()> {
    hmac(key, &[b"signaturekey\0"], out)
}

/// Encrypts `buf[24..24 + plaintext_len]` in place; returns the ciphertext length.
pub(crate) fn encrypt(
    k1: &[u8],
    confounder: &[u8],
    buf: &mut [u8],
    plaintext_len: usize,
) -> Result<usize> {
    let total = HEADER_LEN
        .checked_add(plaintext_len)
        .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
    let buf = buf
        .get_mut(..total)
        .ok_or(Error::BufferTooSmall { needed: total })?;
    let (checksum, body) = buf
        .split_at_mut_checked(CHECKSUM_LEN)
        .ok_or(Error::BufferTooSmall { needed: total })?;
    body.get_mut(..CONFOUNDER_LEN)
        .filter(|_| confounder.len() == CONFOUNDER_LEN)
        .ok_or(Error::Malformed {
            what: what!("confounder length"),
        })?
        .copy_from_slice(confounder);
    hmac(k1, &[body], checksum)?;
    let mut k3 = Zeroizing::new([0u8; KEY_LEN]);
    hmac(k1, &[checksum], k3.as_mut_slice())?;
    Rc4Stream::new(&k3).apply(body);
    Ok(total)
}

/// Decrypts and verifies `buf` with K1 (and, if given, a second K1 tried when
/// the first does not verify). Returns the plaintext range.
pub(crate) fn decrypt(k1: &[u8], alternate: Option<&[u8]>, buf: &mut [u8]) -> Result<Range<usize>> {
    let len = buf.len();
    if len < HEADER_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    let (checksum, body) = buf
        .split_at_mut_checked(CHECKSUM_LEN)
        .ok_or(Error::BadCiphertextLength { len })?;
    if try_key(k1, checksum, body)? {
        return Ok(HEADER_LEN..len);
    }
    if let Some(k1) = alternate {
        if try_key(k1, checksum, body)? {
            return Ok(HEADER_LEN..len);
        }
    }
    body.zeroize();
    Err(Error::Integrity {
        what: what!("ciphertext checksum"),
    })
}

/// Decrypts `body` with the keys from `k1` and checks the checksum; if it is
/// wrong, re-encrypts so the next candidate key starts from the ciphertext.
fn try_key(k1: &[u8], checksum: &[u8], body: &mut [u8]) -> Result<bool> {
    let mut k3 = Zeroizing::new([0u8; KEY_LEN]);
    hmac(k1, &[checksum], k3.as_mut_slice())?;
    Rc4Stream::new(&k3).apply(body);
    let mut expected = [0u8; CHECKSUM_LEN];
    hmac(k1, &[body], &mut expected)?;
    let ok = ct_eq(&expected, checksum);
    expected.zeroize();
    if !ok {
        Rc4Stream::new(&k3).apply(body);
    }
    Ok(ok)
}

/// hmac-md5: HMAC-MD5(Ksign, MD5(T | data)) with T the translated usage.
pub(crate) fn checksum(
    ksign: &[u8],
    message_type: u32,
    data: &[&[u8]],
    out: &mut [u8],
) -> Result<()> {
    let mut inner = Zeroizing::new([0u8; 16]);
    let usage = message_type.to_le_bytes();
    // MD5 over the usage followed by every piece, without a contiguous copy.
    {
        use digest::Digest;
        let mut md5 = Md5::new();
        md5.update(usage);
        for part in data {
            md5.update(part);
        }
        let mut hash = md5.finalize();
        inner.copy_from_slice(hash.as_slice());
        hash.as_mut_slice().zeroize();
    }
    hmac(ksign, &[inner.as_slice()], out)
}
