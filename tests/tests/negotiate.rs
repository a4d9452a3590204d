//! The Negotiate (SPNEGO, RFC 4178) acceptor in process, against tokens
//! built from authcore's NTLM and Kerberos initiators: mechanism choice,
//! optimistic tokens, request-mic and the mechListMIC, the MS krb5 OID,
//! refusals, and malformed tokens. Real peers (pyspnego, MIT SPNEGO with
//! krb5 and gss-ntlmssp) are in interop_negotiate.rs.

use authcore::crypto::{Etype, Key};
use authcore::der::{self, Writer};
use authcore::gss::token::{KRB5_OID, MS_KRB5_OID};
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{name_type, ticket_flags, KerberosString, PrincipalName};
use authcore::kerberos::{self, KeyEntry, ReplayCache};
use authcore::ntlm::{self, CredentialStore, NtHash};
use authcore::spnego::wire::{
    MechTypes, NegState, NegTokenInit, NegTokenResp, NegotiationToken, NTLM_OID, SPNEGO_OID,
};
use authcore::spnego::{self, Acceptor, Identity, Mech};
use authcore::{Error, Progress, Protect, Step, Time};
use authcore_tests::bench_rng::TestRng;

/// NEGOEX (1.3.6.1.4.1.311.2.2.30): offered by Windows, not by us.
const NEGOEX_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1e];

const NOW: Time = Time::from_unix_secs(1_800_000_000);
const REALM: &[u8] = b"EXAMPLE.TEST";

struct Users;
impl CredentialStore for Users {
    fn nt_hash(&self, user: &str, domain: &str) -> Option<NtHash> {
        (user.eq_ignore_ascii_case("alice") && domain.eq_ignore_ascii_case("EXAMPLE"))
            .then(|| NtHash::from_password("correct horse"))
    }
}

fn mech_list(oids: &[&[u8]]) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let n = MechTypes::encode(oids, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

fn init_token(list: &[u8], mech_token: Option<&[u8]>) -> Vec<u8> {
    let t = NegTokenInit {
        mech_types: MechTypes::from_der(list).unwrap(),
        mech_token,
        mech_list_mic: None,
    };
    let mut out = vec![0u8; 64 * 1024];
    let n = t.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

fn resp_token(token: Option<&[u8]>, mic: Option<&[u8]>) -> Vec<u8> {
    let t = NegTokenResp {
        response_token: token,
        mech_list_mic: mic,
        ..NegTokenResp::default()
    };
    let mut out = vec![0u8; 64 * 1024];
    let n = t.emit(&mut out, None).unwrap();
    out.truncate(n);
    out
}

fn resp(bytes: &[u8]) -> NegTokenResp<'_> {
    NegotiationToken::parse_resp(bytes).unwrap()
}

/// A minted service ticket and the acceptor's key table for it.
struct Realm {
    keytab: Vec<KeyEntry<'static>>,
    ticket: Vec<u8>,
    session_key: Key,
}

static SERVICE: [KerberosString<'static>; 2] = [
    KerberosString(b"HTTP"),
    KerberosString(b"router.example.test"),
];
static CLIENT: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

fn realm(rng: &mut TestRng) -> Realm {
    let etype = Etype::Aes256CtsHmacSha196;
    let service_key = Key::random(etype, rng).unwrap();
    let session_key = Key::random(etype, rng).unwrap();
    let spec = TicketSpec {
        realm: REALM,
        service: PrincipalName::new(name_type::SRV_HST, &SERVICE),
        kvno: Some(2),
        client_realm: REALM,
        client: PrincipalName::new(name_type::PRINCIPAL, &CLIENT),
        session_key: &session_key,
        flags: ticket_flags::INITIAL | ticket_flags::PRE_AUTHENT,
        authtime: NOW,
        starttime: None,
        endtime: Time::from_unix_secs(NOW.unix_secs() + 3600),
        authorization_data: None,
    };
    let mut ticket = vec![0u8; 4096];
    let n = mint_ticket(&service_key, &spec, rng, &mut ticket).unwrap();
    ticket.truncate(n);
    Realm {
        keytab: vec![KeyEntry {
            principal: &[b"HTTP", b"router.example.test"],
            realm: REALM,
            kvno: 2,
            key: service_key,
        }],
        ticket,
        session_key,
    }
}

fn krb_client(r: &Realm) -> kerberos::Initiator<'_> {
    kerberos::Initiator::new(
        &r.ticket,
        r.session_key.clone(),
        PrincipalName::new(name_type::PRINCIPAL, &CLIENT),
        REALM,
        kerberos::InitiatorConfig::default(),
    )
    .unwrap()
}

