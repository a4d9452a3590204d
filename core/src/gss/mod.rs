//! GSS-API pieces of the Kerberos mechanism: RFC 2743 framing ([`token`]),
//! RFC 4121 per-message tokens for the RFC 3961 etypes ([`cfx`]) and RFC 4757
//! tokens for rc4-hmac ([`rc4`]).
//!
//! Wrap tokens come in two forms: in place in one buffer (`wrap`/`unwrap`),
//! and split into three caller slices (`wrap_iov`/`unwrap_iov`, after
//! `gss_wrap_iov` and SSPI's `EncryptMessage` buffers): the token is
//! `header | data | trailer`, the message is protected where it lies in
//! `data`, and the caller sends or receives the three slices as they are.

pub mod cfx;
pub mod rc4;
pub mod token;

/// How an IOV Wrap token places what RFC 4121 puts after the message (the
/// encrypted header copy and the checksum).
///
/// rc4-hmac (RFC 4757) tokens have no rotation: both layouts give
/// `header | data | padding` with one byte of padding in the trailer, where
/// Windows' `EncryptMessage` puts it too (its `SECBUFFER_PADDING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum IovLayout {
    /// RRC 0: `header | data | trailer`, the trailer holding the end of the
    /// ciphertext and the checksum (MIT `gss_wrap_iov` with HEADER, DATA and
    /// TRAILER buffers).
    Trailer,
    /// RRC = the trailer's length: everything sits in the header, before the
    /// data, and the trailer is empty (Windows `EncryptMessage`: a 60-byte
    /// `SECBUFFER_TOKEN` for AES-SHA1 with confidentiality, RRC 28).
    Rotated,
}
