//! NTLM initiator against acceptor, in process: handshakes, protection, and
//! every way the acceptor and initiator must refuse.

use authcore::ntlm::wire::{
    av_flags, AuthenticateRepr, AvPairRepr, ChallengeRepr, NegotiateFlags, Ntlmv2Response, Payload,
    MIC_OFFSET,
};
use authcore::ntlm::{
    channel_bindings_hash, Acceptor, AcceptorConfig, CredentialStore, Initiator, InitiatorConfig,
    NtHash, MAX_TOKEN_LEN,
};
use authcore::{Error, Progress, Protect, Step, Time};
use authcore_tests::bench_rng::TestRng;

struct Users;

impl CredentialStore for Users {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        match (user.to_lowercase().as_str(), domain.to_lowercase().as_str()) {
            ("alice", "example") => Some(NtHash::from_password("correct horse")),
            ("bob", _) => Some(NtHash::from_password("hunter2")),
            ("zoë", "") => Some(NtHash::from_password("pässwörd")),
            _ => None,
        }
    }
}

static USERS: Users = Users;

const NOW: Time = Time::from_unix_secs(1_764_000_000);

fn config() -> AcceptorConfig<'static> {
    let mut c = AcceptorConfig::new("SERVER", "EXAMPLE");
    c.dns_computer_name = Some("server.example.com");
    c.dns_domain_name = Some("example.com");
    c.dns_tree_name = Some("example.com");
    c
}

fn alice(config: InitiatorConfig<'_>) -> Initiator {
    Initiator::new("alice", "EXAMPLE", "correct horse", config).unwrap()
}

/// The three tokens of a handshake, with the contexts after it.
struct Run {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    authenticate: Vec<u8>,
}

fn tokens(init: &mut Initiator, acc: &mut Acceptor<'_, &Users>, rng: &mut TestRng) -> Run {
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let Progress::Continue { written } = init.step(&[], &mut out, NOW, rng).unwrap() else {
        panic!()
    };
    let negotiate = out[..written].to_vec();
    let Progress::Continue { written } = acc.step(&negotiate, &mut out, NOW, rng).unwrap() else {
        panic!()
    };
    let challenge = out[..written].to_vec();
    let Progress::Complete { written } = init.step(&challenge, &mut out, NOW, rng).unwrap() else {
        panic!()
    };
    Run {
        negotiate,
        challenge,
        authenticate: out[..written].to_vec(),
    }
}

fn accept(
    acc: &mut Acceptor<'_, &Users>,
    authenticate: &[u8],
    now: Time,
) -> Result<Progress, Error> {
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    acc.step(authenticate, &mut out, now, &mut TestRng::new(9))
}

fn established(
    init_config: InitiatorConfig<'_>,
    acc_config: AcceptorConfig<'static>,
) -> (Initiator, Acceptor<'static, &'static Users>) {
    let mut init = alice(init_config);
    let mut acc = Acceptor::new(&USERS, acc_config).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(1));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Ok(Progress::Complete { written: 0 })
    );
    (init, acc)
}

fn seal(ctx: &mut impl Protect, msg: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 16 + msg.len()];
    buf[16..].copy_from_slice(msg);
    let n = ctx.seal(&mut TestRng::new(0), &mut buf, msg.len()).unwrap();
    buf.truncate(n);
    buf
}

fn unseal(ctx: &mut impl Protect, token: &[u8]) -> Result<Vec<u8>, Error> {
    let mut buf = token.to_vec();
    let r = ctx.unseal(&mut buf)?;
    Ok(buf[r].to_vec())
}

