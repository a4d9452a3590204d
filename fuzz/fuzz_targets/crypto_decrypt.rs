//! Arbitrary keys and ciphertexts through `Key::decrypt` and `verify_checksum`:
//! errors are expected, panics are bugs. A key that loads must also round-trip
//! `encrypt` -> `decrypt` on the input's plaintext (DES: plus its zero padding).
//!
//! Input: etype (i8) | key length selector | usage (u32 LE) | key | rest.
//! The rest is the ciphertext; its first byte also splits it into a checksum
//! and two data slices for `verify_checksum`.
#![no_main]

use authcore::crypto::{Etype, Key, MAX_OVERHEAD};
use authcore_fuzz::CounterRng;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [etype_byte, len_sel, u0, u1, u2, u3, rest @ ..] = data else {
        return;
    };
    let Ok(etype) = Etype::from_i32(i32::from(*etype_byte as i8)) else {
        return;
    };
    let usage = u32::from_le_bytes([*u0, *u1, *u2, *u3]);
    // Mostly the right key length (to reach the cipher), sometimes any length.
    let key_len = if len_sel & 0x80 == 0 {
        etype.key_len()
    } else {
        usize::from(len_sel & 0x3f)
    };
    let Some((key_bytes, rest)) = rest.split_at_checked(key_len) else {
        return;
    };
    let key = match Key::from_bytes(etype, key_bytes) {
        Ok(key) => key,
        Err(_) => return,
    };

    let mut buf = rest.to_vec();
    if let Ok(range) = key.decrypt(usage, &mut buf) {
        assert!(
            range.end <= buf.len(),
            "plaintext range {range:?} outside {} bytes",
            buf.len()
        );
    }

    if let Some((&split, tail)) = rest.split_first() {
        let cut = usize::from(split).min(tail.len());
        let (cksum, data) = tail.split_at(cut);
        let (a, b) = data.split_at(data.len() / 2);
        let _ = key.verify_checksum(usage, &[a, b], cksum);
    }

    // What encrypt produces, decrypt must give back unchanged.
    let plain = rest.get(..rest.len().min(256)).unwrap_or(&[]);
    let mut sealed = vec![0u8; plain.len() + MAX_OVERHEAD];
    let start = etype.header_len();
    if let Some(dst) = sealed.get_mut(start..start + plain.len()) {
        dst.copy_from_slice(plain);
        let mut rng = CounterRng(u64::from(usage));
        if let Ok(n) = key.encrypt(usage, &mut rng, &mut sealed, plain.len()) {
            let ct = &mut sealed[..n];
            let range = key
                .decrypt(usage, ct)
                .expect("decrypt of our own ciphertext failed");
            let (head, pad) = ct[range]
                .split_at_checked(plain.len())
                .expect("decrypt returned less than was encrypted");
            assert_eq!(head, plain, "round trip changed the plaintext");
            // Only DES pads: to its 8-byte block, with zeros the receiver cannot
            // tell from data (RFC 3961 section 6.2), so they come back.
            let max_pad = if etype == Etype::DesCbcMd5 { 7 } else { 0 };
            assert!(
                pad.len() <= max_pad && pad.iter().all(|&b| b == 0),
                "round trip added {pad:?}"
            );
        }
    }
});
