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
//! served by the NTLM context directly. [`Initiator`] offers Kerberos (with
//! its AP-REQ as the optimistic token) and NTLM, follows the acceptor's
//! choice, and checks the acceptor's mechListMIC.
//!
//! Both take their mechanism contexts ready-made, so everything those are
//! configured with (keytab, credential store, channel bindings, target name,
//! clock skew) applies unchanged under Negotiate.

/// The body of `impl Protect` for a Negotiate context with `ready()`,
/// `mech`, `ntlm` and `krb`: each call goes to the chosen mechanism's
/// context once established; before that, sizes are [`SIZES`].
macro_rules! protect_through_chosen {
    () => {
        fn sizes(&self) -> $crate::Sizes {
            let chosen = match (self.ready(), self.mech) {
                (Ok(()), Mech::Ntlm) => self.ntlm.as_ref().map(|c| c.sizes()),
                (Ok(()), Mech::Kerberos) => self.krb.as_ref().map(|c| c.sizes()),
                (Err(_), _) => None,
            };
            chosen.unwrap_or($crate::spnego::SIZES)
        }

        fn sign(&mut self, data: &[u8], signature: &mut [u8]) -> $crate::Result<usize> {
            protect_through_chosen!(@on self, |c| c.sign(data, signature))
        }

        fn verify(&mut self, data: &[u8], signature: &[u8]) -> $crate::Result<()> {
            protect_through_chosen!(@on self, |c| c.verify(data, signature))
        }

        fn seal<R: rand_core::CryptoRng + ?Sized>(
            &mut self,
            rng: &mut R,
            buf: &mut [u8],
            data_len: usize,
        ) -> $crate::Result<usize> {
            protect_through_chosen!(@on self, |c| c.seal(rng, buf, data_len))
        }

        fn unseal(&mut self, buf: &mut [u8]) -> $crate::Result<core::ops::Range<usize>> {
            protect_through_chosen!(@on self, |c| c.unseal(buf))
        }
    };
    (@on $self:ident, |$ctx:ident| $call:expr) => {{
        $self.ready()?;
        match $self.mech {
            Mech::Ntlm => {
                let $ctx = $self.ntlm.as_mut().ok_or($crate::Error::WrongState)?;
                $call
            }
            Mech::Kerberos => {
                let $ctx = $self.krb.as_mut().ok_or($crate::Error::WrongState)?;
                $call
            }
        }
    }};
}
use protect_through_chosen;

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