type Both<'a> = Acceptor<'a, &'a Users, [KeyEntry<'static>], &'a mut ReplayCache<8>>;

fn acceptor<'a>(
    ntlm: bool,
    keytab: Option<&'a [KeyEntry<'static>]>,
    replay: &'a mut ReplayCache<8>,
) -> Both<'a> {
    let n = ntlm.then(|| {
        ntlm::Acceptor::new(&Users, ntlm::AcceptorConfig::new("ROUTER", "EXAMPLE")).unwrap()
    });
    let k = keytab.map(|kt| {
        kerberos::Acceptor::new(kt, replay, kerberos::AcceptorConfig::default()).unwrap()
    });
    Acceptor::new(n, k)
}

fn step(ctx: &mut impl Step, input: &[u8], rng: &mut TestRng) -> Result<(Vec<u8>, bool), Error> {
    let mut out = vec![0u8; spnego::MAX_TOKEN_LEN];
    match ctx.step(input, &mut out, NOW, rng)? {
        Progress::Continue { written } => Ok((out[..written].to_vec(), false)),
        Progress::Complete { written } => Ok((out[..written].to_vec(), true)),
        Progress::SendToKdc { .. } => panic!("KDC step"),
    }
}

fn seal_across(a: &mut impl Protect, b: &mut impl Protect, msg: &[u8], rng: &mut TestRng) {
    let sizes = a.sizes();
    let mut buf = vec![0u8; sizes.seal_header + msg.len() + sizes.seal_trailer];
    buf[sizes.seal_header..][..msg.len()].copy_from_slice(msg);
    let n = a.seal(rng, &mut buf, msg.len()).unwrap();
    let range = b.unseal(&mut buf[..n]).unwrap();
    assert_eq!(&buf[range], msg);
}

fn alice() -> ntlm::Initiator {
    ntlm::Initiator::new(
        "alice",
        "EXAMPLE",
        "correct horse",
        ntlm::InitiatorConfig::new(),
    )
    .unwrap()
}

