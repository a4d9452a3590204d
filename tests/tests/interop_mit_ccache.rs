//! Cross-checks of authcore's credential cache reader and writer against MIT
//! Kerberos 1.20 (Debian's krb5-user):
//!
//! 1. authcore reads the version 4 cache MIT's `kinit` and `kvno` wrote: the
//!    listing is `klist -ef`'s, and the service ticket decrypts under the service
//!    keytab to the very session key, flags and times the cache holds.
//! 2. MIT reads caches authcore writes: a rewrite is MIT's file byte for byte,
//!    `klist -ef` lists it as the original, and `kvno` uses a service ticket from a
//!    cache authcore built (one without a TGT, so the KDC could not have helped).
//! 3. Version 3: authcore reads the cache MIT writes with `ccache_type = 3`, and
//!    MIT reads the version 3 file authcore writes.
//!
//! All need the realm of `tests/interop/mit-realm.sh`; `tests/run` starts it and
//! runs them with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use authcore::crypto::{usage, Etype, Key};
use authcore::kerberos::wire::{ticket_flags as tf, EncTicketPart, Ticket};
use authcore_std::ccache::{self, Ccache, Credential, KdcOffset, VERSION_3, VERSION_4};
use authcore_std::keytab::{Keytab, Principal};
use authcore_tests::interop::{klist_time, require_env, require_file};

/// The realm's `max_life` (kdc.conf of mit-realm.sh).
const MAX_LIFE: u32 = 10 * 3600;

struct Realm {
    user: Principal,
    password: String,
    service: Principal,
    tgs: Principal,
    work: PathBuf,
}

impl Realm {
    /// The realm's facts, and a fresh directory for this test's caches.
    fn new(test: &str) -> Realm {
        // MIT's tools find the realm through KRB5_CONFIG; without it they would
        // silently use /etc/krb5.conf.
        require_file("KRB5_CONFIG");
        let realm = require_env("AUTHCORE_MIT_REALM");
        let user = Principal::parse(&format!("{}@{realm}", require_env("AUTHCORE_MIT_USER")))
            .unwrap_or_else(|e| panic!("AUTHCORE_MIT_USER: {e}"));
        let service = Principal::parse(&format!("{}@{realm}", require_env("AUTHCORE_MIT_SERVICE")))
            .unwrap_or_else(|e| panic!("AUTHCORE_MIT_SERVICE: {e}"));
        let tgs = Principal::parse(&format!("krbtgt/{realm}@{realm}")).unwrap();
        let work = PathBuf::from(require_env("AUTHCORE_MIT_DIR"))
            .join(format!("ccache-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{}: {e}", work.display()));
        Realm {
            user,
            password: require_env("AUTHCORE_MIT_USER_PASSWORD"),
            service,
            tgs,
            work,
        }
    }

    /// A cache file in this test's directory.
    fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// `kinit` the user (password on stdin) into `cache`, then `kvno` the service.
    fn kinit_and_kvno(&self, cache: &Path, extra_config: Option<&Path>) {
        let mut kinit = mit("kinit", cache, extra_config);
        kinit.arg(self.user.to_string()).stdin(Stdio::piped());
        let mut child = kinit
            .spawn()
            .unwrap_or_else(|e| panic!("running MIT kinit (krb5-user): {e}"));
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, "{}", self.password).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        check(&out, "kinit");
        let mut kvno = mit("kvno", cache, extra_config);
        kvno.arg(self.service.to_string());
        check(&kvno.output().unwrap(), "kvno");
    }
}

impl Drop for Realm {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.work);
        }
    }
}

/// An MIT command on `cache`, in UTC and the C locale (klist's date format).
/// `extra_config` is a krb5.conf fragment read before the realm's.
fn mit(program: &str, cache: &Path, extra_config: Option<&Path>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("KRB5CCNAME", format!("FILE:{}", cache.display()))
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(extra) = extra_config {
        // MIT reads KRB5_CONFIG as a list; the first file that sets a relation wins.
        let config = format!("{}:{}", extra.display(), require_env("KRB5_CONFIG"));
        cmd.env("KRB5_CONFIG", config);
    }
    cmd
}

