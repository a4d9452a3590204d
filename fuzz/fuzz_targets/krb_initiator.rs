//! `kerberos::Initiator::step` on a hostile reply, after its own AP-REQ.
//!
//! The initiator presents a ticket minted here under the MIT capture's
//! service key with the captured session key, as alice@AUTHCORE.TEST, at the
//! capture's time: so MIT's captured AP-REP, which answers that time under
//! that session key, completes it.
//!
//! Input: a mode byte, then the rest. Mode bits 0-1:
//! - 0: the whole reply token (seeds: MIT's `gss-ap-rep-token`, a framed
//!   KRB-ERROR);
//! - 1: the plaintext of the EncAPRepPart, encrypted here under the session
//!   key (usage 12) into a framed AP-REP, so the fuzzer reaches the checks
//!   behind the decryption (seed: MIT's `enc-ap-rep-part`);
//! - 2: a KRB-ERROR message, framed here: it must come back as
//!   `Error::KrbError` with its code exactly when it parses;
//! - 3: an AP-REP message, framed here.
//!
//! Bit 2 frames the initiator's tokens with the Microsoft OID.
//!
//! Properties: an accepted reply is an AP-REP that decrypts under the session
//! key and answers the initiator's authenticator time, and the context it
//! keys exchanges sealed messages both ways with an independent peer keyed as
//! RFC 4121 says (acceptor subkey if any, else the initiator's subkey). A reply
//! too big for the 4096-byte output buffer is `BufferTooSmall` with a size that
//! then works; after any other refusal the context stays failed.
#![no_main]

use authcore::crypto::{usage, Etype, Key};
use authcore::gss::token::{tok_id, Krb5Token, KRB5_OID};
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{
    name_type, ticket_flags, ApRep, ApReq, Authenticator, EncApRepPart, EncryptedData,
    KerberosString, KrbError, PrincipalName,
};
use authcore::kerberos::{Initiator, InitiatorConfig, Mech};
use authcore::{Error, Progress, Step, Time};
use authcore_fuzz::krb::{capture_time, encrypt, keytab, session_key, Peer, REALM};
use authcore_fuzz::CounterRng;
use libfuzzer_sys::fuzz_target;

fn frame(id: [u8; 2], message: &[u8]) -> Vec<u8> {
    let token = Krb5Token {
        mech: KRB5_OID,
        tok_id: id,
        message,
    };
    let mut out = vec![0u8; token.encoded_len()];
    token.emit(&mut out).unwrap();
    out
}

