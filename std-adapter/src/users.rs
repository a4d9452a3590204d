//! NTLM users files in gss-ntlmssp's format (`NTLM_USER_FILE`): one
//! `DOMAIN:user:password` per line; an empty DOMAIN matches any domain.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One line of a users file.
pub struct User {
    /// Domain as written (may be empty: any domain).
    pub domain: String,
    /// User name as written.
    pub user: String,
    /// The password (zeroized on drop).
    pub password: Zeroizing<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("domain", &self.domain)
            .field("user", &self.user)
            .finish()
    }
}

/// The users of one file.
#[derive(Debug, Default)]
pub struct UsersFile {
    users: Vec<User>,
}

impl UsersFile {
    /// Parses the text of a users file. Blank lines and lines starting with `#` are skipped.
    pub fn parse(text: &str) -> Result<UsersFile> {
        let mut users = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            // The password is everything after the second colon: it may hold colons.
            let mut parts = line.splitn(3, ':');
            let (Some(domain), Some(user), Some(password)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(Error::Format(format!(
                    "users file line {}: expected DOMAIN:user:password",
                    n + 1
                )));
            };
            if user.is_empty() {
                return Err(Error::Format(format!(
                    "users file line {}: empty user name",
                    n + 1
                )));
            }
            users.push(User {
                domain: domain.to_string(),
                user: user.to_string(),
                password: Zeroizing::new(password.to_string()),
            });
        }
        Ok(UsersFile { users })
    }

    /// Reads and parses a users file.
    pub fn load(path: &Path) -> Result<UsersFile> {
        let text = Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| Error::io(format!("reading users file {}", path.display()), e))?,
        );
        UsersFile::parse(&text)
    }

    /// Finds a user: names compare case-insensitively (as Windows does); an
    /// entry with an empty domain matches any domain. Exact-domain entries win.
    pub fn find(&self, user: &str, domain: &str) -> Option<&User> {
        let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
        self.users
            .iter()
            .find(|u| same(&u.user, user) && !u.domain.is_empty() && same(&u.domain, domain))
            .or_else(|| {
                self.users
                    .iter()
                    .find(|u| same(&u.user, user) && u.domain.is_empty())
            })
    }

    /// All entries.
    pub fn users(&self) -> &[User] {
        &self.users
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_finds() {
        let f =
            UsersFile::parse("# comment\nCORP:Alice:pa:ss\n:bob:pw\r\n\nOTHER:alice:x\n").unwrap();
        assert_eq!(f.users().len(), 3);
        assert_eq!(f.find("ALICE", "corp").unwrap().password.as_str(), "pa:ss");
        assert_eq!(f.find("alice", "other").unwrap().password.as_str(), "x");
        assert_eq!(f.find("bob", "ANY").unwrap().password.as_str(), "pw");
        assert!(f.find("alice", "nowhere").is_none());
        assert!(f.find("carol", "CORP").is_none());
    }

    #[test]
    fn rejects_bad_lines() {
        assert!(UsersFile::parse("CORP:alice\n").is_err());
        assert!(UsersFile::parse("CORP::pw\n").is_err());
    }
}
