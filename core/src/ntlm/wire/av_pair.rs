//! AV_PAIR lists (MS-NLMP 2.2.2.1): the server's TargetInfo in CHALLENGE, echoed
//! and extended by the client inside its NTLMv2 response.

use super::field::{u16_at, Sink, Text};
use crate::{Error, Result};

/// AvId values (MS-NLMP 2.2.2.1).
pub mod av_id {
    /// MsvAvEOL: end of the list.
    pub const EOL: u16 = 0x0000;
    /// MsvAvNbComputerName.
    pub const NB_COMPUTER_NAME: u16 = 0x0001;
    /// MsvAvNbDomainName.
    pub const NB_DOMAIN_NAME: u16 = 0x0002;
    /// MsvAvDnsComputerName.
    pub const DNS_COMPUTER_NAME: u16 = 0x0003;
    /// MsvAvDnsDomainName.
    pub const DNS_DOMAIN_NAME: u16 = 0x0004;
    /// MsvAvDnsTreeName.
    pub const DNS_TREE_NAME: u16 = 0x0005;
    /// MsvAvFlags.
    pub const FLAGS: u16 = 0x0006;
    /// MsvAvTimestamp.
    pub const TIMESTAMP: u16 = 0x0007;
    /// MsvAvSingleHost.
    pub const SINGLE_HOST: u16 = 0x0008;
    /// MsvAvTargetName.
    pub const TARGET_NAME: u16 = 0x0009;
    /// MsvAvChannelBindings.
    pub const CHANNEL_BINDINGS: u16 = 0x000a;
}

/// Bits of the MsvAvFlags value.
pub mod av_flags {
    /// The account authentication is constrained.
    pub const CONSTRAINED: u32 = 0x0000_0001;
    /// The AUTHENTICATE message carries a MIC.
    pub const MIC_PRESENT: u32 = 0x0000_0002;
    /// The MsvAvTargetName came from an untrusted source.
    pub const UNTRUSTED_SPN: u32 = 0x0000_0004;
}

/// Bytes of an AV_PAIR header (AvId, AvLen).
pub const AV_HEADER_LEN: usize = 4;

/// One raw attribute/value pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvPair<'a> {
    /// AvId.
    pub id: u16,
    /// Value (AvLen bytes).
    pub value: &'a [u8],
}

impl<'a> AvPair<'a> {
    /// The typed value; a known id with a value of the wrong size is malformed.
    pub fn repr(&self) -> Result<AvPairRepr<'a>> {
        let text = || {
            if self.value.len() % 2 == 0 {
                Ok(Text::Utf16Le(self.value))
            } else {
                Err(Error::Malformed {
                    what: what!("AV_PAIR name"),
                })
            }
        };
        Ok(match self.id {
            av_id::NB_COMPUTER_NAME => AvPairRepr::NbComputerName(text()?),
            av_id::NB_DOMAIN_NAME => AvPairRepr::NbDomainName(text()?),
            av_id::DNS_COMPUTER_NAME => AvPairRepr::DnsComputerName(text()?),
            av_id::DNS_DOMAIN_NAME => AvPairRepr::DnsDomainName(text()?),
            av_id::DNS_TREE_NAME => AvPairRepr::DnsTreeName(text()?),
            av_id::TARGET_NAME => AvPairRepr::TargetName(text()?),
            av_id::FLAGS => {
                let b: [u8; 4] = self.value.try_into().map_err(|_| Error::Malformed {
                    what: what!("MsvAvFlags"),
                })?;
                AvPairRepr::Flags(u32::from_le_bytes(b))
            }
            av_id::TIMESTAMP => {
                let b: [u8; 8] = self.value.try_into().map_err(|_| Error::Malformed {
                    what: what!("MsvAvTimestamp"),
                })?;
                AvPairRepr::Timestamp(u64::from_le_bytes(b))
            }
            av_id::CHANNEL_BINDINGS => {
                AvPairRepr::ChannelBindings(self.value.try_into().map_err(|_| {
                    Error::Malformed {
                        what: what!("MsvAvChannelBindings"),
                    }
                })?)
            }
            av_id::SINGLE_HOST => AvPairRepr::SingleHost(self.value),
            id => AvPairRepr::Other {
                id,
                value: self.value,
            },
        })
    }
}