#[test]
fn handshake_then_seal_and_sign_both_ways() {
    let (mut init, mut acc) =
        established(InitiatorConfig::new().with_workstation("WS01"), config());
    assert!(init.is_complete() && acc.is_complete());
    let id = acc.identity().unwrap();
    assert_eq!(
        (id.user, id.domain, id.workstation, id.anonymous),
        ("alice", "EXAMPLE", "WS01", false)
    );
    assert_eq!(acc.sizes().seal_header, 16);
    assert_eq!(acc.sizes().seal_trailer, 0);

    for i in 0..10u32 {
        let msg = format!("request {i}");
        let token = seal(&mut init, msg.as_bytes());
        assert_ne!(&token[16..], msg.as_bytes());
        assert_eq!(unseal(&mut acc, &token).unwrap(), msg.as_bytes());
        let reply = format!("reply {i}");
        let token = seal(&mut acc, reply.as_bytes());
        assert_eq!(unseal(&mut init, &token).unwrap(), reply.as_bytes());

        let mut sig = [0u8; 16];
        assert_eq!(init.sign(b"signed by client", &mut sig), Ok(16));
        acc.verify(b"signed by client", &sig).unwrap();
        acc.sign(b"signed by server", &mut sig).unwrap();
        init.verify(b"signed by server", &sig).unwrap();
    }
    // An empty message seals too.
    let token = seal(&mut init, b"");
    assert_eq!(unseal(&mut acc, &token).unwrap(), b"");
}

#[test]
fn names_are_matched_by_the_store_and_unicode_survives() {
    let mut init = Initiator::new("ZOË", "", "pässwörd", InitiatorConfig::new()).unwrap();
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(3));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Ok(Progress::Complete { written: 0 })
    );
    let id = acc.identity().unwrap();
    assert_eq!((id.user, id.domain), ("ZOË", ""));
}

#[test]
fn wrong_password_is_logon_denied_and_unknown_user_is_typed() {
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let mut init = Initiator::new("alice", "EXAMPLE", "wrong", InitiatorConfig::new()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(4));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::LogonDenied)
    );
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::WrongState),
        "failed for good"
    );
    assert!(acc.identity().is_none());
    let mut sig = [0u8; 16];
    assert_eq!(acc.sign(b"x", &mut sig), Err(Error::WrongState));

    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let mut init = Initiator::new("mallory", "EXAMPLE", "x", InitiatorConfig::new()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(5));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::UnknownPrincipal)
    );
}

#[test]
fn tampered_mic_is_an_integrity_error() {
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let mut init = alice(InitiatorConfig::new());
    let mut run = tokens(&mut init, &mut acc, &mut TestRng::new(6));
    run.authenticate[MIC_OFFSET + 3] ^= 0x40;
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::Integrity {
            what: authcore::what!("MIC")
        })
    );
}

#[test]
fn downgraded_flags_are_caught_by_the_mic() {
    // A man in the middle clears SEAL in AUTHENTICATE's flags.
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let mut init = alice(InitiatorConfig::new());
    let mut run = tokens(&mut init, &mut acc, &mut TestRng::new(7));
    let at = 60;
    let flags = u32::from_le_bytes(run.authenticate[at..at + 4].try_into().unwrap());
    let cleared = flags & !NegotiateFlags::SEAL.bits();
    run.authenticate[at..at + 4].copy_from_slice(&cleared.to_le_bytes());
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::Integrity {
            what: authcore::what!("MIC")
        })
    );
}

#[test]
fn every_single_byte_change_to_authenticate_is_refused() {
    let mut init = alice(InitiatorConfig::new().with_workstation("WS"));
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(8));
    for i in 0..run.authenticate.len() {
        // Replay the same handshake (same RNG seed) with one byte of AUTHENTICATE changed.
        let mut init = alice(InitiatorConfig::new().with_workstation("WS"));
        let mut acc = Acceptor::new(&USERS, config()).unwrap();
        let again = tokens(&mut init, &mut acc, &mut TestRng::new(8));
        assert_eq!(again.authenticate, run.authenticate);
        let mut bad = again.authenticate.clone();
        bad[i] ^= 0x01;
        let r = accept(&mut acc, &bad, NOW);
        assert!(r.is_err(), "byte {i} changed and still accepted");
        assert_eq!(
            accept(&mut acc, &again.authenticate, NOW),
            Err(Error::WrongState)
        );
    }
}

