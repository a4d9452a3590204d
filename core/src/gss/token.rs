//! GSS-API context-establishment token framing (RFC 2743 section 3.1) and the
//! Kerberos mechanism's token IDs (RFC 1964 section 1.1, RFC 4121 section 4.1).
//!
//! ```text
//! InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
//!     thisMech          MechType,      -- OBJECT IDENTIFIER
//!     innerContextToken ANY DEFINED BY thisMech }
//! ```
//! For krb5 the inner token is a two-byte TOK_ID followed by the Kerberos
//! message (AP-REQ, AP-REP or KRB-ERROR). Every krb5 context token carries
//! the framing, not only the initiator's first.

use crate::der::{tag, Reader, Writer};
use crate::{Error, Result};

/// Content octets of the krb5 mechanism OID 1.2.840.113554.1.2.2 (RFC 1964).
pub const KRB5_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];

/// Content octets of 1.2.840.48018.1.2.2, the OID older Windows sends for krb5
/// in SPNEGO (a mis-encoding of the krb5 OID that became its own value).
pub const MS_KRB5_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02];

/// krb5 TOK_ID values (RFC 4121 section 4.1).
pub mod tok_id {
    /// KRB_AP_REQ.
    pub const AP_REQ: [u8; 2] = [0x01, 0x00];
    /// KRB_AP_REP.
    pub const AP_REP: [u8; 2] = [0x02, 0x00];
    /// KRB_ERROR.
    pub const KRB_ERROR: [u8; 2] = [0x03, 0x00];
}

/// The `[APPLICATION 0]` identifier of an InitialContextToken.
const TOKEN_TAG: u8 = tag::application(0);

/// A framed context token: mechanism OID and the mechanism's inner token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitialContextToken<'a> {
    /// The mechanism OID's content octets (see [`KRB5_OID`]).
    pub mech: &'a [u8],
    /// The mechanism-specific token, uninterpreted.
    pub inner: &'a [u8],
}

impl<'a> InitialContextToken<'a> {
    /// Parses a whole token; bytes after it are an error.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let what = what!("GSS InitialContextToken");
        let mut outer = Reader::new(bytes);
        let mut body = outer.nested(TOKEN_TAG, what)?;
        outer.finish(what)?;
        let mech = body.oid(what!("GSS InitialContextToken.thisMech"))?;
        Ok(InitialContextToken {
            mech,
            inner: body.remaining(),
        })
    }

    /// Bytes of the framing before the inner token.
    pub fn header_len(mech: &[u8], inner_len: usize) -> usize {
        let oid_len = tlv_len(mech.len());
        tlv_len(oid_len.saturating_add(inner_len)).saturating_sub(inner_len)
    }

    /// Length of the whole token.
    pub fn encoded_len(&self) -> usize {
        Self::header_len(self.mech, self.inner.len()).saturating_add(self.inner.len())
    }

    /// Writes the token at the start of `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(out);
        w.constructed(TOKEN_TAG, |w| {
            w.bytes(self.inner);
            w.oid(self.mech);
            Ok(())
        })?;
        w.finish()
    }

    /// Writes only the framing for an inner token of `inner_len` bytes that the
    /// caller has placed (or will place) at `out[header_len..]`, so a message
    /// can be emitted in place without a copy. Returns the header length.
    pub fn emit_header(mech: &[u8], inner_len: usize, out: &mut [u8]) -> Result<usize> {
        let header_len = Self::header_len(mech, inner_len);
        let head = out.get_mut(..header_len).ok_or(Error::BufferTooSmall {
            needed: header_len.saturating_add(inner_len),
        })?;
        let mut w = Writer::new(head);
        w.oid(mech);
        let oid_len = w.len();
        w.header(TOKEN_TAG, oid_len.saturating_add(inner_len));
        w.finish()
    }
}

/// Length of a TLV with `content_len` content bytes.
fn tlv_len(content_len: usize) -> usize {
    let mut w = Writer::counting();
    w.header(0, content_len);
    w.len().saturating_add(content_len)
}

/// A krb5 context token: framing, TOK_ID and the Kerberos message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Krb5Token<'a> {
    /// [`KRB5_OID`] or [`MS_KRB5_OID`].
    pub mech: &'a [u8],
    /// One of [`tok_id`].
    pub tok_id: [u8; 2],
    /// The DER Kerberos message.
    pub message: &'a [u8],
}

