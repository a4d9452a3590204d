//! Kerberos glue between core and the platform: the MIT keytab as core's
//! [`KeyTable`], a replay cache shared by every connection of a server, and
//! principal-name conversions.

use std::sync::{Arc, Mutex};

use authcore::crypto::{Etype, Key};
use authcore::kerberos::wire::{KerberosString, PrincipalName};
use authcore::kerberos::{KeyTable, ReplayCache, ReplayCheck, ReplayDigest};
use authcore::{Error as CoreError, Result as CoreResult, Time};

use crate::keytab::{Keytab, Principal};

impl KeyTable for Keytab {
    fn key(
        &self,
        service: &PrincipalName<'_>,
        realm: &[u8],
        kvno: Option<u32>,
        etype: Etype,
    ) -> CoreResult<Key> {
        let same_name = |p: &Principal| {
            p.realm == realm && service.same_components(p.components.iter().map(Vec::as_slice))
        };
        let named: Vec<_> = self
            .entries
            .iter()
            .filter(|e| same_name(&e.principal))
            .collect();
        if named.is_empty() {
            return Err(CoreError::UnknownPrincipal);
        }
        let versioned: Vec<_> = match kvno {
            Some(v) => named.into_iter().filter(|e| e.kvno == v).collect(),
            None => {
                let newest = named.iter().map(|e| e.kvno).max().unwrap_or(0);
                named.into_iter().filter(|e| e.kvno == newest).collect()
            }
        };
        if versioned.is_empty() {
            return Err(CoreError::BadKeyVersion);
        }
        versioned
            .into_iter()
            .find(|e| e.enctype == etype.as_i32())
            .ok_or(CoreError::NoKey)?
            .to_key()
    }
}

/// Authenticators this server has seen, shared by all its connections.
pub const SERVER_REPLAY_CAPACITY: usize = 4096;

/// A replay cache behind a lock, cloned into each connection's acceptor.
#[derive(Clone, Default)]
pub struct SharedReplayCache(Arc<Mutex<ReplayCache<SERVER_REPLAY_CAPACITY>>>);

impl ReplayCheck for SharedReplayCache {
    fn check_and_insert(
        &mut self,
        digest: &ReplayDigest,
        ctime: Time,
        now: Time,
        skew_secs: u32,
    ) -> CoreResult<()> {
        // A poisoned lock means another connection panicked mid-insert; the
        // cache itself is still consistent (insert is a plain array write).
        let mut cache = self.0.lock().unwrap_or_else(|p| p.into_inner());
        cache.check_and_insert(digest, ctime, now, skew_secs)
    }
}

/// Owned components of a principal, to lend out as a core [`PrincipalName`].
pub struct NameParts {
    name_type: i32,
    parts: Vec<Vec<u8>>,
}

impl NameParts {
    /// The name part of an adapter [`Principal`].
    pub fn of(p: &Principal) -> NameParts {
        NameParts {
            name_type: p.name_type,
            parts: p.components.clone(),
        }
    }

    /// Components as core strings; keep the result alive while the name is used.
    pub fn strings(&self) -> Vec<KerberosString<'_>> {
        self.parts.iter().map(|c| KerberosString(c)).collect()
    }

    /// The name type.
    pub fn name_type(&self) -> i32 {
        self.name_type
    }
}

/// Parses a service given as `service/host`, `service@host` (GSS host-based
/// form) or `service/host@REALM`; a missing realm is `default_realm`.
pub fn parse_service(spec: &str, default_realm: &str) -> Result<Principal, crate::Error> {
    let (name, realm) = match spec.split_once('@') {
        // `service@host` is the GSS host-based form, not a realm.
        Some((service, host)) if !service.contains('/') => {
            (format!("{service}/{host}"), default_realm.to_string())
        }
        Some((name, realm)) => (name.to_string(), realm.to_string()),
        None => (spec.to_string(), default_realm.to_string()),
    };
    let mut p = Principal::parse(&format!("{name}@{realm}"))
        .map_err(|e| crate::Error::Usage(format!("bad service name '{spec}': {e}")))?;
    if p.components.len() == 2 {
        p.name_type = 3; // NT-SRV-HST
                         // Host names are case-insensitive; MIT canonicalises them to lower case.
        if let Some(host) = p.components.get_mut(1) {
            host.make_ascii_lowercase();
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_forms() {
        let p = parse_service("host/Server.Example.com", "EXAMPLE.COM").unwrap();
        assert_eq!(
            p.components,
            vec![b"host".to_vec(), b"server.example.com".to_vec()]
        );
        assert_eq!(p.realm, b"EXAMPLE.COM");
        let q = parse_service("host@server.example.com", "EXAMPLE.COM").unwrap();
        assert_eq!(q.components, p.components);
        let r = parse_service("HTTP/web@OTHER.REALM", "EXAMPLE.COM").unwrap();
        assert_eq!(r.realm, b"OTHER.REALM");
        assert!(parse_service("", "X").is_err());
    }
}
