//! NTLM on target: MS-NLMP 4.2 vectors, a full handshake inside the
//! firmware with protection both ways, and the refusals.

use authcore::crypto::ntlm::{ntowfv1, ntowfv2, Key16};
use authcore::ntlm::keys::{
    exchange_session_key, lmv2_response, nt_proof, ntlmv2_session_base_key, seal_key, sign_key,
    Direction,
};
use authcore::ntlm::wire::{ChallengeRepr, NegotiateFlags, NegotiateRepr, MIC_OFFSET};
use authcore::ntlm::{
    Acceptor, AcceptorConfig, Initiator, InitiatorConfig, NtHash, Role, SessionSecurity,
    MAX_TOKEN_LEN,
};
use authcore::{Error, Progress, Protect, Step, Time};
use rand_core::CryptoRng;

use crate::footprint::{
    self, ntlm_tokens, seal_across, OneUser, Script, SpecUser, DOMAIN, PASSWORD, USER,
};
use crate::vectors::{section, Record, MS_NLMP_4_2};
use crate::{check, refused, Env, Failure, Outcome, Runner};

fn sec(name: &str) -> Result<&'static Record, Failure> {
    section(MS_NLMP_4_2, name).ok_or(Failure::Mismatch("vector section missing"))
}

fn field<const N: usize>(s: &str, name: &str) -> Result<[u8; N], Failure> {
    sec(s)?
        .get(name)
        .and_then(|v| v.try_into().ok())
        .ok_or(Failure::Mismatch("vector field missing"))
}

fn text(s: &str, name: &str) -> Result<&'static str, Failure> {
    sec(s)?
        .text(name)
        .ok_or(Failure::Mismatch("vector field missing"))
}

fn bytes(s: &str, name: &str) -> Result<&'static [u8], Failure> {
    sec(s)?
        .get(name)
        .ok_or(Failure::Mismatch("vector field missing"))
}

/// MS-NLMP 4.2.1's common values.
struct Common {
    user: &'static str,
    domain: &'static str,
    password: &'static str,
    server_challenge: [u8; 8],
    client_challenge: [u8; 8],
    random_session_key: [u8; 16],
}

fn common() -> Result<Common, Failure> {
    const C: &str = "4.2.1";
    Ok(Common {
        user: text(C, "user")?,
        domain: text(C, "domain")?,
        password: text(C, "password")?,
        server_challenge: field(C, "server_challenge")?,
        client_challenge: field(C, "client_challenge")?,
        random_session_key: field(C, "random_session_key")?,
    })
}

fn response_key(c: &Common) -> Key16 {
    ntowfv2(&ntowfv1(c.password), c.user, c.domain)
}

#[inline(never)]
fn v_ntowfv1() -> Outcome {
    let c = common()?;
    check(
        *ntowfv1(c.password).as_bytes() == field::<16>("4.2.2.1.2", "ntowfv1")?,
        "NTOWFv1",
    )
}

#[inline(never)]
fn v_ntowfv2() -> Outcome {
    let c = common()?;
    check(
        *response_key(&c).as_bytes() == field::<16>("4.2.4.1.1", "ntowfv2")?,
        "NTOWFv2",
    )
}

#[inline(never)]
fn v_proof_and_session_base_key() -> Outcome {
    let c = common()?;
    let rk = response_key(&c);
    let proof = nt_proof(&rk, &c.server_challenge, bytes("4.2.4.1.3", "temp")?);
    check(proof == field::<16>("4.2.4.2.2", "nt_proof")?, "NTProofStr")?;
    check(
        *ntlmv2_session_base_key(&rk, &proof).as_bytes()
            == field::<16>("4.2.4.1.2", "session_base_key")?,
        "SessionBaseKey",
    )
}

#[inline(never)]
fn v_lmv2_and_encrypted_session_key() -> Outcome {
    let c = common()?;
    let rk = response_key(&c);
    check(
        lmv2_response(&rk, &c.server_challenge, &c.client_challenge)
            == field::<24>("4.2.4.2.1", "lm_response")?,
        "LMv2 response",
    )?;
    let proof = field::<16>("4.2.4.2.2", "nt_proof")?;
    let sbk = ntlmv2_session_base_key(&rk, &proof);
    check(
        exchange_session_key(&sbk, &c.random_session_key)
            == field::<16>("4.2.4.2.3", "encrypted_session_key")?,
        "EncryptedRandomSessionKey",
    )
}