fn check(out: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "MIT {what} failed ({}):\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// MIT's enctype names as klist prints them.
fn enctype_name(enctype: i32) -> String {
    match enctype {
        17 => "aes128-cts-hmac-sha1-96".into(),
        18 => "aes256-cts-hmac-sha1-96".into(),
        19 => "aes128-cts-hmac-sha256-128".into(),
        20 => "aes256-cts-hmac-sha384-192".into(),
        23 => "DEPRECATED:arcfour-hmac".into(),
        other => format!("etype {other}"),
    }
}

/// klist's flag letters (klist.c `flags_string`), in its order.
fn klist_flags(flags: u32) -> String {
    const ANONYMOUS: u32 = 0x8000; // flag(16), RFC 6112
    [
        (tf::FORWARDABLE, 'F'),
        (tf::FORWARDED, 'f'),
        (tf::PROXIABLE, 'P'),
        (tf::PROXY, 'p'),
        (tf::MAY_POSTDATE, 'D'),
        (tf::POSTDATED, 'd'),
        (tf::INVALID, 'i'),
        (tf::RENEWABLE, 'R'),
        (tf::INITIAL, 'I'),
        (tf::HW_AUTHENT, 'H'),
        (tf::PRE_AUTHENT, 'A'),
        (tf::TRANSITED_POLICY_CHECKED, 'T'),
        (tf::OK_AS_DELEGATE, 'O'),
        (ANONYMOUS, 'a'),
    ]
    .iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|&(_, c)| c)
    .collect()
}

/// One ticket as `klist -ef` shows it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Listed {
    start: String,
    end: String,
    server: String,
    renew_till: Option<String>,
    flags: String,
    skey: String,
    tkt: String,
}

/// `klist -ef` of `cache`: the default principal and the tickets.
fn klist(cache: &Path, extra_config: Option<&Path>) -> (String, Vec<Listed>) {
    let mut cmd = mit("klist", cache, extra_config);
    cmd.args(["-e", "-f", "-c"])
        .arg(format!("FILE:{}", cache.display()));
    let out = check(&cmd.output().unwrap(), "klist -ef");
    let mut default = String::new();
    let mut listed: Vec<Listed> = Vec::new();
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(p) = line.strip_prefix("Default principal: ") {
            default = p.to_owned();
        } else if words.len() == 5 && words[0].starts_with(|c: char| c.is_ascii_digit()) {
            listed.push(Listed {
                start: format!("{} {}", words[0], words[1]),
                end: format!("{} {}", words[2], words[3]),
                server: words[4].to_owned(),
                ..Listed::default()
            });
        } else if let Some(last) = listed.last_mut() {
            let line = line.trim();
            for part in line.split(", ") {
                if let Some(t) = part.strip_prefix("renew until ") {
                    last.renew_till = Some(t.to_owned());
                } else if let Some(f) = part.strip_prefix("Flags: ") {
                    last.flags = f.to_owned();
                }
            }
            if let Some(e) = line.strip_prefix("Etype (skey, tkt): ") {
                let (skey, tkt) = e.split_once(", ").expect("two etypes");
                last.skey = skey.trim().to_owned();
                last.tkt = tkt.trim().to_owned();
            }
        }
    }
    assert!(
        !default.is_empty(),
        "no default principal in klist output:\n{out}"
    );
    (default, listed)
}

