//! MS-NLMP section 4.2 vectors, byte for byte (data: tests/vectors/ms-nlmp-4.2.txt).

use std::collections::BTreeMap;

use authcore::crypto::ntlm::{lmowfv2, ntowfv1, ntowfv2, Key16};
use authcore::ntlm::keys::{
    exchange_session_key, lmv2_response, nt_proof, ntlmv2_session_base_key, seal_key, sign_key,
    Direction,
};
use authcore::ntlm::wire::{
    AuthenticateRepr, AvPairRepr, ChallengeRepr, NegotiateFlags, NegotiateRepr, Ntlmv2Response,
    Payload, Text, Version,
};
use authcore::ntlm::{
    Acceptor, AcceptorConfig, CredentialStore, Initiator, InitiatorConfig, NtHash, Role,
    SessionSecurity,
};
use authcore::{Progress, Protect, Step, Time};
use authcore_tests::script_rng::ScriptRng;

/// The records of tests/vectors/ms-nlmp-4.2.txt by subsection, values decoded.
struct VectorFile {
    values: BTreeMap<(String, String), Vec<u8>>,
}

impl VectorFile {
    /// A value of the record of subsection `section` (written "MS-NLMP 4.2.x.y",
    /// as the tests name their sources).
    fn get(&self, section: &str, key: &str) -> &[u8] {
        let section = section.trim().trim_start_matches("MS-NLMP ").to_string();
        self.values
            .get(&(section.clone(), key.to_string()))
            .unwrap_or_else(|| panic!("ms-nlmp-4.2.txt: no `{key}` in {section}"))
    }

    fn text(&self, section: &str, key: &str) -> &str {
        std::str::from_utf8(self.get(section, key)).unwrap()
    }

    fn array<const N: usize>(&self, section: &str, key: &str) -> [u8; N] {
        self.get(section, key)
            .try_into()
            .unwrap_or_else(|_| panic!("{section} {key}: not {N} bytes"))
    }
}

fn v() -> VectorFile {
    let mut values = BTreeMap::new();
    for r in authcore_tests::load("ms-nlmp-4.2.txt") {
        let section = r.text("test").to_string();
        for key in FIELDS {
            if r.has(key) {
                assert!(
                    values
                        .insert((section.clone(), key.to_string()), r.bytes(key))
                        .is_none(),
                    "{}",
                    r.at()
                );
            }
        }
    }
    VectorFile { values }
}

/// Every field name the file uses.
const FIELDS: &[&str] = &[
    "user",
    "domain",
    "password",
    "server_name",
    "workstation",
    "random_session_key",
    "time",
    "client_challenge",
    "server_challenge",
    "flags",
    "lmowfv1",
    "ntowfv1",
    "ntowfv2",
    "session_base_key",
    "key_exchange_key",
    "nt_response",
    "lm_response",
    "encrypted_session_key",
    "plaintext",
    "seal_key",
    "sign_key",
    "data",
    "checksum",
    "signature",
    "temp",
    "nt_proof",
    "challenge",
    "authenticate",
];

const COMMON: &str = "MS-NLMP 4.2.1 ";

struct Common {
    user: String,
    domain: String,
    password: String,
    workstation: String,
    random_session_key: [u8; 16],
    client_challenge: [u8; 8],
    server_challenge: [u8; 8],
    time: u64,
}

fn common(f: &VectorFile) -> Common {
    Common {
        user: f.text(COMMON, "user").into(),
        domain: f.text(COMMON, "domain").into(),
        password: f.text(COMMON, "password").into(),
        workstation: f.text(COMMON, "workstation").into(),
        random_session_key: f.array(COMMON, "random_session_key"),
        client_challenge: f.array(COMMON, "client_challenge"),
        server_challenge: f.array(COMMON, "server_challenge"),
        time: u64::from_le_bytes(f.array(COMMON, "time")),
    }
}