#[inline(never)]
fn v_challenge_reemitted() -> Outcome {
    let msg = bytes("4.2.4.3", "challenge")?;
    let ch = ChallengeRepr::parse(msg)?;
    check(
        ch.server_challenge == common()?.server_challenge,
        "ServerChallenge",
    )?;
    let mut out = [0u8; 128];
    let n = ch.emit(&mut out)?;
    check(
        out.get(..n) == Some(msg),
        "CHALLENGE re-emitted byte for byte",
    )
}

#[inline(never)]
fn v_wrapex() -> Outcome {
    const S: &str = "4.2.4.4";
    let c = common()?;
    let flags = NegotiateFlags::from_bits(u32::from_le_bytes(field("4.2.4", "flags")?));
    let exported = Key16::from_bytes(c.random_session_key);
    check(
        *seal_key(&exported, flags, Direction::ClientToServer).as_bytes()
            == field::<16>(S, "seal_key")?,
        "SealingKey",
    )?;
    check(
        *sign_key(&exported, Direction::ClientToServer).as_bytes() == field::<16>(S, "sign_key")?,
        "SigningKey",
    )?;
    let plaintext = bytes(S, "plaintext")?;
    let mut buf = [0u8; 64];
    let len = 16 + plaintext.len();
    buf.get_mut(16..len)
        .ok_or(Failure::Mismatch("size"))?
        .copy_from_slice(plaintext);
    let mut sender = SessionSecurity::new(&exported, flags, Role::Initiator);
    let n = sender.seal(&mut Script(&[]), &mut buf, plaintext.len())?;
    check(n == len, "sealed length")?;
    check(buf.get(16..len) == Some(bytes(S, "data")?), "sealed data")?;
    check(buf.get(..16) == Some(bytes(S, "signature")?), "signature")?;
    let mut receiver = SessionSecurity::new(&exported, flags, Role::Acceptor);
    let r = receiver.unseal(&mut buf[..len])?;
    check(buf.get(r) == Some(plaintext), "unsealed")
}

/// Our acceptor takes the spec's AUTHENTICATE (its server challenge played
/// through the RNG) and unseals the spec's sealed message.
#[inline(never)]
fn v_acceptor_on_spec_authenticate() -> Outcome {
    let c = common()?;
    let store = SpecUser(NtHash::from_password(c.password));
    let mut config = AcceptorConfig::new("Server", "Domain");
    config.require_mic = false; // 4.2.4.3 predates the MIC
    let mut acc = Acceptor::new(&store, config)?;
    let flags = NegotiateFlags::from_bits(u32::from_le_bytes(field("4.2.4", "flags")?));
    let negotiate = NegotiateRepr {
        flags: flags | NegotiateFlags::REQUEST_TARGET,
        domain: &[],
        workstation: &[],
        version: None,
    };
    let mut neg = [0u8; 64];
    let n = negotiate.emit(&mut neg)?;
    let mut out = [0u8; 512];
    let now = Time::from_unix_secs(1_700_000_000);
    let mut rng = Script(&c.server_challenge);
    let p = acc.step(&neg[..n], &mut out, now, &mut rng)?;
    check(matches!(p, Progress::Continue { .. }), "CHALLENGE")?;
    let p = acc.step(bytes("4.2.4.3", "authenticate")?, &mut out, now, &mut rng)?;
    check(p == Progress::Complete { written: 0 }, "accepted")?;
    let id = acc.identity().ok_or(Failure::Mismatch("identity"))?;
    check(
        (id.user, id.domain, id.workstation) == ("User", "Domain", "COMPUTER"),
        "identity",
    )?;
    const S: &str = "4.2.4.4";
    let (sig, data) = (bytes(S, "signature")?, bytes(S, "data")?);
    let mut token = [0u8; 64];
    let len = sig.len() + data.len();
    token[..sig.len()].copy_from_slice(sig);
    token[sig.len()..len].copy_from_slice(data);
    let r = acc.unseal(&mut token[..len])?;
    check(
        token.get(r) == Some(bytes(S, "plaintext")?),
        "unsealed 4.2.4.4",
    )
}

type Acc<'a> = Acceptor<'a, &'a OneUser>;

