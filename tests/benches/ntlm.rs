//! NTLM cost: a full in-process handshake and seal+unseal at 1 KiB and 64 KiB,
//! for authcore and for Devolutions' `sspi` crate doing the same work, beside the
//! "crypto floor": the bare RustCrypto calls that work needs, measured in the same
//! run. A counting global allocator reports the heap use of one operation of each.
//!
//! What a handshake is here, for both implementations: build a client context
//! from user, domain and password and a server context; NEGOTIATE, CHALLENGE,
//! AUTHENTICATE; the server looks the user up, getting the *password* (sspi's
//! server API takes an `AuthIdentity` with a password, so authcore's store hashes
//! the password on lookup too), verifies NTProofStr and the MIC; both ends then
//! hold their sealing and signing state. Flags: NTLMv2 with extended session
//! security, 128-bit, KEY_EXCH, MIC, as both clients ask for by default.
//!
//! The floor of one handshake, per side (so twice), in the order authcore does it:
//!
//! | step                      | primitive calls                                            |
//! |---------------------------|------------------------------------------------------------|
//! | NTOWFv1                   | MD4(UTF-16LE(password))                                    |
//! | NTOWFv2                   | HMAC-MD5 key setup (NT hash), MAC(UPPER(user) ‖ domain)    |
//! | NTProofStr                | HMAC-MD5 key setup (ResponseKeyNT), MAC(ServerChallenge ‖ blob) |
//! | SessionBaseKey            | MAC(NTProofStr) under the same prepared ResponseKeyNT      |
//! | KEY_EXCH                  | RC4 key schedule (KeyExchangeKey), 16 bytes of keystream   |
//! | MIC                       | HMAC-MD5 key setup (ExportedSessionKey), MAC(NEGOTIATE ‖ CHALLENGE ‖ AUTHENTICATE) |
//! | SIGNKEY, SEALKEY          | 4 × MD5(ExportedSessionKey ‖ 59-byte magic)                |
//! | session state             | 2 × RC4 key schedule (sealing handles), 2 × HMAC-MD5 key setup (signing keys) |
//!
//! In all: 2 MD4, 10 HMAC-MD5 key setups, 8 HMAC-MD5 MACs, 8 MD5, 6 RC4 key
//! schedules and 32 bytes of RC4 keystream, over the byte lengths of authcore's
//! own messages (captured from one handshake). LMv2 is not in it: a server that
//! sends MsvAvTimestamp gets Z(24) (MS-NLMP 3.1.5.2.1).
//!
//! The floor of one seal+unseal of n bytes: on each side one MAC under a prepared
//! signing key over SeqNum ‖ message (4 + n bytes), n bytes of RC4 keystream on
//! the message and 8 on the checksum, with the RC4 states running on across
//! messages as NTLM's sealing handles do.
//!
//! Beyond the floor, sspi also computes an LMv2 response, sets up the
//! ResponseKeyNT HMAC key once per MAC, and draws its challenges and keys from
//! the OS generator (reseeding a `StdRng` each time) and the system clock;
//! authcore gets a deterministic `TestRng` and a fixed time, as its sans-IO API
//! takes them from the caller.
//!
//! Output, after criterion's own: a table from criterion's median estimates, then
//! one from an interleaved run (rounds of one batch of each contender in turn;
//! fastest batch per contender, median of the per-round ratios), which is what to
//! read on a loaded machine: criterion measures one contender after the other, so
//! load that comes and goes skews its ratios. Then the heap use of one operation
//! of each implementation.

use std::hint::black_box;

use authcore::ntlm::{
    Acceptor, AcceptorConfig, CredentialStore, Initiator, InitiatorConfig, NtHash, MAX_TOKEN_LEN,
};
use authcore::{Progress, Protect, Step, Time};
use authcore_tests::bench_rng::TestRng;
use criterion::{criterion_group, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use md4::Md4;
use md5::{Digest, Md5};
use rc4::{Rc4, StreamCipher};
use sspi::{
    AuthIdentity, BufferType, ClientRequestFlags, CredentialUse, DataRepresentation,
    EncryptionFlags, Ntlm, SecurityBuffer, SecurityBufferRef, SecurityStatus, ServerRequestFlags,
    Sspi, SspiEx, SspiImpl, Username,
};

#[path = "../src/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::{AllocCount, CountingAlloc};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const USER: &str = "user";
const DOMAIN: &str = "DOMAIN";
const PASSWORD: &str = "Passw0rd!";
const NOW: Time = Time::from_unix_secs(1_700_000_000);
const SIZES: [usize; 2] = [1024, 64 * 1024];
const SIG: usize = authcore::ntlm::SIGNATURE_LEN;

/// One account, stored as its password (see the module docs for why).
struct PasswordStore;

impl CredentialStore for PasswordStore {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (user.eq_ignore_ascii_case(USER) && domain.eq_ignore_ascii_case(DOMAIN))
            .then(|| NtHash::from_password(PASSWORD))
    }
}

