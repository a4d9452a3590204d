//! AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3).

use core::ops::Range;

use super::field::{
    array_at, descriptor, layout, put_at, resolve, u32_at, FieldSpec, Payload, Sink, SliceSink,
    Text,
};
use super::{check_header, MessageType, NegotiateFlags, Version, HEADER, SIGNATURE, VERSION_LEN};
use crate::{Error, Result};

/// Bytes of the fixed header before Version.
pub const AUTHENTICATE_HEADER_LEN: usize = 64;
/// Where the MIC lies when present (after the 8-byte Version).
pub const MIC_OFFSET: usize = AUTHENTICATE_HEADER_LEN + VERSION_LEN;
/// Bytes of the MIC.
pub const MIC_LEN: usize = 16;
const MIC_END: usize = MIC_OFFSET + MIC_LEN;

/// An AUTHENTICATE_MESSAGE, parsed or to be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticateRepr<'a> {
    /// NegotiateFlags the client settled on.
    pub flags: NegotiateFlags,
    /// LmChallengeResponse.
    pub lm_response: Payload<'a>,
    /// NtChallengeResponse.
    pub nt_response: Payload<'a>,
    /// DomainName.
    pub domain: Text<'a>,
    /// UserName.
    pub user: Text<'a>,
    /// Workstation.
    pub workstation: Text<'a>,
    /// EncryptedRandomSessionKey.
    pub encrypted_session_key: Payload<'a>,
    /// VERSION.
    pub version: Option<Version>,
    /// MIC. When parsing, these are the 16 bytes at [`MIC_OFFSET`] whenever the
    /// header has room for them: whether they are a MIC is said by MsvAvFlags
    /// inside the NTLMv2 response, which only the acceptor interprets.
    pub mic: Option<[u8; MIC_LEN]>,
}

/// Where [`AuthenticateRepr::emit`] put the fields that are filled in afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticateLayout {
    /// Total length.
    pub len: usize,
    /// LmChallengeResponse.
    pub lm_response: Range<usize>,
    /// NtChallengeResponse.
    pub nt_response: Range<usize>,
    /// EncryptedRandomSessionKey.
    pub encrypted_session_key: Range<usize>,
    /// MIC, if emitted.
    pub mic: Option<Range<usize>>,
}

