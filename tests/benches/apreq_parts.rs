//! Where an AP-REQ acceptance's time goes: each part timed alone (fastest of
//! several rounds), beside the whole acceptance. For profiling; the kerberos
//! bench holds the reported numbers.

use std::hint::black_box;

use aes::cipher::KeyInit;
use aes::Aes256Enc;
use std::time::Instant;

use authcore::crypto::{Etype, Key};
use authcore::gss::cfx::Cfx;
use authcore::gss::token::Krb5Token;
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{
    name_type, ticket_flags, ApReq, Authenticator, EncTicketPart, KerberosString, PrincipalName,
};
use authcore::kerberos::{
    replay_digest, Acceptor, AcceptorConfig, Initiator, InitiatorConfig, KeyEntry, ReplayCache,
};
use authcore::{Progress, Step, Time};
use authcore_tests::bench_rng::TestRng;

const ETYPE: Etype = Etype::Aes256CtsHmacSha196;
const REALM: &[u8] = b"EXAMPLE.TEST";
const SERVICE: &[&[u8]] = &[b"host", b"server.example.test"];
static SERVICE_NAME: [KerberosString<'static>; 2] = [
    KerberosString(b"host"),
    KerberosString(b"server.example.test"),
];
static CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

fn now() -> Time {
    Time::from_unix_micros(1_800_000_000_123_456)
}

/// Fastest ns per call of `f` over rounds of calls.
fn time(name: &str, n: u32, mut f: impl FnMut()) -> f64 {
    // APREQ_PART=<prefix> runs only the matching part, longer (for perf).
    let (rounds, n) = match std::env::var("APREQ_PART") {
        Ok(p) if name.starts_with(&p) => (100, n),
        Ok(_) => return 0.0,
        // Many short rounds: on a shared machine the fastest of them is the
        // one least disturbed.
        Err(_) => (300, n / 200),
    };
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    println!("{name:<40} {best:>9.1} ns");
    best
}

#[path = "common/krb_floor.rs"]
mod krb_floor;
use krb_floor::{dk_many, floor_decrypt, floor_encrypt, Mode, CONTEXT_KEYS, KE, KI};