#[test]
fn tampered_replayed_and_reordered_messages_fail() {
    // Altered.
    let (mut init, mut acc) = established(InitiatorConfig::new(), config());
    let mut token = seal(&mut init, b"pay 10 euros");
    token[20] ^= 1;
    assert_eq!(
        unseal(&mut acc, &token),
        Err(Error::Integrity {
            what: authcore::what!("NTLM sealed message")
        })
    );
    assert_eq!(unseal(&mut acc, &token), Err(Error::WrongState));

    // Replayed.
    let (mut init, mut acc) = established(InitiatorConfig::new(), config());
    let token = seal(&mut init, b"once");
    unseal(&mut acc, &token).unwrap();
    assert_eq!(
        unseal(&mut acc, &token),
        Err(Error::Integrity {
            what: authcore::what!("NTLM sealed message")
        })
    );

    // Reordered.
    let (mut init, mut acc) = established(InitiatorConfig::new(), config());
    let first = seal(&mut init, b"first");
    let second = seal(&mut init, b"second");
    assert!(unseal(&mut acc, &second).is_err());
    assert_eq!(unseal(&mut acc, &first), Err(Error::WrongState));

    // A signature over other data, and a truncated one.
    let (mut init, mut acc) = established(InitiatorConfig::new(), config());
    let mut sig = [0u8; 16];
    init.sign(b"data", &mut sig).unwrap();
    assert_eq!(
        acc.verify(b"dato", &sig),
        Err(Error::Integrity {
            what: authcore::what!("NTLM signature")
        })
    );
    let (mut init, mut acc) = established(InitiatorConfig::new(), config());
    init.sign(b"data", &mut sig).unwrap();
    assert!(matches!(
        acc.verify(b"data", &sig[..15]),
        Err(Error::Malformed { .. })
    ));

    // A token shorter than a signature.
    let (_, mut acc) = established(InitiatorConfig::new(), config());
    assert!(matches!(
        unseal(&mut acc, &[1, 0, 0, 0]),
        Err(Error::Truncated { .. })
    ));

    // Own messages do not come back as the peer's (separate keys per direction).
    let (mut init, _) = established(InitiatorConfig::new(), config());
    let token = seal(&mut init, b"echo");
    assert!(unseal(&mut init, &token).is_err());
}

#[test]
fn channel_bindings() {
    let tls = channel_bindings_hash(b"tls-server-end-point:\x01\x02\x03");
    let other = channel_bindings_hash(b"tls-server-end-point:\x09\x09\x09");
    let mut with_cb = config();
    with_cb.channel_bindings = Some(tls);

    // Matching bindings.
    established(
        InitiatorConfig::new().with_channel_bindings(tls),
        with_cb.clone(),
    );

    for client in [Some(other), None] {
        let mut c = InitiatorConfig::new();
        c.channel_bindings = client;
        let mut init = alice(c);
        let mut acc = Acceptor::new(&USERS, with_cb.clone()).unwrap();
        let run = tokens(&mut init, &mut acc, &mut TestRng::new(10));
        assert_eq!(
            accept(&mut acc, &run.authenticate, NOW),
            Err(Error::Policy {
                what: authcore::what!("NTLM channel bindings")
            })
        );
    }

    // An acceptor that expects none ignores what the client sends.
    established(
        InitiatorConfig::new().with_channel_bindings(other),
        config(),
    );
}

#[test]
fn target_name() {
    let mut with_spn = config();
    with_spn.target_name = Some("HTTP/server.example.com");
    // Compared case-insensitively.
    established(
        InitiatorConfig::new().with_target_name("http/SERVER.example.com"),
        with_spn.clone(),
    );

    for client in [Some("HTTP/evil.example.com"), None] {
        let mut c = InitiatorConfig::new();
        c.target_name = client;
        let mut init = alice(c);
        let mut acc = Acceptor::new(&USERS, with_spn.clone()).unwrap();
        let run = tokens(&mut init, &mut acc, &mut TestRng::new(11));
        assert_eq!(
            accept(&mut acc, &run.authenticate, NOW),
            Err(Error::Policy {
                what: authcore::what!("NTLM target name")
            })
        );
    }
}

