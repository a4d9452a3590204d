//! Kerberos wire types against real MIT krb5 1.20 messages
//! (tests/vectors/mit-krb5-captures.txt, made by capture_mit_krb5.py), plus
//! round trips of values built here and strictness checks.

use authcore::der::{self, Reader};
use authcore::gss::token::{tok_id, InitialContextToken, Krb5Token, KRB5_OID};
use authcore::kerberos::wire::{
    ad_type, addr_type, ap_options, error_code, kdc_options, message_type, msg_type, name_type,
    pa_type, ticket_flags, AdEntry, ApRep, ApReq, Authenticator, AuthorizationData, Checksum,
    EncApRepPart, EncKdcRepPart, EncTicketPart, EncryptedData, EncryptionKey, HostAddress,
    HostAddresses, KdcRep, KdcReq, KdcReqBody, KerberosString, KerberosTime, KrbError,
    LastReqEntry, MethodData, PaData, PrincipalName, SeqOf, Ticket, TransitedEncoding,
    MAX_NAME_COMPONENTS,
};
use authcore::{Error, Time};

const CAPTURES: &str = include_str!("../vectors/mit-krb5-captures.txt");

/// The named capture; leaked so parsed values can borrow it for the whole test.
fn vector(name: &str) -> &'static [u8] {
    for line in CAPTURES.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((n, hex)) = line.split_once(": ") {
            if n == name {
                return Box::leak(hex::decode(hex.trim()).expect("hex").into_boxed_slice());
            }
        }
    }
    panic!("no vector {name}");
}

const REALM: &[u8] = b"AUTHCORE.TEST";

/// parse -> emit gives the same bytes; the length is exact; a buffer one byte
/// short reports the exact size; the re-emitted bytes parse to an equal value.
macro_rules! same_bytes {
    ($ty:ident, $bytes:expr) => {{
        let bytes: &[u8] = $bytes;
        let value = $ty::parse(bytes).expect(stringify!($ty));
        assert_eq!(value.encoded_len(), bytes.len(), stringify!($ty));
        let mut out = vec![0u8; bytes.len()];
        assert_eq!(value.emit(&mut out).unwrap(), bytes.len());
        assert_eq!(out, bytes, "{} re-emitted differently", stringify!($ty));
        assert_eq!($ty::parse(&out).unwrap(), value);
        // (A failed emit leaves the buffer's content unspecified.)
        assert_eq!(
            value.emit(&mut out[..bytes.len() - 1]),
            Err(Error::BufferTooSmall {
                needed: bytes.len()
            })
        );
        value
    }};
}

/// Every strict prefix fails, a trailing byte fails, and no single-byte
/// corruption panics; a corrupted input that still parses re-emits to a value
/// that parses equal (parse and emit agree on everything they accept).
macro_rules! strict {
    ($ty:ident, $bytes:expr) => {{
        let bytes: &[u8] = $bytes;
        $ty::parse(bytes).expect("the unmodified capture parses");
        for i in 0..bytes.len() {
            assert!(
                $ty::parse(&bytes[..i]).is_err(),
                "{} accepted a prefix of {i} bytes",
                stringify!($ty)
            );
        }
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!($ty::parse(&longer).is_err());
        let mut scratch = bytes.to_vec();
        let mut out = vec![0u8; bytes.len() + 64];
        for i in 0..bytes.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                scratch[i] ^= mask;
                if let Ok(v) = $ty::parse(&scratch) {
                    let n = v.emit(&mut out).unwrap();
                    assert_eq!($ty::parse(&out[..n]).unwrap(), v);
                }
                scratch[i] ^= mask;
            }
        }
    }};
}

fn principal_is(name: &PrincipalName<'_>, nt: i32, comps: &[&[u8]]) {
    assert_eq!(name.name_type, nt);
    assert!(name.same_components(comps.iter().copied()), "{name}");
}

