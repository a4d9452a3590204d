//! RFC 3961 section 6.2: des-cbc-md5 (3) and its checksum rsa-md5-des (8).
//! Broken crypto, compiled only with the `legacy` feature.
//!
//! Ciphertext = DES-CBC(key, IV 0, confounder(8) | MD5 checksum(16) | plaintext | zero pad to 8),
//! where the checksum is taken over the same layout with the checksum field zeroed.

use core::ops::Range;

use super::hash::Md5;
use des::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use des::Des;
use zeroize::{Zeroize, Zeroizing};

use super::mac::{ct_eq, hash_into};
use crate::{Error, Result};

/// DES key length.
pub(crate) const KEY_LEN: usize = 8;
const BLOCK: usize = 8;
/// confounder + MD5.
pub(crate) const HEADER_LEN: usize = 24;
/// Longest padding after the plaintext.
pub(crate) const MAX_PADDING: usize = 7;
/// rsa-md5-des checksum length: encrypted confounder + MD5.
pub(crate) const CHECKSUM_LEN: usize = 24;

type DesBlock = [u8; BLOCK];

/// The 4 weak and 12 semi-weak DES keys (FIPS 74), which RFC 3961 section 6.2
/// corrects by XORing the last byte with 0xF0.
const WEAK_KEYS: [DesBlock; 16] = [
    [0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01],
    [0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE, 0xFE],
    [0x1F, 0x1F, 0x1F, 0x1F, 0x0E, 0x0E, 0x0E, 0x0E],
    [0xE0, 0xE0, 0xE0, 0xE0, 0xF1, 0xF1, 0xF1, 0xF1],
    [0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE],
    [0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01, 0xFE, 0x01],
    [0x1F, 0xE0, 0x1F, 0xE0, 0x0E, 0xF1, 0x0E, 0xF1],
    [0xE0, 0x1F, 0xE0, 0x1F, 0xF1, 0x0E, 0xF1, 0x0E],
    [0x01, 0xE0, 0x01, 0xE0, 0x01, 0xF1, 0x01, 0xF1],
    [0xE0, 0x01, 0xE0, 0x01, 0xF1, 0x01, 0xF1, 0x01],
    [0x1F, 0xFE, 0x1F, 0xFE, 0x0E, 0xFE, 0x0E, 0xFE],
    [0xFE, 0x1F, 0xFE, 0x1F, 0xFE, 0x0E, 0xFE, 0x0E],
    [0x01, 0x1F, 0x01, 0x1F, 0x01, 0x0E, 0x01, 0x0E],
    [0x1F, 0x01, 0x1F, 0x01, 0x0E, 0x01, 0x0E, 0x01],
    [0xE0, 0xFE, 0xE0, 0xFE, 0xF1, 0xFE, 0xF1, 0xFE],
    [0xFE, 0xE0, 0xFE, 0xE0, 0xFE, 0xF1, 0xFE, 0xF1],
];

/// Sets each byte's low bit so the byte has odd parity.
fn fix_parity(key: &mut DesBlock) {
    for b in key.iter_mut() {
        let high = *b & 0xFE;
        *b = high | u8::from(high.count_ones() % 2 == 0);
    }
}

/// RFC 3961 key_correction: odd parity, then weak keys XOR 0xF0 in the last byte.
pub(crate) fn key_correction(key: &mut DesBlock) {
    fix_parity(key);
    if WEAK_KEYS.contains(key) {
        if let Some(last) = key.last_mut() {
            *last ^= 0xF0;
        }
    }
}

fn cipher(key: &[u8]) -> Result<Des> {
    Des::new_from_slice(key).map_err(|_| Error::BadKeyLength { len: key.len() })
}