#[test]
fn client_pairs_carry_mic_flag_bindings_and_target() {
    let cb = channel_bindings_hash(b"x");
    let mut init = alice(
        InitiatorConfig::new()
            .with_target_name("cifs/server")
            .with_channel_bindings(cb),
    );
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(12));
    let a = AuthenticateRepr::parse(&run.authenticate).unwrap();
    let Payload::Bytes(nt) = a.nt_response else {
        panic!()
    };
    let r = Ntlmv2Response::parse(nt).unwrap();
    assert_eq!(r.av_pairs.flags(), Some(av_flags::MIC_PRESENT));
    assert_eq!(r.av_pairs.channel_bindings(), Some(cb));
    assert!(r
        .av_pairs
        .target_name()
        .unwrap()
        .eq_ignore_case("CIFS/SERVER"));
    // The server's timestamp is echoed, and used as the client's time.
    let ch = ChallengeRepr::parse(&run.challenge).unwrap();
    let ts = ch
        .target_info
        .unwrap()
        .pairs()
        .unwrap()
        .timestamp()
        .unwrap();
    assert_eq!(r.av_pairs.timestamp(), Some(ts));
    assert_eq!(r.timestamp, ts);
    assert_eq!(ts, NOW.filetime());
    // With a server timestamp, the LM response is Z(24).
    assert_eq!(a.lm_response, Payload::Bytes(&[0; 24]));
    // The 4 zero bytes after MsvAvEOL.
    assert_eq!(&r.blob[r.blob.len() - 4..], &[0; 4]);
    // The server's names are echoed.
    let names: Vec<_> = r.av_pairs.iter().map(|p| p.repr().unwrap()).collect();
    assert!(names.iter().any(
        |p| matches!(p, AvPairRepr::DnsComputerName(t) if t.eq_ignore_case("server.example.com"))
    ));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Ok(Progress::Complete { written: 0 })
    );
}

#[test]
fn clock_skew() {
    let mut init = alice(InitiatorConfig::new());
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(13));
    let late = Time::from_unix_secs(NOW.unix_secs() + 301);
    assert_eq!(
        accept(&mut acc, &run.authenticate, late),
        Err(Error::ClockSkew)
    );

    let mut init = alice(InitiatorConfig::new());
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(13));
    let in_time = Time::from_unix_secs(NOW.unix_secs() + 299);
    assert_eq!(
        accept(&mut acc, &run.authenticate, in_time),
        Ok(Progress::Complete { written: 0 })
    );
}

#[test]
fn anonymous() {
    // Refused by default.
    let mut init = Initiator::anonymous(InitiatorConfig::new()).unwrap();
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(14));
    assert!(init.is_complete());
    let a = AuthenticateRepr::parse(&run.authenticate).unwrap();
    assert_eq!(a.lm_response, Payload::Bytes(&[0]));
    assert_eq!(a.nt_response, Payload::Bytes(&[]));
    assert!(a.flags.contains(NegotiateFlags::ANONYMOUS));
    assert!(!a.flags.contains(NegotiateFlags::KEY_EXCH));
    assert_eq!(a.encrypted_session_key, Payload::Bytes(&[]));
    assert!(a.user.is_empty() && a.domain.is_empty());
    assert_eq!(a.mic, None);
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::Policy {
            what: authcore::what!("anonymous NTLM logon")
        })
    );

    // Allowed: an anonymous identity and no message protection.
    let mut allow = config();
    allow.allow_anonymous = true;
    let mut init = Initiator::anonymous(InitiatorConfig::new()).unwrap();
    let mut acc = Acceptor::new(&USERS, allow).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(15));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Ok(Progress::Complete { written: 0 })
    );
    let id = acc.identity().unwrap();
    assert!(id.anonymous);
    assert_eq!(id.user, "");
    let mut sig = [0u8; 16];
    assert!(matches!(
        acc.sign(b"x", &mut sig),
        Err(Error::Policy { .. })
    ));
    assert!(matches!(
        init.sign(b"x", &mut sig),
        Err(Error::Policy { .. })
    ));
}

