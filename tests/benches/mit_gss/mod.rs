//! MIT krb5's GSS-API, loaded at run time from `libgssapi_krb5.so.2` (the
//! runtime package; no headers or `-dev` package needed), so the bench can
//! time `gss_wrap`/`gss_unwrap` through FFI inside criterion, in the same run
//! as authcore.
//!
//! [`MitPair::establish`] runs a real in-process MIT initiator and acceptor:
//! a throwaway krb5.conf (only aes256-cts-hmac-sha1-96 permitted, so the
//! authenticator and acceptor subkeys are that etype too), a keytab holding
//! the service key and a credential cache holding a ticket authcore minted for
//! it, named through `KRB5_CONFIG`, `KRB5_KTNAME` and `KRB5CCNAME`.

use std::ffi::{c_char, c_int, c_void, CString};
use std::path::{Path, PathBuf};
use std::ptr;

use authcore::crypto::{Etype, Key};
use authcore::kerberos::mint::{mint_ticket, TicketSpec};
use authcore::kerberos::wire::{name_type, ticket_flags, KerberosString, PrincipalName};
use authcore::Time;
use authcore_std::ccache::{Ccache, Credential, Times};
use authcore_std::keytab::{Entry, Keytab, Principal};
use authcore_tests::bench_rng::TestRng;

type OmUint32 = u32;

#[repr(C)]
struct BufferDesc {
    length: usize,
    value: *mut c_void,
}

impl BufferDesc {
    const EMPTY: BufferDesc = BufferDesc {
        length: 0,
        value: ptr::null_mut(),
    };

    fn of(bytes: &[u8]) -> BufferDesc {
        BufferDesc {
            length: bytes.len(),
            value: bytes.as_ptr() as *mut c_void,
        }
    }
}

#[repr(C)]
struct OidDesc {
    length: OmUint32,
    elements: *const c_void,
}

type Ctx = *mut c_void;
type Name = *mut c_void;

const GSS_C_MUTUAL_FLAG: OmUint32 = 2;
const GSS_C_REPLAY_FLAG: OmUint32 = 4;
const GSS_C_SEQUENCE_FLAG: OmUint32 = 8;
const GSS_C_CONF_FLAG: OmUint32 = 16;
const GSS_C_INTEG_FLAG: OmUint32 = 32;
const GSS_S_COMPLETE: OmUint32 = 0;
const GSS_S_CONTINUE_NEEDED: OmUint32 = 1;

/// 1.2.840.113554.1.2.2 (RFC 1964).
static KRB5_MECH: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
/// 1.2.840.113554.1.2.2.1: GSS_KRB5_NT_PRINCIPAL_NAME.
static KRB5_NT_PRINCIPAL: [u8; 10] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01];

type ImportName =
    unsafe extern "C" fn(*mut OmUint32, *mut BufferDesc, *const OidDesc, *mut Name) -> OmUint32;
type InitSecContext = unsafe extern "C" fn(
    *mut OmUint32,
    *mut c_void,
    *mut Ctx,
    Name,
    *const OidDesc,
    OmUint32,
    OmUint32,
    *mut c_void,
    *mut BufferDesc,
    *mut *mut OidDesc,
    *mut BufferDesc,
    *mut OmUint32,
    *mut OmUint32,
) -> OmUint32;
type AcceptSecContext = unsafe extern "C" fn(
    *mut OmUint32,
    *mut Ctx,
    *mut c_void,
    *mut BufferDesc,
    *mut c_void,
    *mut Name,
    *mut *mut OidDesc,
    *mut BufferDesc,
    *mut OmUint32,
    *mut OmUint32,
    *mut *mut c_void,
) -> OmUint32;
type Wrap = unsafe extern "C" fn(
    *mut OmUint32,
    Ctx,
    c_int,
    OmUint32,
    *mut BufferDesc,
    *mut c_int,
    *mut BufferDesc,
) -> OmUint32;
type Unwrap = unsafe extern "C" fn(
    *mut OmUint32,
    Ctx,
    *mut BufferDesc,
    *mut BufferDesc,
    *mut c_int,
    *mut OmUint32,
) -> OmUint32;
type ReleaseBuffer = unsafe extern "C" fn(*mut OmUint32, *mut BufferDesc) -> OmUint32;
type DeleteSecContext = unsafe extern "C" fn(*mut OmUint32, *mut Ctx, *mut BufferDesc) -> OmUint32;
type ReleaseName = unsafe extern "C" fn(*mut OmUint32, *mut Name) -> OmUint32;

