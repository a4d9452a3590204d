//! `kerberos::Acceptor::step` on hostile AP-REQ tokens, with a key table
//! holding the MIT capture's service key, at the capture's time.
//!
//! Input: a mode byte, then the rest. Mode bits 0-1 say what the rest is:
//! - 0: the whole AP-REQ token (seed: MIT's `gss-ap-req-token`);
//! - 1: the plaintext of the authenticator, encrypted here with the captured
//!   ticket's session key (usage 11) into the captured AP-REQ, so the fuzzer
//!   reaches the checks behind the decryption;
//! - 2: the plaintext of the EncTicketPart, encrypted here with the service
//!   key (usage 2) into the captured AP-REQ beside MIT's authenticator;
//! - 3: the AP-REQ message, framed here.
//!
//! Bits 2-6 set the acceptor's options: 4 names the captured service, 8
//! requires mutual authentication, 16 expects channel bindings, 32 accepts
//! unbound clients anyway, 64 frames modes 1-3 with the Microsoft OID, 128
//! offers a 64-byte output buffer first (`BufferTooSmall` must name a size
//! that then works, and leave the acceptor usable).
//!
//! Properties: an accepted token leaves an identity and, when mutual, an
//! AP-REP that decrypts under the session key, answers the authenticator's
//! time and keys a context with which an independent peer exchanges sealed
//! messages both ways; the same token to a fresh acceptor sharing the replay
//! cache is `Replay`. A refused token leaves a failed context and, when an
//! error token was written, a framed KRB-ERROR naming the ticket's service.
#![no_main]

use authcore::crypto::{usage, Etype, Key};
use authcore::gss::token::{tok_id, Krb5Token, KRB5_OID, MS_KRB5_OID};
use authcore::kerberos::wire::{
    name_type, ApRep, ApReq, Authenticator, EncApRepPart, EncTicketPart, EncryptedData,
    KerberosString, KrbError, PrincipalName, Ticket,
};
use authcore::kerberos::{
    gss_flags, Acceptor, AcceptorConfig, ChannelBindings, KeyEntry, ReplayCache,
};
use authcore::{Error, Progress, Step};
use authcore_fuzz::krb::{capture, capture_time, encrypt, keytab, session_key, Peer, REALM};
use authcore_fuzz::CounterRng;
use libfuzzer_sys::fuzz_target;

const BINDINGS: &[u8] = b"tls-server-end-point:authcore-fuzz";

fn frame(message: &[u8], ms_oid: bool) -> Vec<u8> {
    let token = Krb5Token {
        mech: if ms_oid { MS_KRB5_OID } else { KRB5_OID },
        tok_id: tok_id::AP_REQ,
        message,
    };
    let mut out = vec![0u8; token.encoded_len()];
    token.emit(&mut out).unwrap();
    out
}

