//! Ticket and EncTicketPart (RFC 4120 section 5.3).

use super::basic::{
    AuthorizationData, EncryptedData, EncryptionKey, HostAddresses, KerberosTime, PrincipalName,
    Realm, TransitedEncoding,
};
use super::{app_tag, expect_int, repr_methods, PVNO};
use crate::der::{Decode, Encode, Reader, Writer};
use crate::Result;

/// Ticket (`[APPLICATION 1]`); `tkt-vno` is always 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket<'a> {
    /// Realm of the service (and of the issuing KDC).
    pub realm: Realm<'a>,
    /// The service's name.
    pub sname: PrincipalName<'a>,
    /// The [`EncTicketPart`], encrypted in the service key (key usage 2).
    pub enc_part: EncryptedData<'a>,
}

impl<'a> Decode<'a> for Ticket<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(app_tag::TICKET, what)?;
        let mut s = app.sequence(what)?;
        expect_int(&mut s, 0, what!("Ticket.tkt-vno"), PVNO)?;
        let realm = s.field(1, what!("Ticket.realm"), Decode::decode)?;
        let sname = s.field(2, what!("Ticket.sname"), Decode::decode)?;
        let enc_part = s.field(3, what!("Ticket.enc-part"), Decode::decode)?;
        s.finish(what)?;
        app.finish(what)?;
        Ok(Ticket {
            realm,
            sname,
            enc_part,
        })
    }
}

impl Encode for Ticket<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        // Backwards: last field first.
        w.application(app_tag::TICKET, |w| {
            w.sequence(|w| {
                w.field(3, |w| self.enc_part.encode(w))?;
                w.field(2, |w| self.sname.encode(w))?;
                w.field(1, |w| self.realm.encode(w))?;
                w.field(0, |w| PVNO.encode(w))
            })
        })
    }
}
repr_methods!(Ticket, "Ticket");

/// EncTicketPart (`[APPLICATION 3]`): the decrypted body of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncTicketPart<'a> {
    /// TicketFlags (see [`super::ticket_flags`]).
    pub flags: u32,
    /// The session key.
    pub key: EncryptionKey<'a>,
    /// The client's realm.
    pub crealm: Realm<'a>,
    /// The client's name.
    pub cname: PrincipalName<'a>,
    /// Realms transited, uninterpreted.
    pub transited: TransitedEncoding<'a>,
    /// Time of the initial authentication.
    pub authtime: KerberosTime,
    /// Start of validity, if not `authtime`.
    pub starttime: Option<KerberosTime>,
    /// End of validity.
    pub endtime: KerberosTime,
    /// Renewal limit.
    pub renew_till: Option<KerberosTime>,
    /// Client addresses the ticket is restricted to.
    pub caddr: Option<HostAddresses<'a>>,
    /// Authorization data (the PAC lives here, inside AD-IF-RELEVANT).
    pub authorization_data: Option<AuthorizationData<'a>>,
}

impl<'a> Decode<'a> for EncTicketPart<'a> {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut app = r.application(app_tag::ENC_TICKET_PART, what)?;
        let mut s = app.sequence(what)?;
        let part = EncTicketPart {
            flags: s.field(0, what!("EncTicketPart.flags"), Reader::kerberos_flags)?,
            key: s.field(1, what!("EncTicketPart.key"), Decode::decode)?,
            crealm: s.field(2, what!("EncTicketPart.crealm"), Decode::decode)?,
            cname: s.field(3, what!("EncTicketPart.cname"), Decode::decode)?,
            transited: s.field(4, what!("EncTicketPart.transited"), Decode::decode)?,
            authtime: s.field(5, what!("EncTicketPart.authtime"), Decode::decode)?,
            starttime: s.optional_field(6, what!("EncTicketPart.starttime"), Decode::decode)?,
            endtime: s.field(7, what!("EncTicketPart.endtime"), Decode::decode)?,
            renew_till: s.optional_field(8, what!("EncTicketPart.renew-till"), Decode::decode)?,
            caddr: s.optional_field(9, what!("EncTicketPart.caddr"), Decode::decode)?,
            authorization_data: s.optional_field(
                10,
                what!("EncTicketPart.authorization-data"),
                Decode::decode,
            )?,
        };
        s.finish(what)?;
        app.finish(what)?;
        Ok(part)
    }
}

impl Encode for EncTicketPart<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.application(app_tag::ENC_TICKET_PART, |w| {
            w.sequence(|w| {
                if let Some(ad) = &self.authorization_data {
                    w.field(10, |w| ad.encode(w))?;
                }
                if let Some(caddr) = &self.caddr {
                    w.field(9, |w| caddr.encode(w))?;
                }
                if let Some(t) = &self.renew_till {
                    w.field(8, |w| t.encode(w))?;
                }
                w.field(7, |w| self.endtime.encode(w))?;
                if let Some(t) = &self.starttime {
                    w.field(6, |w| t.encode(w))?;
                }
                w.field(5, |w| self.authtime.encode(w))?;
                w.field(4, |w| self.transited.encode(w))?;
                w.field(3, |w| self.cname.encode(w))?;
                w.field(2, |w| self.crealm.encode(w))?;
                w.field(1, |w| self.key.encode(w))?;
                w.field(0, |w| {
                    w.kerberos_flags(self.flags);
                    Ok(())
                })
            })
        })
    }
}
repr_methods!(EncTicketPart, "EncTicketPart");