#[test]
fn mit_ap_req_token() {
    let token = vector("gss-ap-req-token");
    let framed = Krb5Token::parse(token).unwrap();
    assert_eq!(framed.mech, KRB5_OID);
    assert_eq!(framed.tok_id, tok_id::AP_REQ);
    assert_eq!(framed.message, vector("ap-req"));
    assert_eq!(framed.encoded_len(), token.len());
    let mut out = vec![0u8; token.len()];
    framed.emit(&mut out).unwrap();
    assert_eq!(out, token);
    let outer = InitialContextToken::parse(token).unwrap();
    assert_eq!(outer.inner.len(), framed.message.len() + 2);

    assert_eq!(message_type(framed.message).unwrap(), msg_type::AP_REQ);
    let ap_req = same_bytes!(ApReq, framed.message);
    assert_eq!(ap_req.ap_options, ap_options::MUTUAL_REQUIRED);
    assert_eq!(ap_req.ticket.realm.as_bytes(), REALM);
    principal_is(
        &ap_req.ticket.sname,
        name_type::SRV_HST,
        &[b"host", b"service.authcore.test"],
    );
    assert_eq!(
        ap_req.ticket.sname.to_string(),
        "host/service.authcore.test"
    );
    assert_eq!(ap_req.ticket.enc_part.etype, 18);
    assert!(ap_req.ticket.enc_part.kvno.is_some());
    assert_eq!(ap_req.authenticator.etype, 18);
    assert_eq!(ap_req.authenticator.kvno, None);
    let ticket = same_bytes!(Ticket, vector("service-ticket"));
    assert_eq!(ticket, ap_req.ticket);

    // The ciphertext can be located in the receive buffer for in-place decryption.
    let range = der::offset_in(token, ap_req.ticket.enc_part.cipher).unwrap();
    assert_eq!(&token[range], ap_req.ticket.enc_part.cipher);
}

#[test]
fn mit_service_ticket_and_authenticator() {
    let enc = vector("service-enc-ticket-part");
    let part = same_bytes!(EncTicketPart, &enc);
    assert_eq!(part.crealm.as_bytes(), REALM);
    principal_is(&part.cname, name_type::PRINCIPAL, &[b"alice"]);
    assert_eq!(part.key.keytype, 18);
    assert_eq!(part.key.keyvalue.len(), 32);
    // Debug shows the key's type and length, never its bytes.
    let shown = format!("{:?}", part.key);
    assert!(
        shown.contains("len: 32") && !shown.contains("keyvalue"),
        "{shown}"
    );
    assert_eq!(part.flags & ticket_flags::INVALID, 0);
    assert_ne!(part.flags & ticket_flags::PRE_AUTHENT, 0);
    assert!(part.endtime > part.authtime);
    assert_eq!(part.caddr, None);
    // MIT 1.20 KDCs put a PAC in every ticket, inside AD-IF-RELEVANT.
    let ad = part.authorization_data.expect("authorization-data");
    let first = ad.iter().next().unwrap();
    assert_eq!(first.ad_type, ad_type::IF_RELEVANT);
    let pac = ad.find(ad_type::WIN2K_PAC).unwrap().expect("PAC");
    assert!(pac.len() > 8);
    assert_eq!(ad.find(12345).unwrap(), None);
    let inner = AuthorizationData::parse(first.ad_data).unwrap();
    assert_eq!(inner.iter().next().unwrap().ad_type, ad_type::WIN2K_PAC);

    let auth = same_bytes!(Authenticator, vector("ap-req-authenticator"));
    assert_eq!(auth.crealm.as_bytes(), REALM);
    principal_is(&auth.cname, name_type::PRINCIPAL, &[b"alice"]);
    // The GSS authenticator checksum (RFC 4121 section 4.1.1): type 0x8003.
    let cksum = auth.cksum.unwrap();
    assert_eq!(cksum.cksumtype, 0x8003);
    assert_eq!(cksum.checksum.len(), 24);
    assert_eq!(&cksum.checksum[..4], &16u32.to_le_bytes());
    assert_eq!(auth.subkey.unwrap().keytype, 18);
    assert!(auth.seq_number.is_some());
    assert!(auth.cusec <= 999_999);
    // The authenticator was made inside the ticket's validity.
    assert!(auth.ctime >= part.authtime && auth.ctime < part.endtime);

    let rep_token = vector("gss-ap-rep-token");
    let framed = Krb5Token::parse(rep_token).unwrap();
    assert_eq!(framed.tok_id, tok_id::AP_REP);
    assert_eq!(message_type(framed.message).unwrap(), msg_type::AP_REP);
    let ap_rep = same_bytes!(ApRep, framed.message);
    assert_eq!(ap_rep.enc_part.etype, 18);
    let rep = same_bytes!(EncApRepPart, vector("enc-ap-rep-part"));
    // The acceptor echoes the authenticator's time (RFC 4120 section 3.2.4).
    assert_eq!((rep.ctime, rep.cusec), (auth.ctime, auth.cusec));
    assert_eq!(rep.subkey.unwrap().keytype, 18);
    assert!(rep.seq_number.is_some());
}

