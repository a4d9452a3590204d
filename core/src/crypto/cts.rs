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
//! Everything works in place on the caller's buffer, which may be split into
//! pieces (`Segments`: a GSS IOV token's header, data and trailer): runs of
//! blocks inside one piece are processed where they lie (so a single buffer
//! keeps the fast path, parallel decryption included), a block straddling two
//! pieces through a 16-byte copy.

use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    Array, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit, ParBlocks,
    ParBlocksSizeUser,
};
use aes::{Aes128Dec, Aes128Enc, Aes256Dec, Aes256Enc};
use zeroize::Zeroize;

use super::iov::Segments;
use crate::{Error, Result};

/// The AES block size.
pub const BLOCK_LEN: usize = 16;

/// One AES block.
pub type Block = [u8; BLOCK_LEN];

fn bad_key(key: &[u8]) -> Error {
    Error::BadKeyLength { len: key.len() }
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
struct Cts<'a, 'b> {
    iv: &'a Block,
    buf: &'a mut Segments<'b>,
    result: &'a mut Result<Block>,
}

impl BlockSizeUser for Cts<'_, '_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Cts<'_, '_> {
    // Into the backend's caller, which carries its target features (AES-NI):
    // only there can the block functions inline into the CBC loops.
    #[cfg_attr(authcore_host, inline(always))]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let backend = Backend(backend);
        *self.result = if batch_is_cheap::<B>() {
            cts_encrypt(&backend as &dyn EncryptBlocks, self.iv, self.buf)
        } else {
            cts_encrypt(&backend, self.iv, self.buf)
        };
    }
}

impl BlockCipherDecClosure for Cts<'_, '_> {
    // Into the backend's caller, which carries its target features (AES-NI):
    // only there can the block functions inline into the CBC loops.
    #[cfg_attr(authcore_host, inline(always))]
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        let backend = Backend(backend);
        *self.result = if batch_is_cheap::<B>() {
            cts_decrypt(&backend as &dyn DecryptBlocks, self.iv, self.buf)
        } else {
            cts_decrypt(&backend, self.iv, self.buf)
        };
    }
}

/// A cipher backend as the CTS and RFC 3961 code drive it. On the bitsliced
/// software AES (see [`batch_is_cheap`]) that code runs over a trait object,
/// so it exists once rather than once per key size (about 1 KB of flash on
/// thumbv7em; an indirect call is nothing next to a software AES block);
/// hardware backends keep their own inlined copy.
pub(crate) struct Backend<'a, B>(pub(crate) &'a B);

/// Block encryption (see [`Backend`]).
pub(crate) trait EncryptBlocks {
    /// Encrypts one block in place.
    fn encrypt(&self, block: &mut Block);
}

impl<B: BlockCipherEncBackend<BlockSize = U16>> EncryptBlocks for Backend<'_, B> {
    fn encrypt(&self, block: &mut Block) {
        self.0.encrypt_block_inplace(block.into());
    }
}

/// Block decryption (see [`Backend`]).
trait DecryptBlocks {
    /// Decrypts one block in place.
    fn decrypt(&self, block: &mut Block);
    /// CBC-decrypts whole blocks of `data` in place, chaining from `prev`
    /// (left holding the last ciphertext block).
    fn cbc_decrypt(&self, prev: &mut Block, data: &mut [u8]);
}

impl<B: BlockCipherDecBackend<BlockSize = U16>> DecryptBlocks for Backend<'_, B> {
    fn decrypt(&self, block: &mut Block) {
        decrypt_block(self.0, block);
    }

    fn cbc_decrypt(&self, prev: &mut Block, data: &mut [u8]) {
        cbc_decrypt(self.0, prev, data);
    }
}

/// CBC-encrypts whole blocks of `data` in place, chaining from `prev` (left
/// holding the last ciphertext block).
fn cbc_encrypt<E: EncryptBlocks + ?Sized>(aes: &E, prev: &mut Block, data: &mut [u8]) {
    let mut chain = *prev;
    for block in data
        .chunks_exact_mut(BLOCK_LEN)
        .filter_map(|b| <&mut Block>::try_from(b).ok())
    {
        chain = xor_blocks(&chain, block);
        aes.encrypt(&mut chain);
        *block = chain;
    }
    *prev = chain;
}

