//! Basic Kerberos types (RFC 4120 section 5.2).

use core::fmt;

use super::seq::SeqOf;
use super::{ad_type, repr_methods};
use crate::der::{Decode, Encode, Reader, Writer};
use crate::{Error, Result, Time};

/// Most components a parsed [`PrincipalName`] may have. Real names have one to
/// three (`user`, `HTTP/host`, `krbtgt/REALM`); the bound keeps iteration and
/// any caller's fixed-size copies small.
pub const MAX_NAME_COMPONENTS: usize = 8;

/// A KerberosString (GeneralString, RFC 4120 section 5.2.1): bytes, usually
/// ASCII, sometimes UTF-8. Parsing refuses NUL.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KerberosString<'a>(pub &'a [u8]);

/// A realm name.
pub type Realm<'a> = KerberosString<'a>;

impl<'a> KerberosString<'a> {
    /// Wraps a string to send.
    pub const fn from_str(s: &'a str) -> KerberosString<'a> {
        KerberosString(s.as_bytes())
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The text, if it is UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.0).ok()
    }
}

impl fmt::Debug for KerberosString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => fmt::Debug::fmt(s, f),
            None => write!(f, "{:02x?}", self.0),
        }
    }
}

impl fmt::Display for KerberosString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0, b"")
    }
}

/// Writes bytes as text: UTF-8 as is, other bytes as `\xNN`, and the bytes of
/// `special` (plus backslash) escaped with a backslash, as MIT's
/// `krb5_unparse_name` does for `/` and `@`.
fn write_escaped(f: &mut fmt::Formatter<'_>, mut bytes: &[u8], special: &[u8]) -> fmt::Result {
    while !bytes.is_empty() {
        let (valid, rest) = match core::str::from_utf8(bytes) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (good, bad) = bytes
                    .split_at_checked(e.valid_up_to())
                    .unwrap_or((&[], bytes));
                (core::str::from_utf8(good).unwrap_or(""), bad)
            }
        };
        for c in valid.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                '\u{8}' => f.write_str("\\b")?,
                c if c.is_ascii() && special.contains(&(c as u8)) => write!(f, "\\{c}")?,
                c => write!(f, "{c}")?,
            }
        }
        match rest.split_first() {
            Some((b, tail)) => {
                write!(f, "\\x{b:02x}")?;
                bytes = tail;
            }
            None => bytes = rest,
        }
    }
    Ok(())
}

impl<'a> Decode<'a> for KerberosString<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        r.general_string(what).map(KerberosString)
    }
}

impl Encode for KerberosString<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.general_string(self.0);
        Ok(())
    }
}

/// A KerberosTime: whole seconds since the Unix epoch, years 0000..=9999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KerberosTime(pub i64);

impl KerberosTime {
    /// Splits a [`Time`] into the seconds and the microseconds (`cusec`) fields.
    pub const fn from_time(t: Time) -> (KerberosTime, u32) {
        (KerberosTime(t.unix_secs()), t.subsec_micros())
    }

    /// Joins the seconds and a microseconds field into a [`Time`] (saturating).
    pub const fn to_time(self, micros: u32) -> Time {
        Time::from_unix_micros(
            self.0
                .saturating_mul(1_000_000)
                .saturating_add(micros as i64),
        )
    }

    /// Unix seconds.
    pub const fn unix_secs(self) -> i64 {
        self.0
    }

    /// Parses the encoded GeneralizedTime element.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        crate::der::parse(bytes, what!("KerberosTime"))
    }

    /// Length of the DER encoding (always 17).
    pub fn encoded_len(&self) -> usize {
        crate::der::encoded_len(self)
    }

    /// Writes the DER encoding at the start of `out`.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        crate::der::emit(self, out)
    }
}

impl<'a> Decode<'a> for KerberosTime {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        r.kerberos_time(what).map(KerberosTime)
    }
}

impl Encode for KerberosTime {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.kerberos_time(self.0)
    }
}

/// Reads a Microseconds value (0..=999999).
pub(crate) fn decode_micros(r: &mut Reader<'_>, what: crate::What) -> Result<u32> {
    r.microseconds(what)
}

/// Writes a Microseconds value, refusing out-of-range ones.
pub(crate) fn encode_micros(w: &mut Writer<'_>, micros: u32) -> Result<()> {
    if micros > 999_999 {
        return Err(Error::Malformed {
            what: what!("Microseconds out of range"),
        });
    }
    w.integer(i64::from(micros));
    Ok(())
}

/// A PrincipalName: a name type and 1..=[`MAX_NAME_COMPONENTS`] components.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalName<'a> {
    /// Name type, a hint (see [`super::name_type`]).
    pub name_type: i32,
    /// The components (`name-string`).
    pub name_string: SeqOf<'a, KerberosString<'a>>,
}

