//! Ticket minting, for tests and the CLI's built-in demo realm (feature
//! `testing`): what a KDC does when it issues a service ticket, minus the KDC.

use rand_core::CryptoRng;

use super::context::{emit_encrypted, encrypted_data_placed};
use super::wire::{
    app_tag, tr_type, AuthorizationData, EncTicketPart, EncryptionKey, KerberosString,
    KerberosTime, PrincipalName, TransitedEncoding, PVNO,
};
use crate::crypto::{usage, Key};
use crate::der::Encode;
use crate::{Result, Time};

/// The content of a ticket to mint.
#[derive(Debug, Clone, Copy)]
pub struct TicketSpec<'a> {
    /// The service's realm.
    pub realm: &'a [u8],
    /// The service's name.
    pub service: PrincipalName<'a>,
    /// The service key's version (`None`: omitted, as for a kvno-less key).
    pub kvno: Option<u32>,
    /// The client's realm.
    pub client_realm: &'a [u8],
    /// The client's name.
    pub client: PrincipalName<'a>,
    /// The session key the client also gets.
    pub session_key: &'a Key,
    /// TicketFlags (see [`super::wire::ticket_flags`]).
    pub flags: u32,
    /// Time of the initial authentication.
    pub authtime: Time,
    /// Start of validity, if not `authtime`.
    pub starttime: Option<Time>,
    /// End of validity.
    pub endtime: Time,
    /// Authorization data to carry, uninterpreted.
    pub authorization_data: Option<AuthorizationData<'a>>,
}

/// Writes a DER Ticket whose EncTicketPart is encrypted (key usage 2) under
/// `service_key`, at the start of `out`; returns its length.
pub fn mint_ticket<R: CryptoRng + ?Sized>(
    service_key: &Key,
    spec: &TicketSpec<'_>,
    rng: &mut R,
    out: &mut [u8],
) -> Result<usize> {
    let secs = |t: Time| KerberosTime(t.unix_secs());
    let part = EncTicketPart {
        flags: spec.flags,
        key: EncryptionKey {
            keytype: spec.session_key.etype().as_i32(),
            keyvalue: spec.session_key.as_bytes(),
        },
        crealm: KerberosString(spec.client_realm),
        cname: spec.client,
        transited: TransitedEncoding {
            tr_type: tr_type::DOMAIN_X500_COMPRESS,
            contents: &[],
        },
        authtime: secs(spec.authtime),
        starttime: spec.starttime.map(secs),
        endtime: secs(spec.endtime),
        renew_till: None,
        caddr: None,
        authorization_data: spec.authorization_data,
    };
    let etype = service_key.etype();
    emit_encrypted(
        out,
        &service_key.cipher_keys(usage::TICKET)?,
        rng,
        &part,
        what!("EncTicketPart"),
        &|w, cipher_len| {
            w.application(app_tag::TICKET, |w| {
                w.sequence(|w| {
                    w.field(3, |w| {
                        encrypted_data_placed(w, etype, spec.kvno, cipher_len)
                    })?;
                    w.field(2, |w| spec.service.encode(w))?;
                    w.field(1, |w| KerberosString(spec.realm).encode(w))?;
                    w.field(0, |w| PVNO.encode(w))
                })
            })
        },
    )
}
