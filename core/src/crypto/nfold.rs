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
/// Both must be non-empty. Works without allocation: up to 16 bytes in and
/// out in `u128` arithmetic, longer lengths with the rotated copies produced
/// byte by byte and summed straight into `out`.
pub fn nfold(input: &[u8], out: &mut [u8]) -> Result<()> {
    if input.is_empty() || out.is_empty() {
        return Err(Error::Malformed {
            what: what!("n-fold length"),
        });
    }
    if input.len() <= SMALL && out.len() <= SMALL {
        return nfold_small(input, out);
    }
    nfold_general(input, out)
}

/// Longest input and output [`nfold_small`] takes: one `u128`.
const SMALL: usize = 16;

/// n-fold of up to 16 bytes into up to 16 bytes (every key derivation folds
/// a 5-byte usage constant into one AES block), in `u128` arithmetic.
///
/// Adding the n-byte slices of the long string with end-around carry is
/// reducing that string modulo 2^k - 1 (k = 8n), because 2^k = 1 there. The
/// string is the concatenation of the rotated copies, so by Horner's rule the
/// fold is: for each copy in order, multiply the running sum by 2^(8 * input
/// length) and add the copy, where multiplying by 2^s modulo 2^k - 1 is a left
/// rotation by s within k bits. Like slice-by-slice addition, this sum is zero
/// only for all-zero input (any other multiple of 2^k - 1 comes out as all
/// ones), so the two agree on every input.
fn nfold_small(input: &[u8], out: &mut [u8]) -> Result<()> {
    let bad = Error::Malformed {
        what: what!("n-fold length"),
    };
    let len = u32::try_from(input.len()).map_err(|_| bad)?;
    let n = u32::try_from(out.len()).map_err(|_| bad)?;
    // Lengths are at most 16 bytes: reductions below are a few subtractions,
    // cheaper than the divisions of the general path.
    let in_bits = len.wrapping_mul(8);
    let k = n.wrapping_mul(8);
    let in_mask = low_bits(in_bits);
    let k_mask = low_bits(k);
    // Each copy is the previous one rotated right by 13 more bits.
    let step = reduce_small(13, in_bits);
    let place = reduce_small(in_bits, k);
    let mut copy = input
        .iter()
        .fold(0u128, |v, &b| v.wrapping_shl(8) | u128::from(b));
    let mut sum = 0u128;
    // Copies until the string length is a multiple of n: lcm(len, n) bytes.
    let mut filled = 0u32;
    if k == 128 && in_bits <= 64 {
        // Key derivation's case (5 bytes into one AES block) without the
        // general masks: native 128-bit rotation, the copy in a u64.
        let mask = u64::MAX
            .checked_shr(64u32.saturating_sub(in_bits))
            .unwrap_or(0);
        let mut copy = u64::try_from(copy).map_err(|_| bad)?;
        let back = in_bits.wrapping_sub(step);
        loop {
            let (s, carry) = sum.rotate_left(place).overflowing_add(u128::from(copy));
            sum = s.wrapping_add(u128::from(carry));
            if step != 0 {
                copy = (copy.wrapping_shr(step) | copy.wrapping_shl(back)) & mask;
            }
            filled = reduce_small(filled.wrapping_add(len), n);
            if filled == 0 {
                break;
            }
        }
        out.copy_from_slice(&sum.to_be_bytes());
        return Ok(());
    }
    loop {
        let shifted = rotate_left(sum, place, k, k_mask);
        sum = add_ones_complement(shifted, reduce(copy, k, k_mask), k, k_mask);
        copy = rotate_right(copy, step, in_bits, in_mask);
        filled = reduce_small(filled.wrapping_add(len), n);
        if filled == 0 {
            break;
        }
    }
    let bytes = sum.to_be_bytes();
    out.copy_from_slice(bytes.get(SMALL.saturating_sub(out.len())..).ok_or(bad)?);
    Ok(())
}

/// `v mod m` for small values, by subtraction (`m` = 0 leaves `v`).
fn reduce_small(mut v: u32, m: u32) -> u32 {
    while m != 0 && v >= m {
        v = v.wrapping_sub(m);
    }
    v
}

/// The low `bits` (1..=128) bits set.
fn low_bits(bits: u32) -> u128 {
    u128::MAX
        .checked_shr(128u32.saturating_sub(bits))
        .unwrap_or(0)
}

