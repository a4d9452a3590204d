//! One-to-one upper-casing of UTF-16 code units, without core's case tables.
//!
//! NTLM upper-cases user names (NTOWFv2) and compares names case-insensitively.
//! `char::to_uppercase` links core's full case-conversion tables (about 12 KiB of
//! flash on Cortex-M); NTLM needs far less. Windows upper-cases a name one UTF-16
//! code unit at a time through a table with one entry per 16-bit unit (Samba
//! keeps the same kind of table), so a character outside the Basic Multilingual
//! Plane, which travels as a surrogate pair, is never changed, and a character
//! whose upper case is longer (German sharp s) stays as it is.
//!
//! The mapping here is the simple (one-to-one) upper case of Unicode 17.0.0 (the
//! version of this toolchain's `core`) restricted to the BMP. It is written as
//! 186 runs, each mapping `count` characters spaced `stride` apart from `start`
//! by adding `delta`, and stored packed: per run, the gap from the previous run
//! and the delta as LEB128 numbers and, for runs of more than one character, a
//! byte of count and stride (591 bytes instead of 4 per run plus a delta table).
//! The exhaustive test below compares every BMP character with `core` and names
//! the Unicode version, so a toolchain with newer Unicode data fails loudly until
//! the list is regenerated (the test prints the list it expects).

/// Unicode version of [`RUNS`].
#[cfg(test)]
const UNICODE_VERSION: (u8, u8, u8) = (17, 0, 0);

