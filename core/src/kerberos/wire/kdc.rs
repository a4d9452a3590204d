//! The AS and TGS exchanges (RFC 4120 section 5.4).

use super::basic::{
    EncryptedData, EncryptionKey, HostAddresses, KerberosTime, LastReqEntry, MethodData,
    PrincipalName, Realm,
};
use super::seq::SeqOf;
use super::ticket::Ticket;
use super::{app_tag, expect_int, msg_type, repr_methods, PVNO};
use crate::der::{tag, Decode, Encode, Reader, Writer};
use crate::{Error, Result};

/// AS-REQ (`[APPLICATION 10]`) or TGS-REQ (`[APPLICATION 12]`): KDC-REQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdcReq<'a> {
    /// [`msg_type::AS_REQ`] or [`msg_type::TGS_REQ`]; also the APPLICATION tag.
    pub msg_type: i32,
    /// Pre-authentication data (the PA-TGS-REQ AP-REQ for a TGS-REQ).
    pub padata: Option<MethodData<'a>>,
    /// The request body.
    pub req_body: KdcReqBody<'a>,
}

/// KDC-REQ-BODY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdcReqBody<'a> {
    /// KDCOptions (see [`super::kdc_options`]).
    pub kdc_options: u32,
    /// The client's name (AS-REQ only).
    pub cname: Option<PrincipalName<'a>>,
    /// The server's realm (and the client's, in an AS-REQ).
    pub realm: Realm<'a>,
    /// The server's name.
    pub sname: Option<PrincipalName<'a>>,
    /// Requested start time (postdating).
    pub from: Option<KerberosTime>,
    /// Requested end time.
    pub till: KerberosTime,
    /// Requested renewal limit.
    pub rtime: Option<KerberosTime>,
    /// The client's nonce, echoed in the reply.
    pub nonce: u32,
    /// Acceptable etypes, in preference order.
    pub etype: SeqOf<'a, i32>,
    /// Client addresses to put in the ticket.
    pub addresses: Option<HostAddresses<'a>>,
    /// Encrypted AuthorizationData for the ticket (TGS-REQ).
    pub enc_authorization_data: Option<EncryptedData<'a>>,
    /// Extra tickets (user-to-user, S4U2Proxy).
    pub additional_tickets: Option<SeqOf<'a, Ticket<'a>>>,
}

fn check_kdc_msg_type(t: i32, a: i32, b: i32, what: crate::What) -> Result<u8> {
    if t == a || t == b {
        // Both candidates are message types below 31.
        u8::try_from(t).map_err(|_| Error::Malformed { what })
    } else {
        Err(Error::Malformed { what })
    }
}

/// Opens the APPLICATION element of a message whose tag is one of `a`, `b`.
fn open_either<'a>(
    r: &mut Reader<'a>,
    a: i32,
    b: i32,
    what: crate::What,
) -> Result<(i32, Reader<'a>)> {
    let t = r.peek_tag().ok_or(Error::Truncated { what })?;
    let n = t & 0x1f;
    if t != tag::application(n) {
        return Err(Error::Malformed { what });
    }
    let n_i32 = i32::from(n);
    check_kdc_msg_type(n_i32, a, b, what)?;
    Ok((n_i32, r.application(n, what)?))
}

impl<'a> Decode<'a> for KdcReq<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let (msg_type, mut app) = open_either(r, msg_type::AS_REQ, msg_type::TGS_REQ, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 1, what!("KDC-REQ.pvno"), PVNO)?;
        expect_int(&mut s, 2, what!("KDC-REQ.msg-type"), msg_type)?;
        let req = KdcReq {
            msg_type,
            padata: s.optional_field(3, what!("KDC-REQ.padata"), Decode::decode)?,
            req_body: s.field(4, what!("KDC-REQ.req-body"), Decode::decode)?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(req)
    }
}

