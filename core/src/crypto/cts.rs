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
use aes::cipher::{
    Array, BlockCipherDecrypt, BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt,
    BlockSizeUser, KeyInit,
};
use aes::{Aes128, Aes256};
use zeroize::Zeroize;

use crate::{Error, Result};

/// The AES block size.
pub const BLOCK_LEN: usize = 16;

/// One AES block.
pub type Block = [u8; BLOCK_LEN];

/// An AES key schedule of either size. Only lives for one operation: keeping
/// schedules in long-lived state would cost far more RAM than the raw keys.
pub(crate) enum Aes {
    A128(Aes128),
    A256(Aes256),
}

impl Aes {
    pub(crate) fn new(key: &[u8]) -> Result<Aes> {
        let bad = Error::BadKeyLength {
            etype: 0,
            len: key.len(),
        };
        match key.len() {
            16 => Aes128::new_from_slice(key).map(Aes::A128).map_err(|_| bad),
            32 => Aes256::new_from_slice(key).map(Aes::A256).map_err(|_| bad),
            _ => Err(bad),
        }
    }

    pub(crate) fn encrypt(&self, block: &mut Block) {
        match self {
            Aes::A128(c) => c.encrypt_block(block.into()),
            Aes::A256(c) => c.encrypt_block(block.into()),
        }
    }

    pub(crate) fn decrypt(&self, block: &mut Block) {
        match self {
            Aes::A128(c) => c.decrypt_block(block.into()),
            Aes::A256(c) => c.decrypt_block(block.into()),
        }
    }

    /// CBC-encrypts whole blocks of `data` in place, chaining from `prev`
    /// (left holding the last ciphertext block). One backend call for the
    /// whole run keeps the round keys loaded instead of dispatching per block.
    fn cbc_encrypt(&self, prev: &mut Block, data: &mut [u8]) {
        let run = CbcEncrypt { prev, data };
        match self {
            Aes::A128(c) => c.encrypt_with_backend(run),
            Aes::A256(c) => c.encrypt_with_backend(run),
        }
    }

    /// CBC-decrypts whole blocks of `data` in place, chaining from `prev`
    /// (left holding the last ciphertext block). Decryption has no chain
    /// dependency, so blocks go to the cipher in groups it can run in parallel.
    fn cbc_decrypt(&self, prev: &mut Block, data: &mut [u8]) {
        const GROUP: usize = 8;
        let mut saved = [[0u8; BLOCK_LEN]; GROUP];
        for group in data.chunks_mut(GROUP * BLOCK_LEN) {
            // The ciphertext is needed for chaining after it is overwritten.
            saved
                .iter_mut()
                .zip(group.chunks_exact(BLOCK_LEN))
                .for_each(|(s, c)| s.copy_from_slice(c));
            let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(group);
            match self {
                Aes::A128(c) => c.decrypt_blocks(blocks),
                Aes::A256(c) => c.decrypt_blocks(blocks),
            }
            let mut chain: &Block = prev;
            for (plain, cipher) in group.chunks_exact_mut(BLOCK_LEN).zip(saved.iter()) {
                plain
                    .iter_mut()
                    .zip(chain.iter())
                    .for_each(|(p, c)| *p ^= c);
                chain = cipher;
            }
            *prev = *chain;
        }
        saved.zeroize();
    }
}

struct CbcEncrypt<'a> {
    prev: &'a mut Block,
    data: &'a mut [u8],
}

impl BlockSizeUser for CbcEncrypt<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for CbcEncrypt<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        for chunk in self.data.chunks_exact_mut(BLOCK_LEN) {
            xor_into(self.prev, chunk);
            backend.encrypt_block_inplace(self.prev.into());
            chunk.copy_from_slice(self.prev.as_slice());
        }
    }
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
    encrypt_with(&Aes::new(key)?, iv, buf)
}

/// Decrypts `buf` in place; see [`encrypt`]. Returns the next cipher state.
pub fn decrypt(key: &[u8], iv: &Block, buf: &mut [u8]) -> Result<Block> {
    decrypt_with(&Aes::new(key)?, iv, buf)
}

pub(crate) fn encrypt_with(aes: &Aes, iv: &Block, buf: &mut [u8]) -> Result<Block> {
    let len = buf.len();
    if len < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    if len == BLOCK_LEN {
        let mut block = load(buf)?;
        xor_into(&mut block, iv);
        aes.encrypt(&mut block);
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
    aes.cbc_encrypt(&mut prev, head);
    // `prev` is now the last full ciphertext block C[n-2]; the final plaintext
    // block, zero padded, chains from it.
    let mut stolen = load(tail)?;
    xor_into(&mut stolen, &prev);
    aes.encrypt(&mut stolen);

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

pub(crate) fn decrypt_with(aes: &Aes, iv: &Block, buf: &mut [u8]) -> Result<Block> {
    let len = buf.len();
    if len < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    if len == BLOCK_LEN {
        let cipher = load(buf)?;
        let mut block = cipher;
        aes.decrypt(&mut block);
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
    aes.cbc_decrypt(&mut prev, cbc_part);

    // The block in the second-to-last position is the encryption of the
    // padded final plaintext chained from the original C[n-2]. Decrypting it
    // yields P[n-1] ^ C[n-2] on the first `last_len` bytes and, since the
    // padding was zero, the stolen tail of C[n-2] on the rest.
    let stolen = load(swapped)?;
    let mut mixed = stolen;
    aes.decrypt(&mut mixed);
    let mut original = load(tail)?;
    original
        .iter_mut()
        .zip(mixed.iter())
        .skip(last_len)
        .for_each(|(o, m)| *o = *m);
    xor_into(&mut mixed, &original);

    let mut second_last = original;
    aes.decrypt(&mut second_last);
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
        // Up to 20 blocks: decryption works in groups of 8, encryption block
        // by block, so this crosses every group boundary case.
        let key = [7u8; 32];
        let iv = [0u8; 16];
        for len in 16..=320 {
            let plain: [u8; 320] = core::array::from_fn(|i| (i * 31) as u8);
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
