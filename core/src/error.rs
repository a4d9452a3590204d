//! The one error type of the crate.
//!
//! Every variant says what failed; none carries secret material. Contexts that
//! return an error move to a failed state and keep returning [`Error::WrongState`].

use core::fmt;

use crate::What;

/// Everything that can go wrong in authcore.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The output buffer is too small; `needed` bytes are required.
    BufferTooSmall { needed: usize },
    /// Input ended before the named field was complete.
    Truncated { what: What },
    /// The named field is malformed (bad value, bad offset, bad encoding).
    Malformed { what: What },
    /// An encryption type the build or the policy does not support.
    UnsupportedEtype { etype: i32 },
    /// A checksum type the build or the policy does not support.
    UnsupportedChecksum { cksumtype: i32 },
    /// A key of the wrong length for its encryption type.
    BadKeyLength { etype: i32, len: usize },
    /// A ciphertext too short or of an impossible length for its etype.
    BadCiphertextLength { len: usize },
    /// A checksum, MAC, MIC or proof did not verify.
    Integrity { what: What },
    /// The peer's clock (or the ticket's time) is outside the allowed skew.
    ClockSkew,
    /// A message, authenticator or sequence number was seen before.
    Replay,
    /// A sequence number arrived out of order (gap or reordering).
    OutOfSequence,
    /// A ticket or credential has expired.
    Expired,
    /// A ticket is not valid yet.
    NotYetValid,
    /// The peer asked for something the local policy refuses.
    Policy { what: What },
    /// The credential store or key table has no entry for the requested name.
    UnknownPrincipal,
    /// No key of the requested version (kvno) is available.
    BadKeyVersion,
    /// No key of the requested etype is available.
    NoKey,
    /// The peer sent a KRB-ERROR with this error code.
    KrbError { code: i32 },
    /// Authentication failed (wrong password / key).
    LogonDenied,
    /// A method was called in the wrong order or on a failed context.
    WrongState,
    /// The caller's random number generator failed.
    Rng,
    /// A bounded capacity (replay cache, name buffer, …) is exhausted.
    CapacityExceeded { what: What },
    /// An IOV Wrap token was split into header and trailer slices it does not
    /// have: `header` and `trailer` are the lengths this token needs (both 0
    /// when its layout fits no IOV split: unwrap it as one buffer).
    IovSlices { header: usize, trailer: usize },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::BufferTooSmall { needed } => {
                write!(f, "buffer too small: {needed} bytes needed")
            }
            Error::Truncated { what } => write!(f, "truncated input: {what}"),
            Error::Malformed { what } => write!(f, "malformed {what}"),
            Error::UnsupportedEtype { etype } => write!(f, "unsupported encryption type {etype}"),
            Error::UnsupportedChecksum { cksumtype } => {
                write!(f, "unsupported checksum type {cksumtype}")
            }
            Error::BadKeyLength { etype, len } => {
                write!(f, "key of {len} bytes does not fit encryption type {etype}")
            }
            Error::BadCiphertextLength { len } => write!(f, "impossible ciphertext length {len}"),
            Error::Integrity { what } => write!(f, "integrity check failed: {what}"),
            Error::ClockSkew => f.write_str("clock skew too great"),
            Error::Replay => f.write_str("replayed message"),
            Error::OutOfSequence => f.write_str("message out of sequence"),
            Error::Expired => f.write_str("ticket or credential expired"),
            Error::NotYetValid => f.write_str("ticket not yet valid"),
            Error::Policy { what } => write!(f, "refused by policy: {what}"),
            Error::UnknownPrincipal => f.write_str("unknown user or principal"),
            Error::BadKeyVersion => f.write_str("no key of that version"),
            Error::NoKey => f.write_str("no key for that encryption type"),
            Error::KrbError { code } => write!(f, "KRB-ERROR {code} from peer"),
            Error::LogonDenied => f.write_str("logon denied: wrong credentials"),
            Error::WrongState => f.write_str("call out of order or context failed"),
            Error::Rng => f.write_str("random number generator failed"),
            Error::CapacityExceeded { what } => write!(f, "capacity exceeded: {what}"),
            Error::IovSlices { header, trailer } => write!(
                f,
                "Wrap token split wrongly: needs a {header}-byte header and a {trailer}-byte trailer"
            ),
        }
    }
}

impl core::error::Error for Error {}

/// Result with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;
