//! MIT keytab files (the `FILE:` keytab type).
//!
//! Layout, as MIT documents it ("Keytab file format", krb5 1.14+):
//!
//! ```text
//! file    ::= 0x05 version(1 or 2) record*
//! record  ::= length(i32) ( entry padded to length  if length > 0
//!                         | zero bytes (a hole)     if length < 0
//!                         | end of file             if length = 0 )
//! entry   ::= count(u16) realm(data) component(data)*  name_type(u32)
//!             timestamp(u32) kvno8(u8) enctype(u16) key(data) [kvno32(u32)]
//! data    ::= length(u16) bytes
//! ```
//!
//! Version 2 (0x502) is big-endian; version 1 (0x501) uses the writing host's
//! byte order (read here as this host's, as MIT does), its count includes the
//! realm, and it has no name type. The optional 32-bit kvno overrides the 8-bit
//! one when at least four bytes remain in the record and it is non-zero; what
//! follows it (Heimdal writes flags there) is ignored.
//!
//! Everything is read strictly: a length that points past its record or the file
//! is an error, never a short read.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::{Zeroize, Zeroizing};

/// MIT's default keytab when `KRB5_KTNAME` is unset.
pub const DEFAULT_KEYTAB: &str = "/etc/krb5.keytab";

/// `KRB5_NT_UNKNOWN`: the name type version 1 files imply.
pub const NT_UNKNOWN: i32 = 0;
/// `KRB5_NT_PRINCIPAL`: a user or a generic principal.
pub const NT_PRINCIPAL: i32 = 1;
/// `KRB5_NT_SRV_INST`: a service with an instance (`krbtgt/REALM`).
pub const NT_SRV_INST: i32 = 2;
/// `KRB5_NT_SRV_HST`: a host-based service (`service/host`).
pub const NT_SRV_HST: i32 = 3;

const VERSION_1: u8 = 1;
const VERSION_2: u8 = 2;

/// What went wrong reading or writing a keytab.
#[derive(Debug)]
pub enum Error {
    /// The file could not be read or written.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The first two bytes are not 0x05 0x01 or 0x05 0x02.
    BadVersion { found: [u8; 2] },
    /// The file ends inside the named field, which starts at `offset`.
    Truncated { offset: usize, what: &'static str },
    /// The named field at `offset` holds an impossible value.
    Malformed { offset: usize, what: &'static str },
    /// A value does not fit its field in the file format (writing).
    TooLarge { what: &'static str },
    /// A keytab name of a type other than `FILE:`/`WRFILE:` (e.g. `MEMORY:`).
    UnsupportedName { name: String },
    /// A principal name that does not parse (`comp/comp@REALM`).
    BadPrincipal { name: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "keytab {}: {source}", path.display()),
            Error::BadVersion { found } => write!(
                f,
                "not an MIT keytab: version bytes {:02x} {:02x} (expected 05 01 or 05 02)",
                found[0], found[1]
            ),
            Error::Truncated { offset, what } => {
                write!(f, "keytab truncated in {what} at byte {offset}")
            }
            Error::Malformed { offset, what } => {
                write!(f, "malformed keytab: {what} at byte {offset}")
            }
            Error::TooLarge { what } => write!(f, "cannot write keytab: {what} too large"),
            Error::UnsupportedName { name } => {
                write!(f, "unsupported keytab name '{name}' (only FILE: keytabs)")
            }
            Error::BadPrincipal { name } => write!(f, "bad principal name '{name}'"),
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
                crate::Error::io(format!("keytab {}", path.display()), source)
            }
            other => crate::Error::Format(other.to_string()),
        }
    }
}

/// A principal as a keytab stores it: raw bytes, no character set assumed.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    pub realm: Vec<u8>,
    pub components: Vec<Vec<u8>>,
    pub name_type: i32,
}

