//! The krb5 GSS AP exchange: authcore initiator <-> authcore acceptor over
//! minted tickets for every etype, the real MIT krb5 1.20 exchange in
//! tests/vectors/mit-krb5-captures.txt on both sides, and the failures an
//! acceptor must report (RFC 4120 sections 3.2.3 and 7.5.9, RFC 4121 4.1).

use authcore::crypto::{usage, Etype, Key};
use authcore::der::{self, time::parse_generalized};
use authcore::gss::cfx::Cfx;
use authcore::gss::token::{tok_id, Krb5Token, KRB5_OID, MS_KRB5_OID};
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{
    ad_type, error_code, name_type, ticket_flags, AdEntry, ApRep, ApReq, Authenticator,
    AuthorizationData, EncApRepPart, EncTicketPart, KerberosString, KrbError, PrincipalName, SeqOf,
    Ticket,
};
use authcore::kerberos::{
    gss_flags, Acceptor, AcceptorConfig, ChannelBindings, Initiator, InitiatorConfig, IovLayout,
    KeyEntry, Mech, ReplayCache, MAX_AP_REP_TOKEN_LEN, MAX_WRAP_IOV_HEADER_LEN,
    MAX_WRAP_IOV_TRAILER_LEN,
};
use authcore::{Error, Progress, Protect, Step, Time};
use authcore_tests::bench_rng::TestRng;

const CAPTURES: &str = include_str!("../vectors/mit-krb5-captures.txt");

fn vector(name: &str) -> Vec<u8> {
    for line in CAPTURES.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((n, hex)) = line.split_once(": ") {
            if n == name {
                return hex::decode(hex.trim()).expect("hex");
            }
        }
    }
    panic!("no vector {name}");
}

const REALM: &[u8] = b"EXAMPLE.TEST";
const SERVICE: &[&[u8]] = &[b"host", b"server.example.test"];
static SERVICE_NAME: [KerberosString<'static>; 2] = [
    KerberosString(b"host"),
    KerberosString(b"server.example.test"),
];
static CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];
const KVNO: u32 = 3;

fn service_name() -> PrincipalName<'static> {
    PrincipalName::new(name_type::SRV_HST, &SERVICE_NAME)
}

fn client_name() -> PrincipalName<'static> {
    PrincipalName::new(name_type::PRINCIPAL, &CLIENT)
}

fn now() -> Time {
    Time::from_unix_micros(1_800_000_000_123_456)
}

fn at(secs_from_now: i64) -> Time {
    Time::from_unix_micros(now().unix_micros() + secs_from_now * 1_000_000)
}

/// What a KDC would have handed out: a ticket for `host/server.example.test`
/// and its session key, and the service's key table.
struct Realm {
    etype: Etype,
    entries: Vec<KeyEntry<'static>>,
    ticket: Vec<u8>,
    session_key: Key,
}

#[derive(Clone, Copy)]
struct TicketOpts {
    authtime: i64,
    starttime: Option<i64>,
    endtime: i64,
    flags: u32,
    kvno: u32,
    with_pac: bool,
}

impl Default for TicketOpts {
    fn default() -> Self {
        TicketOpts {
            authtime: -3600,
            starttime: None,
            endtime: 10 * 3600,
            flags: ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT,
            kvno: KVNO,
            with_pac: false,
        }
    }
}

fn realm_with(etype: Etype, opts: TicketOpts, rng: &mut TestRng) -> Realm {
    let service_key = Key::random(etype, rng).unwrap();
    let session_key = Key::random(etype, rng).unwrap();
    // A stand-in PAC inside AD-IF-RELEVANT, as MIT and Windows KDCs send.
    let pac_entry = [AdEntry {
        ad_type: ad_type::WIN2K_PAC,
        ad_data: &[1, 2, 3, 4, 5, 6, 7, 8],
    }];
    let mut inner = [0u8; 64];
    let n = SeqOf::from_slice(&pac_entry[..]).emit(&mut inner).unwrap();
    let outer_entry = [AdEntry {
        ad_type: ad_type::IF_RELEVANT,
        ad_data: &inner[..n],
    }];
    let ad: AuthorizationData<'_> = SeqOf::from_slice(&outer_entry[..]);
    let spec = TicketSpec {
        realm: REALM,
        service: service_name(),
        kvno: Some(opts.kvno),
        client_realm: REALM,
        client: client_name(),
        session_key: &session_key,
        flags: opts.flags,
        authtime: at(opts.authtime),
        starttime: opts.starttime.map(at),
        endtime: at(opts.endtime),
        authorization_data: opts.with_pac.then_some(ad),
    };
    let mut buf = vec![0u8; 2048];
    let len = mint_ticket(&service_key, &spec, rng, &mut buf).unwrap();
    buf.truncate(len);
    Realm {
        etype,
        entries: vec![KeyEntry {
            principal: SERVICE,
            realm: REALM,
            kvno: KVNO,
            key: service_key,
        }],
        ticket: buf,
        session_key,
    }
}

fn realm(etype: Etype, rng: &mut TestRng) -> Realm {
    realm_with(etype, TicketOpts::default(), rng)
}

fn initiator<'a>(r: &'a Realm, config: InitiatorConfig<'a>) -> Initiator<'a> {
    Initiator::new(
        &r.ticket,
        r.session_key.clone(),
        client_name(),
        REALM,
        config,
    )
    .unwrap()
}

type TestAcceptor<'a, const N: usize> = Acceptor<'a, [KeyEntry<'static>], &'a mut ReplayCache<N>>;

fn acceptor<'a, const N: usize>(
    entries: &'a [KeyEntry<'static>],
    cache: &'a mut ReplayCache<N>,
    config: AcceptorConfig<'a>,
) -> TestAcceptor<'a, N> {
    Acceptor::new(entries, cache, config).unwrap()
}

fn no_mutual() -> InitiatorConfig<'static> {
    InitiatorConfig {
        mutual: false,
        ..InitiatorConfig::default()
    }
}

/// The initiator's first token.
fn ap_req(init: &mut Initiator<'_>, when: Time, rng: &mut TestRng) -> (Vec<u8>, Progress) {
    let mut out = vec![0u8; 4096];
    let p = init.step(&[], &mut out, when, rng).unwrap();
    let n = match p {
        Progress::Continue { written } | Progress::Complete { written } => written,
        Progress::SendToKdc { .. } => panic!("{p:?}"),
    };
    out.truncate(n);
    (out, p)
}

