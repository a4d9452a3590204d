//! The pieces every NTLM message shares: little-endian reads at checked offsets,
//! payload "fields" (Len, MaxLen, BufferOffset) resolved against the buffer, text
//! in UTF-16LE or OEM, and the byte sinks messages are emitted into.

use core::ops::Range;

use crate::crypto::ntlm::{utf16le_chunks, HmacMd5};
use crate::{Error, Result};

pub(crate) fn u16_at(buf: &[u8], at: usize, what: crate::What) -> Result<u16> {
    let b = at
        .checked_add(2)
        .and_then(|end| buf.get(at..end))
        .ok_or(Error::Truncated { what })?;
    let mut a = [0u8; 2];
    a.copy_from_slice(b);
    Ok(u16::from_le_bytes(a))
}

pub(crate) fn u32_at(buf: &[u8], at: usize, what: crate::What) -> Result<u32> {
    let b = at
        .checked_add(4)
        .and_then(|end| buf.get(at..end))
        .ok_or(Error::Truncated { what })?;
    let mut a = [0u8; 4];
    a.copy_from_slice(b);
    Ok(u32::from_le_bytes(a))
}

pub(crate) fn u64_at(buf: &[u8], at: usize, what: crate::What) -> Result<u64> {
    let b = at
        .checked_add(8)
        .and_then(|end| buf.get(at..end))
        .ok_or(Error::Truncated { what })?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Ok(u64::from_le_bytes(a))
}

pub(crate) fn array_at<const N: usize>(
    buf: &[u8],
    at: usize,
    what: crate::What,
) -> Result<[u8; N]> {
    let b = at
        .checked_add(N)
        .and_then(|end| buf.get(at..end))
        .ok_or(Error::Truncated { what })?;
    let mut a = [0u8; N];
    a.copy_from_slice(b);
    Ok(a)
}

/// Where a payload field's descriptor (Len, MaxLen, BufferOffset) sits in the
/// fixed header, and the field's name for errors.
pub(crate) type FieldSpec = (usize, crate::What);

/// The bytes a descriptor at `at` points to: Len (2), MaxLen (2, ignored on
/// receipt as the spec says) and BufferOffset (4). `None` for an empty field.
fn field_range(buf: &[u8], at: usize, what: crate::What) -> Result<Option<Range<usize>>> {
    let len = u16_at(buf, at, what)?;
    let offset = u32_at(buf, at.wrapping_add(4), what)?;
    if len == 0 {
        return Ok(None);
    }
    let start = usize::try_from(offset).map_err(|_| Error::Truncated { what })?;
    let end = start
        .checked_add(usize::from(len))
        .ok_or(Error::Truncated { what })?;
    Ok(Some(start..end))
}