impl Principal {
    /// A principal from its parts.
    pub fn new(realm: &str, components: &[&str], name_type: i32) -> Principal {
        Principal {
            realm: realm.as_bytes().to_vec(),
            components: components.iter().map(|c| c.as_bytes().to_vec()).collect(),
            name_type,
        }
    }

    /// Parses `comp[/comp…]@REALM` (backslash escapes `/`, `@` and `\`), with the
    /// realm mandatory. The name type is `NT_PRINCIPAL`, like `kadmin` gives.
    pub fn parse(name: &str) -> Result<Principal, Error> {
        let bad = || Error::BadPrincipal {
            name: name.to_owned(),
        };
        // Unescaped characters, each marked whether it was escaped.
        let mut chars = Vec::new();
        let mut it = name.chars();
        while let Some(c) = it.next() {
            match c {
                '\\' => chars.push((it.next().ok_or_else(bad)?, true)),
                c => chars.push((c, false)),
            }
        }
        let at = chars
            .iter()
            .position(|&c| c == ('@', false))
            .ok_or_else(bad)?;
        let (name_part, realm_part) = chars.split_at(at);
        let text =
            |cs: &[(char, bool)]| cs.iter().map(|&(c, _)| c).collect::<String>().into_bytes();
        let realm_part = realm_part.get(1..).unwrap_or(&[]);
        if realm_part.is_empty()
            || realm_part
                .iter()
                .any(|&(c, esc)| !esc && matches!(c, '/' | '@'))
        {
            return Err(bad());
        }
        let components: Vec<Vec<u8>> = name_part.split(|&c| c == ('/', false)).map(text).collect();
        if components.iter().any(Vec::is_empty) {
            return Err(bad());
        }
        Ok(Principal {
            realm: text(realm_part),
            components,
            name_type: NT_PRINCIPAL,
        })
    }

    /// MIT's default salt for this principal: the realm, then every component,
    /// concatenated without separators (RFC 4120 section 4).
    pub fn default_salt(&self) -> Vec<u8> {
        let mut salt = self.realm.clone();
        for c in &self.components {
            salt.extend_from_slice(c);
        }
        salt
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn escaped(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
            for c in String::from_utf8_lossy(bytes).chars() {
                if matches!(c, '/' | '@' | '\\') {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            Ok(())
        }
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            escaped(f, c)?;
        }
        f.write_str("@")?;
        escaped(f, &self.realm)
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Principal({self}, type {})", self.name_type)
    }
}

/// One key of one principal. The key bytes are zeroized on drop and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub principal: Principal,
    /// Seconds since the Unix epoch when the key was written (unsigned, as MIT
    /// reads it since 1.17).
    pub timestamp: u32,
    pub kvno: u32,
    /// The Kerberos enctype number (RFC 3961 section 8).
    pub enctype: i32,
    key: Zeroizing<Vec<u8>>,
}

impl Entry {
    /// An entry from its parts; the key bytes are copied.
    pub fn new(principal: Principal, timestamp: u32, kvno: u32, enctype: i32, key: &[u8]) -> Entry {
        Entry {
            principal,
            timestamp,
            kvno,
            enctype,
            key: Zeroizing::new(key.to_vec()),
        }
    }

    /// The raw key bytes.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }

    /// The key as an authcore key; fails for enctypes this build does not support.
    pub fn to_key(&self) -> authcore::Result<authcore::crypto::Key> {
        let etype = authcore::crypto::Etype::from_i32(self.enctype)?;
        authcore::crypto::Key::from_bytes(etype, &self.key)
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("principal", &self.principal)
            .field("timestamp", &self.timestamp)
            .field("kvno", &self.kvno)
            .field("enctype", &self.enctype)
            .field("key_len", &self.key.len())
            .finish()
    }
}

/// The entries of a keytab file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keytab {
    pub entries: Vec<Entry>,
}