fn flags(f: &VectorFile, section: &str) -> NegotiateFlags {
    NegotiateFlags::from_bits(u32::from_le_bytes(f.array(section, "flags")))
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn ms_nlmp_4_2_2_1_2_ntowfv1() {
    let f = v();
    let c = common(&f);
    assert_eq!(
        ntowfv1(&c.password).as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.2.1.2", "ntowfv1")
    );
}

#[test]
fn ms_nlmp_4_2_2_1_lmowfv1_and_session_base_key() {
    use authcore::crypto::ntlm::{lmowfv1, ntlmv1_session_base_key};
    let f = v();
    let c = common(&f);
    // 4.2.2.1.1 LMOWFv1()
    assert_eq!(
        lmowfv1(&c.password).unwrap(),
        f.array::<16>("MS-NLMP 4.2.2.1.1", "lmowfv1")
    );
    // 4.2.2.1.3 Session Base Key and Key Exchange Key: MD4(NTOWFv1)
    let sbk = ntlmv1_session_base_key(&ntowfv1(&c.password));
    assert_eq!(
        sbk.as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.2.1.3", "session_base_key")
    );
}

#[test]
fn ms_nlmp_4_2_2_2_ntlmv1_results() {
    use authcore::crypto::ntlm::{desl, lmowfv1, ntlmv1_response, ntlmv1_session_base_key};
    let f = v();
    let c = common(&f);
    assert!(!flags(&f, "MS-NLMP 4.2.2 ").contains(NegotiateFlags::EXTENDED_SESSIONSECURITY));
    let nt = ntowfv1(&c.password);
    // 4.2.2.2.1 NTLMv1 Response: DESL(NTOWFv1, ServerChallenge)
    assert_eq!(
        ntlmv1_response(&nt, &c.server_challenge, None),
        f.array::<24>("MS-NLMP 4.2.2.2.1", "nt_response")
    );
    // 4.2.2.2.2 LMv1 Response: DESL(LMOWFv1, ServerChallenge)
    let lm = lmowfv1(&c.password).unwrap();
    assert_eq!(
        desl(&lm, &c.server_challenge),
        f.array::<24>("MS-NLMP 4.2.2.2.2", "lm_response")
    );
    // 4.2.2.2.3 Encrypted Session Key: RC4(KeyExchangeKey = SessionBaseKey, RandomSessionKey)
    let kxkey = ntlmv1_session_base_key(&nt);
    assert_eq!(
        exchange_session_key(&kxkey, &c.random_session_key),
        f.array::<16>("MS-NLMP 4.2.2.2.3", "encrypted_session_key")
    );
}

#[test]
fn ms_nlmp_4_2_3_ntlmv1_with_client_challenge() {
    use authcore::crypto::ntlm::{ntlmv1_response, ntlmv1_session_base_key};
    use authcore::ntlm::keys::kxkey_v1_ess;
    let f = v();
    let c = common(&f);
    let flags = flags(&f, "MS-NLMP 4.2.3 ");
    assert!(flags.contains(NegotiateFlags::EXTENDED_SESSIONSECURITY));
    // 4.2.3.1.1 NTOWFv1()
    let nt = ntowfv1(&c.password);
    assert_eq!(
        nt.as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.3.1.1", "ntowfv1")
    );
    // 4.2.3.1.2 Session Base Key
    let sbk = ntlmv1_session_base_key(&nt);
    assert_eq!(
        sbk.as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.3.1.2", "session_base_key")
    );
    // 4.2.3.2.1 LMv1 Response: ClientChallenge || Z(16)
    let mut lm = [0u8; 24];
    lm[..8].copy_from_slice(&c.client_challenge);
    assert_eq!(lm, f.array::<24>("MS-NLMP 4.2.3.2.1", "lm_response"));
    // 4.2.3.1.3 Key Exchange Key
    let kxkey = kxkey_v1_ess(&sbk, &c.server_challenge, &c.client_challenge);
    assert_eq!(
        kxkey.as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.3.1.3", "key_exchange_key")
    );
    // 4.2.3.2.2 NTLMv1 Response
    assert_eq!(
        ntlmv1_response(&nt, &c.server_challenge, Some(&c.client_challenge)),
        f.array::<24>("MS-NLMP 4.2.3.2.2", "nt_response")
    );
}

#[test]
fn ms_nlmp_4_2_3_4_gss_wrapex() {
    use authcore::crypto::ntlm::ntlmv1_session_base_key;
    use authcore::ntlm::keys::kxkey_v1_ess;
    let f = v();
    let c = common(&f);
    let flags = flags(&f, "MS-NLMP 4.2.3 ");
    // No KEY_EXCH: the exported session key is the key exchange key; no 128:
    // 56-bit sealing key; and the checksum is not encrypted.
    assert!(!flags.contains(NegotiateFlags::KEY_EXCH));
    let sbk = ntlmv1_session_base_key(&ntowfv1(&c.password));
    let exported = kxkey_v1_ess(&sbk, &c.server_challenge, &c.client_challenge);
    const S: &str = "MS-NLMP 4.2.3.4";
    assert_eq!(
        seal_key(&exported, flags, Direction::ClientToServer).as_bytes(),
        &f.array::<16>(S, "seal_key")
    );
    assert_eq!(
        sign_key(&exported, Direction::ClientToServer).as_bytes(),
        &f.array::<16>(S, "sign_key")
    );
    wrap_and_check(
        SessionSecurity::new(&exported, flags, Role::Initiator),
        SessionSecurity::new(&exported, flags, Role::Acceptor),
        &f,
        S,
    );
}

/// Seals the section's plaintext with `sender` (SeqNum 0), compares data and
/// signature, and has `receiver` unseal it.
fn wrap_and_check(
    mut sender: SessionSecurity,
    mut receiver: SessionSecurity,
    f: &VectorFile,
    section: &str,
) {
    let plaintext = f.get(section, "plaintext");
    let mut buf = vec![0u8; 16 + plaintext.len()];
    buf[16..].copy_from_slice(plaintext);
    let n = sender
        .seal(&mut ScriptRng::new(&[]), &mut buf, plaintext.len())
        .unwrap();
    assert_eq!(n, buf.len());
    assert_eq!(&buf[16..], f.get(section, "data"), "{section} sealed data");
    assert_eq!(
        &buf[..16],
        f.get(section, "signature"),
        "{section} signature"
    );
    let r = receiver.unseal(&mut buf).unwrap();
    assert_eq!(&buf[r], plaintext);
}

#[test]
fn ms_nlmp_4_2_4_1_keys() {
    let f = v();
    let c = common(&f);
    let nt = ntowfv1(&c.password);
    // 4.2.4.1.1 NTOWFv2() and LMOWFv2()
    let expect = f.array::<16>("MS-NLMP 4.2.4.1.1", "ntowfv2");
    let rk = ntowfv2(&nt, &c.user, &c.domain);
    assert_eq!(rk.as_bytes(), &expect);
    assert_eq!(lmowfv2(&nt, &c.user, &c.domain).as_bytes(), &expect);
    // NTOWFv2 upper-cases the user only: the domain's case matters.
    assert_eq!(ntowfv2(&nt, "USER", &c.domain).as_bytes(), &expect);
    assert_ne!(ntowfv2(&nt, &c.user, "DOMAIN").as_bytes(), &expect);
    // 4.2.4.1.2 Session Base Key = HMAC_MD5(NTOWFv2, NTProofStr)
    let proof = f.array::<16>("MS-NLMP 4.2.4.2.2", "nt_proof");
    assert_eq!(
        ntlmv2_session_base_key(&rk, &proof).as_bytes(),
        &f.array::<16>("MS-NLMP 4.2.4.1.2", "session_base_key")
    );
}

#[test]
fn ms_nlmp_4_2_4_1_3_temp_and_4_2_4_2_responses() {
    let f = v();
    let c = common(&f);
    let rk = ntowfv2(&ntowfv1(&c.password), &c.user, &c.domain);
    let temp = f.get("MS-NLMP 4.2.4.1.3", "temp");
    // temp = 0x0101 Z(6) Time ClientChallenge Z(4) ServerName Z(4), where
    // ServerName is the CHALLENGE's TargetInfo (4.2.4.3), MsvAvEOL included.
    let challenge = ChallengeRepr::parse(f.get("MS-NLMP 4.2.4.3", "challenge")).unwrap();
    let info = challenge.target_info.unwrap().pairs().unwrap().as_bytes();
    let mut built = vec![1, 1, 0, 0, 0, 0, 0, 0];
    built.extend(c.time.to_le_bytes());
    built.extend(c.client_challenge);
    built.extend([0; 4]);
    built.extend(info);
    built.extend([0; 4]);
    assert_eq!(built, temp);
    // 4.2.4.2.2 NTLMv2 Response: NTProofStr over ServerChallenge || temp, the
    // 4 trailing zero bytes of temp included.
    let proof = nt_proof(&rk, &c.server_challenge, temp);
    assert_eq!(proof, f.array::<16>("MS-NLMP 4.2.4.2.2", "nt_proof"));
    assert_ne!(
        nt_proof(&rk, &c.server_challenge, &temp[..temp.len() - 4]),
        proof
    );
    // 4.2.4.2.1 LMv2 Response
    assert_eq!(
        lmv2_response(&rk, &c.server_challenge, &c.client_challenge),
        f.array::<24>("MS-NLMP 4.2.4.2.1", "lm_response")
    );
    // 4.2.4.2.3 Encrypted Session Key: RC4(KXKEY = SessionBaseKey, RandomSessionKey)
    let sbk = ntlmv2_session_base_key(&rk, &proof);
    assert_eq!(
        exchange_session_key(&sbk, &c.random_session_key),
        f.array::<16>("MS-NLMP 4.2.4.2.3", "encrypted_session_key")
    );
}

#[test]
fn ms_nlmp_4_2_4_3_challenge_message() {
    let f = v();
    let c = common(&f);
    let bytes = f.get("MS-NLMP 4.2.4.3", "challenge");
    let ch = ChallengeRepr::parse(bytes).unwrap();
    assert_eq!(ch.flags, flags(&f, "MS-NLMP 4.2.4 "));
    assert_eq!(ch.server_challenge, c.server_challenge);
    assert_eq!(ch.target_name, Text::Utf16Le(&utf16("Server")));
    assert_eq!(
        ch.version,
        Some(Version {
            major: 6,
            minor: 0,
            build: 6000,
            revision: 15
        })
    );
    let pairs = ch.target_info.unwrap().pairs().unwrap();
    let reprs: Vec<_> = pairs.iter().map(|p| p.repr().unwrap()).collect();
    let (d, s) = (utf16(&c.domain), utf16("Server"));
    assert_eq!(
        reprs,
        [
            AvPairRepr::NbDomainName(Text::Utf16Le(&d)),
            AvPairRepr::NbComputerName(Text::Utf16Le(&s))
        ]
    );
    // Emitting the parsed representation gives the same bytes back.
    let mut out = vec![0u8; ch.buffer_len()];
    assert_eq!(ch.emit(&mut out).unwrap(), bytes.len());
    assert_eq!(out, bytes);
    // And so does a representation built from values, AV pairs as a list.
    let list = [
        AvPairRepr::NbDomainName(Text::Str("Domain")),
        AvPairRepr::NbComputerName(Text::Str("Server")),
    ];
    let built = ChallengeRepr {
        target_name: Text::Str("Server"),
        target_info: Some(authcore::ntlm::wire::TargetInfo::List(&list)),
        ..ch
    };
    let mut out2 = vec![0u8; built.buffer_len()];
    built.emit(&mut out2).unwrap();
    assert_eq!(out2, bytes);
}

#[test]
fn ms_nlmp_4_2_4_3_authenticate_message() {
    let f = v();
    let c = common(&f);
    let bytes = f.get("MS-NLMP 4.2.4.3", "authenticate");
    let a = AuthenticateRepr::parse(bytes).unwrap();
    assert_eq!(a.flags.bits(), 0xe288_8235);
    assert_eq!(a.domain, Text::Utf16Le(&utf16(&c.domain)));
    assert_eq!(a.user, Text::Utf16Le(&utf16(&c.user)));
    assert_eq!(a.workstation, Text::Utf16Le(&utf16(&c.workstation)));
    assert_eq!(
        a.lm_response,
        Payload::Bytes(f.get("MS-NLMP 4.2.4.2.1", "lm_response"))
    );
    assert_eq!(
        a.encrypted_session_key,
        Payload::Bytes(f.get("MS-NLMP 4.2.4.2.3", "encrypted_session_key"))
    );
    assert_eq!(
        a.version,
        Some(Version {
            major: 5,
            minor: 1,
            build: 2600,
            revision: 15
        })
    );
    assert_eq!(a.mic, None, "4.2.4.3's AUTHENTICATE has no MIC");
    let Payload::Bytes(nt) = a.nt_response else {
        panic!()
    };
    let r = Ntlmv2Response::parse(nt).unwrap();
    assert_eq!(r.proof, f.array::<16>("MS-NLMP 4.2.4.2.2", "nt_proof"));
    assert_eq!(r.blob, f.get("MS-NLMP 4.2.4.1.3", "temp"));
    assert_eq!(r.client_challenge, c.client_challenge);
    assert_eq!(r.timestamp, c.time);

    // Emitting it from its values reproduces the message byte for byte.
    let built = AuthenticateRepr {
        domain: Text::Str(&c.domain),
        user: Text::Str(&c.user),
        workstation: Text::Str(&c.workstation),
        ..a
    };
    let mut out = vec![0u8; built.buffer_len()];
    let layout = built.emit(&mut out).unwrap();
    assert_eq!(layout.len, bytes.len());
    assert_eq!(out, bytes);
    assert_eq!(&out[layout.nt_response], nt);
}

#[test]
fn ms_nlmp_4_2_4_4_gss_wrapex() {
    let f = v();
    let c = common(&f);
    const S: &str = "MS-NLMP 4.2.4.4";
    let flags = flags(&f, "MS-NLMP 4.2.4 ");
    let exported = Key16::from_bytes(c.random_session_key);
    assert_eq!(
        seal_key(&exported, flags, Direction::ClientToServer).as_bytes(),
        &f.array::<16>(S, "seal_key")
    );
    assert_eq!(
        sign_key(&exported, Direction::ClientToServer).as_bytes(),
        &f.array::<16>(S, "sign_key")
    );
    // The checksum before RC4: HMAC_MD5(SigningKey, SeqNum || Message)[0..7].
    let mut sig = [0u8; 16];
    let mut nokx = SessionSecurity::new(
        &exported,
        flags.difference(NegotiateFlags::KEY_EXCH),
        Role::Initiator,
    );
    nokx.sign(f.get(S, "plaintext"), &mut sig).unwrap();
    assert_eq!(&sig[4..12], f.get(S, "checksum"));
    wrap_and_check(
        SessionSecurity::new(&exported, flags, Role::Initiator),
        SessionSecurity::new(&exported, flags, Role::Acceptor),
        &f,
        S,
    );
}

struct OneUser(NtHash);

impl CredentialStore for OneUser {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (user.eq_ignore_ascii_case("user") && domain.eq_ignore_ascii_case("domain"))
            .then(|| self.0.clone())
    }
}

