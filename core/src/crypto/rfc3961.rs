//! RFC 3961 simplified-profile key derivation (section 5.1), as the AES-SHA1
//! etypes of RFC 3962 use it: DK(Key, Constant) = random-to-key(DR(Key, Constant)),
//! where DR chains block encryptions of the n-folded constant.

use core::ops::Range;

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncBackend, BlockCipherEncClosure, BlockSizeUser};
use hmac::Hmac;
use sha1::Sha1;
use zeroize::Zeroize;

use super::aes_sha2::Variant;
use super::cts::{self, batch_is_cheap, AesDec, AesEnc, Backend, EncryptBlocks, BLOCK_LEN};
use super::mac::{ct_eq, hmac_into};
use super::nfold::nfold;
use crate::{Error, Result};

/// Well-known constant suffix for the encryption key Ke (RFC 3961 section 5.3).
pub(crate) const KE: u8 = 0xAA;
/// Well-known constant suffix for the integrity key Ki.
pub(crate) const KI: u8 = 0x55;
/// Well-known constant suffix for the checksum key Kc.
pub(crate) const KC: u8 = 0x99;

/// The 5-byte derivation constant: the usage number big-endian, then the kind.
pub(crate) fn usage_constant(usage: u32, kind: u8) -> [u8; 5] {
    let u = usage.to_be_bytes();
    [u[0], u[1], u[2], u[3], kind]
}

/// DK for AES: `out` receives `out.len()` (= key length) bytes. AES
/// random-to-key is the identity, so DK is DR here.
pub(crate) fn dk_aes(base: &[u8], constant: &[u8], out: &mut [u8]) -> Result<()> {
    let mut result = Ok(());
    AesEnc::new(base)?.with_backend(Dr {
        constant,
        out,
        result: &mut result,
    });
    result
}

/// One derived key to compute: its usage, which of Ke/Ki/Kc, and where it
/// goes (the front `len` bytes of `out`).
pub(crate) struct DkJob<'a> {
    pub(crate) usage: u32,
    pub(crate) kind: u8,
    pub(crate) out: &'a mut [u8],
}

/// DK of several usage constants under one expanded base key, all in one
/// cipher backend call (see [`AesEnc::with_backend`]).
pub(crate) fn dk_aes_many(aes: &AesEnc, jobs: &mut [DkJob<'_>]) -> Result<()> {
    let mut result = Ok(());
    aes.with_backend(DrJobs {
        jobs,
        result: &mut result,
    });
    result
}

/// DR(base, constant) into `out`: E(Key, n-fold(constant)) with a zero IV on
/// one block is one AES call; each further block encrypts the previous output.
fn dr<B: BlockCipherEncBackend<BlockSize = U16>>(
    backend: &B,
    constant: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let mut block = [0u8; BLOCK_LEN];
    nfold(constant, &mut block)?;
    for chunk in out.chunks_mut(BLOCK_LEN) {
        backend.encrypt_block_inplace((&mut block).into());
        chunk
            .iter_mut()
            .zip(block.iter())
            .for_each(|(o, b)| *o = *b);
    }
    block.zeroize();
    Ok(())
}

struct Dr<'a> {
    constant: &'a [u8],
    out: &'a mut [u8],
    result: &'a mut Result<()>,
}

impl BlockSizeUser for Dr<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Dr<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        *self.result = dr(backend, self.constant, self.out);
    }
}

struct DrJobs<'a, 'b> {
    jobs: &'a mut [DkJob<'b>],
    result: &'a mut Result<()>,
}

impl BlockSizeUser for DrJobs<'_, '_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for DrJobs<'_, '_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        // One copy of the derivation code on software AES (see cts::Backend).
        let backend = Backend(backend);
        *self.result = if batch_is_cheap::<B>() {
            let dynamic: &dyn EncryptBlocks = &backend;
            self.jobs
                .chunks_mut(BATCH)
                .try_for_each(|batch| dr_batch(dynamic, batch))
        } else {
            self.jobs
                .chunks_mut(BATCH)
                .try_for_each(|batch| dr_batch(&backend, batch))
        };
    }
}

/// Derivations computed side by side: the blocks of different keys do not
/// depend on each other, so their AES calls overlap in the pipeline instead
/// of running one serial chain per key.
const BATCH: usize = 8;