impl Keytab {
    /// Parses a whole keytab file (version 0x502 or 0x501).
    pub fn parse(bytes: &[u8]) -> Result<Keytab, Error> {
        let mut r = Reader {
            buf: bytes,
            pos: 0,
            big_endian: true,
        };
        let magic = r.take(2, "version")?;
        let version = match magic {
            [5, v @ (VERSION_1 | VERSION_2)] => *v,
            [a, b] => return Err(Error::BadVersion { found: [*a, *b] }),
            _ => {
                return Err(Error::Truncated {
                    offset: 0,
                    what: "version",
                })
            }
        };
        r.big_endian = version == VERSION_2;
        let mut entries = Vec::new();
        while !r.at_end() {
            let at = r.pos;
            let len = r.i32("record length")?;
            if len == 0 {
                break;
            }
            let size = usize::try_from(len.unsigned_abs()).map_err(|_| Error::Malformed {
                offset: at,
                what: "record length",
            })?;
            let body_at = r.pos;
            let body = r.take(size, "record")?;
            if len > 0 {
                let mut rec = Reader {
                    buf: body,
                    pos: 0,
                    big_endian: r.big_endian,
                };
                entries.push(parse_entry(&mut rec, version).map_err(|e| e.shifted(body_at))?);
            }
        }
        Ok(Keytab { entries })
    }

    /// Serializes as a version 0x502 file: one record per entry, no holes, each
    /// with the 32-bit kvno (as MIT writes since 1.14). The buffer is sized up
    /// front so that no reallocation leaves copies of keys behind.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut total = 2usize;
        for e in &self.entries {
            total = total.saturating_add(4).saturating_add(record_len(e));
        }
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(&[5, VERSION_2]);
        for e in &self.entries {
            let len =
                i32::try_from(record_len(e)).map_err(|_| Error::TooLarge { what: "entry" })?;
            let count =
                u16::try_from(e.principal.components.len()).map_err(|_| Error::TooLarge {
                    what: "number of principal components",
                })?;
            let enctype =
                i16::try_from(e.enctype).map_err(|_| Error::TooLarge { what: "enctype" })?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&count.to_be_bytes());
            put_data(&mut out, &e.principal.realm, "realm")?;
            for c in &e.principal.components {
                put_data(&mut out, c, "principal component")?;
            }
            out.extend_from_slice(&e.principal.name_type.to_be_bytes());
            out.extend_from_slice(&e.timestamp.to_be_bytes());
            // The 8-bit field keeps the low byte; readers take the full kvno
            // from the 32-bit field after the key.
            out.push(e.kvno.to_be_bytes()[3]);
            out.extend_from_slice(&enctype.to_be_bytes());
            if let Err(err) = put_data(&mut out, &e.key, "key") {
                out.zeroize();
                return Err(err);
            }
            out.extend_from_slice(&e.kvno.to_be_bytes());
        }
        Ok(out)
    }

    /// Reads and parses a keytab file.
    pub fn read(path: &Path) -> Result<Keytab, Error> {
        let bytes = Zeroizing::new(fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?);
        Keytab::parse(&bytes)
    }

    /// Writes the keytab to `path` (mode 0600), replacing it atomically.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let bytes = Zeroizing::new(self.to_bytes()?);
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut tmp_name = path.as_os_str().to_owned();
        tmp_name.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp_name);
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let result = opts
            .open(&tmp)
            .and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all()))
            .and_then(|()| fs::rename(&tmp, path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(io)
    }

    /// The entry for `principal` and `enctype`: of version `kvno`, or of the
    /// highest version when `kvno` is `None`.
    pub fn find(&self, principal: &Principal, enctype: i32, kvno: Option<u32>) -> Option<&Entry> {
        // Name types differ between writers (ktpass, kadmin): match by name only,
        // as MIT's krb5_kt_get_entry does.
        let candidates = self.entries.iter().filter(|e| {
            e.enctype == enctype
                && e.principal.realm == principal.realm
                && e.principal.components == principal.components
        });
        match kvno {
            Some(v) => candidates.into_iter().find(|e| e.kvno == v),
            None => candidates.max_by_key(|e| e.kvno),
        }
    }
}