/// The acceptor takes 4.2.4.3's AUTHENTICATE (server challenge injected through
/// the RNG), derives 4.2.4's keys, and unseals 4.2.4.4's message.
#[test]
fn ms_nlmp_4_2_4_acceptor_accepts_spec_authenticate() {
    let f = v();
    let c = common(&f);
    let store = OneUser(NtHash::from_password(&c.password));
    let mut config = AcceptorConfig::new("Server", "Domain");
    config.require_mic = false; // 4.2.4.3's AUTHENTICATE predates the MIC
    let mut acceptor = Acceptor::new(&store, config).unwrap();
    let negotiate = NegotiateRepr {
        flags: flags(&f, "MS-NLMP 4.2.4 ") | NegotiateFlags::REQUEST_TARGET,
        domain: &[],
        workstation: &[],
        version: None,
    };
    let mut neg = vec![0u8; negotiate.buffer_len()];
    negotiate.emit(&mut neg).unwrap();
    let mut rng = ScriptRng::new(&[&c.server_challenge]);
    let mut out = vec![0u8; authcore::ntlm::MAX_TOKEN_LEN];
    let now = Time::from_unix_secs(1_700_000_000);
    let p = acceptor.step(&neg, &mut out, now, &mut rng).unwrap();
    assert!(matches!(p, Progress::Continue { .. }));
    assert!(rng.exhausted());
    let p = acceptor
        .step(
            f.get("MS-NLMP 4.2.4.3", "authenticate"),
            &mut out,
            now,
            &mut rng,
        )
        .unwrap();
    assert_eq!(p, Progress::Complete { written: 0 });
    let id = acceptor.identity().unwrap();
    assert_eq!(
        (id.user, id.domain, id.workstation, id.anonymous),
        ("User", "Domain", "COMPUTER", false)
    );

    // 4.2.4.4: the client's sealed "Plaintext" (signature first, then data).
    const S: &str = "MS-NLMP 4.2.4.4";
    let mut token = [f.get(S, "signature"), f.get(S, "data")].concat();
    let r = acceptor.unseal(&mut token).unwrap();
    assert_eq!(&token[r], f.get(S, "plaintext"));
}