/// CBC-decrypts whole blocks of `data` in place, chaining from `prev` (left
/// holding the last ciphertext block). Decryption has no chain dependency, so
/// the blocks go through the cipher in groups as wide as the backend computes
/// in parallel (2 blocks for the 32-bit software AES, 8 for AES-NI, 64 for
/// VAES with AVX-512).
fn cbc_decrypt<B: BlockCipherDecBackend<BlockSize = U16>>(
    backend: &B,
    prev: &mut Block,
    data: &mut [u8],
) {
    let width = B::ParBlocksSize::USIZE;
    let (blocks, _) = AesBlock::slice_as_chunks_mut(data);
    let mut chain = AesBlock::from(*prev);
    // Hardware backends: a message shorter than one group goes block by
    // block in place, without setting up and wiping a group-wide buffer
    // (1 KiB for VAES); the blocks' cipher calls still overlap.
    if !batch_is_cheap::<B>() && blocks.len() < width {
        for block in blocks.iter_mut() {
            let cipher = *block;
            backend.decrypt_block_inplace(block);
            *block = Array(xor_blocks(&block.0, &chain.0));
            chain = cipher;
        }
        *prev = chain.into();
        return;
    }
    // The group's ciphertext stays in `data` until the chaining pass
    // overwrites it; the cipher works on a copy.
    let mut work = ParBlocks::<B>::default();
    for group in blocks.chunks_mut(width) {
        for (w, c) in work.iter_mut().zip(group.iter()) {
            *w = *c;
        }
        let n = group.len();
        if n == width || batch_is_cheap::<B>() {
            backend.decrypt_par_blocks_inplace(&mut work);
        } else if let Some(tail) = work.get_mut(..n) {
            backend.decrypt_tail_blocks_inplace(tail);
        }
        for (out, plain) in group.iter_mut().zip(work.iter()) {
            let cipher = *out;
            *out = Array(xor_blocks(&plain.0, &chain.0));
            chain = cipher;
        }
    }
    *prev = chain.into();
    // One wipe of the whole group (a slice wipe per block is a fill and an
    // optimization barrier each: 64 of them on VAES).
    AesBlock::slice_as_flattened_mut(work.as_mut_slice()).zeroize();
}

/// True for backends whose whole batch costs what one block does: the
/// bitsliced software AES (2 blocks on 32-bit targets, 4 on 64-bit ones)
/// computes every lane of its words at once. Their short groups and single
/// blocks go through the batch too, so the single-block decryption (a second
/// copy of the inverse cipher, about 2 KB of flash on thumbv7em) is never
/// instantiated. Hardware backends (8 or more blocks) decrypt short groups
/// block by block.
pub(crate) const fn batch_is_cheap<B: ParBlocksSizeUser>() -> bool {
    B::ParBlocksSize::USIZE <= 4
}

/// Decrypts one block in place (see [`batch_is_cheap`]).
fn decrypt_block<B: BlockCipherDecBackend<BlockSize = U16>>(backend: &B, block: &mut Block) {
    if batch_is_cheap::<B>() {
        let mut work = ParBlocks::<B>::default();
        if let Some(first) = work.first_mut() {
            *first = AesBlock::from(*block);
        }
        backend.decrypt_par_blocks_inplace(&mut work);
        if let Some(first) = work.first() {
            *block = (*first).into();
        }
        work.iter_mut().for_each(|b| b.as_mut_slice().zeroize());
    } else {
        backend.decrypt_block_inplace(block.into());
    }
}

/// One AES block as the cipher crates take it.
type AesBlock = Array<u8, U16>;

/// XOR of two blocks as one 128-bit operation (a byte loop would sit on the
/// serial CBC chain).
fn xor_blocks(a: &Block, b: &Block) -> Block {
    (u128::from_ne_bytes(*a) ^ u128::from_ne_bytes(*b)).to_ne_bytes()
}

fn xor_into(dst: &mut Block, src: &[u8]) {
    dst.iter_mut().zip(src).for_each(|(d, s)| *d ^= s);
}

/// Number of blocks before the final (possibly partial) one, and the final
/// block's length (1..=16), for a message of `len >= 16` bytes.
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
/// is `BadKeyLength`.
pub fn encrypt(key: &[u8], iv: &Block, buf: &mut [u8]) -> Result<Block> {
    encrypt_with(&AesEnc::new(key)?, iv, &mut Segments::one(buf))
}

