//! AES in CBC mode with ciphertext stealing, as RFC 3962 section 5 defines it
//! for Kerberos (and RFC 8009 reuses).
//!
//! This is CBC over the message padded with zeros to whole blocks, after which
//! the last two ciphertext blocks are swapped and the (new) last one is cut to
//! the length of the final plaintext block. The swap happens even when the
//! message is a whole number of blocks; a one-block message is plain CBC.
//! Messages shorter than one block are not defined (Kerberos always prepends a
//! one-block confounder).
//!
//! Everything works in place on the caller's buffer, block by block.

use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    Array, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit, ParBlocks,
};
use aes::{Aes128Dec, Aes128Enc, Aes256Dec, Aes256Enc};
use zeroize::Zeroize;

use crate::{Error, Result};

/// The AES block size.
pub const BLOCK_LEN: usize = 16;

/// One AES block.
pub type Block = [u8; BLOCK_LEN];

fn bad_key(key: &[u8]) -> Error {
    Error::BadKeyLength {
        etype: 0,
        len: key.len(),
    }
}

/// An encrypt-only AES key schedule of either size: what CTS encryption and
/// RFC 3961 key derivation need (half the work and memory of a full
/// schedule). Only lives for one operation: keeping schedules in long-lived
/// state would cost far more RAM than the raw keys.
pub(crate) enum AesEnc {
    A128(Aes128Enc),
    A256(Aes256Enc),
}

impl AesEnc {
    pub(crate) fn new(key: &[u8]) -> Result<AesEnc> {
        match key.len() {
            16 => Aes128Enc::new_from_slice(key)
                .map(AesEnc::A128)
                .map_err(|_| bad_key(key)),
            32 => Aes256Enc::new_from_slice(key)
                .map(AesEnc::A256)
                .map_err(|_| bad_key(key)),
            _ => Err(bad_key(key)),
        }
    }

    /// Runs `f` with the cipher's backend: one dispatch (and, for VAES,
    /// one broadcast of the round keys, which costs more than encrypting a
    /// few blocks) for a whole operation.
    pub(crate) fn with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = U16>) {
        match self {
            AesEnc::A128(c) => c.encrypt_with_backend(f),
            AesEnc::A256(c) => c.encrypt_with_backend(f),
        }
    }
}

/// A decrypt-only AES key schedule of either size (see [`AesEnc`]).
pub(crate) enum AesDec {
    A128(Aes128Dec),
    A256(Aes256Dec),
}

impl AesDec {
    pub(crate) fn new(key: &[u8]) -> Result<AesDec> {
        match key.len() {
            16 => Aes128Dec::new_from_slice(key)
                .map(AesDec::A128)
                .map_err(|_| bad_key(key)),
            32 => Aes256Dec::new_from_slice(key)
                .map(AesDec::A256)
                .map_err(|_| bad_key(key)),
            _ => Err(bad_key(key)),
        }
    }

    fn with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = U16>) {
        match self {
            AesDec::A128(c) => c.decrypt_with_backend(f),
            AesDec::A256(c) => c.decrypt_with_backend(f),
        }
    }
}

/// A whole CTS operation as one backend call (see [`AesEnc::with_backend`]);
/// its outcome lands in `result`.
struct Cts<'a> {
    iv: &'a Block,
    buf: &'a mut [u8],
    result: &'a mut Result<Block>,
}

impl BlockSizeUser for Cts<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Cts<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        *self.result = cts_encrypt(backend, self.iv, self.buf);
    }
}

impl BlockCipherDecClosure for Cts<'_> {
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        *self.result = cts_decrypt(backend, self.iv, self.buf);
    }
}

/// CBC-encrypts whole blocks of `data` in place, chaining from `prev` (left
/// holding the last ciphertext block).
fn cbc_encrypt<B: BlockCipherEncBackend<BlockSize = U16>>(
    backend: &B,
    prev: &mut Block,
    data: &mut [u8],
) {
    let (blocks, _) = AesBlock::slice_as_chunks_mut(data);
    let mut chain = AesBlock::from(*prev);
    for block in blocks {
        chain = xor_blocks(&chain, block);
        backend.encrypt_block_inplace(&mut chain);
        *block = chain;
    }
    *prev = chain.into();
}

