//! Authenticator replay detection (RFC 4120 section 3.2.3) without allocation.
//!
//! An acceptor must refuse an authenticator it has already seen while that
//! authenticator could still pass the clock-skew check. Like MIT's replay
//! cache, entries are keyed by a hash of the authenticator *ciphertext*
//! ([`replay_digest`]): nothing secret is kept, and two different
//! authenticators never collide in practice. An entry can be dropped once
//! `ctime + skew` has passed, because the skew check rejects the authenticator
//! from then on.
//!
//! A full cache never accepts silently: it first evicts expired entries and,
//! if none expired, refuses the authenticator with
//! [`Error::CapacityExceeded`] (`"replay cache"`). Size the cache for the peak
//! number of handshakes within twice the clock skew.

use sha2::{Digest, Sha256};

use crate::{Error, Result, Time};

/// Length of a [`ReplayDigest`].
pub const REPLAY_DIGEST_LEN: usize = 16;

/// The replay-cache key of one authenticator.
pub type ReplayDigest = [u8; REPLAY_DIGEST_LEN];

/// The first 16 bytes of SHA-256 over an authenticator's ciphertext.
pub fn replay_digest(authenticator_cipher: &[u8]) -> ReplayDigest {
    let full: [u8; 32] = Sha256::digest(authenticator_cipher).into();
    let mut out = [0u8; REPLAY_DIGEST_LEN];
    for (o, f) in out.iter_mut().zip(full) {
        *o = f;
    }
    out
}

/// Where an acceptor records authenticators: a [`ReplayCache`] it owns or
/// borrows (`&mut ReplayCache<N>`), or a shared cache behind a lock that the
/// std adapter provides.
pub trait ReplayCheck {
    /// Records `digest`, valid until `ctime + skew_secs`; fails with
    /// [`Error::Replay`] when it was seen before and with
    /// [`Error::CapacityExceeded`] when there is no room even after evicting
    /// the entries that expired at `now`.
    fn check_and_insert(
        &mut self,
        digest: &ReplayDigest,
        ctime: Time,
        now: Time,
        skew_secs: u32,
    ) -> Result<()>;
}

impl<C: ReplayCheck + ?Sized> ReplayCheck for &mut C {
    fn check_and_insert(
        &mut self,
        digest: &ReplayDigest,
        ctime: Time,
        now: Time,
        skew_secs: u32,
    ) -> Result<()> {
        (**self).check_and_insert(digest, ctime, now, skew_secs)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    digest: ReplayDigest,
    /// Unix microseconds after which the authenticator fails the skew check.
    expires: i64,
}

const EMPTY: Entry = Entry {
    digest: [0; REPLAY_DIGEST_LEN],
    expires: i64::MIN,
};

/// A fixed-capacity replay cache of `N` entries (24 bytes each).
#[derive(Debug, Clone)]
pub struct ReplayCache<const N: usize> {
    entries: [Entry; N],
    len: usize,
}

impl<const N: usize> Default for ReplayCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ReplayCache<N> {
    /// An empty cache (usable in a `static`).
    pub const fn new() -> Self {
        ReplayCache {
            entries: [EMPTY; N],
            len: 0,
        }
    }

    /// Entries held (expired ones included until evicted).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is recorded.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Most entries the cache holds.
    pub const fn capacity(&self) -> usize {
        N
    }

    fn live(&self) -> &[Entry] {
        self.entries.get(..self.len).unwrap_or(&[])
    }

    /// Drops entries whose expiry is before `now`, keeping the others in order.
    fn evict_expired(&mut self, now: i64) {
        let mut kept = 0usize;
        for i in 0..self.len {
            let Some(entry) = self.entries.get(i) else {
                break;
            };
            if entry.expires >= now {
                // Copied as scalars: a struct copy within one array (or a
                // swap) compiles to `memmove` (see crate::bytes).
                let (digest, expires) = (u128::from_ne_bytes(entry.digest), entry.expires);
                if let Some(slot) = self.entries.get_mut(kept) {
                    slot.digest = digest.to_ne_bytes();
                    slot.expires = expires;
                }
                kept = kept.saturating_add(1);
            }
        }
        if let Some(rest) = self.entries.get_mut(kept..self.len) {
            rest.fill(EMPTY);
        }
        self.len = kept;
    }
}

impl<const N: usize> ReplayCheck for ReplayCache<N> {
    fn check_and_insert(
        &mut self,
        digest: &ReplayDigest,
        ctime: Time,
        now: Time,
        skew_secs: u32,
    ) -> Result<()> {
        // A digest match is a replay even if its entry expired but was not yet
        // evicted: the skew check would refuse such an authenticator anyway.
        if self.live().iter().any(|e| e.digest == *digest) {
            return Err(Error::Replay);
        }
        if self.len >= N {
            self.evict_expired(now.unix_micros());
        }
        let slot = self
            .entries
            .get_mut(self.len)
            .ok_or(Error::CapacityExceeded {
                what: what!("replay cache"),
            })?;
        let skew = i64::from(skew_secs).saturating_mul(1_000_000);
        *slot = Entry {
            digest: *digest,
            expires: ctime.unix_micros().saturating_add(skew),
        };
        self.len = self.len.saturating_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Time {
        Time::from_unix_secs(secs)
    }

    #[test]
    fn detects_replays_and_never_overflows_silently() {
        let mut c = ReplayCache::<2>::new();
        let (a, b, d) = (
            replay_digest(b"a"),
            replay_digest(b"b"),
            replay_digest(b"d"),
        );
        c.check_and_insert(&a, t(1000), t(1000), 300).unwrap();
        assert_eq!(
            c.check_and_insert(&a, t(1000), t(1001), 300),
            Err(Error::Replay)
        );
        c.check_and_insert(&b, t(1100), t(1100), 300).unwrap();
        // Full and nothing expired: refused, not accepted.
        assert_eq!(
            c.check_and_insert(&d, t(1200), t(1200), 300),
            Err(Error::CapacityExceeded {
                what: what!("replay cache")
            })
        );
        assert_eq!(c.len(), 2);
        // At 1301 `a` (expires 1300) has expired and makes room; `b` stays.
        c.check_and_insert(&d, t(1301), t(1301), 300).unwrap();
        assert_eq!(
            c.check_and_insert(&b, t(1100), t(1302), 300),
            Err(Error::Replay)
        );
        assert_eq!(
            c.check_and_insert(&d, t(1301), t(1302), 300),
            Err(Error::Replay)
        );
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn through_a_mutable_reference() {
        fn take<C: ReplayCheck>(mut c: C, d: &ReplayDigest) -> Result<()> {
            c.check_and_insert(d, t(5), t(5), 300)
        }
        let mut c = ReplayCache::<1>::new();
        let d = replay_digest(b"x");
        take(&mut c, &d).unwrap();
        assert_eq!(take(&mut c, &d), Err(Error::Replay));
        let mut z = ReplayCache::<0>::new();
        assert!(matches!(
            take(&mut z, &d),
            Err(Error::CapacityExceeded { .. })
        ));
    }
}
