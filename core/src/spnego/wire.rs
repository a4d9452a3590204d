//! SPNEGO tokens (RFC 4178 section 4.2): checked zero-copy views and
//! backwards emission into the caller's buffer.
//!
//! ```text
//! NegotiationToken ::= CHOICE {
//!     negTokenInit    [0] NegTokenInit,
//!     negTokenResp    [1] NegTokenResp }
//! NegTokenInit ::= SEQUENCE {
//!     mechTypes       [0] MechTypeList,          -- SEQUENCE OF OID
//!     reqFlags        [1] ContextFlags  OPTIONAL,
//!     mechToken       [2] OCTET STRING  OPTIONAL,
//!     mechListMIC     [3] OCTET STRING  OPTIONAL }
//! NegTokenResp ::= SEQUENCE {
//!     negState        [0] ENUMERATED    OPTIONAL,
//!     supportedMech   [1] MechType      OPTIONAL,
//!     responseToken   [2] OCTET STRING  OPTIONAL,
//!     mechListMIC     [3] OCTET STRING  OPTIONAL }
//! ```
//! Only the initiator's first token carries the GSS framing (RFC 2743
//! section 3.1) with the SPNEGO OID; every later token is a bare
//! NegotiationToken.

use crate::der::{tag, Reader, Writer};
use crate::gss::token::InitialContextToken;
use crate::{Error, Result};

/// Content octets of the SPNEGO OID 1.3.6.1.5.5.2.
pub const SPNEGO_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];

/// Content octets of the NTLM mechanism OID 1.3.6.1.4.1.311.2.2.10.
pub const NTLM_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];

/// Most mechanisms a NegTokenInit may offer before it is refused: Windows
/// offers four (MS krb5, krb5, NEGOEX, NTLM).
pub const MAX_MECH_TYPES: usize = 16;

/// The acceptor's verdict in a NegTokenResp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NegState {
    /// Established; nothing more is expected.
    AcceptCompleted,
    /// More tokens follow.
    AcceptIncomplete,
    /// Refused.
    Reject,
    /// More tokens follow, and a mechListMIC is required (the acceptor chose
    /// a mechanism other than the initiator's first).
    RequestMic,
}

impl NegState {
    fn from_wire(v: &[u8]) -> Option<NegState> {
        match v {
            [0] => Some(NegState::AcceptCompleted),
            [1] => Some(NegState::AcceptIncomplete),
            [2] => Some(NegState::Reject),
            [3] => Some(NegState::RequestMic),
            _ => None,
        }
    }

    fn to_wire(self) -> u8 {
        match self {
            NegState::AcceptCompleted => 0,
            NegState::AcceptIncomplete => 1,
            NegState::Reject => 2,
            NegState::RequestMic => 3,
        }
    }
}

/// A MechTypeList as received: the DER `SEQUENCE OF OBJECT IDENTIFIER`,
/// whose exact bytes the mechListMIC covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MechTypes<'a> {
    der: &'a [u8],
    content: &'a [u8],
}

impl<'a> MechTypes<'a> {
    fn parse(r: &mut Reader<'a>, what: crate::What) -> Result<MechTypes<'a>> {
        let tlv = r.read_tlv(tag::SEQUENCE, what)?;
        let list = MechTypes {
            der: tlv.raw,
            content: tlv.content,
        };
        // Every element an OID, at least one, and a bounded count.
        let mut n = 0usize;
        for oid in list.iter() {
            oid?;
            n = n.saturating_add(1);
        }
        if n == 0 || n > MAX_MECH_TYPES {
            return Err(Error::Malformed { what });
        }
        Ok(list)
    }

    /// The encoded list (tag, length and OIDs), as the mechListMIC covers it.
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The OIDs' content octets, in the initiator's order of preference.
    pub fn iter(&self) -> impl Iterator<Item = Result<&'a [u8]>> + 'a {
        let mut r = Reader::new(self.content);
        core::iter::from_fn(move || {
            if r.is_empty() {
                None
            } else {
                let oid = r.oid(what!("SPNEGO NegTokenInit.mechTypes"));
                if oid.is_err() {
                    r = Reader::new(&[]);
                }
                Some(oid)
            }
        })
    }

    /// The initiator's preferred mechanism.
    pub fn first(&self) -> Option<&'a [u8]> {
        self.iter().next().and_then(|o| o.ok())
    }
}