type AuthcoreAcceptor = Acceptor<'static, &'static PasswordStore>;

/// The three tokens of a handshake, allocated once.
struct Tokens {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    authenticate: Vec<u8>,
    lens: [usize; 3],
}

impl Tokens {
    fn new() -> Tokens {
        Tokens {
            negotiate: vec![0; MAX_TOKEN_LEN],
            challenge: vec![0; MAX_TOKEN_LEN],
            authenticate: vec![0; MAX_TOKEN_LEN],
            lens: [0; 3],
        }
    }
}

fn authcore_handshake(rng: &mut TestRng, t: &mut Tokens) -> (Initiator, AuthcoreAcceptor) {
    let mut client = Initiator::new(USER, DOMAIN, PASSWORD, InitiatorConfig::new()).unwrap();
    let mut server = Acceptor::new(&PasswordStore, AcceptorConfig::new("SERVER", DOMAIN)).unwrap();
    let Progress::Continue { written: n } = client.step(&[], &mut t.negotiate, NOW, rng).unwrap()
    else {
        panic!("NEGOTIATE")
    };
    let Progress::Continue { written: c } = server
        .step(&t.negotiate[..n], &mut t.challenge, NOW, rng)
        .unwrap()
    else {
        panic!("CHALLENGE")
    };
    let Progress::Complete { written: a } = client
        .step(&t.challenge[..c], &mut t.authenticate, NOW, rng)
        .unwrap()
    else {
        panic!("AUTHENTICATE")
    };
    let done = server
        .step(&t.authenticate[..a], &mut [], NOW, rng)
        .unwrap();
    assert!(matches!(done, Progress::Complete { written: 0 }));
    t.lens = [n, c, a];
    (client, server)
}

fn sspi_identity() -> AuthIdentity {
    AuthIdentity {
        username: Username::new(USER, Some(DOMAIN)).unwrap(),
        password: PASSWORD.to_string().into(),
    }
}

/// sspi's client and server, driven as its own tests drive them: the server
/// answers AUTHENTICATE with `CompleteNeeded`, the application reads the user name,
/// supplies the identity, and `complete_auth_token` verifies.
fn sspi_handshake() -> (Ntlm, Ntlm) {
    let identity = sspi_identity();
    let mut client = Ntlm::new();
    let mut client_creds = client
        .acquire_credentials_handle()
        .with_credential_use(CredentialUse::Outbound)
        .with_auth_data(&identity)
        .execute(&mut client)
        .unwrap()
        .credentials_handle;
    let mut server = Ntlm::new();
    let mut server_creds = server
        .acquire_credentials_handle()
        .with_credential_use(CredentialUse::Inbound)
        .execute(&mut server)
        .unwrap()
        .credentials_handle;

    let mut negotiate = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
    let mut builder = client
        .initialize_security_context()
        .with_credentials_handle(&mut client_creds)
        .with_context_requirements(ClientRequestFlags::CONFIDENTIALITY)
        .with_target_data_representation(DataRepresentation::Native)
        .with_output(&mut negotiate);
    let r = client
        .initialize_security_context_impl(&mut builder)
        .unwrap()
        .resolve_to_result()
        .unwrap();
    assert_eq!(r.status, SecurityStatus::ContinueNeeded);

    let mut challenge = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
    let builder = server
        .accept_security_context()
        .with_credentials_handle(&mut server_creds)
        .with_context_requirements(ServerRequestFlags::empty())
        .with_target_data_representation(DataRepresentation::Native)
        .with_input(&mut negotiate)
        .with_output(&mut challenge);
    let r = server
        .accept_security_context_impl(builder)
        .unwrap()
        .resolve_to_result()
        .unwrap();
    assert_eq!(r.status, SecurityStatus::ContinueNeeded);

    let mut authenticate = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
    let mut builder = client
        .initialize_security_context()
        .with_credentials_handle(&mut client_creds)
        .with_context_requirements(ClientRequestFlags::CONFIDENTIALITY)
        .with_target_data_representation(DataRepresentation::Native)
        .with_input(&mut challenge)
        .with_output(&mut authenticate);
    let r = client
        .initialize_security_context_impl(&mut builder)
        .unwrap()
        .resolve_to_result()
        .unwrap();
    assert_eq!(r.status, SecurityStatus::Ok);

    let mut none = vec![SecurityBuffer::new(Vec::new(), BufferType::Token)];
    let builder = server
        .accept_security_context()
        .with_credentials_handle(&mut server_creds)
        .with_context_requirements(ServerRequestFlags::empty())
        .with_target_data_representation(DataRepresentation::Native)
        .with_input(&mut authenticate)
        .with_output(&mut none);
    let r = server
        .accept_security_context_impl(builder)
        .unwrap()
        .resolve_to_result()
        .unwrap();
    assert_eq!(r.status, SecurityStatus::CompleteNeeded);
    let names = server.query_context_names().unwrap();
    assert_eq!(names.username.account_name(), USER);
    server.custom_set_auth_identity(sspi_identity()).unwrap();
    assert_eq!(
        server.complete_auth_token(&mut []).unwrap(),
        SecurityStatus::Ok
    );
    (client, server)
}