#[test]
fn mit_as_exchange() {
    let req1 = same_bytes!(KdcReq, vector("as-req-1"));
    assert_eq!(req1.msg_type, msg_type::AS_REQ);
    let body = &req1.req_body;
    principal_is(
        body.cname.as_ref().unwrap(),
        name_type::PRINCIPAL,
        &[b"alice"],
    );
    assert_eq!(body.realm.as_bytes(), REALM);
    principal_is(
        body.sname.as_ref().unwrap(),
        name_type::SRV_INST,
        &[b"krbtgt", REALM],
    );
    assert_eq!(body.etype.iter().collect::<Vec<_>>(), [18]);
    assert_ne!(body.kdc_options & kdc_options::FORWARDABLE, 0);

    let err = same_bytes!(KrbError, vector("krb-error-preauth"));
    assert_eq!(
        message_type(vector("krb-error-preauth")).unwrap(),
        msg_type::ERROR
    );
    assert_eq!(err.error_code, error_code::KDC_ERR_PREAUTH_REQUIRED);
    assert_eq!(err.realm.as_bytes(), REALM);
    principal_is(
        err.cname.as_ref().unwrap(),
        name_type::PRINCIPAL,
        &[b"alice"],
    );
    let method_data = MethodData::parse(err.e_data.unwrap()).unwrap();
    let types: Vec<i32> = method_data.iter().map(|p| p.padata_type).collect();
    assert!(types.contains(&pa_type::ETYPE_INFO2), "{types:?}");
    assert!(types.contains(&pa_type::ENC_TIMESTAMP), "{types:?}");
    same_bytes!(MethodData, err.e_data.unwrap());

    let req2 = same_bytes!(KdcReq, vector("as-req-2"));
    let padata = req2.padata.unwrap();
    let ts = padata
        .iter()
        .find(|p| p.padata_type == pa_type::ENC_TIMESTAMP)
        .unwrap();
    let enc_ts = EncryptedData::parse(ts.padata_value).unwrap();
    assert_eq!(enc_ts.etype, 18);

    let rep = same_bytes!(KdcRep, vector("as-rep"));
    assert_eq!(message_type(vector("as-rep")).unwrap(), msg_type::AS_REP);
    assert_eq!(rep.msg_type, msg_type::AS_REP);
    principal_is(&rep.cname, name_type::PRINCIPAL, &[b"alice"]);
    assert_eq!(rep.ticket, Ticket::parse(vector("tgt")).unwrap());
    same_bytes!(Ticket, vector("tgt"));
    assert_eq!(rep.enc_part.etype, 18);

    let enc = same_bytes!(EncKdcRepPart, vector("enc-as-rep-part"));
    // MIT sends the EncTGSRepPart tag in AS replies too: the compatibility
    // note of RFC 4120 section 5.4.2 that EncKdcRepPart accepts.
    assert_eq!(enc.app_tag, 26);
    assert_eq!(enc.nonce, req2.req_body.nonce);
    assert_eq!(enc.srealm.as_bytes(), REALM);
    principal_is(&enc.sname, name_type::SRV_INST, &[b"krbtgt", REALM]);
    assert_ne!(enc.flags & ticket_flags::INITIAL, 0);
    assert!(!enc.last_req.is_empty());

    // The session key the client got is the one inside the TGT.
    let tgt_part = same_bytes!(EncTicketPart, vector("tgt-enc-ticket-part"));
    assert_eq!(tgt_part.key, enc.key);
    assert_eq!(tgt_part.flags, enc.flags);
    assert_eq!(tgt_part.authtime, enc.authtime);
    assert_eq!(tgt_part.endtime, enc.endtime);
}

