//! NTLM (MS-NLMP): NTLMv2 with extended session security, as an initiator
//! ([`Initiator`]) and an acceptor ([`Acceptor`]), and its message protection
//! ([`SessionSecurity`]).
//!
//! Both contexts follow the crate's [`Step`](crate::Step) lifecycle:
//!
//! ```text
//! initiator                               acceptor
//! step(b"")        -> Continue(NEGOTIATE) ->  step(NEGOTIATE)    -> Continue(CHALLENGE)
//! step(CHALLENGE)  -> Complete(AUTHENTICATE)  step(AUTHENTICATE) -> Complete(0 bytes)
//! ```
//!
//! after which both implement [`Protect`](crate::Protect). Every limit below is a
//! `pub const` so that firmware can size its buffers statically; `MAX_TOKEN_LEN`
//! bytes of output buffer always suffice for `step`.
//!
//! Memory: neither context keeps a copy of the CHALLENGE. The acceptor re-emits
//! its own CHALLENGE from the few values it drew (server challenge, timestamp,
//! flags) straight into the MIC computation, and keeps only the NEGOTIATE (at
//! most [`MAX_NEGOTIATE_LEN`] bytes); the initiator's NEGOTIATE is a constant.
//! Handshake state and the established RC4 states share memory.
//!
//! Policy in this build: NTLMv2 only (NTLMv1, with extended session security,
//! only under the `legacy` feature and an explicit acceptor opt-in), UNICODE,
//! extended session security and 128-bit keys are required, datagram mode is not
//! supported.

mod acceptor;
mod initiator;
pub mod keys;
mod protect;
pub mod wire;

pub use acceptor::{Acceptor, AcceptorConfig, CredentialStore, Identity};
pub use initiator::{Initiator, InitiatorConfig};
pub use keys::channel_bindings_hash;
pub use protect::{Role, SessionSecurity, SIGNATURE_LEN};

pub use crate::crypto::ntlm::NtHash;

use wire::{
    AV_HEADER_LEN, BLOB_HEADER_LEN, BLOB_TRAILER_LEN, CHALLENGE_HEADER_LEN, MIC_LEN, MIC_OFFSET,
    NT_PROOF_LEN,
};

/// Longest user name an [`Initiator`] takes, in UTF-8 bytes.
pub const MAX_USER_LEN: usize = 64;
/// Longest domain name an [`Initiator`] takes, in UTF-8 bytes.
pub const MAX_DOMAIN_LEN: usize = 64;
/// Longest workstation name an [`Initiator`] takes, in UTF-8 bytes.
pub const MAX_WORKSTATION_LEN: usize = 32;
/// Longest target SPN an [`Initiator`] takes (sent as MsvAvTargetName) or an
/// [`Acceptor`] expects, in UTF-8 bytes.
pub const MAX_TARGET_NAME_LEN: usize = 128;
/// Longest CHALLENGE TargetInfo an [`Initiator`] accepts (it echoes it back).
pub const MAX_TARGET_INFO_LEN: usize = 1024;
/// Longest name in an [`AcceptorConfig`] (each NetBIOS/DNS name), in UTF-8 bytes.
pub const MAX_SERVER_NAME_LEN: usize = 64;
/// Longest NEGOTIATE an [`Acceptor`] accepts; it keeps a copy for the MIC.
/// Windows sends 40 bytes.
pub const MAX_NEGOTIATE_LEN: usize = 256;
/// Room for the authenticated user, domain and workstation names together, in
/// UTF-8 bytes, in an established [`Acceptor`].
pub const MAX_IDENTITY_LEN: usize = 120;

/// The NEGOTIATE an [`Initiator`] sends: header and VERSION, no names.
pub const NEGOTIATE_LEN: usize = wire::NEGOTIATE_HEADER_LEN + wire::VERSION_LEN;

/// Longest CHALLENGE an [`Acceptor`] sends: header and VERSION, its NetBIOS
/// computer name as TargetName, and TargetInfo with five names and a timestamp.
pub const MAX_CHALLENGE_LEN: usize = CHALLENGE_HEADER_LEN
    + wire::VERSION_LEN
    + 2 * MAX_SERVER_NAME_LEN
    + 5 * (AV_HEADER_LEN + 2 * MAX_SERVER_NAME_LEN)
    + (AV_HEADER_LEN + 8)
    + AV_HEADER_LEN;

/// Longest NtChallengeResponse an [`Initiator`] sends: proof, client challenge
/// header, the server's pairs, MsvAvFlags, MsvAvChannelBindings, MsvAvTargetName,
/// MsvAvEOL and the 4 trailing zero bytes.
pub const MAX_NT_RESPONSE_LEN: usize = NT_PROOF_LEN
    + BLOB_HEADER_LEN
    + MAX_TARGET_INFO_LEN
    + (AV_HEADER_LEN + 4)
    + (AV_HEADER_LEN + 16)
    + (AV_HEADER_LEN + 2 * MAX_TARGET_NAME_LEN)
    + BLOB_TRAILER_LEN;

/// Longest AUTHENTICATE an [`Initiator`] sends (UTF-16 takes at most twice the
/// UTF-8 bytes of a name).
pub const MAX_AUTHENTICATE_LEN: usize = MIC_OFFSET
    + MIC_LEN
    + 2 * (MAX_USER_LEN + MAX_DOMAIN_LEN + MAX_WORKSTATION_LEN)
    + 24
    + MAX_NT_RESPONSE_LEN
    + 16;

/// Largest token either context emits: an output buffer of this size always
/// suffices for [`Step::step`](crate::Step::step). Also `Sizes::max_token`.
pub const MAX_TOKEN_LEN: usize = max(max(NEGOTIATE_LEN, MAX_CHALLENGE_LEN), MAX_AUTHENTICATE_LEN);

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests;
