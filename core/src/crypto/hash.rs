//! MD4, MD5 and SHA-1 as the rest of the crate uses them: RustCrypto's `md4`,
//! `md-5` and `sha1`, or, in a build with `--cfg authcore_hash="compact"` (the
//! boards' setting), the same digest types over rolled compression functions.
//!
//! Why a second form: the crates unroll their 48, 64 and 80 steps into 0.6 KB,
//! 1.9 KB and 2.9 KB of Cortex-M4 code, and, unlike `sha2`
//! (`sha2_backend_soft="compact"`, 0.4 KB), none offers a rolled backend; nor do
//! the other maintained crates (`md5` 0.8 and `sha1_smol` 1.0 unroll as well:
//! 3.6 KB and 2.4 KB, measured). Rolled, the three take about 1.4 KB with
//! MD5's constants and their shared finalization, which is what brings the
//! everything firmware under its 64 KiB budget (boards/README.md), for about
//! 50 % more instructions in an NTLM handshake. Only the compression functions below are authcore's:
//! padding, buffering, HMAC and PBKDF2 stay RustCrypto's `digest`, `hmac` and
//! `pbkdf2`, reached through digest's block-level traits. They are written from
//! RFC 1320 3.4, RFC 1321 3.4 and FIPS 180-4 6.1.2, pinned by RFC 1320 A.5,
//! RFC 1321 A.5, FIPS 180-2 Appendix A and RFC 2202 vectors, and compared with
//! the crates on every length up to three blocks. Hosts keep the crates'
//! unrolled code (faster); the tests run both.

#[cfg(not(authcore_hash = "compact"))]
pub use md4::Md4;
#[cfg(not(authcore_hash = "compact"))]
pub use md5::Md5;
#[cfg(not(authcore_hash = "compact"))]
pub use sha1::Sha1;

#[cfg(authcore_hash = "compact")]
pub use compact::{Md4, Md5, Sha1};

/// The rolled forms (compiled everywhere so that host tests pin them).
pub mod compact {
    use digest::{
        block_api::{
            Block, BlockSizeUser, Buffer, BufferKindUser, Eager, FixedOutputCore, OutputSizeUser,
            Reset, UpdateCore,
        },
        typenum::{U16, U20, U64},
        HashMarker, Output,
    };
    use zeroize::Zeroize;