/// The initiator answers 4.2.4.3's CHALLENGE with 4.2.4's client challenge,
/// time and random session key: its LMv2 response is the spec's, its client
/// challenge starts as 4.2.4.1.3's temp does (then come the pairs the client adds,
/// so NTProofStr and the encrypted key differ from 4.2.4.2's), its exported
/// session key is the random one, and its first sealed message is 4.2.4.4's.
#[test]
fn ms_nlmp_4_2_4_initiator_answers_spec_challenge() {
    let f = v();
    let c = common(&f);
    let mut init = Initiator::new(&c.user, &c.domain, &c.password, InitiatorConfig::new()).unwrap();
    let mut rng = ScriptRng::new(&[&c.client_challenge, &c.random_session_key]);
    let mut out = vec![0u8; authcore::ntlm::MAX_TOKEN_LEN];
    let now = Time::from_filetime(c.time);
    let p = init.step(&[], &mut out, now, &mut rng).unwrap();
    assert!(matches!(p, Progress::Continue { written: 40 }));
    let challenge = f.get("MS-NLMP 4.2.4.3", "challenge");
    let Progress::Complete { written } = init.step(challenge, &mut out, now, &mut rng).unwrap()
    else {
        panic!()
    };
    assert!(rng.exhausted());
    let a = AuthenticateRepr::parse(&out[..written]).unwrap();
    assert_eq!(
        a.lm_response,
        Payload::Bytes(f.get("MS-NLMP 4.2.4.2.1", "lm_response"))
    );
    let Payload::Bytes(nt) = a.nt_response else {
        panic!()
    };
    let r = Ntlmv2Response::parse(nt).unwrap();
    let rk = ntowfv2(&ntowfv1(&c.password), &c.user, &c.domain);
    assert_eq!(r.proof, nt_proof(&rk, &c.server_challenge, r.blob));
    let sbk = ntlmv2_session_base_key(&rk, &r.proof);
    let Payload::Bytes(enc) = a.encrypted_session_key else {
        panic!()
    };
    assert_eq!(
        exchange_session_key(&sbk, enc.try_into().unwrap()),
        c.random_session_key
    );
    let temp = f.get("MS-NLMP 4.2.4.1.3", "temp");
    // Same header and server pairs; then the client's own pairs before MsvAvEOL.
    let server_part = temp.len() - 8;
    assert_eq!(&r.blob[..server_part], &temp[..server_part]);
    assert!(a.mic.is_some());

    const S: &str = "MS-NLMP 4.2.4.4";
    let plaintext = f.get(S, "plaintext");
    let mut buf = vec![0u8; 16 + plaintext.len()];
    buf[16..].copy_from_slice(plaintext);
    init.seal(&mut ScriptRng::new(&[]), &mut buf, plaintext.len())
        .unwrap();
    assert_eq!(&buf[16..], f.get(S, "data"));
    assert_eq!(&buf[..16], f.get(S, "signature"));
}
