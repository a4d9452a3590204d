//! The `authcore` command line: subcommand dispatch and argument parsing.
//!
//! Commands follow the CLI contract in ARCHITECTURE.md. Every failure prints one
//! line naming the cause on stderr and exits non-zero.

use std::collections::HashMap;
use std::io::BufRead;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

use authcore::kerberos::{
    self,
    wire::{KerberosString, PrincipalName},
};
use authcore::{ntlm, spnego};

use crate::ccache::Ccache;
use crate::error::{Error, Result};
use crate::keytab::Keytab;
use crate::krb::{parse_service, NameParts, SharedReplayCache};
use crate::server::{self, Limits};
use crate::session;
use crate::users::UsersFile;

const USAGE: &str = "usage: authcore <command> [options]

commands:
  packages                       list the security packages and their limits
  demo                           NTLM, Kerberos and Negotiate between an in-process client and server
  serve --listen ADDR --package ntlm|kerberos|negotiate [--users FILE] [--keytab FILE]
        [--service SPN] [--require-mic] [--timeout SECS]
                                 accept clients (one framed exchange each; each
                                 connection is cut after SECS, default 30);
                                 negotiate: SPNEGO over Kerberos (with a keytab)
                                 and NTLM (with users), whichever the client offers
  connect ADDR --package ntlm|kerberos|negotiate [--user U] [--domain D] [--password-stdin]
        [--target SPN] --message TEXT
                                 authenticate, send TEXT wrapped, print the echo

environment: NTLM_USER_FILE (users for the NTLM acceptor, DOMAIN:user:password),
KRB5_KTNAME (keytab), KRB5CCNAME (credential cache), KRB5_CONFIG";

/// Runs the CLI with `args` (without the program name); returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return 2;
    };
    let result = match command.as_str() {
        "--help" | "-h" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        "packages" => packages(),
        "demo" => crate::demo::run(),
        "serve" => Args::parse(rest, &["--require-mic"]).and_then(|a| serve(&a)),
        "connect" => Args::parse(rest, &["--password-stdin"]).and_then(|a| connect(&a)),
        other => Err(Error::Usage(format!(
            "unknown command '{other}' (try --help)"
        ))),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("authcore: {e}");
            match e {
                Error::Usage(_) => 2,
                _ => 1,
            }
        }
    }
}

/// Parsed options: `--name value` pairs, boolean switches, and positionals.
struct Args {
    values: HashMap<String, String>,
    switches: Vec<String>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: &[String], switches: &[&str]) -> Result<Args> {
        let mut parsed = Args {
            values: HashMap::new(),
            switches: Vec::new(),
            positional: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if switches.contains(&arg.as_str()) {
                parsed.switches.push(arg.clone());
            } else if let Some(name) = arg.strip_prefix("--") {
                let (name, value) = match name.split_once('=') {
                    Some((n, v)) => (n.to_string(), v.to_string()),
                    None => {
                        let v = it.next().ok_or_else(|| {
                            Error::Usage(format!("option --{name} needs a value"))
                        })?;
                        (name.to_string(), v.clone())
                    }
                };
                parsed.values.insert(name, value);
            } else {
                parsed.positional.push(arg.clone());
            }
        }
        Ok(parsed)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    fn require(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| Error::Usage(format!("missing --{name}")))
    }

    fn switch(&self, name: &str) -> bool {
        self.switches.iter().any(|s| s == name)
    }

    fn check_known(&self, known: &[&str]) -> Result<()> {
        for name in self.values.keys() {
            if !known.contains(&name.as_str()) {
                return Err(Error::Usage(format!("unknown option --{name}")));
            }
        }
        Ok(())
    }
}

fn packages() -> Result<()> {
    println!(
        "{:<10} {:>9} {:>9} {:>11} {:>12}  comment",
        "package", "max token", "signature", "seal header", "seal trailer"
    );
    for info in authcore::package::enumerate() {
        println!(
            "{:<10} {:>9} {:>9} {:>11} {:>12}  {}",
            info.name,
            info.max_token,
            info.max_signature,
            info.seal_header,
            info.seal_trailer,
            info.comment
        );
    }
    Ok(())
}

/// The NetBIOS computer name the NTLM acceptor announces: the host name's first
/// label, upper-cased (as Windows derives it), capped at 15 characters.
fn netbios_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let first = host.trim().split('.').next().unwrap_or("").to_uppercase();
    let name: String = first
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(15)
        .collect();
    if name.is_empty() {
        "AUTHCORE".to_string()
    } else {
        name
    }
}

