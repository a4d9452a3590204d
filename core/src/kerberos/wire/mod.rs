//! Kerberos V5 messages (RFC 4120 section 5 and appendix A): parse and emit.
//!
//! Every type is a `Repr` that borrows from the input (smoltcp style):
//! `parse(&'a [u8]) -> Result<Self>` reads exactly one value filling the slice,
//! `encoded_len()` measures the DER encoding and `emit(&self, out)` writes it at
//! the start of `out`, returning its length or `BufferTooSmall { needed }`.
//! Nothing here decrypts or checks policy: an [`EncryptedData`] stays opaque and
//! its plaintext is parsed by the inner type ([`EncTicketPart`],
//! [`Authenticator`], [`EncApRepPart`], [`EncKdcRepPart`]) once the caller has
//! decrypted it.
//!
//! Lists (`SEQUENCE OF`) are [`SeqOf`]: a parsed list keeps its validated DER
//! bytes and decodes elements on iteration; a list to send borrows a caller's
//! slice. Both compare equal element by element.
//!
//! Entry points for fuzzing: [`Ticket::parse`], [`EncTicketPart::parse`],
//! [`Authenticator::parse`], [`ApReq::parse`], [`ApRep::parse`],
//! [`EncApRepPart::parse`], [`KrbError::parse`], [`KdcReq::parse`],
//! [`KdcRep::parse`], [`EncKdcRepPart::parse`], [`AuthorizationData::parse`]
//! (with [`AuthorizationData::find`]) and [`message_type`].

mod ap;
mod basic;
mod error;
mod kdc;
mod seq;
mod ticket;

pub use ap::{ApRep, ApReq, Authenticator, EncApRepPart};
pub use basic::{
    AdEntry, AuthorizationData, Checksum, EncryptedData, EncryptionKey, HostAddress, HostAddresses,
    KerberosString, KerberosTime, LastReqEntry, MethodData, PaData, PrincipalName, Realm,
    TransitedEncoding, MAX_NAME_COMPONENTS,
};
pub use error::KrbError;
pub use kdc::{EncKdcRepPart, KdcRep, KdcReq, KdcReqBody};
pub use seq::{SeqIter, SeqOf};
pub use ticket::{EncTicketPart, Ticket};

use crate::der::Reader;
use crate::{Error, Result};

/// Protocol version number (`pvno`, `tkt-vno`, `authenticator-vno`).
pub const PVNO: i32 = 5;

/// Message types (RFC 4120 section 7.5.7); also the APPLICATION tag numbers.
pub mod msg_type {
    /// KRB_AS_REQ.
    pub const AS_REQ: i32 = 10;
    /// KRB_AS_REP.
    pub const AS_REP: i32 = 11;
    /// KRB_TGS_REQ.
    pub const TGS_REQ: i32 = 12;
    /// KRB_TGS_REP.
    pub const TGS_REP: i32 = 13;
    /// KRB_AP_REQ.
    pub const AP_REQ: i32 = 14;
    /// KRB_AP_REP.
    pub const AP_REP: i32 = 15;
    /// KRB_SAFE.
    pub const SAFE: i32 = 20;
    /// KRB_PRIV.
    pub const PRIV: i32 = 21;
    /// KRB_CRED.
    pub const CRED: i32 = 22;
    /// KRB_ERROR.
    pub const ERROR: i32 = 30;
}

/// APPLICATION tag numbers of types that are not messages (RFC 4120 section 5.10).
pub mod app_tag {
    /// Ticket.
    pub const TICKET: u8 = 1;
    /// Authenticator.
    pub const AUTHENTICATOR: u8 = 2;
    /// EncTicketPart.
    pub const ENC_TICKET_PART: u8 = 3;
    /// EncASRepPart.
    pub const ENC_AS_REP_PART: u8 = 25;
    /// EncTGSRepPart.
    pub const ENC_TGS_REP_PART: u8 = 26;
    /// EncAPRepPart.
    pub const ENC_AP_REP_PART: u8 = 27;
}