/// The initiator's offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegTokenInit<'a> {
    /// The mechanisms offered, preferred first.
    pub mech_types: MechTypes<'a>,
    /// The optimistic token of the first mechanism.
    pub mech_token: Option<&'a [u8]>,
    /// The initiator's mechListMIC (rare in a first token).
    pub mech_list_mic: Option<&'a [u8]>,
}

/// The answer (and every later token, both ways).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NegTokenResp<'a> {
    /// The acceptor's verdict (absent in most initiator tokens).
    pub neg_state: Option<NegState>,
    /// The mechanism chosen (in the acceptor's first answer only).
    pub supported_mech: Option<&'a [u8]>,
    /// The chosen mechanism's token.
    pub response_token: Option<&'a [u8]>,
    /// A MIC over the initiator's MechTypeList.
    pub mech_list_mic: Option<&'a [u8]>,
}

/// Either token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegotiationToken<'a> {
    /// `[0] NegTokenInit`.
    Init(NegTokenInit<'a>),
    /// `[1] NegTokenResp`.
    Resp(NegTokenResp<'a>),
}

impl<'a> NegotiationToken<'a> {
    /// Parses the initiator's first token: the GSS framing with the SPNEGO
    /// OID around a NegTokenInit.
    pub fn parse_initial(bytes: &'a [u8]) -> Result<NegTokenInit<'a>> {
        let framed = InitialContextToken::parse(bytes)?;
        if framed.mech != SPNEGO_OID {
            return Err(Error::Malformed {
                what: what!("SPNEGO token"),
            });
        }
        match NegotiationToken::parse(framed.inner)? {
            NegotiationToken::Init(init) => Ok(init),
            NegotiationToken::Resp(_) => Err(Error::Malformed {
                what: what!("SPNEGO NegTokenInit"),
            }),
        }
    }

    /// Parses a token that must be a NegTokenResp (every token after the
    /// initiator's first, both ways).
    pub fn parse_resp(bytes: &'a [u8]) -> Result<NegTokenResp<'a>> {
        match NegotiationToken::parse(bytes)? {
            NegotiationToken::Resp(resp) => Ok(resp),
            NegotiationToken::Init(_) => Err(Error::Malformed {
                what: what!("SPNEGO NegTokenResp"),
            }),
        }
    }

    /// Parses a bare NegotiationToken; bytes after it are an error.
    pub fn parse(bytes: &'a [u8]) -> Result<NegotiationToken<'a>> {
        let what = what!("SPNEGO token");
        let mut outer = Reader::new(bytes);
        let token = match outer.peek_tag() {
            Some(t) if t == tag::context(0) => {
                let mut choice = outer.explicit(0, what)?;
                let t = parse_init(&mut choice)?;
                choice.finish(what)?;
                NegotiationToken::Init(t)
            }
            Some(t) if t == tag::context(1) => {
                let mut choice = outer.explicit(1, what)?;
                let t = parse_resp(&mut choice)?;
                choice.finish(what)?;
                NegotiationToken::Resp(t)
            }
            Some(_) => return Err(Error::Malformed { what }),
            None => return Err(Error::Truncated { what }),
        };
        outer.finish(what)?;
        Ok(token)
    }
}

fn parse_init<'a>(r: &mut Reader<'a>) -> Result<NegTokenInit<'a>> {
    let mut s = r.sequence(what!("SPNEGO NegTokenInit"))?;
    let mech_types = s.field(0, what!("SPNEGO NegTokenInit.mechTypes"), MechTypes::parse)?;
    // ContextFlags are advisory (RFC 4178 section 4.2.1): checked, not used.
    s.optional_field(1, what!("SPNEGO NegTokenInit.reqFlags"), |r, w| {
        r.read(tag::BIT_STRING, w)
    })?;
    let mech_token = s.optional_field(2, what!("SPNEGO NegTokenInit.mechToken"), |r, w| {
        r.octet_string(w)
    })?;
    let mech_list_mic = s.optional_field(3, what!("SPNEGO NegTokenInit.mechListMIC"), |r, w| {
        r.octet_string(w)
    })?;
    s.finish(what!("SPNEGO NegTokenInit"))?;
    Ok(NegTokenInit {
        mech_types,
        mech_token,
        mech_list_mic,
    })
}

fn parse_resp<'a>(r: &mut Reader<'a>) -> Result<NegTokenResp<'a>> {
    let mut s = r.sequence(what!("SPNEGO NegTokenResp"))?;
    let neg_state = s.optional_field(0, what!("SPNEGO NegTokenResp.negState"), |r, w| {
        NegState::from_wire(r.read(tag::ENUMERATED, w)?).ok_or(Error::Malformed { what: w })
    })?;
    let supported_mech =
        s.optional_field(1, what!("SPNEGO NegTokenResp.supportedMech"), |r, w| {
            r.oid(w)
        })?;
    let response_token =
        s.optional_field(2, what!("SPNEGO NegTokenResp.responseToken"), |r, w| {
            r.octet_string(w)
        })?;
    let mech_list_mic = s.optional_field(3, what!("SPNEGO NegTokenResp.mechListMIC"), |r, w| {
        r.octet_string(w)
    })?;
    s.finish(what!("SPNEGO NegTokenResp"))?;
    Ok(NegTokenResp {
        neg_state,
        supported_mech,
        response_token,
        mech_list_mic,
    })
}