impl Encode for KdcReq<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        let n = check_kdc_msg_type(
            self.msg_type,
            msg_type::AS_REQ,
            msg_type::TGS_REQ,
            what!("KDC-REQ.msg-type"),
        )?;
        w.application(n, |w| {
            w.sequence(|w| {
                w.field(4, |w| self.req_body.encode(w))?;
                if let Some(padata) = &self.padata {
                    w.field(3, |w| padata.encode(w))?;
                }
                w.field(2, |w| self.msg_type.encode(w))?;
                w.field(1, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(KdcReq, "KDC-REQ");

impl<'a> KdcReq<'a> {
    /// The DER bytes of the request's KDC-REQ-BODY as received: a TGS checks
    /// the PA-TGS-REQ authenticator's checksum over exactly these bytes.
    pub fn req_body_der(bytes: &'a [u8]) -> Result<&'a [u8]> {
        Self::parse(bytes)?;
        let what = what!("KDC-REQ");
        let mut r = Reader::new(bytes);
        let app = r.read_any(what)?;
        let mut s = Reader::new(app.content).sequence(what)?;
        s.read_any(what)?; // pvno
        s.read_any(what)?; // msg-type
        if s.peek_tag() == Some(tag::context(3)) {
            s.read_any(what)?;
        }
        s.read(tag::context(4), what)
    }
}

impl<'a> Decode<'a> for KdcReqBody<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let body = KdcReqBody {
            kdc_options: s.field(0, what!("KDC-REQ-BODY.kdc-options"), Reader::kerberos_flags)?,
            cname: s.optional_field(1, what!("KDC-REQ-BODY.cname"), Decode::decode)?,
            realm: s.field(2, what!("KDC-REQ-BODY.realm"), Decode::decode)?,
            sname: s.optional_field(3, what!("KDC-REQ-BODY.sname"), Decode::decode)?,
            from: s.optional_field(4, what!("KDC-REQ-BODY.from"), Decode::decode)?,
            till: s.field(5, what!("KDC-REQ-BODY.till"), Decode::decode)?,
            rtime: s.optional_field(6, what!("KDC-REQ-BODY.rtime"), Decode::decode)?,
            nonce: s.field(7, what!("KDC-REQ-BODY.nonce"), Reader::uint32)?,
            etype: s.field(8, what!("KDC-REQ-BODY.etype"), Decode::decode)?,
            addresses: s.optional_field(9, what!("KDC-REQ-BODY.addresses"), Decode::decode)?,
            enc_authorization_data: s.optional_field(
                10,
                what!("KDC-REQ-BODY.enc-authorization-data"),
                Decode::decode,
            )?,
            additional_tickets: s.optional_field(
                11,
                what!("KDC-REQ-BODY.additional-tickets"),
                Decode::decode,
            )?,
        };
        s.finish(what)?;
        Ok(body)
    }
}

impl Encode for KdcReqBody<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.sequence(|w| {
            if let Some(t) = &self.additional_tickets {
                w.field(11, |w| t.encode(w))?;
            }
            if let Some(e) = &self.enc_authorization_data {
                w.field(10, |w| e.encode(w))?;
            }
            if let Some(a) = &self.addresses {
                w.field(9, |w| a.encode(w))?;
            }
            w.field(8, |w| self.etype.encode(w))?;
            w.field(7, |w| self.nonce.encode(w))?;
            if let Some(t) = &self.rtime {
                w.field(6, |w| t.encode(w))?;
            }
            w.field(5, |w| self.till.encode(w))?;
            if let Some(t) = &self.from {
                w.field(4, |w| t.encode(w))?;
            }
            if let Some(n) = &self.sname {
                w.field(3, |w| n.encode(w))?;
            }
            w.field(2, |w| self.realm.encode(w))?;
            if let Some(n) = &self.cname {
                w.field(1, |w| n.encode(w))?;
            }
            w.field(0, |w| {
                w.kerberos_flags(self.kdc_options);
                Ok(())
            })
        })
    }
}
repr_methods!(KdcReqBody, "KDC-REQ-BODY");

/// AS-REP (`[APPLICATION 11]`) or TGS-REP (`[APPLICATION 13]`): KDC-REP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdcRep<'a> {
    /// [`msg_type::AS_REP`] or [`msg_type::TGS_REP`]; also the APPLICATION tag.
    pub msg_type: i32,
    /// Pre-authentication data (PA-ETYPE-INFO2, ...).
    pub padata: Option<MethodData<'a>>,
    /// The client's realm.
    pub crealm: Realm<'a>,
    /// The client's name.
    pub cname: PrincipalName<'a>,
    /// The issued ticket.
    pub ticket: Ticket<'a>,
    /// The encrypted [`EncKdcRepPart`] (key usage 3, 8 or 9).
    pub enc_part: EncryptedData<'a>,
}

impl<'a> Decode<'a> for KdcRep<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let (msg_type, mut app) = open_either(r, msg_type::AS_REP, msg_type::TGS_REP, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 0, what!("KDC-REP.pvno"), PVNO)?;
        expect_int(&mut s, 1, what!("KDC-REP.msg-type"), msg_type)?;
        let rep = KdcRep {
            msg_type,
            padata: s.optional_field(2, what!("KDC-REP.padata"), Decode::decode)?,
            crealm: s.field(3, what!("KDC-REP.crealm"), Decode::decode)?,
            cname: s.field(4, what!("KDC-REP.cname"), Decode::decode)?,
            ticket: s.field(5, what!("KDC-REP.ticket"), Decode::decode)?,
            enc_part: s.field(6, what!("KDC-REP.enc-part"), Decode::decode)?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(rep)
    }
}

