//! RFC 2743 framing and krb5 context tokens: `InitialContextToken::parse`,
//! `Krb5Token::parse` and `message_type` on arbitrary bytes.
//!
//! Input: the token. The framing is DER, so whatever parses must re-emit byte
//! for byte, `header_len` must say where the inner token starts, and
//! `emit_header` must write exactly the bytes before it. A krb5 token's message
//! is handed to the parser its TOK_ID names.
#![no_main]

use authcore::gss::token::{tok_id, InitialContextToken, Krb5Token, KRB5_OID, MS_KRB5_OID};
use authcore::kerberos::wire::{message_type, ApRep, ApReq, KrbError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = message_type(data);
    let Ok(t) = InitialContextToken::parse(data) else {
        assert!(Krb5Token::parse(data).is_err());
        return;
    };
    assert_eq!(t.encoded_len(), data.len());
    let mut buf = vec![0u8; data.len()];
    assert_eq!(t.emit(&mut buf), Ok(data.len()));
    assert_eq!(
        buf, data,
        "InitialContextToken does not re-emit byte for byte"
    );
    let header_len = InitialContextToken::header_len(t.mech, t.inner.len());
    assert_eq!(&data[header_len..], t.inner);
    let mut head = vec![0u8; header_len];
    assert_eq!(
        InitialContextToken::emit_header(t.mech, t.inner.len(), &mut head),
        Ok(header_len)
    );
    assert_eq!(head, &data[..header_len]);

    let Ok(k) = Krb5Token::parse(data) else {
        assert!(t.mech != KRB5_OID && t.mech != MS_KRB5_OID || t.inner.len() < 2);
        return;
    };
    assert_eq!(k.mech, t.mech);
    assert_eq!(&t.inner[..2], &k.tok_id);
    assert_eq!(k.message, &t.inner[2..]);
    assert_eq!(k.encoded_len(), data.len());
    let mut buf = vec![0u8; data.len()];
    assert_eq!(k.emit(&mut buf), Ok(data.len()));
    assert_eq!(buf, data, "Krb5Token does not re-emit byte for byte");
    let header_len = Krb5Token::header_len(k.mech, k.message.len());
    assert_eq!(&data[header_len..], k.message);
    let mut head = vec![0u8; header_len];
    assert_eq!(
        Krb5Token::emit_header(k.mech, k.tok_id, k.message.len(), &mut head),
        Ok(header_len)
    );
    assert_eq!(head, &data[..header_len]);

    let t = message_type(k.message);
    match k.tok_id {
        tok_id::AP_REQ => {
            if ApReq::parse(k.message).is_ok() {
                assert_eq!(t, Ok(14));
            }
        }
        tok_id::AP_REP => {
            if ApRep::parse(k.message).is_ok() {
                assert_eq!(t, Ok(15));
            }
        }
        tok_id::KRB_ERROR => {
            if KrbError::parse(k.message).is_ok() {
                assert_eq!(t, Ok(30));
            }
        }
        _ => {}
    }
});