/// Runs the acceptor on `token` and returns its result with the bytes of the
/// token it wrote (AP-REP on success, KRB-ERROR on failure).
fn accept<K: authcore::kerberos::KeyTable + ?Sized, C: authcore::kerberos::ReplayCheck>(
    acc: &mut Acceptor<'_, K, C>,
    token: &[u8],
    when: Time,
    rng: &mut TestRng,
) -> (Result<Progress, Error>, Vec<u8>) {
    let mut out = vec![0u8; 4096];
    let r = acc.step(token, &mut out, when, rng);
    let n = match r {
        Ok(Progress::Complete { written }) => written,
        Ok(p) => panic!("{p:?}"),
        Err(_) => acc.error_token_len(),
    };
    out.truncate(n);
    (r, out)
}

/// The KRB-ERROR in an acceptor's error token.
fn error_in(token: &[u8]) -> i32 {
    let framed = Krb5Token::parse(token).expect("framed KRB-ERROR");
    assert_eq!(framed.tok_id, tok_id::KRB_ERROR);
    KrbError::parse(framed.message).unwrap().error_code
}

/// Sealed, integrity-only and MIC round trips in both directions.
fn exchange_messages(
    init: &mut Initiator<'_>,
    acc: &mut (impl Protect + AcceptorOps),
    rng: &mut TestRng,
) {
    for round in 0..3 {
        let msg = format!("client to server, round {round}");
        // seal / unseal
        let s = init.sizes();
        let mut buf = vec![0u8; s.seal_header + msg.len() + s.seal_trailer];
        buf[s.seal_header..][..msg.len()].copy_from_slice(msg.as_bytes());
        let n = init.seal(rng, &mut buf, msg.len()).unwrap();
        assert!(!buf[..n].windows(msg.len()).any(|w| w == msg.as_bytes()));
        let range = acc.unseal(&mut buf[..n]).unwrap();
        assert_eq!(&buf[range], msg.as_bytes());

        let reply = format!("server to client, round {round}");
        let s = acc.sizes();
        let mut buf = vec![0u8; s.seal_header + reply.len() + s.seal_trailer];
        buf[s.seal_header..][..reply.len()].copy_from_slice(reply.as_bytes());
        let n = acc.seal(rng, &mut buf, reply.len()).unwrap();
        let range = init.unseal(&mut buf[..n]).unwrap();
        assert_eq!(&buf[range], reply.as_bytes());

        // sign / verify both ways
        let mut sig = vec![0u8; init.sizes().max_signature];
        let n = init.sign(msg.as_bytes(), &mut sig).unwrap();
        acc.verify(msg.as_bytes(), &sig[..n]).unwrap();
        let mut sig = vec![0u8; acc.sizes().max_signature];
        let n = acc.sign(reply.as_bytes(), &mut sig).unwrap();
        init.verify(reply.as_bytes(), &sig[..n]).unwrap();

        // wrap without confidentiality, unwrap reports it
        let h = acc.header(false);
        let t = acc.trailer(false);
        let mut buf = vec![0u8; h + reply.len() + t];
        buf[h..][..reply.len()].copy_from_slice(reply.as_bytes());
        let n = acc.wrap_plain(rng, &mut buf, reply.len());
        let (range, sealed) = init.unwrap(&mut buf[..n]).unwrap();
        assert!(!sealed);
        assert_eq!(&buf[range], reply.as_bytes());

        // IOV Wrap both ways, both layouts, with and without confidentiality,
        // each side's IOV tokens against the other's in-place and IOV unwrap.
        for layout in [IovLayout::Trailer, IovLayout::Rotated] {
            for conf in [true, false] {
                let (hl, tl) = init.wrap_iov_lens(conf, layout).unwrap();
                assert!(hl <= MAX_WRAP_IOV_HEADER_LEN && tl <= MAX_WRAP_IOV_TRAILER_LEN);
                let (mut header, mut data, mut trailer) =
                    (vec![0; hl], msg.clone().into_bytes(), vec![0; tl]);
                let (h, t) = init
                    .wrap_iov(rng, conf, layout, &mut header, &mut data, &mut trailer)
                    .unwrap();
                assert_eq!(data != msg.as_bytes(), conf);
                let mut tok = [&header[..h], &data, &trailer[..t]].concat();
                assert_eq!(acc.split(&tok), (h, t));
                assert_eq!(
                    acc.unwrap_iov_tok(&mut tok, msg.len()),
                    (msg.as_bytes(), conf)
                );

                let tok = acc.wrap_iov_tok(rng, conf, layout, reply.as_bytes());
                let mut t1 = tok.clone();
                let (range, sealed) = init.unwrap(&mut t1).unwrap();
                assert_eq!((&t1[range], sealed), (reply.as_bytes(), conf));
                let tok = acc.wrap_iov_tok(rng, conf, layout, reply.as_bytes());
                let (h, t) = init.unwrap_iov_lens(&tok).unwrap();
                let mut tok = tok;
                let (header, rest) = tok.split_at_mut(h);
                let (data, trailer) = rest.split_at_mut(reply.len());
                assert_eq!(trailer.len(), t);
                assert_eq!(init.unwrap_iov(header, data, trailer), Ok(conf));
                assert_eq!(data, reply.as_bytes());
            }
        }
    }
}

/// The acceptor's non-trait methods, so helpers can take any acceptor type.
trait AcceptorOps {
    fn header(&self, conf: bool) -> usize;
    fn trailer(&self, conf: bool) -> usize;
    fn wrap_plain(&mut self, rng: &mut TestRng, buf: &mut [u8], len: usize) -> usize;
    fn wrap_iov_tok(
        &mut self,
        rng: &mut TestRng,
        conf: bool,
        layout: IovLayout,
        msg: &[u8],
    ) -> Vec<u8>;
    /// The header and trailer lengths `unwrap_iov_lens` reads off `tok`.
    fn split(&self, tok: &[u8]) -> (usize, usize);
    /// `unwrap_iov` of `tok` cut at `split`; the message and whether it was sealed.
    fn unwrap_iov_tok<'t>(&mut self, tok: &'t mut [u8], len: usize) -> (&'t [u8], bool);
}

