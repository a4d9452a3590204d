//! RFC 3961 section 5.1 n-fold.
//!
//! n-fold stretches or shrinks a constant to the cipher's block size: the input
//! is repeated up to the least common multiple of both lengths, each copy
//! rotated right by 13 bits more than the previous one, and the n-bit slices of
//! that string are added with one's-complement (end-around carry) addition.
//! All lengths here are whole bytes, which is all Kerberos ever folds.

use crate::{Error, Result};

/// Folds `input` into `out` (`out.len()` bytes = the "n" of n-fold).
///
/// Both must be non-empty. Works without allocation: the rotated copies are
/// produced byte by byte and summed straight into `out`.
pub fn nfold(input: &[u8], out: &mut [u8]) -> Result<()> {
    if input.is_empty() || out.is_empty() {
        return Err(Error::Malformed {
            what: "n-fold length",
        });
    }
    let lcm = lcm(input.len(), out.len()).ok_or(Error::Malformed {
        what: "n-fold length",
    })?;
    let in_bits = input.len().checked_mul(8).ok_or(Error::Malformed {
        what: "n-fold length",
    })?;

    out.fill(0);
    // One n-byte slice of the long string at a time, added into `out`.
    let mut start = 0usize;
    while start < lcm {
        let mut carry = 0u16;
        // One's-complement addition runs from the least significant byte.
        for (offset, acc) in out.iter_mut().enumerate().rev() {
            let pos = start.checked_add(offset).ok_or(Error::Malformed {
                what: "n-fold length",
            })?;
            let byte = rotated_byte(input, in_bits, pos)?;
            let sum = u16::from(*acc)
                .wrapping_add(u16::from(byte))
                .wrapping_add(carry);
            *acc = sum.to_be_bytes()[1];
            carry = sum >> 8;
        }
        end_around_carry(out, carry);
        start = start.checked_add(out.len()).ok_or(Error::Malformed {
            what: "n-fold length",
        })?;
    }
    Ok(())
}

/// Byte `pos` of the concatenation of rotated copies: copy `pos / len` is the
/// input rotated right by `13 * copy` bits.
fn rotated_byte(input: &[u8], in_bits: usize, pos: usize) -> Result<u8> {
    let bad = Error::Malformed {
        what: "n-fold length",
    };
    let len = input.len();
    let copy = pos.checked_div(len).ok_or(bad)?;
    let index = pos.checked_rem(len).ok_or(bad)?;
    let rotation = copy
        .checked_mul(13)
        .and_then(|r| r.checked_rem(in_bits))
        .ok_or(bad)?;
    // Output bit b of a right rotation by r is input bit (b - r) mod in_bits.
    let first_bit = index
        .checked_mul(8)
        .and_then(|b| b.checked_add(in_bits))
        .and_then(|b| b.checked_sub(rotation))
        .and_then(|b| b.checked_rem(in_bits))
        .ok_or(bad)?;
    let byte_index = first_bit / 8;
    let shift = first_bit % 8;
    let hi = *input.get(byte_index).ok_or(bad)?;
    let next = byte_index
        .checked_add(1)
        .and_then(|i| i.checked_rem(len))
        .ok_or(bad)?;
    let lo = *input.get(next).ok_or(bad)?;
    // `shift` is 0..=7: the high byte of the shifted pair is the 8 bits wanted.
    let pair = u16::from_be_bytes([hi, lo]);
    Ok(pair.wrapping_shl(shift as u32).to_be_bytes()[0])
}

/// Adds the carry out of the most significant byte back in at the least
/// significant end, as often as it keeps carrying.
fn end_around_carry(out: &mut [u8], mut carry: u16) {
    while carry != 0 {
        for acc in out.iter_mut().rev() {
            let sum = u16::from(*acc).wrapping_add(carry);
            *acc = sum.to_be_bytes()[1];
            carry = sum >> 8;
            if carry == 0 {
                break;
            }
        }
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while let Some(r) = a.checked_rem(b) {
        a = b;
        b = r;
    }
    a
}

fn lcm(a: usize, b: usize) -> Option<usize> {
    a.checked_div(gcd(a, b))?.checked_mul(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty() {
        let mut out = [0u8; 8];
        assert_eq!(
            nfold(b"", &mut out),
            Err(Error::Malformed {
                what: "n-fold length"
            })
        );
        assert_eq!(
            nfold(b"abc", &mut []),
            Err(Error::Malformed {
                what: "n-fold length"
            })
        );
    }

    #[test]
    fn same_length_is_identity_when_lcm_is_one_copy() {
        // RFC 3961 A.1: 64-fold("kerberos") is "kerberos" itself.
        let mut out = [0u8; 8];
        nfold(b"kerberos", &mut out).unwrap();
        assert_eq!(&out, b"kerberos");
    }

    #[test]
    fn gcd_lcm() {
        assert_eq!(gcd(16, 5), 1);
        assert_eq!(lcm(16, 5), Some(80));
        assert_eq!(lcm(8, 16), Some(16));
        assert_eq!(lcm(usize::MAX, usize::MAX - 1), None);
    }
}