/// Client seals `buf[SIG..]` in place, server unseals it in place.
fn authcore_seal_unseal(
    client: &mut Initiator,
    server: &mut AuthcoreAcceptor,
    rng: &mut TestRng,
    buf: &mut [u8],
) {
    let n = client.seal(rng, buf, buf.len() - SIG).unwrap();
    let range = server.unseal(&mut buf[..n]).unwrap();
    black_box(range);
}

fn sspi_seal_unseal(client: &mut Ntlm, server: &mut Ntlm, sig: &mut [u8; SIG], data: &mut [u8]) {
    let mut msg = [
        SecurityBufferRef::token_buf(sig),
        SecurityBufferRef::data_buf(data),
    ];
    client
        .encrypt_message(EncryptionFlags::empty(), &mut msg)
        .unwrap();
    server.decrypt_message(&mut msg).unwrap();
    black_box(&msg);
}

/// Byte lengths the floor works on, taken from one authcore handshake.
struct FloorInputs {
    password: Vec<u8>,
    user_domain: Vec<u8>,
    challenge_and_blob: Vec<u8>,
    mic_input: Vec<u8>,
}

impl FloorInputs {
    fn capture() -> FloorInputs {
        let mut t = Tokens::new();
        authcore_handshake(&mut TestRng::new(9), &mut t);
        let [n, c, a] = t.lens;
        let auth = &t.authenticate[..a];
        // NtChallengeResponseFields (MS-NLMP 2.2.1.3): Len, MaxLen, BufferOffset.
        let nt_len = usize::from(u16::from_le_bytes([auth[20], auth[21]]));
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let mut mic_input = t.negotiate[..n].to_vec();
        mic_input.extend_from_slice(&t.challenge[..c]);
        mic_input.extend_from_slice(auth);
        FloorInputs {
            password: utf16(PASSWORD),
            user_domain: utf16(&(USER.to_uppercase() + DOMAIN)),
            // ServerChallenge (8) and the NTLMv2 blob (NtChallengeResponse less its 16-byte proof).
            challenge_and_blob: vec![0x11; 8 + nt_len - 16],
            mic_input,
        }
    }
}

const MAGIC: [&[u8]; 4] = [
    b"session key to client-to-server signing key magic constant\0",
    b"session key to server-to-client signing key magic constant\0",
    b"session key to client-to-server sealing key magic constant\0",
    b"session key to server-to-client sealing key magic constant\0",
];