impl<K: authcore::kerberos::KeyTable + ?Sized, C: authcore::kerberos::ReplayCheck> AcceptorOps
    for Acceptor<'_, K, C>
{
    fn header(&self, conf: bool) -> usize {
        self.wrap_header_len(conf).unwrap()
    }
    fn trailer(&self, conf: bool) -> usize {
        self.wrap_trailer_len(conf).unwrap()
    }
    fn wrap_plain(&mut self, rng: &mut TestRng, buf: &mut [u8], len: usize) -> usize {
        self.wrap(rng, false, buf, len).unwrap()
    }
    fn wrap_iov_tok(
        &mut self,
        rng: &mut TestRng,
        conf: bool,
        layout: IovLayout,
        msg: &[u8],
    ) -> Vec<u8> {
        let (hl, tl) = self.wrap_iov_lens(conf, layout).unwrap();
        let (mut header, mut data, mut trailer) = (vec![0; hl], msg.to_vec(), vec![0; tl]);
        let (h, t) = self
            .wrap_iov(rng, conf, layout, &mut header, &mut data, &mut trailer)
            .unwrap();
        [&header[..h], &data, &trailer[..t]].concat()
    }
    fn split(&self, tok: &[u8]) -> (usize, usize) {
        self.unwrap_iov_lens(tok).unwrap()
    }
    fn unwrap_iov_tok<'t>(&mut self, tok: &'t mut [u8], len: usize) -> (&'t [u8], bool) {
        let (h, _) = self.split(tok);
        let (header, rest) = tok.split_at_mut(h);
        let (data, trailer) = rest.split_at_mut(len);
        let sealed = self.unwrap_iov(header, data, trailer).unwrap();
        (data, sealed)
    }
}

#[test]
fn every_etype_mutual_and_not() {
    let mut rng = TestRng::new(1);
    for etype in Etype::MODERN {
        for mutual in [true, false] {
            let r = realm_with(
                etype,
                TicketOpts {
                    with_pac: true,
                    ..TicketOpts::default()
                },
                &mut rng,
            );
            let config = InitiatorConfig {
                mutual,
                ..InitiatorConfig::default()
            };
            let mut init = initiator(&r, config);
            let (token, p) = ap_req(&mut init, now(), &mut rng);
            assert!(token.len() <= init.sizes().max_token);
            let framed = Krb5Token::parse(&token).unwrap();
            assert_eq!(framed.mech, KRB5_OID);
            assert_eq!(framed.tok_id, tok_id::AP_REQ);

            let mut cache = ReplayCache::<8>::new();
            let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
            let (res, rep) = accept(&mut acc, &token, at(1), &mut rng);
            assert_eq!(res, Ok(Progress::Complete { written: rep.len() }));
            let id = acc.identity().unwrap();
            assert_eq!(id.to_string(), "alice@EXAMPLE.TEST", "{etype:?}");
            assert_eq!(
                acc.expires(),
                Some(Time::from_unix_secs(at(10 * 3600).unix_secs()))
            );
            assert!(!acc.channel_bound());
            let want = gss_flags::CONF | gss_flags::INTEG | gss_flags::REPLAY | gss_flags::SEQUENCE;
            assert_eq!(acc.flags() & want, want);
            if mutual {
                assert_eq!(
                    p,
                    Progress::Continue {
                        written: token.len()
                    }
                );
                assert!(
                    !rep.is_empty() && rep.len() <= MAX_AP_REP_TOKEN_LEN,
                    "{}",
                    rep.len()
                );
                assert_ne!(acc.flags() & gss_flags::MUTUAL, 0);
                let mut out = vec![0u8; 512];
                assert_eq!(
                    init.step(&rep, &mut out, at(2), &mut rng),
                    Ok(Progress::Complete { written: 0 })
                );
            } else {
                assert_eq!(
                    p,
                    Progress::Complete {
                        written: token.len()
                    }
                );
                assert!(rep.is_empty());
                assert_eq!(acc.flags() & gss_flags::MUTUAL, 0);
            }
            assert!(init.is_established() && acc.is_established());
            assert_eq!(init.sizes().seal_header, acc.sizes().seal_header);
            exchange_messages(&mut init, &mut acc, &mut rng);
            // Handshake calls on an established context are refused and
            // leave it usable.
            let mut out = vec![0u8; 4096];
            assert_eq!(
                acc.step(&token, &mut out, at(3), &mut rng),
                Err(Error::WrongState)
            );
            assert_eq!(
                init.step(&[], &mut out, at(3), &mut rng),
                Err(Error::WrongState)
            );
            exchange_messages(&mut init, &mut acc, &mut rng);
        }
    }
}

#[test]
fn ms_oid_is_echoed() {
    let mut rng = TestRng::new(2);
    let r = realm(Etype::Aes256CtsHmacSha196, &mut rng);
    let mut init = initiator(
        &r,
        InitiatorConfig {
            mech: Mech::MsKrb5,
            ..InitiatorConfig::default()
        },
    );
    let (token, _) = ap_req(&mut init, now(), &mut rng);
    assert_eq!(Krb5Token::parse(&token).unwrap().mech, MS_KRB5_OID);
    let mut cache = ReplayCache::<4>::new();
    let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
    let (res, rep) = accept(&mut acc, &token, now(), &mut rng);
    assert!(matches!(res, Ok(Progress::Complete { .. })));
    assert_eq!(Krb5Token::parse(&rep).unwrap().mech, MS_KRB5_OID);
    let mut out = [0u8; 256];
    assert_eq!(
        init.step(&rep, &mut out, now(), &mut rng),
        Ok(Progress::Complete { written: 0 })
    );
}

/// The capture's time: the authenticator's ctime and cusec.
fn capture_time() -> Time {
    let auth = vector("ap-req-authenticator");
    let auth = Authenticator::parse(&auth).unwrap();
    assert_eq!(
        Some(auth.ctime.unix_secs()),
        parse_generalized(b"20261126133851Z")
    );
    auth.ctime.to_time(auth.cusec)
}

fn capture_keytab() -> Vec<KeyEntry<'static>> {
    let ticket = vector("service-ticket");
    let kvno = Ticket::parse(&ticket).unwrap().enc_part.kvno.unwrap();
    vec![KeyEntry {
        principal: &[b"host", b"service.authcore.test"],
        realm: b"AUTHCORE.TEST",
        kvno,
        key: Key::from_bytes(Etype::Aes256CtsHmacSha196, &vector("key-service")).unwrap(),
    }]
}

fn capture_session_key() -> Key {
    let enc = vector("service-enc-ticket-part");
    let part = EncTicketPart::parse(&enc).unwrap();
    Key::from_bytes(
        Etype::from_i32(part.key.keytype).unwrap(),
        part.key.keyvalue,
    )
    .unwrap()
}