impl<'a> PrincipalName<'a> {
    /// A name to send.
    pub const fn new(name_type: i32, components: &'a [KerberosString<'a>]) -> PrincipalName<'a> {
        PrincipalName {
            name_type,
            name_string: SeqOf::from_slice(components),
        }
    }

    /// The components in order.
    pub fn components(&self) -> impl Iterator<Item = &'a [u8]> {
        self.name_string.iter().map(|c| c.0)
    }

    /// True when the components equal `other` (name types are only hints, RFC
    /// 4120 section 5.2.2, so they are not compared).
    pub fn same_components<'b>(&self, other: impl IntoIterator<Item = &'b [u8]>) -> bool {
        self.components().eq(other)
    }
}

impl fmt::Display for PrincipalName<'_> {
    /// MIT-style text without the realm: components joined by `/`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.components().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            write_escaped(f, c, b"/@")?;
        }
        Ok(())
    }
}

impl<'a> Decode<'a> for PrincipalName<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let name_type = s.field(0, what!("PrincipalName.name-type"), Reader::i32)?;
        let name_string = s.field(1, what!("PrincipalName.name-string"), |r, what| {
            SeqOf::decode_bounded(
                r,
                what,
                MAX_NAME_COMPONENTS,
                what!("PrincipalName components"),
            )
        })?;
        s.finish(what)?;
        if name_string.is_empty() {
            return Err(Error::Malformed {
                what: what!("PrincipalName.name-string"),
            });
        }
        Ok(PrincipalName {
            name_type,
            name_string,
        })
    }
}

impl Encode for PrincipalName<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        if self.name_string.is_empty() || self.name_string.len() > MAX_NAME_COMPONENTS {
            return Err(Error::Malformed {
                what: what!("PrincipalName.name-string"),
            });
        }
        w.sequence(|w| {
            w.field(1, |w| self.name_string.encode(w))?;
            w.field(0, |w| self.name_type.encode(w))
        })
    }
}
repr_methods!(PrincipalName, "PrincipalName");

/// EncryptedData: ciphertext under a key the receiver selects by etype/kvno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptedData<'a> {
    /// Encryption type (RFC 3961 section 8 number).
    pub etype: i32,
    /// Key version, present under long-term keys.
    pub kvno: Option<u32>,
    /// The ciphertext.
    pub cipher: &'a [u8],
}

impl<'a> Decode<'a> for EncryptedData<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let etype = s.field(0, what!("EncryptedData.etype"), Reader::i32)?;
        let kvno = s.optional_field(1, what!("EncryptedData.kvno"), Reader::uint32)?;
        let cipher = s.field(2, what!("EncryptedData.cipher"), Reader::octet_string)?;
        s.finish(what)?;
        Ok(EncryptedData {
            etype,
            kvno,
            cipher,
        })
    }
}

impl Encode for EncryptedData<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.sequence(|w| {
            w.field(2, |w| {
                w.octet_string(self.cipher);
                Ok(())
            })?;
            if let Some(kvno) = self.kvno {
                w.field(1, |w| kvno.encode(w))?;
            }
            w.field(0, |w| self.etype.encode(w))
        })
    }
}
repr_methods!(EncryptedData, "EncryptedData");

/// EncryptionKey. The key bytes borrow the caller's (decrypted) buffer, which
/// the caller zeroizes; `Debug` does not print them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EncryptionKey<'a> {
    /// Encryption type of the key.
    pub keytype: i32,
    /// The key.
    pub keyvalue: &'a [u8],
}

impl fmt::Debug for EncryptionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptionKey")
            .field("keytype", &self.keytype)
            .field("len", &self.keyvalue.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Decode<'a> for EncryptionKey<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let keytype = s.field(0, what!("EncryptionKey.keytype"), Reader::i32)?;
        let keyvalue = s.field(1, what!("EncryptionKey.keyvalue"), Reader::octet_string)?;
        s.finish(what)?;
        Ok(EncryptionKey { keytype, keyvalue })
    }
}

impl Encode for EncryptionKey<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.sequence(|w| {
            w.field(1, |w| {
                w.octet_string(self.keyvalue);
                Ok(())
            })?;
            w.field(0, |w| self.keytype.encode(w))
        })
    }
}
repr_methods!(EncryptionKey, "EncryptionKey");

/// Checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checksum<'a> {
    /// Checksum type (RFC 3961 section 8 number; 0x8003 for the GSS authenticator).
    pub cksumtype: i32,
    /// The checksum bytes.
    pub checksum: &'a [u8],
}

impl<'a> Decode<'a> for Checksum<'a> {
    #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let cksumtype = s.field(0, what!("Checksum.cksumtype"), Reader::i32)?;
        let checksum = s.field(1, what!("Checksum.checksum"), Reader::octet_string)?;
        s.finish(what)?;
        Ok(Checksum {
            cksumtype,
            checksum,
        })
    }
}

