//! The RFC 4120 wire types: parse, emit, parse again.
//!
//! Input: a selector byte (modulo 13: ApReq, ApRep, Ticket, EncTicketPart,
//! Authenticator, EncApRepPart, KrbError, KdcReq, KdcRep, EncKdcRepPart,
//! AuthorizationData, MethodData, PrincipalName), then the DER.
//!
//! What parses must emit into exactly `encoded_len()` bytes (one byte less is
//! `BufferTooSmall` with that size) that parse back to an equal value, and the
//! re-parsed value must emit the same bytes again. The input itself need not
//! come back byte for byte: the lenient forms (negative UInt32, KerberosFlags
//! longer than 32 bits) are re-emitted canonically.
#![no_main]

use authcore::kerberos::wire::{
    message_type, ApRep, ApReq, Authenticator, AuthorizationData, EncApRepPart, EncKdcRepPart,
    EncTicketPart, KdcRep, KdcReq, KdcReqBody, KrbError, MethodData, PrincipalName, Ticket,
};
use authcore::Error;
use libfuzzer_sys::fuzz_target;

/// Parses `$data` as `$ty`, checks the round trip, and evaluates to the value
/// (returning from the target when it does not parse).
macro_rules! round_trip {
    ($ty:ty, $data:expr) => {{
        let Ok(v) = <$ty>::parse($data) else {
            return;
        };
        let _ = format!("{v:?}");
        let len = v.encoded_len();
        assert_ne!(len, 0, "a parsed {} cannot be encoded", stringify!($ty));
        let mut e1 = vec![0u8; len];
        assert_eq!(v.emit(&mut e1), Ok(len), "{} emit", stringify!($ty));
        let v2 = <$ty>::parse(&e1).expect(concat!("re-parse of an emitted ", stringify!($ty)));
        assert_eq!(v2, v, "{} changed through emit", stringify!($ty));
        let mut e2 = vec![0u8; v2.encoded_len()];
        v2.emit(&mut e2).expect("second emit");
        assert_eq!(e2, e1, "{} emit is not canonical", stringify!($ty));
        let mut short = vec![0u8; len - 1];
        assert_eq!(
            v.emit(&mut short),
            Err(Error::BufferTooSmall { needed: len })
        );
        v
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, der)) = data.split_first() else {
        return;
    };
    if let Ok(t) = message_type(der) {
        assert_eq!(i32::from(der[0] & 0x1f), t);
    }
    match sel % 13 {
        0 => {
            round_trip!(ApReq, der);
        }
        1 => {
            round_trip!(ApRep, der);
        }
        2 => {
            let t = round_trip!(Ticket, der);
            let _ = t.sname.to_string();
            let _ = t.realm.to_string();
        }
        3 => {
            let p = round_trip!(EncTicketPart, der);
            if let Some(ad) = p.authorization_data {
                find_agrees(&ad, &ad, der);
            }
        }
        4 => {
            round_trip!(Authenticator, der);
        }
        5 => {
            round_trip!(EncApRepPart, der);
        }
        6 => {
            let e = round_trip!(KrbError, der);
            if let Some(d) = e.e_data {
                if let Ok(md) = MethodData::parse(d) {
                    assert_eq!(md.iter().count(), md.len());
                }
            }
        }
        7 => {
            let req = round_trip!(KdcReq, der);
            let body = KdcReq::req_body_der(der).expect("req-body of a parsed KDC-REQ");
            assert_eq!(KdcReqBody::parse(body), Ok(req.req_body));
            let mut re = vec![0u8; req.req_body.encoded_len()];
            req.req_body.emit(&mut re).expect("req-body emit");
            assert_eq!(KdcReqBody::parse(&re), Ok(req.req_body));
        }
        8 => {
            round_trip!(KdcRep, der);
        }
        9 => {
            let p = round_trip!(EncKdcRepPart, der);
            assert!(p.app_tag == 25 || p.app_tag == 26);
        }
        10 => {
            let ad = round_trip!(AuthorizationData, der);
            let mut e = vec![0u8; ad.encoded_len()];
            ad.emit(&mut e).unwrap();
            let again = AuthorizationData::parse(&e).unwrap();
            find_agrees(&ad, &again, der);
        }
        11 => {
            let md = round_trip!(MethodData, der);
            assert_eq!(md.iter().count(), md.len());
        }
        _ => {
            let n = round_trip!(PrincipalName, der);
            assert!((1..=8).contains(&n.name_string.len()));
            assert_eq!(n.components().count(), n.name_string.len());
            assert!(n.same_components(n.components()));
            let _ = n.to_string();
        }
    }
});

/// `find` (which descends into AD-IF-RELEVANT) answers the same on a list and
/// on its re-parsed emission, for the usual ad-types and one from the input.
fn find_agrees(a: &AuthorizationData<'_>, b: &AuthorizationData<'_>, der: &[u8]) {
    let extra = i32::from(*der.last().unwrap_or(&0));
    for wanted in [1, 2, 128, 129, 141, extra] {
        let fa = a.find(wanted);
        assert_eq!(fa, b.find(wanted), "find({wanted}) differs after emit");
        if let Ok(Some(found)) = fa {
            // Found data is a slice of the input (elements are borrowed).
            assert!(authcore::der::offset_in(der, found).is_some());
        }
    }
}