#[test]
fn mit_ap_req_accepted_then_replay_refused() {
    let mut rng = TestRng::new(3);
    let token = vector("gss-ap-req-token");
    let entries = capture_keytab();
    let when = capture_time();
    let mut cache = ReplayCache::<4>::new();
    let names = [
        KerberosString(b"host"),
        KerberosString(b"service.authcore.test"),
    ];
    let config = AcceptorConfig {
        service: Some(PrincipalName::new(name_type::SRV_HST, &names)),
        service_realm: Some(b"AUTHCORE.TEST"),
        ..AcceptorConfig::default()
    };
    let mut acc = acceptor(&entries, &mut cache, config);
    let (res, rep) = accept(&mut acc, &token, when, &mut rng);
    assert_eq!(res, Ok(Progress::Complete { written: rep.len() }));
    assert_eq!(acc.identity().unwrap().to_string(), "alice@AUTHCORE.TEST");
    // MIT asked for mutual, confidentiality and integrity (its TRANS flag is
    // not granted back).
    assert_eq!(
        acc.flags(),
        gss_flags::MUTUAL | gss_flags::CONF | gss_flags::INTEG
    );
    // Our AP-REP, read with the session key: it echoes MIT's ctime/cusec and
    // carries an aes256 acceptor subkey and a 31-bit sequence number.
    let framed = Krb5Token::parse(&rep).unwrap();
    assert_eq!(framed.tok_id, tok_id::AP_REP);
    let ap_rep = ApRep::parse(framed.message).unwrap();
    let mut plain = ap_rep.enc_part.cipher.to_vec();
    let range = capture_session_key()
        .decrypt(usage::AP_REP_ENC_PART, &mut plain)
        .unwrap();
    let part = EncApRepPart::parse(&plain[range]).unwrap();
    let mit_auth = vector("ap-req-authenticator");
    let mit_auth = Authenticator::parse(&mit_auth).unwrap();
    assert_eq!((part.ctime, part.cusec), (mit_auth.ctime, mit_auth.cusec));
    assert_eq!(part.subkey.unwrap().keytype, 18);
    assert!(part.seq_number.unwrap() < 0x8000_0000);
    drop(acc);

    // The same AP-REQ again, to a fresh acceptor sharing the cache.
    let mut acc = acceptor(&entries, &mut cache, AcceptorConfig::default());
    let (res, err) = accept(&mut acc, &token, when, &mut rng);
    assert_eq!(res, Err(Error::Replay));
    assert_eq!(error_in(&err), error_code::KRB_AP_ERR_REPEAT);
    let e = KrbError::parse(Krb5Token::parse(&err).unwrap().message).unwrap();
    assert_eq!(e.realm.as_bytes(), b"AUTHCORE.TEST");
    assert!(e
        .sname
        .same_components([&b"host"[..], b"service.authcore.test"]));
    assert_eq!(e.stime.unix_secs(), when.unix_secs());
    assert_eq!(e.susec, when.subsec_micros());
    // A failed context stays failed.
    let mut out = vec![0u8; 4096];
    assert_eq!(
        acc.step(&token, &mut out, when, &mut rng),
        Err(Error::WrongState)
    );
    assert_eq!(acc.error_token_len(), 0);

    // Too late for the skew: refused before the cache is consulted.
    let mut other = ReplayCache::<4>::new();
    let mut acc = acceptor(&entries, &mut other, AcceptorConfig::default());
    let late = Time::from_unix_micros(when.unix_micros() + 301_000_000);
    let (res, err) = accept(&mut acc, &token, late, &mut rng);
    assert_eq!(res, Err(Error::ClockSkew));
    assert_eq!(error_in(&err), error_code::KRB_AP_ERR_SKEW);
}

#[test]
fn mit_ap_req_for_another_service_is_refused() {
    let mut rng = TestRng::new(4);
    let entries = capture_keytab();
    let mut cache = ReplayCache::<4>::new();
    let names = [
        KerberosString(b"HTTP"),
        KerberosString(b"service.authcore.test"),
    ];
    let config = AcceptorConfig {
        service: Some(PrincipalName::new(name_type::SRV_HST, &names)),
        ..AcceptorConfig::default()
    };
    let mut acc = acceptor(&entries, &mut cache, config);
    let (res, err) = accept(
        &mut acc,
        &vector("gss-ap-req-token"),
        capture_time(),
        &mut rng,
    );
    assert_eq!(res, Err(Error::UnknownPrincipal));
    assert_eq!(error_in(&err), error_code::KRB_AP_ERR_NOT_US);
    assert!(cache.is_empty());
}

#[test]
fn mit_ap_rep_completes_our_initiator() {
    let mut rng = TestRng::new(5);
    let ticket = vector("service-ticket");
    let session_key = capture_session_key();
    let alice = [KerberosString(b"alice")];
    let mut init = Initiator::new(
        &ticket,
        session_key.clone(),
        PrincipalName::new(name_type::PRINCIPAL, &alice),
        b"AUTHCORE.TEST",
        InitiatorConfig::default(),
    )
    .unwrap();
    // Our AP-REQ at the capture's time, so MIT's AP-REP echoes our ctime/cusec.
    let when = capture_time();
    let (token, p) = ap_req(&mut init, when, &mut rng);
    assert!(matches!(p, Progress::Continue { .. }));

    // Our own acceptor accepts it with MIT's service key.
    let entries = capture_keytab();
    let mut cache = ReplayCache::<4>::new();
    let mut acc = acceptor(&entries, &mut cache, AcceptorConfig::default());
    let (res, _) = accept(&mut acc, &token, when, &mut rng);
    assert!(matches!(res, Ok(Progress::Complete { .. })));
    assert_eq!(acc.identity().unwrap().to_string(), "alice@AUTHCORE.TEST");

    // Our sequence number, read from our authenticator with the session key.
    let framed = Krb5Token::parse(&token).unwrap();
    let req = ApReq::parse(framed.message).unwrap();
    let mut plain = req.authenticator.cipher.to_vec();
    let range = session_key
        .decrypt(usage::AP_REQ_AUTHENTICATOR, &mut plain)
        .unwrap();
    let our_seq = Authenticator::parse(&plain[range])
        .unwrap()
        .seq_number
        .unwrap();

    let mut out = vec![0u8; 512];
    assert_eq!(
        init.step(&vector("gss-ap-rep-token"), &mut out, when, &mut rng),
        Ok(Progress::Complete { written: 0 })
    );

    // The context key is MIT's acceptor subkey: a peer keyed with it (as MIT's
    // acceptor is) reads our tokens and we read its.
    let enc = vector("enc-ap-rep-part");
    let part = EncApRepPart::parse(&enc).unwrap();
    let sub = part.subkey.unwrap();
    let mit_key = Key::from_bytes(Etype::from_i32(sub.keytype).unwrap(), sub.keyvalue).unwrap();
    let mut mit = Cfx::new(
        &mit_key,
        false,
        true,
        u64::from(part.seq_number.unwrap()),
        u64::from(our_seq),
    )
    .unwrap();
    let msg = b"to the MIT acceptor";
    let h = init.wrap_header_len(true).unwrap();
    let mut buf = vec![0u8; h + msg.len() + init.wrap_trailer_len(true).unwrap()];
    buf[h..][..msg.len()].copy_from_slice(msg);
    let n = init.wrap(&mut rng, true, &mut buf, msg.len()).unwrap();
    let (range, sealed) = mit.unwrap(&mut buf[..n]).unwrap();
    assert!(sealed);
    assert_eq!(&buf[range], msg);
    let reply = b"from the MIT acceptor";
    let h = mit.wrap_header_len(true);
    let mut buf = vec![0u8; h + reply.len() + mit.wrap_trailer_len(true)];
    buf[h..][..reply.len()].copy_from_slice(reply);
    let n = mit.wrap(&mut rng, true, &mut buf, reply.len()).unwrap();
    let range = init.unseal(&mut buf[..n]).unwrap();
    assert_eq!(&buf[range], reply);
}