/// `(start, count, stride, delta)`, sorted by start, not overlapping; only the
/// packed form ([`PACKED`]) reaches the binary.
const RUNS: [(u16, u8, u8, i32); 186] = [
    (0x0061, 26, 1, -32),
    (0x00B5, 1, 1, 743),
    (0x00E0, 23, 1, -32),
    (0x00F8, 7, 1, -32),
    (0x00FF, 1, 1, 121),
    (0x0101, 24, 2, -1),
    (0x0131, 1, 1, -232),
    (0x0133, 3, 2, -1),
    (0x013A, 8, 2, -1),
    (0x014B, 23, 2, -1),
    (0x017A, 3, 2, -1),
    (0x017F, 1, 1, -300),
    (0x0180, 1, 1, 195),
    (0x0183, 2, 2, -1),
    (0x0188, 1, 1, -1),
    (0x018C, 1, 1, -1),
    (0x0192, 1, 1, -1),
    (0x0195, 1, 1, 97),
    (0x0199, 1, 1, -1),
    (0x019A, 1, 1, 163),
    (0x019B, 1, 1, 42561),
    (0x019E, 1, 1, 130),
    (0x01A1, 3, 2, -1),
    (0x01A8, 1, 1, -1),
    (0x01AD, 1, 1, -1),
    (0x01B0, 1, 1, -1),
    (0x01B4, 2, 2, -1),
    (0x01B9, 1, 1, -1),
    (0x01BD, 1, 1, -1),
    (0x01BF, 1, 1, 56),
    (0x01C5, 1, 1, -1),
    (0x01C6, 1, 1, -2),
    (0x01C8, 1, 1, -1),
    (0x01C9, 1, 1, -2),
    (0x01CB, 1, 1, -1),
    (0x01CC, 1, 1, -2),
    (0x01CE, 8, 2, -1),
    (0x01DD, 1, 1, -79),
    (0x01DF, 9, 2, -1),
    (0x01F2, 1, 1, -1),
    (0x01F3, 1, 1, -2),
    (0x01F5, 1, 1, -1),
    (0x01F9, 20, 2, -1),
    (0x0223, 9, 2, -1),
    (0x023C, 1, 1, -1),
    (0x023F, 2, 1, 10815),
    (0x0242, 1, 1, -1),
    (0x0247, 5, 2, -1),
    (0x0250, 1, 1, 10783),
    (0x0251, 1, 1, 10780),
    (0x0252, 1, 1, 10782),
    (0x0253, 1, 1, -210),
    (0x0254, 1, 1, -206),
    (0x0256, 2, 1, -205),
    (0x0259, 1, 1, -202),
    (0x025B, 1, 1, -203),
    (0x025C, 1, 1, 42319),
    (0x0260, 1, 1, -205),
    (0x0261, 1, 1, 42315),
    (0x0263, 1, 1, -207),
    (0x0264, 1, 1, 42343),
    (0x0265, 1, 1, 42280),
    (0x0266, 1, 1, 42308),
    (0x0268, 1, 1, -209),
    (0x0269, 1, 1, -211),
    (0x026A, 1, 1, 42308),
    (0x026B, 1, 1, 10743),
    (0x026C, 1, 1, 42305),
    (0x026F, 1, 1, -211),
    (0x0271, 1, 1, 10749),
    (0x0272, 1, 1, -213),
    (0x0275, 1, 1, -214),
    (0x027D, 1, 1, 10727),
    (0x0280, 1, 1, -218),
    (0x0282, 1, 1, 42307),
    (0x0283, 1, 1, -218),
    (0x0287, 1, 1, 42282),
    (0x0288, 1, 1, -218),
    (0x0289, 1, 1, -69),
    (0x028A, 2, 1, -217),
    (0x028C, 1, 1, -71),
    (0x0292, 1, 1, -219),
    (0x029D, 1, 1, 42261),
    (0x029E, 1, 1, 42258),
    (0x0345, 1, 1, 84),
    (0x0371, 2, 2, -1),
    (0x0377, 1, 1, -1),
    (0x037B, 3, 1, 130),
    (0x03AC, 1, 1, -38),
    (0x03AD, 3, 1, -37),
    (0x03B1, 17, 1, -32),
    (0x03C2, 1, 1, -31),
    (0x03C3, 9, 1, -32),
    (0x03CC, 1, 1, -64),
    (0x03CD, 2, 1, -63),
    (0x03D0, 1, 1, -62),
    (0x03D1, 1, 1, -57),
    (0x03D5, 1, 1, -47),
    (0x03D6, 1, 1, -54),
    (0x03D7, 1, 1, -8),
    (0x03D9, 12, 2, -1),
    (0x03F0, 1, 1, -86),
    (0x03F1, 1, 1, -80),
    (0x03F2, 1, 1, 7),
    (0x03F3, 1, 1, -116),
    (0x03F5, 1, 1, -96),
    (0x03F8, 1, 1, -1),
    (0x03FB, 1, 1, -1),
    (0x0430, 32, 1, -32),
    (0x0450, 16, 1, -80),
    (0x0461, 17, 2, -1),
    (0x048B, 27, 2, -1),
    (0x04C2, 7, 2, -1),
    (0x04CF, 1, 1, -15),
    (0x04D1, 48, 2, -1),
    (0x0561, 38, 1, -48),
    (0x10D0, 43, 1, 3008),
    (0x10FD, 3, 1, 3008),
    (0x13F8, 6, 1, -8),
    (0x1C80, 1, 1, -6254),
    (0x1C81, 1, 1, -6253),
    (0x1C82, 1, 1, -6244),
    (0x1C83, 2, 1, -6242),
    (0x1C85, 1, 1, -6243),
    (0x1C86, 1, 1, -6236),
    (0x1C87, 1, 1, -6181),
    (0x1C88, 1, 1, 35266),
    (0x1C8A, 1, 1, -1),
    (0x1D79, 1, 1, 35332),
    (0x1D7D, 1, 1, 3814),
    (0x1D8E, 1, 1, 35384),
    (0x1E01, 75, 2, -1),
    (0x1E9B, 1, 1, -59),
    (0x1EA1, 48, 2, -1),
    (0x1F00, 8, 1, 8),
    (0x1F10, 6, 1, 8),
    (0x1F20, 8, 1, 8),
    (0x1F30, 8, 1, 8),
    (0x1F40, 6, 1, 8),
    (0x1F51, 4, 2, 8),
    (0x1F60, 8, 1, 8),
    (0x1F70, 2, 1, 74),
    (0x1F72, 4, 1, 86),
    (0x1F76, 2, 1, 100),
    (0x1F78, 2, 1, 128),
    (0x1F7A, 2, 1, 112),
    (0x1F7C, 2, 1, 126),
    (0x1FB0, 2, 1, 8),
    (0x1FBE, 1, 1, -7205),
    (0x1FD0, 2, 1, 8),
    (0x1FE0, 2, 1, 8),
    (0x1FE5, 1, 1, 7),
    (0x214E, 1, 1, -28),
    (0x2170, 16, 1, -16),
    (0x2184, 1, 1, -1),
    (0x24D0, 26, 1, -26),
    (0x2C30, 48, 1, -48),
    (0x2C61, 1, 1, -1),
    (0x2C65, 1, 1, -10795),
    (0x2C66, 1, 1, -10792),
    (0x2C68, 3, 2, -1),
    (0x2C73, 1, 1, -1),
    (0x2C76, 1, 1, -1),
    (0x2C81, 50, 2, -1),
    (0x2CEC, 2, 2, -1),
    (0x2CF3, 1, 1, -1),
    (0x2D00, 38, 1, -7264),
    (0x2D27, 1, 1, -7264),
    (0x2D2D, 1, 1, -7264),
    (0xA641, 23, 2, -1),
    (0xA681, 14, 2, -1),
    (0xA723, 7, 2, -1),
    (0xA733, 31, 2, -1),
    (0xA77A, 2, 2, -1),
    (0xA77F, 5, 2, -1),
    (0xA78C, 1, 1, -1),
    (0xA791, 2, 2, -1),
    (0xA794, 1, 1, 48),
    (0xA797, 10, 2, -1),
    (0xA7B5, 8, 2, -1),
    (0xA7C8, 2, 2, -1),
    (0xA7CD, 8, 2, -1),
    (0xA7F6, 1, 1, -1),
    (0xAB53, 1, 1, -928),
    (0xAB70, 80, 1, -38864),
    (0xFF41, 26, 1, -32),
];

