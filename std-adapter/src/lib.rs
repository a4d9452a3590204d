//! std adapter for authcore: what core leaves to the platform.
//!
//! - [`rng`]: the OS random number generator as a `rand_core::CryptoRng`.
//! - [`keytab`]: MIT keytab files (format 0x502).

pub mod cli;
pub mod keytab;
pub mod rng;
