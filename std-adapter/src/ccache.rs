//! MIT credential caches (the `FILE:` ccache type).
//!
//! Layout, as MIT documents it ("Credential cache file format", krb5 1.13+):
//!
//! ```text
//! file       ::= 0x05 version(3 or 4) [header: version 4 only] principal credential*
//! header     ::= length(u16) { tag(u16) length(u16) value }*    (tag 1: KDC time offset,
//!                                                                 seconds(i32) micros(i32))
//! principal  ::= name_type(i32) count(u32) realm(data) component(data){count}
//! credential ::= client(principal) server(principal) keyblock
//!                authtime starttime endtime renew_till (u32 each)
//!                is_skey(u8: 0 or 1) ticket_flags(u32)
//!                addresses: count(u32) { addrtype(u16) data }*
//!                authdata:  count(u32) { ad_type(u16) data }*
//!                ticket(data) second_ticket(data)
//! keyblock   ::= enctype(i16) [enctype again: version 3 only] key(data)
//! data       ::= length(u32) bytes
//! ```
//!
//! Versions 3 and 4 are big-endian. Versions 1 and 2 use the writing host's byte
//! order and a different principal encoding; nothing has written them for decades,
//! so they are refused with [`Error::UnsupportedVersion`] rather than guessed at.
//! The credentials run to the end of the file, without a count or an end marker.
//!
//! Configuration entries (server realm `X-CACHECONF:`, first component
//! `krb5_ccache_conf_data`) are ordinary credentials on disk: they are kept and
//! written back unchanged, listed by [`Ccache::credentials`] and skipped by
//! [`Ccache::find`] and [`Ccache::tickets`]. Their ticket field holds a value, not a
//! Ticket, so nothing here decodes ticket fields.
//!
//! Ticket flags are stored as MIT's `krb5_flags`, whose bits are those of
//! [`authcore::kerberos::wire::ticket_flags`] (RFC 4120 bit 0 is the top bit).
//!
//! Everything is read strictly: a length that points past the file, a header field
//! that overruns the header or an `is_skey` other than 0 or 1 is an error, never a
//! guess.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

pub use crate::keytab::Principal;
use crate::keytab::NT_PRINCIPAL;

/// File format 0x0503: no header, the enctype written twice in each keyblock.
pub const VERSION_3: u16 = 0x0503;
/// File format 0x0504, what MIT writes by default.
pub const VERSION_4: u16 = 0x0504;
/// The header tag of the KDC time offset, MIT's only defined header field.
pub const TAG_KDC_OFFSET: u16 = 1;
/// The realm of every configuration entry's server principal.
pub const CONFIG_REALM: &[u8] = b"X-CACHECONF:";
/// The first component of every configuration entry's server principal.
pub const CONFIG_COMPONENT: &[u8] = b"krb5_ccache_conf_data";
/// The directory of MIT's built-in default cache, `FILE:/tmp/krb5cc_%{uid}`.
pub const DEFAULT_CCACHE_DIR: &str = "/tmp";

const KDC_OFFSET_LEN: usize = 8;

/// What went wrong reading or writing a credential cache.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The first byte is not 0x05: not an MIT credential cache.
    NotCcache { found: [u8; 2] },
    /// A format version other than 0x0503 and 0x0504 (reading or writing).
    UnsupportedVersion { version: u16 },
    /// The file ends inside the named field, which starts at `offset`.
    Truncated { offset: usize, what: &'static str },
    /// The named field at `offset` holds an impossible value.
    Malformed { offset: usize, what: &'static str },
    /// A value does not fit its field in the file format (writing).
    TooLarge { what: &'static str },
    /// A cache name of a type other than `FILE:` (`KEYRING:`, `KCM:`, `DIR:`, ...).
    UnsupportedType { name: String, kind: String },
    /// A cache name that names no file (`FILE:` with nothing after it, or empty).
    BadName { name: String },
    /// `KRB5CCNAME` is unset and the built-in default needs a uid this system
    /// does not report.
    NoDefault { why: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "ccache {}: {source}", path.display()),
            Error::NotCcache { found } => write!(
                f,
                "not an MIT credential cache: version bytes {:02x} {:02x} (expected 05 03 or 05 04)",
                found[0], found[1]
            ),
            Error::UnsupportedVersion { version } => write!(
                f,
                "unsupported credential cache format version 0x{version:04x} \
                 (only 0x0503 and 0x0504; 0x0501/0x0502 use host byte order and are not read)"
            ),
            Error::Truncated { offset, what } => {
                write!(f, "credential cache truncated in {what} at byte {offset}")
            }
            Error::Malformed { offset, what } => {
                write!(f, "malformed credential cache: {what} at byte {offset}")
            }
            Error::TooLarge { what } => {
                write!(f, "cannot write credential cache: {what} too large")
            }
            Error::UnsupportedType { name, kind } => write!(
                f,
                "credential cache '{name}': type {kind}: is not supported \
                 (only FILE: caches; set KRB5CCNAME=FILE:/path)"
            ),
            Error::BadName { name } => {
                write!(f, "credential cache name '{name}' names no file")
            }
            Error::NoDefault { why } => write!(
                f,
                "no default credential cache ({why}); set KRB5CCNAME=FILE:/path"
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<Error> for crate::Error {
    fn from(e: Error) -> crate::Error {
        match e {
            Error::Io { path, source } => {
                crate::Error::io(format!("ccache {}", path.display()), source)
            }
            e @ (Error::UnsupportedType { .. }
            | Error::BadName { .. }
            | Error::NoDefault { .. }) => crate::Error::Usage(e.to_string()),
            other => crate::Error::Format(other.to_string()),
        }
    }
}

/// One header field of a version 4 file, kept verbatim (unknown tags included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    pub tag: u16,
    pub value: Vec<u8>,
}

/// The KDC's clock minus the client's at the initial authentication (header tag 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KdcOffset {
    pub seconds: i32,
    pub microseconds: i32,
}

/// A credential's times, seconds since the Unix epoch on the KDC's clock
/// (unsigned, as MIT reads them since 1.17, so they run to 2106).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Times {
    pub authtime: u32,
    /// 0 when the ticket is valid from `authtime`.
    pub starttime: u32,
    pub endtime: u32,
    /// 0 when the ticket is not renewable.
    pub renew_till: u32,
}

impl Times {
    /// When the ticket becomes valid: `starttime`, or `authtime` when it is 0.
    pub fn start(&self) -> u32 {
        if self.starttime != 0 {
            self.starttime
        } else {
            self.authtime
        }
    }
}

/// A host address a ticket is restricted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub addr_type: u16,
    pub data: Vec<u8>,
}