impl NegTokenResp<'_> {
    /// Emits the token at the start of `out`; returns its length.
    ///
    /// With `placed = Some((at, n))` the response token is the `n` bytes the
    /// caller already wrote at `out[at..at + n]` (a mechanism's token, wrapped
    /// without a copy; `self.response_token` is ignored): the framing goes
    /// into the `at` bytes before it, which [`MAX_RESP_OVERHEAD`] bounds, and
    /// the mechListMIC after it.
    pub fn emit(&self, out: &mut [u8], placed: Option<(usize, usize)>) -> Result<usize> {
        let Some((at, n)) = placed else {
            let mut w = Writer::new(out);
            self.encode(&mut w, None)?;
            return w.finish();
        };
        let token_end = at.saturating_add(n);
        let mut mic_tlv = 0usize;
        if let Some(mic) = self.mech_list_mic {
            let mut count = Writer::counting();
            mic_field(&mut count, mic);
            mic_tlv = count.len();
            let slot = out
                .get_mut(token_end..token_end.saturating_add(mic_tlv))
                .ok_or(Error::BufferTooSmall {
                    needed: token_end.saturating_add(mic_tlv),
                })?;
            let mut w = Writer::new(slot);
            mic_field(&mut w, mic);
            w.finish_at_end()?;
        }
        let end = token_end.saturating_add(mic_tlv);
        let buf = out
            .get_mut(..end)
            .ok_or(Error::BufferTooSmall { needed: end })?;
        let mut w = Writer::new(buf);
        self.encode(&mut w, Some((n, mic_tlv)))?;
        // The framing must fit in front of the placed token.
        if w.len() > end {
            return Err(Error::BufferTooSmall { needed: w.len() });
        }
        w.finish()
    }

    /// Writes the token backwards; `placed` = (token bytes, mechListMIC
    /// element bytes) already in the buffer at its end.
    fn encode(&self, w: &mut Writer<'_>, placed: Option<(usize, usize)>) -> Result<()> {
        w.constructed(tag::context(1), |w| {
            w.sequence(|w| {
                match placed {
                    Some((n, mic_tlv)) => {
                        w.placed(mic_tlv);
                        w.field(2, |w| {
                            w.placed(n);
                            w.header(tag::OCTET_STRING, n);
                            Ok(())
                        })?;
                    }
                    None => {
                        if let Some(mic) = self.mech_list_mic {
                            mic_field(w, mic);
                        }
                        if let Some(t) = self.response_token {
                            w.field(2, |w| {
                                w.octet_string(t);
                                Ok(())
                            })?;
                        }
                    }
                }
                if let Some(mech) = self.supported_mech {
                    w.field(1, |w| {
                        w.oid(mech);
                        Ok(())
                    })?;
                }
                if let Some(state) = self.neg_state {
                    w.field(0, |w| {
                        w.primitive(tag::ENUMERATED, &[state.to_wire()]);
                        Ok(())
                    })?;
                }
                Ok(())
            })
        })
    }
}