fn dr_batch<E: EncryptBlocks + ?Sized>(backend: &E, jobs: &mut [DkJob<'_>]) -> Result<()> {
    let mut blocks = [[0u8; BLOCK_LEN]; BATCH];
    for (block, job) in blocks.iter_mut().zip(jobs.iter()) {
        nfold(&usage_constant(job.usage, job.kind), block)?;
    }
    let longest = jobs.iter().map(|j| j.out.len()).max().unwrap_or(0);
    let mut at = 0usize;
    while at < longest {
        for (block, job) in blocks.iter_mut().zip(jobs.iter_mut()) {
            if let Some(dst) = job.out.get_mut(at..) {
                backend.encrypt(block);
                dst.iter_mut().zip(block.iter()).for_each(|(o, b)| *o = *b);
            }
        }
        at = at.saturating_add(BLOCK_LEN);
    }
    blocks.zeroize();
    Ok(())
}

/// The in-place layout both AES profiles share: `confounder | plaintext` (the
/// body the cipher covers) then `mac_len` bytes of MAC. Places `confounder`
/// (one block) and returns the body, the MAC slot and the total length.
pub(crate) fn layout<'b>(
    buf: &'b mut [u8],
    confounder: &[u8],
    plaintext_len: usize,
    mac_len: usize,
) -> Result<(&'b mut [u8], &'b mut [u8], usize)> {
    let body_len = BLOCK_LEN
        .checked_add(plaintext_len)
        .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
    let total = body_len
        .checked_add(mac_len)
        .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
    let buf = buf
        .get_mut(..total)
        .ok_or(Error::BufferTooSmall { needed: total })?;
    let (body, mac) = buf
        .split_at_mut_checked(body_len)
        .ok_or(Error::BufferTooSmall { needed: total })?;
    body.get_mut(..BLOCK_LEN)
        .filter(|_| confounder.len() == BLOCK_LEN)
        .ok_or(Error::Malformed {
            what: "confounder length",
        })?
        .copy_from_slice(confounder);
    Ok((body, mac, total))
}

/// The MAC of an AES profile: HMAC-SHA1-96 of the plaintext (RFC 3962), or
/// HMAC-SHA2 of the IV and ciphertext (RFC 8009). Both profiles encrypt and
/// decrypt through [`aes_encrypt`] and [`aes_decrypt`], one copy of the
/// layout, cipher and MAC code instead of one per profile.
#[derive(Clone, Copy)]
pub(crate) enum AesMac {
    /// RFC 3962: MAC-then-encrypt over `confounder | plaintext`.
    Sha1,
    /// RFC 8009: encrypt-then-MAC over `IV | ciphertext`.
    Sha2(Variant),
}

impl AesMac {
    const fn len(self) -> usize {
        match self {
            AesMac::Sha1 => super::aes_sha1::MAC_LEN,
            AesMac::Sha2(v) => v.mac_len(),
        }
    }

    /// The MAC of `body` into `out`.
    fn compute(self, ki: &[u8], iv: &[u8; BLOCK_LEN], body: &[u8], out: &mut [u8]) -> Result<()> {
        match self {
            AesMac::Sha1 => hmac_into::<Hmac<Sha1>>(ki, &[body], out),
            AesMac::Sha2(v) => v.hmac(ki, &[iv, body], out),
        }
    }

    /// True when `received` is the MAC of `body` (constant time).
    fn verify(self, ki: &[u8], iv: &[u8; BLOCK_LEN], body: &[u8], received: &[u8]) -> Result<bool> {
        let mut expected = [0u8; 24];
        let expected_mac = expected.get_mut(..self.len()).ok_or(Error::WrongState)?;
        self.compute(ki, iv, body, expected_mac)?;
        let ok = ct_eq(expected_mac, received);
        expected.zeroize();
        Ok(ok)
    }
}

/// Encrypts `buf[16..16 + plaintext_len]` in place behind `confounder` under
/// Ke and Ki (zero IV, the default cipher state); returns the ciphertext
/// length.
pub(crate) fn aes_encrypt(
    mac: AesMac,
    ke: &[u8],
    ki: &[u8],
    confounder: &[u8],
    buf: &mut [u8],
    plaintext_len: usize,
) -> Result<usize> {
    let (body, mac_out, total) = layout(buf, confounder, plaintext_len, mac.len())?;
    let iv = [0u8; BLOCK_LEN];
    let mac_first = matches!(mac, AesMac::Sha1);
    if mac_first {
        mac.compute(ki, &iv, body, mac_out)?;
    }
    cts::encrypt_with(&AesEnc::new(ke)?, &iv, body)?;
    if !mac_first {
        mac.compute(ki, &iv, body, mac_out)?;
    }
    Ok(total)
}

/// Decrypts the whole ciphertext `buf` in place and verifies its MAC;
/// returns the plaintext range. RFC 8009 verifies before decrypting (a bad
/// MAC leaves the buffer as it was); RFC 3962 can only verify the decrypted
/// plaintext, which a bad MAC wipes.
pub(crate) fn aes_decrypt(
    mac: AesMac,
    ke: &[u8],
    ki: &[u8],
    buf: &mut [u8],
) -> Result<Range<usize>> {
    let len = buf.len();
    let body_len = len
        .checked_sub(mac.len())
        .filter(|body| *body >= BLOCK_LEN)
        .ok_or(Error::BadCiphertextLength { len })?;
    let (body, received) = buf
        .split_at_mut_checked(body_len)
        .ok_or(Error::BadCiphertextLength { len })?;
    let iv = [0u8; BLOCK_LEN];
    let mac_first = matches!(mac, AesMac::Sha1);
    if !mac_first && !mac.verify(ki, &iv, body, received)? {
        return Err(Error::Integrity {
            what: "ciphertext checksum",
        });
    }
    cts::decrypt_with(&AesDec::new(ke)?, &iv, body)?;
    if mac_first && !mac.verify(ki, &iv, body, received)? {
        body.zeroize();
        return Err(Error::Integrity {
            what: "ciphertext checksum",
        });
    }
    Ok(BLOCK_LEN..body_len)
}