/// What klist should print for each of our tickets, from our reading of the cache.
fn expected_listing(cc: &Ccache) -> Vec<Listed> {
    cc.tickets()
        .map(|c| {
            let ticket = Ticket::parse(&c.ticket)
                .unwrap_or_else(|e| panic!("{}: ticket does not parse: {e}", c.server));
            Listed {
                start: klist_time(c.times.start()),
                end: klist_time(c.times.endtime),
                server: c.server.to_string(),
                renew_till: (c.ticket_flags & tf::RENEWABLE != 0)
                    .then(|| klist_time(c.times.renew_till)),
                flags: klist_flags(c.ticket_flags),
                skey: enctype_name(c.enctype),
                tkt: enctype_name(ticket.enc_part.etype),
            }
        })
        .collect()
}

fn now() -> u32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    u32::try_from(secs).unwrap()
}

/// Checks a cache kinit + kvno produced: the user's, with a TGT and a service
/// ticket that are sane and agree with `klist -ef`.
fn check_mit_cache(r: &Realm, cc: &Ccache, path: &Path, extra_config: Option<&Path>) {
    assert_eq!(cc.default_principal(), &r.user, "default principal");
    let tgt = cc
        .find(&r.tgs)
        .unwrap_or_else(|| panic!("no {} credential in {cc:?}", r.tgs));
    let svc = cc
        .find(&r.service)
        .unwrap_or_else(|| panic!("no {} credential in {cc:?}", r.service));
    let now = now();
    for c in [tgt, svc] {
        let what = c.server.to_string();
        assert_eq!(c.client, r.user, "{what}: client");
        assert!(
            c.is_current_at(now),
            "{what}: not valid now ({:?})",
            c.times
        );
        assert!(!c.ticket.is_empty(), "{what}: empty ticket");
        assert!(
            c.second_ticket.is_empty() && !c.is_skey,
            "{what}: user-to-user?"
        );
        let t = c.times;
        assert!(
            t.authtime <= t.start()
                && t.start() < t.endtime
                && t.endtime - t.start() <= MAX_LIFE
                && t.renew_till >= t.endtime,
            "{what}: times {t:?}"
        );
        assert!(
            now.abs_diff(t.authtime) < 600,
            "{what}: authtime {} is not about now ({now})",
            t.authtime
        );
        let key = c
            .key()
            .unwrap_or_else(|e| panic!("{what}: session key {}: {e}", c.enctype));
        assert_eq!(key.as_bytes(), c.key_bytes());
        let ticket = Ticket::parse(&c.ticket).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            ticket.realm.0,
            c.server.realm.as_slice(),
            "{what}: ticket realm"
        );
        assert!(
            ticket
                .sname
                .components()
                .eq(c.server.components.iter().map(Vec::as_slice)),
            "{what}: ticket sname"
        );
    }
    // Configuration entries are kept but are not tickets.
    let configs: Vec<&Credential> = cc.credentials().iter().filter(|c| c.is_config()).collect();
    assert!(
        !configs.is_empty(),
        "MIT 1.20 kinit writes configuration entries"
    );
    assert!(configs.iter().all(|c| &c.client == cc.default_principal()));
    assert_eq!(cc.tickets().count(), cc.credentials().len() - configs.len());
    assert_eq!(cc.tickets().count(), 2, "a TGT and one service ticket");

    let (default, listed) = klist(path, extra_config);
    assert_eq!(default, r.user.to_string());
    assert_eq!(
        listed,
        expected_listing(cc),
        "klist -ef disagrees with authcore's reading of {}",
        path.display()
    );
}

