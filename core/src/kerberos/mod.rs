//! Kerberos V5 (RFC 4120) and its GSS-API mechanism (RFC 4121).
//!
//! [`wire`] parses and emits the messages; [`Initiator`] and [`Acceptor`] run
//! the AP exchange as GSS krb5 contexts ([`crate::Step`]) and protect messages
//! afterwards ([`crate::Protect`]). The acceptor finds service keys through a
//! [`KeyTable`] and refuses replayed authenticators through a
//! [`ReplayCheck`] (a fixed-capacity [`ReplayCache`] in core).

pub mod acceptor;
pub mod checksum_8003;
pub mod context;
pub mod initiator;
pub mod keytab;
#[cfg(feature = "testing")]
pub mod mint;
pub mod replay;
pub mod wire;

pub use crate::gss::IovLayout;
pub use acceptor::{Acceptor, AcceptorConfig, DEFAULT_CLOCK_SKEW_SECS, MAX_AP_REP_TOKEN_LEN};
pub use checksum_8003::{flags as gss_flags, ChannelBindings, GssChecksum};
pub use context::{
    krb_error_code, Identity, MAX_IDENTITY_COMPONENTS, MAX_IDENTITY_LEN, MAX_TOKEN_LEN,
    MAX_WRAP_IOV_HEADER_LEN, MAX_WRAP_IOV_TRAILER_LEN,
};
pub use initiator::{Initiator, InitiatorConfig, Mech};
pub use keytab::{KeyEntry, KeyTable};
pub use replay::{replay_digest, ReplayCache, ReplayCheck, ReplayDigest};
