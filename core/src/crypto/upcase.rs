//! One-to-one Unicode upper-casing without core's case tables.
//!
//! NTLM upper-cases user names (NTOWFv2) and compares names case-insensitively.
//! `char::to_uppercase` links core's full case-conversion tables (about 12 KiB of
//! flash on Cortex-M); NTLM needs only the one-to-one ("simple") mappings, which
//! fit in 198 runs of 4 bytes and a table of their 98 distinct deltas. A run
//! maps `count` characters spaced `stride` apart from `start` by adding `delta`.
//!
//! The table is the simple upper-case mapping of Unicode 17.0.0 (the version of
//! this toolchain's `core`): every character whose `to_uppercase` is a single
//! other character. The exhaustive test below compares it with `core` and names
//! the version, so a toolchain with newer Unicode data fails loudly until the
//! table is regenerated (the test prints the runs it expects).

/// Unicode version of [`RUNS`].
#[cfg(test)]
const UNICODE_VERSION: (u8, u8, u8) = (17, 0, 0);

/// `start` in bits 0..17, `count - 1` in 17..24, stride 2 in bit 24, the
/// index of `delta` in [`DELTAS`] in 25..32.
const fn run(start: u32, count: u32, stride: u32, delta: i32) -> u32 {
    let stride_bit = if stride == 2 { 1u32 << 24 } else { 0 };
    start | (count.wrapping_sub(1) << 17) | stride_bit | (delta_index(delta) << 25)
}

/// Where `delta` is in [`DELTA_VALUES`] (past its end if missing, which the
/// exhaustive test catches).
const fn delta_index(delta: i32) -> u32 {
    let mut rest: &[i32] = &DELTA_VALUES;
    let mut i = 0u32;
    while let [first, tail @ ..] = rest {
        if *first == delta {
            return i;
        }
        rest = tail;
        i = i.wrapping_add(1);
    }
    0x7F
}

/// The distinct deltas of the runs, sorted.
const DELTA_VALUES: [i32; 98] = [
    -38864, -10795, -10792, -7264, -7205, -6254, -6253, -6244, -6243, -6242, -6236, -6181, -928,
    -300, -232, -219, -218, -217, -214, -213, -211, -210, -209, -207, -206, -205, -203, -202, -116,
    -96, -86, -80, -79, -71, -69, -64, -63, -62, -59, -57, -54, -48, -47, -40, -39, -38, -37, -34,
    -32, -31, -28, -27, -26, -16, -15, -8, -2, -1, 7, 8, 48, 56, 74, 84, 86, 97, 100, 112, 121,
    126, 128, 130, 163, 195, 743, 3008, 3814, 10727, 10743, 10749, 10780, 10782, 10783, 10815,
    35266, 35332, 35384, 42258, 42261, 42280, 42282, 42305, 42307, 42308, 42315, 42319, 42343,
    42561,
];

/// [`DELTA_VALUES`] as stored: a mapping never leaves its plane, so a delta is
/// added to the low 16 bits of a code point modulo 2^16, and 16 bits hold it.
static DELTAS: [u16; 98] = {
    let mut out = [0u16; 98];
    let mut i = 0;
    while i < out.len() {
        // `i` is below 98, the length of both arrays.
        #[allow(clippy::indexing_slicing)]
        {
            out[i] = DELTA_VALUES[i] as u16;
        }
        i = i.wrapping_add(1);
    }
    out
};