/// One authorization-data element the KDC returned beside the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthData {
    pub ad_type: u16,
    pub data: Vec<u8>,
}

/// One cached credential: a ticket and its session key, or a configuration entry.
/// The key bytes are zeroized on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub client: Principal,
    pub server: Principal,
    /// The session key's enctype (RFC 3961 section 8 number).
    pub enctype: i32,
    key: Zeroizing<Vec<u8>>,
    pub times: Times,
    /// The ticket is encrypted in a session key (user-to-user), not the server's key.
    pub is_skey: bool,
    /// TicketFlags, bits as in [`authcore::kerberos::wire::ticket_flags`].
    pub ticket_flags: u32,
    pub addresses: Vec<Address>,
    pub authdata: Vec<AuthData>,
    /// The DER Ticket (or a configuration entry's value).
    pub ticket: Vec<u8>,
    /// The additional ticket of a user-to-user request; usually empty.
    pub second_ticket: Vec<u8>,
}

impl Credential {
    /// A ticket with its session key (copied); no addresses, authdata or second
    /// ticket, which callers may set through the public fields.
    pub fn new(
        client: Principal,
        server: Principal,
        enctype: i32,
        key: &[u8],
        times: Times,
        ticket_flags: u32,
        ticket: Vec<u8>,
    ) -> Credential {
        Credential {
            client,
            server,
            enctype,
            key: Zeroizing::new(key.to_vec()),
            times,
            is_skey: false,
            ticket_flags,
            addresses: Vec::new(),
            authdata: Vec::new(),
            ticket,
            second_ticket: Vec::new(),
        }
    }

    /// A configuration entry as MIT writes one: `client` is the cache's default
    /// principal, `key` the configuration key (`fast_avail`, `pa_type`, ...),
    /// `principal` the principal it is associated with, if any; every other field
    /// is zero.
    pub fn config(
        client: Principal,
        key: &str,
        principal: Option<&Principal>,
        value: &[u8],
    ) -> Credential {
        let mut components = vec![CONFIG_COMPONENT.to_vec(), key.as_bytes().to_vec()];
        if let Some(p) = principal {
            components.push(p.to_string().into_bytes());
        }
        let server = Principal {
            realm: CONFIG_REALM.to_vec(),
            components,
            name_type: NT_PRINCIPAL,
        };
        Credential::new(client, server, 0, &[], Times::default(), 0, value.to_vec())
    }

    /// A configuration entry rather than a ticket (MIT tests the realm alone).
    pub fn is_config(&self) -> bool {
        self.server.realm == CONFIG_REALM
    }

    /// The raw session key bytes.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The session key as an authcore key; fails for enctypes this build does not
    /// support and for a key of the wrong length.
    pub fn key(&self) -> authcore::Result<authcore::crypto::Key> {
        let etype = authcore::crypto::Etype::from_i32(self.enctype)?;
        authcore::crypto::Key::from_bytes(etype, &self.key)
    }

    /// Whether the ticket is valid at `now` (seconds on the KDC's clock):
    /// started, and not yet at its end time.
    pub fn is_current_at(&self, now: u32) -> bool {
        self.times.start() <= now && now < self.times.endtime
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("client", &self.client)
            .field("server", &self.server)
            .field("enctype", &self.enctype)
            .field("key_len", &self.key.len())
            .field("times", &self.times)
            .field("is_skey", &self.is_skey)
            .field("ticket_flags", &format_args!("{:#010x}", self.ticket_flags))
            .field("addresses", &self.addresses)
            .field("authdata", &self.authdata)
            .field("ticket_len", &self.ticket.len())
            .field("second_ticket_len", &self.second_ticket.len())
            .finish()
    }
}

/// A credential cache: its format version, header, default principal and
/// credentials in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ccache {
    version: u16,
    header: Vec<HeaderField>,
    default_principal: Principal,
    credentials: Vec<Credential>,
}

impl Ccache {
    /// An empty version 4 cache for `default_principal`, without header fields.
    pub fn new(default_principal: Principal) -> Ccache {
        Ccache {
            version: VERSION_4,
            header: Vec::new(),
            default_principal,
            credentials: Vec::new(),
        }
    }

    /// Parses a whole credential cache file (version 0x0504 or 0x0503).
    pub fn parse(bytes: &[u8]) -> Result<Ccache, Error> {
        let mut r = Reader { buf: bytes, pos: 0 };
        let found = r.raw::<2>("version")?;
        let version = u16::from_be_bytes(found);
        match version {
            VERSION_3 | VERSION_4 => {}
            _ if found[0] == 5 => return Err(Error::UnsupportedVersion { version }),
            _ => return Err(Error::NotCcache { found }),
        }
        let header = if version == VERSION_4 {
            parse_header(&mut r)?
        } else {
            Vec::new()
        };
        let default_principal = read_principal(&mut r)?;
        let mut credentials = Vec::new();
        while !r.at_end() {
            credentials.push(read_credential(&mut r, version)?);
        }
        Ok(Ccache {
            version,
            header,
            default_principal,
            credentials,
        })
    }