impl Encode for Checksum<'_> {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.sequence(|w| {
            w.field(1, |w| {
                w.octet_string(self.checksum);
                Ok(())
            })?;
            w.field(0, |w| self.cksumtype.encode(w))
        })
    }
}
repr_methods!(Checksum, "Checksum");

/// Defines a two-field `SEQUENCE { [a] Int32, [b] OCTET STRING }` type.
macro_rules! int_octets {
    ($(#[$m:meta])* $ty:ident, $what:literal, $int:ident, $ti:literal, $wi:literal,
     $oct:ident, $to:literal, $wo:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<'a> {
            #[allow(missing_docs)]
            pub $int: i32,
            #[allow(missing_docs)]
            pub $oct: &'a [u8],
        }

        impl<'a> Decode<'a> for $ty<'a> {
            #[cfg_attr(authcore_host, inline)]
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
                let mut s = r.sequence(what)?;
                let $int = s.field($ti, what!($wi), Reader::i32)?;
                let $oct = s.field($to, what!($wo), Reader::octet_string)?;
                s.finish(what)?;
                Ok($ty { $int, $oct })
            }
        }

        impl Encode for $ty<'_> {
            fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
                w.sequence(|w| {
                    w.field($to, |w| {
                        w.octet_string(self.$oct);
                        Ok(())
                    })?;
                    w.field($ti, |w| self.$int.encode(w))
                })
            }
        }
        repr_methods!($ty, $what);
    };
}

int_octets!(
    /// HostAddress (RFC 4120 section 5.2.5).
    HostAddress, "HostAddress",
    addr_type, 0, "HostAddress.addr-type",
    address, 1, "HostAddress.address"
);

int_octets!(
    /// One authorization element (RFC 4120 section 5.2.6).
    AdEntry, "AuthorizationData element",
    ad_type, 0, "AuthorizationData.ad-type",
    ad_data, 1, "AuthorizationData.ad-data"
);

int_octets!(
    /// TransitedEncoding (RFC 4120 section 5.3), kept uninterpreted.
    TransitedEncoding, "TransitedEncoding",
    tr_type, 0, "TransitedEncoding.tr-type",
    contents, 1, "TransitedEncoding.contents"
);

int_octets!(
    /// PA-DATA (RFC 4120 section 5.2.7); note the tags start at 1.
    PaData, "PA-DATA",
    padata_type, 1, "PA-DATA.padata-type",
    padata_value, 2, "PA-DATA.padata-value"
);

/// HostAddresses.
pub type HostAddresses<'a> = SeqOf<'a, HostAddress<'a>>;

/// AuthorizationData.
pub type AuthorizationData<'a> = SeqOf<'a, AdEntry<'a>>;

/// METHOD-DATA (a KRB-ERROR's `e-data` for KDC_ERR_PREAUTH_REQUIRED) and
/// every `padata` list.
pub type MethodData<'a> = SeqOf<'a, PaData<'a>>;

impl<'a> SeqOf<'a, AdEntry<'a>> {
    /// The `ad-data` of the first element of type `wanted`, looking inside
    /// AD-IF-RELEVANT containers (depth first, in order). Nesting is bounded by
    /// [`crate::der::MAX_DEPTH`]; an AD-IF-RELEVANT that does not parse is an
    /// error, not a miss.
    pub fn find(&self, wanted: i32) -> Result<Option<&'a [u8]>> {
        self.find_at(wanted, self.depth_hint())
    }

    fn find_at(&self, wanted: i32, depth: u8) -> Result<Option<&'a [u8]>> {
        for entry in self.iter() {
            if entry.ad_type == wanted {
                return Ok(Some(entry.ad_data));
            }
            if entry.ad_type == ad_type::IF_RELEVANT {
                let mut r = Reader::with_depth(entry.ad_data, depth)?;
                let inner: AuthorizationData<'a> = Decode::decode(&mut r, what!("AD-IF-RELEVANT"))?;
                r.finish(what!("AD-IF-RELEVANT"))?;
                if let Some(found) = inner.find_at(wanted, inner.depth_hint())? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }
}

/// One LastReq entry (RFC 4120 section 5.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastReqEntry {
    /// lr-type.
    pub lr_type: i32,
    /// lr-value.
    pub lr_value: KerberosTime,
}

impl<'a> Decode<'a> for LastReqEntry {
    fn decode(r: &mut Reader<'a>, what: crate::What) -> Result<Self> {
        let mut s = r.sequence(what)?;
        let lr_type = s.field(0, what!("LastReq.lr-type"), Reader::i32)?;
        let lr_value = s.field(1, what!("LastReq.lr-value"), KerberosTime::decode)?;
        s.finish(what)?;
        Ok(LastReqEntry { lr_type, lr_value })
    }
}

impl Encode for LastReqEntry {
    fn encode(&self, w: &mut Writer<'_>) -> Result<()> {
        w.sequence(|w| {
            w.field(1, |w| self.lr_value.encode(w))?;
            w.field(0, |w| self.lr_type.encode(w))
        })
    }
}
