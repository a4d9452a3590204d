//! The client/server exchange (RFC 4120 section 5.5).

use super::basic::{
    decode_micros, encode_micros, AuthorizationData, Checksum, EncryptedData, EncryptionKey,
    KerberosTime, PrincipalName, Realm,
};
use super::ticket::Ticket;
use super::{app_tag, expect_int, msg_type, repr_methods, PVNO};
use crate::der::{Decode, Encode, Reader, Writer};
use crate::Result;

/// Authenticator (`[APPLICATION 2]`), the decrypted body of an AP-REQ's
/// authenticator (key usage 11, or 7 inside a TGS-REQ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticator<'a> {
    /// The client's realm.
    pub crealm: Realm<'a>,
    /// The client's name.
    pub cname: PrincipalName<'a>,
    /// Checksum of application data (the GSS 0x8003 checksum for GSS-API).
    pub cksum: Option<Checksum<'a>>,
    /// Microseconds of the client's time.
    pub cusec: u32,
    /// The client's time.
    pub ctime: KerberosTime,
    /// The client's proposed subsession key.
    pub subkey: Option<EncryptionKey<'a>>,
    /// The client's initial sequence number.
    pub seq_number: Option<u32>,
    /// Extra restrictions.
    pub authorization_data: Option<AuthorizationData<'a>>,
}

impl<'a> Decode<'a> for Authenticator<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(app_tag::AUTHENTICATOR, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 0, what!("Authenticator.authenticator-vno"), PVNO)?;
        let auth = Authenticator {
            crealm: s.field(1, what!("Authenticator.crealm"), Decode::decode)?,
            cname: s.field(2, what!("Authenticator.cname"), Decode::decode)?,
            cksum: s.optional_field(3, what!("Authenticator.cksum"), Decode::decode)?,
            cusec: s.field(4, what!("Authenticator.cusec"), decode_micros)?,
            ctime: s.field(5, what!("Authenticator.ctime"), Decode::decode)?,
            subkey: s.optional_field(6, what!("Authenticator.subkey"), Decode::decode)?,
            seq_number: s.optional_field(7, what!("Authenticator.seq-number"), Reader::uint32)?,
            authorization_data: s.optional_field(
                8,
                what!("Authenticator.authorization-data"),
                Decode::decode,
            )?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(auth)
    }
}

impl Encode for Authenticator<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.application(app_tag::AUTHENTICATOR, |w| {
            w.sequence(|w| {
                if let Some(ad) = &self.authorization_data {
                    w.field(8, |w| ad.encode(w))?;
                }
                if let Some(seq) = self.seq_number {
                    w.field(7, |w| seq.encode(w))?;
                }
                if let Some(key) = &self.subkey {
                    w.field(6, |w| key.encode(w))?;
                }
                w.field(5, |w| self.ctime.encode(w))?;
                w.field(4, |w| encode_micros(w, self.cusec))?;
                if let Some(ck) = &self.cksum {
                    w.field(3, |w| ck.encode(w))?;
                }
                w.field(2, |w| self.cname.encode(w))?;
                w.field(1, |w| self.crealm.encode(w))?;
                w.field(0, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(Authenticator, "Authenticator");

/// AP-REQ (`[APPLICATION 14]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApReq<'a> {
    /// APOptions (see [`super::ap_options`]).
    pub ap_options: u32,
    /// The service ticket.
    pub ticket: Ticket<'a>,
    /// The encrypted [`Authenticator`].
    pub authenticator: EncryptedData<'a>,
}

impl<'a> Decode<'a> for ApReq<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(msg_type::AP_REQ as u8, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 0, what!("AP-REQ.pvno"), PVNO)?;
        expect_int(&mut s, 1, what!("AP-REQ.msg-type"), msg_type::AP_REQ)?;
        let req = ApReq {
            ap_options: s.field(2, what!("AP-REQ.ap-options"), Reader::kerberos_flags)?,
            ticket: s.field(3, what!("AP-REQ.ticket"), Decode::decode)?,
            authenticator: s.field(4, what!("AP-REQ.authenticator"), Decode::decode)?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(req)
    }
}

impl Encode for ApReq<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.application(msg_type::AP_REQ as u8, |w| {
            w.sequence(|w| {
                w.field(4, |w| self.authenticator.encode(w))?;
                w.field(3, |w| self.ticket.encode(w))?;
                w.field(2, |w| {
                    w.kerberos_flags(self.ap_options);
                    Ok(())
                })?;
                w.field(1, |w| msg_type::AP_REQ.encode(w))?;
                w.field(0, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(ApReq, "AP-REQ");

/// AP-REP (`[APPLICATION 15]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApRep<'a> {
    /// The encrypted [`EncApRepPart`] (key usage 12).
    pub enc_part: EncryptedData<'a>,
}

impl<'a> Decode<'a> for ApRep<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(msg_type::AP_REP as u8, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 0, what!("AP-REP.pvno"), PVNO)?;
        expect_int(&mut s, 1, what!("AP-REP.msg-type"), msg_type::AP_REP)?;
        let enc_part = s.field(2, what!("AP-REP.enc-part"), Decode::decode)?;
        s.finish(what)?;
        app.finish(what)?;
        Ok(ApRep { enc_part })
    }
}

impl Encode for ApRep<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.application(msg_type::AP_REP as u8, |w| {
            w.sequence(|w| {
                w.field(2, |w| self.enc_part.encode(w))?;
                w.field(1, |w| msg_type::AP_REP.encode(w))?;
                w.field(0, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(ApRep, "AP-REP");

/// EncAPRepPart (`[APPLICATION 27]`): the decrypted body of an AP-REP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncApRepPart<'a> {
    /// The client's time, echoed from its authenticator.
    pub ctime: KerberosTime,
    /// The client's microseconds, echoed.
    pub cusec: u32,
    /// The acceptor's subkey.
    pub subkey: Option<EncryptionKey<'a>>,
    /// The acceptor's initial sequence number.
    pub seq_number: Option<u32>,
}

impl<'a> Decode<'a> for EncApRepPart<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(app_tag::ENC_AP_REP_PART, what)?;
        let mut s = app.sequence(what)?;
        let part = EncApRepPart {
            ctime: s.field(0, what!("EncAPRepPart.ctime"), Decode::decode)?,
            cusec: s.field(1, what!("EncAPRepPart.cusec"), decode_micros)?,
            subkey: s.optional_field(2, what!("EncAPRepPart.subkey"), Decode::decode)?,
            seq_number: s.optional_field(3, what!("EncAPRepPart.seq-number"), Reader::uint32)?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(part)
    }
}

impl Encode for EncApRepPart<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.application(app_tag::ENC_AP_REP_PART, |w| {
            w.sequence(|w| {
                if let Some(seq) = self.seq_number {
                    w.field(3, |w| seq.encode(w))?;
                }
                if let Some(key) = &self.subkey {
                    w.field(2, |w| key.encode(w))?;
                }
                w.field(1, |w| encode_micros(w, self.cusec))?;
                w.field(0, |w| self.ctime.encode(w))
            })
        })
    }
}
repr_methods!(EncApRepPart, "EncAPRepPart");
