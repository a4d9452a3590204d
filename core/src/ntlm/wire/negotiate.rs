//! NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1).

use super::field::{put_field, resolve, u32_at, FieldSpec, Sink, SliceSink};
use super::{
    check_header, put_message_start, MessageType, NegotiateFlags, Version, HEADER, VERSION_LEN,
};
use crate::{Error, Result};

/// Bytes before the payload when no VERSION is present.
pub const NEGOTIATE_HEADER_LEN: usize = 32;

/// The shortest NEGOTIATE accepted: signature, type and flags (early clients
/// stopped there; the domain and workstation fields are then empty). Anything
/// between this and [`NEGOTIATE_HEADER_LEN`] cuts a field in two and is refused.
pub const NEGOTIATE_MIN_LEN: usize = 16;

/// A NEGOTIATE_MESSAGE, parsed or to be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiateRepr<'a> {
    /// NegotiateFlags the client asks for.
    pub flags: NegotiateFlags,
    /// DomainName, OEM (only meaningful with `OEM_DOMAIN_SUPPLIED`).
    pub domain: &'a [u8],
    /// Workstation, OEM (only meaningful with `OEM_WORKSTATION_SUPPLIED`).
    pub workstation: &'a [u8],
    /// VERSION, present when the flags carry `VERSION`.
    pub version: Option<Version>,
}

impl<'a> NegotiateRepr<'a> {
    /// Parses and checks a NEGOTIATE_MESSAGE.
    pub fn parse(buf: &'a [u8]) -> Result<NegotiateRepr<'a>> {
        check_header(buf, MessageType::Negotiate, NEGOTIATE_MIN_LEN)?;
        let flags = NegotiateFlags::from_bits(u32_at(buf, 12, HEADER)?);
        if buf.len() == NEGOTIATE_MIN_LEN {
            return Ok(NegotiateRepr {
                flags,
                domain: &[],
                workstation: &[],
                version: None,
            });
        }
        if buf.len() < NEGOTIATE_HEADER_LEN {
            return Err(Error::Truncated {
                what: what!("NEGOTIATE header"),
            });
        }
        // A constant: passed by reference, not rebuilt on the stack.
        const FIELDS: [FieldSpec; 2] = [
            (16, what!("NEGOTIATE DomainName")),
            (24, what!("NEGOTIATE Workstation")),
        ];
        let ([domain, workstation], payload_start) = resolve(buf, NEGOTIATE_HEADER_LEN, &FIELDS)?;
        let version_end = NEGOTIATE_HEADER_LEN + VERSION_LEN;
        let version = if flags.contains(NegotiateFlags::VERSION) && payload_start >= version_end {
            buf.get(NEGOTIATE_HEADER_LEN..version_end)
                .and_then(|b| b.try_into().ok())
                .map(Version::parse)
        } else {
            None
        };
        Ok(NegotiateRepr {
            flags,
            domain,
            workstation,
            version,
        })
    }

    fn header_len(&self) -> usize {
        match self.version {
            Some(_) => NEGOTIATE_HEADER_LEN + VERSION_LEN,
            None => NEGOTIATE_HEADER_LEN,
        }
    }

    /// Bytes [`NegotiateRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
            .saturating_add(self.domain.len())
            .saturating_add(self.workstation.len())
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

    /// Writes the message into any sink (the MIC re-emits it into a MAC).
    pub fn emit_to(&self, sink: &mut dyn Sink) -> Result<()> {
        let domain_at = self.header_len();
        let ws_at = domain_at.saturating_add(self.domain.len());
        put_message_start(sink, MessageType::Negotiate)?;
        sink.put(&self.flags.bits().to_le_bytes())?;
        put_field(
            sink,
            self.domain.len(),
            domain_at,
            what!("NEGOTIATE DomainName"),
        )?;
        put_field(
            sink,
            self.workstation.len(),
            ws_at,
            what!("NEGOTIATE Workstation"),
        )?;
        if let Some(v) = &self.version {
            v.emit(sink)?;
        }
        sink.put(self.domain)?;
        sink.put(self.workstation)
    }
}
