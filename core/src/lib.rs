//! authcore: allocation-free `no_std` NTLM and Kerberos as sans-IO state machines.
//!
//! Architecture: see `ARCHITECTURE.md` at the repository root. Time and randomness
//! are always passed in; every output goes to a buffer the caller owns.
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

#[macro_use]
mod what;

// Its in-place moves serve the Kerberos code only.
#[cfg_attr(not(feature = "kerberos"), allow(dead_code))]
mod bytes;
pub mod crypto;
#[cfg(feature = "kerberos")]
pub mod der;
mod error;
#[cfg(feature = "kerberos")]
pub mod gss;
#[cfg(feature = "kerberos")]
pub mod kerberos;
#[cfg(feature = "ntlm")]
pub mod ntlm;
pub mod package;
pub mod step;
#[cfg(all(test, any(feature = "ntlm", feature = "kerberos")))]
mod test_rng;

pub use error::{Error, IovSplit, Result};
pub use step::{Progress, Protect, Sizes, Step, Time};
pub use what::What;
