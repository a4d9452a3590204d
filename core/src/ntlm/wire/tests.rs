//! Structure tests of the message codecs: round trips and every way a field can
//! lie about the buffer. (MS-NLMP 4.2 byte-for-byte vectors are in the tests
//! package, tests/vectors_ntlm.rs.)

use super::*;
use crate::Error;

fn utf16(s: &str) -> heapless::Vec<u8, 128> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn negotiate_round_trip_with_names_and_version() {
    let repr = NegotiateRepr {
        flags: NegotiateFlags::UNICODE
            | NegotiateFlags::OEM_DOMAIN_SUPPLIED
            | NegotiateFlags::VERSION,
        domain: b"DOMAIN",
        workstation: b"WS",
        version: Some(Version::AUTHCORE),
    };
    let mut buf = [0u8; 64];
    let n = repr.emit(&mut buf).unwrap();
    assert_eq!(n, repr.buffer_len());
    assert_eq!(n, 40 + 8);
    assert_eq!(NegotiateRepr::parse(&buf[..n]).unwrap(), repr);
    assert_eq!(MessageType::of(&buf[..n]).unwrap(), MessageType::Negotiate);
    assert_eq!(
        repr.emit(&mut buf[..n - 1]),
        Err(Error::BufferTooSmall { needed: n })
    );
}

#[test]
fn negotiate_lengths() {
    let repr = NegotiateRepr {
        flags: NegotiateFlags::UNICODE,
        domain: &[],
        workstation: &[],
        version: None,
    };
    let mut buf = [0u8; 32];
    repr.emit(&mut buf).unwrap();
    assert_eq!(NegotiateRepr::parse(&buf[..16]).unwrap(), repr);
    for n in (0..16).chain(17..32) {
        assert!(NegotiateRepr::parse(&buf[..n]).is_err(), "{n} bytes");
    }
}

#[test]
fn header_checks() {
    let repr = NegotiateRepr {
        flags: NegotiateFlags::UNICODE,
        domain: &[],
        workstation: &[],
        version: None,
    };
    let mut buf = [0u8; 32];
    repr.emit(&mut buf).unwrap();
    let mut bad_sig = buf;
    bad_sig[7] = b'X';
    assert_eq!(
        NegotiateRepr::parse(&bad_sig),
        Err(Error::Malformed {
            what: what!("NTLM signature")
        })
    );
    let mut bad_type = buf;
    bad_type[8] = 9;
    assert_eq!(
        NegotiateRepr::parse(&bad_type),
        Err(Error::Malformed {
            what: what!("NTLM MessageType")
        })
    );
    // A NEGOTIATE is not a CHALLENGE, nor an AUTHENTICATE.
    assert!(ChallengeRepr::parse(&buf).is_err());
    assert!(AuthenticateRepr::parse(&buf).is_err());
}

fn challenge_bytes(buf: &mut [u8]) -> usize {
    let pairs = [
        AvPairRepr::NbDomainName(Text::Str("D")),
        AvPairRepr::Timestamp(7),
    ];
    let repr = ChallengeRepr {
        flags: NegotiateFlags::UNICODE | NegotiateFlags::VERSION,
        target_name: Text::Str("SRV"),
        server_challenge: [1, 2, 3, 4, 5, 6, 7, 8],
        target_info: Some(TargetInfo::List(&pairs)),
        version: Some(Version::AUTHCORE),
    };
    repr.emit(buf).unwrap()
}