    /// RFC 1321 3.4: T[i] = floor(2^32 * |sin(i)|), i = 1..64.
    const MD5_T: [u32; 64] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391,
    ];

    /// RFC 1321 3.4, per round: the rotations of its four steps, and the
    /// message word of step `i` (0..16) as `(mul * i + add) mod 16`.
    const MD5_ROUNDS: [([u32; 4], usize, usize); 4] = [
        ([7, 12, 17, 22], 1, 0),
        ([5, 9, 14, 20], 5, 1),
        ([4, 11, 16, 23], 3, 5),
        ([6, 10, 15, 21], 7, 0),
    ];

    /// RFC 1320 3.4, per round: the constant added and the rotations of its
    /// four steps.
    const MD4_ROUNDS: [(u32, [u32; 4]); 3] = [
        (0, [3, 7, 11, 19]),
        (0x5a827999, [3, 5, 9, 13]),
        (0x6ed9eba1, [3, 9, 11, 15]),
    ];

    /// RFC 1321 3.3 (and RFC 1320 3.3: the same words).
    const MD5_IV: [u32; 4] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

    /// FIPS 180-4 5.3.1.
    const SHA1_IV: [u32; 5] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

    /// FIPS 180-4 4.2.1.
    const SHA1_K: [u32; 4] = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];

    /// The 16 message words of a block (MD5 little-endian, SHA-1 big-endian).
    fn words(block: &[u8; 64], from: fn([u8; 4]) -> u32) -> [u32; 16] {
        let mut m = [0u32; 16];
        for (w, c) in m.iter_mut().zip(block.chunks_exact(4)) {
            *w = c.try_into().map_or(0, from);
        }
        m
    }

    /// Word `i mod 16` of `m` (every index is masked: no bounds to fail).
    fn at(m: &[u32; 16], i: usize) -> u32 {
        m.get(i & 15).copied().unwrap_or(0)
    }

    /// RFC 1320 3.4: the three rounds of 16 steps over one block.
    fn md4_compress(state: &mut [u32; 4], block: &[u8; 64]) {
        let m = words(block, u32::from_le_bytes);
        let [mut a, mut b, mut c, mut d] = *state;
        for (round, &(k, shifts)) in MD4_ROUNDS.iter().enumerate() {
            for (i, &s) in (0..16u32).zip(shifts.iter().cycle()) {
                let f = match round {
                    0 => (b & c) | (!b & d),
                    1 => (b & c) | (b & d) | (c & d),
                    _ => b ^ c ^ d,
                };
                // Message word of step i: i; its 2-bit halves swapped; its 4 bits reversed.
                let word = match round {
                    0 => i,
                    1 => (i << 2 | i >> 2) & 15,
                    _ => i.reverse_bits() >> 28,
                };
                let x = at(&m, word as usize);
                let step = a
                    .wrapping_add(f)
                    .wrapping_add(x)
                    .wrapping_add(k)
                    .rotate_left(s);
                (a, b, c, d) = (d, step, b, c);
            }
        }
        for (h, v) in state.iter_mut().zip([a, b, c, d]) {
            *h = h.wrapping_add(v);
        }
    }

    /// RFC 1321 3.4: the four rounds of 16 steps over one block.
    fn md5_compress(state: &mut [u32; 4], block: &[u8; 64]) {
        let m = words(block, u32::from_le_bytes);
        let [mut a, mut b, mut c, mut d] = *state;
        let mut t = MD5_T.iter();
        for (round, &(shifts, mul, add)) in MD5_ROUNDS.iter().enumerate() {
            for (i, &s) in (0..16usize).zip(shifts.iter().cycle()) {
                let f = match round {
                    0 => (b & c) | (!b & d),
                    1 => (b & d) | (c & !d),
                    2 => b ^ c ^ d,
                    _ => c ^ (b | !d),
                };
                let x = at(&m, i.wrapping_mul(mul).wrapping_add(add));
                let step = a
                    .wrapping_add(f)
                    .wrapping_add(x)
                    .wrapping_add(t.next().copied().unwrap_or(0))
                    .rotate_left(s);
                (a, d, c) = (d, c, b);
                b = b.wrapping_add(step);
            }
        }
        for (h, v) in state.iter_mut().zip([a, b, c, d]) {
            *h = h.wrapping_add(v);
        }
    }

    /// FIPS 180-4 6.1.2: 80 steps over one block, the message schedule kept
    /// as a ring of 16 words.
    fn sha1_compress(state: &mut [u32; 5], block: &[u8; 64]) {
        let mut w = words(block, u32::from_be_bytes);
        let [mut a, mut b, mut c, mut d, mut e] = *state;
        let mut t = 0usize;
        for (round, &k) in SHA1_K.iter().enumerate() {
            for _ in 0..20 {
                if t >= 16 {
                    let next = (at(&w, t.wrapping_add(13))
                        ^ at(&w, t.wrapping_add(8))
                        ^ at(&w, t.wrapping_add(2))
                        ^ at(&w, t))
                    .rotate_left(1);
                    if let Some(slot) = w.get_mut(t & 15) {
                        *slot = next;
                    }
                }
                let f = match round {
                    0 => (b & c) | (!b & d),
                    2 => (b & c) | (b & d) | (c & d),
                    _ => b ^ c ^ d,
                };
                let tmp = a
                    .rotate_left(5)
                    .wrapping_add(f)
                    .wrapping_add(e)
                    .wrapping_add(k)
                    .wrapping_add(at(&w, t));
                (e, d, c, b, a) = (d, c, b.rotate_left(30), a, tmp);
                t = t.wrapping_add(1);
            }
        }
        for (h, v) in state.iter_mut().zip([a, b, c, d, e]) {
            *h = h.wrapping_add(v);
        }
    }

    /// The buffer all three cores share (64-byte blocks, eager).
    type Buffer64 = Buffer<Md5Core>;

    /// The final padding and the digest (MD4 and MD5 little-endian, SHA-1
    /// big-endian), once for the two 4-word hashes: out of line, so MD4's
    /// and MD5's finalization are one copy of code.
    #[inline(never)]
    fn finish<const W: usize>(
        state: &[u32; W],
        blocks: u64,
        buffer: &mut Buffer64,
        compress: fn(&mut [u32; W], &[u8; 64]),
        big_endian: bool,
        out: &mut [u8],
    ) {
        // The length field of both paddings is the message length in bits mod 2^64.
        let bits = blocks
            .wrapping_mul(64)
            .wrapping_add(buffer.get_pos() as u64)
            .wrapping_mul(8);
        let mut h = *state;
        if big_endian {
            buffer.len64_padding_be(bits, |b| compress(&mut h, &b.0));
        } else {
            buffer.len64_padding_le(bits, |b| compress(&mut h, &b.0));
        }
        // `h` is now the digest itself, handed out below: nothing to wipe.
        for (o, v) in out.chunks_exact_mut(4).zip(h) {
            o.copy_from_slice(&if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            });
        }
    }

    macro_rules! core_type {
        ($core:ident, $iv:ident, $words:literal, $out:ty, $compress:ident, $big_endian:literal, $doc:literal) => {
            #[doc = $doc]
            #[derive(Clone)]
            pub struct $core {
                h: [u32; $words],
                blocks: u64,
            }

            impl HashMarker for $core {}

            impl BlockSizeUser for $core {
                type BlockSize = U64;
            }

            impl BufferKindUser for $core {
                type BufferKind = Eager;
            }

            impl OutputSizeUser for $core {
                type OutputSize = $out;
            }

            impl UpdateCore for $core {
                fn update_blocks(&mut self, blocks: &[Block<Self>]) {
                    for b in blocks {
                        $compress(&mut self.h, &b.0);
                    }
                    self.blocks = self.blocks.wrapping_add(blocks.len() as u64);
                }
            }

            impl FixedOutputCore for $core {
                fn finalize_fixed_core(
                    &mut self,
                    buffer: &mut Buffer<Self>,
                    out: &mut Output<Self>,
                ) {
                    finish(&self.h, self.blocks, buffer, $compress, $big_endian, out);
                }
            }

            impl Default for $core {
                fn default() -> Self {
                    $core { h: $iv, blocks: 0 }
                }
            }

            impl Reset for $core {
                fn reset(&mut self) {
                    *self = $core::default();
                }
            }

            impl core::fmt::Debug for $core {
                fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                    f.write_str(concat!(stringify!($core), " { .. }"))
                }
            }

            // The state of an HMAC's inner and outer hash is equivalent to its key.
            impl Drop for $core {
                fn drop(&mut self) {
                    self.h.zeroize();
                    self.blocks.zeroize();
                }
            }

            impl zeroize::ZeroizeOnDrop for $core {}
        };
    }

    core_type!(
        Md4Core,
        MD5_IV,
        4,
        U16,
        md4_compress,
        false,
        "MD4's block-level state over the rolled compression function."
    );
    core_type!(
        Md5Core,
        MD5_IV,
        4,
        U16,
        md5_compress,
        false,
        "MD5's block-level state over the rolled compression function."
    );
    core_type!(
        Sha1Core,
        SHA1_IV,
        5,
        U20,
        sha1_compress,
        true,
        "SHA-1's block-level state over the rolled compression function."
    );

    digest::buffer_fixed!(
        /// MD4 (RFC 1320), rolled.
        pub struct Md4(Md4Core);
        impl: BaseFixedTraits Default Clone HashMarker Reset FixedOutputReset;
    );

    digest::buffer_fixed!(
        /// MD5 (RFC 1321), rolled.
        pub struct Md5(Md5Core);
        impl: BaseFixedTraits Default Clone HashMarker Reset FixedOutputReset;
    );

    digest::buffer_fixed!(
        /// SHA-1 (FIPS 180-4), rolled.
        pub struct Sha1(Sha1Core);
        impl: BaseFixedTraits Default Clone HashMarker Reset FixedOutputReset;
    );
}