#[test]
fn mit_tgs_exchange() {
    let bytes = vector("tgs-req");
    let req = same_bytes!(KdcReq, &bytes);
    assert_eq!(req.msg_type, msg_type::TGS_REQ);
    let pa = req.padata.unwrap().iter().next().unwrap();
    assert_eq!(pa.padata_type, pa_type::TGS_REQ);
    assert_eq!(pa.padata_value, vector("tgs-req-ap-req"));
    let ap_req = same_bytes!(ApReq, pa.padata_value);
    assert_eq!(ap_req.ticket, Ticket::parse(vector("tgt")).unwrap());
    let auth = same_bytes!(Authenticator, vector("tgs-req-authenticator"));
    // Key usage 6 keyed checksum over the request body (RFC 4120 section 7.5.1).
    assert!(auth.cksum.is_some());
    principal_is(
        req.req_body.sname.as_ref().unwrap(),
        name_type::SRV_HST,
        &[b"host", b"service.authcore.test"],
    );

    // The body's bytes as sent, for the TGS's checksum check.
    let body = KdcReq::req_body_der(bytes).unwrap();
    let range = der::offset_in(bytes, body).unwrap();
    assert_eq!(range.end, bytes.len());
    let parsed = same_bytes!(KdcReqBody, body);
    assert_eq!(parsed, req.req_body);

    let rep = same_bytes!(KdcRep, vector("tgs-rep"));
    assert_eq!(rep.msg_type, msg_type::TGS_REP);
    assert_eq!(rep.ticket, Ticket::parse(vector("service-ticket")).unwrap());
    let fast = rep.padata.unwrap().iter().next().unwrap();
    assert_eq!(fast.padata_type, pa_type::FX_FAST);
}

#[test]
fn mit_unknown_principal_error() {
    let req = same_bytes!(KdcReq, vector("as-req-unknown"));
    principal_is(
        req.req_body.cname.as_ref().unwrap(),
        name_type::PRINCIPAL,
        &[b"nobody"],
    );
    let err = same_bytes!(KrbError, vector("krb-error-unknown"));
    assert_eq!(err.error_code, error_code::KDC_ERR_C_PRINCIPAL_UNKNOWN);
    principal_is(
        err.cname.as_ref().unwrap(),
        name_type::PRINCIPAL,
        &[b"nobody"],
    );
    assert!(err.susec <= 999_999);
}

#[test]
fn captures_are_strict() {
    strict!(ApReq, vector("ap-req"));
    strict!(Ticket, vector("service-ticket"));
    strict!(EncTicketPart, vector("service-enc-ticket-part"));
    strict!(Authenticator, vector("ap-req-authenticator"));
    strict!(ApRep, vector("ap-rep"));
    strict!(EncApRepPart, vector("enc-ap-rep-part"));
    strict!(KrbError, vector("krb-error-preauth"));
    strict!(KdcReq, vector("as-req-2"));
    strict!(KdcRep, vector("as-rep"));
    strict!(EncKdcRepPart, vector("enc-as-rep-part"));
    strict!(Krb5Token, vector("gss-ap-rep-token"));
}

#[test]
fn wrong_message_types_rejected() {
    let ap_req = vector("ap-req");
    assert!(ApRep::parse(ap_req).is_err());
    assert!(KrbError::parse(ap_req).is_err());
    assert!(KdcReq::parse(ap_req).is_err());
    assert!(Ticket::parse(ap_req).is_err());
    let as_rep = vector("as-rep");
    assert!(KdcReq::parse(as_rep).is_err());
    // msg-type field disagreeing with the tag: an AS-REQ relabelled TGS-REQ.
    let mut relabelled = vector("as-req-1").to_vec();
    relabelled[0] = 0x6c;
    assert_eq!(
        KdcReq::parse(&relabelled),
        Err(Error::Malformed {
            what: authcore::what!("KDC-REQ.msg-type")
        })
    );
    // pvno 4 instead of 5 (a0 03 02 01 05 right after the outer headers).
    let mut old = ap_req.to_vec();
    let at = old
        .windows(5)
        .position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x05])
        .unwrap();
    old[at + 4] = 4;
    assert_eq!(
        ApReq::parse(&old),
        Err(Error::Malformed {
            what: authcore::what!("AP-REQ.pvno")
        })
    );
    assert!(message_type(&[0x30, 0x00]).is_err());
    assert!(message_type(&[]).is_err());
}

