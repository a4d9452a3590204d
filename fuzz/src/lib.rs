//! What the fuzz targets share: a deterministic RNG, the fixed NTLM account and
//! in-process handshakes, the Kerberos keys of the MIT capture, and a byte
//! mutator driven by the fuzz input. Nothing here is for use outside fuzzing.

pub mod krb;
pub mod ntlm;

use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// A deterministic "RNG" (splitmix64) so that fuzz runs reproduce.
pub struct CounterRng(pub u64);

impl TryRng for CounterRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for CounterRng {}

/// Applies `edits` to `buf`, three bytes per edit: a big-endian position
/// (taken modulo the length) and an XOR mask; a zero mask truncates the buffer
/// at the position instead. Returns whether the bytes differ afterwards, so a
/// target can demand that every real change is refused.
pub fn mutate(buf: &mut Vec<u8>, edits: &[u8]) -> bool {
    let original = buf.clone();
    for e in edits.chunks_exact(3) {
        let pos = usize::from(u16::from_be_bytes([e[0], e[1]]));
        if e[2] == 0 {
            buf.truncate(pos % (buf.len() + 1));
        } else if !buf.is_empty() {
            let at = pos % buf.len();
            buf[at] ^= e[2];
        }
    }
    *buf != original
}

/// Decodes hex (the fixtures are written as in the vector files).
pub fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| (b as char).to_digit(16).expect("hex digit") as u8)
        .collect();
    assert!(digits.len() % 2 == 0, "odd hex length");
    digits.chunks_exact(2).map(|p| p[0] << 4 | p[1]).collect()
}