fn serve(args: &Args) -> Result<()> {
    args.check_known(&["listen", "package", "users", "keytab", "service", "timeout"])?;
    let listen = args.require("listen")?.to_string();
    let mut limits = Limits::default();
    if let Some(t) = args.get("timeout") {
        let secs: u64 = t.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
            Error::Usage(format!(
                "--timeout needs a positive number of seconds, not '{t}'"
            ))
        })?;
        limits.deadline = std::time::Duration::from_secs(secs);
    }
    match args.require("package")? {
        "ntlm" => {
            let path = users_path(args)
                .ok_or_else(|| Error::Usage("NTLM needs --users FILE or NTLM_USER_FILE".into()))?;
            let users = Arc::new(UsersFile::load(&path)?);
            let settings = NtlmServer::from_args(args);
            server::serve(&listen, limits, move |stream, _peer| {
                let mut ctx = ntlm::Acceptor::new(&*users, settings.config())
                    .map_err(|e| Error::auth("NTLM acceptor", e))?;
                session::server(stream, &mut ctx, |ctx| {
                    if let Some(id) = ctx.identity() {
                        println!("authenticated: {}\\{}", id.domain, id.user);
                    }
                })
                .map(|_| ())
            })
        }
        "kerberos" => serve_kerberos(args, &listen, limits),
        "negotiate" => serve_negotiate(args, &listen, limits),
        other => Err(Error::Usage(format!(
            "unknown package '{other}' (ntlm, kerberos, negotiate)"
        ))),
    }
}

/// The NTLM users file: `--users`, else `NTLM_USER_FILE`.
fn users_path(args: &Args) -> Option<PathBuf> {
    args.get("users")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("NTLM_USER_FILE").map(PathBuf::from))
}

/// What every NTLM acceptor of `serve` is configured with.
struct NtlmServer {
    computer: String,
    require_mic: bool,
    /// `--service` as a target name, in its `service/host` form.
    spn: Option<String>,
}

impl NtlmServer {
    fn from_args(args: &Args) -> NtlmServer {
        NtlmServer {
            computer: netbios_name(),
            // Windows does not demand a MIC unless configured to; gss-ntlmssp
            // 1.2 clients send none. A MIC that is present is always verified.
            require_mic: args.switch("--require-mic"),
            // Clients send `service/host`; `service@host` is the GSS form of it.
            spn: args.get("service").map(|s| s.replacen('@', "/", 1)),
        }
    }

    fn config(&self) -> ntlm::AcceptorConfig<'_> {
        let mut config = ntlm::AcceptorConfig::new(&self.computer, "WORKGROUP");
        config.require_mic = self.require_mic;
        config.target_name = self.spn.as_deref();
        config
    }
}

/// Negotiate: Kerberos when a keytab is given (`--keytab` or `KRB5_KTNAME`),
/// NTLM when users are (`--users` or `NTLM_USER_FILE`); at least one.
fn serve_negotiate(args: &Args, listen: &str, limits: Limits) -> Result<()> {
    let users = match users_path(args) {
        Some(path) => Some(Arc::new(UsersFile::load(&path)?)),
        None => None,
    };
    let keytab = match args.get("keytab") {
        Some(p) => Some(Arc::new(Keytab::read(&crate::keytab::resolve_name(p)?)?)),
        None if std::env::var_os("KRB5_KTNAME").is_some() => {
            Some(Arc::new(Keytab::read(&crate::keytab::default_path()?)?))
        }
        None => None,
    };
    if users.is_none() && keytab.is_none() {
        return Err(Error::Usage(
            "Negotiate needs users for NTLM (--users FILE or NTLM_USER_FILE), a keytab for \
             Kerberos (--keytab FILE or KRB5_KTNAME), or both"
                .into(),
        ));
    }
    // --service names the Kerberos service and the NTLM target name alike.
    let settings = NtlmServer::from_args(args);
    let service = Arc::new(kerberos_service(args)?);
    let replay = SharedReplayCache::default();
    server::serve(listen, limits, move |stream, _peer| {
        let strings = service.as_ref().as_ref().map(|(n, _)| n.strings());
        let ntlm = match users.as_deref() {
            Some(users) => Some(
                ntlm::Acceptor::new(users, settings.config())
                    .map_err(|e| Error::auth("NTLM acceptor", e))?,
            ),
            None => None,
        };
        let krb = match keytab.as_deref() {
            Some(keytab) => Some(
                kerberos::Acceptor::new(
                    keytab,
                    replay.clone(),
                    kerberos_config(&service, strings.as_deref()),
                )
                .map_err(|e| Error::auth("Kerberos acceptor", e))?,
            ),
            None => None,
        };
        let mut ctx = spnego::Acceptor::new(ntlm, krb);
        session::server(stream, &mut ctx, |ctx| {
            if let Some(id) = ctx.identity() {
                println!("authenticated: {id}");
            }
        })
        .map(|_| ())
    })
}

