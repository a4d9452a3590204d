//! `authcore demo` (the main job in README) and `authcore packages`.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_authcore");

#[test]
fn demo_authenticates_with_every_package() {
    let out = Command::new(BIN).arg("demo").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "demo failed: {}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("server's view: authenticated: DEMO\\alice"),
        "{stdout}"
    );
    assert!(
        stdout.contains("server's view: authenticated: alice@AUTHCORE.DEMO"),
        "{stdout}"
    );
    assert!(stdout.contains("AUTHENTICATE"), "{stdout}");
    assert!(stdout.contains("AP-REP"), "{stdout}");
    for etype in [
        "aes256-cts-hmac-sha384-192",
        "aes128-cts-hmac-sha256-128",
        "aes256-cts-hmac-sha1-96",
        "aes128-cts-hmac-sha1-96",
        "rc4-hmac",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.contains(etype) && l.contains(": ok")),
            "{etype}: {stdout}"
        );
    }
    assert!(
        stdout.contains("unsealed: \"hello back from the server\""),
        "{stdout}"
    );
}

#[test]
fn packages_lists_ntlm_and_kerberos_with_limits() {
    let out = Command::new(BIN).arg("packages").output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ntlm = stdout
        .lines()
        .find(|l| l.starts_with("NTLM"))
        .expect("NTLM listed");
    assert!(
        ntlm.split_whitespace().nth(1) == Some(&authcore::ntlm::MAX_TOKEN_LEN.to_string()[..]),
        "{ntlm}"
    );
    let krb = stdout
        .lines()
        .find(|l| l.starts_with("Kerberos"))
        .expect("Kerberos listed");
    assert!(
        krb.split_whitespace().nth(1) == Some(&authcore::kerberos::MAX_TOKEN_LEN.to_string()[..]),
        "{krb}"
    );
}
