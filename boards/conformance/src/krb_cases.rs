//! Kerberos on target: MIT krb5's recorded AP exchange on both sides, and
//! (feature `minting`) full AP exchanges over tickets minted in the firmware
//! as the demo realm mints them, with protection both ways and the refusals.

use authcore::kerberos::{Acceptor, AcceptorConfig, Initiator, InitiatorConfig, ReplayCache};
use authcore::{Error, Progress, Step};
use rand_core::CryptoRng;

use crate::footprint::{self, recorded, KRB_BUF_LEN};
#[cfg(feature = "minting")]
use crate::Failure;
use crate::{check, refused, Env, Outcome, Runner};

/// MIT's AP-REQ accepted once, refused the second time (shared replay cache).
#[inline(never)]
fn recorded_replay<R: CryptoRng + ?Sized>(rng: &mut R) -> Outcome {
    let keytab = recorded::keytab()?;
    let when = recorded::time()?;
    let mut cache = ReplayCache::<4>::new();
    let mut out = [0u8; KRB_BUF_LEN];
    let mut acc = Acceptor::new(&keytab[..], &mut cache, AcceptorConfig::default())?;
    let p = acc.step(recorded::AP_REQ_TOKEN, &mut out, when, rng)?;
    check(
        matches!(p, Progress::Complete { .. }),
        "first AP-REQ accepted",
    )?;
    drop(acc);
    let mut acc = Acceptor::new(&keytab[..], &mut cache, AcceptorConfig::default())?;
    refused(
        acc.step(recorded::AP_REQ_TOKEN, &mut out, when, rng),
        Error::Replay,
        "replayed MIT AP-REQ",
    )
}

/// Our initiator, at the capture's time, completes on MIT's AP-REP.
#[inline(never)]
fn initiator_on_recorded_ap_rep<R: CryptoRng + ?Sized>(rng: &mut R) -> Outcome {
    let when = recorded::time()?;
    let mut init = Initiator::new(
        recorded::SERVICE_TICKET,
        recorded::session_key()?,
        recorded::client(),
        recorded::REALM,
        InitiatorConfig::default(),
    )?;
    let mut out = [0u8; KRB_BUF_LEN];
    let p = init.step(&[], &mut out, when, rng)?;
    check(
        matches!(p, Progress::Continue { .. }),
        "AP-REQ sent, AP-REP awaited",
    )?;
    let p = init.step(recorded::AP_REP_TOKEN, &mut out, when, rng)?;
    check(
        p == Progress::Complete { written: 0 },
        "complete on MIT's AP-REP",
    )?;
    check(init.is_established(), "established")
}

#[cfg(feature = "minting")]
mod minted {
    use authcore::crypto::{Etype, Key};
    use authcore::kerberos::mint::{mint_ticket, TicketSpec};
    use authcore::kerberos::wire::{name_type, ticket_flags, KerberosString, PrincipalName};
    use authcore::kerberos::{gss_flags, KeyEntry};
    use authcore::{Protect, Time};

    use super::*;

    pub const REALM: &[u8] = b"DEMO.TEST";
    pub const SERVICE: &[&[u8]] = &[b"host", b"board.demo.test"];
    static SERVICE_NAME: [KerberosString<'static>; 2] =
        [KerberosString(b"host"), KerberosString(b"board.demo.test")];
    static CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

    fn client() -> PrincipalName<'static> {
        PrincipalName::new(name_type::PRINCIPAL, &CLIENT)
    }

    fn secs(t: Time, delta: i64) -> Time {
        Time::from_unix_micros(
            t.unix_micros()
                .saturating_add(delta.saturating_mul(1_000_000)),
        )
    }

    /// What the demo realm's KDC hands out: a ticket for host/board.demo.test
    /// under `service_key`, valid from an hour ago for `valid_for` seconds from
    /// `now`, and its session key.
    pub struct Minted {
        pub ticket: [u8; 512],
        pub len: usize,
        pub session_key: Key,
    }

    #[inline(never)]
    pub fn mint<R: CryptoRng + ?Sized>(
        service_key: &Key,
        session_etype: Etype,
        now: Time,
        valid_for: i64,
        rng: &mut R,
    ) -> Result<Minted, Failure> {
        let session_key = Key::random(session_etype, rng)?;
        let spec = TicketSpec {
            realm: REALM,
            service: PrincipalName::new(name_type::SRV_HST, &SERVICE_NAME),
            kvno: Some(2),
            client_realm: REALM,
            client: client(),
            session_key: &session_key,
            flags: ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT,
            authtime: secs(now, -3600),
            starttime: None,
            endtime: secs(now, valid_for),
            authorization_data: None,
        };
        let mut ticket = [0u8; 512];
        let len = mint_ticket(service_key, &spec, rng, &mut ticket)?;
        Ok(Minted {
            ticket,
            len,
            session_key,
        })
    }