fn ap_rep(enc_ap_rep_part: &[u8], session: &Key, rng: &mut CounterRng) -> Vec<u8> {
    let cipher = encrypt(session, usage::AP_REP_ENC_PART, enc_ap_rep_part, rng);
    let rep = ApRep {
        enc_part: EncryptedData {
            etype: session.etype().as_i32(),
            kvno: None,
            cipher: &cipher,
        },
    };
    let mut msg = vec![0u8; rep.encoded_len()];
    rep.emit(&mut msg).unwrap();
    frame(tok_id::AP_REP, &msg)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut rng = CounterRng(u64::from(mode));
    let now = capture_time();
    let session = session_key();
    let alice = [KerberosString(b"alice")];
    let client = PrincipalName::new(name_type::PRINCIPAL, &alice);
    let service_names = [
        KerberosString(b"host"),
        KerberosString(b"service.authcore.test"),
    ];
    let spec = TicketSpec {
        realm: REALM,
        service: PrincipalName::new(name_type::SRV_HST, &service_names),
        kvno: Some(keytab()[0].kvno),
        client_realm: REALM,
        client,
        session_key: &session,
        flags: ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT,
        authtime: Time::from_unix_secs(now.unix_secs() - 60),
        starttime: None,
        endtime: Time::from_unix_secs(now.unix_secs() + 36_000),
        authorization_data: None,
    };
    let mut ticket = vec![0u8; 1024];
    let n = mint_ticket(&keytab()[0].key, &spec, &mut rng, &mut ticket).unwrap();
    ticket.truncate(n);
    let config = InitiatorConfig {
        mech: if mode & 4 != 0 {
            Mech::MsKrb5
        } else {
            Mech::Krb5
        },
        ..InitiatorConfig::default()
    };
    let mut init = Initiator::new(&ticket, session.clone(), client, REALM, config).unwrap();
    let mut out = vec![0u8; 4096];
    let Ok(Progress::Continue { written }) = init.step(&[], &mut out, now, &mut rng) else {
        panic!("initiator's first step failed");
    };
    // Our authenticator, read back with the session key.
    let req_token = out[..written].to_vec();
    let req = ApReq::parse(Krb5Token::parse(&req_token).unwrap().message).unwrap();
    let mut plain = req.authenticator.cipher.to_vec();
    let range = session
        .decrypt(usage::AP_REQ_AUTHENTICATOR, &mut plain)
        .unwrap();
    let ours = Authenticator::parse(&plain[range]).unwrap();
    let our_subkey = ours.subkey.unwrap();
    let our_subkey = Key::from_bytes(
        Etype::from_i32(our_subkey.keytype).unwrap(),
        our_subkey.keyvalue,
    )
    .unwrap();
    let our_seq = ours.seq_number.unwrap();

    let reply = match mode & 3 {
        0 => rest.to_vec(),
        1 => ap_rep(rest, &session, &mut rng),
        2 => frame(tok_id::KRB_ERROR, rest),
        _ => frame(tok_id::AP_REP, rest),
    };
    let mut result = init.step(&reply, &mut out, now, &mut rng);
    if let Err(Error::BufferTooSmall { needed }) = result {
        // Reported before anything changed: the same reply fits a larger buffer.
        assert!(needed > out.len() && needed <= reply.len());
        assert!(!init.is_established());
        out = vec![0u8; needed];
        result = init.step(&reply, &mut out, now, &mut rng);
    }
    if mode & 3 == 2 {
        match KrbError::parse(rest) {
            Ok(e) => assert_eq!(result, Err(Error::KrbError { code: e.error_code })),
            Err(_) => assert!(result.is_err()),
        }
    }
    match result {
        Ok(p) => assert_eq!(p, Progress::Complete { written: 0 }),
        Err(e) => {
            assert!(!matches!(e, Error::BufferTooSmall { .. }));
            assert!(!init.is_established());
            assert_eq!(
                init.step(&reply, &mut out, now, &mut rng),
                Err(Error::WrongState)
            );
            return;
        }
    }

    // Accepted: an AP-REP answering our authenticator under the session key.
    assert!(init.is_established());
    let t = Krb5Token::parse(&reply).expect("accepted reply framing");
    assert_eq!(t.tok_id, tok_id::AP_REP);
    let rep = ApRep::parse(t.message).expect("accepted AP-REP");
    let mut plain = rep.enc_part.cipher.to_vec();
    let range = session
        .decrypt(usage::AP_REP_ENC_PART, &mut plain)
        .expect("accepted AP-REP decrypts under the session key");
    let part = EncApRepPart::parse(&plain[range]).expect("accepted EncAPRepPart");
    assert_eq!((part.ctime, part.cusec), (ours.ctime, ours.cusec));
    let acceptor_seq = part.seq_number.unwrap_or(0);
    let mut peer = match part.subkey {
        Some(k) => {
            let k = Key::from_bytes(Etype::from_i32(k.keytype).unwrap(), k.keyvalue).unwrap();
            Peer::new(&k, false, true, acceptor_seq, our_seq)
        }
        None => Peer::new(&our_subkey, false, false, acceptor_seq, our_seq),
    };
    let msg = b"to the acceptor";
    let h = init.wrap_header_len(true).unwrap();
    let mut buf = vec![0u8; h + msg.len() + init.wrap_trailer_len(true).unwrap()];
    buf[h..h + msg.len()].copy_from_slice(msg);
    let n = init.wrap(&mut rng, true, &mut buf, msg.len()).unwrap();
    assert_eq!(peer.unwrap(&buf[..n]).expect("peer unwraps"), msg);
    let mut token = peer.wrap(b"to the initiator", &mut rng);
    let (range, sealed) = init
        .unwrap(&mut token)
        .expect("initiator unwraps the peer's token");
    assert!(sealed);
    assert_eq!(&token[range], b"to the initiator");
});