extern "C" {
    fn dlopen(filename: *const c_char, flag: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
}
const RTLD_NOW: c_int = 2;

struct Api {
    import_name: ImportName,
    init_sec_context: InitSecContext,
    accept_sec_context: AcceptSecContext,
    wrap: Wrap,
    unwrap: Unwrap,
    release_buffer: ReleaseBuffer,
    delete_sec_context: DeleteSecContext,
    release_name: ReleaseName,
}

impl Api {
    fn load() -> Result<Api, String> {
        let lib = CString::new("libgssapi_krb5.so.2").unwrap();
        // SAFETY: dlopen of a system library by name; the handle is never closed.
        let handle = unsafe { dlopen(lib.as_ptr(), RTLD_NOW) };
        if handle.is_null() {
            return Err("libgssapi_krb5.so.2 not found (install libgssapi-krb5-2)".into());
        }
        let sym = |name: &str| -> Result<*mut c_void, String> {
            let c = CString::new(name).unwrap();
            // SAFETY: dlsym on a live handle with a NUL-terminated name.
            let p = unsafe { dlsym(handle, c.as_ptr()) };
            if p.is_null() {
                Err(format!("{name} missing from libgssapi_krb5"))
            } else {
                Ok(p)
            }
        };
        // SAFETY: each symbol is the MIT GSS-API function of that name, whose C
        // prototype (gssapi.h, RFC 2744) the function pointer type repeats.
        unsafe {
            Ok(Api {
                import_name: std::mem::transmute::<*mut c_void, ImportName>(sym(
                    "gss_import_name",
                )?),
                init_sec_context: std::mem::transmute::<*mut c_void, InitSecContext>(sym(
                    "gss_init_sec_context",
                )?),
                accept_sec_context: std::mem::transmute::<*mut c_void, AcceptSecContext>(sym(
                    "gss_accept_sec_context",
                )?),
                wrap: std::mem::transmute::<*mut c_void, Wrap>(sym("gss_wrap")?),
                unwrap: std::mem::transmute::<*mut c_void, Unwrap>(sym("gss_unwrap")?),
                release_buffer: std::mem::transmute::<*mut c_void, ReleaseBuffer>(sym(
                    "gss_release_buffer",
                )?),
                delete_sec_context: std::mem::transmute::<*mut c_void, DeleteSecContext>(sym(
                    "gss_delete_sec_context",
                )?),
                release_name: std::mem::transmute::<*mut c_void, ReleaseName>(sym(
                    "gss_release_name",
                )?),
            })
        }
    }
}

const REALM: &str = "EXAMPLE.TEST";
const KVNO: u32 = 2;
static SERVICE: [KerberosString<'static>; 2] =
    [KerberosString(b"host"), KerberosString(b"localhost")];
static ALICE: [KerberosString<'static>; 1] = [KerberosString(b"alice")];

/// An established MIT initiator/acceptor pair (aes256-cts-hmac-sha1-96).
pub struct MitPair {
    api: Api,
    initiator: Ctx,
    acceptor: Ctx,
    dir: PathBuf,
}

fn check(what: &str, major: OmUint32, minor: OmUint32) -> Result<(), String> {
    if major == GSS_S_COMPLETE {
        Ok(())
    } else {
        Err(format!("{what}: major {major:#x}, minor {minor}"))
    }
}

/// Writes the throwaway realm files: krb5.conf, keytab, ccache.
fn write_realm(dir: &Path, rng: &mut TestRng) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let etype = Etype::Aes256CtsHmacSha196;
    std::fs::write(
        dir.join("krb5.conf"),
        format!(
            "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n \
             dns_lookup_realm = false\n dns_canonicalize_hostname = false\n rdns = false\n \
             permitted_enctypes = {0}\n default_tkt_enctypes = {0}\n \
             default_tgs_enctypes = {0}\n\
             [realms]\n {REALM} = {{\n  kdc = 127.0.0.1:9\n }}\n",
            etype.name()
        ),
    )
    .map_err(|e| e.to_string())?;
    let service_key = Key::random(etype, rng).map_err(|e| e.to_string())?;
    let session_key = Key::random(etype, rng).map_err(|e| e.to_string())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (start, end) = (now - 60, now + 3600);
    let flags = ticket_flags::FORWARDABLE | ticket_flags::PRE_AUTHENT;
    let spec = TicketSpec {
        realm: REALM.as_bytes(),
        service: PrincipalName::new(name_type::SRV_HST, &SERVICE),
        kvno: Some(KVNO),
        client_realm: REALM.as_bytes(),
        client: PrincipalName::new(name_type::PRINCIPAL, &ALICE),
        session_key: &session_key,
        flags,
        authtime: Time::from_unix_secs(start),
        starttime: None,
        endtime: Time::from_unix_secs(end),
        authorization_data: None,
    };
    let mut ticket = vec![0u8; 2048];
    let n = mint_ticket(&service_key, &spec, rng, &mut ticket).map_err(|e| e.to_string())?;
    ticket.truncate(n);

    let service = Principal::new(REALM, &["host", "localhost"], name_type::SRV_HST);
    let keytab = Keytab {
        entries: vec![Entry::new(
            service.clone(),
            start as u32,
            KVNO,
            etype.as_i32(),
            service_key.as_bytes(),
        )],
    };
    keytab
        .write(&dir.join("keytab"))
        .map_err(|e| e.to_string())?;
    let alice = Principal::new(REALM, &["alice"], name_type::PRINCIPAL);
    let mut ccache = Ccache::new(alice.clone());
    ccache.add(Credential::new(
        alice,
        service,
        etype.as_i32(),
        session_key.as_bytes(),
        Times {
            authtime: start as u32,
            starttime: start as u32,
            endtime: end as u32,
            renew_till: 0,
        },
        flags,
        ticket,
    ));
    ccache.write(&dir.join("ccache")).map_err(|e| e.to_string())
}

impl MitPair {
    /// Sets up the realm files and runs the AP exchange (mutual, so the MIT
    /// acceptor sends an acceptor subkey, as authcore's does).
    pub fn establish(rng: &mut TestRng) -> Result<MitPair, String> {
        let api = Api::load()?;
        let dir = std::env::temp_dir().join(format!("authcore-bench-mit-{}", std::process::id()));
        write_realm(&dir, rng)?;
        // Single-threaded at this point: criterion has not started.
        std::env::set_var("KRB5_CONFIG", dir.join("krb5.conf"));
        std::env::set_var(
            "KRB5_KTNAME",
            format!("FILE:{}", dir.join("keytab").display()),
        );
        std::env::set_var(
            "KRB5CCNAME",
            format!("FILE:{}", dir.join("ccache").display()),
        );
        std::env::set_var("KRB5RCACHENAME", "none:");
        let mut pair = MitPair {
            api,
            initiator: ptr::null_mut(),
            acceptor: ptr::null_mut(),
            dir,
        };
        pair.handshake()?;
        Ok(pair)
    }

    fn handshake(&mut self) -> Result<(), String> {
        let api = &self.api;
        let mut minor = 0;
        let principal = format!("host/localhost@{REALM}");
        let mut name_buf = BufferDesc::of(principal.as_bytes());
        let nt = OidDesc {
            length: KRB5_NT_PRINCIPAL.len() as OmUint32,
            elements: KRB5_NT_PRINCIPAL.as_ptr().cast(),
        };
        let mech = OidDesc {
            length: KRB5_MECH.len() as OmUint32,
            elements: KRB5_MECH.as_ptr().cast(),
        };
        let mut target: Name = ptr::null_mut();
        // SAFETY: RFC 2744 calls with valid pointers to live locals; output
        // buffers are released with gss_release_buffer.
        unsafe {
            let major = (api.import_name)(&mut minor, &mut name_buf, &nt, &mut target);
            check("gss_import_name", major, minor)?;
            let flags = GSS_C_MUTUAL_FLAG
                | GSS_C_REPLAY_FLAG
                | GSS_C_SEQUENCE_FLAG
                | GSS_C_CONF_FLAG
                | GSS_C_INTEG_FLAG;
            let mut empty = BufferDesc::EMPTY;
            let mut ap_req = BufferDesc::EMPTY;
            let mut ret_flags = 0;
            let major = (api.init_sec_context)(
                &mut minor,
                ptr::null_mut(),
                &mut self.initiator,
                target,
                &mech,
                flags,
                0,
                ptr::null_mut(),
                &mut empty,
                ptr::null_mut(),
                &mut ap_req,
                &mut ret_flags,
                ptr::null_mut(),
            );
            if major != GSS_S_CONTINUE_NEEDED {
                (api.release_name)(&mut minor, &mut target);
                return Err(format!(
                    "gss_init_sec_context (first): major {major:#x}, minor {minor}"
                ));
            }
            let mut ap_rep = BufferDesc::EMPTY;
            let major = (api.accept_sec_context)(
                &mut minor,
                &mut self.acceptor,
                ptr::null_mut(),
                &mut ap_req,
                ptr::null_mut(),
                ptr::null_mut(),
                ptr::null_mut(),
                &mut ap_rep,
                &mut ret_flags,
                ptr::null_mut(),
                ptr::null_mut(),
            );
            (api.release_buffer)(&mut minor, &mut ap_req);
            if major != GSS_S_COMPLETE {
                (api.release_name)(&mut minor, &mut target);
            }
            check("gss_accept_sec_context", major, minor)?;
            let mut none = BufferDesc::EMPTY;
            let major = (api.init_sec_context)(
                &mut minor,
                ptr::null_mut(),
                &mut self.initiator,
                target,
                &mech,
                flags,
                0,
                ptr::null_mut(),
                &mut ap_rep,
                ptr::null_mut(),
                &mut none,
                &mut ret_flags,
                ptr::null_mut(),
            );
            (api.release_name)(&mut minor, &mut target);
            (api.release_buffer)(&mut minor, &mut ap_rep);
            (api.release_buffer)(&mut minor, &mut none);
            check("gss_init_sec_context (AP-REP)", major, minor)?;
        }
        Ok(())
    }

    /// gss_wrap (confidential) on the initiator, then gss_unwrap of that token on
    /// the acceptor, releasing both output buffers as an application must;
    /// returns the unwrapped length.
    pub fn wrap_unwrap(&mut self, msg: &[u8]) -> usize {
        self.round(msg, |plain| plain.len())
    }

    /// One [`MitPair::wrap_unwrap`] that also compares the unwrapped bytes.
    pub fn round_trip_matches(&mut self, msg: &[u8]) -> bool {
        self.round(msg, |plain| plain == msg)
    }

    fn round<T>(&mut self, msg: &[u8], seen: impl FnOnce(&[u8]) -> T) -> T {
        let api = &self.api;
        let mut minor = 0;
        let mut input = BufferDesc::of(msg);
        let mut token = BufferDesc::EMPTY;
        let mut plain = BufferDesc::EMPTY;
        let mut conf: c_int = 0;
        let mut qop = 0;
        // SAFETY: established contexts, buffers per RFC 2744, outputs released.
        unsafe {
            let major = (api.wrap)(
                &mut minor,
                self.initiator,
                1,
                0,
                &mut input,
                &mut conf,
                &mut token,
            );
            assert_eq!((major, conf), (GSS_S_COMPLETE, 1), "gss_wrap");
            let major = (api.unwrap)(
                &mut minor,
                self.acceptor,
                &mut token,
                &mut plain,
                &mut conf,
                &mut qop,
            );
            assert_eq!((major, conf), (GSS_S_COMPLETE, 1), "gss_unwrap");
            let n = seen(std::slice::from_raw_parts(
                plain.value as *const u8,
                plain.length,
            ));
            (api.release_buffer)(&mut minor, &mut token);
            (api.release_buffer)(&mut minor, &mut plain);
            n
        }
    }
}

impl Drop for MitPair {
    fn drop(&mut self) {
        let mut minor = 0;
        // SAFETY: the contexts were created by MIT (or are null, which it accepts).
        unsafe {
            let mut none = BufferDesc::EMPTY;
            (self.api.delete_sec_context)(&mut minor, &mut self.initiator, &mut none);
            (self.api.delete_sec_context)(&mut minor, &mut self.acceptor, &mut none);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