/// Name types (RFC 4120 section 7.5.8, RFC 6111 for the well-known type).
pub mod name_type {
    /// KRB_NT_UNKNOWN.
    pub const UNKNOWN: i32 = 0;
    /// KRB_NT_PRINCIPAL: users.
    pub const PRINCIPAL: i32 = 1;
    /// KRB_NT_SRV_INST: service and instance (krbtgt).
    pub const SRV_INST: i32 = 2;
    /// KRB_NT_SRV_HST: service with host name as instance.
    pub const SRV_HST: i32 = 3;
    /// KRB_NT_SRV_XHST.
    pub const SRV_XHST: i32 = 4;
    /// KRB_NT_UID.
    pub const UID: i32 = 5;
    /// KRB_NT_X500_PRINCIPAL.
    pub const X500_PRINCIPAL: i32 = 6;
    /// KRB_NT_SMTP_NAME.
    pub const SMTP_NAME: i32 = 7;
    /// KRB_NT_ENTERPRISE.
    pub const ENTERPRISE: i32 = 10;
    /// KRB_NT_WELLKNOWN (RFC 6111).
    pub const WELLKNOWN: i32 = 11;
}

/// Pre-authentication data types (RFC 4120 section 7.5.2, RFC 6113, MS-KILE).
pub mod pa_type {
    /// PA-TGS-REQ: an AP-REQ authenticating a TGS-REQ.
    pub const TGS_REQ: i32 = 1;
    /// PA-ENC-TIMESTAMP.
    pub const ENC_TIMESTAMP: i32 = 2;
    /// PA-PW-SALT.
    pub const PW_SALT: i32 = 3;
    /// PA-ETYPE-INFO.
    pub const ETYPE_INFO: i32 = 11;
    /// PA-ETYPE-INFO2.
    pub const ETYPE_INFO2: i32 = 19;
    /// PA-PAC-REQUEST (MS-KILE).
    pub const PAC_REQUEST: i32 = 128;
    /// PA-FX-COOKIE (RFC 6113).
    pub const FX_COOKIE: i32 = 133;
    /// PA-FX-FAST (RFC 6113).
    pub const FX_FAST: i32 = 136;
    /// PA-ENCRYPTED-CHALLENGE (RFC 6113).
    pub const ENCRYPTED_CHALLENGE: i32 = 138;
    /// PA-REQ-ENC-PA-REP (RFC 6806).
    pub const REQ_ENC_PA_REP: i32 = 149;
}

/// Authorization data types (RFC 4120 section 7.5.4).
pub mod ad_type {
    /// AD-IF-RELEVANT: elements the server may ignore if it does not know them.
    pub const IF_RELEVANT: i32 = 1;
    /// AD-INTENDED-FOR-SERVER.
    pub const INTENDED_FOR_SERVER: i32 = 2;
    /// AD-INTENDED-FOR-APPLICATION-CLASS.
    pub const INTENDED_FOR_APPLICATION_CLASS: i32 = 3;
    /// AD-KDC-ISSUED.
    pub const KDC_ISSUED: i32 = 4;
    /// AD-AND-OR.
    pub const AND_OR: i32 = 5;
    /// AD-MANDATORY-FOR-KDC.
    pub const MANDATORY_FOR_KDC: i32 = 8;
    /// AD-WIN2K-PAC: the MS-PAC.
    pub const WIN2K_PAC: i32 = 128;
    /// AD-ETYPE-NEGOTIATION (RFC 4537).
    pub const ETYPE_NEGOTIATION: i32 = 129;
}

/// Host address types (RFC 4120 section 7.5.3).
pub mod addr_type {
    /// IPv4.
    pub const IPV4: i32 = 2;
    /// Directional.
    pub const DIRECTIONAL: i32 = 3;
    /// NetBios.
    pub const NETBIOS: i32 = 20;
    /// IPv6.
    pub const IPV6: i32 = 24;
}

/// Transited encoding types (RFC 4120 section 7.5.5).
pub mod tr_type {
    /// DOMAIN-X500-COMPRESS.
    pub const DOMAIN_X500_COMPRESS: i32 = 1;
}

/// The `u32` mask of KerberosFlags bit `n` (bit 0 is the most significant: RFC
/// 4120 numbers bits from the first bit on the wire).
pub const fn flag(n: u32) -> u32 {
    // wrapping_shr takes n modulo 32, which is the intended bit range.
    0x8000_0000u32.wrapping_shr(n)
}

/// APOptions bits (RFC 4120 section 5.5.1).
pub mod ap_options {
    use super::flag;
    /// use-session-key (user-to-user).
    pub const USE_SESSION_KEY: u32 = flag(1);
    /// mutual-required: the server must answer with an AP-REP.
    pub const MUTUAL_REQUIRED: u32 = flag(2);
}