#[test]
fn challenge_round_trip() {
    let mut buf = [0u8; 128];
    let n = challenge_bytes(&mut buf);
    let c = ChallengeRepr::parse(&buf[..n]).unwrap();
    assert_eq!(c.target_name, Text::Utf16Le(&utf16("SRV")));
    assert_eq!(c.server_challenge, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(c.version, Some(Version::AUTHCORE));
    assert_eq!(c.target_info.unwrap().pairs().unwrap().timestamp(), Some(7));
    let mut again = [0u8; 128];
    assert_eq!(c.emit(&mut again).unwrap(), n);
    assert_eq!(again[..n], buf[..n]);
}

#[test]
fn challenge_fields_that_lie() {
    let mut buf = [0u8; 128];
    let n = challenge_bytes(&mut buf);
    let good = buf;
    let set =
        |b: &mut [u8; 128], at: usize, v: u32| b[at..at + 4].copy_from_slice(&v.to_le_bytes());

    // TargetInfo longer than the message.
    let mut b = good;
    b[40] = 0xf0;
    assert!(matches!(
        ChallengeRepr::parse(&b[..n]),
        Err(Error::Truncated { .. })
    ));
    // TargetName starting inside the fixed header.
    let mut b = good;
    set(&mut b, 16, 20);
    assert!(matches!(
        ChallengeRepr::parse(&b[..n]),
        Err(Error::Malformed { .. })
    ));
    // TargetInfo overlapping TargetName.
    let mut b = good;
    set(&mut b, 44, 58);
    assert_eq!(
        ChallengeRepr::parse(&b[..n]),
        Err(Error::Malformed {
            what: what!("NTLM overlapping payload fields")
        })
    );
    // Offset near u32::MAX does not wrap.
    let mut b = good;
    set(&mut b, 44, u32::MAX - 2);
    assert!(ChallengeRepr::parse(&b[..n]).is_err());
    // Odd-length UTF-16 TargetName.
    let mut b = good;
    b[12] = 5;
    assert!(ChallengeRepr::parse(&b[..n]).is_err());
    // TargetInfo whose AV list lacks MsvAvEOL.
    let mut b = good;
    b[40] -= 4;
    assert!(matches!(
        ChallengeRepr::parse(&b[..n - 4]),
        Err(Error::Truncated { .. })
    ));
    // Every truncation fails.
    for k in 0..n {
        assert!(ChallengeRepr::parse(&good[..k]).is_err(), "{k} bytes");
    }
}

#[test]
fn authenticate_round_trip_and_layout() {
    let repr = AuthenticateRepr {
        flags: NegotiateFlags::UNICODE | NegotiateFlags::VERSION,
        lm_response: Payload::Bytes(&[0; 24]),
        nt_response: Payload::Reserve(48),
        domain: Text::Str("D"),
        user: Text::Str("u"),
        workstation: Text::EMPTY,
        encrypted_session_key: Payload::Reserve(16),
        version: Some(Version::AUTHCORE),
        mic: Some([0xaa; 16]),
    };
    let mut buf = [0u8; 256];
    let layout = repr.emit(&mut buf).unwrap();
    assert_eq!(layout.len, repr.buffer_len());
    assert_eq!(layout.mic, Some(MIC_OFFSET..MIC_OFFSET + 16));
    assert_eq!(layout.nt_response.len(), 48);
    buf[layout.nt_response.clone()].fill(0x11);
    let parsed = AuthenticateRepr::parse(&buf[..layout.len]).unwrap();
    assert_eq!(parsed.mic, Some([0xaa; 16]));
    assert_eq!(parsed.user, Text::Utf16Le(&utf16("u")));
    assert_eq!(parsed.nt_response, Payload::Bytes(&[0x11; 48]));
    assert_eq!(parsed.encrypted_session_key, Payload::Bytes(&[0; 16]));

    // Without MIC and VERSION the payload starts right after the fixed header,
    // and the parser finds neither.
    let bare = AuthenticateRepr {
        version: None,
        mic: None,
        ..repr
    };
    let layout = bare.emit(&mut buf).unwrap();
    let parsed = AuthenticateRepr::parse(&buf[..layout.len]).unwrap();
    assert_eq!((parsed.version, parsed.mic), (None, None));
    assert_eq!(layout.lm_response.start, AUTHENTICATE_HEADER_LEN + 4);
}

#[test]
fn authenticate_limits() {
    let too_long = Payload::Reserve(usize::from(u16::MAX) + 1);
    let repr = AuthenticateRepr {
        flags: NegotiateFlags::UNICODE,
        lm_response: Payload::Bytes(&[]),
        nt_response: too_long,
        domain: Text::EMPTY,
        user: Text::EMPTY,
        workstation: Text::EMPTY,
        encrypted_session_key: Payload::Bytes(&[]),
        version: None,
        mic: None,
    };
    let mut buf = [0u8; 64];
    assert!(matches!(
        repr.emit(&mut buf),
        Err(Error::CapacityExceeded { .. })
    ));
    assert_eq!(repr.buffer_len(), usize::MAX);
    let small = AuthenticateRepr {
        nt_response: Payload::Reserve(10),
        ..repr
    };
    assert_eq!(
        small.emit(&mut buf),
        Err(Error::BufferTooSmall { needed: 74 })
    );
}

#[test]
fn text_decoding() {
    let t = Text::Utf16Le(&[0x41, 0]);
    assert!(t.eq_ignore_case("a"));
    assert!(!t.eq_ignore_case("ab"));
    // Odd length and a lone high surrogate.
    assert!(Text::Utf16Le(&[0x41, 0, 0x42]).chars().any(|c| c.is_err()));
    assert!(Text::Utf16Le(&[0x00, 0xd8]).chars().any(|c| c.is_err()));
    assert!(!Text::Utf16Le(&[0x00, 0xd8]).eq_ignore_case("x"));
    assert!(Text::Oem(&[0xe9]).chars().any(|c| c.is_err()));
    // A surrogate pair is one character; a high surrogate before anything
    // but a low one, and a lone low one, are errors.
    let pair = [0x01, 0xd8, 0x28, 0xdc, 0x41, 0];
    let got: heapless::Vec<char, 4> = Text::Utf16Le(&pair).chars().map(|c| c.unwrap()).collect();
    assert_eq!(&got[..], &['\u{10428}', 'A']);
    assert!(Text::Utf16Le(&[0x01, 0xd8, 0x41, 0])
        .chars()
        .any(|c| c.is_err()));
    assert!(Text::Utf16Le(&[0x28, 0xdc]).chars().any(|c| c.is_err()));
    assert!(!Text::Utf16Le(&[0x41, 0, 0x28, 0xdc]).eq_ignore_case("A"));
    let oem: heapless::Vec<char, 4> = Text::Oem(b"ab").chars().map(|c| c.unwrap()).collect();
    assert_eq!(&oem[..], &['a', 'b']);
    assert_eq!(Text::Str("é").wire_len(), 2);
    assert_eq!(Text::Str("\u{1f600}").wire_len(), 4);
    // One, two, three and four UTF-8 bytes: the length the encoder writes.
    for s in [
        "",
        "a",
        "aé€\u{1f600}",
        "\u{10428}\u{FFFF}\u{80}\u{7FF}\u{800}",
    ] {
        assert_eq!(
            Text::Str(s).wire_len(),
            s.encode_utf16().count() * 2,
            "{s:?}"
        );
    }
}

#[test]
fn ntlmv2_response_checks() {
    let mut nt = [0u8; 48];
    nt[16] = 1;
    let r = Ntlmv2Response::parse(&nt).unwrap();
    assert_eq!(r.blob.len(), 32);
    assert_eq!(r.av_pairs.iter().count(), 0);
    assert!(matches!(
        Ntlmv2Response::parse(&nt[..47]),
        Err(Error::Truncated { .. })
    ));
    nt[16] = 2;
    assert!(matches!(
        Ntlmv2Response::parse(&nt),
        Err(Error::Malformed { .. })
    ));
}

#[test]
fn utf16_text_decodes_as_core_does_up_to_its_first_error() {
    // Pseudo-random UTF-16LE, rich in surrogates, odd lengths included.
    let mut x = 0x1234_5678u32;
    for len in 0..400usize {
        let mut b = [0u8; 16];
        let n = len % 17;
        for byte in b.iter_mut().take(n) {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            *byte = match x >> 29 {
                0 | 1 => 0xd8 | ((x >> 8) as u8 & 7), // surrogates
                2 => 0x41,
                _ => (x >> 16) as u8,
            };
        }
        let bytes = &b[..n];
        let units = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]));
        let mut want: heapless::Vec<Option<char>, 16> = heapless::Vec::new();
        for r in char::decode_utf16(units) {
            want.push(r.ok()).unwrap();
            if want.last() == Some(&None) {
                break;
            }
        }
        if n % 2 == 1 && want.last() != Some(&None) {
            want.push(None).unwrap();
        }
        let got: heapless::Vec<Option<char>, 16> =
            Text::Utf16Le(bytes).chars().map(|r| r.ok()).collect();
        assert_eq!(got, want, "{bytes:02x?}");
    }
}
