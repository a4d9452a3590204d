//! RFC 3961 simplified-profile key derivation (section 5.1), as the AES-SHA1
//! etypes of RFC 3962 use it: DK(Key, Constant) = random-to-key(DR(Key, Constant)),
//! where DR chains block encryptions of the n-folded constant.

use zeroize::Zeroize;

use super::cts::{Aes, BLOCK_LEN};
use super::nfold::nfold;
use crate::Result;

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
    let aes = Aes::new(base)?;
    let mut block = [0u8; BLOCK_LEN];
    nfold(constant, &mut block)?;
    // E(Key, n-fold(constant)) with a zero IV on one block is one AES call;
    // each further block encrypts the previous output.
    for chunk in out.chunks_mut(BLOCK_LEN) {
        aes.encrypt(&mut block);
        chunk
            .iter_mut()
            .zip(block.iter())
            .for_each(|(o, b)| *o = *b);
    }
    block.zeroize();
    Ok(())
}