impl Encode for KdcRep<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        let n = check_kdc_msg_type(
            self.msg_type,
            msg_type::AS_REP,
            msg_type::TGS_REP,
            what!("KDC-REP.msg-type"),
        )?;
        w.application(n, |w| {
            w.sequence(|w| {
                w.field(6, |w| self.enc_part.encode(w))?;
                w.field(5, |w| self.ticket.encode(w))?;
                w.field(4, |w| self.cname.encode(w))?;
                w.field(3, |w| self.crealm.encode(w))?;
                if let Some(padata) = &self.padata {
                    w.field(2, |w| padata.encode(w))?;
                }
                w.field(1, |w| self.msg_type.encode(w))?;
                w.field(0, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(KdcRep, "KDC-REP");

/// EncASRepPart (`[APPLICATION 25]`) or EncTGSRepPart (`[APPLICATION 26]`):
/// EncKDCRepPart, the decrypted body of a KDC reply. RFC 4120 section 5.4.2
/// notes that some KDCs send tag 26 in AS replies, so either tag is accepted
/// for either reply; [`EncKdcRepPart::app_tag`] records which was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncKdcRepPart<'a> {
    /// [`app_tag::ENC_AS_REP_PART`] or [`app_tag::ENC_TGS_REP_PART`].
    pub app_tag: u8,
    /// The session key.
    pub key: EncryptionKey<'a>,
    /// Last-request information.
    pub last_req: SeqOf<'a, LastReqEntry>,
    /// The request's nonce.
    pub nonce: u32,
    /// When the client's key expires.
    pub key_expiration: Option<KerberosTime>,
    /// TicketFlags of the issued ticket.
    pub flags: u32,
    /// Time of the initial authentication.
    pub authtime: KerberosTime,
    /// Start of validity.
    pub starttime: Option<KerberosTime>,
    /// End of validity.
    pub endtime: KerberosTime,
    /// Renewal limit.
    pub renew_till: Option<KerberosTime>,
    /// The server's realm.
    pub srealm: Realm<'a>,
    /// The server's name.
    pub sname: PrincipalName<'a>,
    /// Client addresses in the ticket.
    pub caddr: Option<HostAddresses<'a>>,
    /// `encrypted-pa-data [12]` (RFC 6806), sent by KDCs that honour
    /// PA-REQ-ENC-PA-REP.
    pub encrypted_pa_data: Option<MethodData<'a>>,
}

impl<'a> Decode<'a> for EncKdcRepPart<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let (n, mut app) = open_either(
            r,
            i32::from(app_tag::ENC_AS_REP_PART),
            i32::from(app_tag::ENC_TGS_REP_PART),
            what,
        )?;
        let mut s = app.sequence(what)?;
        let part = EncKdcRepPart {
            app_tag: u8::try_from(n).map_err(|_| Error::Malformed { what })?,
            key: s.field(0, what!("EncKDCRepPart.key"), Decode::decode)?,
            last_req: s.field(1, what!("EncKDCRepPart.last-req"), Decode::decode)?,
            nonce: s.field(2, what!("EncKDCRepPart.nonce"), Reader::uint32)?,
            key_expiration: s.optional_field(
                3,
                what!("EncKDCRepPart.key-expiration"),
                Decode::decode,
            )?,
            flags: s.field(4, what!("EncKDCRepPart.flags"), Reader::kerberos_flags)?,
            authtime: s.field(5, what!("EncKDCRepPart.authtime"), Decode::decode)?,
            starttime: s.optional_field(6, what!("EncKDCRepPart.starttime"), Decode::decode)?,
            endtime: s.field(7, what!("EncKDCRepPart.endtime"), Decode::decode)?,
            renew_till: s.optional_field(8, what!("EncKDCRepPart.renew-till"), Decode::decode)?,
            srealm: s.field(9, what!("EncKDCRepPart.srealm"), Decode::decode)?,
            sname: s.field(10, what!("EncKDCRepPart.sname"), Decode::decode)?,
            caddr: s.optional_field(11, what!("EncKDCRepPart.caddr"), Decode::decode)?,
            encrypted_pa_data: s.optional_field(
                12,
                what!("EncKDCRepPart.encrypted-pa-data"),
                Decode::decode,
            )?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(part)
    }
}

impl Encode for EncKdcRepPart<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        let n = check_kdc_msg_type(
            i32::from(self.app_tag),
            i32::from(app_tag::ENC_AS_REP_PART),
            i32::from(app_tag::ENC_TGS_REP_PART),
            what!("EncKDCRepPart tag"),
        )?;
        w.application(n, |w| {
            w.sequence(|w| {
                if let Some(pa) = &self.encrypted_pa_data {
                    w.field(12, |w| pa.encode(w))?;
                }
                if let Some(a) = &self.caddr {
                    w.field(11, |w| a.encode(w))?;
                }
                w.field(10, |w| self.sname.encode(w))?;
                w.field(9, |w| self.srealm.encode(w))?;
                if let Some(t) = &self.renew_till {
                    w.field(8, |w| t.encode(w))?;
                }
                w.field(7, |w| self.endtime.encode(w))?;
                if let Some(t) = &self.starttime {
                    w.field(6, |w| t.encode(w))?;
                }
                w.field(5, |w| self.authtime.encode(w))?;
                w.field(4, |w| {
                    w.kerberos_flags(self.flags);
                    Ok(())
                })?;
                if let Some(t) = &self.key_expiration {
                    w.field(3, |w| t.encode(w))?;
                }
                w.field(2, |w| self.nonce.encode(w))?;
                w.field(1, |w| self.last_req.encode(w))?;
                w.field(0, |w| self.key.encode(w))
            })
        })
    }
}
repr_methods!(EncKdcRepPart, "EncKDCRepPart");