fn read_password() -> Result<zeroize::Zeroizing<String>> {
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the password from stdin", e))?;
    let trimmed = zeroize::Zeroizing::new(line.trim_end_matches(['\n', '\r']).to_string());
    Ok(trimmed)
}

fn connect(args: &Args) -> Result<()> {
    args.check_known(&["package", "user", "domain", "target", "message"])?;
    let [addr] = args.positional.as_slice() else {
        return Err(Error::Usage("connect needs exactly one ADDR".into()));
    };
    let message = args.require("message")?;
    // Credentials are loaded before connecting, so a missing password or ticket
    // fails here and not as a dropped connection on the server.
    let open = || -> Result<TcpStream> {
        let stream = TcpStream::connect(addr.as_str())
            .map_err(|e| Error::io(format!("connecting to {addr}"), e))?;
        let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(30)));
        Ok(stream)
    };
    let echo = match args.require("package")? {
        "ntlm" => {
            let user = args.require("user")?;
            let domain = args.get("domain").unwrap_or("");
            if !args.switch("--password-stdin") {
                return Err(Error::Usage("NTLM needs --password-stdin".into()));
            }
            let password = read_password()?;
            let mut config = ntlm::InitiatorConfig::new();
            let target = args.get("target").map(|t| t.replacen('@', "/", 1));
            if let Some(t) = target.as_deref() {
                config = config.with_target_name(t);
            }
            let mut ctx = ntlm::Initiator::new(user, domain, &password, config)
                .map_err(|e| Error::auth("NTLM initiator", e))?;
            session::client(&mut open()?, &mut ctx, message.as_bytes())?
        }
        "kerberos" => connect_kerberos(args, open, message)?,
        "negotiate" => connect_negotiate(args, open, message)?,
        other => {
            return Err(Error::Usage(format!(
                "unknown package '{other}' (ntlm, kerberos, negotiate)"
            )))
        }
    };
    println!("{}", String::from_utf8_lossy(&echo));
    Ok(())
}

fn serve_kerberos(args: &Args, listen: &str, limits: Limits) -> Result<()> {
    let path = match args.get("keytab") {
        Some(p) => crate::keytab::resolve_name(p)?,
        None => crate::keytab::default_path()?,
    };
    let keytab = Arc::new(Keytab::read(&path)?);
    if keytab.entries.is_empty() {
        return Err(Error::Usage(format!(
            "keytab {} has no keys",
            path.display()
        )));
    }
    let service = Arc::new(kerberos_service(args)?);
    let replay = SharedReplayCache::default();
    server::serve(listen, limits, move |stream, _peer| {
        let strings = service.as_ref().as_ref().map(|(n, _)| n.strings());
        let config = kerberos_config(&service, strings.as_deref());
        let mut ctx = kerberos::Acceptor::new(&*keytab, replay.clone(), config)
            .map_err(|e| Error::auth("Kerberos acceptor", e))?;
        session::server(stream, &mut ctx, |ctx| {
            if let Some(id) = ctx.identity() {
                println!("authenticated: {id}");
            }
        })
        .map(|_| ())
    })
}

/// `--service` for a Kerberos acceptor: its name, and its realm when given.
/// Without it, a ticket for any principal of the keytab is accepted (as MIT
/// acceptors do with no name).
type KerberosService = Option<(NameParts, Option<Vec<u8>>)>;

fn kerberos_service(args: &Args) -> Result<KerberosService> {
    let Some(spec) = args.get("service") else {
        return Ok(None);
    };
    // `service/host@REALM` names a realm; `service/host` and the GSS form
    // `service@host` leave it to the ticket.
    let realm_given = spec
        .split_once('@')
        .is_some_and(|(name, _)| name.contains('/'));
    let p = parse_service(spec, "UNSPECIFIED")?;
    Ok(Some((
        NameParts::of(&p),
        realm_given.then(|| p.realm.clone()),
    )))
}

