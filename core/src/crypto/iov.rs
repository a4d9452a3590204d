//! One logical message held in up to three separate buffers, as GSS IOV
//! tokens split it (`header | data | trailer`, RFC 4121 section 4.2.4 and
//! `gss_wrap_iov`): the cipher and MAC code runs over the concatenation
//! without the caller ever gathering it into one buffer.
//!
//! A single buffer is the one-segment case, so the in-place operations share
//! this code instead of keeping a second copy of it.

use zeroize::Zeroize;

use crate::{Error, Result};

/// Three consecutive pieces of one message; any of them may be empty.
pub(crate) struct Segments<'a> {
    parts: [&'a mut [u8]; 3],
}

impl<'a> Segments<'a> {
    pub(crate) fn new(a: &'a mut [u8], b: &'a mut [u8], c: &'a mut [u8]) -> Segments<'a> {
        Segments { parts: [a, b, c] }
    }

    pub(crate) fn one(buf: &'a mut [u8]) -> Segments<'a> {
        Segments::new(buf, &mut [], &mut [])
    }

    /// Length of the concatenation (saturating: real buffers cannot overflow it).
    pub(crate) fn len(&self) -> usize {
        self.parts
            .iter()
            .fold(0usize, |n, p| n.saturating_add(p.len()))
    }

    /// The pieces, for MACs that take the message as several updates.
    pub(crate) fn parts(&self) -> [&[u8]; 3] {
        let [a, b, c] = &self.parts;
        [a, b, c]
    }

    /// Copies between `buf` and the message bytes from offset `at`: into the
    /// message when `store`, out of it otherwise. The range must lie inside
    /// the message.
    pub(crate) fn copy(&mut self, at: usize, buf: &mut [u8], store: bool) -> Result<()> {
        let len = buf.len();
        let mut skip = at;
        let mut rest = buf;
        for part in self.parts.iter_mut() {
            let part_len = part.len();
            let Some(tail) = part.get_mut(skip..) else {
                skip = skip.saturating_sub(part_len);
                continue;
            };
            skip = 0;
            let n = tail.len().min(rest.len());
            if n == 0 {
                continue;
            }
            let (theirs, more) = core::mem::take(&mut rest)
                .split_at_mut_checked(n)
                .ok_or(Error::WrongState)?;
            let mine = tail.get_mut(..n).ok_or(Error::WrongState)?;
            if store {
                crate::bytes::copy(mine, theirs);
            } else {
                crate::bytes::copy(theirs, mine);
            }
            rest = more;
        }
        if rest.is_empty() {
            Ok(())
        } else {
            Err(Error::BadCiphertextLength { len })
        }
    }

    /// The bytes from offset `at` that lie in one piece, at most `max` of them
    /// (empty past the end).
    pub(crate) fn run(&mut self, at: usize, max: usize) -> &mut [u8] {
        let mut skip = at;
        for part in self.parts.iter_mut() {
            let part_len = part.len();
            if skip < part_len {
                let tail = part.get_mut(skip..).unwrap_or_default();
                let n = tail.len().min(max);
                return tail.get_mut(..n).unwrap_or_default();
            }
            skip = skip.saturating_sub(part_len);
        }
        &mut []
    }

    /// Wipes the whole message (decrypted bytes that failed verification).
    pub(crate) fn zeroize(&mut self) {
        self.parts.iter_mut().for_each(|p| p.zeroize());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_run_cross_piece_boundaries() {
        let (mut a, mut b, mut c) = ([1u8, 2, 3], [4u8; 0], [5u8, 6, 7, 8]);
        let mut s = Segments::new(&mut a, &mut b, &mut c);
        assert_eq!(s.len(), 7);
        let mut out = [0u8; 3];
        s.copy(2, &mut out, false).unwrap();
        assert_eq!(out, [3, 5, 6]);
        s.copy(1, &mut [9, 9, 9, 9], true).unwrap();
        assert_eq!(s.parts(), [&[1, 9, 9][..], &[], &[9, 9, 7, 8]]);
        assert_eq!(s.run(1, 10), &[9, 9]);
        assert_eq!(s.run(4, 9), &[9, 7, 8]);
        assert_eq!(s.run(7, 2), &[] as &[u8]);
        // Past the end is an error, never a partial copy reported as done.
        assert_eq!(
            s.copy(5, &mut [0; 3], false),
            Err(Error::BadCiphertextLength { len: 3 })
        );
        s.zeroize();
        assert_eq!(s.parts(), [&[0, 0, 0][..], &[], &[0, 0, 0, 0]]);
    }
}