#[test]
fn mic_required_by_default() {
    // An NTLMv2 AUTHENTICATE without MsvAvFlags' MIC bit: rebuild the client's
    // message with the MIC pair removed and the proof recomputed.
    use authcore::crypto::ntlm::{ntowfv1, ntowfv2};
    use authcore::ntlm::keys::{exchange_session_key, nt_proof, ntlmv2_session_base_key};
    use authcore::ntlm::wire::{av_id, emit_blob_header, Sink, SliceSink};

    for require in [true, false] {
        let mut c = config();
        c.require_mic = require;
        let mut init = alice(InitiatorConfig::new());
        let mut acc = Acceptor::new(&USERS, c).unwrap();
        let run = tokens(&mut init, &mut acc, &mut TestRng::new(16));
        let sc = ChallengeRepr::parse(&run.challenge)
            .unwrap()
            .server_challenge;
        let a = AuthenticateRepr::parse(&run.authenticate).unwrap();
        let Payload::Bytes(nt) = a.nt_response else {
            panic!()
        };
        let r = Ntlmv2Response::parse(nt).unwrap();
        let mut blob = vec![0u8; r.blob.len()];
        let mut sink = SliceSink::new(&mut blob);
        emit_blob_header(&mut sink, r.timestamp, &r.client_challenge).unwrap();
        for p in r.av_pairs.iter().filter(|p| p.id != av_id::FLAGS) {
            AvPairRepr::Other {
                id: p.id,
                value: p.value,
            }
            .emit(&mut sink)
            .unwrap();
        }
        sink.put(&[0; 8]).unwrap();
        let n = sink.position();
        blob.truncate(n);
        let rk = ntowfv2(&ntowfv1("correct horse"), "alice", "EXAMPLE");
        let proof = nt_proof(&rk, &sc, &blob);
        let new_nt = [&proof[..], &blob].concat();
        let key = exchange_session_key(&ntlmv2_session_base_key(&rk, &proof), &[7; 16]);
        let repr = AuthenticateRepr {
            nt_response: Payload::Bytes(&new_nt),
            encrypted_session_key: Payload::Bytes(&key),
            mic: None,
            ..a
        };
        let mut msg = vec![0u8; repr.buffer_len()];
        repr.emit(&mut msg).unwrap();
        let r = accept(&mut acc, &msg, NOW);
        if require {
            assert_eq!(
                r,
                Err(Error::Policy {
                    what: authcore::what!("NTLM MIC required")
                })
            );
        } else {
            assert_eq!(r, Ok(Progress::Complete { written: 0 }));
        }
    }
}

#[test]
fn truncated_and_garbage_tokens_fail_typed_at_every_step() {
    let mut init = alice(InitiatorConfig::new());
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(17));
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let garbage: Vec<u8> = (0..300u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();

    // NEGOTIATE to a fresh acceptor. Cut after the flags (16 bytes, the oldest
    // form) or after the header (32, without VERSION) it is still a NEGOTIATE;
    // cut anywhere else it is not.
    for n in [16, 32] {
        let mut acc = Acceptor::new(&USERS, config()).unwrap();
        assert!(acc
            .step(&run.negotiate[..n], &mut out, NOW, &mut TestRng::new(1))
            .is_ok());
    }
    let mut bads: Vec<Vec<u8>> = (0..run.negotiate.len())
        .filter(|&n| n != 16 && n < 32)
        .map(|n| run.negotiate[..n].to_vec())
        .collect();
    bads.push(garbage.clone());
    bads.push(run.challenge.clone());
    bads.push(vec![0; 400]);
    for bad in &bads {
        let mut acc = Acceptor::new(&USERS, config()).unwrap();
        assert!(acc.step(bad, &mut out, NOW, &mut TestRng::new(1)).is_err());
        assert_eq!(
            acc.step(&run.negotiate, &mut out, NOW, &mut TestRng::new(1)),
            Err(Error::WrongState)
        );
    }

    // CHALLENGE to an initiator that sent NEGOTIATE.
    let mut bads: Vec<Vec<u8>> = (0..run.challenge.len())
        .map(|n| run.challenge[..n].to_vec())
        .collect();
    bads.push(garbage.clone());
    bads.push(run.negotiate.clone());
    let mut lying = run.challenge.clone();
    lying[40] = 0xff; // TargetInfoLen past the end
    bads.push(lying);
    let mut overlapping = run.challenge.clone();
    overlapping[44..48].copy_from_slice(&56u32.to_le_bytes()); // TargetInfo over TargetName
    bads.push(overlapping);
    let mut into_header = run.challenge.clone();
    into_header[16..20].copy_from_slice(&8u32.to_le_bytes()); // TargetName inside the header
    bads.push(into_header);
    for bad in &bads {
        let mut init = alice(InitiatorConfig::new());
        assert!(init.step(&[], &mut out, NOW, &mut TestRng::new(1)).is_ok());
        let r = init.step(bad, &mut out, NOW, &mut TestRng::new(1));
        assert!(r.is_err(), "accepted {bad:02x?}");
        assert_eq!(
            init.step(&run.challenge, &mut out, NOW, &mut TestRng::new(1)),
            Err(Error::WrongState)
        );
    }

    // AUTHENTICATE to an acceptor that sent CHALLENGE (same handshake replayed).
    let mut bads: Vec<Vec<u8>> = (0..run.authenticate.len())
        .map(|n| run.authenticate[..n].to_vec())
        .collect();
    bads.push(garbage);
    bads.push(run.negotiate.clone());
    let mut lying = run.authenticate.clone();
    lying[20] = 0xff; // NtChallengeResponseLen past the end
    bads.push(lying);
    let mut overlapping = run.authenticate.clone();
    let nt_offset = u32::from_le_bytes(run.authenticate[24..28].try_into().unwrap());
    overlapping[32..36].copy_from_slice(&nt_offset.to_le_bytes()); // DomainName over NtChallengeResponse
    bads.push(overlapping);
    for bad in &bads {
        let mut init = alice(InitiatorConfig::new());
        let mut acc = Acceptor::new(&USERS, config()).unwrap();
        tokens(&mut init, &mut acc, &mut TestRng::new(17));
        assert!(
            accept(&mut acc, bad, NOW).is_err(),
            "accepted {} bytes",
            bad.len()
        );
        assert_eq!(
            accept(&mut acc, &run.authenticate, NOW),
            Err(Error::WrongState)
        );
    }
}