#[test]
fn ntlm_first_choice_with_optimistic_token_and_no_mech_list_mic() {
    let mut rng = TestRng::new(1);
    let mut replay = ReplayCache::new();
    let mut acc = acceptor(true, None, &mut replay);
    let mut client = alice();
    let list = mech_list(&[NTLM_OID]);
    let (negotiate, _) = step(&mut client, &[], &mut rng).unwrap();
    let (out, done) = step(&mut acc, &init_token(&list, Some(&negotiate)), &mut rng).unwrap();
    assert!(!done);
    let r = resp(&out);
    assert_eq!(r.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(r.supported_mech, Some(NTLM_OID));
    assert_eq!(acc.mech(), Some(Mech::Ntlm));
    let challenge = r.response_token.unwrap().to_vec();
    let (authenticate, done) = step(&mut client, &challenge, &mut rng).unwrap();
    assert!(done);
    let (out, done) = step(&mut acc, &resp_token(Some(&authenticate), None), &mut rng).unwrap();
    assert!(done);
    let r = resp(&out);
    assert_eq!(r.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(
        (r.supported_mech, r.response_token, r.mech_list_mic),
        (None, None, None)
    );
    match acc.identity() {
        Some(Identity::Ntlm(id)) => assert_eq!((id.domain, id.user), ("EXAMPLE", "alice")),
        other => panic!("{other:?}"),
    }
    assert_eq!(acc.identity().unwrap().to_string(), "EXAMPLE\\alice");
    // No mechListMIC was exchanged, so both RC4 states are where NTLM left them.
    seal_across(&mut client, &mut acc, b"to the router", &mut rng);
    seal_across(&mut acc, &mut client, b"and back", &mut rng);
    // An established context takes no more tokens.
    assert_eq!(step(&mut acc, &out, &mut rng), Err(Error::WrongState));
}

#[test]
fn ntlm_chosen_after_an_unknown_first_mech_requires_the_mech_list_mic() {
    let mut rng = TestRng::new(2);
    let list = mech_list(&[NEGOEX_OID, NTLM_OID]);
    for (case, with_mic, tamper) in [
        ("valid", true, false),
        ("missing", false, false),
        ("tampered", true, true),
    ] {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(true, None, &mut replay);
        let mut client = alice();
        // The optimistic token is NEGOEX's, which the acceptor must not feed to NTLM.
        let (out, _) = step(
            &mut acc,
            &init_token(&list, Some(b"NEGOEX optimistic")),
            &mut rng,
        )
        .unwrap();
        let r = resp(&out);
        assert_eq!(r.neg_state, Some(NegState::RequestMic), "{case}");
        assert_eq!((r.supported_mech, r.response_token), (Some(NTLM_OID), None));
        let (negotiate, _) = step(&mut client, &[], &mut rng).unwrap();
        let (out, _) = step(&mut acc, &resp_token(Some(&negotiate), None), &mut rng).unwrap();
        let r = resp(&out);
        assert_eq!(
            (r.neg_state, r.supported_mech),
            (Some(NegState::AcceptIncomplete), None)
        );
        let (authenticate, _) = step(&mut client, r.response_token.unwrap(), &mut rng).unwrap();
        let mut mic = [0u8; 16];
        client.sign(&list, &mut mic).unwrap();
        if tamper {
            mic[10] ^= 1;
        }
        let token = resp_token(Some(&authenticate), with_mic.then_some(&mic[..]));
        let result = step(&mut acc, &token, &mut rng);
        match case {
            "valid" => {
                let (out, done) = result.unwrap();
                assert!(done);
                let r = resp(&out);
                assert_eq!(r.neg_state, Some(NegState::AcceptCompleted));
                // The acceptor's MIC is its first signature (sequence 0).
                client.verify(&list, r.mech_list_mic.unwrap()).unwrap();
                assert!(acc.identity().is_some());
                assert!(acc.mech_list_mic_exchanged());
            }
            "missing" => {
                assert_eq!(
                    result,
                    Err(Error::Policy {
                        what: authcore::what!("SPNEGO mechListMIC missing")
                    })
                );
                assert!(acc.identity().is_none());
            }
            _ => {
                assert!(matches!(result, Err(Error::Integrity { .. })), "{result:?}");
                assert!(acc.identity().is_none());
                assert_eq!(step(&mut acc, &token, &mut rng), Err(Error::WrongState));
            }
        }
    }
}

#[test]
fn kerberos_first_choice_completes_in_one_round_and_echoes_the_ms_oid() {
    let mut rng = TestRng::new(3);
    let r = realm(&mut rng);
    for first in [KRB5_OID, MS_KRB5_OID] {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(true, Some(&r.keytab), &mut replay);
        let mut client = krb_client(&r);
        let list = mech_list(&[first, KRB5_OID, NTLM_OID]);
        let (ap_req, _) = step(&mut client, &[], &mut rng).unwrap();
        let (out, done) = step(&mut acc, &init_token(&list, Some(&ap_req)), &mut rng).unwrap();
        assert!(done);
        let t = resp(&out);
        assert_eq!(t.neg_state, Some(NegState::AcceptCompleted));
        // The OID as the client wrote it: Windows refuses an alias.
        assert_eq!(t.supported_mech, Some(first));
        assert_eq!(t.mech_list_mic, None);
        let (_, done) = step(&mut client, t.response_token.unwrap(), &mut rng).unwrap();
        assert!(done);
        assert_eq!(acc.mech(), Some(Mech::Kerberos));
        assert_eq!(acc.identity().unwrap().to_string(), "alice@EXAMPLE.TEST");
        seal_across(&mut client, &mut acc, b"over kerberos", &mut rng);
        seal_across(&mut acc, &mut client, b"back", &mut rng);
    }
}

#[test]
fn kerberos_after_request_mic_exchanges_mics_both_ways() {
    let mut rng = TestRng::new(4);
    let r = realm(&mut rng);
    let list = mech_list(&[NEGOEX_OID, KRB5_OID]);
    for tamper in [false, true] {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(false, Some(&r.keytab), &mut replay);
        let mut client = krb_client(&r);
        let (out, _) = step(&mut acc, &init_token(&list, None), &mut rng).unwrap();
        let t = resp(&out);
        assert_eq!(
            (t.neg_state, t.supported_mech),
            (Some(NegState::RequestMic), Some(KRB5_OID))
        );
        let (ap_req, _) = step(&mut client, &[], &mut rng).unwrap();
        let (out, done) = step(&mut acc, &resp_token(Some(&ap_req), None), &mut rng).unwrap();
        assert!(!done, "the client's MIC is still due");
        let t = resp(&out);
        assert_eq!(t.neg_state, Some(NegState::AcceptIncomplete));
        let (_, done) = step(&mut client, t.response_token.unwrap(), &mut rng).unwrap();
        assert!(done);
        client.verify(&list, t.mech_list_mic.unwrap()).unwrap();
        let mut mic = vec![0u8; 64];
        let n = client.sign(&list, &mut mic).unwrap();
        if tamper {
            mic[n - 1] ^= 1;
        }
        let result = step(&mut acc, &resp_token(None, Some(&mic[..n])), &mut rng);
        if tamper {
            assert!(matches!(result, Err(Error::Integrity { .. })), "{result:?}");
            assert!(acc.identity().is_none());
            continue;
        }
        let (out, done) = result.unwrap();
        assert!(done);
        assert_eq!(resp(&out).neg_state, Some(NegState::AcceptCompleted));
        assert!(acc.mech_list_mic_exchanged());
        seal_across(&mut client, &mut acc, b"after the MICs", &mut rng);
        seal_across(&mut acc, &mut client, b"both ways", &mut rng);
    }
}

#[test]
fn no_mechanism_in_common_is_refused_with_a_reject_token() {
    let mut rng = TestRng::new(5);
    let r = realm(&mut rng);
    let cases: [(&[&[u8]], bool, bool); 3] = [
        (&[NEGOEX_OID], true, true),
        (&[KRB5_OID], true, false),
        (&[NTLM_OID], false, true),
    ];
    for (oids, ntlm, krb) in cases {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(ntlm, krb.then_some(&r.keytab[..]), &mut replay);
        let mut out = vec![0u8; spnego::MAX_TOKEN_LEN];
        let e = acc.step(&init_token(&mech_list(oids), None), &mut out, NOW, &mut rng);
        assert_eq!(
            e,
            Err(Error::Policy {
                what: authcore::what!("SPNEGO: no mechanism in common")
            })
        );
        let n = acc.error_token_len();
        assert!(n > 0);
        assert_eq!(resp(&out[..n]).neg_state, Some(NegState::Reject));
        assert_eq!(acc.mech(), None);
    }
}

#[test]
fn a_refused_ap_req_comes_back_as_a_krb_error_inside_a_reject() {
    let mut rng = TestRng::new(6);
    let r = realm(&mut rng);
    let mut other = realm(&mut rng);
    other.keytab[0].key = Key::random(Etype::Aes256CtsHmacSha196, &mut rng).unwrap();
    let mut replay = ReplayCache::new();
    let mut acc = acceptor(false, Some(&other.keytab), &mut replay);
    let mut client = krb_client(&r);
    let (ap_req, _) = step(&mut client, &[], &mut rng).unwrap();
    let mut out = vec![0u8; spnego::MAX_TOKEN_LEN];
    let e = acc.step(
        &init_token(&mech_list(&[KRB5_OID]), Some(&ap_req)),
        &mut out,
        NOW,
        &mut rng,
    );
    assert!(e.is_err());
    let n = acc.error_token_len();
    let t = resp(&out[..n]);
    assert_eq!(t.neg_state, Some(NegState::Reject));
    let krb_error = t.response_token.expect("the KRB-ERROR");
    // GSS framing, krb5 OID, TOK_ID 03 00 (KRB_ERROR).
    let framed = authcore::gss::token::Krb5Token::parse(krb_error).unwrap();
    assert_eq!(framed.tok_id, authcore::gss::token::tok_id::KRB_ERROR);
}

#[test]
fn raw_ntlm_under_negotiate_is_served_by_ntlm() {
    let mut rng = TestRng::new(7);
    let mut replay = ReplayCache::new();
    let mut acc = acceptor(true, None, &mut replay);
    let mut client = alice();
    let (negotiate, _) = step(&mut client, &[], &mut rng).unwrap();
    let (challenge, done) = step(&mut acc, &negotiate, &mut rng).unwrap();
    assert!(!done && challenge.starts_with(b"NTLMSSP\0"));
    let (authenticate, _) = step(&mut client, &challenge, &mut rng).unwrap();
    let (out, done) = step(&mut acc, &authenticate, &mut rng).unwrap();
    assert!(done && out.is_empty());
    assert_eq!(acc.identity().unwrap().to_string(), "EXAMPLE\\alice");
    seal_across(&mut client, &mut acc, b"raw", &mut rng);
}

#[test]
fn malformed_tokens_are_typed_errors_and_fail_the_context() {
    let mut rng = TestRng::new(8);
    let list = mech_list(&[NTLM_OID]);
    let good = init_token(&list, None);
    let mut wrong_oid = good.clone();
    // The SPNEGO OID's last octet (1.3.6.1.5.5.2 -> .3).
    let at = good
        .windows(SPNEGO_OID.len())
        .position(|w| w == SPNEGO_OID)
        .unwrap();
    wrong_oid[at + SPNEGO_OID.len() - 1] = 3;
    let empty_list = {
        let mut t = vec![0u8; 64];
        let mut w = Writer::new(&mut t);
        w.constructed(der::tag::application(0), |w| {
            w.constructed(der::tag::context(0), |w| {
                w.sequence(|w| w.field(0, |w| w.sequence(|_| Ok(()))))
            })?;
            w.oid(SPNEGO_OID);
            Ok(())
        })
        .unwrap();
        let n = w.finish().unwrap();
        t.truncate(n);
        t
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("truncated", good[..good.len() - 1].to_vec()),
        ("trailing byte", [good.as_slice(), &[0]].concat()),
        ("wrong OID", wrong_oid),
        ("empty mechTypes", empty_list),
        ("a NegTokenResp first", resp_token(Some(b"x"), None)),
    ];
    for (name, token) in cases {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(true, None, &mut replay);
        let e = step(&mut acc, &token, &mut rng);
        assert!(
            matches!(e, Err(Error::Malformed { .. } | Error::Truncated { .. })),
            "{name}: {e:?}"
        );
        assert_eq!(
            step(&mut acc, &good, &mut rng),
            Err(Error::WrongState),
            "{name}"
        );
    }
    // Later tokens: a NegTokenInit again, or a NegTokenResp without the token.
    for (name, token) in [
        ("init again", good.clone()),
        ("no responseToken", resp_token(None, None)),
    ] {
        let mut replay = ReplayCache::new();
        let mut acc = acceptor(true, None, &mut replay);
        step(&mut acc, &good, &mut rng).unwrap();
        let e = step(&mut acc, &token, &mut rng);
        assert!(e.is_err(), "{name}");
        assert!(acc.identity().is_none());
    }
}

#[test]
fn wire_round_trips_and_the_mech_list_is_kept_as_sent() {
    let list = mech_list(&[MS_KRB5_OID, KRB5_OID, NEGOEX_OID, NTLM_OID]);
    let token = init_token(&list, Some(b"optimistic"));
    let init = NegotiationToken::parse_initial(&token).unwrap();
    assert_eq!(init.mech_types.der(), &list[..]);
    let oids: Vec<&[u8]> = init.mech_types.iter().map(|o| o.unwrap()).collect();
    assert_eq!(oids, [MS_KRB5_OID, KRB5_OID, NEGOEX_OID, NTLM_OID]);
    assert_eq!(init.mech_token, Some(&b"optimistic"[..]));
    // RFC 4178 section 4.2.2's fields, every combination.
    for state in [
        None,
        Some(NegState::AcceptCompleted),
        Some(NegState::RequestMic),
    ] {
        for mech in [None, Some(KRB5_OID)] {
            for tok in [None, Some(&b"tok"[..])] {
                for mic in [None, Some(&b"mic"[..])] {
                    let t = NegTokenResp {
                        neg_state: state,
                        supported_mech: mech,
                        response_token: tok,
                        mech_list_mic: mic,
                    };
                    let mut out = [0u8; 128];
                    let n = t.emit(&mut out, None).unwrap();
                    assert_eq!(resp(&out[..n]), t);
                    // The same with the response token already in place.
                    if let Some(tok) = tok {
                        let mut out = [0u8; 128];
                        let at = spnego::wire::MAX_RESP_OVERHEAD;
                        out[at..at + tok.len()].copy_from_slice(tok);
                        let n = t.emit(&mut out, Some((at, tok.len()))).unwrap();
                        assert_eq!(resp(&out[..n]), t);
                    }
                }
            }
        }
    }
    // A published shape: the NegTokenResp that completes with no fields but
    // negState (RFC 4178 4.2.2): a1 07 30 05 a0 03 0a 01 00.
    let done = NegTokenResp {
        neg_state: Some(NegState::AcceptCompleted),
        ..Default::default()
    };
    let mut out = [0u8; 16];
    let n = done.emit(&mut out, None).unwrap();
    assert_eq!(
        &out[..n],
        &[0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00]
    );
}

#[test]
fn package_table_lists_negotiate() {
    let info = authcore::package::find("negotiate").unwrap();
    assert_eq!(info.name, "Negotiate");
    assert_eq!(info.max_token, spnego::MAX_TOKEN_LEN);
}

// ---- authcore's Negotiate initiator against its acceptor ----------------------

fn handshake(
    client: &mut spnego::Initiator<'_>,
    server: &mut impl Step,
    rng: &mut TestRng,
) -> Result<(), Error> {
    let mut to_server = vec![0u8; spnego::MAX_TOKEN_LEN];
    let mut to_client = vec![0u8; spnego::MAX_TOKEN_LEN];
    let mut input: Vec<u8> = Vec::new();
    for _ in 0..8 {
        let (n, client_done) = match client.step(&input, &mut to_server, NOW, rng)? {
            Progress::Continue { written } => (written, false),
            Progress::Complete { written } => (written, true),
            Progress::SendToKdc { .. } => panic!(),
        };
        if client_done && n == 0 {
            return Ok(());
        }
        match server.step(&to_server[..n], &mut to_client, NOW, rng) {
            Ok(Progress::Continue { written }) => input = to_client[..written].to_vec(),
            Ok(Progress::Complete { written }) => {
                if client_done {
                    assert_eq!(written, 0);
                    return Ok(());
                }
                input = to_client[..written].to_vec();
            }
            Ok(Progress::SendToKdc { .. }) => panic!(),
            Err(e) => {
                let n = server.error_token_len();
                if n > 0 {
                    // The client learns of the refusal from the reject token.
                    assert!(client
                        .step(&to_client[..n], &mut to_server, NOW, rng)
                        .is_err());
                }
                return Err(e);
            }
        }
    }
    panic!("no end after 8 rounds")
}

fn ntlm_client(password: &str) -> Option<ntlm::Initiator> {
    Some(ntlm::Initiator::new("alice", "EXAMPLE", password, ntlm::InitiatorConfig::new()).unwrap())
}

#[test]
fn initiator_prefers_kerberos_and_falls_back_to_ntlm_with_the_mech_list_mic() {
    let mut rng = TestRng::new(9);
    let r = realm(&mut rng);
    // (client has krb, client has ntlm, server has ntlm, server has krb) -> mech, MIC exchanged
    let cases = [
        ((true, true), (true, true), Mech::Kerberos, false),
        ((true, true), (true, false), Mech::Ntlm, true),
        ((false, true), (true, true), Mech::Ntlm, true),
        ((true, false), (false, true), Mech::Kerberos, false),
    ];
    for ((ck, cn), (sn, sk), mech, mic) in cases {
        let case = format!("client krb {ck} ntlm {cn}, server ntlm {sn} krb {sk}");
        let mut replay = ReplayCache::new();
        let mut server = acceptor(sn, sk.then_some(&r.keytab[..]), &mut replay);
        let mut client = spnego::Initiator::new(
            ck.then(|| krb_client(&r)),
            if cn {
                ntlm_client("correct horse")
            } else {
                None
            },
        )
        .unwrap();
        handshake(&mut client, &mut server, &mut rng).unwrap_or_else(|e| panic!("{case}: {e:?}"));
        assert_eq!((client.mech(), server.mech()), (mech, Some(mech)), "{case}");
        assert_eq!(server.mech_list_mic_exchanged(), mic, "{case}");
        assert_eq!(client.mech_list_mic_exchanged(), mic, "{case}");
        // The RC4 states of NTLM restarted the same way on both sides.
        for i in 0..3 {
            seal_across(
                &mut client,
                &mut server,
                format!("up {i}").as_bytes(),
                &mut rng,
            );
            seal_across(
                &mut server,
                &mut client,
                format!("down {i}").as_bytes(),
                &mut rng,
            );
        }
        let mut sig = [0u8; 64];
        let n = client.sign(b"signed", &mut sig).unwrap();
        server.verify(b"signed", &sig[..n]).unwrap();
    }
}

#[test]
fn initiator_refusals() {
    let mut rng = TestRng::new(10);
    let r = realm(&mut rng);
    // Wrong password: the acceptor refuses.
    let mut replay = ReplayCache::new();
    let mut server = acceptor(true, None, &mut replay);
    let mut client = spnego::Initiator::new(None, ntlm_client("wrong")).unwrap();
    assert_eq!(
        handshake(&mut client, &mut server, &mut rng),
        Err(Error::LogonDenied)
    );
    // Nothing in common: the acceptor's reject fails the client too.
    let mut replay = ReplayCache::new();
    let mut server = acceptor(true, None, &mut replay);
    let mut client = spnego::Initiator::new(Some(krb_client(&r)), None).unwrap();
    assert!(matches!(
        handshake(&mut client, &mut server, &mut rng),
        Err(Error::Policy { .. })
    ));
    assert!(client.sign(b"x", &mut [0u8; 64]).is_err());
    // Nothing to offer.
    assert!(spnego::Initiator::new(None, None).is_err());
    // An acceptor that picks what we did not offer.
    let mut client = spnego::Initiator::new(None, ntlm_client("correct horse")).unwrap();
    step(&mut client, &[], &mut rng).unwrap();
    let t = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: Some(KRB5_OID),
        ..NegTokenResp::default()
    };
    let mut out = [0u8; 64];
    let n = t.emit(&mut out, None).unwrap();
    assert!(matches!(
        step(&mut client, &out[..n], &mut rng),
        Err(Error::Policy { .. })
    ));
    assert_eq!(
        step(&mut client, &out[..n], &mut rng),
        Err(Error::WrongState)
    );
}

#[test]
fn initiator_reports_the_krb_error_inside_a_reject() {
    let mut rng = TestRng::new(11);
    let r = realm(&mut rng);
    let mut other = realm(&mut rng);
    other.keytab[0].key = Key::random(Etype::Aes256CtsHmacSha196, &mut rng).unwrap();
    let mut replay = ReplayCache::new();
    let mut server = acceptor(false, Some(&other.keytab), &mut replay);
    let mut client = spnego::Initiator::new(Some(krb_client(&r)), None).unwrap();
    let (init, _) = step(&mut client, &[], &mut rng).unwrap();
    let mut out = vec![0u8; spnego::MAX_TOKEN_LEN];
    assert!(server.step(&init, &mut out, NOW, &mut rng).is_err());
    let n = server.error_token_len();
    assert!(n > 0);
    // The acceptor could not decrypt the ticket: KRB_AP_ERR_MODIFIED (41) as
    // Windows answers, and the client names it.
    match step(&mut client, &out[..n], &mut rng) {
        Err(Error::KrbError { code }) => assert_eq!(code, 41),
        other => panic!("{other:?}"),
    }
}