    /// Serializes in this cache's format version; a version 3 file has no header,
    /// so the header fields (the KDC offset) are left out of it.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let mut out = Zeroizing::new(Vec::new());
        out.extend_from_slice(&self.version.to_be_bytes());
        if self.version == VERSION_4 {
            let mut header = Vec::new();
            for field in &self.header {
                header.extend_from_slice(&field.tag.to_be_bytes());
                put_u16_len(&mut header, field.value.len(), "header field")?;
                header.extend_from_slice(&field.value);
            }
            put_u16_len(&mut out, header.len(), "header")?;
            out.extend_from_slice(&header);
        }
        put_principal(&mut out, &self.default_principal)?;
        for cred in &self.credentials {
            put_credential(&mut out, cred, self.version)?;
        }
        Ok(out)
    }

    /// Reads and parses a credential cache file.
    pub fn read(path: &Path) -> Result<Ccache, Error> {
        let bytes = Zeroizing::new(fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?);
        Ccache::parse(&bytes)
    }

    /// Reads the default cache: `KRB5CCNAME`, else `/tmp/krb5cc_<uid>`.
    pub fn read_default() -> Result<Ccache, Error> {
        Ccache::read(&default_path()?)
    }

    /// Writes the cache to `path` (mode 0600), replacing it atomically: readers
    /// see the old file or the new one, never a partial one. MIT appends to the
    /// file under a lock instead; what it appends to the old file while this
    /// runs is lost.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let bytes = self.to_bytes()?;
        write_atomically(path, &bytes).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// The format version [`Ccache::to_bytes`] writes.
    pub fn version(&self) -> u16 {
        self.version
    }

    /// Chooses the format version to write: [`VERSION_4`] or [`VERSION_3`].
    pub fn set_version(&mut self, version: u16) -> Result<(), Error> {
        match version {
            VERSION_3 | VERSION_4 => {
                self.version = version;
                Ok(())
            }
            _ => Err(Error::UnsupportedVersion { version }),
        }
    }

    /// The version 4 header fields in file order, unknown tags included.
    pub fn header_fields(&self) -> &[HeaderField] {
        &self.header
    }

    /// The KDC time offset of the header, if there is one.
    pub fn kdc_offset(&self) -> Option<KdcOffset> {
        let field = self.header.iter().find(|h| h.tag == TAG_KDC_OFFSET)?;
        let (secs, micros) = field.value.split_at_checked(4)?;
        Some(KdcOffset {
            seconds: i32::from_be_bytes(secs.try_into().ok()?),
            microseconds: i32::from_be_bytes(micros.try_into().ok()?),
        })
    }

    /// Sets (or, with `None`, removes) the KDC time offset header field.
    pub fn set_kdc_offset(&mut self, offset: Option<KdcOffset>) {
        let value = offset.map(|o| {
            let mut v = o.seconds.to_be_bytes().to_vec();
            v.extend_from_slice(&o.microseconds.to_be_bytes());
            v
        });
        match (
            self.header.iter_mut().find(|h| h.tag == TAG_KDC_OFFSET),
            value,
        ) {
            (Some(field), Some(value)) => field.value = value,
            (None, Some(value)) => self.header.push(HeaderField {
                tag: TAG_KDC_OFFSET,
                value,
            }),
            (_, None) => self.header.retain(|h| h.tag != TAG_KDC_OFFSET),
        }
    }

    /// The cache's owner: the client of its initial tickets.
    pub fn default_principal(&self) -> &Principal {
        &self.default_principal
    }

    /// Every credential in file order, configuration entries included.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// The tickets: every credential but the configuration entries.
    pub fn tickets(&self) -> impl Iterator<Item = &Credential> {
        self.credentials.iter().filter(|c| !c.is_config())
    }

    /// Appends a credential, as MIT's FILE cache stores one; an older ticket for
    /// the same server stays, and [`Ccache::find`] prefers the newer.
    pub fn add(&mut self, cred: Credential) {
        self.credentials.push(cred);
    }

    /// Keeps only the credentials for which `keep` returns true.
    pub fn retain(&mut self, keep: impl FnMut(&Credential) -> bool) {
        self.credentials.retain(keep);
    }

    /// The value of configuration entry `key` (associated with `principal`, or
    /// with none); the last one when there are several.
    pub fn config(&self, key: &str, principal: Option<&Principal>) -> Option<&[u8]> {
        let mut want = vec![CONFIG_COMPONENT.to_vec(), key.as_bytes().to_vec()];
        if let Some(p) = principal {
            want.push(p.to_string().into_bytes());
        }
        self.credentials
            .iter()
            .rev()
            .find(|c| c.is_config() && c.server.components == want)
            .map(|c| c.ticket.as_slice())
    }

    /// The ticket for `server` (matched by realm and components; name types differ
    /// between requesters), judged valid on the KDC's clock: the system clock plus
    /// the header's KDC offset. See [`Ccache::find_at`].
    pub fn find(&self, server: &Principal) -> Option<&Credential> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let offset = self.kdc_offset().map_or(0, |o| i64::from(o.seconds));
        let kdc_now = now.saturating_add(offset).clamp(0, i64::from(u32::MAX));
        self.find_at(server, u32::try_from(kdc_now).unwrap_or(u32::MAX))
    }

    /// The ticket for `server` at `now` (seconds on the KDC's clock), skipping
    /// configuration entries: the newest (latest start, then latest end, then
    /// last in the file) of those valid at `now`; when none is, the newest of the
    /// others, which the caller can tell by [`Credential::is_current_at`].
    pub fn find_at(&self, server: &Principal, now: u32) -> Option<&Credential> {
        let candidates = || {
            self.credentials.iter().enumerate().filter(|(_, c)| {
                !c.is_config()
                    && c.server.realm == server.realm
                    && c.server.components == server.components
            })
        };
        let newest = |&(i, c): &(usize, &Credential)| (c.times.start(), c.times.endtime, i);
        candidates()
            .filter(|(_, c)| c.is_current_at(now))
            .max_by_key(newest)
            .or_else(|| candidates().max_by_key(newest))
            .map(|(_, c)| c)
    }
}

fn parse_header(r: &mut Reader<'_>) -> Result<Vec<HeaderField>, Error> {
    let len = r.u16("header length")?;
    let header_at = r.pos;
    r.take(usize::from(len), "header")?;
    // The fields are read over the file cut at the header's end, so that they
    // cannot run past it and their offsets stay file offsets.
    let mut h = Reader {
        buf: r.buf.get(..r.pos).ok_or(Error::Truncated {
            offset: header_at,
            what: "header",
        })?,
        pos: header_at,
    };
    let mut fields = Vec::new();
    while !h.at_end() {
        let tag = h.u16("header field tag")?;
        let len_at = h.pos;
        let len = h.u16("header field length")?;
        let value = h.take(usize::from(len), "header field")?.to_vec();
        if tag == TAG_KDC_OFFSET && value.len() != KDC_OFFSET_LEN {
            return Err(Error::Malformed {
                offset: len_at,
                what: "KDC time offset length (must be 8)",
            });
        }
        fields.push(HeaderField { tag, value });
    }
    Ok(fields)
}

fn read_principal(r: &mut Reader<'_>) -> Result<Principal, Error> {
    let name_type = r.i32("principal name type")?;
    let count = r.u32("principal component count")?;
    let realm = r.data("principal realm")?.to_vec();
    // No capacity from the count: a huge count fails at the first missing
    // component instead of allocating.
    let mut components = Vec::new();
    for _ in 0..count {
        components.push(r.data("principal component")?.to_vec());
    }
    Ok(Principal {
        realm,
        components,
        name_type,
    })
}