/// Decrypts `buf` in place; see [`encrypt`]. Returns the next cipher state.
pub fn decrypt(key: &[u8], iv: &Block, buf: &mut [u8]) -> Result<Block> {
    decrypt_with(&AesDec::new(key)?, iv, &mut Segments::one(buf))
}

/// Encrypts the concatenation of `buf`'s pieces in place; see [`encrypt`].
pub(crate) fn encrypt_with(aes: &AesEnc, iv: &Block, buf: &mut Segments<'_>) -> Result<Block> {
    let mut result = Err(Error::WrongState);
    aes.with_backend(Cts {
        iv,
        buf,
        result: &mut result,
    });
    result
}

/// Decrypts the concatenation of `buf`'s pieces in place; see [`encrypt`].
pub(crate) fn decrypt_with(aes: &AesDec, iv: &Block, buf: &mut Segments<'_>) -> Result<Block> {
    let mut result = Err(Error::WrongState);
    aes.with_backend(Cts {
        iv,
        buf,
        result: &mut result,
    });
    result
}

/// CBC over the bytes `..end` of `buf` (whole blocks), chaining from `prev`:
/// runs of blocks inside one piece go to `cbc` where they lie, a block that
/// straddles two pieces through a copy. Generic over `cbc`, not a trait
/// object: on x86 the AES-NI block functions carry a target feature and can
/// only be inlined into a caller instantiated for the backend; behind a
/// `dyn FnMut` every block became a call (Wrap+Unwrap 17 % slower at 64 KiB).
// Inlined where hardware AES backends exist, into the backend's
// target-feature context (see `Cts::call`); one shared copy elsewhere.
#[cfg_attr(authcore_host, inline(always))]
fn cbc_pieces<F: FnMut(&mut Block, &mut [u8])>(
    buf: &mut Segments<'_>,
    end: usize,
    prev: &mut Block,
    cbc: &mut F,
) -> Result<()> {
    let mut at = 0usize;
    let mut block = [0u8; BLOCK_LEN];
    while at < end {
        let run_len = buf.run(at, end.saturating_sub(at)).len();
        let whole = run_len.saturating_sub(run_len % BLOCK_LEN);
        // One call site for `cbc`, so that it inlines.
        let straddles = whole == 0;
        if straddles {
            buf.copy(at, &mut block, false)?;
        }
        let target = if straddles {
            block.as_mut_slice()
        } else {
            buf.run(at, whole)
        };
        cbc(prev, target);
        let done = target.len();
        if straddles {
            buf.copy(at, &mut block, true)?;
        }
        at = at.saturating_add(done);
    }
    block.zeroize();
    Ok(())
}

/// Offset of the final (possibly partial) block and its length, for a
/// message of at least one block.
fn final_block(len: usize) -> Result<(usize, usize)> {
    if len < BLOCK_LEN {
        return Err(Error::BadCiphertextLength { len });
    }
    let (lead, last_len) = split(len)?;
    let at = lead
        .checked_mul(BLOCK_LEN)
        .ok_or(Error::BadCiphertextLength { len })?;
    Ok((at, last_len))
}

// Inlined where hardware AES backends exist, into the backend's
// target-feature context (see `Cts::call`); one shared copy elsewhere.
#[cfg_attr(authcore_host, inline(always))]
fn cts_encrypt<E: EncryptBlocks + ?Sized>(
    aes: &E,
    iv: &Block,
    buf: &mut Segments<'_>,
) -> Result<Block> {
    let len = buf.len();
    let (last_at, last_len) = final_block(len)?;
    let bad = Error::BadCiphertextLength { len };
    // Plain CBC over every block before the final one (a one-block message
    // is plain CBC and ends here).
    let mut prev = *iv;
    cbc_pieces(buf, last_at.max(BLOCK_LEN), &mut prev, &mut |p, d| {
        cbc_encrypt(aes, p, d)
    })?;
    let Some(second_last_at) = last_at.checked_sub(BLOCK_LEN) else {
        return Ok(prev);
    };
    // `prev` is now the last full ciphertext block C[n-2]; the final plaintext
    // block, zero padded, chains from it.
    let mut stolen = [0u8; BLOCK_LEN];
    buf.copy(last_at, stolen.get_mut(..last_len).ok_or(bad)?, false)?;
    xor_into(&mut stolen, &prev);
    aes.encrypt(&mut stolen);

    // Swap: C[n-1] takes the place of C[n-2], which is cut to `last_len`.
    buf.copy(second_last_at, &mut stolen.clone(), true)?;
    buf.copy(last_at, prev.get_mut(..last_len).ok_or(bad)?, true)?;
    Ok(stolen)
}