#[test]
fn non_minimal_length_inside_real_message_rejected() {
    // Re-encode the AP-REP's outer length (0x81 0x89) as 0x82 0x00 0x89.
    let ap_rep = vector("ap-rep");
    assert_eq!(&ap_rep[..3], &[0x6f, 0x81, 0x89]);
    let mut bad = vec![0x6f, 0x82, 0x00, 0x89];
    bad.extend_from_slice(&ap_rep[3..]);
    assert_eq!(
        ApRep::parse(&bad),
        Err(Error::Malformed {
            what: authcore::what!("AP-REP")
        })
    );
    // Indefinite length with end-of-contents octets (BER).
    let mut ber = vec![0x6f, 0x80];
    ber.extend_from_slice(&ap_rep[3..]);
    ber.extend_from_slice(&[0, 0]);
    assert_eq!(
        ApRep::parse(&ber),
        Err(Error::Malformed {
            what: authcore::what!("AP-REP")
        })
    );
}

fn sample_names() -> [KerberosString<'static>; 2] {
    [
        KerberosString::from_str("HTTP"),
        KerberosString::from_str("www.example.org"),
    ]
}

#[test]
fn built_values_round_trip() {
    let comps = sample_names();
    let user = [KerberosString::from_str("bob")];
    let sname = PrincipalName::new(name_type::SRV_HST, &comps);
    let cname = PrincipalName::new(name_type::PRINCIPAL, &user);
    let realm = KerberosString::from_str("EXAMPLE.ORG");
    let enc = EncryptedData {
        etype: 20,
        kvno: Some(u32::MAX),
        cipher: &[0xaa; 200],
    };
    let ticket = Ticket {
        realm,
        sname,
        enc_part: enc,
    };
    let (now, usec) = KerberosTime::from_time(Time::from_unix_micros(1_700_000_000_123_456));
    assert_eq!(usec, 123_456);
    assert_eq!(
        now.to_time(usec),
        Time::from_unix_micros(1_700_000_000_123_456)
    );
    let key = EncryptionKey {
        keytype: 20,
        keyvalue: &[7; 32],
    };
    let addrs = [
        HostAddress {
            addr_type: addr_type::IPV4,
            address: &[127, 0, 0, 1],
        },
        HostAddress {
            addr_type: addr_type::IPV6,
            address: &[0; 16],
        },
    ];
    let pac = [0x11u8; 40];
    let inner_ad = [AdEntry {
        ad_type: ad_type::WIN2K_PAC,
        ad_data: &pac,
    }];
    let mut inner_buf = [0u8; 128];
    let n = SeqOf::from_slice(&inner_ad).emit(&mut inner_buf).unwrap();
    let ad = [
        AdEntry {
            ad_type: -5,
            ad_data: b"",
        },
        AdEntry {
            ad_type: ad_type::IF_RELEVANT,
            ad_data: &inner_buf[..n],
        },
    ];
    let ad_list = SeqOf::from_slice(&ad);
    assert_eq!(ad_list.find(ad_type::WIN2K_PAC).unwrap(), Some(&pac[..]));

    let part = EncTicketPart {
        flags: ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT | ticket_flags::OK_AS_DELEGATE,
        key,
        crealm: realm,
        cname,
        transited: TransitedEncoding {
            tr_type: 1,
            contents: b"",
        },
        authtime: now,
        starttime: Some(KerberosTime(now.0 + 1)),
        endtime: KerberosTime(now.0 + 36_000),
        renew_till: Some(KerberosTime(now.0 + 604_800)),
        caddr: Some(HostAddresses::from_slice(&addrs)),
        authorization_data: Some(ad_list),
    };
    let auth = Authenticator {
        crealm: realm,
        cname,
        cksum: Some(Checksum {
            cksumtype: 0x8003,
            checksum: &[0; 24],
        }),
        cusec: usec,
        ctime: now,
        subkey: Some(key),
        seq_number: Some(0x8000_0001),
        authorization_data: Some(ad_list),
    };
    let auth_min = Authenticator {
        cksum: None,
        subkey: None,
        seq_number: None,
        authorization_data: None,
        cusec: 0,
        ..auth
    };
    let ap_req = ApReq {
        ap_options: ap_options::MUTUAL_REQUIRED | ap_options::USE_SESSION_KEY,
        ticket,
        authenticator: EncryptedData {
            etype: 20,
            kvno: None,
            cipher: &[0x55; 100],
        },
    };
    let ap_rep = ApRep {
        enc_part: EncryptedData {
            etype: 17,
            kvno: None,
            cipher: &[1; 50],
        },
    };
    let rep_part = EncApRepPart {
        ctime: now,
        cusec: 999_999,
        subkey: Some(key),
        seq_number: Some(0),
    };
    let err = KrbError {
        ctime: Some(now),
        cusec: Some(5),
        stime: KerberosTime(now.0 + 400),
        susec: 6,
        error_code: error_code::KRB_AP_ERR_SKEW,
        crealm: Some(realm),
        cname: Some(cname),
        realm,
        sname,
        e_text: Some(KerberosString::from_str("clock skew too great")),
        e_data: Some(&[0x30, 0x00]),
    };
    let err_min = KrbError {
        ctime: None,
        cusec: None,
        crealm: None,
        cname: None,
        e_text: None,
        e_data: None,
        ..err
    };
    let etypes = [20, 19, 18, 17, 23];
    let tickets = [ticket];
    let pa = [PaData {
        padata_type: pa_type::PAC_REQUEST,
        padata_value: &[0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff],
    }];
    let body = KdcReqBody {
        kdc_options: kdc_options::FORWARDABLE | kdc_options::CANONICALIZE,
        cname: Some(cname),
        realm,
        sname: Some(sname),
        from: Some(now),
        till: KerberosTime(now.0 + 3600),
        rtime: Some(KerberosTime(now.0 + 7200)),
        nonce: 0xdead_beef,
        etype: SeqOf::from_slice(&etypes),
        addresses: Some(HostAddresses::from_slice(&addrs)),
        enc_authorization_data: Some(enc),
        additional_tickets: Some(SeqOf::from_slice(&tickets)),
    };
    let kdc_req = KdcReq {
        msg_type: msg_type::TGS_REQ,
        padata: Some(SeqOf::from_slice(&pa)),
        req_body: body,
    };
    let kdc_rep = KdcRep {
        msg_type: msg_type::AS_REP,
        padata: Some(SeqOf::from_slice(&pa)),
        crealm: realm,
        cname,
        ticket,
        enc_part: enc,
    };
    let last_req = [LastReqEntry {
        lr_type: 0,
        lr_value: KerberosTime(0),
    }];
    let enc_kdc = EncKdcRepPart {
        app_tag: 25,
        key,
        last_req: SeqOf::from_slice(&last_req),
        nonce: 1,
        key_expiration: Some(KerberosTime(now.0 + 86_400)),
        flags: ticket_flags::RENEWABLE,
        authtime: now,
        starttime: None,
        endtime: KerberosTime(now.0 + 10),
        renew_till: None,
        srealm: realm,
        sname,
        caddr: None,
        encrypted_pa_data: Some(SeqOf::from_slice(&pa)),
    };

    macro_rules! round_trip {
        ($ty:ident, $value:expr) => {{
            let value = $value;
            let len = value.encoded_len();
            let mut buf = vec![0u8; len];
            assert_eq!(value.emit(&mut buf).unwrap(), len);
            let parsed = $ty::parse(&buf).unwrap();
            assert_eq!(parsed, value, stringify!($ty));
            let mut again = vec![0u8; len];
            parsed.emit(&mut again).unwrap();
            assert_eq!(again, buf);
            assert_eq!(
                value.emit(&mut vec![0u8; len - 1]),
                Err(Error::BufferTooSmall { needed: len })
            );
            buf
        }};
    }
    round_trip!(Ticket, ticket);
    round_trip!(EncTicketPart, part);
    round_trip!(Authenticator, auth);
    round_trip!(Authenticator, auth_min);
    let ap_req_bytes = round_trip!(ApReq, ap_req);
    round_trip!(ApRep, ap_rep);
    round_trip!(EncApRepPart, rep_part);
    round_trip!(KrbError, err);
    round_trip!(KrbError, err_min);
    round_trip!(KdcReq, kdc_req);
    round_trip!(
        KdcReq,
        KdcReq {
            msg_type: msg_type::AS_REQ,
            padata: None,
            ..kdc_req
        }
    );
    round_trip!(KdcRep, kdc_rep);
    round_trip!(EncKdcRepPart, enc_kdc);
    round_trip!(PrincipalName, sname);
    round_trip!(EncryptedData, enc);
    round_trip!(EncryptionKey, key);
    round_trip!(HostAddress, addrs[0]);
    round_trip!(AdEntry, ad[1]);
    round_trip!(PaData, pa[0]);
    round_trip!(
        Checksum,
        Checksum {
            cksumtype: 16,
            checksum: &[9; 12]
        }
    );
    round_trip!(
        TransitedEncoding,
        TransitedEncoding {
            tr_type: 1,
            contents: b"EXAMPLE.ORG,"
        }
    );
    round_trip!(KdcReqBody, body);
    round_trip!(SeqOf, SeqOf::from_slice(&last_req));
    round_trip!(SeqOf, SeqOf::from_slice(&etypes));
    round_trip!(SeqOf, HostAddresses::from_slice(&addrs));
    let t = KerberosTime(-1);
    let mut tb = [0u8; 17];
    assert_eq!(t.emit(&mut tb).unwrap(), t.encoded_len());
    assert_eq!(KerberosTime::parse(&tb).unwrap(), t);

    // A parsed ticket embedded in a new AP-REQ re-emits its original bytes.
    let parsed_ap_req = ApReq::parse(&ap_req_bytes).unwrap();
    let mut t1 = vec![0u8; 512];
    let n1 = parsed_ap_req.ticket.emit(&mut t1).unwrap();
    let mut t2 = vec![0u8; 512];
    let n2 = ticket.emit(&mut t2).unwrap();
    assert_eq!(t1[..n1], t2[..n2]);

    // In-place framing: emit the AP-REQ after the header, then the header.
    let h = Krb5Token::header_len(KRB5_OID, ap_req.encoded_len());
    let mut framed = vec![0u8; h + ap_req.encoded_len()];
    ap_req.emit(&mut framed[h..]).unwrap();
    Krb5Token::emit_header(KRB5_OID, tok_id::AP_REQ, ap_req.encoded_len(), &mut framed).unwrap();
    let tok = Krb5Token::parse(&framed).unwrap();
    assert_eq!(ApReq::parse(tok.message).unwrap(), ap_req);
}