#[test]
fn mit_ap_rep_for_another_authenticator_is_refused() {
    let mut rng = TestRng::new(6);
    let ticket = vector("service-ticket");
    let alice = [KerberosString(b"alice")];
    let mut init = Initiator::new(
        &ticket,
        capture_session_key(),
        PrincipalName::new(name_type::PRINCIPAL, &alice),
        b"AUTHCORE.TEST",
        InitiatorConfig::default(),
    )
    .unwrap();
    // One microsecond off the time MIT's AP-REP answers.
    let when = Time::from_unix_micros(capture_time().unix_micros() + 1);
    let _ = ap_req(&mut init, when, &mut rng);
    let mut out = vec![0u8; 512];
    assert!(matches!(
        init.step(&vector("gss-ap-rep-token"), &mut out, when, &mut rng),
        Err(Error::Integrity { .. })
    ));
    assert!(!init.is_established());
}

/// Runs one failing acceptance and checks the error, the KRB-ERROR code and
/// that the initiator turns the error token into `Error::KrbError`.
fn refused(
    r: &Realm,
    entries: &[KeyEntry<'static>],
    token: &[u8],
    when: Time,
    want: Error,
    code: i32,
) {
    let mut rng = TestRng::new(7);
    let mut cache = ReplayCache::<4>::new();
    let mut acc = acceptor(entries, &mut cache, AcceptorConfig::default());
    let (res, err) = accept(&mut acc, token, when, &mut rng);
    match (res, want) {
        (Err(Error::Integrity { .. }), Error::Integrity { .. }) => {}
        (res, want) => assert_eq!(res, Err(want), "{:?}", r.etype),
    }
    assert_eq!(error_in(&err), code, "{:?}", r.etype);
    assert!(!acc.is_established() && acc.identity().is_none());
    assert!(
        cache.is_empty(),
        "a refused authenticator must not take cache room"
    );

    // The initiator that sent it reads the error token.
    let mut init = initiator(r, InitiatorConfig::default());
    let _ = ap_req(&mut init, now(), &mut rng);
    let mut out = vec![0u8; 512];
    assert_eq!(
        init.step(&err, &mut out, now(), &mut rng),
        Err(Error::KrbError { code })
    );
    assert_eq!(
        init.step(&err, &mut out, now(), &mut rng),
        Err(Error::WrongState)
    );
}

#[test]
fn refusals_carry_krb_error_codes() {
    let mut rng = TestRng::new(8);
    for etype in Etype::MODERN {
        let r = realm(etype, &mut rng);
        let mut init = initiator(&r, InitiatorConfig::default());
        let (token, _) = ap_req(&mut init, now(), &mut rng);

        // Key version not in the table.
        let mut wrong_kvno = r.entries.clone();
        wrong_kvno[0].kvno = KVNO + 1;
        refused(&r, &wrong_kvno, &token, now(), Error::BadKeyVersion, 44);
        // Version present, etype not.
        let other = if etype == Etype::Rc4Hmac {
            Etype::Aes128CtsHmacSha196
        } else {
            Etype::Rc4Hmac
        };
        let mut no_key = r.entries.clone();
        no_key[0].key = Key::random(other, &mut rng).unwrap();
        refused(&r, &no_key, &token, now(), Error::NoKey, 45);
        // Principal not in the table.
        let mut stranger = r.entries.clone();
        stranger[0].principal = &[b"HTTP", b"server.example.test"];
        refused(&r, &stranger, &token, now(), Error::UnknownPrincipal, 35);
        // Wrong key of the right version: the ticket does not decrypt.
        let mut wrong_key = r.entries.clone();
        wrong_key[0].key = Key::random(etype, &mut rng).unwrap();
        refused(
            &r,
            &wrong_key,
            &token,
            now(),
            Error::Integrity {
                what: authcore::what!("checksum"),
            },
            41,
        );

        // Clocks apart by more than the skew, either way.
        refused(&r, &r.entries, &token, at(301), Error::ClockSkew, 37);
        refused(&r, &r.entries, &token, at(-301), Error::ClockSkew, 37);
        // Within the skew is fine.
        let mut cache = ReplayCache::<1>::new();
        let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
        assert!(matches!(
            accept(&mut acc, &token, at(299), &mut rng).0,
            Ok(Progress::Complete { .. })
        ));

        // One flipped byte in the ticket's ciphertext, and in the authenticator's.
        let framed = Krb5Token::parse(&token).unwrap();
        let req = ApReq::parse(framed.message).unwrap();
        for cipher in [req.ticket.enc_part.cipher, req.authenticator.cipher] {
            let range = der::offset_in(&token, cipher).unwrap();
            for pos in [range.start, range.start + range.len() / 2, range.end - 1] {
                let mut bad = token.clone();
                bad[pos] ^= 0x01;
                refused(
                    &r,
                    &r.entries,
                    &bad,
                    now(),
                    Error::Integrity {
                        what: authcore::what!("checksum"),
                    },
                    41,
                );
            }
        }
    }
}

#[test]
fn ticket_times() {
    let mut rng = TestRng::new(9);
    let cases = [
        // Ended an hour ago.
        (
            TicketOpts {
                endtime: -3600,
                ..TicketOpts::default()
            },
            Error::Expired,
            32,
        ),
        // Ended 200 s ago: inside the skew, still accepted (checked below).
        // Starts in an hour.
        (
            TicketOpts {
                starttime: Some(3600),
                ..TicketOpts::default()
            },
            Error::NotYetValid,
            33,
        ),
        // Authenticated in the future without a starttime.
        (
            TicketOpts {
                authtime: 3600,
                ..TicketOpts::default()
            },
            Error::NotYetValid,
            33,
        ),
        // Marked invalid (postdated, not yet validated).
        (
            TicketOpts {
                flags: ticket_flags::INVALID,
                ..TicketOpts::default()
            },
            Error::NotYetValid,
            33,
        ),
    ];
    for (opts, want, code) in cases {
        let r = realm_with(Etype::Aes128CtsHmacSha256128, opts, &mut rng);
        let mut init = initiator(&r, InitiatorConfig::default());
        let (token, _) = ap_req(&mut init, now(), &mut rng);
        refused(&r, &r.entries, &token, now(), want, code);
    }
    for opts in [
        TicketOpts {
            endtime: -200,
            ..TicketOpts::default()
        },
        TicketOpts {
            starttime: Some(200),
            ..TicketOpts::default()
        },
    ] {
        let r = realm_with(Etype::Aes128CtsHmacSha256128, opts, &mut rng);
        let mut init = initiator(&r, InitiatorConfig::default());
        let (token, _) = ap_req(&mut init, now(), &mut rng);
        let mut cache = ReplayCache::<1>::new();
        let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
        assert!(matches!(
            accept(&mut acc, &token, now(), &mut rng).0,
            Ok(Progress::Complete { .. })
        ));
    }
}

#[test]
fn replay_without_mutual_sends_no_error_token() {
    let mut rng = TestRng::new(10);
    let r = realm(Etype::Aes256CtsHmacSha384192, &mut rng);
    let mut init = initiator(&r, no_mutual());
    let (token, _) = ap_req(&mut init, now(), &mut rng);
    let mut cache = ReplayCache::<4>::new();
    {
        let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
        assert_eq!(
            accept(&mut acc, &token, now(), &mut rng).0,
            Ok(Progress::Complete { written: 0 })
        );
    }
    let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
    let (res, err) = accept(&mut acc, &token, now(), &mut rng);
    assert_eq!(res, Err(Error::Replay));
    // Like MIT: a client that expects no answer gets no error token.
    assert!(err.is_empty());
    assert_eq!(cache.len(), 1);
}

#[test]
fn require_mutual_policy() {
    let mut rng = TestRng::new(11);
    let r = realm(Etype::Aes128CtsHmacSha196, &mut rng);
    let mut init = initiator(&r, no_mutual());
    let (token, _) = ap_req(&mut init, now(), &mut rng);
    let mut cache = ReplayCache::<4>::new();
    let config = AcceptorConfig {
        require_mutual: true,
        ..AcceptorConfig::default()
    };
    let mut acc = acceptor(&r.entries, &mut cache, config);
    assert!(matches!(
        accept(&mut acc, &token, now(), &mut rng).0,
        Err(Error::Policy { .. })
    ));
}

#[test]
fn channel_bindings() {
    let mut rng = TestRng::new(12);
    let r = realm(Etype::Aes256CtsHmacSha196, &mut rng);
    let ours = ChannelBindings::application(b"tls-server-end-point:aaaa");
    let theirs = ChannelBindings::application(b"tls-server-end-point:bbbb");
    let run = |client: Option<ChannelBindings<'static>>,
               server: Option<ChannelBindings<'static>>,
               accept_unbound: bool,
               rng: &mut TestRng|
     -> (Result<Progress, Error>, bool, Vec<u8>) {
        let mut init = initiator(
            &r,
            InitiatorConfig {
                channel_bindings: client,
                ..InitiatorConfig::default()
            },
        );
        let (token, _) = ap_req(&mut init, now(), rng);
        let mut cache = ReplayCache::<1>::new();
        let config = AcceptorConfig {
            channel_bindings: server,
            accept_unbound,
            ..AcceptorConfig::default()
        };
        let mut acc = acceptor(&r.entries, &mut cache, config);
        let (res, out) = accept(&mut acc, &token, now(), rng);
        (res, acc.channel_bound(), out)
    };
    // Matching bindings.
    let (res, bound, _) = run(Some(ours), Some(ours), false, &mut rng);
    assert!(res.is_ok() && bound);
    // Mismatch: refused, with a KRB-ERROR for the waiting client.
    let (res, _, err) = run(Some(theirs), Some(ours), false, &mut rng);
    assert_eq!(
        res,
        Err(Error::Integrity {
            what: authcore::what!("channel bindings")
        })
    );
    assert_eq!(error_in(&err), error_code::KRB_ERR_GENERIC);
    let (res, _, _) = run(Some(theirs), Some(ours), true, &mut rng);
    assert!(res.is_err());
    // Unbound client: refused by default, accepted (unbound) on request.
    let (res, _, _) = run(None, Some(ours), false, &mut rng);
    assert!(matches!(res, Err(Error::Policy { .. })));
    let (res, bound, _) = run(None, Some(ours), true, &mut rng);
    assert!(res.is_ok() && !bound);
    // Bound client, acceptor without bindings: accepted, not bound.
    let (res, bound, _) = run(Some(ours), None, false, &mut rng);
    assert!(res.is_ok() && !bound);
}

#[test]
fn acceptor_small_buffer_is_retryable() {
    let mut rng = TestRng::new(13);
    let r = realm(Etype::Rc4Hmac, &mut rng);
    let mut init = initiator(&r, InitiatorConfig::default());
    let (token, _) = ap_req(&mut init, now(), &mut rng);
    let mut cache = ReplayCache::<2>::new();
    let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
    let mut small = [0u8; 100];
    let needed = match acc.step(&token, &mut small, now(), &mut rng) {
        Err(Error::BufferTooSmall { needed }) => needed,
        other => panic!("{other:?}"),
    };
    let mut out = vec![0u8; needed];
    let p = acc.step(&token, &mut out, now(), &mut rng).unwrap();
    let Progress::Complete { written } = p else {
        panic!("{p:?}")
    };
    let mut scratch = [0u8; 64];
    assert!(matches!(
        init.step(&out[..written], &mut scratch[..8], now(), &mut rng),
        Err(Error::BufferTooSmall { .. })
    ));
    assert_eq!(
        init.step(&out[..written], &mut scratch, now(), &mut rng),
        Ok(Progress::Complete { written: 0 })
    );
    assert!(init.is_established());
}

#[test]
fn initiator_small_buffer_is_retryable() {
    let mut rng = TestRng::new(14);
    let r = realm(Etype::Aes128CtsHmacSha196, &mut rng);
    let mut init = initiator(&r, InitiatorConfig::default());
    let mut out = [0u8; 64];
    let needed = match init.step(&[], &mut out, now(), &mut rng) {
        Err(Error::BufferTooSmall { needed }) => needed,
        other => panic!("{other:?}"),
    };
    assert!(needed <= init.sizes().max_token);
    let mut out = vec![0u8; needed];
    assert_eq!(
        init.step(&[], &mut out, now(), &mut rng),
        Ok(Progress::Continue { written: needed })
    );
}

#[test]
fn tampered_and_truncated_tokens_never_panic() {
    let mut rng = TestRng::new(15);
    for etype in Etype::MODERN {
        let r = realm(etype, &mut rng);
        let mut init = initiator(&r, InitiatorConfig::default());
        let (token, _) = ap_req(&mut init, now(), &mut rng);
        // Every prefix of the AP-REQ token.
        for len in 0..token.len() {
            let mut cache = ReplayCache::<1>::new();
            let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
            assert!(accept(&mut acc, &token[..len], now(), &mut rng).0.is_err());
        }
        let mut cache = ReplayCache::<1>::new();
        let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
        let (res, rep) = accept(&mut acc, &token, now(), &mut rng);
        assert!(matches!(res, Ok(Progress::Complete { .. })));
        // Every prefix of the AP-REP, to a fresh initiator waiting for it;
        // then every single-byte flip.
        let waiting = |rng: &mut TestRng| {
            let mut i = initiator(&r, InitiatorConfig::default());
            // The same time, so a correct AP-REP would match.
            let _ = ap_req(&mut i, now(), rng);
            i
        };
        for len in 0..rep.len() {
            let mut i = waiting(&mut rng);
            let mut out = vec![0u8; 512];
            assert!(i.step(&rep[..len], &mut out, now(), &mut rng).is_err());
        }
        for pos in 0..rep.len() {
            let mut bad = rep.clone();
            bad[pos] ^= 0x80;
            let mut i = waiting(&mut rng);
            let mut out = vec![0u8; 512];
            assert!(
                i.step(&bad, &mut out, now(), &mut rng).is_err(),
                "{etype:?} {pos}"
            );
        }
        // Every prefix of an error token.
        let mut wrong = r.entries.clone();
        wrong[0].kvno = 99;
        let mut cache = ReplayCache::<1>::new();
        let mut failing = acceptor(&wrong, &mut cache, AcceptorConfig::default());
        let (_, err) = accept(&mut failing, &token, now(), &mut rng);
        assert_eq!(error_in(&err), 44);
        for len in 0..err.len() {
            let mut i = waiting(&mut rng);
            let mut out = vec![0u8; 512];
            let res = i.step(&err[..len], &mut out, now(), &mut rng);
            assert!(res.is_err() && !matches!(res, Err(Error::KrbError { .. })));
        }
    }
}

/// A fresh established pair (mutual) for per-message tests.
fn pair<'a>(
    r: &'a Realm,
    cache: &'a mut ReplayCache<1>,
    rng: &mut TestRng,
) -> (Initiator<'a>, TestAcceptor<'a, 1>) {
    let mut init = initiator(r, InitiatorConfig::default());
    let (token, _) = ap_req(&mut init, now(), rng);
    let mut acc = acceptor(&r.entries, cache, AcceptorConfig::default());
    let (res, rep) = accept(&mut acc, &token, now(), rng);
    assert!(matches!(res, Ok(Progress::Complete { .. })));
    let mut out = vec![0u8; 512];
    assert_eq!(
        init.step(&rep, &mut out, now(), rng),
        Ok(Progress::Complete { written: 0 })
    );
    (init, acc)
}