/// Resolves a message's payload fields against the buffer, all at once, so that
/// every offset and length is checked: each non-empty field must lie inside the
/// buffer, after the fixed header, and no two fields may overlap. Empty fields
/// carry no bytes and their offsets are ignored (senders disagree on them).
///
/// Returns the start of the payload (the smallest offset of a non-empty field, or
/// the buffer length when all are empty): the bytes between the fixed header and
/// that point hold the optional Version and MIC.
pub(crate) fn resolve<'a, const N: usize>(
    buf: &'a [u8],
    header_len: usize,
    fields: &[FieldSpec; N],
) -> Result<([&'a [u8]; N], usize)> {
    let mut out: [&'a [u8]; N] = [&[]; N];
    let payload_start = resolve_into(buf, header_len, fields, &mut out)?;
    Ok((out, payload_start))
}

/// [`resolve`] for any number of fields: one copy of the checks for every message.
#[inline(never)]
fn resolve_into<'a>(
    buf: &'a [u8],
    header_len: usize,
    fields: &[FieldSpec],
    out: &mut [&'a [u8]],
) -> Result<usize> {
    let mut payload_start = buf.len();
    for (i, (&(at, what), slot)) in fields.iter().zip(out.iter_mut()).enumerate() {
        let Some(r) = field_range(buf, at, what)? else {
            continue;
        };
        if r.start < header_len {
            return Err(Error::Malformed { what });
        }
        *slot = buf.get(r.clone()).ok_or(Error::Truncated { what })?;
        for &(other_at, other_what) in fields.iter().take(i) {
            if let Some(o) = field_range(buf, other_at, other_what)? {
                if o.start < r.end && r.start < o.end {
                    return Err(Error::Malformed {
                        what: what!("NTLM overlapping payload fields"),
                    });
                }
            }
        }
        payload_start = payload_start.min(r.start);
    }
    Ok(payload_start)
}

/// Text as it travels in NTLM messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text<'a> {
    /// A string to be sent; emitted as UTF-16LE.
    Str(&'a str),
    /// UTF-16LE bytes as received (the `NEGOTIATE_UNICODE` case).
    Utf16Le(&'a [u8]),
    /// OEM code-page bytes as received (NEGOTIATE names, or no `NEGOTIATE_UNICODE`);
    /// emitted unchanged.
    Oem(&'a [u8]),
}

impl<'a> Text<'a> {
    /// The empty text.
    pub const EMPTY: Text<'static> = Text::Utf16Le(&[]);

    /// Bytes on the wire.
    pub fn wire_len(&self) -> usize {
        match self {
            // Each UTF-16 unit is two bytes; a str of n bytes has at most n units,
            // so 2n cannot overflow usize for any str that fits in memory.
            // One unit per character, two for the four-byte (non-BMP) ones:
            // counted on the UTF-8 bytes, without decoding.
            Text::Str(s) => s
                .bytes()
                .map(|b| usize::from(b & 0xC0 != 0x80).wrapping_add(usize::from(b >= 0xF0)))
                .fold(0usize, usize::saturating_add)
                .saturating_mul(2),
            Text::Utf16Le(b) | Text::Oem(b) => b.len(),
        }
    }

    /// True if there are no characters.
    pub fn is_empty(&self) -> bool {
        self.wire_len() == 0
    }

    /// Writes the wire bytes.
    pub fn emit(&self, sink: &mut dyn Sink) -> Result<()> {
        match self {
            Text::Str(s) => utf16le_chunks(s, false, &mut [0; 64], &mut |c| sink.put(c)),
            Text::Utf16Le(b) | Text::Oem(b) => sink.put(b),
        }
    }

    /// The characters, decoding UTF-16LE; an odd length or a lone surrogate is an
    /// error item. OEM text decodes only its ASCII subset (others are errors),
    /// since the code page is the peer's.
    pub fn chars(&self) -> TextChars<'a> {
        let inner = match *self {
            Text::Str(s) => CharsInner::Str(s.chars()),
            Text::Utf16Le(b) => CharsInner::Units(b, true),
            Text::Oem(b) => CharsInner::Units(b, false),
        };
        TextChars { inner }
    }

    /// Case-insensitive comparison with a string (one-to-one Unicode upper case,
    /// as Windows compares names). Malformed text equals nothing.
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        use crate::crypto::ntlm::simple_uppercase;
        let mut a = self.chars();
        let mut b = other.chars();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(Ok(x)), Some(y)) if simple_uppercase(x) == simple_uppercase(y) => {}
                _ => return false,
            }
        }
    }
}

/// The characters of a [`Text`] (see [`Text::chars`]).
#[derive(Debug, Clone)]
pub struct TextChars<'a> {
    inner: CharsInner<'a>,
}

#[derive(Debug, Clone)]
enum CharsInner<'a> {
    Str(core::str::Chars<'a>),
    /// The bytes left, and whether they are UTF-16LE (else OEM).
    Units(&'a [u8], bool),
}

impl TextChars<'_> {
    /// The next code unit: two bytes of UTF-16LE, or one OEM byte.
    fn unit(bytes: &mut &[u8], utf16: bool) -> Option<Result<u32>> {
        let (&lo, rest) = bytes.split_first()?;
        *bytes = rest;
        if !utf16 {
            return Some(if lo.is_ascii() {
                Ok(u32::from(lo))
            } else {
                Err(Error::Malformed {
                    what: what!("NTLM OEM text (non-ASCII)"),
                })
            });
        }
        let Some((&hi, rest)) = bytes.split_first() else {
            return Some(Err(BAD_UTF16));
        };
        *bytes = rest;
        Some(Ok(u32::from(u16::from_le_bytes([lo, hi]))))
    }
}

const BAD_UTF16: Error = Error::Malformed {
    what: what!("NTLM UTF-16 text"),
};

impl Iterator for TextChars<'_> {
    type Item = Result<char>;

    fn next(&mut self) -> Option<Result<char>> {
        let (bytes, utf16) = match &mut self.inner {
            CharsInner::Str(c) => return c.next().map(Ok),
            CharsInner::Units(b, utf16) => (b, *utf16),
        };
        let first = match Self::unit(bytes, utf16)? {
            Ok(u) => u,
            Err(e) => {
                // A malformed text ends at its first error.
                *bytes = &[];
                return Some(Err(e));
            }
        };
        let code = match first {
            // A high surrogate must be followed by a low one.
            0xD800..=0xDBFF => match Self::unit(bytes, utf16) {
                Some(Ok(low @ 0xDC00..=0xDFFF)) => {
                    (((first & 0x3FF) << 10) | (low & 0x3FF)).wrapping_add(0x1_0000)
                }
                _ => u32::MAX,
            },
            _ => first,
        };
        // Lone surrogates (and u32::MAX) are not chars.
        Some(char::from_u32(code).ok_or_else(|| {
            *bytes = &[];
            BAD_UTF16
        }))
    }
}