/// The runs, sorted by start.
static RUNS: [u32; 198] = [
    run(0x00061, 26, 1, -32),
    run(0x000B5, 1, 1, 743),
    run(0x000E0, 23, 1, -32),
    run(0x000F8, 7, 1, -32),
    run(0x000FF, 1, 1, 121),
    run(0x00101, 24, 2, -1),
    run(0x00131, 1, 1, -232),
    run(0x00133, 3, 2, -1),
    run(0x0013A, 8, 2, -1),
    run(0x0014B, 23, 2, -1),
    run(0x0017A, 3, 2, -1),
    run(0x0017F, 1, 1, -300),
    run(0x00180, 1, 1, 195),
    run(0x00183, 2, 2, -1),
    run(0x00188, 1, 1, -1),
    run(0x0018C, 1, 1, -1),
    run(0x00192, 1, 1, -1),
    run(0x00195, 1, 1, 97),
    run(0x00199, 1, 1, -1),
    run(0x0019A, 1, 1, 163),
    run(0x0019B, 1, 1, 42561),
    run(0x0019E, 1, 1, 130),
    run(0x001A1, 3, 2, -1),
    run(0x001A8, 1, 1, -1),
    run(0x001AD, 1, 1, -1),
    run(0x001B0, 1, 1, -1),
    run(0x001B4, 2, 2, -1),
    run(0x001B9, 1, 1, -1),
    run(0x001BD, 1, 1, -1),
    run(0x001BF, 1, 1, 56),
    run(0x001C5, 1, 1, -1),
    run(0x001C6, 1, 1, -2),
    run(0x001C8, 1, 1, -1),
    run(0x001C9, 1, 1, -2),
    run(0x001CB, 1, 1, -1),
    run(0x001CC, 1, 1, -2),
    run(0x001CE, 8, 2, -1),
    run(0x001DD, 1, 1, -79),
    run(0x001DF, 9, 2, -1),
    run(0x001F2, 1, 1, -1),
    run(0x001F3, 1, 1, -2),
    run(0x001F5, 1, 1, -1),
    run(0x001F9, 20, 2, -1),
    run(0x00223, 9, 2, -1),
    run(0x0023C, 1, 1, -1),
    run(0x0023F, 2, 1, 10815),
    run(0x00242, 1, 1, -1),
    run(0x00247, 5, 2, -1),
    run(0x00250, 1, 1, 10783),
    run(0x00251, 1, 1, 10780),
    run(0x00252, 1, 1, 10782),
    run(0x00253, 1, 1, -210),
    run(0x00254, 1, 1, -206),
    run(0x00256, 2, 1, -205),
    run(0x00259, 1, 1, -202),
    run(0x0025B, 1, 1, -203),
    run(0x0025C, 1, 1, 42319),
    run(0x00260, 1, 1, -205),
    run(0x00261, 1, 1, 42315),
    run(0x00263, 1, 1, -207),
    run(0x00264, 1, 1, 42343),
    run(0x00265, 1, 1, 42280),
    run(0x00266, 1, 1, 42308),
    run(0x00268, 1, 1, -209),
    run(0x00269, 1, 1, -211),
    run(0x0026A, 1, 1, 42308),
    run(0x0026B, 1, 1, 10743),
    run(0x0026C, 1, 1, 42305),
    run(0x0026F, 1, 1, -211),
    run(0x00271, 1, 1, 10749),
    run(0x00272, 1, 1, -213),
    run(0x00275, 1, 1, -214),
    run(0x0027D, 1, 1, 10727),
    run(0x00280, 1, 1, -218),
    run(0x00282, 1, 1, 42307),
    run(0x00283, 1, 1, -218),
    run(0x00287, 1, 1, 42282),
    run(0x00288, 1, 1, -218),
    run(0x00289, 1, 1, -69),
    run(0x0028A, 2, 1, -217),
    run(0x0028C, 1, 1, -71),
    run(0x00292, 1, 1, -219),
    run(0x0029D, 1, 1, 42261),
    run(0x0029E, 1, 1, 42258),
    run(0x00345, 1, 1, 84),
    run(0x00371, 2, 2, -1),
    run(0x00377, 1, 1, -1),
    run(0x0037B, 3, 1, 130),
    run(0x003AC, 1, 1, -38),
    run(0x003AD, 3, 1, -37),
    run(0x003B1, 17, 1, -32),
    run(0x003C2, 1, 1, -31),
    run(0x003C3, 9, 1, -32),
    run(0x003CC, 1, 1, -64),
    run(0x003CD, 2, 1, -63),
    run(0x003D0, 1, 1, -62),
    run(0x003D1, 1, 1, -57),
    run(0x003D5, 1, 1, -47),
    run(0x003D6, 1, 1, -54),
    run(0x003D7, 1, 1, -8),
    run(0x003D9, 12, 2, -1),
    run(0x003F0, 1, 1, -86),
    run(0x003F1, 1, 1, -80),
    run(0x003F2, 1, 1, 7),
    run(0x003F3, 1, 1, -116),
    run(0x003F5, 1, 1, -96),
    run(0x003F8, 1, 1, -1),
    run(0x003FB, 1, 1, -1),
    run(0x00430, 32, 1, -32),
    run(0x00450, 16, 1, -80),
    run(0x00461, 17, 2, -1),
    run(0x0048B, 27, 2, -1),
    run(0x004C2, 7, 2, -1),
    run(0x004CF, 1, 1, -15),
    run(0x004D1, 48, 2, -1),
    run(0x00561, 38, 1, -48),
    run(0x010D0, 43, 1, 3008),
    run(0x010FD, 3, 1, 3008),
    run(0x013F8, 6, 1, -8),
    run(0x01C80, 1, 1, -6254),
    run(0x01C81, 1, 1, -6253),
    run(0x01C82, 1, 1, -6244),
    run(0x01C83, 2, 1, -6242),
    run(0x01C85, 1, 1, -6243),
    run(0x01C86, 1, 1, -6236),
    run(0x01C87, 1, 1, -6181),
    run(0x01C88, 1, 1, 35266),
    run(0x01C8A, 1, 1, -1),
    run(0x01D79, 1, 1, 35332),
    run(0x01D7D, 1, 1, 3814),
    run(0x01D8E, 1, 1, 35384),
    run(0x01E01, 75, 2, -1),
    run(0x01E9B, 1, 1, -59),
    run(0x01EA1, 48, 2, -1),
    run(0x01F00, 8, 1, 8),
    run(0x01F10, 6, 1, 8),
    run(0x01F20, 8, 1, 8),
    run(0x01F30, 8, 1, 8),
    run(0x01F40, 6, 1, 8),
    run(0x01F51, 4, 2, 8),
    run(0x01F60, 8, 1, 8),
    run(0x01F70, 2, 1, 74),
    run(0x01F72, 4, 1, 86),
    run(0x01F76, 2, 1, 100),
    run(0x01F78, 2, 1, 128),
    run(0x01F7A, 2, 1, 112),
    run(0x01F7C, 2, 1, 126),
    run(0x01FB0, 2, 1, 8),
    run(0x01FBE, 1, 1, -7205),
    run(0x01FD0, 2, 1, 8),
    run(0x01FE0, 2, 1, 8),
    run(0x01FE5, 1, 1, 7),
    run(0x0214E, 1, 1, -28),
    run(0x02170, 16, 1, -16),
    run(0x02184, 1, 1, -1),
    run(0x024D0, 26, 1, -26),
    run(0x02C30, 48, 1, -48),
    run(0x02C61, 1, 1, -1),
    run(0x02C65, 1, 1, -10795),
    run(0x02C66, 1, 1, -10792),
    run(0x02C68, 3, 2, -1),
    run(0x02C73, 1, 1, -1),
    run(0x02C76, 1, 1, -1),
    run(0x02C81, 50, 2, -1),
    run(0x02CEC, 2, 2, -1),
    run(0x02CF3, 1, 1, -1),
    run(0x02D00, 38, 1, -7264),
    run(0x02D27, 1, 1, -7264),
    run(0x02D2D, 1, 1, -7264),
    run(0x0A641, 23, 2, -1),
    run(0x0A681, 14, 2, -1),
    run(0x0A723, 7, 2, -1),
    run(0x0A733, 31, 2, -1),
    run(0x0A77A, 2, 2, -1),
    run(0x0A77F, 5, 2, -1),
    run(0x0A78C, 1, 1, -1),
    run(0x0A791, 2, 2, -1),
    run(0x0A794, 1, 1, 48),
    run(0x0A797, 10, 2, -1),
    run(0x0A7B5, 8, 2, -1),
    run(0x0A7C8, 2, 2, -1),
    run(0x0A7CD, 8, 2, -1),
    run(0x0A7F6, 1, 1, -1),
    run(0x0AB53, 1, 1, -928),
    run(0x0AB70, 80, 1, -38864),
    run(0x0FF41, 26, 1, -32),
    run(0x10428, 40, 1, -40),
    run(0x104D8, 36, 1, -40),
    run(0x10597, 11, 1, -39),
    run(0x105A3, 15, 1, -39),
    run(0x105B3, 7, 1, -39),
    run(0x105BB, 2, 1, -39),
    run(0x10CC0, 51, 1, -64),
    run(0x10D70, 22, 1, -32),
    run(0x118C0, 32, 1, -32),
    run(0x16E60, 32, 1, -32),
    run(0x16EBB, 25, 1, -27),
    run(0x1E922, 34, 1, -34),
];