#[test]
fn tampered_and_truncated_protection_tokens_fail() {
    let mut rng = TestRng::new(16);
    for etype in Etype::MODERN {
        let r = realm(etype, &mut rng);
        let msg = b"attack at dawn";
        let sealed = |init: &mut Initiator<'_>, rng: &mut TestRng| {
            let s = init.sizes();
            let mut buf = vec![0u8; s.seal_header + msg.len() + s.seal_trailer];
            buf[s.seal_header..][..msg.len()].copy_from_slice(msg);
            let n = init.seal(rng, &mut buf, msg.len()).unwrap();
            buf.truncate(n);
            buf
        };
        let (len, mic_len) = {
            let mut cache = ReplayCache::<1>::new();
            let (mut init, _) = pair(&r, &mut cache, &mut rng);
            (
                sealed(&mut init, &mut rng).len(),
                init.sizes().max_signature,
            )
        };
        for pos in 0..len {
            let mut cache = ReplayCache::<1>::new();
            let (mut init, mut acc) = pair(&r, &mut cache, &mut rng);
            let mut tok = sealed(&mut init, &mut rng);
            tok[pos] ^= 0x04;
            assert!(acc.unseal(&mut tok).is_err(), "{etype:?} byte {pos}");
            // The failed context refuses further use.
            let mut again = sealed(&mut init, &mut rng);
            assert_eq!(acc.unseal(&mut again), Err(Error::WrongState));
        }
        for cut in 0..len {
            let mut cache = ReplayCache::<1>::new();
            let (mut init, mut acc) = pair(&r, &mut cache, &mut rng);
            let mut tok = sealed(&mut init, &mut rng);
            assert!(acc.unseal(&mut tok[..cut]).is_err(), "{etype:?} cut {cut}");
        }
        for pos in 0..mic_len {
            let mut cache = ReplayCache::<1>::new();
            let (mut init, mut acc) = pair(&r, &mut cache, &mut rng);
            let mut sig = vec![0u8; mic_len];
            let n = init.sign(msg, &mut sig).unwrap();
            sig[pos % n] ^= 0x10;
            assert!(acc.verify(msg, &sig[..n]).is_err());
            assert!(acc.verify(msg, &sig[..pos % n]).is_err());
        }
        // A replayed Wrap token, and an integrity-only token where a sealed
        // one was expected.
        let mut cache = ReplayCache::<1>::new();
        let (mut init, mut acc) = pair(&r, &mut cache, &mut rng);
        let tok = sealed(&mut init, &mut rng);
        acc.unseal(&mut tok.clone()).unwrap();
        assert_eq!(acc.unseal(&mut tok.clone()), Err(Error::Replay));
        let mut cache = ReplayCache::<1>::new();
        let (mut init, mut acc) = pair(&r, &mut cache, &mut rng);
        let h = init.wrap_header_len(false).unwrap();
        let mut buf = vec![0u8; h + msg.len() + init.wrap_trailer_len(false).unwrap()];
        buf[h..][..msg.len()].copy_from_slice(msg);
        let n = init.wrap(&mut rng, false, &mut buf, msg.len()).unwrap();
        assert!(matches!(
            acc.unseal(&mut buf[..n]),
            Err(Error::Policy { .. })
        ));
    }
}

