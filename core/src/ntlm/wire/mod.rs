//! NTLM messages on the wire (MS-NLMP section 2.2), apart from any behaviour.
//!
//! In the manner of smoltcp's `wire` modules: each message has a `Repr` that
//! borrows from the received buffer (`parse` checks the signature, the type, and
//! every payload field's offset and length against the buffer, rejecting fields
//! that leave it, overlap the header or overlap each other), says how long it is
//! (`buffer_len`) and writes itself into a caller's buffer (`emit`) or into any
//! [`Sink`] (`emit_to`), which is how the MIC is computed over re-emitted messages
//! without keeping copies.

mod authenticate;
mod av_pair;
mod challenge;
mod field;
mod flags;
mod negotiate;
mod response;
mod version;

pub use authenticate::{
    AuthenticateLayout, AuthenticateRepr, AUTHENTICATE_HEADER_LEN, MIC_LEN, MIC_OFFSET,
};
pub use av_pair::{
    av_flags, av_id, av_list_len, emit_av_list, AvPair, AvPairRepr, AvPairs, AvPairsIter,
    AV_HEADER_LEN, EOL_PAIR,
};
pub use challenge::{ChallengeRepr, TargetInfo, CHALLENGE_HEADER_LEN};
pub use field::{Payload, Sink, SliceSink, Text, TextChars};
pub use flags::NegotiateFlags;
pub use negotiate::{NegotiateRepr, NEGOTIATE_HEADER_LEN, NEGOTIATE_MIN_LEN};
pub use response::{
    emit_blob_header, Ntlmv2Response, BLOB_HEADER_LEN, BLOB_TRAILER_LEN, NTLMV1_RESPONSE_LEN,
    NTLMV2_RESPONSE_MIN_LEN, NT_PROOF_LEN,
};
pub use version::{Version, VERSION_LEN};

use crate::{Error, Result};

/// Every NTLM message starts with these 8 bytes.
pub const SIGNATURE: [u8; 8] = *b"NTLMSSP\0";

/// MessageType values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u32)]
pub enum MessageType {
    /// NEGOTIATE_MESSAGE.
    Negotiate = 1,
    /// CHALLENGE_MESSAGE.
    Challenge = 2,
    /// AUTHENTICATE_MESSAGE.
    Authenticate = 3,
}

impl MessageType {
    /// The type of an NTLM message (signature checked).
    pub fn of(buf: &[u8]) -> Result<MessageType> {
        if buf.get(..8).ok_or(Error::Truncated {
            what: what!("NTLM signature"),
        })? != SIGNATURE
        {
            return Err(Error::Malformed {
                what: what!("NTLM signature"),
            });
        }
        match field::u32_at(buf, 8, what!("NTLM MessageType"))? {
            1 => Ok(MessageType::Negotiate),
            2 => Ok(MessageType::Challenge),
            3 => Ok(MessageType::Authenticate),
            _ => Err(Error::Malformed {
                what: what!("NTLM MessageType"),
            }),
        }
    }
}

/// Signature and MessageType, the first 12 bytes of every message, in one write
/// (sinks, a MAC above all, pay per call).
fn put_message_start(sink: &mut dyn Sink, t: MessageType) -> Result<()> {
    let mut start = [0u8; 12];
    let (sig, ty) = start.split_at_mut(SIGNATURE.len());
    sig.copy_from_slice(&SIGNATURE);
    ty.copy_from_slice(&(t as u32).to_le_bytes());
    sink.put(&start)
}

/// The `what` of a truncated fixed header. Reads inside the fixed header after
/// [`check_header`] (and of Version and MIC once the payload offsets leave room
/// for them) use it too: they can only fail the same way.
const HEADER: crate::What = what!("NTLM message header");

fn check_header(buf: &[u8], expected: MessageType, min_len: usize) -> Result<()> {
    let t = MessageType::of(buf)?;
    if t != expected {
        return Err(Error::Malformed {
            what: what!("NTLM MessageType"),
        });
    }
    if buf.len() < min_len {
        return Err(Error::Truncated { what: HEADER });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
