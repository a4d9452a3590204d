//! Byte moves written by hand where the library's would cost: in place
//! without `memmove` (on thumbv7em, compiler_builtins' `memmove` costs 1.6 KB
//! of flash, and the in-place token and DER code needs only two shapes of
//! it), and short copies without a `memcpy` call on hosts.

/// Moves `buf[from..]` to the front of `buf`, like `buf.copy_within(from.., 0)`
/// (`from` past the end moves nothing). Forward copying is safe for a move
/// towards the front: each chunk is read whole before it is written, and a
/// write never reaches past the source bytes already read.
pub(crate) fn shift_to_front(buf: &mut [u8], from: usize) {
    const STEP: usize = 16;
    let mut src = from;
    let mut dst = 0usize;
    while let Some(chunk) = src
        .checked_add(STEP)
        .and_then(|end| buf.get(src..end))
        .and_then(|c| <[u8; STEP]>::try_from(c).ok())
    {
        if let Some(d) = buf.get_mut(dst..dst.saturating_add(STEP)) {
            d.copy_from_slice(&chunk);
        }
        src = src.saturating_add(STEP);
        dst = dst.saturating_add(STEP);
    }
    while let Some(&b) = buf.get(src) {
        if let Some(d) = buf.get_mut(dst) {
            *d = b;
        }
        src = src.saturating_add(1);
        dst = dst.saturating_add(1);
    }
}

/// `buf.rotate_left(mid)` by three reversals (`mid` past the end: no-op);
/// core's rotation brings `memmove` and about 600 bytes of its own.
pub(crate) fn rotate_left(buf: &mut [u8], mid: usize) {
    if mid == 0 {
        return;
    }
    if let Some((a, b)) = buf.split_at_mut_checked(mid) {
        a.reverse();
        b.reverse();
        buf.reverse();
    }
}

/// `dst.copy_from_slice(src)` (equal lengths; otherwise nothing is copied),
/// for the many short copies of the protocol code: DER primitives, the CTS
/// tail's 1-16 byte moves, truncated MACs, keys, names. On hosts a copy of
/// up to 32 bytes is done inline with two overlapping fixed-size moves: the
/// compiler turns a copy of unknown length into a `memcpy` call, and an
/// AP-REQ acceptance made about a hundred such calls (`memcpy` was 8 % of
/// its time). Elsewhere, and for longer copies, the library copy (one call:
/// no flash per use).
pub(crate) fn copy(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if dst.len() != n {
        return;
    }
    #[cfg(authcore_host)]
    if n <= 32 {
        if n >= 16 {
            fixed::<16>(dst, src, 0);
            fixed::<16>(dst, src, n.saturating_sub(16));
        } else if n >= 8 {
            fixed::<8>(dst, src, 0);
            fixed::<8>(dst, src, n.saturating_sub(8));
        } else if n >= 4 {
            fixed::<4>(dst, src, 0);
            fixed::<4>(dst, src, n.saturating_sub(4));
        } else if n >= 2 {
            fixed::<2>(dst, src, 0);
            fixed::<2>(dst, src, n.saturating_sub(2));
        } else {
            fixed::<1>(dst, src, 0);
        }
        return;
    }
    dst.copy_from_slice(src);
}

/// Copies `N` bytes at `at` (in range: checked by the caller's lengths).
#[cfg(authcore_host)]
fn fixed<const N: usize>(dst: &mut [u8], src: &[u8], at: usize) {
    let end = at.saturating_add(N);
    let d = dst
        .get_mut(at..end)
        .and_then(|d| <&mut [u8; N]>::try_from(d).ok());
    let s = src.get(at..end).and_then(|s| <&[u8; N]>::try_from(s).ok());
    if let (Some(d), Some(s)) = (d, s) {
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_to_front_matches_copy_within() {
        for len in 0..70usize {
            for from in 0..=len + 1 {
                let mut a = [0u8; 70];
                for (i, b) in a.iter_mut().enumerate() {
                    *b = i as u8;
                }
                let mut b = a;
                shift_to_front(&mut a[..len], from);
                if from <= len {
                    b[..len].copy_within(from.., 0);
                }
                assert_eq!(a, b, "len {len} from {from}");
            }
        }
    }

    #[test]
    fn copy_matches_copy_from_slice() {
        let src: [u8; 40] = core::array::from_fn(|i| i as u8 + 1);
        for n in 0..=40usize {
            let mut a = [0u8; 40];
            copy(&mut a[..n], &src[..n]);
            assert_eq!(a[..n], src[..n], "len {n}");
            assert!(a[n..].iter().all(|&b| b == 0), "len {n}");
        }
        // Unequal lengths copy nothing.
        let mut a = [0u8; 4];
        copy(&mut a, &src[..3]);
        assert_eq!(a, [0; 4]);
    }

    #[test]
    fn rotate_left_matches_core() {
        for len in 0..40usize {
            for mid in 0..=len + 1 {
                let mut a = [0u8; 40];
                for (i, b) in a.iter_mut().enumerate() {
                    *b = i as u8;
                }
                let mut b = a;
                rotate_left(&mut a[..len], mid);
                if mid <= len {
                    b[..len].rotate_left(mid);
                }
                assert_eq!(a, b, "len {len} mid {mid}");
            }
        }
    }
}