/// Feeds the concatenation of `parts`, zero padded to whole 8-byte blocks, to
/// `f` one block at a time, without a contiguous copy. Returns the block count.
fn for_each_padded_block(parts: &[&[u8]], mut f: impl FnMut(&DesBlock)) -> usize {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    let mut fill = 0usize;
    let mut count = 0usize;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        if let Some(slot) = block.get_mut(fill) {
            *slot = *byte;
        }
        fill = fill.wrapping_add(1);
        if fill == BLOCK {
            f(&block);
            count = count.wrapping_add(1);
            fill = 0;
        }
    }
    if fill != 0 {
        block.iter_mut().skip(fill).for_each(|b| *b = 0);
        f(&block);
        count = count.wrapping_add(1);
    }
    count
}

/// mit_des_string_to_key (RFC 3961 section 6.2): fan-fold password | salt
/// into 56 bits (every other block bit-reversed), fix the key, then use it as
/// key and IV of a DES-CBC checksum over the same padded string.
pub(crate) fn string_to_key(password: &[u8], salt: &[u8], out: &mut DesBlock) -> Result<()> {
    let parts = [password, salt];
    let mut folded = Zeroizing::new([0u8; BLOCK]);
    let mut odd = true;
    let blocks = for_each_padded_block(&parts, |block| {
        if odd {
            // Drop each byte's top bit; the 7 bits land in the key byte's high bits.
            folded
                .iter_mut()
                .zip(block)
                .for_each(|(f, b)| *f ^= (b & 0x7F) << 1);
        } else {
            // The 56-bit string reversed: key byte i gets byte 7-i with its bits reversed.
            folded
                .iter_mut()
                .zip(block.iter().rev())
                .for_each(|(f, b)| *f ^= b.reverse_bits() & 0xFE);
        }
        odd = !odd;
    });
    if blocks == 0 {
        return Err(Error::Malformed {
            what: what!("password and salt (empty)"),
        });
    }
    key_correction(&mut folded);

    let des = cipher(folded.as_slice())?;
    let mut chain = Zeroizing::new(*folded);
    for_each_padded_block(&parts, |block| {
        chain.iter_mut().zip(block).for_each(|(c, b)| *c ^= b);
        des.encrypt_block((&mut *chain).into());
    });
    key_correction(&mut chain);
    *out = *chain;
    Ok(())
}

fn cbc_encrypt(des: &Des, buf: &mut [u8]) {
    let mut prev = [0u8; BLOCK];
    for chunk in buf.chunks_exact_mut(BLOCK) {
        prev.iter_mut().zip(chunk.iter()).for_each(|(p, c)| *p ^= c);
        des.encrypt_block((&mut prev).into());
        chunk.copy_from_slice(&prev);
    }
}

fn cbc_decrypt(des: &Des, buf: &mut [u8]) {
    let mut prev = [0u8; BLOCK];
    for chunk in buf.chunks_exact_mut(BLOCK) {
        let mut block = [0u8; BLOCK];
        block.copy_from_slice(chunk);
        let cipher = block;
        des.decrypt_block((&mut block).into());
        block.iter_mut().zip(prev.iter()).for_each(|(b, p)| *b ^= p);
        chunk.copy_from_slice(&block);
        prev = cipher;
        block.zeroize();
    }
}

/// Ciphertext length for a plaintext length.
pub(crate) const fn ciphertext_len(plaintext_len: usize) -> Option<usize> {
    match HEADER_LEN.checked_add(plaintext_len) {
        Some(n) => match n.checked_add(MAX_PADDING) {
            Some(m) => Some(m & !(BLOCK - 1)),
            None => None,
        },
        None => None,
    }
}