/// The upper case of `c` when it is a single character, else `c`.
pub fn simple_uppercase(c: char) -> char {
    let cp = u32::from(c);
    // The last run starting at or before `cp`.
    let idx = RUNS.partition_point(|r| (r & 0x1_FFFF) <= cp);
    let Some(&r) = idx.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let start = r & 0x1_FFFF;
    let count = ((r >> 17) & 0x7F).wrapping_add(1);
    let stride_2 = r & (1 << 24) != 0;
    let offset = cp.wrapping_sub(start);
    // count < 128, so the span cannot overflow.
    let span = if stride_2 { count << 1 } else { count };
    if offset >= span || (stride_2 && offset & 1 != 0) {
        return c;
    }
    let Some(&delta) = DELTAS.get((r >> 25) as usize) else {
        return c;
    };
    let low = (cp as u16).wrapping_add(delta);
    char::from_u32((cp & !0xFFFF) | u32::from(low)).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core_simple(c: char) -> char {
        let mut up = c.to_uppercase();
        match (up.next(), up.next()) {
            (Some(u), None) => u,
            _ => c,
        }
    }

    #[test]
    fn matches_core_for_every_character() {
        let (a, b, c) = char::UNICODE_VERSION;
        assert_eq!(
            (a, b, c),
            UNICODE_VERSION,
            "the toolchain's Unicode changed: regenerate RUNS (see the module docs)"
        );
        for ch in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                simple_uppercase(ch),
                core_simple(ch),
                "U+{:04X}",
                u32::from(ch)
            );
        }
    }

    #[test]
    fn every_run_has_its_delta() {
        for (i, &r) in RUNS.iter().enumerate() {
            assert!(DELTAS.get((r >> 25) as usize).is_some(), "run {i}");
        }
        // Sorted by start, as the binary search needs.
        assert!(RUNS.windows(2).all(|w| w[0] & 0x1_FFFF < w[1] & 0x1_FFFF));
    }

    #[test]
    fn examples() {
        assert_eq!(simple_uppercase('a'), 'A');
        assert_eq!(simple_uppercase('ü'), 'Ü');
        assert_eq!(simple_uppercase('ß'), 'ß');
        assert_eq!(simple_uppercase('ÿ'), 'Ÿ');
        assert_eq!(simple_uppercase('ā'), 'Ā');
        assert_eq!(simple_uppercase('\u{10428}'), '\u{10400}');
        assert_eq!(simple_uppercase('1'), '1');
    }
}