/// CBC-decrypts whole blocks of `data` in place, chaining from `prev` (left
/// holding the last ciphertext block). Decryption has no chain dependency, so
/// the blocks go through the cipher in groups as wide as the backend computes
/// in parallel (2 blocks for the 32-bit software AES, 8 for AES-NI, 64 for
/// VAES with AVX-512). Blocks short of a whole group are decrypted one by
/// one in place (their cipher calls still overlap: none waits for another),
/// so a short message never sets up or wipes a group-wide buffer (1 KiB
/// for VAES).
fn cbc_decrypt<B: BlockCipherDecBackend<BlockSize = U16>>(
    backend: &B,
    prev: &mut Block,
    data: &mut [u8],
) {
    let width = B::ParBlocksSize::USIZE;
    let (blocks, _) = AesBlock::slice_as_chunks_mut(data);
    let mut chain = AesBlock::from(*prev);
    let mut groups = blocks.chunks_exact_mut(width);
    if groups.len() != 0 {
        // The group's ciphertext stays in `data` until the chaining pass
        // overwrites it; the cipher works on a copy.
        let mut work = ParBlocks::<B>::default();
        for group in groups.by_ref() {
            for (w, c) in work.iter_mut().zip(group.iter()) {
                *w = *c;
            }
            backend.decrypt_par_blocks_inplace(&mut work);
            for (out, plain) in group.iter_mut().zip(work.iter()) {
                let cipher = *out;
                *out = xor_blocks(plain, &chain);
                chain = cipher;
            }
        }
        work.iter_mut().for_each(|b| b.as_mut_slice().zeroize());
    }
    for block in groups.into_remainder() {
        let cipher = *block;
        backend.decrypt_block_inplace(block);
        *block = xor_blocks(block, &chain);
        chain = cipher;
    }
    *prev = chain.into();
}

/// One AES block as the cipher crates take it.
type AesBlock = Array<u8, U16>;

/// XOR of two blocks as one 128-bit operation (a byte loop would sit on the
/// serial CBC chain).
fn xor_blocks(a: &AesBlock, b: &AesBlock) -> AesBlock {
    let x = u128::from_ne_bytes(a.0) ^ u128::from_ne_bytes(b.0);
    Array(x.to_ne_bytes())
}

fn xor_into(dst: &mut Block, src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d ^= s);
}

fn load(src: &[u8]) -> Result<Block> {
    let mut block = [0u8; BLOCK_LEN];
    block
        .get_mut(..src.len())
        .ok_or(Error::BadCiphertextLength { len: src.len() })?
        .copy_from_slice(src);
    Ok(block)
}

/// Number of blocks before the final (possibly partial) one, and the final
/// block's length (1..=16), for a message of `len > 16` bytes.
fn split(len: usize) -> Result<(usize, usize)> {
    let lead = len
        .checked_sub(1)
        .map(|l| l / BLOCK_LEN)
        .ok_or(Error::BadCiphertextLength { len })?;
    let last = len
        .checked_sub(
            lead.checked_mul(BLOCK_LEN)
                .ok_or(Error::BadCiphertextLength { len })?,
        )
        .ok_or(Error::BadCiphertextLength { len })?;
    Ok((lead, last))
}

/// Encrypts `buf` (at least one block) in place with raw key bytes (16 or 32)
/// and initial vector `iv`; returns the next cipher state (RFC 3962 section 5:
/// the second-to-last output block, or the only one). A key of another length
/// is `BadKeyLength` with etype 0 (raw AES has no etype number).
pub fn encrypt(key: &[u8], iv: &Block, buf: &mut [u8]) -> Result<Block> {
    encrypt_with(&AesEnc::new(key)?, iv, buf)
}

/// Decrypts `buf` in place; see [`encrypt`]. Returns the next cipher state.
pub fn decrypt(key: &[u8], iv: &Block, buf: &mut [u8]) -> Result<Block> {
    decrypt_with(&AesDec::new(key)?, iv, buf)
}

pub(crate) fn encrypt_with(aes: &AesEnc, iv: &Block, buf: &mut [u8]) -> Result<Block> {
    let mut result = Err(Error::WrongState);
    aes.with_backend(Cts {
        iv,
        buf,
        result: &mut result,
    });
    result
}

pub(crate) fn decrypt_with(aes: &AesDec, iv: &Block, buf: &mut [u8]) -> Result<Block> {
    let mut result = Err(Error::WrongState);
    aes.with_backend(Cts {
        iv,
        buf,
        result: &mut result,
    });
    result
}