impl<'a> Krb5Token<'a> {
    /// Parses a framed krb5 token; the mechanism must be krb5 (either OID).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let token = InitialContextToken::parse(bytes)?;
        if token.mech != KRB5_OID && token.mech != MS_KRB5_OID {
            return Err(Error::Malformed {
                what: what!("GSS token mechanism (not krb5)"),
            });
        }
        let (id, message) = token
            .inner
            .split_first_chunk::<2>()
            .ok_or(Error::Truncated {
                what: what!("krb5 TOK_ID"),
            })?;
        Ok(Krb5Token {
            mech: token.mech,
            tok_id: *id,
            message,
        })
    }

    /// Length of the whole token.
    pub fn encoded_len(&self) -> usize {
        let inner = self.message.len().saturating_add(2);
        InitialContextToken::header_len(self.mech, inner).saturating_add(inner)
    }

    /// Writes the token at the start of `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize> {
        let mut w = Writer::new(out);
        w.constructed(TOKEN_TAG, |w| {
            w.bytes(self.message);
            w.bytes(&self.tok_id);
            w.oid(self.mech);
            Ok(())
        })?;
        w.finish()
    }

    /// Bytes before the Kerberos message: framing plus TOK_ID.
    pub fn header_len(mech: &[u8], message_len: usize) -> usize {
        InitialContextToken::header_len(mech, message_len.saturating_add(2)).saturating_add(2)
    }

    /// Writes framing and TOK_ID for a message of `message_len` bytes the caller
    /// places at `out[header_len..]`. Returns the header length.
    pub fn emit_header(
        mech: &[u8],
        tok_id: [u8; 2],
        message_len: usize,
        out: &mut [u8],
    ) -> Result<usize> {
        let inner_len = message_len.saturating_add(2);
        let framing = InitialContextToken::emit_header(mech, inner_len, out)?;
        let header_len = framing.saturating_add(2);
        out.get_mut(framing..header_len)
            .ok_or(Error::BufferTooSmall {
                needed: header_len.saturating_add(message_len),
            })?
            .copy_from_slice(&tok_id);
        Ok(header_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_parses() {
        let msg = [0x6eu8, 0x02, 0x30, 0x00];
        let tok = Krb5Token {
            mech: KRB5_OID,
            tok_id: tok_id::AP_REQ,
            message: &msg,
        };
        let mut buf = [0u8; 64];
        let n = tok.emit(&mut buf).unwrap();
        assert_eq!(n, tok.encoded_len());
        // 0x60 len, 06 09 <krb5 oid>, 01 00, message.
        assert_eq!(&buf[..4], &[0x60, 0x11, 0x06, 0x09]);
        assert_eq!(&buf[4..13], KRB5_OID);
        assert_eq!(&buf[13..15], &[0x01, 0x00]);
        assert_eq!(&buf[15..n], &msg);
        assert_eq!(Krb5Token::parse(&buf[..n]).unwrap(), tok);

        // The in-place path gives the same bytes.
        let mut inplace = [0u8; 64];
        let h = Krb5Token::header_len(KRB5_OID, msg.len());
        inplace[h..h + msg.len()].copy_from_slice(&msg);
        assert_eq!(
            Krb5Token::emit_header(KRB5_OID, tok_id::AP_REQ, msg.len(), &mut inplace).unwrap(),
            h
        );
        assert_eq!(&inplace[..n], &buf[..n]);
    }

    #[test]
    fn long_form_length() {
        let msg = [0x30u8; 300];
        let tok = Krb5Token {
            mech: MS_KRB5_OID,
            tok_id: tok_id::AP_REP,
            message: &msg,
        };
        let mut buf = [0u8; 400];
        let n = tok.emit(&mut buf).unwrap();
        assert_eq!(&buf[..4], &[0x60, 0x82, 0x01, 0x39]);
        assert_eq!(n, 4 + 0x139);
        assert_eq!(Krb5Token::header_len(MS_KRB5_OID, 300), 4 + 11 + 2);
        assert_eq!(Krb5Token::parse(&buf[..n]).unwrap(), tok);
        assert_eq!(
            tok.emit(&mut [0u8; 100]).unwrap_err(),
            Error::BufferTooSmall { needed: n }
        );
    }

    #[test]
    fn rejects_bad_tokens() {
        // Other mechanism (NTLMSSP 1.3.6.1.4.1.311.2.2.10).
        let ntlm = [
            0x60, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
            0x01, 0x00,
        ];
        assert!(InitialContextToken::parse(&ntlm).is_ok());
        assert!(Krb5Token::parse(&ntlm).is_err());
        // Trailing byte, missing TOK_ID, wrong outer tag, indefinite length.
        let mut good = [0u8; 32];
        let n = Krb5Token {
            mech: KRB5_OID,
            tok_id: tok_id::KRB_ERROR,
            message: &[],
        }
        .emit(&mut good)
        .unwrap();
        assert!(Krb5Token::parse(&good[..n]).is_ok());
        assert!(Krb5Token::parse(&good[..n + 1]).is_err());
        let mut no_id = good;
        no_id[1] = 0x0b;
        assert!(Krb5Token::parse(&no_id[..13]).is_err());
        let mut wrong = good;
        wrong[0] = 0x30;
        assert!(Krb5Token::parse(&wrong[..n]).is_err());
        let mut indefinite = good;
        indefinite[1] = 0x80;
        assert!(Krb5Token::parse(&indefinite[..n]).is_err());
        for i in 0..n {
            assert!(Krb5Token::parse(&good[..i]).is_err());
        }
    }
}
