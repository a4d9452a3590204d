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
    /// A key of the wrong length (`len` bytes) for its encryption type.
    BadKeyLength { len: usize },
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
    /// have: `split` holds the lengths this token needs (both 0 when its layout
    /// fits no IOV split: unwrap it as one buffer).
    IovSlices { split: IovSplit },
}

// Every variant carries at most one word, so that `Result<(), Error>` is two
// words, which 32-bit targets return in registers rather than through memory:
// each `?` then costs a compare instead of a copy (measured on thumbv7em
// against a third word for two-field variants: -180 B of the NTLM firmware,
// -2.0 KB of the everything one). Two numbers are packed (`IovSplit`).
const _: () = assert!(core::mem::size_of::<Error>() == 2 * core::mem::size_of::<usize>());

/// The header and trailer lengths an IOV Wrap token needs ([`Error::IovSlices`]),
/// packed in one word (each at most 65,535; Wrap token headers and trailers
/// are tens of bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct IovSplit(usize);

impl IovSplit {
    /// Header and trailer lengths, each saturated to 65,535.
    pub const fn new(header: usize, trailer: usize) -> IovSplit {
        const MAX: usize = u16::MAX as usize;
        let h = if header > MAX { MAX } else { header };
        let t = if trailer > MAX { MAX } else { trailer };
        IovSplit(h | (t << 16))
    }

    /// The header slice's length.
    pub const fn header(self) -> usize {
        self.0 & 0xFFFF
    }

    /// The trailer slice's length.
    pub const fn trailer(self) -> usize {
        (self.0 >> 16) & 0xFFFF
    }
}

impl fmt::Debug for IovSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IovSplit")
            .field("header", &self.header())
            .field("trailer", &self.trailer())
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for IovSplit {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "IovSplit {{ header: {=usize}, trailer: {=usize} }}",
            self.header(),
            self.trailer()
        )
    }
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
            Error::BadKeyLength { len } => {
                write!(f, "key of {len} bytes does not fit its encryption type")
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
            Error::IovSlices { split } => write!(
                f,
                "Wrap token split wrongly: needs a {}-byte header and a {}-byte trailer",
                split.header(),
                split.trailer()
            ),
        }
    }
}

impl core::error::Error for Error {}

/// Result with the crate's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iov_split_packs_both_lengths() {
        let s = IovSplit::new(45, 1);
        assert_eq!((s.header(), s.trailer()), (45, 1));
        let s = IovSplit::new(70_000, 65_535);
        assert_eq!((s.header(), s.trailer()), (65_535, 65_535));
        let mut text = heapless::String::<96>::new();
        core::fmt::write(
            &mut text,
            format_args!(
                "{}",
                Error::IovSlices {
                    split: IovSplit::new(16, 60)
                }
            ),
        )
        .unwrap();
        assert_eq!(
            text,
            "Wrap token split wrongly: needs a 16-byte header and a 60-byte trailer"
        );
    }
}