/// The acceptor settings for `service`, with its components as `strings`.
fn kerberos_config<'a>(
    service: &'a KerberosService,
    strings: Option<&'a [KerberosString<'a>]>,
) -> kerberos::AcceptorConfig<'a> {
    let mut config = kerberos::AcceptorConfig::default();
    if let (Some((name, realm)), Some(strings)) = (service, strings) {
        config.service = Some(PrincipalName::new(name.name_type(), strings));
        config.service_realm = realm.as_deref();
    }
    config
}

/// Negotiate: Kerberos when the credential cache holds a ticket for
/// `--target`, NTLM when `--user` and `--password-stdin` are given; at least
/// one.
fn connect_negotiate(
    args: &Args,
    open: impl FnOnce() -> Result<TcpStream>,
    message: &str,
) -> Result<Vec<u8>> {
    let target = args.require("target")?;
    let ticket = match Ccache::read_default() {
        Ok(ccache) => kerberos_ticket(&ccache, target).ok(),
        Err(_) => None,
    };
    let krb_parts = ticket.as_ref().map(|(client, _, _)| NameParts::of(client));
    let krb_strings = krb_parts.as_ref().map(|p| p.strings());
    let krb = match (&ticket, &krb_parts, &krb_strings) {
        (Some((client, ticket, key)), Some(parts), Some(strings)) => Some(
            kerberos::Initiator::new(
                ticket,
                key.clone(),
                PrincipalName::new(parts.name_type(), strings),
                &client.realm,
                kerberos::InitiatorConfig::default(),
            )
            .map_err(|e| Error::auth("Kerberos initiator", e))?,
        ),
        _ => None,
    };
    let ntlm = match args.get("user") {
        Some(user) => {
            if !args.switch("--password-stdin") {
                return Err(Error::Usage("NTLM needs --password-stdin".into()));
            }
            let password = read_password()?;
            let config = ntlm::InitiatorConfig::new();
            let spn = target.replacen('@', "/", 1);
            Some(
                ntlm::Initiator::new(
                    user,
                    args.get("domain").unwrap_or(""),
                    &password,
                    config.with_target_name(&spn),
                )
                .map_err(|e| Error::auth("NTLM initiator", e))?,
            )
        }
        None => None,
    };
    if krb.is_none() && ntlm.is_none() {
        return Err(Error::Usage(format!(
            "Negotiate needs a ticket for {target} in the credential cache (kvno {target}) \
             or --user with --password-stdin for NTLM"
        )));
    }
    let mut ctx = spnego::Initiator::new(krb, ntlm).map_err(|e| Error::auth("Negotiate", e))?;
    session::client(&mut open()?, &mut ctx, message.as_bytes())
}

/// The client, ticket and session key for `target` in `ccache`.
fn kerberos_ticket(
    ccache: &Ccache,
    target: &str,
) -> Result<(crate::keytab::Principal, Vec<u8>, authcore::crypto::Key)> {
    let client = ccache.default_principal().clone();
    let client_realm = String::from_utf8_lossy(&client.realm).into_owned();
    let service = parse_service(target, &client_realm)?;
    let cred = ccache.find(&service).ok_or_else(|| {
        Error::Usage(format!(
            "no ticket for {} in the credential cache (get one with `kvno {target}`)",
            service
        ))
    })?;
    let key = cred
        .key()
        .map_err(|e| Error::auth("session key in the credential cache", e))?;
    Ok((client, cred.ticket.clone(), key))
}

fn connect_kerberos(
    args: &Args,
    open: impl FnOnce() -> Result<TcpStream>,
    message: &str,
) -> Result<Vec<u8>> {
    let target = args.require("target")?;
    let (client, ticket, key) = kerberos_ticket(&Ccache::read_default()?, target)?;
    let client_parts = NameParts::of(&client);
    let strings = client_parts.strings();
    let name = PrincipalName::new(client_parts.name_type(), &strings);
    let mut ctx = kerberos::Initiator::new(
        &ticket,
        key,
        name,
        &client.realm,
        kerberos::InitiatorConfig::default(),
    )
    .map_err(|e| Error::auth("Kerberos initiator", e))?;
    session::client(&mut open()?, &mut ctx, message.as_bytes())
}