// Inlined where hardware AES backends exist, into the backend's
// target-feature context (see `Cts::call`); one shared copy elsewhere.
#[cfg_attr(authcore_host, inline(always))]
fn cts_decrypt<D: DecryptBlocks + ?Sized>(
    aes: &D,
    iv: &Block,
    buf: &mut Segments<'_>,
) -> Result<Block> {
    let len = buf.len();
    let (last_at, last_len) = final_block(len)?;
    let bad = Error::BadCiphertextLength { len };
    // The swapped blocks (none in a one-block message, which is plain CBC)
    // first: their two chained decryptions do not depend on the plain CBC
    // run before them, so the run's independent block decryptions overlap
    // them instead of waiting behind them.
    //
    // The block in the second-to-last position is the encryption of the
    // padded final plaintext chained from the original C[n-2]. Decrypting it
    // yields P[n-1] ^ C[n-2] on the first `last_len` bytes and, since the
    // padding was zero, the stolen tail of C[n-2] on the rest.
    let swapped = last_at.checked_sub(BLOCK_LEN);
    let mut stolen = [0u8; BLOCK_LEN];
    let mut mixed = [0u8; BLOCK_LEN];
    let mut second_last = [0u8; BLOCK_LEN];
    if let Some(swapped_at) = swapped {
        buf.copy(swapped_at, &mut stolen, false)?;
        mixed = stolen;
        aes.decrypt(&mut mixed);
        let mut original = [0u8; BLOCK_LEN];
        buf.copy(last_at, original.get_mut(..last_len).ok_or(bad)?, false)?;
        original
            .iter_mut()
            .zip(mixed.iter())
            .skip(last_len)
            .for_each(|(o, m)| *o = *m);
        xor_into(&mut mixed, &original);
        second_last = original;
        aes.decrypt(&mut second_last);
    }
    // Plain CBC up to the swapped blocks; `prev` ends as their C[n-3].
    let mut prev = *iv;
    cbc_pieces(buf, swapped.unwrap_or(BLOCK_LEN), &mut prev, &mut |p, d| {
        aes.cbc_decrypt(p, d)
    })?;
    let Some(swapped_at) = swapped else {
        return Ok(prev);
    };
    xor_into(&mut second_last, &prev);
    buf.copy(swapped_at, &mut second_last, true)?;
    buf.copy(last_at, mixed.get_mut(..last_len).ok_or(bad)?, true)?;
    second_last.zeroize();
    mixed.zeroize();
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
    fn pieces_give_the_single_buffer_result() {
        // Every split of the message into three pieces, so blocks straddle
        // the boundaries at every offset: same ciphertext and cipher state
        // as one buffer, and decryption restores the plaintext.
        let key = [9u8; 16];
        let iv = [3u8; 16];
        let plain: [u8; 70] = core::array::from_fn(|i| (i * 5 + 1) as u8);
        for len in [16, 17, 31, 32, 33, 48, 64, 70] {
            let mut whole = plain;
            let state = encrypt(&key, &iv, &mut whole[..len]).unwrap();
            for i in 0..=len {
                for j in i..=len {
                    let mut buf = plain;
                    let (a, rest) = buf[..len].split_at_mut(i);
                    let (b, c) = rest.split_at_mut(j - i);
                    let aes = AesEnc::new(&key).unwrap();
                    let got = encrypt_with(&aes, &iv, &mut Segments::new(a, b, c));
                    assert_eq!(got, Ok(state), "len {len} split {i}/{j}");
                    assert_eq!(buf[..len], whole[..len], "len {len} split {i}/{j}");
                    let (a, rest) = buf[..len].split_at_mut(i);
                    let (b, c) = rest.split_at_mut(j - i);
                    let aes = AesDec::new(&key).unwrap();
                    let got = decrypt_with(&aes, &iv, &mut Segments::new(a, b, c));
                    assert_eq!(got, Ok(state));
                    assert_eq!(buf[..len], plain[..len], "len {len} split {i}/{j}");
                }
            }
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
            Err(Error::BadKeyLength { len: 24 })
        );
    }
}