#[test]
fn typed_errors_for_structural_faults() {
    let mut out = vec![0u8; MAX_TOKEN_LEN];
    let mut init = alice(InitiatorConfig::new());
    assert!(init.step(&[], &mut out, NOW, &mut TestRng::new(1)).is_ok());
    let negotiate = out[..40].to_vec();
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let Progress::Continue { written } = acc
        .step(&negotiate, &mut out, NOW, &mut TestRng::new(1))
        .unwrap()
    else {
        panic!()
    };
    let mut challenge = out[..written].to_vec();
    challenge[40] = 0xff;
    let mut init2 = alice(InitiatorConfig::new());
    assert!(init2.step(&[], &mut out, NOW, &mut TestRng::new(1)).is_ok());
    assert!(matches!(
        init2.step(&challenge, &mut out, NOW, &mut TestRng::new(1)),
        Err(Error::Truncated { .. })
    ));

    // Output buffer too small.
    let mut small = [0u8; 10];
    let mut init3 = alice(InitiatorConfig::new());
    assert_eq!(
        init3.step(&[], &mut small, NOW, &mut TestRng::new(1)),
        Err(Error::BufferTooSmall { needed: 40 })
    );
    // Initiator's first step wants empty input.
    let mut init4 = alice(InitiatorConfig::new());
    assert_eq!(
        init4.step(b"x", &mut out, NOW, &mut TestRng::new(1)),
        Err(Error::WrongState)
    );
}

#[test]
fn over_long_names_are_capacity_errors() {
    let long = "x".repeat(200);
    assert!(matches!(
        Initiator::new(&long, "D", "p", InitiatorConfig::new()),
        Err(Error::CapacityExceeded { .. })
    ));
    assert!(matches!(
        Initiator::new(
            "u",
            "D",
            "p",
            InitiatorConfig::new().with_target_name(&long)
        ),
        Err(Error::CapacityExceeded { .. })
    ));
    let mut c = config();
    c.dns_tree_name = Some(&"y".repeat(65).leak()[..]);
    assert!(matches!(
        Acceptor::new(&USERS, c),
        Err(Error::CapacityExceeded { .. })
    ));

    // A client whose names do not fit the acceptor's identity buffer.
    let user = "u".repeat(64);
    let domain = "d".repeat(64);
    let mut init = Initiator::new(&user, &domain, "p", InitiatorConfig::new()).unwrap();
    let mut acc = Acceptor::new(&USERS, config()).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(18));
    assert_eq!(
        accept(&mut acc, &run.authenticate, NOW),
        Err(Error::CapacityExceeded {
            what: authcore::what!("NTLM identity names")
        })
    );
}

