//! RFC 3961 simplified-profile key derivation (section 5.1), as the AES-SHA1
//! etypes of RFC 3962 use it: DK(Key, Constant) = random-to-key(DR(Key, Constant)),
//! where DR chains block encryptions of the n-folded constant.

use aes::cipher::consts::U16;
use aes::cipher::{BlockCipherEncBackend, BlockCipherEncClosure, BlockSizeUser};
use zeroize::Zeroize;

use super::cts::{batch_is_cheap, AesEnc, Backend, EncryptBlocks, BLOCK_LEN};
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
    // Only the blocks this batch used hold key material; each is wiped as a
    // slice (see `crypto::wipe_fields`).
    blocks
        .iter_mut()
        .take(jobs.len())
        .for_each(|b| b.as_mut_slice().zeroize());
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
            what: what!("confounder length"),
        })?
        .copy_from_slice(confounder);
    Ok((body, mac, total))
}