fn read_credential(r: &mut Reader<'_>, version: u16) -> Result<Credential, Error> {
    let client = read_principal(r)?;
    let server = read_principal(r)?;
    let enctype = i32::from(r.i16("key enctype")?);
    if version == VERSION_3 {
        // MIT writes the enctype twice in version 3 and reads the second as
        // padding; Heimdal has written other values there, so it is not checked.
        r.i16("repeated key enctype")?;
    }
    let key = Zeroizing::new(r.data("key")?.to_vec());
    let times = Times {
        authtime: r.u32("authtime")?,
        starttime: r.u32("starttime")?,
        endtime: r.u32("endtime")?,
        renew_till: r.u32("renew_till")?,
    };
    let skey_at = r.pos;
    let is_skey = match r.u8("is_skey")? {
        0 => false,
        1 => true,
        _ => {
            return Err(Error::Malformed {
                offset: skey_at,
                what: "is_skey (must be 0 or 1)",
            })
        }
    };
    let ticket_flags = r.u32("ticket flags")?;
    let mut addresses = Vec::new();
    for _ in 0..r.u32("address count")? {
        addresses.push(Address {
            addr_type: r.u16("address type")?,
            data: r.data("address")?.to_vec(),
        });
    }
    let mut authdata = Vec::new();
    for _ in 0..r.u32("authdata count")? {
        authdata.push(AuthData {
            ad_type: r.u16("authdata type")?,
            data: r.data("authdata")?.to_vec(),
        });
    }
    let ticket = r.data("ticket")?.to_vec();
    let second_ticket = r.data("second ticket")?.to_vec();
    Ok(Credential {
        client,
        server,
        enctype,
        key,
        times,
        is_skey,
        ticket_flags,
        addresses,
        authdata,
        ticket,
        second_ticket,
    })
}

fn put_u16_len(out: &mut Vec<u8>, len: usize, what: &'static str) -> Result<(), Error> {
    let len = u16::try_from(len).map_err(|_| Error::TooLarge { what })?;
    out.extend_from_slice(&len.to_be_bytes());
    Ok(())
}

fn put_u32_len(out: &mut Vec<u8>, len: usize, what: &'static str) -> Result<(), Error> {
    let len = u32::try_from(len).map_err(|_| Error::TooLarge { what })?;
    out.extend_from_slice(&len.to_be_bytes());
    Ok(())
}

fn put_data(out: &mut Vec<u8>, data: &[u8], what: &'static str) -> Result<(), Error> {
    put_u32_len(out, data.len(), what)?;
    out.extend_from_slice(data);
    Ok(())
}

fn put_principal(out: &mut Vec<u8>, p: &Principal) -> Result<(), Error> {
    out.extend_from_slice(&p.name_type.to_be_bytes());
    put_u32_len(out, p.components.len(), "number of principal components")?;
    put_data(out, &p.realm, "realm")?;
    for c in &p.components {
        put_data(out, c, "principal component")?;
    }
    Ok(())
}

fn put_credential(out: &mut Vec<u8>, c: &Credential, version: u16) -> Result<(), Error> {
    put_principal(out, &c.client)?;
    put_principal(out, &c.server)?;
    let enctype = i16::try_from(c.enctype).map_err(|_| Error::TooLarge { what: "enctype" })?;
    out.extend_from_slice(&enctype.to_be_bytes());
    if version == VERSION_3 {
        out.extend_from_slice(&enctype.to_be_bytes());
    }
    put_data(out, &c.key, "key")?;
    for t in [
        c.times.authtime,
        c.times.starttime,
        c.times.endtime,
        c.times.renew_till,
    ] {
        out.extend_from_slice(&t.to_be_bytes());
    }
    out.push(u8::from(c.is_skey));
    out.extend_from_slice(&c.ticket_flags.to_be_bytes());
    put_u32_len(out, c.addresses.len(), "number of addresses")?;
    for a in &c.addresses {
        out.extend_from_slice(&a.addr_type.to_be_bytes());
        put_data(out, &a.data, "address")?;
    }
    put_u32_len(out, c.authdata.len(), "number of authdata elements")?;
    for a in &c.authdata {
        out.extend_from_slice(&a.ad_type.to_be_bytes());
        put_data(out, &a.data, "authdata")?;
    }
    put_data(out, &c.ticket, "ticket")?;
    put_data(out, &c.second_ticket, "second ticket")
}