#[cfg(test)]
mod tests {
    use super::compact;
    use digest::Digest;
    use hex_literal::hex;

    fn md4(data: &[u8]) -> [u8; 16] {
        compact::Md4::digest(data).into()
    }

    fn md5(data: &[u8]) -> [u8; 16] {
        compact::Md5::digest(data).into()
    }

    fn sha1(data: &[u8]) -> [u8; 20] {
        compact::Sha1::digest(data).into()
    }

    /// The build's choice reached the types the crate uses (tests/run runs
    /// these tests with and without the cfg).
    #[test]
    fn selected_form() {
        for name in [
            core::any::type_name::<super::Md4>(),
            core::any::type_name::<super::Md5>(),
            core::any::type_name::<super::Sha1>(),
        ] {
            assert_eq!(
                name.contains("::compact::"),
                cfg!(authcore_hash = "compact"),
                "{name}"
            );
        }
    }

    /// The seven messages of the RFC 1320 and RFC 1321 A.5 test suites (the
    /// same in both).
    const A5_MESSAGES: [&[u8]; 7] = [
        b"",
        b"a",
        b"abc",
        b"message digest",
        b"abcdefghijklmnopqrstuvwxyz",
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    ];

    /// RFC 1320 A.5, the test suite.
    #[test]
    fn rfc1320_a5_md4_suite() {
        let want = [
            hex!("31d6cfe0d16ae931b73c59d7e0c089c0"),
            hex!("bde52cb31de33e46245e05fbdbd6fb24"),
            hex!("a448017aaf21d8525fc10ae87aa6729d"),
            hex!("d9130a8164549fe818874806e1c7014b"),
            hex!("d79e1c308aa5bbcdeea8ed63df412da9"),
            hex!("043f8582f241db351ce627e153e7f0e4"),
            hex!("e33b4ddc9c38f2199c3e7b164fcc0536"),
        ];
        for (msg, want) in A5_MESSAGES.iter().zip(want) {
            assert_eq!(md4(msg), want, "{:?}", core::str::from_utf8(msg));
        }
    }