/// The captured AP-REQ with its ticket cipher or authenticator cipher replaced.
fn rebuild(ticket_cipher: Option<&[u8]>, auth_cipher: Option<&[u8]>, ms_oid: bool) -> Vec<u8> {
    let captured = capture("ap-req");
    let req = ApReq::parse(&captured).unwrap();
    let req = ApReq {
        ticket: Ticket {
            enc_part: EncryptedData {
                cipher: ticket_cipher.unwrap_or(req.ticket.enc_part.cipher),
                ..req.ticket.enc_part
            },
            ..req.ticket
        },
        authenticator: EncryptedData {
            cipher: auth_cipher.unwrap_or(req.authenticator.cipher),
            ..req.authenticator
        },
        ..req
    };
    let mut msg = vec![0u8; req.encoded_len()];
    req.emit(&mut msg).unwrap();
    frame(&msg, ms_oid)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut rng = CounterRng(u64::from(mode));
    let ms_oid = mode & 64 != 0;
    let service = keytab()[0].key.clone();
    let session = session_key();
    // What the token carries, for the checks after success.
    let captured_auth = capture("ap-req-authenticator");
    let captured_part = capture("service-enc-ticket-part");
    let (token, auth_plain, part_plain): (Vec<u8>, &[u8], &[u8]) = match mode & 3 {
        0 => (rest.to_vec(), &captured_auth, &captured_part),
        1 => {
            let c = encrypt(&session, usage::AP_REQ_AUTHENTICATOR, rest, &mut rng);
            (rebuild(None, Some(&c), ms_oid), rest, &captured_part)
        }
        2 => {
            let c = encrypt(&service, usage::TICKET, rest, &mut rng);
            (rebuild(Some(&c), None, ms_oid), &captured_auth, rest)
        }
        _ => (frame(rest, ms_oid), &captured_auth, &captured_part),
    };

    let entries: Vec<KeyEntry<'static>> = keytab();
    let names = [
        KerberosString(b"host"),
        KerberosString(b"service.authcore.test"),
    ];
    let config = AcceptorConfig {
        service: (mode & 4 != 0).then(|| PrincipalName::new(name_type::SRV_HST, &names)),
        service_realm: (mode & 4 != 0).then_some(REALM),
        require_mutual: mode & 8 != 0,
        channel_bindings: (mode & 16 != 0).then(|| ChannelBindings::application(BINDINGS)),
        accept_unbound: mode & 32 != 0,
        ..AcceptorConfig::default()
    };
    let now = capture_time();
    let mut cache = ReplayCache::<4>::new();
    let mut acc = Acceptor::new(&entries[..], &mut cache, config).unwrap();
    // Bit 7: first a buffer too small for the scratch the token needs.
    let mut out = vec![
        0u8;
        if mode & 128 != 0 {
            64
        } else {
            token.len().max(4096)
        }
    ];
    let mut result = acc.step(&token, &mut out, now, &mut rng);
    if let Err(Error::BufferTooSmall { needed }) = result {
        // Reported before anything is processed: the acceptor is still usable.
        assert!(needed > out.len() && needed <= token.len().max(4096));
        assert_eq!(acc.error_token_len(), 0);
        out = vec![0u8; needed];
        result = acc.step(&token, &mut out, now, &mut rng);
    }
    let written = match result {
        Ok(Progress::Complete { written }) => written,
        Ok(p) => panic!("an AP-REQ did not complete the acceptor: {p:?}"),
        Err(e) => {
            assert!(
                !matches!(e, Error::BufferTooSmall { .. }),
                "scratch buffer too small"
            );
            assert!(!acc.is_established() && acc.identity().is_none());
            let n = acc.error_token_len();
            if n > 0 {
                let t = Krb5Token::parse(&out[..n]).expect("error token framing");
                assert_eq!(t.tok_id, tok_id::KRB_ERROR);
                let err = KrbError::parse(t.message).expect("error token KRB-ERROR");
                assert_ne!(err.error_code, 0);
                assert_eq!(
                    (err.stime.unix_secs(), err.susec),
                    (now.unix_secs(), now.subsec_micros())
                );
                // It names the service the AP-REQ's ticket named.
                let req = ApReq::parse(Krb5Token::parse(&token).unwrap().message).unwrap();
                assert_eq!(err.realm, req.ticket.realm);
                assert_eq!(err.sname, req.ticket.sname);
            }
            let mut again = vec![0u8; out.len()];
            assert_eq!(
                acc.step(&token, &mut again, now, &mut rng),
                Err(Error::WrongState)
            );
            return;
        }
    };

    // Accepted: the ticket and authenticator inside must be well formed.
    let part = EncTicketPart::parse(part_plain).expect("accepted ticket part parses");
    let auth = Authenticator::parse(auth_plain).expect("accepted authenticator parses");
    let identity = acc.identity().expect("established without identity");
    assert_eq!(
        identity.to_string(),
        format!("{}@{}", part.cname, part.crealm),
        "identity is not the ticket's client"
    );
    let session = Key::from_bytes(
        Etype::from_i32(part.key.keytype).unwrap(),
        part.key.keyvalue,
    )
    .expect("session key of an accepted ticket");
    let context_key = match auth.subkey {
        Some(k) => Key::from_bytes(Etype::from_i32(k.keytype).unwrap(), k.keyvalue).unwrap(),
        None => session.clone(),
    };
    let auth_seq = auth.seq_number.unwrap_or(0);
    let mutual = acc.flags() & gss_flags::MUTUAL != 0;
    assert_eq!(mutual, written > 0, "AP-REP sent iff mutual");
    let mut peer = if mutual {
        let t = Krb5Token::parse(&out[..written]).expect("AP-REP framing");
        assert_eq!(t.tok_id, tok_id::AP_REP);
        let rep = ApRep::parse(t.message).expect("AP-REP");
        let mut plain = rep.enc_part.cipher.to_vec();
        let range = session
            .decrypt(usage::AP_REP_ENC_PART, &mut plain)
            .expect("AP-REP under the session key");
        let p = EncApRepPart::parse(&plain[range]).expect("EncAPRepPart");
        assert_eq!((p.ctime, p.cusec), (auth.ctime, auth.cusec));
        let send = p.seq_number.expect("acceptor seq-number");
        match p.subkey {
            Some(k) => {
                let k = Key::from_bytes(Etype::from_i32(k.keytype).unwrap(), k.keyvalue).unwrap();
                assert_eq!(k.etype(), context_key.etype());
                Peer::new(&k, true, true, auth_seq, send)
            }
            None => {
                assert_eq!(context_key.etype(), Etype::Rc4Hmac);
                Peer::new(&context_key, true, false, auth_seq, send)
            }
        }
    } else {
        Peer::new(&context_key, true, false, auth_seq, auth_seq)
    };
    let to_acceptor = peer.wrap(b"to the acceptor", &mut rng);
    let mut buf = to_acceptor.clone();
    let (range, sealed) = acc
        .unwrap(&mut buf)
        .expect("acceptor unwraps the peer's token");
    assert!(sealed);
    assert_eq!(&buf[range], b"to the acceptor");
    let h = acc.wrap_header_len(true).unwrap();
    let msg = b"to the initiator";
    let mut buf = vec![0u8; h + msg.len() + acc.wrap_trailer_len(true).unwrap()];
    buf[h..h + msg.len()].copy_from_slice(msg);
    let n = acc.wrap(&mut rng, true, &mut buf, msg.len()).unwrap();
    assert_eq!(peer.unwrap(&buf[..n]).expect("peer unwraps"), msg);

    // The same token again, to a fresh acceptor sharing the replay cache.
    drop(acc);
    let mut acc = Acceptor::new(&entries[..], &mut cache, config).unwrap();
    assert_eq!(
        acc.step(&token, &mut out, now, &mut rng),
        Err(Error::Replay),
        "a replayed AP-REQ was accepted"
    );
});