/// A typed attribute/value pair, for reading and for emitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvPairRepr<'a> {
    /// MsvAvNbComputerName.
    NbComputerName(Text<'a>),
    /// MsvAvNbDomainName.
    NbDomainName(Text<'a>),
    /// MsvAvDnsComputerName.
    DnsComputerName(Text<'a>),
    /// MsvAvDnsDomainName.
    DnsDomainName(Text<'a>),
    /// MsvAvDnsTreeName.
    DnsTreeName(Text<'a>),
    /// MsvAvFlags (see [`av_flags`]).
    Flags(u32),
    /// MsvAvTimestamp, a FILETIME.
    Timestamp(u64),
    /// MsvAvSingleHost, the Single_Host_Data structure as bytes.
    SingleHost(&'a [u8]),
    /// MsvAvTargetName, the SPN the client means to reach.
    TargetName(Text<'a>),
    /// MsvAvChannelBindings, the MD5 of a gss_channel_bindings_struct.
    ChannelBindings([u8; 16]),
    /// An AvId this crate does not interpret.
    Other {
        /// AvId.
        id: u16,
        /// Value.
        value: &'a [u8],
    },
}

impl AvPairRepr<'_> {
    /// The AvId.
    pub fn id(&self) -> u16 {
        match self {
            AvPairRepr::NbComputerName(_) => av_id::NB_COMPUTER_NAME,
            AvPairRepr::NbDomainName(_) => av_id::NB_DOMAIN_NAME,
            AvPairRepr::DnsComputerName(_) => av_id::DNS_COMPUTER_NAME,
            AvPairRepr::DnsDomainName(_) => av_id::DNS_DOMAIN_NAME,
            AvPairRepr::DnsTreeName(_) => av_id::DNS_TREE_NAME,
            AvPairRepr::Flags(_) => av_id::FLAGS,
            AvPairRepr::Timestamp(_) => av_id::TIMESTAMP,
            AvPairRepr::SingleHost(_) => av_id::SINGLE_HOST,
            AvPairRepr::TargetName(_) => av_id::TARGET_NAME,
            AvPairRepr::ChannelBindings(_) => av_id::CHANNEL_BINDINGS,
            AvPairRepr::Other { id, .. } => *id,
        }
    }

    fn value_len(&self) -> usize {
        match self {
            AvPairRepr::NbComputerName(t)
            | AvPairRepr::NbDomainName(t)
            | AvPairRepr::DnsComputerName(t)
            | AvPairRepr::DnsDomainName(t)
            | AvPairRepr::DnsTreeName(t)
            | AvPairRepr::TargetName(t) => t.wire_len(),
            AvPairRepr::Flags(_) => 4,
            AvPairRepr::Timestamp(_) => 8,
            AvPairRepr::ChannelBindings(_) => 16,
            AvPairRepr::SingleHost(v) | AvPairRepr::Other { value: v, .. } => v.len(),
        }
    }

    /// Bytes on the wire, header included.
    pub fn buffer_len(&self) -> usize {
        self.value_len().saturating_add(AV_HEADER_LEN)
    }

    /// Writes the pair.
    pub fn emit(&self, sink: &mut dyn Sink) -> Result<()> {
        let len = u16::try_from(self.value_len()).map_err(|_| Error::CapacityExceeded {
            what: what!("AV_PAIR value"),
        })?;
        let mut header = [0u8; AV_HEADER_LEN];
        let (id, l) = header.split_at_mut(2);
        id.copy_from_slice(&self.id().to_le_bytes());
        l.copy_from_slice(&len.to_le_bytes());
        sink.put(&header)?;
        match self {
            AvPairRepr::NbComputerName(t)
            | AvPairRepr::NbDomainName(t)
            | AvPairRepr::DnsComputerName(t)
            | AvPairRepr::DnsDomainName(t)
            | AvPairRepr::DnsTreeName(t)
            | AvPairRepr::TargetName(t) => t.emit(sink),
            AvPairRepr::Flags(v) => sink.put(&v.to_le_bytes()),
            AvPairRepr::Timestamp(v) => sink.put(&v.to_le_bytes()),
            AvPairRepr::ChannelBindings(v) => sink.put(v),
            AvPairRepr::SingleHost(v) | AvPairRepr::Other { value: v, .. } => sink.put(v),
        }
    }
}

/// The MsvAvEOL pair that ends every list.
pub const EOL_PAIR: [u8; AV_HEADER_LEN] = [0, 0, 0, 0];

/// A checked AV_PAIR list: every pair lies inside the buffer, the list ends with
/// MsvAvEOL (AvLen 0), known ids appear at most once and have well-sized values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvPairs<'a> {
    /// The pairs including the terminating MsvAvEOL.
    bytes: &'a [u8],
}

impl<'a> AvPairs<'a> {
    /// An empty list (just MsvAvEOL).
    pub const EMPTY: AvPairs<'static> = AvPairs { bytes: &EOL_PAIR };

    /// Checks the list at the start of `buf`. Bytes after MsvAvEOL are not part
    /// of the list (the NTLMv2 client challenge has four zero bytes there); see
    /// [`AvPairs::as_bytes`] for the extent.
    pub fn parse(buf: &'a [u8]) -> Result<AvPairs<'a>> {
        const WHAT: crate::What = what!("AV_PAIR list");
        let mut at = 0usize;
        let mut seen: u16 = 0;
        loop {
            let id = u16_at(buf, at, WHAT)?;
            let len = usize::from(u16_at(
                buf,
                at.checked_add(2).ok_or(Error::Truncated { what: WHAT })?,
                WHAT,
            )?);
            let value_at = at
                .checked_add(AV_HEADER_LEN)
                .ok_or(Error::Truncated { what: WHAT })?;
            let end = value_at
                .checked_add(len)
                .ok_or(Error::Truncated { what: WHAT })?;
            if end > buf.len() {
                return Err(Error::Truncated { what: WHAT });
            }
            if id == av_id::EOL {
                if len != 0 {
                    return Err(Error::Malformed {
                        what: what!("MsvAvEOL length"),
                    });
                }
                let bytes = buf.get(..end).ok_or(Error::Truncated { what: WHAT })?;
                return Ok(AvPairs { bytes });
            }
            if (1..=av_id::CHANNEL_BINDINGS).contains(&id) {
                let bit = 1u16.checked_shl(u32::from(id)).unwrap_or(0);
                if seen & bit != 0 {
                    return Err(Error::Malformed {
                        what: what!("duplicate AV_PAIR"),
                    });
                }
                seen |= bit;
                check_size(id, len)?;
            }
            at = end;
        }
    }

    /// The list as bytes, MsvAvEOL included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The pairs, without the terminating MsvAvEOL.
    pub fn iter(&self) -> AvPairsIter<'a> {
        AvPairsIter { rest: self.bytes }
    }

    /// The value of the first pair with `id`.
    pub fn get(&self, id: u16) -> Option<&'a [u8]> {
        self.iter().find(|p| p.id == id).map(|p| p.value)
    }

    /// MsvAvTimestamp, if present.
    pub fn timestamp(&self) -> Option<u64> {
        let b: [u8; 8] = self.get(av_id::TIMESTAMP)?.try_into().ok()?;
        Some(u64::from_le_bytes(b))
    }

    /// MsvAvFlags, if present.
    pub fn flags(&self) -> Option<u32> {
        let b: [u8; 4] = self.get(av_id::FLAGS)?.try_into().ok()?;
        Some(u32::from_le_bytes(b))
    }

    /// MsvAvChannelBindings, if present.
    pub fn channel_bindings(&self) -> Option<[u8; 16]> {
        self.get(av_id::CHANNEL_BINDINGS)?.try_into().ok()
    }

    /// MsvAvTargetName, if present.
    pub fn target_name(&self) -> Option<Text<'a>> {
        self.get(av_id::TARGET_NAME).map(Text::Utf16Le)
    }
}

/// The size check of [`AvPair::repr`] for a known id, without building the
/// typed value (flash): names are UTF-16 (even), the fixed-size values exact.
fn check_size(id: u16, len: usize) -> Result<()> {
    let (ok, what) = match id {
        av_id::FLAGS => (len == 4, what!("MsvAvFlags")),
        av_id::TIMESTAMP => (len == 8, what!("MsvAvTimestamp")),
        av_id::CHANNEL_BINDINGS => (len == 16, what!("MsvAvChannelBindings")),
        av_id::SINGLE_HOST => (true, what!("AV_PAIR name")),
        _ => (len % 2 == 0, what!("AV_PAIR name")),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::Malformed { what })
    }
}

/// Iterator over a checked [`AvPairs`] list.
#[derive(Debug, Clone)]
pub struct AvPairsIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for AvPairsIter<'a> {
    type Item = AvPair<'a>;

    fn next(&mut self) -> Option<AvPair<'a>> {
        // The list was checked by `AvPairs::parse`; a failed read here only means
        // the end.
        let id = u16_at(self.rest, 0, what!("AV_PAIR list")).ok()?;
        if id == av_id::EOL {
            return None;
        }
        let len = usize::from(u16_at(self.rest, 2, what!("AV_PAIR list")).ok()?);
        let end = AV_HEADER_LEN.checked_add(len)?;
        let value = self.rest.get(AV_HEADER_LEN..end)?;
        self.rest = self.rest.get(end..)?;
        Some(AvPair { id, value })
    }
}