/// TicketFlags bits (RFC 4120 section 5.3).
pub mod ticket_flags {
    use super::flag;
    /// forwardable.
    pub const FORWARDABLE: u32 = flag(1);
    /// forwarded.
    pub const FORWARDED: u32 = flag(2);
    /// proxiable.
    pub const PROXIABLE: u32 = flag(3);
    /// proxy.
    pub const PROXY: u32 = flag(4);
    /// may-postdate.
    pub const MAY_POSTDATE: u32 = flag(5);
    /// postdated.
    pub const POSTDATED: u32 = flag(6);
    /// invalid: servers must reject the ticket.
    pub const INVALID: u32 = flag(7);
    /// renewable.
    pub const RENEWABLE: u32 = flag(8);
    /// initial: issued by the AS exchange.
    pub const INITIAL: u32 = flag(9);
    /// pre-authent.
    pub const PRE_AUTHENT: u32 = flag(10);
    /// hw-authent.
    pub const HW_AUTHENT: u32 = flag(11);
    /// transited-policy-checked.
    pub const TRANSITED_POLICY_CHECKED: u32 = flag(12);
    /// ok-as-delegate.
    pub const OK_AS_DELEGATE: u32 = flag(13);
    /// enc-pa-rep (RFC 6806): the KDC supports encrypted padata.
    pub const ENC_PA_REP: u32 = flag(15);
}

/// KDCOptions bits (RFC 4120 section 5.4.1, RFC 6806 for canonicalize).
pub mod kdc_options {
    use super::flag;
    /// forwardable.
    pub const FORWARDABLE: u32 = flag(1);
    /// forwarded.
    pub const FORWARDED: u32 = flag(2);
    /// proxiable.
    pub const PROXIABLE: u32 = flag(3);
    /// proxy.
    pub const PROXY: u32 = flag(4);
    /// allow-postdate.
    pub const ALLOW_POSTDATE: u32 = flag(5);
    /// postdated.
    pub const POSTDATED: u32 = flag(6);
    /// renewable.
    pub const RENEWABLE: u32 = flag(8);
    /// opt-hardware-auth.
    pub const OPT_HARDWARE_AUTH: u32 = flag(11);
    /// canonicalize.
    pub const CANONICALIZE: u32 = flag(15);
    /// disable-transited-check.
    pub const DISABLE_TRANSITED_CHECK: u32 = flag(26);
    /// renewable-ok.
    pub const RENEWABLE_OK: u32 = flag(27);
    /// enc-tkt-in-skey (user-to-user).
    pub const ENC_TKT_IN_SKEY: u32 = flag(28);
    /// renew.
    pub const RENEW: u32 = flag(30);
    /// validate.
    pub const VALIDATE: u32 = flag(31);
}

pub use error::error_code;

/// The APPLICATION tag number of a Kerberos message, to dispatch on what a peer
/// sent (an AP-REP or a KRB-ERROR, an AS-REP or a KRB-ERROR) before parsing it.
pub fn message_type(bytes: &[u8]) -> Result<i32> {
    let tlv = Reader::new(bytes).read_any(what!("Kerberos message"))?;
    if tlv.tag & 0xe0 != 0x60 {
        return Err(Error::Malformed {
            what: what!("Kerberos message"),
        });
    }
    Ok(i32::from(tlv.tag & 0x1f))
}

/// Reads `[n] INTEGER` and checks it equals `expected`.
fn expect_int(r: &mut Reader<'_>, n: u8, what: crate::What, expected: i32) -> Result<()> {
    if r.field(n, what, Reader::i32)? == expected {
        Ok(())
    } else {
        Err(Error::Malformed { what })
    }
}

/// Adds `parse`, `encoded_len` and `emit` to a Repr implementing Decode/Encode.
macro_rules! repr_methods {
    ($ty:ident, $what:literal) => {
        impl<'a> $ty<'a> {
            /// Parses exactly one value filling `bytes` (trailing bytes are an error).
            pub fn parse(bytes: &'a [u8]) -> $crate::Result<Self> {
                $crate::der::parse(bytes, what!($what))
            }
            /// Length of the DER encoding (0 if the value cannot be encoded).
            pub fn encoded_len(&self) -> usize {
                $crate::der::encoded_len(self)
            }
            /// Writes the DER encoding at the start of `out`; returns its length.
            pub fn emit(&self, out: &mut [u8]) -> $crate::Result<usize> {
                $crate::der::emit(self, out)
            }
        }
    };
}
use repr_methods;

#[cfg(test)]
mod tests;
