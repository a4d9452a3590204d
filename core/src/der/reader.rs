//! Zero-copy strict DER reader.

use super::{tag, time, MAX_DEPTH};
use crate::{Error, Result};

/// One tag-length-value element as found in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (class, constructed bit, tag number 0..=30).
    pub tag: u8,
    /// The content octets.
    pub content: &'a [u8],
    /// The whole element: identifier, length and content.
    pub raw: &'a [u8],
}

/// A cursor over DER input that hands out sub-slices of it.
///
/// Nested readers (for SEQUENCE, `[n]`, `[APPLICATION n]`) carry their depth;
/// opening one deeper than [`MAX_DEPTH`] fails, which bounds the work and the
/// stack of every recursive use (AD-IF-RELEVANT nesting).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    data: &'a [u8],
    depth: u8,
}

impl<'a> Reader<'a> {
    /// A reader over `data` at nesting depth 0.
    pub const fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, depth: 0 }
    }

    /// A reader over `data` that continues the nesting depth of an outer
    /// structure (for DER carried inside an OCTET STRING, like AD-IF-RELEVANT).
    pub fn with_depth(data: &'a [u8], depth: u8) -> Result<Reader<'a>> {
        if usize::from(depth) > MAX_DEPTH {
            return Err(Error::CapacityExceeded {
                what: what!("DER nesting depth"),
            });
        }
        Ok(Reader { data, depth })
    }

    /// A reader over bytes this crate already validated at `depth` (a parsed
    /// `SEQUENCE OF` being iterated again). Deeper nesting is still refused.
    pub(crate) const fn resume(data: &'a [u8], depth: u8) -> Reader<'a> {
        Reader { data, depth }
    }

    /// Current nesting depth.
    pub const fn depth(&self) -> u8 {
        self.depth
    }

    /// Bytes not read yet.
    pub const fn remaining(&self) -> &'a [u8] {
        self.data
    }

    /// True when every byte was read.
    pub const fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The identifier octet of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Fails unless every byte was read: DER has no padding.
    pub fn finish(self, what: crate::What) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(Error::Malformed { what })
        }
    }

    /// Reads one element of any tag.
    pub fn read_any(&mut self, what: crate::What) -> Result<Tlv<'a>> {
        let (&tag, rest) = self.data.split_first().ok_or(Error::Truncated { what })?;
        // High-tag-number form (tag number >= 31): Kerberos, GSS and SPNEGO
        // never use it (RFC 4120 section 5.1.5 allows rejecting it).
        if tag & 0x1f == 0x1f {
            return Err(Error::Malformed { what });
        }
        let (&first, rest) = rest.split_first().ok_or(Error::Truncated { what })?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            // 0x80 is BER's indefinite length, 0xff is reserved; more than
            // four length octets cannot describe a buffer we could hold.
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err(Error::Malformed { what });
            }
            let (octets, rest) = rest.split_at_checked(n).ok_or(Error::Truncated { what })?;
            // Minimal: no leading zero octet, and the long form only for >= 128.
            if octets.first() == Some(&0) {
                return Err(Error::Malformed { what });
            }
            // Folded byte by byte: a short copy into a word and a wide load
            // of it costs a memcpy call and a store-forwarding stall.
            let len = be_fold(octets, 0);
            if len < 0x80 {
                return Err(Error::Malformed { what });
            }
            let len = usize::try_from(len).map_err(|_| Error::Truncated { what })?;
            (len, rest)
        };
        let (content, rest) = rest
            .split_at_checked(len)
            .ok_or(Error::Truncated { what })?;
        let consumed = self.data.len().saturating_sub(rest.len());
        let raw = self.data.get(..consumed).ok_or(Error::Truncated { what })?;
        self.data = rest;
        Ok(Tlv { tag, content, raw })
    }

    /// Reads an element that must carry `expected_tag`; returns its content.
    pub fn read(&mut self, expected_tag: u8, what: crate::What) -> Result<&'a [u8]> {
        Ok(self.read_tlv(expected_tag, what)?.content)
    }

    /// Reads an element that must carry `expected_tag`.
    pub fn read_tlv(&mut self, expected_tag: u8, what: crate::What) -> Result<Tlv<'a>> {
        match self.data.first() {
            None => return Err(Error::Truncated { what }),
            Some(&t) if t != expected_tag => return Err(Error::Malformed { what }),
            Some(_) => {}
        }
        self.read_any(what)
    }

    /// Opens a constructed element with `expected_tag` as a nested reader.
    pub fn nested(&mut self, expected_tag: u8, what: crate::What) -> Result<Reader<'a>> {
        if expected_tag & tag::CONSTRUCTED == 0 {
            return Err(Error::Malformed { what });
        }
        let depth = self.depth.checked_add(1).ok_or(Error::CapacityExceeded {
            what: what!("DER nesting depth"),
        })?;
        if usize::from(depth) > MAX_DEPTH {
            return Err(Error::CapacityExceeded {
                what: what!("DER nesting depth"),
            });
        }
        let content = self.read(expected_tag, what)?;
        Ok(Reader {
            data: content,
            depth,
        })
    }

    /// Opens a `SEQUENCE` (or `SEQUENCE OF`).
    pub fn sequence(&mut self, what: crate::What) -> Result<Reader<'a>> {
        self.nested(tag::SEQUENCE, what)
    }

    /// Opens an explicit context tag `[n]`.
    pub fn explicit(&mut self, n: u8, what: crate::What) -> Result<Reader<'a>> {
        self.nested(tag::context(n), what)
    }

    /// Opens `[APPLICATION n]`.
    pub fn application(&mut self, n: u8, what: crate::What) -> Result<Reader<'a>> {
        self.nested(tag::application(n), what)
    }

    /// Reads `[n] value` where `f` reads the value; the tag must hold exactly it.
    pub fn field<T>(
        &mut self,
        n: u8,
        what: crate::What,
        f: impl FnOnce(&mut Reader<'a>, crate::What) -> Result<T>,
    ) -> Result<T> {
        let mut inner = self.explicit(n, what)?;
        // The result goes back as `f` built it: unwrapping and rewrapping a
        // large `T` costs a copy that stalls on the bytes `f` just stored.
        let value = f(&mut inner, what);
        if value.is_ok() && !inner.is_empty() {
            return Err(Error::Malformed { what });
        }
        value
    }

    /// Reads `[n] value OPTIONAL`: `None` when the next element is not `[n]`.
    pub fn optional_field<T>(
        &mut self,
        n: u8,
        what: crate::What,
        f: impl FnOnce(&mut Reader<'a>, crate::What) -> Result<T>,
    ) -> Result<Option<T>> {
        if self.peek_tag() == Some(tag::context(n)) {
            self.field(n, what, f).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The content octets of an INTEGER, checked to be minimal.
    pub fn integer_bytes(&mut self, what: crate::What) -> Result<&'a [u8]> {
        let content = self.read(tag::INTEGER, what)?;
        match content {
            [] => Err(Error::Malformed { what }),
            // A leading 0x00 or 0xff that only repeats the sign bit of the next
            // octet is not minimal (X.690 section 8.3.2).
            [0x00, next, ..] if *next & 0x80 == 0 => Err(Error::Malformed { what }),
            [0xff, next, ..] if *next & 0x80 != 0 => Err(Error::Malformed { what }),
            _ => Ok(content),
        }
    }

    /// An INTEGER that fits `i64`.
    pub fn i64(&mut self, what: crate::What) -> Result<i64> {
        let content = self.integer_bytes(what)?;
        if content.len() > 8 {
            return Err(Error::Malformed { what });
        }
        let negative = content.first().is_some_and(|b| b & 0x80 != 0);
        // Sign-extended: starting from all ones, the at most eight octets
        // shifted in leave only the sign bits above them.
        Ok(be_fold(content, if negative { u64::MAX } else { 0 }) as i64)
    }

    /// An INTEGER in the Int32 range.
    pub fn i32(&mut self, what: crate::What) -> Result<i32> {
        i32::try_from(self.i64(what)?).map_err(|_| Error::Malformed { what })
    }

    /// An INTEGER in the 0..=u32::MAX range.
    pub fn u32(&mut self, what: crate::What) -> Result<u32> {
        u32::try_from(self.i64(what)?).map_err(|_| Error::Malformed { what })
    }

    /// A Kerberos UInt32 (sequence numbers, nonces, kvno). RFC 4120 section
    /// 5.3.2 lets receivers accept the two's-complement negative form some
    /// implementations send for values above 2^31 - 1; it maps to the same u32.
    pub fn uint32(&mut self, what: crate::What) -> Result<u32> {
        let v = self.i64(what)?;
        if let Ok(u) = u32::try_from(v) {
            return Ok(u);
        }
        i32::try_from(v)
            .map(|s| s as u32)
            .map_err(|_| Error::Malformed { what })
    }

    /// A Kerberos Microseconds value (0..=999999).
    pub fn microseconds(&mut self, what: crate::What) -> Result<u32> {
        let v = self.u32(what)?;
        if v > 999_999 {
            return Err(Error::Malformed { what });
        }
        Ok(v)
    }

    /// An OCTET STRING (primitive form only, as DER requires).
    pub fn octet_string(&mut self, what: crate::What) -> Result<&'a [u8]> {
        self.read(tag::OCTET_STRING, what)
    }

    /// A GeneralString holding a KerberosString. RFC 4120 section 5.2.1 says
    /// IA5, but major implementations send UTF-8 bytes, so any byte but NUL
    /// is accepted (NUL would let C consumers see a truncated name).
    pub fn general_string(&mut self, what: crate::What) -> Result<&'a [u8]> {
        let content = self.read(tag::GENERAL_STRING, what)?;
        // A plain scan: names are short, and `contains` is a `memchr` call.
        #[allow(clippy::manual_contains)]
        if content.iter().any(|&b| b == 0) {
            return Err(Error::Malformed { what });
        }
        Ok(content)
    }

    /// A GeneralString that must be UTF-8.
    pub fn general_str(&mut self, what: crate::What) -> Result<&'a str> {
        core::str::from_utf8(self.general_string(what)?).map_err(|_| Error::Malformed { what })
    }

    /// A BOOLEAN (DER: 0x00 or 0xff only).
    pub fn boolean(&mut self, what: crate::What) -> Result<bool> {
        match self.read(tag::BOOLEAN, what)? {
            [0x00] => Ok(false),
            [0xff] => Ok(true),
            _ => Err(Error::Malformed { what }),
        }
    }

    /// KerberosFlags: a BIT STRING of at least 32 bits, returned as a `u32`
    /// whose most significant bit is flag 0. Bits past 32 are ignored (RFC 4120
    /// section 5.2.8: no flag above 31 is defined).
    pub fn kerberos_flags(&mut self, what: crate::What) -> Result<u32> {
        let content = self.read(tag::BIT_STRING, what)?;
        let (&unused, bits) = content.split_first().ok_or(Error::Malformed { what })?;
        if unused > 7 {
            return Err(Error::Malformed { what });
        }
        let (first4, rest) = bits.split_at_checked(4).ok_or(Error::Malformed { what })?;
        // With exactly 32 bits there is nothing left over to be unused.
        if rest.is_empty() && unused != 0 {
            return Err(Error::Malformed { what });
        }
        // DER: the unused trailing bits are zero (unused <= 7, so the shift
        // stays within the byte).
        let unused_mask = 1u8.wrapping_shl(u32::from(unused)).wrapping_sub(1);
        if rest.last().is_some_and(|b| b & unused_mask != 0) {
            return Err(Error::Malformed { what });
        }
        let mut word = [0u8; 4];
        word.copy_from_slice(first4);
        Ok(u32::from_be_bytes(word))
    }

    /// A KerberosTime: GeneralizedTime of exactly `YYYYMMDDHHMMSSZ`, as Unix seconds.
    pub fn kerberos_time(&mut self, what: crate::What) -> Result<i64> {
        let content = self.read(tag::GENERALIZED_TIME, what)?;
        time::parse_generalized(content).ok_or(Error::Malformed { what })
    }

    /// An OBJECT IDENTIFIER's content octets, checked to be well formed.
    pub fn oid(&mut self, what: crate::What) -> Result<&'a [u8]> {
        let content = self.read(tag::OID, what)?;
        check_oid(content).ok_or(Error::Malformed { what })?;
        Ok(content)
    }
}

/// Big-endian value of `octets` shifted into `init` (callers pass at most
/// eight octets, so nothing is shifted out but `init`'s fill bits).
fn be_fold(octets: &[u8], init: u64) -> u64 {
    octets
        .iter()
        .fold(init, |acc, &b| acc.wrapping_shl(8) | u64::from(b))
}

/// Every subidentifier is minimal base-128 and the last octet ends one.
fn check_oid(content: &[u8]) -> Option<()> {
    let last = content.last()?;
    if last & 0x80 != 0 {
        return None;
    }
    let mut at_start = true;
    for &b in content {
        if at_start && b == 0x80 {
            return None;
        }
        at_start = b & 0x80 == 0;
    }
    Some(())
}