/// Writes `bytes` to a fresh sibling of `path` and renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let mut attempts = 0u32;
    let (tmp, mut file) = loop {
        let mut name = path.as_os_str().to_owned();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        name.push(format!(".tmp{}.{n}", std::process::id()));
        let tmp = PathBuf::from(name);
        let mut opts = fs::OpenOptions::new();
        // create_new (O_EXCL): caches live in /tmp, where another user could
        // have planted a symlink at the temporary name.
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        match opts.open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 16 => {
                attempts = attempts.saturating_add(1);
            }
            Err(e) => return Err(e),
        }
    };
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A bounded big-endian cursor over the whole file; offsets in errors are file
/// offsets.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end).map(|s| (s, end))) {
            Some((s, end)) => {
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::Truncated {
                offset: self.pos,
                what,
            }),
        }
    }

    fn raw<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Error> {
        let at = self.pos;
        self.take(N, what)?
            .try_into()
            .map_err(|_| Error::Truncated { offset: at, what })
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(u8::from_be_bytes(self.raw::<1>(what)?))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.raw::<2>(what)?))
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, Error> {
        Ok(i16::from_be_bytes(self.raw::<2>(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        Ok(u32::from_be_bytes(self.raw::<4>(what)?))
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, Error> {
        Ok(i32::from_be_bytes(self.raw::<4>(what)?))
    }

    fn data(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let at = self.pos;
        let len = self.u32(what)?;
        let len = usize::try_from(len).map_err(|_| Error::Truncated { offset: at, what })?;
        self.take(len, what)
            .map_err(|_| Error::Truncated { offset: at, what })
    }
}

/// The cache name in force: `KRB5CCNAME`, else MIT's built-in default
/// `FILE:/tmp/krb5cc_<uid>` with the real uid. Unlike MIT, `default_ccache_name`
/// in krb5.conf is not consulted.
pub fn default_name() -> Result<String, Error> {
    if let Some(name) = std::env::var("KRB5CCNAME").ok().filter(|n| !n.is_empty()) {
        return Ok(name);
    }
    let uid = current_uid()?;
    Ok(format!("FILE:{DEFAULT_CCACHE_DIR}/krb5cc_{uid}"))
}

/// The file a cache name refers to, as MIT's `krb5_cc_resolve` splits it: the
/// type is what precedes the first `:`, a name without `:` is a file, and so is
/// one whose "type" is a single letter (MIT takes it for a drive letter, on every
/// system). Only `FILE:` is supported; `KEYRING:`, `KCM:`, `DIR:`, `MEMORY:`, `API:`
/// and any other type are refused.
pub fn resolve_name(name: &str) -> Result<PathBuf, Error> {
    let bad = || Error::BadName {
        name: name.to_owned(),
    };
    match name.split_once(':') {
        None if name.is_empty() => Err(bad()),
        None => Ok(PathBuf::from(name)),
        Some((kind, _)) if kind.len() == 1 && kind.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Ok(PathBuf::from(name))
        }
        Some(("FILE", "")) => Err(bad()),
        Some(("FILE", path)) => Ok(PathBuf::from(path)),
        Some((kind, _)) => Err(Error::UnsupportedType {
            name: name.to_owned(),
            kind: kind.to_owned(),
        }),
    }
}

/// The default cache's path, honouring `KRB5CCNAME`.
pub fn default_path() -> Result<PathBuf, Error> {
    resolve_name(&default_name()?)
}

/// The real uid (what MIT's `%{uid}` expands to), from `/proc/self/status`, which
/// std can read without libc.
fn current_uid() -> Result<u32, Error> {
    let status = fs::read_to_string("/proc/self/status").map_err(|e| Error::NoDefault {
        why: format!("cannot read /proc/self/status for the uid: {e}"),
    })?;
    uid_from_status(&status).ok_or_else(|| Error::NoDefault {
        why: "no Uid line in /proc/self/status".to_owned(),
    })
}

fn uid_from_status(status: &str) -> Option<u32> {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keytab::{NT_SRV_HST, NT_SRV_INST};

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The first bytes of a cache MIT krb5 1.20's `kinit` wrote on this machine
    /// (`kinit alice`, realm of tests/interop/mit-realm.sh): the version, a header
    /// holding a zero KDC offset, and the default principal alice@AUTHCORE.TEST.
    const MIT_V4_START: &str = "0504000c00010008000000000000000000000001000000010000000d\
        41555448434f52452e5445535400000005616c696365";
    /// The credential that followed: the `fast_avail` configuration entry for
    /// krbtgt/AUTHCORE.TEST@AUTHCORE.TEST with value "yes".
    const MIT_FAST_AVAIL: &str =
        "00000001000000010000000d41555448434f52452e5445535400000005616c696365000000010000\
        00030000000c582d4341434845434f4e463a000000156b7262355f6363616368655f636f6e665f64\
        6174610000000a666173745f617661696c000000226b72627467742f41555448434f52452e544553\
        544041555448434f52452e5445535400000000000000000000000000000000000000000000000000\
        000000000000000000000000000379657300000000";

    fn be32(v: u32) -> [u8; 4] {
        v.to_be_bytes()
    }

    /// `data` of the grammar: a 32-bit length, then the bytes.
    fn data(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&be32(bytes.len() as u32));
        out.extend_from_slice(bytes);
    }

    fn principal(out: &mut Vec<u8>, name_type: u32, realm: &str, comps: &[&str]) {
        out.extend_from_slice(&be32(name_type));
        out.extend_from_slice(&be32(comps.len() as u32));
        data(out, realm.as_bytes());
        for c in comps {
            data(out, c.as_bytes());
        }
    }

    /// One ticket credential written out by hand from MIT's "Credential cache
    /// file format" grammar, with an address, an authdata element and a second
    /// ticket, so that every field is exercised.
    fn hand_written_cred(version: u16) -> Vec<u8> {
        let mut c = Vec::new();
        principal(&mut c, 1, "R", &["alice"]);
        principal(&mut c, 3, "R", &["host", "h"]);
        c.extend_from_slice(&[0x00, 0x12]); // aes256-cts-hmac-sha1-96
        if version == VERSION_3 {
            c.extend_from_slice(&[0x00, 0x12]);
        }
        data(&mut c, &[0x5a; 32]);
        for t in [1_700_000_000u32, 1_700_000_100, 1_700_036_000, 0xffff_fff0] {
            c.extend_from_slice(&be32(t));
        }
        c.push(1); // is_skey
        c.extend_from_slice(&be32(0x50a0_0000)); // forwardable proxiable renewable pre-authent
        c.extend_from_slice(&be32(1));
        c.extend_from_slice(&[0x00, 0x02]); // ADDRTYPE_INET
        data(&mut c, &[127, 0, 0, 1]);
        c.extend_from_slice(&be32(1));
        c.extend_from_slice(&[0x00, 0x80]); // AD-WIN2K-PAC
        data(&mut c, b"pac");
        data(&mut c, b"\x61\x03ticket");
        data(&mut c, b"second");
        c
    }

    fn hand_written(version: u16) -> Vec<u8> {
        let mut f = version.to_be_bytes().to_vec();
        if version == VERSION_4 {
            let mut h = Vec::new();
            h.extend_from_slice(&[0x00, 0x01, 0x00, 0x08]);
            h.extend_from_slice(&(-5i32).to_be_bytes());
            h.extend_from_slice(&be32(7));
            h.extend_from_slice(&[0x12, 0x34, 0x00, 0x02, 0xaa, 0xbb]); // unknown tag
            f.extend_from_slice(&(h.len() as u16).to_be_bytes());
            f.extend_from_slice(&h);
        }
        principal(&mut f, 1, "R", &["alice"]);
        f.extend_from_slice(&hand_written_cred(version));
        f
    }

    fn check_hand_written(cc: &Ccache, version: u16) {
        assert_eq!(cc.version(), version);
        assert_eq!(cc.default_principal().to_string(), "alice@R");
        assert_eq!(cc.credentials().len(), 1);
        let c = &cc.credentials()[0];
        assert_eq!(c.client.to_string(), "alice@R");
        assert_eq!(c.server.to_string(), "host/h@R");
        assert_eq!(c.server.name_type, NT_SRV_HST);
        assert_eq!(c.enctype, 18);
        assert_eq!(c.key_bytes(), &[0x5a; 32]);
        assert_eq!(
            c.times,
            Times {
                authtime: 1_700_000_000,
                starttime: 1_700_000_100,
                endtime: 1_700_036_000,
                renew_till: 0xffff_fff0,
            }
        );
        assert!(c.is_skey);
        assert_eq!(c.ticket_flags, 0x50a0_0000);
        assert_eq!(
            c.addresses,
            vec![Address {
                addr_type: 2,
                data: vec![127, 0, 0, 1]
            }]
        );
        assert_eq!(
            c.authdata,
            vec![AuthData {
                ad_type: 0x80,
                data: b"pac".to_vec()
            }]
        );
        assert_eq!(c.ticket, b"\x61\x03ticket");
        assert_eq!(c.second_ticket, b"second");
        assert!(!c.is_config());
    }

    #[test]
    fn parses_and_rewrites_hand_written_v4() {
        let f = hand_written(VERSION_4);
        let cc = Ccache::parse(&f).unwrap();
        check_hand_written(&cc, VERSION_4);
        assert_eq!(
            cc.kdc_offset(),
            Some(KdcOffset {
                seconds: -5,
                microseconds: 7
            })
        );
        assert_eq!(cc.header_fields().len(), 2);
        assert_eq!(
            cc.header_fields()[1],
            HeaderField {
                tag: 0x1234,
                value: vec![0xaa, 0xbb]
            }
        );
        assert_eq!(*cc.to_bytes().unwrap(), f);
    }

    #[test]
    fn parses_and_rewrites_hand_written_v3() {
        let f = hand_written(VERSION_3);
        let cc = Ccache::parse(&f).unwrap();
        check_hand_written(&cc, VERSION_3);
        assert!(cc.header_fields().is_empty());
        assert_eq!(cc.kdc_offset(), None);
        assert_eq!(*cc.to_bytes().unwrap(), f);
    }

    #[test]
    fn v3_ignores_the_repeated_enctype() {
        let mut f = hand_written(VERSION_3);
        let at = 2 + (4 + 4 + 5 + 9) + (4 + 4 + 5 + 9) + (4 + 4 + 5 + 8 + 5) + 2;
        assert_eq!(&f[at - 2..at + 2], &[0, 0x12, 0, 0x12]);
        f[at + 1] = 0;
        let cc = Ccache::parse(&f).unwrap();
        assert_eq!(cc.credentials()[0].enctype, 18);
    }

    #[test]
    fn converts_between_versions() {
        let mut cc = Ccache::parse(&hand_written(VERSION_4)).unwrap();
        cc.set_version(VERSION_3).unwrap();
        let v3 = cc.to_bytes().unwrap();
        assert_eq!(*v3, hand_written(VERSION_3), "v3 drops the header");
        let mut back = Ccache::parse(&v3).unwrap();
        back.set_version(VERSION_4).unwrap();
        assert_eq!(back.credentials(), cc.credentials());
        for bad in [0x0501, 0x0502, 0x0505, 0] {
            assert!(matches!(
                cc.set_version(bad),
                Err(Error::UnsupportedVersion { version }) if version == bad
            ));
        }
    }

    #[test]
    fn mit_config_entry_round_trips_and_is_reproduced() {
        let mut f = unhex(MIT_V4_START);
        f.extend_from_slice(&unhex(MIT_FAST_AVAIL));
        let cc = Ccache::parse(&f).unwrap();
        assert_eq!(cc.kdc_offset(), Some(KdcOffset::default()));
        assert_eq!(cc.default_principal().to_string(), "alice@AUTHCORE.TEST");
        let conf = &cc.credentials()[0];
        assert!(conf.is_config());
        assert_eq!(cc.tickets().count(), 0);
        let tgt = Principal::parse("krbtgt/AUTHCORE.TEST@AUTHCORE.TEST").unwrap();
        assert_eq!(cc.config("fast_avail", Some(&tgt)), Some(&b"yes"[..]));
        assert_eq!(cc.config("fast_avail", None), None);
        assert_eq!(cc.config("pa_type", Some(&tgt)), None);
        assert_eq!(*cc.to_bytes().unwrap(), f);

        let made = Credential::config(
            cc.default_principal().clone(),
            "fast_avail",
            Some(&tgt),
            b"yes",
        );
        assert_eq!(&made, conf);
    }

    #[test]
    fn rejects_other_versions() {
        for (bad, want_version) in [
            ([0x05, 0x01], Some(0x0501)),
            ([0x05, 0x02], Some(0x0502)),
            ([0x05, 0x05], Some(0x0505)),
            ([0x04, 0x04], None),
            ([0x00, 0x00], None),
        ] {
            match (Ccache::parse(&bad), want_version) {
                (Err(Error::UnsupportedVersion { version }), Some(v)) => assert_eq!(version, v),
                (Err(Error::NotCcache { found }), None) => assert_eq!(found, bad),
                (other, _) => panic!("{bad:?}: {other:?}"),
            }
        }
        for short in [&[][..], &[5]] {
            assert!(matches!(
                Ccache::parse(short),
                Err(Error::Truncated {
                    offset: 0,
                    what: "version"
                })
            ));
        }
        let msg = Ccache::parse(&[5, 1]).unwrap_err().to_string();
        assert!(msg.contains("0x0501"), "{msg}");
    }

    /// File lengths at which a cache may end: after the default principal and
    /// after each credential.
    fn boundaries(cc: &Ccache) -> Vec<usize> {
        let mut partial = Ccache {
            credentials: Vec::new(),
            ..cc.clone()
        };
        let mut out = vec![partial.to_bytes().unwrap().len()];
        for c in cc.credentials() {
            partial.add(c.clone());
            out.push(partial.to_bytes().unwrap().len());
        }
        out
    }

    #[test]
    fn every_truncation_is_an_error_or_a_credential_boundary() {
        for version in [VERSION_4, VERSION_3] {
            let mut cc = Ccache::parse(&hand_written(version)).unwrap();
            cc.add(Credential::config(
                cc.default_principal().clone(),
                "pa_type",
                None,
                b"2",
            ));
            let bytes = cc.to_bytes().unwrap();
            let ends = boundaries(&cc);
            assert_eq!(*ends.last().unwrap(), bytes.len());
            for cut in 0..bytes.len() {
                let r = Ccache::parse(&bytes[..cut]);
                if ends.contains(&cut) {
                    let parsed = r.unwrap_or_else(|e| panic!("cut at boundary {cut}: {e}"));
                    assert_eq!(
                        parsed.credentials().len(),
                        ends.iter().position(|&e| e == cut).unwrap()
                    );
                } else {
                    assert!(
                        matches!(r, Err(Error::Truncated { .. })),
                        "v{version:x} cut at {cut}: {r:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn header_must_hold_its_fields() {
        // A header field running past the header (but not past the file).
        let mut f = hand_written(VERSION_4);
        f[2..4].copy_from_slice(&10u16.to_be_bytes());
        assert!(matches!(
            Ccache::parse(&f),
            Err(Error::Truncated {
                what: "header field",
                offset: 8
            })
        ));
        // A KDC offset of the wrong length.
        let mut f = vec![0x05, 0x04, 0x00, 0x08, 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0];
        principal(&mut f, 1, "R", &["a"]);
        assert!(matches!(
            Ccache::parse(&f),
            Err(Error::Malformed { offset: 6, .. })
        ));
        // A header length past the file.
        assert!(matches!(
            Ccache::parse(&[0x05, 0x04, 0xff, 0xff, 0, 1]),
            Err(Error::Truncated {
                what: "header",
                offset: 4
            })
        ));
        // An empty header is fine.
        let mut f = vec![0x05, 0x04, 0x00, 0x00];
        principal(&mut f, 1, "R", &["a"]);
        let cc = Ccache::parse(&f).unwrap();
        assert!(cc.header_fields().is_empty());
        assert_eq!(*cc.to_bytes().unwrap(), f);
    }

    #[test]
    fn impossible_values_are_errors() {
        let base = hand_written(VERSION_4);
        // Sizes in hand_written(): version and header, principals, keyblock, times.
        let header_len = 2 + 2 + (4 + 8) + (4 + 2);
        let alice = 4 + 4 + (4 + 1) + (4 + 5);
        let host_h = 4 + 4 + (4 + 1) + (4 + 4) + (4 + 1);
        let cred_at = header_len + alice;
        // is_skey other than 0 or 1.
        let skey_at = cred_at + alice + host_h + (2 + 4 + 32) + 16;
        let mut f = base.clone();
        assert_eq!(f[skey_at], 1);
        f[skey_at] = 2;
        assert!(matches!(
            Ccache::parse(&f),
            Err(Error::Malformed { offset, .. }) if offset == skey_at
        ));
        // Counts and lengths far past the file fail at the first missing item.
        let comp_count_at = header_len + 4;
        let mut f = base.clone();
        f[comp_count_at..comp_count_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(Ccache::parse(&f), Err(Error::Truncated { .. })));
        let realm_len_at = comp_count_at + 4;
        let mut f = base.clone();
        f[realm_len_at..realm_len_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            Ccache::parse(&f),
            Err(Error::Truncated {
                what: "principal realm",
                offset
            }) if offset == realm_len_at
        ));
        let addr_count_at = skey_at + 1 + 4;
        let mut f = base;
        f[addr_count_at..addr_count_at + 4].copy_from_slice(&0x8000_0000u32.to_be_bytes());
        assert!(matches!(Ccache::parse(&f), Err(Error::Truncated { .. })));
    }

    fn xorshift(x: &mut u32) -> u32 {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        *x
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut x: u32 = 0x1234_5678;
        for _ in 0..3000 {
            let len = xorshift(&mut x) % 96;
            let mut f = vec![5, 4];
            for _ in 0..len {
                // Mostly small values, so lengths and counts are often plausible.
                f.push((xorshift(&mut x) % 9) as u8);
            }
            let _ = Ccache::parse(&f);
            f[1] = 3;
            let _ = Ccache::parse(&f);
        }
    }

    #[test]
    fn mutated_files_never_panic_and_reencode_when_they_parse() {
        let mut x: u32 = 0x9e37_79b9;
        for version in [VERSION_4, VERSION_3] {
            let good = hand_written(version);
            for _ in 0..3000 {
                let mut f = good.clone();
                for _ in 0..(1 + xorshift(&mut x) % 3) {
                    let at = xorshift(&mut x) as usize % f.len();
                    f[at] = xorshift(&mut x) as u8;
                }
                if let Ok(cc) = Ccache::parse(&f) {
                    // Whatever parses re-encodes to something that parses the same.
                    let again = Ccache::parse(&cc.to_bytes().unwrap()).unwrap();
                    assert_eq!(again, cc);
                }
            }
        }
    }

    #[test]
    fn writer_rejects_what_the_format_cannot_hold() {
        let p = Principal::new("R", &["a"], NT_PRINCIPAL);
        let mut cc = Ccache::new(p.clone());
        cc.add(Credential::new(
            p.clone(),
            p.clone(),
            0x8000,
            &[0; 16],
            Times::default(),
            0,
            Vec::new(),
        ));
        assert!(matches!(
            cc.to_bytes(),
            Err(Error::TooLarge { what: "enctype" })
        ));
        let mut cc = Ccache::new(p);
        cc.header.push(HeaderField {
            tag: 9,
            value: vec![0; 0x1_0000],
        });
        assert!(matches!(
            cc.to_bytes(),
            Err(Error::TooLarge {
                what: "header field"
            })
        ));
        cc.header = vec![
            HeaderField {
                tag: 9,
                value: vec![0; 0x8000],
            };
            2
        ];
        assert!(matches!(
            cc.to_bytes(),
            Err(Error::TooLarge { what: "header" })
        ));
    }

    #[test]
    fn kdc_offset_is_set_replaced_and_removed() {
        let mut cc = Ccache::new(Principal::new("R", &["a"], NT_PRINCIPAL));
        assert_eq!(cc.kdc_offset(), None);
        let bare = cc.to_bytes().unwrap();
        assert_eq!(&bare[..4], &[0x05, 0x04, 0x00, 0x00]);
        let off = KdcOffset {
            seconds: -3600,
            microseconds: 999_999,
        };
        cc.set_kdc_offset(Some(off));
        cc.set_kdc_offset(Some(off));
        assert_eq!(cc.header_fields().len(), 1);
        let bytes = cc.to_bytes().unwrap();
        assert_eq!(&bytes[..16], &unhex("0504000c00010008fffff1f0000f423f")[..]);
        assert_eq!(Ccache::parse(&bytes).unwrap().kdc_offset(), Some(off));
        cc.set_kdc_offset(None);
        assert_eq!(*cc.to_bytes().unwrap(), *bare);
    }

    fn ticket(server: &Principal, start: u32, end: u32, marker: u8) -> Credential {
        let client = Principal::new("R", &["alice"], NT_PRINCIPAL);
        let times = Times {
            authtime: start,
            starttime: 0,
            endtime: end,
            renew_till: 0,
        };
        Credential::new(
            client,
            server.clone(),
            17,
            &[marker; 16],
            times,
            0,
            vec![marker],
        )
    }

    #[test]
    fn find_prefers_the_newest_current_ticket() {
        let svc = Principal::new("R", &["host", "h"], NT_SRV_HST);
        let other = Principal::new("R", &["host", "g"], NT_SRV_HST);
        let mut cc = Ccache::new(Principal::new("R", &["alice"], NT_PRINCIPAL));
        assert!(cc.find_at(&svc, 100).is_none());
        cc.add(ticket(&svc, 100, 200, 1));
        cc.add(ticket(&svc, 150, 400, 2));
        cc.add(ticket(&svc, 120, 1000, 3));
        cc.add(ticket(&other, 500, 900, 4));
        // A configuration entry naming the service is never a ticket for it.
        cc.add(Credential::config(
            cc.default_principal().clone(),
            "pa_type",
            Some(&svc),
            b"2",
        ));
        let at = |cc: &Ccache, now| cc.find_at(&svc, now).map(|c| c.ticket[0]);
        assert_eq!(at(&cc, 160), Some(2), "newest start among the current");
        assert_eq!(at(&cc, 130), Some(3), "ticket 2 has not started yet");
        assert_eq!(at(&cc, 500), Some(3));
        assert_eq!(at(&cc, 1000), Some(2), "all expired: the newest one");
        assert_eq!(at(&cc, 50), Some(2), "none started yet: the newest one");
        assert!(!cc.find_at(&svc, 1000).unwrap().is_current_at(1000));
        // Name types differ between requesters; only the name counts.
        let mut as_principal = svc.clone();
        as_principal.name_type = NT_PRINCIPAL;
        assert_eq!(cc.find_at(&as_principal, 160).unwrap().ticket[0], 2);
        assert!(cc
            .find_at(&Principal::new("S", &["host", "h"], NT_SRV_HST), 160)
            .is_none());
        // Same times: the later in the file wins.
        cc.add(ticket(&svc, 150, 400, 5));
        assert_eq!(at(&cc, 160), Some(5));
        cc.retain(|c| c.ticket != [5]);
        assert_eq!(at(&cc, 160), Some(2));
        assert_eq!(cc.tickets().count(), 4);
        assert_eq!(cc.credentials().len(), 5);
    }

    #[test]
    fn find_uses_the_system_clock() {
        let svc = Principal::new("R", &["krbtgt", "R"], NT_SRV_INST);
        let now = u32::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let mut cc = Ccache::new(Principal::new("R", &["alice"], NT_PRINCIPAL));
        cc.add(ticket(&svc, now - 100, now + 3600, 1));
        cc.add(ticket(&svc, now + 1800, now + 7200, 2));
        assert_eq!(cc.find(&svc).unwrap().ticket, [1]);
        // With the KDC an hour ahead, the second ticket has started.
        cc.set_kdc_offset(Some(KdcOffset {
            seconds: 3600,
            microseconds: 0,
        }));
        assert_eq!(cc.find(&svc).unwrap().ticket, [2]);
    }

    #[test]
    fn session_key_as_authcore_key() {
        let cc = Ccache::parse(&hand_written(VERSION_4)).unwrap();
        let c = &cc.credentials()[0];
        let key = c.key().unwrap();
        assert_eq!(key.etype(), authcore::crypto::Etype::Aes256CtsHmacSha196);
        assert_eq!(key.as_bytes(), &[0x5a; 32]);
        let mut wrong_len = c.clone();
        wrong_len.enctype = 17;
        assert!(wrong_len.key().is_err());
        let mut unknown = c.clone();
        unknown.enctype = 0;
        assert!(unknown.key().is_err());
    }

    #[test]
    fn debug_hides_the_key() {
        let cc = Ccache::parse(&hand_written(VERSION_4)).unwrap();
        let s = format!("{cc:?}");
        assert!(s.contains("key_len: 32"), "{s}");
        // The key is 32 bytes of 0x5a: neither as decimal list nor as hex.
        assert!(
            !s.contains("90, 90") && !s.to_lowercase().contains("5a5a"),
            "{s}"
        );
    }

    #[test]
    fn cache_names() {
        let ok = |name: &str, path: &str| {
            assert_eq!(resolve_name(name).unwrap(), PathBuf::from(path), "{name}");
        };
        ok("FILE:/tmp/krb5cc_1000", "/tmp/krb5cc_1000");
        ok("FILE:rel/cc", "rel/cc");
        ok("/tmp/krb5cc_1000", "/tmp/krb5cc_1000");
        ok("FILE:/tmp/a:b", "/tmp/a:b");
        ok("C:/cache", "C:/cache");
        for (name, kind) in [
            ("KEYRING:persistent:1000", "KEYRING"),
            ("KCM:1000", "KCM"),
            ("DIR:/run/user/1000/krb5cc", "DIR"),
            ("MEMORY:x", "MEMORY"),
            ("API:", "API"),
            ("file:/tmp/x", "file"),
            // MIT takes everything before the first colon for the type.
            ("/tmp/a:b", "/tmp/a"),
        ] {
            match resolve_name(name) {
                Err(e @ Error::UnsupportedType { .. }) => {
                    let msg = e.to_string();
                    assert!(msg.contains(&format!("type {kind}:")), "{msg}");
                    assert!(msg.contains("FILE:"), "{msg}");
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        for bad in ["", "FILE:"] {
            assert!(
                matches!(resolve_name(bad), Err(Error::BadName { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn uid_comes_from_proc_status() {
        let status = "Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t1000\t1000\nGid:\t5\t5\t5\t5\n";
        assert_eq!(uid_from_status(status), Some(1000), "the real uid");
        assert_eq!(uid_from_status("Name:\tx\n"), None);
        assert_eq!(uid_from_status("Uid:\tnope\n"), None);
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            // A new file belongs to the effective uid, which is the real one here
            // (tests do not run setuid).
            let dir = std::env::temp_dir().join(format!("authcore-cc-uid-{}", std::process::id()));
            fs::create_dir_all(&dir).unwrap();
            let owner = fs::metadata(&dir).unwrap().uid();
            fs::remove_dir_all(&dir).unwrap();
            assert_eq!(current_uid().unwrap(), owner);
        }
    }

    #[test]
    fn file_round_trip_is_private_and_atomic() {
        let dir = std::env::temp_dir().join(format!("authcore-cc-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("krb5cc_test");
        fs::write(&path, b"old contents").unwrap();
        let cc = Ccache::parse(&hand_written(VERSION_4)).unwrap();
        cc.write(&path).unwrap();
        assert_eq!(Ccache::read(&path).unwrap(), cc);
        assert_eq!(fs::read(&path).unwrap(), hand_written(VERSION_4));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("krb5cc_test")],
            "no temporary left"
        );
        assert!(matches!(
            Ccache::read(&dir.join("missing")),
            Err(Error::Io { .. })
        ));
        assert!(matches!(
            cc.write(&dir.join("no-such-dir").join("cc")),
            Err(Error::Io { .. })
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