/// Encrypts `buf[24..24 + plaintext_len]` in place; returns the padded length.
pub(crate) fn encrypt(
    key: &[u8],
    confounder: &[u8],
    buf: &mut [u8],
    plaintext_len: usize,
) -> Result<usize> {
    let total =
        ciphertext_len(plaintext_len).ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
    let unpadded = HEADER_LEN.wrapping_add(plaintext_len);
    let buf = buf
        .get_mut(..total)
        .ok_or(Error::BufferTooSmall { needed: total })?;
    buf.get_mut(..BLOCK)
        .filter(|_| confounder.len() == BLOCK)
        .ok_or(Error::Malformed {
            what: what!("confounder length"),
        })?
        .copy_from_slice(confounder);
    buf.iter_mut()
        .enumerate()
        .filter(|(i, _)| (BLOCK..HEADER_LEN).contains(i) || *i >= unpadded)
        .for_each(|(_, b)| *b = 0);
    let mut digest = Zeroizing::new([0u8; 16]);
    hash_into::<Md5>(&[buf], digest.as_mut_slice())?;
    buf.get_mut(BLOCK..HEADER_LEN)
        .ok_or(Error::BufferTooSmall { needed: total })?
        .copy_from_slice(digest.as_slice());
    cbc_encrypt(&cipher(key)?, buf);
    Ok(total)
}

/// Decrypts and verifies `buf`; the returned range includes the zero padding
/// (des-cbc-md5 does not record the plaintext length).
pub(crate) fn decrypt(key: &[u8], buf: &mut [u8]) -> Result<Range<usize>> {
    let len = buf.len();
    if len < HEADER_LEN || len % BLOCK != 0 {
        return Err(Error::BadCiphertextLength { len });
    }
    cbc_decrypt(&cipher(key)?, buf);
    let mut received = Zeroizing::new([0u8; 16]);
    let field = buf
        .get_mut(BLOCK..HEADER_LEN)
        .ok_or(Error::BadCiphertextLength { len })?;
    received.copy_from_slice(field);
    field.fill(0);
    let mut expected = Zeroizing::new([0u8; 16]);
    hash_into::<Md5>(&[buf], expected.as_mut_slice())?;
    if !ct_eq(expected.as_slice(), received.as_slice()) {
        buf.zeroize();
        return Err(Error::Integrity {
            what: what!("ciphertext checksum"),
        });
    }
    Ok(HEADER_LEN..len)
}

/// Verifies an rsa-md5-des checksum: DES-CBC(key XOR F0.., IV 0) over
/// confounder | MD5(confounder | data).
pub(crate) fn verify_checksum(key: &[u8], data: &[&[u8]], checksum: &[u8]) -> Result<()> {
    let mut plain = Zeroizing::new([0u8; CHECKSUM_LEN]);
    if checksum.len() != CHECKSUM_LEN {
        return Err(Error::Malformed {
            what: what!("checksum length"),
        });
    }
    plain.copy_from_slice(checksum);
    let mut variant = Zeroizing::new([0u8; KEY_LEN]);
    variant.iter_mut().zip(key).for_each(|(v, k)| *v = k ^ 0xF0);
    cbc_decrypt(&cipher(variant.as_slice())?, plain.as_mut_slice());
    let (confounder, digest) = plain.split_at(BLOCK);
    let mut expected = Zeroizing::new([0u8; 16]);
    {
        use digest::Digest;
        let mut md5 = Md5::new();
        md5.update(confounder);
        for part in data {
            md5.update(part);
        }
        let mut hash = md5.finalize();
        expected.copy_from_slice(hash.as_slice());
        hash.as_mut_slice().zeroize();
    }
    if ct_eq(expected.as_slice(), digest) {
        Ok(())
    } else {
        Err(Error::Integrity {
            what: what!("checksum"),
        })
    }
}

/// Builds an rsa-md5-des checksum with the given confounder (tests; the
/// generic checksum API has no RNG to draw one).
#[cfg(test)]
pub(crate) fn checksum_with_confounder(
    key: &[u8],
    confounder: &[u8; 8],
    data: &[&[u8]],
) -> [u8; CHECKSUM_LEN] {
    use digest::Digest;
    let mut out = [0u8; CHECKSUM_LEN];
    out[..8].copy_from_slice(confounder);
    let mut md5 = Md5::new();
    md5.update(confounder);
    for part in data {
        md5.update(part);
    }
    out[8..].copy_from_slice(&md5.finalize());
    let variant: [u8; 8] = core::array::from_fn(|i| key[i] ^ 0xF0);
    cbc_encrypt(&cipher(&variant).unwrap(), &mut out);
    out
}
