//! The GSS-API authenticator checksum (type 0x8003, RFC 4121 section 4.1.1)
//! and channel bindings (section 4.1.1.2).
//!
//! The krb5 mechanism does not put a checksum in the authenticator's `cksum`
//! field: it puts this structure there, which carries the context flags and the
//! MD5 hash of the channel bindings.
//!
//! ```text
//! 0..4    Lgth    length of Bnd, little-endian: always 16
//! 4..20   Bnd     MD5 of the channel bindings, or 16 zero octets for none
//! 20..24  Flags   context flags, little-endian (see [`flags`])
//! 24..26  DlgOpt  1, little-endian            } present only when the
//! 26..28  Dlgth   length of Deleg, little-end. } DELEG flag is set and
//! 28..n   Deleg   a KRB-CRED                  } bytes remain
//! n..     Exts    extensions: 4-byte big-endian type and length, then data
//! ```

use crate::crypto::hash::Md5;
use digest::Digest;

use crate::{Error, Result};

/// The `cksumtype` of the GSS authenticator checksum.
pub const CKSUMTYPE_GSS: i32 = 0x8003;

/// Length of the `Bnd` field (an MD5 hash).
pub const BND_LEN: usize = 16;

/// Length of the fixed part (Lgth, Bnd, Flags), which is all this crate sends.
pub const BASE_LEN: usize = 4 + BND_LEN + 4;

/// `DlgOpt` of a delegated KRB-CRED.
const DELEG_OPTION: u16 = 1;

/// Extension type of IAKERB's "finished" message, meaningful only to an IAKERB
/// acceptor: a plain krb5 acceptor refuses it (as MIT does) instead of
/// silently skipping a message that was meant to be verified.
const EXT_IAKERB_FINISHED: u32 = 0;

/// GSS context flags as carried in the checksum's `Flags` field (RFC 2744
/// values; RFC 4121 section 4.1.1.1, RFC 4757 section 7.1).
pub mod flags {
    /// Delegate credentials (a KRB-CRED follows the flags).
    pub const DELEG: u32 = 1;
    /// Mutual authentication: the acceptor answers with an AP-REP.
    pub const MUTUAL: u32 = 2;
    /// Replay detection of per-message tokens.
    pub const REPLAY: u32 = 4;
    /// Out-of-sequence detection of per-message tokens.
    pub const SEQUENCE: u32 = 8;
    /// Confidentiality (Wrap with encryption) available.
    pub const CONF: u32 = 16;
    /// Integrity (MIC, Wrap) available.
    pub const INTEG: u32 = 32;
    /// Anonymous initiator (not supported here: never set by this crate).
    pub const ANON: u32 = 64;
    /// Context transferable (MIT sets it on every context it makes).
    pub const TRANS: u32 = 256;
    /// DCE RPC style (not supported here).
    pub const DCE_STYLE: u32 = 0x1000;
    /// Identify-level impersonation only (RFC 4757).
    pub const IDENTIFY: u32 = 0x2000;
    /// Extended error reporting (RFC 4757).
    pub const EXTENDED_ERROR: u32 = 0x4000;

    /// The flags an acceptor takes over from an initiator's checksum (the
    /// set MIT grants; DELEG is granted only with a delegated credential,
    /// which this crate does not accept).
    pub const FROM_INITIATOR: u32 =
        INTEG | CONF | MUTUAL | REPLAY | SEQUENCE | DCE_STYLE | IDENTIFY | EXTENDED_ERROR;
}

/// `gss_channel_bindings_struct` (RFC 2744 section 3.11), whose MD5 hash goes
/// into the checksum's `Bnd` field. Most protocols bind only application data
/// (for example `tls-server-end-point:` and a certificate hash, RFC 5929), with
/// both address types 0 and empty addresses: [`ChannelBindings::application`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelBindings<'a> {
    /// `initiator_addrtype`.
    pub initiator_addrtype: u32,
    /// `initiator_address`.
    pub initiator_address: &'a [u8],
    /// `acceptor_addrtype`.
    pub acceptor_addrtype: u32,
    /// `acceptor_address`.
    pub acceptor_address: &'a [u8],
    /// `application_data`.
    pub application_data: &'a [u8],
}