/// Pushes `v` as LEB128 (7 bits a byte, low first, high bit set on all but the
/// last) at `out[at..]`; returns the next position. With `out` `None`, counts.
// Compile time only (for PACKED): an overflow or a bad index stops the build.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn put_leb(out: &mut Option<&mut [u8]>, at: usize, v: u32) -> usize {
    let mut v = v;
    let mut at = at;
    loop {
        let more = v >= 0x80;
        if let Some(o) = out {
            o[at] = (v & 0x7F) as u8 | if more { 0x80 } else { 0 };
        }
        at += 1;
        v >>= 7;
        if !more {
            return at;
        }
    }
}

/// Packs [`RUNS`] into `out` (or counts its bytes when `out` is `None`).
// Compile time only, as `put_leb`.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn pack(out: &mut Option<&mut [u8]>) -> usize {
    let mut at = 0;
    let mut end = 0u32;
    let mut i = 0;
    while i < RUNS.len() {
        let (start, count, stride, delta) = RUNS[i];
        let multi = count > 1;
        // Deltas are added modulo 2^16 (a mapping never leaves the BMP), so
        // they are stored as 16-bit values, zigzag-coded to keep small
        // negative ones short, with the has-count flag in bit 0.
        let d = delta as i16;
        let zigzag = ((d as i32) << 1) ^ ((d as i32) >> 31);
        at = put_leb(out, at, start as u32 - end);
        at = put_leb(out, at, ((zigzag as u32) << 1) | multi as u32);
        if multi {
            if let Some(o) = out {
                o[at] = (count - 1) | if stride == 2 { 0x80 } else { 0 };
            }
            at += 1;
        }
        end = start as u32 + (count as u32 - 1) * stride as u32 + 1;
        i += 1;
    }
    at
}

const PACKED_LEN: usize = pack(&mut None);

/// [`RUNS`] packed.
static PACKED: [u8; PACKED_LEN] = {
    let mut out = [0u8; PACKED_LEN];
    pack(&mut Some(&mut out));
    out
};