    pub fn keytab(key: Key) -> [KeyEntry<'static>; 1] {
        [KeyEntry {
            principal: SERVICE,
            realm: REALM,
            kvno: 2,
            key,
        }]
    }

    fn service_config() -> AcceptorConfig<'static> {
        AcceptorConfig {
            service: Some(PrincipalName::new(name_type::SRV_HST, &SERVICE_NAME)),
            service_realm: Some(REALM),
            require_mutual: true,
            ..AcceptorConfig::default()
        }
    }

    /// A full AP exchange over a minted ticket with `etype` keys, then sealed
    /// messages and MICs both ways.
    #[inline(never)]
    pub fn exchange<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>, etype: Etype) -> Outcome {
        let service_key = Key::random(etype, env.rng)?;
        let now = (env.now)();
        let m = mint(&service_key, etype, now, 36_000, env.rng)?;
        let keytab = keytab(service_key);
        let mut cache = ReplayCache::<4>::new();
        let config = InitiatorConfig {
            flags: gss_flags::CONF | gss_flags::INTEG,
            ..InitiatorConfig::default()
        };
        let mut init = Initiator::new(
            &m.ticket[..m.len],
            m.session_key.clone(),
            client(),
            REALM,
            config,
        )?;
        let mut acc = Acceptor::new(&keytab[..], &mut cache, service_config())?;
        let (mut a, mut b) = ([0u8; KRB_BUF_LEN], [0u8; KRB_BUF_LEN]);
        let Progress::Continue { written: n } = init.step(&[], &mut a, (env.now)(), env.rng)?
        else {
            return Err(Failure::Mismatch("AP-REQ"));
        };
        let Progress::Complete { written: n } = acc.step(&a[..n], &mut b, (env.now)(), env.rng)?
        else {
            return Err(Failure::Mismatch("AP-REP"));
        };
        let p = init.step(&b[..n], &mut a, (env.now)(), env.rng)?;
        check(p == Progress::Complete { written: 0 }, "initiator complete")?;
        check(
            acc.identity()
                .is_some_and(|id| id.matches(&client(), REALM)),
            "identity alice@DEMO.TEST",
        )?;
        check(acc.flags() & gss_flags::MUTUAL != 0, "mutual granted")?;
        for _ in 0..3 {
            footprint::seal_across(
                &mut init,
                &mut acc,
                b"request from the initiator",
                &mut a,
                env.rng,
            )?;
            footprint::seal_across(
                &mut acc,
                &mut init,
                b"reply from the acceptor",
                &mut a,
                env.rng,
            )?;
            let mut mic = [0u8; 64];
            let n = init.sign(b"signed by the initiator", &mut mic)?;
            acc.verify(b"signed by the initiator", &mic[..n])?;
            let n = acc.sign(b"signed by the acceptor", &mut mic)?;
            init.verify(b"signed by the acceptor", &mic[..n])?;
        }
        // A flipped bit in a sealed message: refused.
        let msg = b"pay 10 euros";
        let h = init.sizes().seal_header;
        a[h..h + msg.len()].copy_from_slice(msg);
        let n = init.seal(env.rng, &mut a, msg.len())?;
        a[n - 1] ^= 1;
        check(
            acc.unseal(&mut a[..n]).is_err(),
            "tampered wrap token refused",
        )
    }

    /// The acceptor's verdict on an AP-REQ for a ticket minted under
    /// `mint_key`, checked against `accept_key`, after `edit`, at `now + skew`.
    #[inline(never)]
    pub fn attempt<R: CryptoRng + ?Sized>(
        env: &mut Env<'_, R>,
        wrong_key: bool,
        valid_for: i64,
        skew: i64,
        edit: impl FnOnce(&mut [u8]),
    ) -> Result<Result<Progress, Error>, Failure> {
        let service_key = Key::random(Etype::Aes256CtsHmacSha196, env.rng)?;
        let now = (env.now)();
        let m = mint(
            &service_key,
            Etype::Aes256CtsHmacSha196,
            now,
            valid_for,
            env.rng,
        )?;
        let keytab = if wrong_key {
            keytab(Key::random(Etype::Aes256CtsHmacSha196, env.rng)?)
        } else {
            keytab(service_key)
        };
        let mut cache = ReplayCache::<4>::new();
        let mut init = Initiator::new(
            &m.ticket[..m.len],
            m.session_key.clone(),
            client(),
            REALM,
            InitiatorConfig::default(),
        )?;
        let mut acc = Acceptor::new(&keytab[..], &mut cache, service_config())?;
        let (mut a, mut b) = ([0u8; KRB_BUF_LEN], [0u8; KRB_BUF_LEN]);
        let Progress::Continue { written: n } = init.step(&[], &mut a, now, env.rng)? else {
            return Err(Failure::Mismatch("AP-REQ"));
        };
        edit(&mut a[..n]);
        let r = acc.step(&a[..n], &mut b, secs(now, skew), env.rng);
        if r.is_err() && acc.step(&a[..n], &mut b, now, env.rng) != Err(Error::WrongState) {
            return Err(Failure::Mismatch("failed acceptor did not stay failed"));
        }
        Ok(r)
    }

    /// One AP-REQ to two acceptors sharing a replay cache.
    #[inline(never)]
    pub fn replay<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>) -> Outcome {
        let service_key = Key::random(Etype::Aes256CtsHmacSha196, env.rng)?;
        let now = (env.now)();
        let m = mint(
            &service_key,
            Etype::Aes256CtsHmacSha196,
            now,
            36_000,
            env.rng,
        )?;
        let keytab = keytab(service_key);
        let mut cache = ReplayCache::<4>::new();
        let mut init = Initiator::new(
            &m.ticket[..m.len],
            m.session_key.clone(),
            client(),
            REALM,
            InitiatorConfig::default(),
        )?;
        let (mut a, mut b) = ([0u8; KRB_BUF_LEN], [0u8; KRB_BUF_LEN]);
        let Progress::Continue { written: n } = init.step(&[], &mut a, now, env.rng)? else {
            return Err(Failure::Mismatch("AP-REQ"));
        };
        let mut acc = Acceptor::new(&keytab[..], &mut cache, service_config())?;
        let p = acc.step(&a[..n], &mut b, now, env.rng)?;
        check(
            matches!(p, Progress::Complete { .. }),
            "first AP-REQ accepted",
        )?;
        drop(acc);
        let mut acc = Acceptor::new(&keytab[..], &mut cache, service_config())?;
        refused(
            acc.step(&a[..n], &mut b, now, env.rng),
            Error::Replay,
            "replayed AP-REQ",
        )
    }
}

