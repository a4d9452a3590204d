//! Negotiate: SPNEGO (RFC 4178) over the NTLM and Kerberos contexts, as
//! Windows' Negotiate package does it (MS-SPNG): Kerberos preferred, NTLM
//! the fallback.
//!
//! [`wire`] parses and emits the tokens; [`Acceptor`] picks the first
//! mechanism of the initiator's list it has a context for, runs that
//! context's `step` inside the tokens, and exchanges the mechListMIC that
//! protects the list against a downgrade whenever the choice was not the
//! initiator's first (or the initiator sent one anyway). A client that
//! sends a raw NTLM token under the Negotiate scheme (some browsers do) is
//! served by the NTLM context directly.

mod acceptor;
mod initiator;
pub mod wire;

pub use acceptor::{Acceptor, Identity, Mech};
pub use initiator::Initiator;

/// Largest token an [`Acceptor`] emits: a Kerberos token (the larger
/// mechanism's) in a NegTokenResp with a mechListMIC.
pub const MAX_TOKEN_LEN: usize =
    crate::kerberos::MAX_TOKEN_LEN + wire::MAX_RESP_OVERHEAD + MAX_MECH_LIST_MIC_LEN + 8;

/// Largest token a Negotiate context emits or needs as output room when
/// the exchange can only end in NTLM (no Kerberos context on this side): an
/// NTLM token in a NegTokenInit or NegTokenResp with a mechListMIC.
pub const MAX_NTLM_ONLY_TOKEN_LEN: usize = crate::ntlm::MAX_TOKEN_LEN
    + max(wire::MAX_RESP_OVERHEAD, wire::MAX_INIT_OVERHEAD)
    + MAX_MECH_LIST_MIC_LEN
    + 8;

/// Longest mechListMIC taken or made (a krb5 MIC token is 28 bytes at most,
/// an NTLM signature 16).
pub const MAX_MECH_LIST_MIC_LEN: usize = 64;

/// Longest MechTypeList an acceptor keeps for the mechListMIC (sixteen
/// OIDs of up to 14 octets).
pub const MAX_MECH_LIST_LEN: usize = 256;

/// Protection bounds over both mechanisms, for a caller sizing buffers
/// before the choice is made.
pub const SIZES: crate::Sizes = crate::Sizes {
    max_token: MAX_TOKEN_LEN,
    max_signature: max(crate::ntlm::SIGNATURE_LEN, KRB.max_signature),
    seal_header: max(crate::ntlm::SIGNATURE_LEN, KRB.seal_header),
    seal_trailer: KRB.seal_trailer,
    block_size: 16,
};

const KRB: crate::package::PackageInfo = crate::package::KERBEROS;

const fn max(a: usize, b: usize) -> usize {
    if a > b {
        a
    } else {
        b
    }
}
