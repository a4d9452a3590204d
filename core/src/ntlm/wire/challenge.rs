//! CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2).

use super::av_pair::{av_list_len, emit_av_list, AvPairRepr, AvPairs};
use super::field::{
    array_at, descriptor, put_at, resolve, u32_at, FieldSpec, Sink, SliceSink, Text,
};
use super::{check_header, MessageType, NegotiateFlags, Version, HEADER, SIGNATURE, VERSION_LEN};
use crate::{Error, Result};

/// Bytes before the payload when no VERSION is present (and the shortest
/// CHALLENGE accepted: one without TargetInfoFields predates NTLMv2).
pub const CHALLENGE_HEADER_LEN: usize = 48;

const VERSION_END: usize = CHALLENGE_HEADER_LEN + VERSION_LEN;

/// TargetInfo: either as received, or a list to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetInfo<'a> {
    /// The field as received: a checked AV_PAIR list, possibly followed by
    /// padding that belongs to the field.
    Raw(&'a [u8]),
    /// Pairs to emit; MsvAvEOL is appended.
    List(&'a [AvPairRepr<'a>]),
}

impl<'a> TargetInfo<'a> {
    /// Bytes on the wire.
    pub fn wire_len(&self) -> usize {
        match self {
            TargetInfo::Raw(b) => b.len(),
            TargetInfo::List(l) => av_list_len(l.iter()),
        }
    }

    /// The pairs of a received list (`None` for a list to emit).
    pub fn pairs(&self) -> Option<AvPairs<'a>> {
        match self {
            TargetInfo::Raw(b) => AvPairs::parse(b).ok(),
            TargetInfo::List(_) => None,
        }
    }

    fn emit(&self, sink: &mut dyn Sink) -> Result<()> {
        match self {
            TargetInfo::Raw(b) => sink.put(b),
            TargetInfo::List(l) => emit_av_list(l.iter(), sink),
        }
    }
}

/// A CHALLENGE_MESSAGE, parsed or to be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChallengeRepr<'a> {
    /// NegotiateFlags the server chose.
    pub flags: NegotiateFlags,
    /// TargetName (UTF-16LE with `UNICODE`, else OEM).
    pub target_name: Text<'a>,
    /// The server's 8-byte nonce.
    pub server_challenge: [u8; 8],
    /// TargetInfo (absent when the field is empty).
    pub target_info: Option<TargetInfo<'a>>,
    /// VERSION, present when the flags carry `VERSION`.
    pub version: Option<Version>,
}

impl<'a> ChallengeRepr<'a> {
    /// Parses and checks a CHALLENGE_MESSAGE, TargetInfo's AV pairs included.
    pub fn parse(buf: &'a [u8]) -> Result<ChallengeRepr<'a>> {
        check_header(buf, MessageType::Challenge, CHALLENGE_HEADER_LEN)?;
        let flags = NegotiateFlags::from_bits(u32_at(buf, 20, HEADER)?);
        let server_challenge = array_at::<8>(buf, 24, HEADER)?;
        // A constant: passed by reference, not rebuilt on the stack.
        const FIELDS: [FieldSpec; 2] = [
            (12, what!("CHALLENGE TargetName")),
            (40, what!("CHALLENGE TargetInfo")),
        ];
        let ([name, info], payload_start) = resolve(buf, CHALLENGE_HEADER_LEN, &FIELDS)?;
        let target_name = if flags.contains(NegotiateFlags::UNICODE) {
            if name.len() % 2 != 0 {
                return Err(Error::Malformed {
                    what: what!("CHALLENGE TargetName"),
                });
            }
            Text::Utf16Le(name)
        } else {
            Text::Oem(name)
        };
        let target_info = if info.is_empty() {
            None
        } else {
            AvPairs::parse(info)?;
            Some(TargetInfo::Raw(info))
        };
        let version = if flags.contains(NegotiateFlags::VERSION) && payload_start >= VERSION_END {
            Some(Version::parse(&array_at::<VERSION_LEN>(
                buf,
                CHALLENGE_HEADER_LEN,
                HEADER,
            )?))
        } else {
            None
        };
        Ok(ChallengeRepr {
            flags,
            target_name,
            server_challenge,
            target_info,
            version,
        })
    }

    fn header_len(&self) -> usize {
        match self.version {
            Some(_) => VERSION_END,
            None => CHALLENGE_HEADER_LEN,
        }
    }

    /// Bytes [`ChallengeRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
            .saturating_add(self.target_name.wire_len())
            .saturating_add(self.target_info.as_ref().map_or(0, TargetInfo::wire_len))
    }

    /// Writes the message into `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        let needed = self.buffer_len();
        if buf.len() < needed {
            return Err(Error::BufferTooSmall { needed });
        }
        let mut sink = SliceSink::new(buf);
        self.emit_to(&mut sink)?;
        Ok(sink.position())
    }

    /// Writes the message into any sink (the acceptor re-emits its CHALLENGE into
    /// the MIC rather than keeping a copy).
    pub fn emit_to(&self, sink: &mut dyn Sink) -> Result<()> {
        let name_len = self.target_name.wire_len();
        let info_len = self.target_info.as_ref().map_or(0, TargetInfo::wire_len);
        for (len, what) in [
            (name_len, what!("CHALLENGE TargetName")),
            (info_len, what!("CHALLENGE TargetInfo")),
        ] {
            if len > usize::from(u16::MAX) {
                return Err(Error::CapacityExceeded { what });
            }
        }
        let name_at = self.header_len();
        let info_at = name_at.saturating_add(name_len);
        // The fixed part is assembled in place and written in one go (a MAC
        // pays per write); 8 reserved zero bytes lie between the two fields.
        let mut head = [0u8; VERSION_END];
        put_at(&mut head, 0, &SIGNATURE);
        put_at(&mut head, 8, &(MessageType::Challenge as u32).to_le_bytes());
        put_at(&mut head, 12, &descriptor(name_at, info_at));
        put_at(&mut head, 20, &self.flags.bits().to_le_bytes());
        put_at(&mut head, 24, &self.server_challenge);
        put_at(
            &mut head,
            40,
            &descriptor(info_at, info_at.saturating_add(info_len)),
        );
        if let Some(v) = &self.version {
            put_at(&mut head, CHALLENGE_HEADER_LEN, &v.to_bytes());
        }
        sink.put(head.get(..name_at).unwrap_or(&[]))?;
        self.target_name.emit(sink)?;
        if let Some(ti) = &self.target_info {
            ti.emit(sink)?;
        }
        Ok(())
    }
}