#[inline(never)]
fn pair<'a>(
    store: &'a OneUser,
    password: &str,
    user: &str,
) -> Result<(Initiator, Acc<'a>), Failure> {
    let init = Initiator::new(
        user,
        DOMAIN,
        password,
        InitiatorConfig::new().with_workstation("BOARD"),
    )?;
    let mut config = AcceptorConfig::new("SERVER", DOMAIN);
    config.dns_computer_name = Some("server.example.test");
    config.dns_domain_name = Some("example.test");
    let acc = Acceptor::new(store, config)?;
    Ok((init, acc))
}

struct Bufs {
    a: [u8; MAX_TOKEN_LEN],
    b: [u8; MAX_TOKEN_LEN],
}

impl Bufs {
    fn new() -> Bufs {
        Bufs {
            a: [0; MAX_TOKEN_LEN],
            b: [0; MAX_TOKEN_LEN],
        }
    }
}

#[inline(never)]
fn handshake_and_protection<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>) -> Outcome {
    let bufs = &mut Bufs::new();
    let store = OneUser::new(PASSWORD);
    let (mut init, mut acc) = pair(&store, PASSWORD, USER)?;
    let now = (env.now)();
    let n = ntlm_tokens(&mut init, &mut acc, env.rng, now, &mut bufs.a, &mut bufs.b)?;
    let now = (env.now)();
    let p = acc.step(&bufs.a[..n], &mut bufs.b, now, env.rng)?;
    check(p == Progress::Complete { written: 0 }, "acceptor completes")?;
    check(init.is_complete() && acc.is_complete(), "both complete")?;
    let id = acc.identity().ok_or(Failure::Mismatch("identity"))?;
    check(
        (id.user, id.domain, id.workstation, id.anonymous) == (USER, DOMAIN, "BOARD", false),
        "identity EXAMPLE\\alice from BOARD",
    )?;
    for _ in 0..3 {
        seal_across(
            &mut init,
            &mut acc,
            b"request from the initiator",
            &mut bufs.a,
            env.rng,
        )?;
        seal_across(
            &mut acc,
            &mut init,
            b"reply from the acceptor",
            &mut bufs.a,
            env.rng,
        )?;
        let mut sig = [0u8; 16];
        init.sign(b"signed by the initiator", &mut sig)?;
        acc.verify(b"signed by the initiator", &sig)?;
        acc.sign(b"signed by the acceptor", &mut sig)?;
        init.verify(b"signed by the acceptor", &sig)?;
    }
    seal_across(&mut init, &mut acc, b"", &mut bufs.a, env.rng)
}

/// Runs the handshake with `password` on the client and `edit` applied to
/// the AUTHENTICATE, and returns the acceptor's verdict.
#[inline(never)]
fn attempt<R: CryptoRng + ?Sized>(
    env: &mut Env<'_, R>,
    user: &str,
    password: &str,
    edit: impl FnOnce(&mut [u8]),
) -> Result<Result<Progress, Error>, Failure> {
    let bufs = &mut Bufs::new();
    let store = OneUser::new(PASSWORD);
    let (mut init, mut acc) = pair(&store, password, user)?;
    let now = (env.now)();
    let n = ntlm_tokens(&mut init, &mut acc, env.rng, now, &mut bufs.a, &mut bufs.b)?;
    edit(&mut bufs.a[..n]);
    let r = acc.step(&bufs.a[..n], &mut bufs.b, now, env.rng);
    // A failed acceptor stays failed.
    if r.is_err() && acc.step(&bufs.a[..n], &mut bufs.b, now, env.rng) != Err(Error::WrongState) {
        return Err(Failure::Mismatch("failed acceptor did not stay failed"));
    }
    Ok(r)
}

#[inline(never)]
fn tampered_messages<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>) -> Outcome {
    let bufs = &mut Bufs::new();
    let store = OneUser::new(PASSWORD);
    let (mut init, mut acc) = pair(&store, PASSWORD, USER)?;
    let now = (env.now)();
    let n = ntlm_tokens(&mut init, &mut acc, env.rng, now, &mut bufs.a, &mut bufs.b)?;
    let p = acc.step(&bufs.a[..n], &mut bufs.b, now, env.rng)?;
    check(p == Progress::Complete { written: 0 }, "acceptor completes")?;
    // A flipped bit in a sealed message.
    let msg = b"pay 10 euros";
    bufs.a[16..16 + msg.len()].copy_from_slice(msg);
    let n = init.seal(env.rng, &mut bufs.a, msg.len())?;
    bufs.a[20] ^= 1;
    refused(
        acc.unseal(&mut bufs.a[..n]),
        Error::Integrity {
            what: authcore::what!("NTLM sealed message"),
        },
        "tampered sealed message",
    )
}

