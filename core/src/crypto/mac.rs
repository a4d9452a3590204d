//! HMAC and hash helpers over scattered input pieces, and the constant-time
//! comparison every verifier goes through.

#[cfg(feature = "legacy")]
use digest::Digest;
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::{Error, Result};

/// HMAC of the concatenation of `parts`, written (truncated) to `out`.
/// `out` must not be longer than the hash.
pub(crate) fn hmac_into<M: Mac + KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    out: &mut [u8],
) -> Result<()> {
    // HMAC takes keys of any length, so this never fails in practice.
    let mut mac =
        <M as KeyInit>::new_from_slice(key).map_err(|_| Error::BadKeyLength { len: key.len() })?;
    // Empty pieces (a single buffer passed as IOV segments) skip the
    // block buffer's bookkeeping.
    for part in parts.iter().filter(|p| !p.is_empty()) {
        mac.update(part);
    }
    let mut full = mac.finalize().into_bytes();
    let result = match full.get(..out.len()) {
        Some(head) => {
            crate::bytes::copy(out, head);
            Ok(())
        }
        None => Err(Error::BufferTooSmall { needed: full.len() }),
    };
    full.as_mut_slice().zeroize();
    result
}

/// Plain hash of the concatenation of `parts`, written (truncated) to `out`.
#[cfg(feature = "legacy")]
pub(crate) fn hash_into<D: Digest>(parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let mut hash = D::new();
    for part in parts {
        hash.update(part);
    }
    let full = hash.finalize();
    out.copy_from_slice(
        full.get(..out.len())
            .ok_or(Error::BufferTooSmall { needed: full.len() })?,
    );
    Ok(())
}

/// Constant-time equality of a computed and a received MAC. Unequal lengths
/// are simply unequal (the length itself is public).
pub(crate) fn ct_eq(computed: &[u8], received: &[u8]) -> bool {
    bool::from(computed.ct_eq(received))
}
