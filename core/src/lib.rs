//! authcore: allocation-free `no_std` NTLM and Kerberos as sans-IO state machines.
//!
//! Architecture: see `ARCHITECTURE.md` at the repository root. Time and randomness
//! are always passed in; every output goes to a buffer the caller owns.
//!
//! Every package is driven the same way: call [`Step::step`] with the peer's
//! last token (empty to start) and a buffer of the package's `MAX_TOKEN_LEN`;
//! the [`Progress`] says how many bytes to send and whether the context is
//! established. Then [`Protect`] signs and seals in place. An NTLM handshake
//! between both sides in one process, with buffers that could be `static`:
//!
//! ```
//! # #[cfg(feature = "ntlm")] {
//! use authcore::ntlm::{self, Acceptor, AcceptorConfig, CredentialStore, Initiator,
//!                      InitiatorConfig, NtHash};
//! use authcore::{Progress, Protect, Step, Time};
//!
//! // The server's accounts: the NT hash is all an acceptor needs, so a device
//! // can store that instead of the password.
//! struct Accounts;
//! impl CredentialStore for Accounts {
//!     fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
//!         (user.eq_ignore_ascii_case("alice") && domain.eq_ignore_ascii_case("CORP"))
//!             .then(|| NtHash::from_password("Passw0rd"))
//!     }
//! }
//!
//! # struct NotRandom(u8);
//! # impl rand_core::TryRng for NotRandom {
//! #     type Error = core::convert::Infallible;
//! #     fn try_next_u32(&mut self) -> Result<u32, Self::Error> { Ok(u32::from(self.0)) }
//! #     fn try_next_u64(&mut self) -> Result<u64, Self::Error> { Ok(u64::from(self.0)) }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Self::Error> {
//! #         d.iter_mut().for_each(|b| { self.0 = self.0.wrapping_add(1); *b = self.0 });
//! #         Ok(())
//! #     }
//! # }
//! # impl rand_core::TryCryptoRng for NotRandom {}
//! // Stands in for the board's TRNG (any `rand_core::CryptoRng`).
//! let mut rng = NotRandom(0);
//! let now = Time::from_unix_secs(1_764_979_200); // from the caller's clock
//!
//! let config = InitiatorConfig::new().with_target_name("HTTP/printer.corp.example");
//! let mut client = Initiator::new("alice", "CORP", "Passw0rd", config)?;
//! let mut server = Acceptor::new(Accounts, AcceptorConfig::new("PRINTER", "CORP"))?;
//!
//! let mut to_server = [0u8; ntlm::MAX_TOKEN_LEN];
//! let mut to_client = [0u8; ntlm::MAX_TOKEN_LEN];
//! // NEGOTIATE, CHALLENGE, AUTHENTICATE: in a real device each token crosses
//! // the network (in an HTTP header, an SMB message, ...).
//! let Progress::Continue { written: n } = client.step(&[], &mut to_server, now, &mut rng)?
//! else { unreachable!() };
//! let Progress::Continue { written: c } =
//!     server.step(&to_server[..n], &mut to_client, now, &mut rng)?
//! else { unreachable!() };
//! let Progress::Complete { written: a } =
//!     client.step(&to_client[..c], &mut to_server, now, &mut rng)?
//! else { unreachable!() };
//! assert_eq!(server.step(&to_server[..a], &mut to_client, now, &mut rng)?,
//!            Progress::Complete { written: 0 });
//!
//! // The server's view of the client: SSPI's access token, in miniature.
//! let who = server.identity().expect("established");
//! assert_eq!((who.domain, who.user), ("CORP", "alice"));
//!
//! // Seal in place: the message goes after `seal_header` bytes of room.
//! let sizes = client.sizes();
//! let mut buf = [0u8; 64];
//! let msg = b"scan to \\\\nas\\share";
//! buf[sizes.seal_header..][..msg.len()].copy_from_slice(msg);
//! let token_len = client.seal(&mut rng, &mut buf, msg.len())?;
//! let range = server.unseal(&mut buf[..token_len])?;
//! assert_eq!(&buf[range], msg);
//! # }
//! # Ok::<(), authcore::Error>(())
//! ```
//!
//! A failed step leaves its context failed: every later call returns an error,
//! so a caller can drop it at leisure. Kerberos (`kerberos::Initiator`,
//! `kerberos::Acceptor`) follows the same shape, with a `kerberos::KeyTable`
//! in place of the credential store.
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
#[cfg(feature = "spnego")]
pub mod spnego;
pub mod step;
#[cfg(all(test, any(feature = "ntlm", feature = "kerberos")))]
mod test_rng;

pub use error::{Error, IovSplit, Result};
pub use step::{Progress, Protect, Sizes, Step, Time};
pub use what::What;