#[inline(never)]
fn replayed_message<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>) -> Outcome {
    let bufs = &mut Bufs::new();
    let store = OneUser::new(PASSWORD);
    let (mut init, mut acc) = pair(&store, PASSWORD, USER)?;
    let now = (env.now)();
    let n = ntlm_tokens(&mut init, &mut acc, env.rng, now, &mut bufs.a, &mut bufs.b)?;
    let p = acc.step(&bufs.a[..n], &mut bufs.b, now, env.rng)?;
    check(p == Progress::Complete { written: 0 }, "acceptor completes")?;
    let msg = b"once";
    bufs.a[16..16 + msg.len()].copy_from_slice(msg);
    let n = init.seal(env.rng, &mut bufs.a, msg.len())?;
    bufs.b[..n].copy_from_slice(&bufs.a[..n]);
    acc.unseal(&mut bufs.a[..n])?;
    refused(
        acc.unseal(&mut bufs.b[..n]),
        Error::Integrity {
            what: authcore::what!("NTLM sealed message"),
        },
        "replayed sealed message",
    )
}

#[inline(never)]
pub(crate) fn run<R: CryptoRng + ?Sized>(env: &mut Env<'_, R>, runner: &mut Runner<'_>) {
    runner.case("MS-NLMP 4.2.2.1.2 NTOWFv1", v_ntowfv1());
    runner.case("MS-NLMP 4.2.4.1.1 NTOWFv2", v_ntowfv2());
    runner.case(
        "MS-NLMP 4.2.4.2.2/4.2.4.1.2 NTProofStr, SessionBaseKey",
        v_proof_and_session_base_key(),
    );
    runner.case(
        "MS-NLMP 4.2.4.2.1/4.2.4.2.3 LMv2, EncryptedRandomSessionKey",
        v_lmv2_and_encrypted_session_key(),
    );
    runner.case(
        "MS-NLMP 4.2.4.3 CHALLENGE parsed and re-emitted",
        v_challenge_reemitted(),
    );
    runner.case("MS-NLMP 4.2.4.4 GSS_WrapEx keys, seal, unseal", v_wrapex());
    runner.case(
        "MS-NLMP 4.2.4 acceptor on the spec's AUTHENTICATE",
        v_acceptor_on_spec_authenticate(),
    );

    let now = (env.now)();
    runner.case(
        "NTLM handshake (footprint workload)",
        footprint::ntlm_handshake(env.rng, now, &mut |_| {}),
    );
    runner.case(
        "NTLM handshake initiator <-> acceptor, sealed and signed both ways",
        handshake_and_protection(env),
    );
    let r = attempt(env, USER, "wrong password", |_| {});
    runner.case(
        "NTLM refuses a wrong password (LogonDenied)",
        r.and_then(|r| refused(r, Error::LogonDenied, "wrong password")),
    );
    let r = attempt(env, "mallory", PASSWORD, |_| {});
    runner.case(
        "NTLM refuses an unknown user (UnknownPrincipal)",
        r.and_then(|r| refused(r, Error::UnknownPrincipal, "unknown user")),
    );
    let r = attempt(env, USER, PASSWORD, |m| {
        if let Some(b) = m.get_mut(MIC_OFFSET + 3) {
            *b ^= 0x40;
        }
    });
    runner.case(
        "NTLM refuses a tampered AUTHENTICATE MIC",
        r.and_then(|r| {
            refused(
                r,
                Error::Integrity {
                    what: authcore::what!("MIC"),
                },
                "tampered MIC",
            )
        }),
    );
    let r = attempt(env, USER, PASSWORD, |m| {
        // NegotiateFlags (offset 60): a man in the middle clearing SEAL.
        if let Some(f) = m.get_mut(60..64) {
            let flags = u32::from_le_bytes([f[0], f[1], f[2], f[3]]) & !NegotiateFlags::SEAL.bits();
            f.copy_from_slice(&flags.to_le_bytes());
        }
    });
    runner.case(
        "NTLM refuses downgraded AUTHENTICATE flags",
        r.and_then(|r| {
            refused(
                r,
                Error::Integrity {
                    what: authcore::what!("MIC"),
                },
                "cleared SEAL flag",
            )
        }),
    );
    runner.case(
        "NTLM refuses a tampered sealed message",
        tampered_messages(env),
    );
    runner.case(
        "NTLM refuses a replayed sealed message",
        replayed_message(env),
    );
}