fn cts_encrypt<B: BlockCipherEncBackend<BlockSize = U16>>(
    aes: &B,
    iv: &Block,
    buf: &mut [u8],
) -> Result<Block> {
    let len = buf.len();
    if len < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    if len == BLOCK_LEN {
        let mut block = load(buf)?;
        xor_into(&mut block, iv);
        aes.encrypt_block_inplace((&mut block).into());
        buf.copy_from_slice(&block);
        return Ok(block);
    }
    let (lead, last_len) = split(len)?;
    let (head, tail) = buf.split_at_mut(
        lead.checked_mul(BLOCK_LEN)
            .ok_or(Error::BadCiphertextLength { len })?,
    );

    // Plain CBC over every block before the final one.
    let mut prev = *iv;
    cbc_encrypt(aes, &mut prev, head);
    // `prev` is now the last full ciphertext block C[n-2]; the final plaintext
    // block, zero padded, chains from it.
    let mut stolen = load(tail)?;
    xor_into(&mut stolen, &prev);
    aes.encrypt_block_inplace((&mut stolen).into());

    // Swap: C[n-1] takes the place of C[n-2], which is cut to `last_len`.
    let second_last = head
        .rchunks_exact_mut(BLOCK_LEN)
        .next()
        .ok_or(Error::BadCiphertextLength { len })?;
    second_last.copy_from_slice(&stolen);
    tail.copy_from_slice(
        prev.get(..last_len)
            .ok_or(Error::BadCiphertextLength { len })?,
    );
    Ok(stolen)
}

fn cts_decrypt<B: BlockCipherDecBackend<BlockSize = U16>>(
    aes: &B,
    iv: &Block,
    buf: &mut [u8],
) -> Result<Block> {
    let len = buf.len();
    if len < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    if len == BLOCK_LEN {
        let cipher = load(buf)?;
        let mut block = cipher;
        aes.decrypt_block_inplace((&mut block).into());
        xor_into(&mut block, iv);
        buf.copy_from_slice(&block);
        return Ok(cipher);
    }
    let (lead, last_len) = split(len)?;
    let (head, tail) = buf.split_at_mut(
        lead.checked_mul(BLOCK_LEN)
            .ok_or(Error::BadCiphertextLength { len })?,
    );
    let (cbc_part, swapped) = head
        .split_at_mut_checked(
            head.len()
                .checked_sub(BLOCK_LEN)
                .ok_or(Error::BadCiphertextLength { len })?,
        )
        .ok_or(Error::BadCiphertextLength { len })?;

    let mut prev = *iv;
    cbc_decrypt(aes, &mut prev, cbc_part);

    // The block in the second-to-last position is the encryption of the
    // padded final plaintext chained from the original C[n-2]. Decrypting it
    // yields P[n-1] ^ C[n-2] on the first `last_len` bytes and, since the
    // padding was zero, the stolen tail of C[n-2] on the rest.
    let stolen = load(swapped)?;
    let mut mixed = stolen;
    aes.decrypt_block_inplace((&mut mixed).into());
    let mut original = load(tail)?;
    original
        .iter_mut()
        .zip(mixed.iter())
        .skip(last_len)
        .for_each(|(o, m)| *o = *m);
    xor_into(&mut mixed, &original);

    let mut second_last = original;
    aes.decrypt_block_inplace((&mut second_last).into());
    xor_into(&mut second_last, &prev);
    swapped.copy_from_slice(&second_last);
    tail.copy_from_slice(
        mixed
            .get(..last_len)
            .ok_or(Error::BadCiphertextLength { len })?,
    );
    Ok(stolen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length_across_decryption_groups() {
        // Decryption works in groups as wide as the backend (2, 8 or 64
        // blocks), encryption block by block: every length up to 20 blocks,
        // then lengths around one and two 64-block groups.
        let key = [7u8; 32];
        let iv = [0u8; 16];
        let long = [
            1023, 1024, 1025, 1039, 1040, 1041, 1056, 2047, 2048, 2049, 2080, 2100, 3000,
        ];
        for len in (16..=320).chain(long) {
            let plain: [u8; 3000] = core::array::from_fn(|i| (i * 31 + i / 256) as u8);
            let mut buf = plain;
            let next_enc = encrypt(&key, &iv, &mut buf[..len]).unwrap();
            // CBC property: a one-block change propagates to everything after it.
            let mut other = plain;
            other[0] ^= 1;
            encrypt(&key, &iv, &mut other[..len]).unwrap();
            assert_ne!(&other[len - 16..len], &buf[len - 16..len]);
            assert_ne!(&buf[..len], &plain[..len]);
            let next_dec = decrypt(&key, &iv, &mut buf[..len]).unwrap();
            assert_eq!(&buf[..len], &plain[..len], "len {len}");
            assert_eq!(next_enc, next_dec);
        }
    }

    #[test]
    fn short_messages_and_bad_keys_are_errors() {
        let mut buf = [0u8; 15];
        assert_eq!(
            encrypt(&[0; 16], &[0; 16], &mut buf),
            Err(Error::BadCiphertextLength { len: 15 })
        );
        assert_eq!(
            decrypt(&[0; 16], &[0; 16], &mut buf),
            Err(Error::BadCiphertextLength { len: 15 })
        );
        assert_eq!(
            encrypt(&[0; 24], &[0; 16], &mut [0; 16]),
            Err(Error::BadKeyLength { etype: 0, len: 24 })
        );
    }
}