#[test]
fn largest_tokens_fit_max_token_len() {
    let user = "ü".repeat(32); // 64 UTF-8 bytes
    let domain = "D".repeat(64);
    let ws = "W".repeat(32);
    let spn = "S".repeat(128);
    let n = "n".repeat(64);
    let n: &'static str = n.leak();
    let mut c = AcceptorConfig::new(n, n);
    c.dns_computer_name = Some(n);
    c.dns_domain_name = Some(n);
    c.dns_tree_name = Some(n);
    let mut init = Initiator::new(
        &user,
        &domain,
        "p",
        InitiatorConfig::new()
            .with_workstation(&ws)
            .with_target_name(&spn),
    )
    .unwrap();
    let mut acc = Acceptor::new(&USERS, c).unwrap();
    let run = tokens(&mut init, &mut acc, &mut TestRng::new(19));
    assert_eq!(run.challenge.len(), authcore::ntlm::MAX_CHALLENGE_LEN);
    assert!(run.authenticate.len() <= MAX_TOKEN_LEN);
    println!(
        "NEGOTIATE {} CHALLENGE {} AUTHENTICATE {} MAX_TOKEN_LEN {MAX_TOKEN_LEN}",
        run.negotiate.len(),
        run.challenge.len(),
        run.authenticate.len()
    );
}

#[test]
fn context_sizes_fit_the_budget() {
    let init = core::mem::size_of::<Initiator>();
    let acc = core::mem::size_of::<Acceptor<'static, &Users>>();
    println!("size_of::<Initiator>() = {init}, size_of::<Acceptor<&Store>>() = {acc}");
    assert!(init <= 768, "Initiator is {init} bytes");
    assert!(acc <= 768, "Acceptor is {acc} bytes");
}

#[test]
fn ntlmv1_only_with_legacy_opt_in() {
    use authcore::crypto::ntlm::{ntlmv1_response, ntlmv1_session_base_key};
    use authcore::ntlm::keys::{exchange_session_key, kxkey_v1_ess};
    use authcore::ntlm::{Role, SessionSecurity};

    for allow in [false, true] {
        let mut c = config();
        c.require_mic = false;
        c.allow_ntlmv1 = allow;
        let mut init = alice(InitiatorConfig::new());
        let mut acc = Acceptor::new(&USERS, c).unwrap();
        let run = tokens(&mut init, &mut acc, &mut TestRng::new(20));
        let ch = ChallengeRepr::parse(&run.challenge).unwrap();
        let a = AuthenticateRepr::parse(&run.authenticate).unwrap();
        // Rewrite the client's answer as NTLMv1 with extended session security.
        let nt_hash = NtHash::from_password("correct horse");
        let cc = [0x5a; 8];
        let lm = [&cc[..], &[0; 16]].concat();
        let nt = ntlmv1_response(&nt_hash, &ch.server_challenge, Some(&cc));
        let kx = kxkey_v1_ess(
            &ntlmv1_session_base_key(&nt_hash),
            &ch.server_challenge,
            &cc,
        );
        let exported = [0x33; 16];
        let key = exchange_session_key(&kx, &exported);
        let repr = AuthenticateRepr {
            lm_response: Payload::Bytes(&lm),
            nt_response: Payload::Bytes(&nt),
            encrypted_session_key: Payload::Bytes(&key),
            mic: None,
            ..a
        };
        let mut msg = vec![0u8; repr.buffer_len()];
        repr.emit(&mut msg).unwrap();
        let r = accept(&mut acc, &msg, NOW);
        if !allow {
            assert_eq!(
                r,
                Err(Error::Policy {
                    what: authcore::what!("NTLMv1")
                })
            );
            continue;
        }
        assert_eq!(r, Ok(Progress::Complete { written: 0 }));
        let flags = ch.flags & a.flags;
        let mut client = SessionSecurity::new(
            &authcore::crypto::ntlm::Key16::from_bytes(exported),
            flags,
            Role::Initiator,
        );
        let token = seal(&mut client, b"v1");
        assert_eq!(unseal(&mut acc, &token).unwrap(), b"v1");
    }
}
