//! HMAC_DRBG (NIST SP 800-90A Rev. 1, section 10.1.2) with HMAC-SHA-256,
//! without prediction resistance and without a derivation function.
//!
//! # Warning
//!
//! This is **not** an entropy source. It is a deterministic generator: its
//! whole output is a function of the seed, nonce and personalization it was
//! instantiated with. The boards emulated by QEMU (lm3s6965evb, mps2-an386,
//! microbit, riscv virt) have no usable hardware TRNG, so their board crates
//! fall back to it, and then the security of every challenge, confounder and
//! session key they draw rests on the provisioned seed:
//!
//! - the seed must be at least 256 bits of real entropy, generated off the
//!   device (or from a TRNG) and written to the device at provisioning, unique
//!   per device and secret (read-protected flash);
//! - the nonce must never repeat for a given seed: a boot counter kept in
//!   non-volatile memory, incremented *before* the generator is used, is the
//!   usual choice. Two boots with the same seed and nonce produce the same
//!   "random" numbers, which for NTLM and Kerberos means repeated challenges,
//!   confounders and session keys;
//! - reseed with [`HmacDrbg::reseed`] whenever fresh entropy becomes
//!   available (a TRNG, a network peer's randomness mixed as additional
//!   input).
//!
//! The conformance firmware uses a fixed, public test seed and nonce: its
//! output is predictable by design and must never be used outside tests.
//! A board that does have a TRNG should use it (or reseed from it).

use core::convert::Infallible;

use hmac::{Hmac, KeyInit, Mac};
use rand_core::{TryCryptoRng, TryRng};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

const OUT_LEN: usize = 32;

/// Length of a [`ProvisionedSeed`] (the security strength of HMAC_DRBG with
/// SHA-256 is 256 bits, so the entropy input is at least that).
pub const SEED_LEN: usize = 32;

/// SP 800-90A's reseed_interval for HMAC_DRBG (2^48 requests). A device
/// would need about nine years of a million requests a second to get there.
const RESEED_INTERVAL: u64 = 1 << 48;

/// The per-device secret seed written at provisioning (see the module docs).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct ProvisionedSeed([u8; SEED_LEN]);

impl ProvisionedSeed {
    /// The seed read from wherever the device keeps it.
    pub const fn new(bytes: [u8; SEED_LEN]) -> ProvisionedSeed {
        ProvisionedSeed(bytes)
    }

    /// The seed's bytes, for boards that mix it into another source.
    pub fn expose(&self) -> &[u8; SEED_LEN] {
        &self.0
    }
}

impl core::fmt::Debug for ProvisionedSeed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ProvisionedSeed(..)")
    }
}

/// The generator's working state (K, V, reseed counter).
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct HmacDrbg {
    k: [u8; OUT_LEN],
    v: [u8; OUT_LEN],
    reseed_counter: u64,
}

impl core::fmt::Debug for HmacDrbg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("HmacDrbg(..)")
    }
}