/// Reads a LEB128 number of at most three bytes (every number in [`PACKED`]
/// fits 17 bits).
fn leb(bytes: &mut core::slice::Iter<'_, u8>) -> Option<u32> {
    let mut v = 0u32;
    for shift in [0, 7, 14] {
        let b = *bytes.next()?;
        v |= u32::from(b & 0x7F) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// The upper case of `c` when Windows' one-to-one upper-casing changes it,
/// else `c` (see the module docs).
pub fn simple_uppercase(c: char) -> char {
    let Ok(cp) = u16::try_from(u32::from(c)) else {
        return c;
    };
    let cp = u32::from(cp);
    let mut bytes = PACKED.iter();
    let mut end = 0u32;
    while let Some(gap) = leb(&mut bytes) {
        let start = end.wrapping_add(gap);
        let Some(coded) = leb(&mut bytes) else {
            break;
        };
        if start > cp {
            // Sorted by start: no later run holds `cp`.
            break;
        }
        // Stride 2 is a shift of 1, and a mask for the odd offsets it skips.
        let (count, stride_2) = match coded & 1 {
            0 => (1, 0),
            _ => match bytes.next() {
                Some(&b) => (u32::from(b & 0x7F).wrapping_add(1), u32::from(b >> 7)),
                None => break,
            },
        };
        let last = start.wrapping_add(count.wrapping_sub(1).wrapping_shl(stride_2));
        end = last.wrapping_add(1);
        if cp <= last && cp.wrapping_sub(start) & stride_2 == 0 {
            let zigzag = coded >> 1;
            let delta = (zigzag >> 1) ^ 0u32.wrapping_sub(zigzag & 1);
            return char::from_u32(cp.wrapping_add(delta) & 0xFFFF).unwrap_or(c);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows' mapping, from core's: one-to-one, BMP only.
    fn expected(c: char) -> char {
        let mut up = c.to_uppercase();
        match (up.next(), up.next()) {
            (Some(u), None) if u32::from(c) <= 0xFFFF => u,
            _ => c,
        }
    }

    /// The runs `expected` implies, in [`RUNS`]' syntax (printed when the
    /// table is out of date).
    fn expected_runs() -> heapless::Vec<(u32, u32, u32, i32), 512> {
        let mut runs: heapless::Vec<(u32, u32, u32, i32), 512> = heapless::Vec::new();
        for cp in 0..=0xFFFFu32 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let up = expected(c);
            if up == c {
                continue;
            }
            let delta = u32::from(up) as i32 - cp as i32;
            if let Some(last) = runs.last_mut() {
                let (start, count, stride, d) = *last;
                let next = start + count * stride;
                if d == delta && (cp == next) && (count == 1 || stride == 1 || stride == 2) {
                    last.1 += 1;
                    continue;
                }
                if d == delta && count == 1 && cp == start + 2 {
                    *last = (start, 2, 2, d);
                    continue;
                }
            }
            runs.push((cp, 1, 1, delta)).unwrap();
        }
        runs
    }

    #[test]
    fn matches_windows_mapping_for_every_character() {
        let (a, b, c) = char::UNICODE_VERSION;
        assert_eq!(
            (a, b, c),
            UNICODE_VERSION,
            "the toolchain's Unicode changed: regenerate RUNS (see the module docs)"
        );
        let mut wrong = 0;
        for ch in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if simple_uppercase(ch) != expected(ch) {
                wrong += 1;
            }
        }
        assert_eq!(
            wrong,
            0,
            "characters mapped wrongly; RUNS should be (start, count, stride, delta): {:?}",
            expected_runs()
        );
    }

    #[test]
    fn runs_are_sorted_and_packed_as_documented() {
        // The list is exactly what core's data implies (as the
        // regeneration message would print it).
        let listed: heapless::Vec<(u32, u32, u32, i32), 512> = RUNS
            .iter()
            .map(|&(s, n, st, d)| (u32::from(s), u32::from(n), u32::from(st), d))
            .collect();
        assert_eq!(listed, expected_runs());
        assert!(RUNS.windows(2).all(|w| {
            let (s, n, st, _) = w[0];
            u32::from(s) + (u32::from(n) - 1) * u32::from(st) < u32::from(w[1].0)
        }));
        assert!(RUNS
            .iter()
            .all(|r| (1..=128).contains(&r.1) && (r.2 == 1 || r.2 == 2)));
        assert_eq!(PACKED_LEN, 591);
    }

    #[test]
    fn examples() {
        assert_eq!(simple_uppercase('a'), 'A');
        assert_eq!(simple_uppercase('ü'), 'Ü');
        assert_eq!(simple_uppercase('ß'), 'ß');
        assert_eq!(simple_uppercase('ÿ'), 'Ÿ');
        assert_eq!(simple_uppercase('ā'), 'Ā');
        assert_eq!(simple_uppercase('ı'), 'I');
        assert_eq!(simple_uppercase('ｚ'), 'Ｚ');
        // Outside the BMP: unchanged, as Windows leaves surrogate pairs.
        assert_eq!(simple_uppercase('\u{10428}'), '\u{10428}');
        assert_eq!(simple_uppercase('1'), '1');
        assert_eq!(simple_uppercase('\u{FFFF}'), '\u{FFFF}');
    }
}