/// Decrypts the service ticket with the service's keytab key and checks that
/// the cache holds the session key, flags and times the KDC sealed in it.
fn check_service_ticket_contents(r: &Realm, cred: &Credential) {
    let ticket = Ticket::parse(&cred.ticket).unwrap();
    let keytab = Keytab::read(&require_file("AUTHCORE_MIT_SERVICE_KEYTAB"))
        .unwrap_or_else(|e| panic!("{e}"));
    let entry = keytab
        .find(&r.service, ticket.enc_part.etype, ticket.enc_part.kvno)
        .unwrap_or_else(|| {
            panic!(
                "service keytab has no key for etype {} kvno {:?}",
                ticket.enc_part.etype, ticket.enc_part.kvno
            )
        });
    let key = entry.to_key().unwrap();
    let mut buf = ticket.enc_part.cipher.to_vec();
    let range = key
        .decrypt(usage::TICKET, &mut buf)
        .unwrap_or_else(|e| panic!("service ticket does not decrypt: {e}"));
    let part = EncTicketPart::parse(&buf[range]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(part.key.keytype, cred.enctype, "session key enctype");
    assert!(
        part.key.keyvalue == cred.key_bytes(),
        "the cache's session key is not the ticket's"
    );
    assert_eq!(part.flags, cred.ticket_flags, "ticket flags");
    assert_eq!(part.authtime.0, i64::from(cred.times.authtime), "authtime");
    assert_eq!(part.endtime.0, i64::from(cred.times.endtime), "endtime");
    // The ticket omits a starttime equal to authtime; MIT's cache spells it out.
    assert_eq!(
        part.starttime.unwrap_or(part.authtime).0,
        i64::from(cred.times.start()),
        "starttime"
    );
    assert_eq!(
        part.renew_till.map_or(0, |t| t.0),
        i64::from(cred.times.renew_till),
        "renew_till"
    );
    assert_eq!(part.crealm.0, r.user.realm.as_slice());
    assert!(part
        .cname
        .components()
        .eq(r.user.components.iter().map(Vec::as_slice)));
    // And the key works as an authcore key of the announced etype.
    let session = cred.key().unwrap();
    assert_eq!(session.etype(), Etype::from_i32(part.key.keytype).unwrap());
    assert_eq!(
        Key::from_bytes(session.etype(), part.key.keyvalue)
            .unwrap()
            .as_bytes(),
        session.as_bytes()
    );
}

#[test]
#[ignore = "needs MIT krb5: run by tests/run"]
fn reads_the_cache_mit_kinit_and_kvno_wrote() {
    let r = Realm::new("read");
    let path = r.file("mit-v4");
    r.kinit_and_kvno(&path, None);
    let cc = Ccache::read(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cc.version(), VERSION_4);
    assert!(
        cc.kdc_offset().is_some(),
        "MIT writes the KDC offset header field: {:?}",
        cc.header_fields()
    );
    check_mit_cache(&r, &cc, &path, None);
    check_service_ticket_contents(&r, cc.find(&r.service).unwrap());

    // The realm's KRB5CCNAME (FILE:...) resolves to its file.
    let env_name = require_env("KRB5CCNAME");
    let expected = env_name.strip_prefix("FILE:").unwrap_or(&env_name);
    assert_eq!(
        ccache::default_path().unwrap_or_else(|e| panic!("{e}")),
        PathBuf::from(expected)
    );
}

#[test]
#[ignore = "needs MIT krb5: run by tests/run"]
fn mit_reads_caches_authcore_writes() {
    let r = Realm::new("write");
    let orig = r.file("mit-v4");
    r.kinit_and_kvno(&orig, None);
    let mit_bytes = std::fs::read(&orig).unwrap();
    let cc = Ccache::parse(&mit_bytes).unwrap_or_else(|e| panic!("{e}"));

    // A straight rewrite is MIT's file byte for byte, and lists the same.
    let rewritten = r.file("rewritten-v4");
    cc.write(&rewritten).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        std::fs::read(&rewritten).unwrap() == mit_bytes,
        "rewriting MIT's cache changed its bytes"
    );
    assert_eq!(klist(&rewritten, None), klist(&orig, None));
    let mut kvno = mit("kvno", &rewritten, None);
    kvno.arg(r.service.to_string());
    check(&kvno.output().unwrap(), "kvno on the rewritten cache");

    // A cache built from parts, holding only the service ticket: with no TGT
    // in it, kvno can only succeed by using our ticket and session key, and
    // -k makes MIT decrypt that ticket with the service keytab.
    let svc = cc.find(&r.service).unwrap();
    let mut built = Ccache::new(cc.default_principal().clone());
    built.set_kdc_offset(Some(KdcOffset {
        seconds: 0,
        microseconds: 0,
    }));
    built.add(Credential::new(
        svc.client.clone(),
        svc.server.clone(),
        svc.enctype,
        svc.key_bytes(),
        svc.times,
        svc.ticket_flags,
        svc.ticket.clone(),
    ));
    let only_svc = r.file("only-service-ticket");
    built.write(&only_svc).unwrap_or_else(|e| panic!("{e}"));
    let (default, listed) = klist(&only_svc, None);
    assert_eq!(default, r.user.to_string());
    let (_, orig_listed) = klist(&orig, None);
    let orig_svc: Vec<Listed> = orig_listed
        .into_iter()
        .filter(|l| l.server == r.service.to_string())
        .collect();
    assert_eq!(listed, orig_svc, "klist of the built cache");
    let keytab = require_env("AUTHCORE_MIT_SERVICE_KEYTAB");
    let mut kvno = mit("kvno", &only_svc, None);
    kvno.args(["-k", &keytab]).arg(r.service.to_string());
    let out = check(&kvno.output().unwrap(), "kvno -k on the built cache");
    assert!(
        out.contains("keytab entry valid"),
        "kvno -k did not verify: {out}"
    );

    // The control: without the service ticket the same kvno fails, so the
    // success above came from the ticket authcore wrote.
    let empty = r.file("empty");
    Ccache::new(cc.default_principal().clone())
        .write(&empty)
        .unwrap();
    let mut kvno = mit("kvno", &empty, None);
    kvno.arg(r.service.to_string());
    let out = kvno.output().unwrap();
    assert!(
        !out.status.success(),
        "kvno succeeded with an empty cache: the check above proves nothing"
    );
}

