//! std adapter for authcore: what core leaves to the platform.
//!
//! - [`rng`] and [`clock`]: the OS random number generator and wall clock.
//! - [`keytab`]: MIT keytab files (format 0x502).
//! - [`framing`] and [`session`]: the CLI's length-prefixed TCP framing and the
//!   generic client/server drivers over any package's context.

pub mod ccache;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod error;
pub mod framing;
pub mod keytab;
pub mod krb;
mod ntlm_store;
pub mod rng;
pub mod server;
pub mod session;
pub mod users;

pub use error::{Error, Result};
