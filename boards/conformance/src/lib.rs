//! The conformance cases every authcore board runs on its target, in one
//! place so that a board crate holds no protocol code: it supplies entropy, a
//! clock and a way to print, and calls [`run_all`].
//!
//! What runs (each group behind the feature that brings its code in):
//! - published vectors (`tests/vectors/`, compiled in by `build.rs`):
//!   MS-NLMP 4.2 (`ntlm`); RFC 3961 n-fold, RFC 3962, RFC 8009 and MIT krb5
//!   interop values (`kerberos`);
//! - a full NTLM handshake, initiator against acceptor inside the firmware,
//!   sealed messages and signatures both ways, and the refusals: wrong
//!   password, unknown user, tampered AUTHENTICATE, tampered sealed message,
//!   replayed sequence number (`ntlm`);
//! - Kerberos: the acceptor on MIT krb5's recorded AP-REQ with its service
//!   key, our initiator completing on MIT's recorded AP-REP (`kerberos`), and
//!   a full AP exchange over a ticket minted in the firmware as the demo realm
//!   does, sealed messages and MICs both ways, and the refusals: wrong service
//!   key, tampered AP-REQ, replay, clock skew, tampered wrap token
//!   (`minting`).
//!
//! [`footprint`] holds the minimal workloads the footprint firmwares run.
#![no_std]
#![forbid(unsafe_code)]
// The footprint firmwares build with one package at a time, which leaves
// helpers of the other unused.
#![cfg_attr(not(all(feature = "ntlm", feature = "kerberos")), allow(unused))]

use core::fmt;

use authcore::Time;
use rand_core::CryptoRng;

mod vectors;

#[cfg(feature = "ntlm")]
mod ntlm_cases;

#[cfg(feature = "kerberos")]
mod krb_cases;

#[cfg(feature = "kerberos")]
mod crypto_cases;

pub mod footprint;

/// Why a case failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// authcore returned an error where the case expected success.
    Error(authcore::Error),
    /// A result differed from the expected one.
    Mismatch(&'static str),
    /// A refusal case was accepted, or refused for another reason.
    NotRefused(&'static str),
}

impl From<authcore::Error> for Failure {
    fn from(e: authcore::Error) -> Failure {
        Failure::Error(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(e) => write!(f, "unexpected error: {e}"),
            Failure::Mismatch(what) => write!(f, "mismatch: {what}"),
            Failure::NotRefused(what) => write!(f, "not refused as expected: {what}"),
        }
    }
}

// The same words as Display, with authcore's typed error encoded (its
// message text stays on the host).
#[cfg(feature = "defmt")]
impl defmt::Format for Failure {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Failure::Error(e) => defmt::write!(f, "unexpected error: {}", e),
            Failure::Mismatch(what) => defmt::write!(f, "mismatch: {=str}", what),
            Failure::NotRefused(what) => defmt::write!(f, "not refused as expected: {=str}", what),
        }
    }
}

/// The outcome of one case.
pub type Outcome = Result<(), Failure>;

/// Fails with `Mismatch(what)` unless `ok`.
pub(crate) fn check(ok: bool, what: &'static str) -> Outcome {
    if ok {
        Ok(())
    } else {
        Err(Failure::Mismatch(what))
    }
}

/// Passes when `r` is the error `expected`.
pub(crate) fn refused<T>(
    r: Result<T, authcore::Error>,
    expected: authcore::Error,
    what: &'static str,
) -> Outcome {
    match r {
        Err(e) if e == expected => Ok(()),
        _ => Err(Failure::NotRefused(what)),
    }
}

/// What the board gives the cases.
pub struct Env<'a, R: CryptoRng + ?Sized> {
    /// The board's entropy source.
    pub rng: &'a mut R,
    /// The board's clock.
    pub now: &'a mut dyn FnMut() -> Time,
}

/// Passed and failed counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases that passed.
    pub passed: u32,
    /// Cases that failed.
    pub failed: u32,
}

impl Tally {
    /// True when at least one case ran and none failed.
    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.passed > 0
    }
}

pub(crate) struct Runner<'a> {
    report: &'a mut dyn FnMut(&str, &Outcome),
    tally: Tally,
}

impl Runner<'_> {
    pub(crate) fn case(&mut self, name: &str, outcome: Outcome) {
        if outcome.is_ok() {
            self.tally.passed += 1;
        } else {
            self.tally.failed += 1;
        }
        (self.report)(name, &outcome);
    }
}

/// Runs every case this build has, calling `report` with each case's name and
/// outcome as it finishes.
pub fn run_all<R: CryptoRng + ?Sized>(
    env: &mut Env<'_, R>,
    report: &mut dyn FnMut(&str, &Outcome),
) -> Tally {
    let mut runner = Runner {
        report,
        tally: Tally::default(),
    };
    #[cfg(feature = "ntlm")]
    ntlm_cases::run(env, &mut runner);
    #[cfg(feature = "kerberos")]
    crypto_cases::run(&mut runner);
    #[cfg(feature = "kerberos")]
    krb_cases::run(env, &mut runner);
    let _ = env;
    runner.tally
}

/// `size_of` the contexts a firmware holds, by name, on this target.
pub fn context_sizes(mut each: impl FnMut(&str, usize)) {
    use core::mem::size_of;
    #[cfg(feature = "ntlm")]
    {
        each("ntlm::Initiator", size_of::<authcore::ntlm::Initiator>());
        each(
            "ntlm::Acceptor",
            size_of::<authcore::ntlm::Acceptor<'static, &'static footprint::OneUser>>(),
        );
    }
    #[cfg(feature = "kerberos")]
    {
        use authcore::kerberos::{Acceptor, Initiator, KeyEntry, ReplayCache};
        each("kerberos::Initiator", size_of::<Initiator<'static>>());
        each(
            "kerberos::Acceptor",
            size_of::<Acceptor<'static, [KeyEntry<'static>], &'static mut ReplayCache<8>>>(),
        );
        each("kerberos::ReplayCache<8>", size_of::<ReplayCache<8>>());
    }
    #[cfg(feature = "spnego")]
    {
        use authcore::kerberos::{KeyEntry, ReplayCache};
        each(
            "spnego::Initiator",
            size_of::<authcore::spnego::Initiator<'static>>(),
        );
        each(
            "spnego::Acceptor",
            size_of::<
                authcore::spnego::Acceptor<
                    'static,
                    &'static footprint::OneUser,
                    [KeyEntry<'static>],
                    &'static mut ReplayCache<8>,
                >,
            >(),
        );
    }
    let _ = &mut each;
}