/// A payload whose bytes are either given or left for the caller to fill in
/// after emission (the initiator computes its NTLMv2 response in place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// These bytes.
    Bytes(&'a [u8]),
    /// This many zero bytes, to be overwritten through the returned layout.
    Reserve(usize),
}

impl Payload<'_> {
    /// Bytes on the wire.
    pub fn len(&self) -> usize {
        match self {
            Payload::Bytes(b) => b.len(),
            Payload::Reserve(n) => *n,
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn emit(&self, sink: &mut dyn Sink) -> Result<()> {
        match self {
            Payload::Bytes(b) => sink.put(b),
            Payload::Reserve(n) => put_zeros(sink, *n),
        }
    }
}

/// Where emitted bytes go: a caller's buffer, or straight into a MAC (the acceptor
/// and initiator re-emit messages into the MIC instead of keeping copies).
pub trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<()>;
}

impl Sink for HmacMd5 {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.update(bytes);
        Ok(())
    }
}

/// Writes sequentially into a slice; running past its end is
/// [`Error::BufferTooSmall`].
#[derive(Debug)]
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> SliceSink<'a> {
    /// Starts writing at `buf[0]`.
    pub fn new(buf: &'a mut [u8]) -> SliceSink<'a> {
        SliceSink { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub fn position(&self) -> usize {
        self.pos
    }
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall { needed: usize::MAX })?;
        let dst = self
            .buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall { needed: end })?;
        dst.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }
}

pub(crate) fn put_zeros(sink: &mut dyn Sink, mut n: usize) -> Result<()> {
    const Z: [u8; 32] = [0; 32];
    while n > 0 {
        let k = n.min(Z.len());
        sink.put(Z.get(..k).unwrap_or(&[]))?;
        n = n.saturating_sub(k);
    }
    Ok(())
}

/// Copies `bytes` into `head` at `at` (constant offsets inside the header).
pub(crate) fn put_at(head: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = head.get_mut(at..at.saturating_add(bytes.len())) {
        dst.copy_from_slice(bytes);
    }
}

/// A field descriptor (Len, MaxLen = Len, BufferOffset) for the bytes from
/// `start` to `end`, both within a message whose fields fit 16-bit lengths.
// Out of line: the CHALLENGE and AUTHENTICATE emitters share it (flash).
#[inline(never)]
pub(crate) fn descriptor(start: usize, end: usize) -> [u8; 8] {
    let [l0, l1] = (end.wrapping_sub(start) as u16).to_le_bytes();
    let [o0, o1, o2, o3] = (start as u32).to_le_bytes();
    [l0, l1, l0, l1, o0, o1, o2, o3]
}

/// Emits a field descriptor (Len, MaxLen = Len, BufferOffset).
pub(crate) fn put_field(
    sink: &mut dyn Sink,
    len: usize,
    offset: usize,
    what: crate::What,
) -> Result<()> {
    let len = u16::try_from(len).map_err(|_| Error::CapacityExceeded { what })?;
    let offset = u32::try_from(offset).map_err(|_| Error::CapacityExceeded { what })?;
    let mut field = [0u8; 8];
    let (lens, at) = field.split_at_mut(4);
    let (l, max) = lens.split_at_mut(2);
    l.copy_from_slice(&len.to_le_bytes());
    max.copy_from_slice(&len.to_le_bytes());
    at.copy_from_slice(&offset.to_le_bytes());
    sink.put(&field)
}

/// Sums payload lengths onto a header length, each checked to fit a u16 field.
pub(crate) fn layout<const N: usize>(
    header_len: usize,
    lens: [(usize, crate::What); N],
) -> Result<([usize; N], usize)> {
    let mut offsets = [0usize; N];
    let mut at = header_len;
    for (slot, (len, what)) in offsets.iter_mut().zip(lens) {
        if len > usize::from(u16::MAX) {
            return Err(Error::CapacityExceeded { what });
        }
        *slot = at;
        at = at
            .checked_add(len)
            .ok_or(Error::CapacityExceeded { what })?;
    }
    Ok((offsets, at))
}