/// `[3] OCTET STRING mic`.
fn mic_field(w: &mut Writer<'_>, mic: &[u8]) {
    let mark = w.len();
    w.octet_string(mic);
    let len = w.len().saturating_sub(mark);
    w.header(tag::context(3), len);
}

/// Most bytes a NegTokenResp adds in front of its response token: the
/// choice, SEQUENCE, negState, a supportedMech of up to 16 octets, and the
/// response token's two headers, each length in at most 4 octets.
pub const MAX_RESP_OVERHEAD: usize = 6 + 6 + 5 + (2 + 2 + 16) + 6 + 6;

impl NegTokenInit<'_> {
    /// Emits the initiator's first token, GSS framing included, at the start
    /// of `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(out);
        self.encode(&mut w, None)?;
        w.finish()
    }

    /// Emits the initiator's first token around an optimistic token the
    /// caller already wrote at `out[at..at + n]` (`mech_token` and
    /// `mech_list_mic` are ignored): the framing goes into the `at` bytes
    /// before it, which [`MAX_INIT_OVERHEAD`] bounds for a list of up to
    /// [`MAX_OWN_MECH_LIST_LEN`] bytes. The token ends up at the start of
    /// `out`; returns its length.
    pub fn emit_placed(&self, out: &mut [u8], at: usize, n: usize) -> Result<usize> {
        let end = at.saturating_add(n);
        let buf = out
            .get_mut(..end)
            .ok_or(Error::BufferTooSmall { needed: end })?;
        let mut w = Writer::new(buf);
        self.encode(&mut w, Some(n))?;
        if w.len() > end {
            return Err(Error::BufferTooSmall { needed: w.len() });
        }
        w.finish()
    }

    /// Writes the token backwards; `placed`: a mechanism token of that many
    /// bytes is already at the end of the buffer.
    fn encode(&self, w: &mut Writer<'_>, placed: Option<usize>) -> Result<()> {
        w.constructed(tag::application(0), |w| {
            w.constructed(tag::context(0), |w| {
                w.sequence(|w| {
                    match placed {
                        Some(n) => w.field(2, |w| {
                            w.placed(n);
                            w.header(tag::OCTET_STRING, n);
                            Ok(())
                        })?,
                        None => {
                            if let Some(mic) = self.mech_list_mic {
                                mic_field(w, mic);
                            }
                            if let Some(t) = self.mech_token {
                                w.field(2, |w| {
                                    w.octet_string(t);
                                    Ok(())
                                })?;
                            }
                        }
                    }
                    w.field(0, |w| {
                        w.bytes(self.mech_types.der);
                        Ok(())
                    })
                })
            })?;
            w.oid(SPNEGO_OID);
            Ok(())
        })
    }
}

/// Longest mechanism list an initiator of this crate sends (krb5, NTLM).
pub const MAX_OWN_MECH_LIST_LEN: usize = 32;

/// Most bytes a NegTokenInit adds in front of an optimistic token: the
/// framing, SPNEGO OID, choice, SEQUENCE, a list of up to
/// [`MAX_OWN_MECH_LIST_LEN`] bytes in its field, and the token's two headers.
pub const MAX_INIT_OVERHEAD: usize = 6 + 8 + 6 + 6 + (2 + MAX_OWN_MECH_LIST_LEN) + 6 + 6;

impl<'a> MechTypes<'a> {
    /// Encodes `oids` (content octets, preferred first) as a MechTypeList at
    /// the start of `out`; returns its length.
    pub fn encode(oids: &[&[u8]], out: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(out);
        w.sequence(|w| {
            for oid in oids.iter().rev() {
                w.oid(oid);
            }
            Ok(())
        })?;
        w.finish()
    }

    /// A list to send, from its DER (`SEQUENCE OF OBJECT IDENTIFIER`), checked.
    pub fn from_der(der: &'a [u8]) -> Result<MechTypes<'a>> {
        let what = what!("SPNEGO NegTokenInit.mechTypes");
        let mut r = Reader::new(der);
        let list = MechTypes::parse(&mut r, what)?;
        r.finish(what)?;
        Ok(list)
    }
}