impl<'a> AuthenticateRepr<'a> {
    /// Parses and checks an AUTHENTICATE_MESSAGE.
    pub fn parse(buf: &'a [u8]) -> Result<AuthenticateRepr<'a>> {
        check_header(buf, MessageType::Authenticate, AUTHENTICATE_HEADER_LEN)?;
        let flags = NegotiateFlags::from_bits(u32_at(buf, 60, HEADER)?);
        // A constant: passed by reference, not rebuilt on the stack.
        const FIELDS: [FieldSpec; 6] = [
            (12, what!("AUTHENTICATE LmChallengeResponse")),
            (20, what!("AUTHENTICATE NtChallengeResponse")),
            (28, what!("AUTHENTICATE DomainName")),
            (36, what!("AUTHENTICATE UserName")),
            (44, what!("AUTHENTICATE Workstation")),
            (52, what!("AUTHENTICATE EncryptedRandomSessionKey")),
        ];
        let ([lm, nt, domain, user, workstation, key], payload_start) =
            resolve(buf, AUTHENTICATE_HEADER_LEN, &FIELDS)?;
        let unicode = flags.contains(NegotiateFlags::UNICODE);
        let text = |b: &'a [u8], what: crate::What| -> Result<Text<'a>> {
            if !unicode {
                Ok(Text::Oem(b))
            } else if b.len() % 2 == 0 {
                Ok(Text::Utf16Le(b))
            } else {
                Err(Error::Malformed { what })
            }
        };
        let version = if flags.contains(NegotiateFlags::VERSION) && payload_start >= MIC_OFFSET {
            Some(Version::parse(&array_at::<VERSION_LEN>(
                buf,
                AUTHENTICATE_HEADER_LEN,
                HEADER,
            )?))
        } else {
            None
        };
        let mic = if payload_start >= MIC_END {
            Some(array_at::<MIC_LEN>(buf, MIC_OFFSET, HEADER)?)
        } else {
            None
        };
        Ok(AuthenticateRepr {
            flags,
            lm_response: Payload::Bytes(lm),
            nt_response: Payload::Bytes(nt),
            domain: text(domain, what!("AUTHENTICATE DomainName"))?,
            user: text(user, what!("AUTHENTICATE UserName"))?,
            workstation: text(workstation, what!("AUTHENTICATE Workstation"))?,
            encrypted_session_key: Payload::Bytes(key),
            version,
            mic,
        })
    }

    // Out of line: the layout and the emitter both ask (flash).
    #[inline(never)]
    fn header_len(&self) -> usize {
        if self.mic.is_some() {
            MIC_END
        } else if self.version.is_some() {
            MIC_OFFSET
        } else {
            AUTHENTICATE_HEADER_LEN
        }
    }

    fn payload_layout(&self) -> Result<([usize; 6], usize)> {
        // Windows' order: domain, user, workstation, LM, NT, session key.
        layout(
            self.header_len(),
            [
                (self.domain.wire_len(), what!("AUTHENTICATE DomainName")),
                (self.user.wire_len(), what!("AUTHENTICATE UserName")),
                (
                    self.workstation.wire_len(),
                    what!("AUTHENTICATE Workstation"),
                ),
                (
                    self.lm_response.len(),
                    what!("AUTHENTICATE LmChallengeResponse"),
                ),
                (
                    self.nt_response.len(),
                    what!("AUTHENTICATE NtChallengeResponse"),
                ),
                (
                    self.encrypted_session_key.len(),
                    what!("AUTHENTICATE EncryptedRandomSessionKey"),
                ),
            ],
        )
    }

    /// Bytes [`AuthenticateRepr::emit`] writes (a field too long for its 16-bit
    /// length is an error there, and counted as `usize::MAX` here).
    pub fn buffer_len(&self) -> usize {
        self.payload_layout().map_or(usize::MAX, |(_, end)| end)
    }

    /// Writes the message into `buf` ([`Payload::Reserve`] fields and the MIC as
    /// zeros) and says where the fields to fill in lie.
    pub fn emit(&self, buf: &mut [u8]) -> Result<AuthenticateLayout> {
        let (at, len) = self.payload_layout()?;
        if buf.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        let [_, _, _, lm_at, nt_at, key_at] = at;
        // The fixed part is assembled in place, then written in one go; a field's
        // length is the distance to the next offset (each was checked to fit 16
        // bits, so the descriptors cannot fail).
        let mut head = [0u8; MIC_END];
        put_at(&mut head, 0, &SIGNATURE);
        put_at(
            &mut head,
            8,
            &(MessageType::Authenticate as u32).to_le_bytes(),
        );
        // The descriptors at 12, 20, .. 52 are LM, NT, domain, user,
        // workstation and key: the payload fields 3, 4, 0, 1, 2, 5.
        for (slot, field) in [3usize, 4, 0, 1, 2, 5].into_iter().enumerate() {
            let start = at.get(field).copied().unwrap_or(len);
            let end = at.get(field.wrapping_add(1)).copied().unwrap_or(len);
            put_at(
                &mut head,
                slot.wrapping_mul(8).wrapping_add(12),
                &descriptor(start, end),
            );
        }
        put_at(&mut head, 60, &self.flags.bits().to_le_bytes());
        // Without Version, a MIC still sits at its fixed offset, after 8 zero bytes.
        if let Some(v) = &self.version {
            put_at(&mut head, AUTHENTICATE_HEADER_LEN, &v.to_bytes());
        }
        if let Some(mic) = &self.mic {
            put_at(&mut head, MIC_OFFSET, mic);
        }
        let mut sink = SliceSink::new(buf);
        let s = &mut sink;
        s.put(head.get(..self.header_len()).unwrap_or(&[]))?;
        self.domain.emit(s)?;
        self.user.emit(s)?;
        self.workstation.emit(s)?;
        self.lm_response.emit(s)?;
        self.nt_response.emit(s)?;
        self.encrypted_session_key.emit(s)?;
        let span = |start: usize, n: usize| start..start.saturating_add(n);
        Ok(AuthenticateLayout {
            len: sink.position(),
            lm_response: span(lm_at, self.lm_response.len()),
            nt_response: span(nt_at, self.nt_response.len()),
            encrypted_session_key: span(key_at, self.encrypted_session_key.len()),
            mic: self.mic.map(|_| MIC_OFFSET..MIC_END),
        })
    }
}