/// Right rotation of a `bits`-wide value by `r < bits`.
fn rotate_right(v: u128, r: u32, bits: u32, mask: u128) -> u128 {
    if r == 0 {
        return v;
    }
    (v.wrapping_shr(r) | v.wrapping_shl(bits.wrapping_sub(r))) & mask
}

/// Left rotation of a `bits`-wide value by `s < bits`.
fn rotate_left(v: u128, s: u32, bits: u32, mask: u128) -> u128 {
    if bits == 128 {
        return v.rotate_left(s);
    }
    if s == 0 {
        return v;
    }
    (v.wrapping_shl(s) | v.wrapping_shr(bits.wrapping_sub(s))) & mask
}

/// `v` modulo 2^k - 1 as a k-bit one's-complement value: the k-bit chunks of
/// a wider copy folded together. The sum of the low chunk and the rest is
/// below 2^128 for every k in 8..128, so nothing overflows.
fn reduce(mut v: u128, k: u32, mask: u128) -> u128 {
    while k < 128 && v > mask {
        v = (v & mask).wrapping_add(v.wrapping_shr(k));
    }
    v
}

/// One's-complement (end-around carry) addition of two k-bit values.
fn add_ones_complement(a: u128, b: u128, k: u32, mask: u128) -> u128 {
    let (sum, overflow) = a.overflowing_add(b);
    if overflow {
        // k = 128: the carry out of bit 127 comes back in at bit 0; the
        // wrapped sum is at most 2^128 - 2, so adding it cannot overflow.
        return sum.wrapping_add(1);
    }
    if k < 128 && sum > mask {
        return (sum & mask).wrapping_add(1);
    }
    sum
}

fn nfold_general(input: &[u8], out: &mut [u8]) -> Result<()> {
    let lcm = lcm(input.len(), out.len()).ok_or(Error::Malformed {
        what: what!("n-fold length"),
    })?;
    let in_bits = input.len().checked_mul(8).ok_or(Error::Malformed {
        what: what!("n-fold length"),
    })?;

    out.fill(0);
    // One n-byte slice of the long string at a time, added into `out`.
    let mut start = 0usize;
    while start < lcm {
        let mut carry = 0u16;
        // One's-complement addition runs from the least significant byte.
        for (offset, acc) in out.iter_mut().enumerate().rev() {
            let pos = start.checked_add(offset).ok_or(Error::Malformed {
                what: what!("n-fold length"),
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
            what: what!("n-fold length"),
        })?;
    }
    Ok(())
}

/// Byte `pos` of the concatenation of rotated copies: copy `pos / len` is the
/// input rotated right by `13 * copy` bits.
fn rotated_byte(input: &[u8], in_bits: usize, pos: usize) -> Result<u8> {
    let bad = Error::Malformed {
        what: what!("n-fold length"),
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
                what: what!("n-fold length")
            })
        );
        assert_eq!(
            nfold(b"abc", &mut []),
            Err(Error::Malformed {
                what: what!("n-fold length")
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
    fn small_path_matches_the_general_one() {
        // Every input length the fast path takes, every output length, and
        // inputs from all-zero through all-ones (where end-around carries pile up).
        let patterns: [fn(usize) -> u8; 5] = [
            |_| 0,
            |_| 0xff,
            |i| (i * 37 + 11) as u8,
            |i| (i * i * 73 + 5) as u8,
            |i| if i % 3 == 0 { 0xff } else { 0x80 },
        ];
        for len in 1..=SMALL {
            for n in 1..=SMALL {
                for pattern in patterns {
                    let input: [u8; SMALL] = core::array::from_fn(pattern);
                    let mut fast = [0u8; SMALL];
                    let mut slow = [0u8; SMALL];
                    nfold_small(&input[..len], &mut fast[..n]).unwrap();
                    nfold_general(&input[..len], &mut slow[..n]).unwrap();
                    assert_eq!(fast[..n], slow[..n], "{len}-byte input, {n}-byte output");
                }
            }
        }
    }

    #[test]
    fn gcd_lcm() {
        assert_eq!(gcd(16, 5), 1);
        assert_eq!(lcm(16, 5), Some(80));
        assert_eq!(lcm(8, 16), Some(16));
        assert_eq!(lcm(usize::MAX, usize::MAX - 1), None);
    }
}