/// Bytes of an entry's record after its length field.
fn record_len(e: &Entry) -> usize {
    let data = |d: &[u8]| d.len().saturating_add(2);
    let mut n = 2 + data(&e.principal.realm) + 4 + 4 + 1 + 2 + data(&e.key) + 4;
    for c in &e.principal.components {
        n = n.saturating_add(data(c));
    }
    n
}

fn put_data(out: &mut Vec<u8>, data: &[u8], what: &'static str) -> Result<(), Error> {
    let len = u16::try_from(data.len()).map_err(|_| Error::TooLarge { what })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    Ok(())
}

fn parse_entry(r: &mut Reader<'_>, version: u8) -> Result<Entry, Error> {
    let count_at = r.pos;
    let mut count = r.u16("component count")?;
    if version == VERSION_1 {
        count = count.checked_sub(1).ok_or(Error::Malformed {
            offset: count_at,
            what: "component count",
        })?;
    }
    let realm = r.data("realm")?.to_vec();
    let components = (0..count)
        .map(|_| r.data("principal component").map(<[u8]>::to_vec))
        .collect::<Result<Vec<_>, _>>()?;
    let name_type = if version == VERSION_1 {
        NT_UNKNOWN
    } else {
        r.i32("name type")?
    };
    let timestamp = r.u32("timestamp")?;
    let kvno8 = r.u8("kvno")?;
    let enctype = i32::from(r.i16("enctype")?);
    let key = Zeroizing::new(r.data("key")?.to_vec());
    let mut kvno = u32::from(kvno8);
    if r.remaining() >= 4 {
        let kvno32 = r.u32("kvno32")?;
        if kvno32 != 0 {
            kvno = kvno32;
        }
    }
    Ok(Entry {
        principal: Principal {
            realm,
            components,
            name_type,
        },
        timestamp,
        kvno,
        enctype,
        key,
    })
}

/// A bounded big- or native-endian cursor; offsets in its errors are relative to `buf`.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Reader<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n);
        match end.and_then(|end| self.buf.get(self.pos..end)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(Error::Truncated {
                offset: self.pos,
                what,
            }),
        }
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, Error> {
        Ok(self.take(1, what)?.first().copied().unwrap_or(0))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, Error> {
        let a = self.raw::<2>(what)?;
        Ok(if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_ne_bytes(a)
        })
    }

    fn i16(&mut self, what: &'static str) -> Result<i16, Error> {
        let a = self.raw::<2>(what)?;
        Ok(if self.big_endian {
            i16::from_be_bytes(a)
        } else {
            i16::from_ne_bytes(a)
        })
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, Error> {
        let a = self.raw::<4>(what)?;
        Ok(if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_ne_bytes(a)
        })
    }

    fn i32(&mut self, what: &'static str) -> Result<i32, Error> {
        let a = self.raw::<4>(what)?;
        Ok(if self.big_endian {
            i32::from_be_bytes(a)
        } else {
            i32::from_ne_bytes(a)
        })
    }

    fn raw<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Error> {
        let at = self.pos;
        self.take(N, what)?
            .try_into()
            .map_err(|_| Error::Truncated { offset: at, what })
    }

    fn data(&mut self, what: &'static str) -> Result<&'a [u8], Error> {
        let at = self.pos;
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
            .map_err(|_| Error::Truncated { offset: at, what })
    }
}

impl Error {
    /// Turns an offset relative to a record into one relative to the file.
    fn shifted(self, base: usize) -> Error {
        match self {
            Error::Truncated { offset, what } => Error::Truncated {
                offset: offset.saturating_add(base),
                what,
            },
            Error::Malformed { offset, what } => Error::Malformed {
                offset: offset.saturating_add(base),
                what,
            },
            other => other,
        }
    }
}