impl<'a> ChannelBindings<'a> {
    /// Bindings of application data only (no addresses).
    pub const fn application(data: &'a [u8]) -> ChannelBindings<'a> {
        ChannelBindings {
            initiator_addrtype: 0,
            initiator_address: &[],
            acceptor_addrtype: 0,
            acceptor_address: &[],
            application_data: data,
        }
    }

    /// The `Bnd` value: MD5 over every integer and length as four
    /// little-endian octets, each buffer's length always and its bytes when
    /// it is not empty (RFC 4121 section 4.1.1.2).
    pub fn hash(&self) -> Result<[u8; BND_LEN]> {
        fn len32(b: &[u8]) -> Result<[u8; 4]> {
            u32::try_from(b.len())
                .map(u32::to_le_bytes)
                .map_err(|_| Error::Malformed {
                    what: what!("channel bindings length"),
                })
        }
        let mut md5 = Md5::new();
        md5.update(self.initiator_addrtype.to_le_bytes());
        md5.update(len32(self.initiator_address)?);
        md5.update(self.initiator_address);
        md5.update(self.acceptor_addrtype.to_le_bytes());
        md5.update(len32(self.acceptor_address)?);
        md5.update(self.acceptor_address);
        md5.update(len32(self.application_data)?);
        md5.update(self.application_data);
        Ok(md5.finalize().into())
    }
}

/// A parsed 0x8003 checksum value. Delegation and extension data stay
/// borrowed and uninterpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GssChecksum<'a> {
    /// The channel-binding hash (all zero: the initiator bound nothing).
    pub bnd: [u8; BND_LEN],
    /// The initiator's context flags, all bits as sent.
    pub flags: u32,
    /// The delegated KRB-CRED, when the DELEG flag brought one.
    pub delegation: Option<&'a [u8]>,
    /// The extension area (zero or more well-formed extensions).
    pub extensions: &'a [u8],
}

fn take<'a, const N: usize>(rest: &mut &'a [u8], what: crate::What) -> Result<&'a [u8; N]> {
    let (head, tail) = rest
        .split_first_chunk::<N>()
        .ok_or(Error::Truncated { what })?;
    *rest = tail;
    Ok(head)
}

fn take_slice<'a>(rest: &mut &'a [u8], n: usize, what: crate::What) -> Result<&'a [u8]> {
    let (head, tail) = rest.split_at_checked(n).ok_or(Error::Truncated { what })?;
    *rest = tail;
    Ok(head)
}