#[inline(never)]
pub(crate) fn run<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>, runner: &mut Runner<'_>) {
    runner.case(
        "Kerberos acceptor on MIT krb5's recorded AP-REQ (service key, capture time)",
        footprint::krb_accept_recorded(env.rng, &mut |_| {}),
    );
    runner.case(
        "Kerberos refuses the recorded AP-REQ replayed",
        recorded_replay(env.rng),
    );
    runner.case(
        "Kerberos initiator completes on MIT krb5's recorded AP-REP",
        initiator_on_recorded_ap_rep(env.rng),
    );
    runner.case(
        "Kerberos AP exchange initiator <-> acceptor on the recorded ticket, sealed both ways",
        footprint::krb_exchange_recorded(env.rng, &mut |_| {}),
    );
    #[cfg(feature = "spnego")]
    runner.case(
        "Negotiate: Kerberos and NTLM offered, NTLM-only acceptor, NTLM with the mechListMIC, sealed both ways",
        footprint::negotiate_fallback(env.rng, &mut |_| {}),
    );
    #[cfg(feature = "minting")]
    {
        use authcore::crypto::Etype;
        for (name, etype) in [
            ("Kerberos AP exchange on a minted ticket, aes256-cts-hmac-sha1-96: sealed, MIC both ways", Etype::Aes256CtsHmacSha196),
            ("Kerberos AP exchange on a minted ticket, aes128-cts-hmac-sha256-128: sealed, MIC both ways", Etype::Aes128CtsHmacSha256128),
            ("Kerberos AP exchange on a minted ticket, aes256-cts-hmac-sha384-192: sealed, MIC both ways", Etype::Aes256CtsHmacSha384192),
            ("Kerberos AP exchange on a minted ticket, rc4-hmac: sealed, MIC both ways", Etype::Rc4Hmac),
        ] {
            runner.case(name, minted::exchange(env, etype));
        }
        let r = minted::attempt(env, true, 36_000, 0, |_| {});
        runner.case(
            "Kerberos refuses a ticket under a wrong service key",
            r.and_then(|r| {
                refused(
                    r,
                    Error::Integrity {
                        what: authcore::what!("ciphertext checksum"),
                    },
                    "wrong service key",
                )
            }),
        );
        let r = minted::attempt(env, false, 36_000, 0, |t| {
            // The last byte is the authenticator's checksum.
            if let Some(b) = t.last_mut() {
                *b ^= 1;
            }
        });
        runner.case(
            "Kerberos refuses a tampered AP-REQ authenticator",
            r.and_then(|r| {
                refused(
                    r,
                    Error::Integrity {
                        what: authcore::what!("ciphertext checksum"),
                    },
                    "tampered authenticator",
                )
            }),
        );
        let r = minted::attempt(env, false, 36_000, 600, |_| {});
        runner.case(
            "Kerberos refuses an AP-REQ 10 minutes off (ClockSkew)",
            r.and_then(|r| refused(r, Error::ClockSkew, "skew")),
        );
        let r = minted::attempt(env, false, -1200, 0, |_| {});
        runner.case(
            "Kerberos refuses an expired ticket",
            r.and_then(|r| refused(r, Error::Expired, "expired ticket")),
        );
        runner.case("Kerberos refuses a replayed AP-REQ", minted::replay(env));
    }
}