#[test]
fn unencodable_values_refused() {
    let bad_usec = EncApRepPart {
        ctime: KerberosTime(0),
        cusec: 1_000_000,
        subkey: None,
        seq_number: None,
    };
    assert_eq!(
        bad_usec.emit(&mut [0u8; 64]),
        Err(Error::Malformed {
            what: authcore::what!("Microseconds out of range")
        })
    );
    assert_eq!(bad_usec.encoded_len(), 0);
    let bad_time = EncApRepPart {
        ctime: KerberosTime(i64::MAX),
        cusec: 0,
        ..bad_usec
    };
    assert!(bad_time.emit(&mut [0u8; 64]).is_err());
    let none: [KerberosString<'_>; 0] = [];
    let empty = PrincipalName::new(1, &none);
    assert!(empty.emit(&mut [0u8; 64]).is_err());
    let many = [KerberosString::from_str("x"); MAX_NAME_COMPONENTS + 1];
    assert!(PrincipalName::new(1, &many).emit(&mut [0u8; 128]).is_err());
    let ok = [KerberosString::from_str("x"); MAX_NAME_COMPONENTS];
    let name = PrincipalName::new(1, &ok);
    let mut buf = [0u8; 128];
    let n = name.emit(&mut buf).unwrap();
    assert_eq!(PrincipalName::parse(&buf[..n]).unwrap(), name);
    let mut bad_req = KdcReq::parse(vector("as-req-1")).unwrap();
    bad_req.msg_type = msg_type::AP_REQ;
    assert!(bad_req.emit(&mut [0u8; 512]).is_err());
}

#[test]
fn principal_name_limits_on_parse() {
    // Build the DER by hand: [0] name-type, [1] SEQUENCE OF n GeneralStrings.
    fn name_der(n: usize) -> Vec<u8> {
        let mut comps = Vec::new();
        for _ in 0..n {
            comps.extend_from_slice(&[0x1b, 0x01, b'a']);
        }
        let mut seq_of = vec![0x30, comps.len() as u8];
        seq_of.extend(comps);
        let mut f1 = vec![0xa1, seq_of.len() as u8];
        f1.extend(seq_of);
        let mut body = vec![0xa0, 0x03, 0x02, 0x01, 0x01];
        body.extend(f1);
        let mut out = vec![0x30, body.len() as u8];
        out.extend(body);
        out
    }
    assert!(PrincipalName::parse(&name_der(1)).is_ok());
    assert!(PrincipalName::parse(&name_der(MAX_NAME_COMPONENTS)).is_ok());
    assert_eq!(
        PrincipalName::parse(&name_der(MAX_NAME_COMPONENTS + 1)),
        Err(Error::CapacityExceeded {
            what: authcore::what!("PrincipalName components")
        })
    );
    assert_eq!(
        PrincipalName::parse(&name_der(0)),
        Err(Error::Malformed {
            what: authcore::what!("PrincipalName.name-string")
        })
    );
    // NUL inside a component.
    let mut nul = name_der(1);
    let last = nul.len() - 1;
    nul[last] = 0;
    assert!(PrincipalName::parse(&nul).is_err());
}

#[test]
fn display_escapes_like_mit() {
    let comps = [
        KerberosString(b"a/b"),
        KerberosString(b"c@d"),
        KerberosString(b"e\\f\xff"),
    ];
    let name = PrincipalName::new(name_type::PRINCIPAL, &comps);
    assert_eq!(name.to_string(), "a\\/b/c\\@d/e\\\\f\\xff");
}

#[test]
fn ad_if_relevant_nesting_is_bounded() {
    // AD-IF-RELEVANT wrapping AD-IF-RELEVANT ... 40 deep around a PAC element.
    let mut data = {
        let pac = [AdEntry {
            ad_type: ad_type::WIN2K_PAC,
            ad_data: b"pac",
        }];
        let mut buf = vec![0u8; 64];
        let n = SeqOf::from_slice(&pac).emit(&mut buf).unwrap();
        buf.truncate(n);
        buf
    };
    let mut depth_found = None;
    for level in 1..=40 {
        let wrapper = [AdEntry {
            ad_type: ad_type::IF_RELEVANT,
            ad_data: &data,
        }];
        let mut buf = vec![0u8; data.len() + 32];
        let n = SeqOf::from_slice(&wrapper).emit(&mut buf).unwrap();
        buf.truncate(n);
        data = buf;
        let parsed = AuthorizationData::parse(&data).unwrap();
        match parsed.find(ad_type::WIN2K_PAC) {
            Ok(found) => assert_eq!(found, Some(&b"pac"[..])),
            Err(e) => {
                assert_eq!(
                    e,
                    Error::CapacityExceeded {
                        what: authcore::what!("DER nesting depth")
                    }
                );
                depth_found.get_or_insert(level);
            }
        }
    }
    let level = depth_found.expect("nesting was never refused");
    assert!(level > 3, "legitimate shallow nesting refused at {level}");
}

#[test]
fn kerberos_time_and_reader_basics() {
    let t = KerberosTime::parse(b"\x18\x0f19851106210627Z").unwrap();
    assert_eq!(t, KerberosTime(500_159_187));
    let mut out = [0u8; 17];
    assert_eq!(t.emit(&mut out).unwrap(), 17);
    assert_eq!(&out[2..], b"19851106210627Z");
    // Fractional seconds and local times are not KerberosTime.
    assert!(KerberosTime::parse(b"\x18\x1119851106210627.5Z").is_err());
    assert!(KerberosTime::parse(b"\x18\x0d851106210627Z").is_err());
    let mut r = Reader::new(b"\x18\x0f19851106210627Z");
    assert_eq!(
        r.kerberos_time(authcore::what!("KerberosTime")).unwrap(),
        500_159_187
    );
}