#[test]
fn protection_before_establishment_is_refused() {
    let mut rng = TestRng::new(17);
    let r = realm(Etype::Aes128CtsHmacSha196, &mut rng);
    let mut init = initiator(&r, InitiatorConfig::default());
    let mut buf = [0u8; 128];
    assert_eq!(init.sign(b"x", &mut buf), Err(Error::WrongState));
    assert_eq!(init.seal(&mut rng, &mut buf, 1), Err(Error::WrongState));
    let _ = ap_req(&mut init, now(), &mut rng);
    assert_eq!(init.unseal(&mut buf), Err(Error::WrongState));
    let mut cache = ReplayCache::<1>::new();
    let mut acc = acceptor(&r.entries, &mut cache, AcceptorConfig::default());
    assert_eq!(acc.verify(b"x", &buf[..10]), Err(Error::WrongState));
    assert_eq!(acc.wrap_header_len(true), Err(Error::WrongState));
    // Before establishment sizes() gives bounds over every etype.
    let s = acc.sizes();
    assert!(s.seal_header >= 32 && s.max_signature >= 37 && s.seal_trailer >= 40);
    // A non-empty first input is out of order.
    let mut fresh = initiator(&r, InitiatorConfig::default());
    let mut out = vec![0u8; 4096];
    assert_eq!(
        fresh.step(b"x", &mut out, now(), &mut rng),
        Err(Error::WrongState)
    );
    assert_eq!(
        fresh.step(&[], &mut out, now(), &mut rng),
        Err(Error::WrongState)
    );
}