/// Emits `pairs` followed by MsvAvEOL.
pub fn emit_av_list<'b, I>(pairs: I, sink: &mut dyn Sink) -> Result<()>
where
    I: IntoIterator<Item = &'b AvPairRepr<'b>>,
{
    for p in pairs {
        p.emit(sink)?;
    }
    sink.put(&EOL_PAIR)
}

/// Bytes of `pairs` followed by MsvAvEOL.
pub fn av_list_len<'b, I>(pairs: I) -> usize
where
    I: IntoIterator<Item = &'b AvPairRepr<'b>>,
{
    pairs
        .into_iter()
        .fold(AV_HEADER_LEN, |acc, p| acc.saturating_add(p.buffer_len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ntlm::wire::SliceSink;

    #[test]
    fn round_trip() {
        let pairs = [
            AvPairRepr::NbDomainName(Text::Str("Domain")),
            AvPairRepr::NbComputerName(Text::Str("Server")),
            AvPairRepr::Timestamp(0x0123_4567_89ab_cdef),
            AvPairRepr::Flags(av_flags::MIC_PRESENT),
        ];
        let mut buf = [0u8; 128];
        let mut sink = SliceSink::new(&mut buf);
        emit_av_list(&pairs, &mut sink).unwrap();
        let n = sink.position();
        assert_eq!(n, av_list_len(&pairs));
        let list = AvPairs::parse(&buf[..n]).unwrap();
        assert_eq!(list.as_bytes().len(), n);
        assert_eq!(list.timestamp(), Some(0x0123_4567_89ab_cdef));
        assert_eq!(list.flags(), Some(2));
        let names: heapless::Vec<AvPairRepr<'_>, 8> =
            list.iter().map(|p| p.repr().unwrap()).collect();
        assert_eq!(
            names[0],
            AvPairRepr::NbDomainName(Text::Utf16Le(b"D\0o\0m\0a\0i\0n\0"))
        );
        assert_eq!(names.len(), 4);
    }

    #[test]
    fn rejects_bad_lists() {
        // No EOL.
        assert!(matches!(
            AvPairs::parse(&[1, 0, 2, 0, b'a', 0]),
            Err(Error::Truncated { .. })
        ));
        // Value runs past the end.
        assert!(matches!(
            AvPairs::parse(&[1, 0, 9, 0, b'a', 0, 0, 0, 0, 0]),
            Err(Error::Truncated { .. })
        ));
        // EOL with a length.
        assert!(matches!(
            AvPairs::parse(&[0, 0, 1, 0, 0]),
            Err(Error::Malformed { .. })
        ));
        // Wrong-sized timestamp.
        assert!(matches!(
            AvPairs::parse(&[7, 0, 2, 0, 1, 2, 0, 0, 0, 0]),
            Err(Error::Malformed { .. })
        ));
        // Duplicate flags.
        let dup = [6, 0, 4, 0, 0, 0, 0, 0, 6, 0, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0];
        assert!(matches!(AvPairs::parse(&dup), Err(Error::Malformed { .. })));
        // Empty input.
        assert!(AvPairs::parse(&[]).is_err());
    }

    #[test]
    fn list_check_agrees_with_typed_values() {
        // A one-pair list of every id (known ones and the next) and value
        // length 0..=20 parses exactly when the pair's typed value does, with
        // the same error.
        for id in 1..=11u16 {
            for len in 0..=20usize {
                let mut buf = [0u8; 32];
                buf[..2].copy_from_slice(&id.to_le_bytes());
                buf[2..4].copy_from_slice(&(len as u16).to_le_bytes());
                let total = AV_HEADER_LEN + len + AV_HEADER_LEN;
                let value = [0u8; 20];
                let typed = AvPair {
                    id,
                    value: &value[..len],
                }
                .repr()
                .map(|_| ());
                let listed = AvPairs::parse(&buf[..total]).map(|_| ());
                assert_eq!(listed, typed, "id {id}, len {len}");
            }
        }
    }
}