/// The keytab name in force: `KRB5_KTNAME`, else MIT's default `FILE:/etc/krb5.keytab`.
pub fn default_name() -> String {
    std::env::var("KRB5_KTNAME")
        .ok()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("FILE:{DEFAULT_KEYTAB}"))
}

/// The file a keytab name refers to: `FILE:path`, `WRFILE:path`, or a plain path
/// (MIT treats a name whose prefix before `:` contains `/`, or that has no `:`,
/// as a path). Other keytab types are an error.
pub fn resolve_name(name: &str) -> Result<PathBuf, Error> {
    match name.split_once(':') {
        None => Ok(PathBuf::from(name)),
        Some((prefix, _)) if prefix.contains('/') => Ok(PathBuf::from(name)),
        Some(("FILE" | "WRFILE", path)) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(Error::UnsupportedName {
            name: name.to_owned(),
        }),
    }
}

/// The default keytab's path, honouring `KRB5_KTNAME`.
pub fn default_path() -> Result<PathBuf, Error> {
    resolve_name(&default_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Keytab {
        Keytab {
            entries: vec![
                Entry::new(
                    Principal::new("AUTHCORE.TEST", &["host", "localhost"], NT_SRV_HST),
                    1_700_000_000,
                    3,
                    18,
                    &[0x11; 32],
                ),
                Entry::new(
                    Principal::new("AUTHCORE.TEST", &["alice"], NT_PRINCIPAL),
                    u32::MAX,
                    0x1_0002,
                    23,
                    &[0x22; 16],
                ),
                Entry::new(Principal::new("R", &[], NT_UNKNOWN), 0, 0, -128, &[]),
            ],
        }
    }

    /// One 0x502 record written out by hand from the grammar in MIT's
    /// "Keytab file format" document.
    fn hand_written_v2() -> Vec<u8> {
        let mut f = vec![0x05, 0x02];
        let mut rec = Vec::new();
        rec.extend_from_slice(&[0x00, 0x02]); // two components
        rec.extend_from_slice(&[0x00, 0x01, b'R']);
        rec.extend_from_slice(&[0x00, 0x04, b'h', b'o', b's', b't']);
        rec.extend_from_slice(&[0x00, 0x01, b'h']);
        rec.extend_from_slice(&[0x00, 0x00, 0x00, 0x03]); // KRB5_NT_SRV_HST
        rec.extend_from_slice(&[0x65, 0x53, 0xf1, 0x00]); // timestamp
        rec.push(0x07); // kvno8
        rec.extend_from_slice(&[0x00, 0x11]); // aes128-cts-hmac-sha1-96
        rec.extend_from_slice(&[0x00, 0x10]);
        rec.extend_from_slice(&[0xab; 16]);
        f.extend_from_slice(&(rec.len() as i32).to_be_bytes());
        f.extend_from_slice(&rec);
        f
    }

    #[test]
    fn parses_hand_written_v2_record() {
        let kt = Keytab::parse(&hand_written_v2()).unwrap();
        assert_eq!(kt.entries.len(), 1);
        let e = &kt.entries[0];
        assert_eq!(e.principal.to_string(), "host/h@R");
        assert_eq!(e.principal.name_type, NT_SRV_HST);
        assert_eq!(e.timestamp, 0x6553_f100);
        assert_eq!(e.kvno, 7, "without kvno32 the 8-bit kvno stands");
        assert_eq!(e.enctype, 17);
        assert_eq!(e.key_bytes(), &[0xab; 16]);
    }

    #[test]
    fn round_trips() {
        let kt = sample();
        let bytes = kt.to_bytes().unwrap();
        assert_eq!(&bytes[..2], &[5, 2]);
        assert_eq!(
            bytes.len(),
            bytes.capacity(),
            "record_len must size the buffer exactly"
        );
        let back = Keytab::parse(&bytes).unwrap();
        assert_eq!(back, kt);
        assert_eq!(back.entries[1].kvno, 0x1_0002);
        assert_eq!(back.entries[2].enctype, -128);
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn writes_kvno8_low_byte_and_kvno32() {
        let kt = Keytab {
            entries: vec![sample().entries[1].clone()],
        };
        let bytes = kt.to_bytes().unwrap();
        // kvno32 closes the record; the 8-bit field holds the low byte.
        assert_eq!(&bytes[bytes.len() - 4..], &0x1_0002u32.to_be_bytes());
        let kvno8_at = bytes.len() - 4 - 16 - 2 - 2 - 1;
        assert_eq!(bytes[kvno8_at], 0x02);
    }

    #[test]
    fn zero_kvno32_keeps_kvno8_and_trailing_flags_are_ignored() {
        let mut f = hand_written_v2();
        let len_at = 2;
        let extra = [0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef];
        f.extend_from_slice(&extra);
        let len = i32::from_be_bytes(f[len_at..len_at + 4].try_into().unwrap()) + 8;
        f[len_at..len_at + 4].copy_from_slice(&len.to_be_bytes());
        let kt = Keytab::parse(&f).unwrap();
        assert_eq!(kt.entries[0].kvno, 7);
    }

    #[test]
    fn skips_holes_and_stops_at_zero_length() {
        let entry = hand_written_v2();
        let mut f = vec![0x05, 0x02];
        f.extend_from_slice(&(-6i32).to_be_bytes());
        f.extend_from_slice(&[0; 6]);
        f.extend_from_slice(&entry[2..]);
        // A record shorter than its length (it replaced a bigger hole).
        f.extend_from_slice(&(-3i32).to_be_bytes());
        f.extend_from_slice(&[0; 3]);
        f.extend_from_slice(&0i32.to_be_bytes());
        f.extend_from_slice(b"garbage after the end marker");
        let kt = Keytab::parse(&f).unwrap();
        assert_eq!(kt.entries.len(), 1);
        assert_eq!(kt.entries[0].principal.to_string(), "host/h@R");
    }

    #[test]
    fn entry_padded_inside_a_larger_record() {
        let entry = hand_written_v2();
        let mut f = vec![0x05, 0x02];
        let body = &entry[6..];
        f.extend_from_slice(&((body.len() + 3) as i32).to_be_bytes());
        f.extend_from_slice(body);
        f.extend_from_slice(&[0, 0, 0]); // fewer than 4 bytes: no kvno32
        let kt = Keytab::parse(&f).unwrap();
        assert_eq!(kt.entries[0].kvno, 7);
    }

    #[test]
    fn reads_version_1_native_order_with_realm_in_count() {
        let mut rec = Vec::new();
        rec.extend_from_slice(&2u16.to_ne_bytes()); // realm + one component
        rec.extend_from_slice(&1u16.to_ne_bytes());
        rec.push(b'R');
        rec.extend_from_slice(&5u16.to_ne_bytes());
        rec.extend_from_slice(b"alice");
        rec.extend_from_slice(&42u32.to_ne_bytes()); // timestamp, no name type
        rec.push(9);
        rec.extend_from_slice(&23u16.to_ne_bytes());
        rec.extend_from_slice(&16u16.to_ne_bytes());
        rec.extend_from_slice(&[0x5a; 16]);
        let mut f = vec![0x05, 0x01];
        f.extend_from_slice(&(rec.len() as i32).to_ne_bytes());
        f.extend_from_slice(&rec);
        let kt = Keytab::parse(&f).unwrap();
        let e = &kt.entries[0];
        assert_eq!(e.principal.to_string(), "alice@R");
        assert_eq!(e.principal.name_type, NT_UNKNOWN);
        assert_eq!((e.timestamp, e.kvno, e.enctype), (42, 9, 23));
        assert_eq!(e.key_bytes(), &[0x5a; 16]);
    }

    #[test]
    fn version_1_with_zero_count_is_malformed() {
        let mut f = vec![0x05, 0x01];
        f.extend_from_slice(&2i32.to_ne_bytes());
        f.extend_from_slice(&0u16.to_ne_bytes());
        assert!(matches!(
            Keytab::parse(&f),
            Err(Error::Malformed {
                what: "component count",
                offset: 6
            })
        ));
    }

    #[test]
    fn rejects_bad_versions() {
        for bad in [&[0x05, 0x03][..], &[0x04, 0x02], &[0x02, 0x05], &[0, 0]] {
            assert!(
                matches!(Keytab::parse(bad), Err(Error::BadVersion { .. })),
                "{bad:?}"
            );
        }
        assert!(matches!(
            Keytab::parse(&[]),
            Err(Error::Truncated {
                what: "version",
                ..
            })
        ));
        assert!(matches!(
            Keytab::parse(&[5]),
            Err(Error::Truncated {
                what: "version",
                ..
            })
        ));
        assert_eq!(Keytab::parse(&[5, 2]).unwrap().entries.len(), 0);
    }

    #[test]
    fn every_truncation_is_an_error_or_a_record_boundary() {
        let bytes = sample().to_bytes().unwrap();
        let boundaries = record_boundaries(&bytes);
        for cut in 0..bytes.len() {
            let r = Keytab::parse(&bytes[..cut]);
            if boundaries.contains(&cut) {
                assert!(r.is_ok(), "cut at boundary {cut}");
            } else {
                assert!(
                    matches!(r, Err(Error::Truncated { .. })),
                    "cut at {cut}: {r:?}"
                );
            }
        }
    }

    fn record_boundaries(bytes: &[u8]) -> Vec<usize> {
        let mut out = vec![2];
        let mut pos = 2;
        while pos < bytes.len() {
            let len = i32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap());
            pos += 4 + len.unsigned_abs() as usize;
            out.push(pos);
        }
        out
    }

    #[test]
    fn lengths_past_their_record_are_errors() {
        let good = hand_written_v2();
        // Realm length pointing past the record (but inside the file).
        let mut f = good.clone();
        f[8..10].copy_from_slice(&0x40u16.to_be_bytes());
        f.extend_from_slice(&[0; 0x80]);
        assert!(matches!(
            Keytab::parse(&f),
            Err(Error::Truncated {
                what: "realm",
                offset: 8
            })
        ));
        // Component count larger than the record holds.
        let mut f = good.clone();
        f[6..8].copy_from_slice(&9u16.to_be_bytes());
        assert!(matches!(Keytab::parse(&f), Err(Error::Truncated { .. })));
        // Key length past the record.
        let mut f = good.clone();
        let key_len_at = good.len() - 16 - 2;
        f[key_len_at..key_len_at + 2].copy_from_slice(&17u16.to_be_bytes());
        assert!(matches!(
            Keytab::parse(&f),
            Err(Error::Truncated { what: "key", .. })
        ));
        // Record length past the file, and the most negative length.
        let mut f = good.clone();
        f[2..6].copy_from_slice(&i32::MAX.to_be_bytes());
        assert!(matches!(
            Keytab::parse(&f),
            Err(Error::Truncated {
                what: "record",
                offset: 6
            })
        ));
        let mut f = good;
        f[2..6].copy_from_slice(&i32::MIN.to_be_bytes());
        assert!(matches!(
            Keytab::parse(&f),
            Err(Error::Truncated { what: "record", .. })
        ));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic generator: every prefix of many pseudo-random files.
        let mut x: u32 = 0x1234_5678;
        for _ in 0..2000 {
            let mut f = vec![5, 2];
            for _ in 0..(x % 64) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                f.push((x % 7) as u8);
            }
            let _ = Keytab::parse(&f);
            f[1] = 1;
            let _ = Keytab::parse(&f);
        }
    }

    #[test]
    fn writer_rejects_what_the_format_cannot_hold() {
        let p = Principal::new("R", &["a"], NT_PRINCIPAL);
        let kt = Keytab {
            entries: vec![Entry::new(p.clone(), 0, 1, 0x8000, &[0; 16])],
        };
        assert!(matches!(
            kt.to_bytes(),
            Err(Error::TooLarge { what: "enctype" })
        ));
        let kt = Keytab {
            entries: vec![Entry::new(p, 0, 1, 17, &vec![0; 0x1_0000])],
        };
        assert!(matches!(
            kt.to_bytes(),
            Err(Error::TooLarge { what: "key" })
        ));
    }

    #[test]
    fn find_picks_kvno_or_highest() {
        let p = Principal::new("R", &["svc", "h"], NT_SRV_HST);
        let kt = Keytab {
            entries: vec![
                Entry::new(p.clone(), 0, 2, 18, &[2; 32]),
                Entry::new(p.clone(), 0, 5, 18, &[5; 32]),
                Entry::new(p.clone(), 0, 5, 17, &[6; 16]),
            ],
        };
        let mut other_type = p.clone();
        other_type.name_type = NT_PRINCIPAL;
        assert_eq!(
            kt.find(&other_type, 18, None).unwrap().key_bytes(),
            &[5; 32]
        );
        assert_eq!(kt.find(&p, 18, Some(2)).unwrap().key_bytes(), &[2; 32]);
        assert!(kt.find(&p, 17, Some(2)).is_none());
        assert!(kt
            .find(&Principal::new("R", &["svc"], 1), 18, None)
            .is_none());
    }

    #[test]
    fn principal_names_and_salt() {
        let p = Principal::parse("host/localhost@AUTHCORE.TEST").unwrap();
        assert_eq!(p.components, vec![b"host".to_vec(), b"localhost".to_vec()]);
        assert_eq!(p.realm, b"AUTHCORE.TEST");
        assert_eq!(p.default_salt(), b"AUTHCORE.TESThostlocalhost");
        assert_eq!(p.to_string(), "host/localhost@AUTHCORE.TEST");
        let esc = Principal::parse(r"a\/b\@c@R").unwrap();
        assert_eq!(esc.components, vec![b"a/b@c".to_vec()]);
        assert_eq!(esc.to_string(), r"a\/b\@c@R");
        for bad in [
            "alice",
            "alice@",
            "@R",
            "a//b@R",
            "a@R@S",
            "a@R/x",
            "trailing\\",
        ] {
            assert!(Principal::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_hides_the_key() {
        let e = Entry::new(Principal::new("R", &["a"], 1), 0, 1, 17, &[0xee; 16]);
        let s = format!("{e:?}");
        assert!(s.contains("key_len: 16"), "{s}");
        assert!(
            !s.contains("238") && !s.to_lowercase().contains("ee, "),
            "{s}"
        );
    }

    #[test]
    fn keytab_names() {
        assert_eq!(
            resolve_name("FILE:/tmp/k").unwrap(),
            PathBuf::from("/tmp/k")
        );
        assert_eq!(
            resolve_name("WRFILE:/tmp/k").unwrap(),
            PathBuf::from("/tmp/k")
        );
        assert_eq!(resolve_name("/tmp/k").unwrap(), PathBuf::from("/tmp/k"));
        assert_eq!(resolve_name("rel/a:b").unwrap(), PathBuf::from("rel/a:b"));
        assert_eq!(
            resolve_name("service.keytab").unwrap(),
            PathBuf::from("service.keytab")
        );
        for bad in ["MEMORY:x", "KEYRING:persistent:0", "FILE:"] {
            assert!(
                matches!(resolve_name(bad), Err(Error::UnsupportedName { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn file_round_trip_is_private() {
        let dir = std::env::temp_dir().join(format!("authcore-kt-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.keytab");
        let kt = sample();
        kt.write(&path).unwrap();
        assert_eq!(Keytab::read(&path).unwrap(), kt);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let missing = Keytab::read(&dir.join("missing"));
        assert!(matches!(missing, Err(Error::Io { .. })));
        fs::remove_dir_all(&dir).unwrap();
    }
}