#[test]
fn initiator_refuses_what_it_cannot_do() {
    let mut rng = TestRng::new(18);
    let r = realm(Etype::Aes128CtsHmacSha196, &mut rng);
    let client = client_name();
    let deleg = InitiatorConfig {
        flags: gss_flags::DELEG,
        ..InitiatorConfig::default()
    };
    assert!(matches!(
        Initiator::new(&r.ticket, r.session_key.clone(), client, REALM, deleg),
        Err(Error::Policy { .. })
    ));
    assert!(Initiator::new(
        &r.ticket[1..],
        r.session_key.clone(),
        client,
        REALM,
        InitiatorConfig::default()
    )
    .is_err());
    let huge = vec![b'a'; authcore::kerberos::MAX_TOKEN_LEN];
    let name = [KerberosString(&huge)];
    assert!(matches!(
        Initiator::new(
            &r.ticket,
            r.session_key.clone(),
            PrincipalName::new(1, &name),
            REALM,
            InitiatorConfig::default()
        ),
        Err(Error::CapacityExceeded { .. })
    ));
}

#[test]
fn minted_ticket_decrypts_to_its_spec() {
    let mut rng = TestRng::new(19);
    let r = realm_with(
        Etype::Aes256CtsHmacSha384192,
        TicketOpts {
            with_pac: true,
            ..TicketOpts::default()
        },
        &mut rng,
    );
    let t = Ticket::parse(&r.ticket).unwrap();
    assert_eq!(t.realm.as_bytes(), REALM);
    assert!(t.sname.same_components(SERVICE.iter().copied()));
    assert_eq!(t.enc_part.kvno, Some(KVNO));
    assert_eq!(t.enc_part.etype, 20);
    let mut plain = t.enc_part.cipher.to_vec();
    let range = r.entries[0].key.decrypt(usage::TICKET, &mut plain).unwrap();
    let part = EncTicketPart::parse(&plain[range]).unwrap();
    assert_eq!(part.key.keyvalue, r.session_key.as_bytes());
    assert_eq!(part.key.keytype, 20);
    assert!(part.cname.same_components([&b"alice"[..]]));
    assert_eq!(part.authtime.unix_secs(), at(-3600).unix_secs());
    assert_eq!(part.endtime.unix_secs(), at(10 * 3600).unix_secs());
    assert_eq!(
        part.flags,
        ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT
    );
    let ad = part.authorization_data.unwrap();
    assert_eq!(
        ad.find(ad_type::WIN2K_PAC).unwrap(),
        Some(&[1u8, 2, 3, 4, 5, 6, 7, 8][..])
    );
}

#[test]
fn context_sizes() {
    use core::mem::size_of;
    let acc = size_of::<Acceptor<'static, [KeyEntry<'static>], &'static mut ReplayCache<64>>>();
    let init = size_of::<Initiator<'static>>();
    println!("size_of Acceptor<[KeyEntry], &mut ReplayCache<64>> = {acc} B");
    println!("size_of Initiator = {init} B");
    println!("size_of Cfx = {} B", size_of::<Cfx>());
    println!(
        "size_of Rc4Hmac = {} B",
        size_of::<authcore::gss::rc4::Rc4Hmac>()
    );
    println!(
        "size_of Identity = {} B",
        size_of::<authcore::kerberos::Identity>()
    );
    println!("size_of Key = {} B", size_of::<Key>());
    println!(
        "size_of ReplayCache<64> = {} B",
        size_of::<ReplayCache<64>>()
    );
    // Regression ceilings on x86-64 (the 512-byte goal holds on thumbv7em,
    // where boards/footprint.py measures the budget: acceptor 512 B, 552 B
    // here; initiator 384 B, 416 B here).
    assert!(acc <= 552, "{acc}");
    assert!(init <= 416, "{init}");
    assert_eq!(size_of::<ReplayCache<64>>(), 64 * 24 + size_of::<usize>());
}

#[test]
fn integrity_only_wrap_checksum_uses_the_seal_usage() {
    // RFC 4121 section 2 defines KG-USAGE-INITIATOR-SEAL (24) for Wrap tokens
    // and KG-USAGE-INITIATOR-SIGN (25) for MIC tokens; MIT (k5sealv3.c) keys
    // every Wrap token, with or without confidentiality, with the SEAL usage,
    // and the live interop test fails against MIT otherwise. The checksum
    // covers the data, then the header with EC and RRC zero (section 4.2.4).
    let mut rng = TestRng::new(20);
    for etype in [Etype::Aes128CtsHmacSha196, Etype::Aes256CtsHmacSha384192] {
        let key = Key::random(etype, &mut rng).unwrap();
        let mut cfx = Cfx::new(&key, true, false, 7, 9).unwrap();
        let msg = b"integrity only";
        let h = cfx.wrap_header_len(false);
        let mut buf = vec![0u8; h + msg.len() + cfx.wrap_trailer_len(false)];
        buf[h..][..msg.len()].copy_from_slice(msg);
        let n = cfx.wrap(&mut rng, false, &mut buf, msg.len()).unwrap();
        let mut header = [0u8; 16];
        header.copy_from_slice(&buf[..16]);
        header[4..8].fill(0);
        let mut want = vec![0u8; etype.checksum_type().size()];
        key.checksum(usage::GSS_INITIATOR_SEAL, &[msg, &header], &mut want)
            .unwrap();
        assert_eq!(&buf[16 + msg.len()..n], &want[..]);
    }
}