impl<'a> GssChecksum<'a> {
    /// A checksum to send: bindings hash and flags, no delegation.
    pub const fn new(bnd: [u8; BND_LEN], flags: u32) -> GssChecksum<'a> {
        GssChecksum {
            bnd,
            flags,
            delegation: None,
            extensions: &[],
        }
    }

    /// Parses a checksum value strictly: `Lgth` must be 16, delegation fields
    /// (when the DELEG flag is set and bytes remain) must have `DlgOpt` 1 and a
    /// length that fits, and whatever follows must be whole extensions.
    pub fn parse(bytes: &'a [u8]) -> Result<GssChecksum<'a>> {
        let mut rest = bytes;
        let lgth = u32::from_le_bytes(*take::<4>(&mut rest, what!("GSS checksum Lgth"))?);
        if usize::try_from(lgth).ok() != Some(BND_LEN) {
            return Err(Error::Malformed {
                what: what!("GSS checksum Lgth (not 16)"),
            });
        }
        let bnd = *take::<BND_LEN>(&mut rest, what!("GSS checksum Bnd"))?;
        let flags = u32::from_le_bytes(*take::<4>(&mut rest, what!("GSS checksum Flags"))?);
        let mut delegation = None;
        if flags & flags::DELEG != 0 && rest.len() >= 4 {
            let option = u16::from_le_bytes(*take::<2>(&mut rest, what!("GSS checksum DlgOpt"))?);
            if option != DELEG_OPTION {
                return Err(Error::Malformed {
                    what: what!("GSS checksum DlgOpt"),
                });
            }
            let dlgth = u16::from_le_bytes(*take::<2>(&mut rest, what!("GSS checksum Dlgth"))?);
            delegation = Some(take_slice(
                &mut rest,
                usize::from(dlgth),
                what!("GSS checksum Deleg"),
            )?);
        }
        let extensions = rest;
        while !rest.is_empty() {
            let ext_type =
                u32::from_be_bytes(*take::<4>(&mut rest, what!("GSS checksum extension"))?);
            let len = u32::from_be_bytes(*take::<4>(&mut rest, what!("GSS checksum extension"))?);
            let len = usize::try_from(len).map_err(|_| Error::Truncated {
                what: what!("GSS checksum extension"),
            })?;
            take_slice(&mut rest, len, what!("GSS checksum extension"))?;
            if ext_type == EXT_IAKERB_FINISHED {
                return Err(Error::Policy {
                    what: what!("IAKERB extension in a krb5 authenticator"),
                });
            }
        }
        Ok(GssChecksum {
            bnd,
            flags,
            delegation,
            extensions,
        })
    }

    /// True when the initiator sent no bindings (16 zero octets).
    pub fn unbound(&self) -> bool {
        self.bnd == [0; BND_LEN]
    }

    /// The fixed 24-byte encoding (delegation and extensions are not sent by
    /// this crate: `None` when the value carries any).
    pub fn to_base_bytes(&self) -> Option<[u8; BASE_LEN]> {
        if self.delegation.is_some() || !self.extensions.is_empty() {
            return None;
        }
        let mut out = [0u8; BASE_LEN];
        let (lgth, rest) = out.split_first_chunk_mut::<4>()?;
        *lgth = 16u32.to_le_bytes();
        let (bnd, rest) = rest.split_first_chunk_mut::<BND_LEN>()?;
        *bnd = self.bnd;
        let (fl, _) = rest.split_first_chunk_mut::<4>()?;
        *fl = self.flags.to_le_bytes();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checksum bytes under test (a fixed buffer: core uses no heap, tests included).
    type Bytes = heapless::Vec<u8, 64>;

    #[test]
    fn mit_capture_checksum() {
        // The cksum of the authenticator in tests/vectors/mit-krb5-captures.txt
        // (ap-req-authenticator): no bindings; mutual, conf, integ and MIT's TRANS.
        let v = hex_literal::hex!("100000000000000000000000000000000000000032010000");
        let c = GssChecksum::parse(&v).unwrap();
        assert!(c.unbound());
        assert_eq!(
            c.flags,
            flags::MUTUAL | flags::CONF | flags::INTEG | flags::TRANS
        );
        assert_eq!(c.delegation, None);
        assert!(c.extensions.is_empty());
        assert_eq!(c.to_base_bytes().unwrap(), v);
    }

    #[test]
    fn delegation_and_extensions() {
        let v = GssChecksum::new([7; 16], flags::DELEG | flags::MUTUAL)
            .to_base_bytes()
            .unwrap();
        let mut v = Bytes::from_slice(&v).unwrap();
        v.extend_from_slice(&[1, 0, 3, 0, 0xaa, 0xbb, 0xcc])
            .unwrap();
        v.extend_from_slice(&[0, 0, 0, 9, 0, 0, 0, 2, 0x11, 0x22])
            .unwrap();
        let c = GssChecksum::parse(&v).unwrap();
        assert_eq!(c.delegation, Some(&[0xaa, 0xbb, 0xcc][..]));
        assert_eq!(c.extensions, &[0, 0, 0, 9, 0, 0, 0, 2, 0x11, 0x22]);
        assert_eq!(c.to_base_bytes(), None);
        // Every strict prefix past the fixed part either parses as a shorter
        // valid value or fails; none panics.
        for i in 0..v.len() {
            let _ = GssChecksum::parse(&v[..i]);
        }
        for i in 0..BASE_LEN {
            assert!(GssChecksum::parse(&v[..i]).is_err());
        }
        // A cut inside Deleg or an extension fails.
        assert!(GssChecksum::parse(&v[..BASE_LEN + 5]).is_err());
        assert!(GssChecksum::parse(&v[..v.len() - 1]).is_err());
    }

    #[test]
    fn rejects_bad_values() {
        let good = GssChecksum::new([0; 16], flags::DELEG)
            .to_base_bytes()
            .unwrap();
        // Lgth other than 16.
        let mut bad = good;
        bad[0] = 15;
        assert!(GssChecksum::parse(&bad).is_err());
        // DlgOpt other than 1.
        let mut v = Bytes::from_slice(&good).unwrap();
        v.extend_from_slice(&[2, 0, 0, 0]).unwrap();
        assert!(GssChecksum::parse(&v).is_err());
        // Dlgth past the end.
        let mut v = Bytes::from_slice(&good).unwrap();
        v.extend_from_slice(&[1, 0, 5, 0, 1]).unwrap();
        assert!(GssChecksum::parse(&v).is_err());
        // Without DELEG, trailing bytes must be whole extensions.
        let plain = GssChecksum::new([0; 16], 0).to_base_bytes().unwrap();
        let mut v = Bytes::from_slice(&plain).unwrap();
        v.extend_from_slice(&[1, 0, 0, 0]).unwrap();
        assert!(GssChecksum::parse(&v).is_err());
        // The IAKERB extension is refused.
        let mut v = Bytes::from_slice(&plain).unwrap();
        v.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert!(GssChecksum::parse(&v).is_err());
    }

    #[test]
    fn bindings_hash_layout() {
        // RFC 4121 section 4.1.1.2: every integer and length as four
        // little-endian octets, buffers' bytes after their lengths. Checked
        // against MD5 over the layout spelled out by hand.
        let cb = ChannelBindings {
            initiator_addrtype: 2,
            initiator_address: &[10, 0, 0, 1],
            acceptor_addrtype: 0,
            acceptor_address: &[],
            application_data: b"tls-server-end-point:xyz",
        };
        let mut flat = Bytes::new();
        flat.extend_from_slice(&[2, 0, 0, 0, 4, 0, 0, 0, 10, 0, 0, 1])
            .unwrap();
        flat.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        flat.extend_from_slice(&[24, 0, 0, 0]).unwrap();
        flat.extend_from_slice(b"tls-server-end-point:xyz").unwrap();
        let expect: [u8; 16] = Md5::digest(&flat).into();
        assert_eq!(cb.hash().unwrap(), expect);
        assert_ne!(
            ChannelBindings::application(b"a").hash().unwrap(),
            ChannelBindings::application(b"b").hash().unwrap()
        );
    }
}
