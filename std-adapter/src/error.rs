//! The adapter's error: what failed, in one line a user can act on.

use std::{fmt, io};

/// An error of the std adapter or the CLI.
#[derive(Debug)]
pub enum Error {
    /// An I/O operation failed; `what` names it ("reading keytab /etc/krb5.keytab").
    Io { what: String, source: io::Error },
    /// Core refused a token or a message.
    Auth {
        what: &'static str,
        source: authcore::Error,
    },
    /// A file or a peer broke the expected format or protocol.
    Format(String),
    /// The command line or configuration is wrong.
    Usage(String),
}

impl Error {
    /// Wraps an I/O error with what was being done.
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
    /// Wraps a core error with the step that failed.
    pub fn auth(what: &'static str, source: authcore::Error) -> Error {
        Error::Auth { what, source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Auth { what, source } => write!(f, "{what}: {source}"),
            Error::Format(msg) | Error::Usage(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Auth { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Result with the adapter's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
