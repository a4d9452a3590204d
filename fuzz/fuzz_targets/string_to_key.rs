//! `Key::string_to_key` on arbitrary passwords, salts and s2kparams: no panics,
//! deterministic output of the etype's key length.
//!
//! Input: etype (i8) | params selector | salt length | password and salt.
//! PBKDF2 at the default iteration counts (4096, 32768) costs milliseconds per
//! call, so AES etypes get an explicit tiny count (1..=16) or malformed params
//! (never 4 bytes, so never a large count); only RC4 and DES use the defaults.
#![no_main]

use authcore::crypto::{Etype, Key};
use libfuzzer_sys::fuzz_target;

const MAX_INPUT: usize = 256;

fuzz_target!(|data: &[u8]| {
    let [etype_byte, params_sel, salt_len, rest @ ..] = data else {
        return;
    };
    let number = i32::from(*etype_byte as i8);
    let Ok(etype) = Etype::from_i32(number) else {
        return;
    };
    let rest = rest.get(..rest.len().min(2 * MAX_INPUT)).unwrap_or(&[]);
    let (salt, password) = rest.split_at(usize::from(*salt_len).min(rest.len()));

    let count = [0, 0, 0, (params_sel & 0x0f) + 1];
    let garbage_len = [0usize, 1, 2, 3, 5, 8][usize::from(params_sel >> 4) % 6];
    let garbage = password
        .get(..garbage_len.min(password.len()))
        .unwrap_or(&[]);
    let params: Option<&[u8]> = match number {
        23 | 3 if params_sel & 0x80 == 0 => None,
        _ if params_sel & 0x40 == 0 => Some(&count),
        _ if garbage.len() != 4 => Some(garbage),
        _ => Some(&count),
    };

    let first = Key::string_to_key(etype, password, salt, params);
    let second = Key::string_to_key(etype, password, salt, params);
    match (first, second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(
                a.as_bytes(),
                b.as_bytes(),
                "string_to_key is not deterministic"
            );
            assert_eq!(a.as_bytes().len(), etype.key_len(), "wrong key length");
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "string_to_key errors differ between calls"),
        _ => panic!("string_to_key succeeded once and failed once"),
    }
});