fn main() {
    let mut rng = TestRng::new(1);
    let service_key = Key::random(ETYPE, &mut rng).unwrap();
    let session_key = Key::random(ETYPE, &mut rng).unwrap();
    let secs = |s: i64| Time::from_unix_micros(now().unix_micros() + s * 1_000_000);
    let client = PrincipalName::new(name_type::PRINCIPAL, &CLIENT);
    let spec = TicketSpec {
        realm: REALM,
        service: PrincipalName::new(name_type::SRV_HST, &SERVICE_NAME),
        kvno: Some(3),
        client_realm: REALM,
        client,
        session_key: &session_key,
        flags: ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT,
        authtime: secs(-3600),
        starttime: None,
        endtime: secs(10 * 3600),
        authorization_data: None,
    };
    let mut ticket = vec![0u8; 2048];
    let n = mint_ticket(&service_key, &spec, &mut rng, &mut ticket).unwrap();
    ticket.truncate(n);
    let entries = [KeyEntry {
        principal: SERVICE,
        realm: REALM,
        kvno: 3,
        key: service_key.clone(),
    }];
    let mut init = Initiator::new(
        &ticket,
        session_key.clone(),
        client,
        REALM,
        InitiatorConfig::default(),
    )
    .unwrap();
    let mut token = vec![0u8; 4096];
    let Progress::Continue { written } = init.step(&[], &mut token, now(), &mut rng).unwrap()
    else {
        panic!()
    };
    token.truncate(written);
    let mut out = vec![0u8; 4096];
    println!("AP-REQ token {} bytes", token.len());

    let whole = time("whole acceptance", 100_000, || {
        let mut cache = ReplayCache::<64>::new();
        let mut acc: Acceptor<'_, [KeyEntry<'static>], &mut ReplayCache<64>> =
            Acceptor::new(&entries[..], &mut cache, AcceptorConfig::default()).unwrap();
        let _ = black_box(
            acc.step(black_box(&token), &mut out, now(), &mut rng)
                .unwrap(),
        );
    });

    let msg = Krb5Token::parse(&token).unwrap().message;
    let mut sum = 0.0;
    sum += time("Krb5Token + ApReq parse", 500_000, || {
        let t = Krb5Token::parse(black_box(&token)).unwrap();
        black_box(ApReq::parse(t.message).unwrap());
    });
    let req = ApReq::parse(msg).unwrap();
    let tcipher = req.ticket.enc_part.cipher.to_vec();
    let acipher = req.authenticator.cipher.to_vec();
    println!(
        "ticket cipher {} B, authenticator cipher {} B",
        tcipher.len(),
        acipher.len()
    );
    let mut buf = tcipher.clone();
    sum += time("ticket decrypt (usage 2)", 200_000, || {
        buf.copy_from_slice(&tcipher);
        black_box(service_key.decrypt(2, &mut buf).unwrap());
    });
    buf.copy_from_slice(&tcipher);
    let r = service_key.decrypt(2, &mut buf).unwrap();
    let tplain = buf[r].to_vec();
    sum += time("EncTicketPart parse", 500_000, || {
        black_box(EncTicketPart::parse(black_box(&tplain)).unwrap());
    });
    let mut abuf = acipher.clone();
    sum += time("authenticator decrypt (usage 11)", 200_000, || {
        abuf.copy_from_slice(&acipher);
        black_box(session_key.decrypt(11, &mut abuf).unwrap());
    });
    abuf.copy_from_slice(&acipher);
    let r = session_key.decrypt(11, &mut abuf).unwrap();
    let aplain = abuf[r].to_vec();
    sum += time("Authenticator parse", 500_000, || {
        black_box(Authenticator::parse(black_box(&aplain)).unwrap());
    });
    sum += time("replay digest", 500_000, || {
        black_box(replay_digest(black_box(&acipher)));
    });
    let mut rep = vec![0u8; 200];
    sum += time("AP-REP part encrypt (usage 12, ~60 B)", 200_000, || {
        black_box(session_key.encrypt(12, &mut rng, &mut rep, 60).unwrap());
    });
    let subkey = Key::random(ETYPE, &mut rng).unwrap();
    sum += time("Cfx::new (8 derived keys)", 200_000, || {
        black_box(Cfx::new(black_box(&subkey), false, true, 1, 2).unwrap());
    });
    println!(
        "{:<40} {sum:>9.1} ns  (whole - parts = {:.1})",
        "sum of parts",
        whole - sum
    );

    let tbody = tcipher.len() - 12;
    let mut fticket = vec![3u8; tbody.next_multiple_of(16)];
    let mut fsum = time("floor: ticket (DK x2 + decrypt)", 200_000, || {
        let service = Aes256Enc::new(&[1; 32].into());
        let keys = dk_many(&service, [(2, KE), (2, KI)]);
        floor_decrypt(Mode::Cts, keys, &mut fticket, tbody);
    });
    let abody = acipher.len() - 12;
    let mut fauth = vec![4u8; abody.next_multiple_of(16)];
    let mut frep = vec![5u8; 80];
    fsum += time("floor: session (DK x4, decrypt, encrypt)", 200_000, || {
        let session = Aes256Enc::new(&[2; 32].into());
        let [a, b, c, d] = dk_many(&session, [(11, KE), (11, KI), (12, KE), (12, KI)]);
        floor_decrypt(Mode::Cts, [a, b], &mut fauth, abody);
        floor_encrypt(Mode::Cts, [c, d], &mut frep, 76);
    });
    fsum += time("floor: subkey (DK x8)", 200_000, || {
        let sub = Aes256Enc::new(&[3; 32].into());
        black_box(dk_many(&sub, CONTEXT_KEYS));
    });
    println!(
        "{:<40} {fsum:>9.1} ns (+ replay digest and RNG)",
        "floor crypto"
    );
}
