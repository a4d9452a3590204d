//! The lifecycle every package shares: one `step` shape, one protection shape.
//!
//! Modelled on SSPI's `InitializeSecurityContext`/`AcceptSecurityContext` and on
//! rustls' unbuffered API: each call consumes the peer's token and tells the caller
//! what to do next with the bytes written into its buffer.

use core::ops::Range;

use rand_core::CryptoRng;

use crate::Result;

/// What the caller does after a successful [`Step::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub enum Progress {
    /// Send `out[..written]` to the peer, then call `step` again with its answer.
    Continue { written: usize },
    /// Send `out[..written]` to the realm's KDC, then call `step` with the KDC's reply.
    SendToKdc { written: usize },
    /// Established. `out[..written]` (possibly empty) is the last token for the peer.
    Complete { written: usize },
}

/// Wall-clock time, supplied by the caller (core has no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Time {
    unix_micros: i64,
}

impl Time {
    /// Microseconds since 1970-01-01T00:00:00Z.
    pub const fn from_unix_micros(unix_micros: i64) -> Time {
        Time { unix_micros }
    }
    /// Whole seconds since the Unix epoch.
    pub const fn from_unix_secs(secs: i64) -> Time {
        Time {
            unix_micros: secs.saturating_mul(1_000_000),
        }
    }
    /// Microseconds since the Unix epoch.
    pub const fn unix_micros(self) -> i64 {
        self.unix_micros
    }
    /// Whole seconds since the Unix epoch (floor).
    pub const fn unix_secs(self) -> i64 {
        self.unix_micros.div_euclid(1_000_000)
    }
    /// The microseconds within the second (Kerberos `cusec`).
    pub const fn subsec_micros(self) -> u32 {
        // rem_euclid of a positive divisor lies in 0..1_000_000: fits u32.
        self.unix_micros.rem_euclid(1_000_000) as u32
    }
    /// Windows FILETIME: 100 ns intervals since 1601-01-01 (NTLM timestamps).
    // Its 64-bit saturating arithmetic is about 80 bytes of Thumb code; one
    // copy instead of one per NTLM step.
    #[cfg_attr(not(authcore_host), inline(never))]
    pub const fn filetime(self) -> u64 {
        const EPOCH_DIFF_100NS: i64 = 116_444_736_000_000_000;
        let t = self
            .unix_micros
            .saturating_mul(10)
            .saturating_add(EPOCH_DIFF_100NS);
        if t < 0 {
            0
        } else {
            t as u64
        }
    }
    /// The time of a Windows FILETIME (saturating).
    pub const fn from_filetime(ft: u64) -> Time {
        const EPOCH_DIFF_100NS: i64 = 116_444_736_000_000_000;
        let ft = if ft > i64::MAX as u64 {
            i64::MAX
        } else {
            ft as i64
        };
        Time {
            unix_micros: ft.saturating_sub(EPOCH_DIFF_100NS).div_euclid(10),
        }
    }
}

/// One side of a security context being established (initiator or acceptor).
pub trait Step {
    /// Feeds the peer's token (empty for an initiator's first call) and writes the
    /// next token into `out`. On any error the context is failed for good.
    fn step<R: CryptoRng + ?Sized>(
        &mut self,
        input: &[u8],
        out: &mut [u8],
        now: Time,
        rng: &mut R,
    ) -> Result<Progress>;

    /// Bytes of an error token the failed step left in `out`, to send to the
    /// peer before closing (0 when there is none). Meaningful right after
    /// [`Step::step`] returned an error.
    fn error_token_len(&self) -> usize {
        0
    }
}

/// Sizes a caller needs to allocate protection buffers (`QueryContextAttributes(SIZES)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Sizes {
    /// Largest handshake token this package emits.
    pub max_token: usize,
    /// Bytes of a signature / MIC token.
    pub max_signature: usize,
    /// Bytes a sealed message carries before its data.
    pub seal_header: usize,
    /// Bytes a sealed message carries after its data (at most).
    pub seal_trailer: usize,
    /// Cipher block size, for callers that pad.
    pub block_size: usize,
}

/// Message protection on an established context (SSPI `MakeSignature`,
/// `VerifySignature`, `EncryptMessage`, `DecryptMessage`; GSS `get_mic`, `verify_mic`,
/// `wrap`, `unwrap`). Sequence numbers advance on every call that succeeds.
pub trait Protect {
    /// Sizes for this context's protection tokens.
    fn sizes(&self) -> Sizes;

    /// Writes a signature (MIC) over `data` into `signature`; returns its length.
    fn sign(&mut self, data: &[u8], signature: &mut [u8]) -> Result<usize>;

    /// Verifies a signature (MIC) over `data`, in sequence.
    fn verify(&mut self, data: &[u8], signature: &[u8]) -> Result<()>;

    /// Seals (wraps with confidentiality) in place: the message is at
    /// `buf[sizes().seal_header..][..data_len]`; returns the token length in `buf`.
    /// `rng` supplies the confounders some mechanisms (Kerberos) need.
    fn seal<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
        buf: &mut [u8],
        data_len: usize,
    ) -> Result<usize>;

    /// Unseals (unwraps) a token in place; returns where the message now lies in `buf`.
    fn unseal(&mut self, buf: &mut [u8]) -> Result<Range<usize>>;
}
