//! In-place byte moves written so that `memmove` is never linked: on
//! thumbv7em, compiler_builtins' `memmove` costs 1.6 KB of flash, and the
//! in-place token and DER code needs only these two shapes of it.

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
