//! DER writer that fills the caller's buffer from its end.
//!
//! DER puts every length before its content, so a forward writer must know each
//! nested length in advance. Writing backwards needs no such pass: a
//! constructed element writes its content (last field first), then prepends its
//! length and tag. When the buffer is too short the writer keeps counting
//! without storing, so one pass yields the exact size for
//! [`Error::BufferTooSmall`] and for `encoded_len()`.

use super::{tag, time};
use crate::{Error, Result};

/// Backwards DER writer over a caller buffer.
#[derive(Debug)]
pub struct Writer<'b> {
    buf: &'b mut [u8],
    /// Bytes produced so far (stored or, past the buffer, only counted).
    len: usize,
}

impl<'b> Writer<'b> {
    /// A writer filling `buf` from its end.
    pub fn new(buf: &'b mut [u8]) -> Writer<'b> {
        Writer { buf, len: 0 }
    }

    /// A writer that stores nothing and only measures.
    pub fn counting() -> Writer<'static> {
        Writer {
            buf: &mut [],
            len: 0,
        }
    }

    /// Bytes produced so far.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True before anything was written.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Moves the encoding to the front of the buffer; returns its length, or
    /// `BufferTooSmall` with the exact size needed (the buffer's content is then
    /// unspecified: the tail of the encoding may have been written).
    pub fn finish(self) -> Result<usize> {
        let start = self
            .buf
            .len()
            .checked_sub(self.len)
            .ok_or(Error::BufferTooSmall { needed: self.len })?;
        crate::bytes::shift_to_front(self.buf, start);
        Ok(self.len)
    }

    /// Leaves the encoding at the end of the buffer; returns where it starts.
    pub fn finish_at_end(self) -> Result<usize> {
        self.buf
            .len()
            .checked_sub(self.len)
            .ok_or(Error::BufferTooSmall { needed: self.len })
    }

    /// Prepends raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) {
        let new_len = self.len.saturating_add(bytes.len());
        if let Some(start) = self.buf.len().checked_sub(new_len) {
            if let Some(dst) = self.buf.get_mut(start..start.saturating_add(bytes.len())) {
                crate::bytes::copy(dst, bytes);
            }
        }
        self.len = new_len;
    }

    /// Counts `n` bytes the caller already placed in the buffer right before
    /// what was written so far, as if prepended with [`Writer::bytes`]: a
    /// ciphertext encrypted in place where it will be sent needs no copy.
    pub fn placed(&mut self, n: usize) {
        self.len = self.len.saturating_add(n);
    }

    /// Prepends one byte.
    pub fn byte(&mut self, b: u8) {
        let new_len = self.len.saturating_add(1);
        if let Some(at) = self.buf.len().checked_sub(new_len) {
            if let Some(slot) = self.buf.get_mut(at) {
                *slot = b;
            }
        }
        self.len = new_len;
    }

    /// Prepends an identifier and a minimal length. Byte by byte: every
    /// element of an encoding passes here, and slice copies of one or two
    /// octets would each be a `memcpy` call.
    pub fn header(&mut self, tag: u8, content_len: usize) {
        if content_len < 0x80 {
            // The short form: the length itself (below 0x80) is the octet.
            self.byte(content_len as u8);
        } else {
            // Long form: the significant octets, least significant first
            // (prepending), then their count (at most size_of::<usize>()).
            let mut rest = content_len;
            let mut count = 0u8;
            while rest != 0 {
                self.byte(rest as u8);
                rest = rest.wrapping_shr(8);
                count = count.wrapping_add(1);
            }
            self.byte(0x80 | count);
        }
        self.byte(tag);
    }

    /// Prepends a primitive element.
    pub fn primitive(&mut self, tag: u8, content: &[u8]) {
        self.bytes(content);
        self.header(tag, content.len());
    }

    /// Prepends a constructed element whose content `f` writes (backwards).
    pub fn constructed(&mut self, tag: u8, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        let mark = self.len;
        f(self)?;
        let content_len = self.len.saturating_sub(mark);
        self.header(tag, content_len);
        Ok(())
    }

    /// `SEQUENCE { f }`.
    pub fn sequence(&mut self, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.constructed(tag::SEQUENCE, f)
    }

    /// `[n] { f }` (explicit context tag).
    pub fn field(&mut self, n: u8, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.constructed(tag::context(n), f)
    }

    /// `[APPLICATION n] { f }`.
    pub fn application(&mut self, n: u8, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.constructed(tag::application(n), f)
    }

    /// A minimal INTEGER.
    pub fn integer(&mut self, value: i64) {
        let be = value.to_be_bytes();
        // Drop leading octets that only repeat the sign of the next one.
        let mut skip = 0;
        while let (Some(&b), Some(&next)) = (be.get(skip), be.get(skip.saturating_add(1))) {
            let redundant = (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0);
            if !redundant {
                break;
            }
            skip = skip.saturating_add(1);
        }
        self.primitive(tag::INTEGER, be.get(skip..).unwrap_or(&[]));
    }

    /// An OCTET STRING.
    pub fn octet_string(&mut self, content: &[u8]) {
        self.primitive(tag::OCTET_STRING, content);
    }

    /// A GeneralString (KerberosString).
    pub fn general_string(&mut self, content: &[u8]) {
        self.primitive(tag::GENERAL_STRING, content);
    }

    /// A BOOLEAN.
    pub fn boolean(&mut self, value: bool) {
        self.primitive(tag::BOOLEAN, &[if value { 0xff } else { 0x00 }]);
    }

    /// KerberosFlags: always 32 bits, as every implementation sends them
    /// (RFC 4120 section 5.2.8).
    pub fn kerberos_flags(&mut self, flags: u32) {
        let be = flags.to_be_bytes();
        self.bytes(&be);
        self.byte(0);
        self.header(tag::BIT_STRING, 5);
    }

    /// A KerberosTime from Unix seconds; fails outside years 0000..=9999.
    pub fn kerberos_time(&mut self, unix_secs: i64) -> Result<()> {
        let text = time::format_generalized(unix_secs).ok_or(Error::Malformed {
            what: what!("KerberosTime out of range"),
        })?;
        self.primitive(tag::GENERALIZED_TIME, &text);
        Ok(())
    }

    /// An OBJECT IDENTIFIER from its content octets.
    pub fn oid(&mut self, content: &[u8]) {
        self.primitive(tag::OID, content);
    }
}
