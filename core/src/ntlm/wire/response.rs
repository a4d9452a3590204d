//! NTLMv2_RESPONSE and NTLMv2_CLIENT_CHALLENGE (MS-NLMP 2.2.2.7 and 2.2.2.8): the
//! NtChallengeResponse of an NTLMv2 AUTHENTICATE.

use super::av_pair::AvPairs;
use super::field::{array_at, u64_at, Sink};
use crate::{Error, Result};

/// Bytes of NTProofStr (the Response field).
pub const NT_PROOF_LEN: usize = 16;
/// Bytes of the client challenge before its AV pairs: RespType, HiRespType,
/// Reserved1, Reserved2, TimeStamp, ChallengeFromClient, Reserved3.
pub const BLOB_HEADER_LEN: usize = 28;
/// The zero bytes that follow the AV pairs in the client challenge (the `Z(4)`
/// after ServerName in MS-NLMP 3.3.2's `temp`).
pub const BLOB_TRAILER_LEN: usize = 4;
/// An NTLMv1 NtChallengeResponse is exactly this long; NTLMv2 ones are longer.
pub const NTLMV1_RESPONSE_LEN: usize = 24;
/// The shortest NTLMv2 response: proof, blob header and a bare MsvAvEOL.
pub const NTLMV2_RESPONSE_MIN_LEN: usize =
    NT_PROOF_LEN + BLOB_HEADER_LEN + super::av_pair::AV_HEADER_LEN;

/// A checked NTLMv2_RESPONSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ntlmv2Response<'a> {
    /// NTProofStr.
    pub proof: [u8; NT_PROOF_LEN],
    /// The client challenge ("temp") exactly as received: the proof covers these
    /// bytes, trailing ones included.
    pub blob: &'a [u8],
    /// TimeStamp (FILETIME).
    pub timestamp: u64,
    /// ChallengeFromClient.
    pub client_challenge: [u8; 8],
    /// The AV pairs.
    pub av_pairs: AvPairs<'a>,
}

impl<'a> Ntlmv2Response<'a> {
    /// Parses an NtChallengeResponse as NTLMv2.
    pub fn parse(nt_response: &'a [u8]) -> Result<Ntlmv2Response<'a>> {
        const WHAT: crate::What = what!("NTLMv2_RESPONSE");
        if nt_response.len() < NTLMV2_RESPONSE_MIN_LEN {
            return Err(Error::Truncated { what: WHAT });
        }
        let (proof, blob) = nt_response
            .split_at_checked(NT_PROOF_LEN)
            .ok_or(Error::Truncated { what: WHAT })?;
        if blob.first() != Some(&1) {
            return Err(Error::Malformed {
                what: what!("NTLMv2_CLIENT_CHALLENGE RespType"),
            });
        }
        let timestamp = u64_at(blob, 8, WHAT)?;
        let client_challenge = array_at::<8>(blob, 16, WHAT)?;
        let av = blob
            .get(BLOB_HEADER_LEN..)
            .ok_or(Error::Truncated { what: WHAT })?;
        let av_pairs = AvPairs::parse(av)?;
        Ok(Ntlmv2Response {
            proof: proof
                .try_into()
                .map_err(|_| Error::Truncated { what: WHAT })?,
            blob,
            timestamp,
            client_challenge,
            av_pairs,
        })
    }
}

/// Writes the 28-byte header of an NTLMv2_CLIENT_CHALLENGE.
pub fn emit_blob_header(
    sink: &mut dyn Sink,
    timestamp: u64,
    client_challenge: &[u8; 8],
) -> Result<()> {
    sink.put(&[1, 1, 0, 0, 0, 0, 0, 0])?;
    sink.put(&timestamp.to_le_bytes())?;
    sink.put(client_challenge)?;
    sink.put(&[0; 4])
}
