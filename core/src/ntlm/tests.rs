//! In-crate handshake checks that need no test package (and so also run in a
//! build without `legacy`, and under Miri).

use super::wire::{AuthenticateRepr, Payload};
use super::*;
use crate::{Error, Progress, Protect, Step, Time};

pub(crate) use crate::test_rng::Counter;

struct Store;

impl CredentialStore for Store {
    fn nt_hash(&self, user: &str, _domain: &str) -> Option<NtHash> {
        user.eq_ignore_ascii_case("user")
            .then(|| NtHash::from_password("Password"))
    }
}

const NOW: Time = Time::from_unix_secs(1_700_000_000);

fn handshake(acc: &mut Acceptor<'_, Store>) -> (Initiator, [u8; MAX_TOKEN_LEN], usize) {
    let mut init = Initiator::new("User", "Domain", "Password", InitiatorConfig::new()).unwrap();
    let mut rng = Counter(0);
    let mut a = [0u8; MAX_TOKEN_LEN];
    let mut b = [0u8; MAX_TOKEN_LEN];
    let Ok(Progress::Continue { written }) = init.step(&[], &mut a, NOW, &mut rng) else {
        panic!()
    };
    let Ok(Progress::Continue { written }) = acc.step(&a[..written], &mut b, NOW, &mut rng) else {
        panic!()
    };
    let Ok(Progress::Complete { written }) = init.step(&b[..written], &mut a, NOW, &mut rng) else {
        panic!()
    };
    (init, a, written)
}

#[test]
fn handshake_and_one_message_each_way() {
    let mut acc = Acceptor::new(Store, AcceptorConfig::new("SRV", "DOM")).unwrap();
    let (mut init, auth, n) = handshake(&mut acc);
    let mut out = [0u8; 8];
    assert_eq!(
        acc.step(&auth[..n], &mut out, NOW, &mut Counter(0)),
        Ok(Progress::Complete { written: 0 })
    );
    assert_eq!(acc.identity().map(|i| i.user), Some("User"));

    let mut buf = [0u8; 21];
    buf[16..].copy_from_slice(b"hello");
    let len = init.seal(&mut Counter(0), &mut buf, 5).unwrap();
    let r = acc.unseal(&mut buf[..len]).unwrap();
    assert_eq!(&buf[r], b"hello");
    buf[16..].copy_from_slice(b"world");
    acc.seal(&mut Counter(0), &mut buf, 5).unwrap();
    let r = init.unseal(&mut buf).unwrap();
    assert_eq!(&buf[r], b"world");
}

#[test]
fn ntlmv1_shaped_response_is_refused_without_legacy_opt_in() {
    let mut acc = Acceptor::new(Store, AcceptorConfig::new("SRV", "DOM")).unwrap();
    let (_, auth, n) = handshake(&mut acc);
    let a = AuthenticateRepr::parse(&auth[..n]).unwrap();
    let v1 = AuthenticateRepr {
        nt_response: Payload::Bytes(&[0x42; 24]),
        mic: None,
        ..a
    };
    let mut msg = [0u8; MAX_TOKEN_LEN];
    let layout = v1.emit(&mut msg).unwrap();
    let mut out = [0u8; 8];
    assert_eq!(
        acc.step(&msg[..layout.len], &mut out, NOW, &mut Counter(0)),
        Err(Error::Policy {
            what: what!("NTLMv1")
        })
    );
}

#[test]
fn config_limits() {
    assert!(matches!(
        Acceptor::new(Store, AcceptorConfig::new("", "DOM")),
        Err(Error::Policy { .. })
    ));
    let long = "n234567890123456789012345678901234567890123456789012345678901234";
    assert_eq!(long.len(), MAX_SERVER_NAME_LEN);
    assert!(Acceptor::new(Store, AcceptorConfig::new(long, "DOM")).is_ok());
    let longer = "n2345678901234567890123456789012345678901234567890123456789012345";
    assert!(matches!(
        Acceptor::new(Store, AcceptorConfig::new(longer, "DOM")),
        Err(Error::CapacityExceeded { .. })
    ));
}