    /// RFC 1321 A.5, the test suite.
    #[test]
    fn rfc1321_a5_md5_suite() {
        let want = [
            hex!("d41d8cd98f00b204e9800998ecf8427e"),
            hex!("0cc175b9c0f1b6a831c399e269772661"),
            hex!("900150983cd24fb0d6963f7d28e17f72"),
            hex!("f96b697d7cb7938d525a2f31aaf161d0"),
            hex!("c3fcd3d76192e4007dfb496cca67e13b"),
            hex!("d174ab98d277d9f5a5611c2c9f419d9f"),
            hex!("57edf4a22be3c955ac49da2e2107b67a"),
        ];
        for (msg, want) in A5_MESSAGES.iter().zip(want) {
            assert_eq!(md5(msg), want, "{:?}", core::str::from_utf8(msg));
        }
    }

    /// FIPS 180-2 Appendix A.1 to A.3 (also RFC 3174 section 7.3's tests 1, 2 and 3).
    #[test]
    fn fips180_appendix_a_sha1() {
        assert_eq!(
            sha1(b"abc"),
            hex!("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert_eq!(
            sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            hex!("84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        );
        let mut h = compact::Sha1::new();
        for _ in 0..1000 {
            h.update([b'a'; 1000]);
        }
        let million_a: [u8; 20] = h.finalize().into();
        assert_eq!(million_a, hex!("34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
    }

    /// RFC 2202 sections 2 and 3, first test cases: HMAC (RustCrypto's) over
    /// the rolled hashes.
    #[test]
    fn rfc2202_hmac_over_rolled_hashes() {
        use hmac::{Hmac, KeyInit, Mac};
        let mut m = <Hmac<compact::Md5> as KeyInit>::new_from_slice(&[0x0b; 16]).unwrap();
        m.update(b"Hi There");
        assert_eq!(
            m.finalize().into_bytes()[..],
            hex!("9294727a3638bb1c13f48ef8158bfc9d")
        );
        let mut m = <Hmac<compact::Sha1> as KeyInit>::new_from_slice(&[0x0b; 20]).unwrap();
        m.update(b"Hi There");
        assert_eq!(
            m.finalize().into_bytes()[..],
            hex!("b617318655057264e28bc0b6fb378c8ef146be00")
        );
    }

    /// The rolled forms against the crates' on every length from 0 to 3
    /// blocks and every split of the input into two updates (the buffering
    /// and both padding cases: the length fits in the last block or not).
    #[test]
    fn rolled_equals_crates() {
        let data: [u8; 193] = core::array::from_fn(|i| (i as u8).wrapping_mul(151).wrapping_add(7));
        for len in 0..=data.len() {
            let msg = &data[..len];
            assert_eq!(md4(msg)[..], md4::Md4::digest(msg)[..], "MD4 length {len}");
            assert_eq!(md5(msg)[..], md5::Md5::digest(msg)[..], "MD5 length {len}");
            assert_eq!(
                sha1(msg)[..],
                sha1::Sha1::digest(msg)[..],
                "SHA-1 length {len}"
            );
            for cut in [1, len / 2, len.saturating_sub(1)] {
                let cut = cut.min(len);
                let mut h = compact::Md5::new();
                h.update(&msg[..cut]);
                h.update(&msg[cut..]);
                assert_eq!(
                    h.finalize()[..],
                    md5::Md5::digest(msg)[..],
                    "MD5 {len} split {cut}"
                );
                let mut h = compact::Sha1::new();
                h.update(&msg[..cut]);
                h.update(&msg[cut..]);
                assert_eq!(
                    h.finalize()[..],
                    sha1::Sha1::digest(msg)[..],
                    "SHA-1 {len} split {cut}"
                );
            }
        }
    }
}