fn mac(key: &Hmac<Md5>, parts: &[&[u8]]) -> [u8; 16] {
    let mut m = key.clone();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// One side's primitive calls (the table in the module docs).
fn floor_side(i: &FloorInputs) {
    let nt: [u8; 16] = Md4::digest(&i.password).into();
    let nt_key = <Hmac<Md5> as KeyInit>::new_from_slice(&nt).unwrap();
    let response_key = mac(&nt_key, &[&i.user_domain]);
    let rk = <Hmac<Md5> as KeyInit>::new_from_slice(&response_key).unwrap();
    let proof = mac(&rk, &[&i.challenge_and_blob]);
    let session_base_key = mac(&rk, &[&proof]);
    let mut exported = black_box([0x42u8; 16]);
    Rc4::new_from_slice(&session_base_key)
        .unwrap()
        .apply_keystream(&mut exported);
    let mic_key = <Hmac<Md5> as KeyInit>::new_from_slice(&exported).unwrap();
    black_box(mac(&mic_key, &[&i.mic_input]));
    let keys: [[u8; 16]; 4] = MAGIC.map(|magic| {
        Md5::new()
            .chain_update(exported)
            .chain_update(magic)
            .finalize()
            .into()
    });
    black_box(<Hmac<Md5> as KeyInit>::new_from_slice(&keys[0]).unwrap());
    black_box(<Hmac<Md5> as KeyInit>::new_from_slice(&keys[1]).unwrap());
    black_box(Rc4::new_from_slice(&keys[2]).unwrap());
    black_box(Rc4::new_from_slice(&keys[3]).unwrap());
}

/// Prepared per-direction state, as an established context holds it.
struct FloorSession {
    send_sign: Hmac<Md5>,
    recv_sign: Hmac<Md5>,
    send_seal: Rc4,
    recv_seal: Rc4,
    seq: u32,
}

impl FloorSession {
    fn new() -> FloorSession {
        FloorSession {
            send_sign: <Hmac<Md5> as KeyInit>::new_from_slice(&[1; 16]).unwrap(),
            recv_sign: <Hmac<Md5> as KeyInit>::new_from_slice(&[1; 16]).unwrap(),
            send_seal: Rc4::new_from_slice(&[2; 16]).unwrap(),
            recv_seal: Rc4::new_from_slice(&[2; 16]).unwrap(),
            seq: 0,
        }
    }

    fn seal_unseal(&mut self, sig: &mut [u8; 16], msg: &mut [u8]) {
        let seq = self.seq.to_le_bytes();
        let checksum = mac(&self.send_sign, &[&seq, msg]);
        self.send_seal.apply_keystream(msg);
        sig[4..12].copy_from_slice(&checksum[..8]);
        self.send_seal.apply_keystream(&mut sig[4..12]);

        self.recv_seal.apply_keystream(msg);
        let checksum = mac(&self.recv_sign, &[&seq, msg]);
        let mut expected = [0u8; 8];
        expected.copy_from_slice(&checksum[..8]);
        self.recv_seal.apply_keystream(&mut expected);
        black_box(expected == sig[4..12]);
        self.seq = self.seq.wrapping_add(1);
    }
}

/// What a row of the table measures.
#[derive(Clone, Copy)]
enum Work {
    Handshake,
    SealUnseal(usize),
}

const WORK: [Work; 3] = [
    Work::Handshake,
    Work::SealUnseal(SIZES[0]),
    Work::SealUnseal(SIZES[1]),
];
const WHO: [&str; 3] = ["authcore", "sspi", "floor"];

impl Work {
    fn name(self) -> String {
        match self {
            Work::Handshake => "handshake".into(),
            Work::SealUnseal(n) => format!("seal+unseal {} KiB", n / 1024),
        }
    }

    /// Criterion's id of `who` doing this work.
    fn id(self, who: &str) -> String {
        match self {
            Work::Handshake => format!("ntlm-handshake/{who}"),
            Work::SealUnseal(n) => format!("ntlm-seal-unseal/{who}/{n}"),
        }
    }

    /// One operation each of authcore, sspi and the floor (in `WHO` order), each
    /// closure owning its established contexts and buffers.
    fn contenders(self) -> [Box<dyn FnMut()>; 3] {
        match self {
            Work::Handshake => {
                let mut rng = TestRng::new(1);
                let mut tokens = Tokens::new();
                let inputs = FloorInputs::capture();
                [
                    Box::new(move || {
                        black_box(authcore_handshake(&mut rng, &mut tokens));
                    }),
                    Box::new(|| {
                        black_box(sspi_handshake());
                    }),
                    Box::new(move || {
                        floor_side(black_box(&inputs));
                        floor_side(black_box(&inputs));
                    }),
                ]
            }
            Work::SealUnseal(size) => {
                let mut rng = TestRng::new(2);
                let (mut ac, mut aa) = authcore_handshake(&mut rng, &mut Tokens::new());
                let mut buf = vec![0x5a; SIG + size];
                let (mut sc, mut ss) = sspi_handshake();
                let (mut sig, mut data) = ([0u8; SIG], vec![0x5a; size]);
                let mut floor = FloorSession::new();
                let (mut fsig, mut fdata) = ([0u8; SIG], vec![0x5a; size]);
                [
                    Box::new(move || authcore_seal_unseal(&mut ac, &mut aa, &mut rng, &mut buf)),
                    Box::new(move || sspi_seal_unseal(&mut sc, &mut ss, &mut sig, &mut data)),
                    Box::new(move || floor.seal_unseal(&mut fsig, &mut fdata)),
                ]
            }
        }
    }
}

fn criterion_runs(c: &mut Criterion) {
    for work in WORK {
        let (group, size) = match work {
            Work::Handshake => ("ntlm-handshake", None),
            Work::SealUnseal(n) => ("ntlm-seal-unseal", Some(n)),
        };
        let mut group = c.benchmark_group(group);
        if let Some(n) = size {
            group.throughput(Throughput::Bytes(n as u64));
        }
        for (who, mut f) in WHO.into_iter().zip(work.contenders()) {
            match size {
                None => group.bench_function(who, |b| b.iter(&mut f)),
                Some(n) => group.bench_function(BenchmarkId::new(who, n), |b| b.iter(&mut f)),
            };
        }
        group.finish();
    }
}

/// What [`paired`] measured.
struct Paired {
    /// The fastest batch's time per operation (ns) of each contender.
    best: [f64; 3],
    /// Medians over rounds of the per-round ratios authcore/floor, sspi/floor.
    ratio: [f64; 2],
}

/// Interleaved timing of the three contenders of `work`: rounds of one batch of
/// each in turn, so that the load of other processes on a shared machine, which
/// drifts on the scale of milliseconds to seconds, weighs on all three alike.
fn paired(work: Work, rounds: usize) -> Paired {
    use std::time::{Duration, Instant};
    let mut fs = work.contenders();
    // Batches of about 0.5 ms each, sized by one calibration run per contender.
    let iters: Vec<u32> = fs
        .iter_mut()
        .map(|f| {
            f();
            let t = Instant::now();
            let mut n = 0u32;
            while t.elapsed() < Duration::from_millis(5) {
                f();
                n += 1;
            }
            (n / 10).max(1)
        })
        .collect();
    let mut per_op = vec![[0f64; 3]; rounds];
    for (round, times) in per_op.iter_mut().enumerate() {
        for k in 0..3 {
            // Rotate who goes first, so none always follows the same neighbour.
            let i = (k + round) % 3;
            let t = Instant::now();
            for _ in 0..iters[i] {
                fs[i]();
            }
            times[i] = t.elapsed().as_nanos() as f64 / f64::from(iters[i]);
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let best = [0, 1, 2].map(|i| per_op.iter().map(|t| t[i]).fold(f64::INFINITY, f64::min));
    let ratio = [0, 1].map(|i| median(per_op.iter().map(|t| t[i] / t[2]).collect()));
    Paired { best, ratio }
}

/// Heap use of one operation, authcore then sspi.
struct Allocs {
    handshake: [AllocCount; 2],
    seal: Vec<[AllocCount; 2]>,
}

/// Checks both implementations authenticate and round-trip sealed messages, then
/// counts one operation of each (after a first one, so that lazily initialised
/// statics are not counted).
fn count_allocations() -> Allocs {
    let mut rng = TestRng::new(3);
    let mut tokens = Tokens::new();
    authcore_handshake(&mut rng, &mut tokens);
    sspi_handshake();
    let ((mut ac, mut aa), a) = CountingAlloc::count(|| authcore_handshake(&mut rng, &mut tokens));
    let ((mut sc, mut ss), s) = CountingAlloc::count(sspi_handshake);
    assert_eq!(aa.identity().unwrap().user, USER);

    let mut seal = Vec::new();
    for size in SIZES {
        let plain: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let mut buf = vec![0; SIG + size];
        buf[SIG..].copy_from_slice(&plain);
        let n = ac.seal(&mut rng, &mut buf, size).unwrap();
        assert_ne!(buf[SIG..n], plain[..]);
        let r = aa.unseal(&mut buf[..n]).unwrap();
        assert_eq!(buf[r], plain[..]);
        let (_, a) =
            CountingAlloc::count(|| authcore_seal_unseal(&mut ac, &mut aa, &mut rng, &mut buf));

        let mut sig = [0u8; SIG];
        let mut data = plain.clone();
        sspi_seal_unseal(&mut sc, &mut ss, &mut sig, &mut data);
        assert_eq!(data, plain);
        let (_, s) =
            CountingAlloc::count(|| sspi_seal_unseal(&mut sc, &mut ss, &mut sig, &mut data));
        seal.push([a, s]);
    }
    Allocs {
        handshake: [a, s],
        seal,
    }
}

/// Criterion's median estimate (ns) of one benchmark.
fn criterion_median(id: &str) -> Option<f64> {
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_string());
    let text = std::fs::read_to_string(format!("{dir}/criterion/{id}/new/estimates.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn fmt_time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn fmt_alloc(a: AllocCount) -> String {
    format!("{} ({} B)", a.calls, a.bytes)
}

fn header(title: &str) {
    println!(
        "\n{:<24} {:>10} {:>10} {:>10} {:>9} {:>10} {:>10}",
        title, "authcore", "sspi", "floor", "ac/floor", "sspi/floor", "ac speedup"
    );
}

fn row(name: &str, t: [f64; 3]) {
    let [a, s, f] = t;
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>8.3}x {:>9.3}x {:>9.2}x",
        name,
        fmt_time(a),
        fmt_time(s),
        fmt_time(f),
        a / f,
        s / f,
        s / a,
    );
}

fn report(allocs: &Allocs, paired: &[Paired]) {
    header("criterion medians");
    for work in WORK {
        let t = WHO.map(|who| criterion_median(&work.id(who)));
        let [Some(a), Some(s), Some(f)] = t else {
            println!("{:<24} (no estimate: run without a filter)", work.name());
            continue;
        };
        row(&work.name(), [a, s, f]);
    }
    header("interleaved, fastest");
    for (work, p) in WORK.iter().zip(paired) {
        row(&work.name(), p.best);
    }
    println!(
        "\n{:<24} {:>9} {:>10}",
        "interleaved, median", "ac/floor", "sspi/floor"
    );
    for (work, p) in WORK.iter().zip(paired) {
        println!(
            "{:<24} {:>8.3}x {:>9.3}x",
            work.name(),
            p.ratio[0],
            p.ratio[1]
        );
    }
    println!(
        "(fastest: each contender's fastest batch, the closest to an idle machine; median:\n\
         the median of per-round ratios, which includes what load does to each;\n\
         ac/floor <= 1.053x means authcore reaches >= 95 % of the floor's throughput)"
    );
    println!(
        "\n{:<24} {:>22} {:>22}",
        "heap, one operation", "authcore", "sspi"
    );
    let counts = [allocs.handshake, allocs.seal[0], allocs.seal[1]];
    for (work, [a, s]) in WORK.iter().zip(counts) {
        println!(
            "{:<24} {:>22} {:>22}",
            work.name(),
            fmt_alloc(a),
            fmt_alloc(s)
        );
    }
}

fn config() -> Criterion {
    Criterion::default()
        .measurement_time(std::time::Duration::from_secs(3))
        .warm_up_time(std::time::Duration::from_secs(1))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = criterion_runs
}

fn main() {
    let allocs = count_allocations();
    benches();
    config().configure_from_args().final_summary();
    // Only a full `cargo bench` run (no filter, no `--profile-time`, not `cargo
    // test --benches`, which passes no `--bench`) gets the interleaved timing and
    // the tables.
    let args: Vec<String> = std::env::args().skip(1).collect();
    let full = args.iter().any(|a| a == "--bench")
        && args
            .iter()
            .all(|a| a.starts_with("--") && a != "--profile-time" && a != "--list");
    if full {
        let paired: Vec<Paired> = WORK.iter().map(|&w| paired(w, 1000)).collect();
        report(&allocs, &paired);
    }
}