fn hmac(key: &[u8; OUT_LEN], parts: &[&[u8]]) -> [u8; OUT_LEN] {
    // A 32-byte key is valid for HMAC (any length is); no error path exists.
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

impl HmacDrbg {
    /// Instantiate (SP 800-90A 10.1.2.3) from `entropy_input`, a `nonce` and a
    /// `personalization` string.
    pub fn new(entropy_input: &[u8], nonce: &[u8], personalization: &[u8]) -> HmacDrbg {
        let mut d = HmacDrbg {
            k: [0; OUT_LEN],
            v: [1; OUT_LEN],
            reseed_counter: 1,
        };
        d.update(&[entropy_input, nonce, personalization]);
        d
    }

    /// Instantiate from the device's provisioned seed and this boot's nonce
    /// (never repeated for the seed: see the module docs).
    pub fn from_provisioned(
        seed: &ProvisionedSeed,
        boot_nonce: u64,
        personalization: &[u8],
    ) -> HmacDrbg {
        HmacDrbg::new(&seed.0, &boot_nonce.to_be_bytes(), personalization)
    }

    /// Reseed (SP 800-90A 10.1.2.4) with fresh `entropy_input`.
    pub fn reseed(&mut self, entropy_input: &[u8], additional_input: &[u8]) {
        self.update(&[entropy_input, additional_input]);
        self.reseed_counter = 1;
    }

    /// HMAC_DRBG_Update (10.1.2.2) with the concatenation of `provided`.
    fn update(&mut self, provided: &[&[u8]]) {
        let empty = provided.iter().all(|p| p.is_empty());
        for round in [0u8, 1] {
            if round == 1 && empty {
                break;
            }
            let mut parts: [&[u8]; 5] = [&self.v, &[round], &[], &[], &[]];
            for (slot, p) in parts.iter_mut().skip(2).zip(provided) {
                *slot = p;
            }
            let k = hmac(&self.k, &parts);
            self.k = k;
            self.v = hmac(&self.k, &[&self.v]);
        }
    }

    /// Generate (10.1.2.5): fills `out`, then updates the state with
    /// `additional_input`. Returns `false` (and writes nothing) once the
    /// reseed interval is exhausted.
    pub fn generate(&mut self, out: &mut [u8], additional_input: &[u8]) -> bool {
        if self.reseed_counter > RESEED_INTERVAL {
            return false;
        }
        if !additional_input.is_empty() {
            self.update(&[additional_input]);
        }
        for chunk in out.chunks_mut(OUT_LEN) {
            self.v = hmac(&self.k, &[&self.v]);
            chunk.copy_from_slice(&self.v[..chunk.len()]);
        }
        self.update(&[additional_input]);
        self.reseed_counter += 1;
        true
    }

    fn fill(&mut self, out: &mut [u8]) {
        // Past 2^48 requests (see RESEED_INTERVAL) the generator refuses to
        // run on: a device without a reseed source stops here rather than
        // exceed the bound.
        assert!(
            self.generate(out, &[]),
            "HMAC_DRBG reseed interval exhausted: reseed from a TRNG"
        );
    }
}

impl TryRng for HmacDrbg {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for HmacDrbg {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    fn hex(s: &str) -> [u8; 128] {
        let mut out = [0u8; 128];
        for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks(2)) {
            *o = u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap();
        }
        out
    }

    /// NIST CAVP DRBG test vectors (drbgvectors_no_reseed, HMAC_DRBG.rsp),
    /// [SHA-256], PredictionResistance = False, EntropyInputLen = 256,
    /// NonceLen = 128, PersonalizationStringLen = 0, AdditionalInputLen = 0,
    /// ReturnedBitsLen = 1024, COUNT = 0: instantiate, generate twice, the
    /// second output is ReturnedBits.
    #[test]
    fn nist_cavp_hmac_drbg_sha256_count_0() {
        let entropy = hex("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488");
        let nonce = hex("659ba96c601dc69fc902940805ec0ca8");
        let expected = hex(concat!(
            "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89",
            "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1",
            "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668",
            "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8"
        ));
        let mut d = HmacDrbg::new(&entropy[..32], &nonce[..16], &[]);
        let mut out = [0u8; 128];
        assert!(d.generate(&mut out, &[]));
        assert!(d.generate(&mut out, &[]));
        assert_eq!(out, expected);
    }

    #[test]
    fn nonce_personalization_and_reseed_change_the_stream() {
        let seed = ProvisionedSeed::new([7; SEED_LEN]);
        let draw = |d: &mut HmacDrbg| {
            let mut b = [0u8; 40];
            d.try_fill_bytes(&mut b).unwrap();
            b
        };
        let a = draw(&mut HmacDrbg::from_provisioned(&seed, 1, b"board"));
        assert_eq!(a, draw(&mut HmacDrbg::from_provisioned(&seed, 1, b"board")));
        assert_ne!(a, draw(&mut HmacDrbg::from_provisioned(&seed, 2, b"board")));
        assert_ne!(a, draw(&mut HmacDrbg::from_provisioned(&seed, 1, b"other")));
        let mut r = HmacDrbg::from_provisioned(&seed, 1, b"board");
        r.reseed(&[9; 32], &[]);
        assert_ne!(a, draw(&mut r));
        // Consecutive draws differ and a draw longer than one block is not a
        // repeated block.
        let mut d = HmacDrbg::from_provisioned(&seed, 1, b"board");
        let (x, y) = (draw(&mut d), draw(&mut d));
        assert_ne!(x, y);
        assert_ne!(x[..8], x[32..40]);
        assert!(!format!("{d:?}{seed:?}").contains('7'));
    }
}