#[test]
#[ignore = "needs MIT krb5: run by tests/run"]
fn version_3_both_ways() {
    let r = Realm::new("v3");
    // MIT's writer, authcore's reader.
    let v3_conf = r.file("ccache-type-3.conf");
    std::fs::write(&v3_conf, "[libdefaults]\n    ccache_type = 3\n").unwrap();
    let mit_v3 = r.file("mit-v3");
    r.kinit_and_kvno(&mit_v3, Some(&v3_conf));
    let mit_bytes = std::fs::read(&mit_v3).unwrap();
    assert_eq!(
        &mit_bytes[..2],
        &[0x05, 0x03],
        "ccache_type = 3 not honoured"
    );
    let cc = Ccache::parse(&mit_bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cc.version(), VERSION_3);
    assert!(cc.header_fields().is_empty());
    check_mit_cache(&r, &cc, &mit_v3, Some(&v3_conf));
    check_service_ticket_contents(&r, cc.find(&r.service).unwrap());
    assert!(
        *cc.to_bytes().unwrap() == mit_bytes,
        "rewriting MIT's version 3 cache changed its bytes"
    );

    // authcore's version 3 writer, MIT's reader: a v4 cache converted.
    let mit_v4 = r.file("mit-v4");
    r.kinit_and_kvno(&mit_v4, None);
    let mut cc4 = Ccache::read(&mit_v4).unwrap_or_else(|e| panic!("{e}"));
    cc4.set_version(VERSION_3).unwrap();
    let ours_v3 = r.file("ours-v3");
    cc4.write(&ours_v3).unwrap_or_else(|e| panic!("{e}"));
    let written = std::fs::read(&ours_v3).unwrap();
    assert_eq!(&written[..2], &[0x05, 0x03]);
    assert_eq!(klist(&ours_v3, None), klist(&mit_v4, None));
    let back = Ccache::parse(&written).unwrap();
    assert_eq!(back.credentials(), cc4.credentials());
    let mut kvno = mit("kvno", &ours_v3, None);
    kvno.arg(r.service.to_string());
    check(
        &kvno.output().unwrap(),
        "kvno on authcore's version 3 cache",
    );
}
