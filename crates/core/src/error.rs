use std::fmt;

use serde::{Deserialize, Serialize};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable machine codes. Programs (the UI, MCP clients, scripts reading stderr) switch on
/// these, never on message text, so a variant's serialized name must never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ErrorCode {
    /// The server could not be reached or the connection broke.
    ConnectionFailed,
    /// The server refused the credentials.
    AuthFailed,
    /// The server rejected or failed the statement.
    QueryFailed,
    /// A time limit ran out (statement timeout, connect timeout).
    Timeout,
    /// The caller cancelled the operation.
    Cancelled,
    /// A table, profile, database or other named thing does not exist.
    NotFound,
    /// The request itself is malformed: a bad URL, a bad parameter, a bad option.
    InvalidInput,
    /// A write was attempted where only reads are allowed.
    ReadOnlyViolation,
    /// The profile's access level forbids the operation.
    PermissionDenied,
    /// The engine or feature is not available in this build or on this server.
    Unsupported,
    /// No OS keyring could be reached to read or store a secret.
    KeyringUnavailable,
    /// The audit log could not be written before the call, so the call did not run
    /// (every AI call is recorded before it reaches a database: docs/safety.md).
    AuditUnavailable,
    /// A client sent more requests, or more at once, than its token allows; retry later
    /// (the HTTP answer says when in `Retry-After`).
    RateLimited,
    /// The audit log's hash chain does not verify: a row was changed, removed or inserted
    /// by something other than DB Dock (`dbdock audit verify`).
    AuditTampered,
    /// An SSH jump host answered with a different host key than the one on record: either
    /// the host was reinstalled or someone is in the middle. Never accepted silently
    /// (docs/network.md).
    HostKeyMismatch,
    /// An SSH jump host's key is in no known-hosts file: the message gives its fingerprint
    /// and how to accept it; the app asks the user to confirm it.
    HostKeyUnknown,
    /// The change is refused because something is using what it would change: a Kafka
    /// consumer group's offsets while the group has active members.
    InUse,
    /// A bug or an unexpected state in DB Dock itself.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConnectionFailed => "CONNECTION_FAILED",
            ErrorCode::AuthFailed => "AUTH_FAILED",
            ErrorCode::QueryFailed => "QUERY_FAILED",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::ReadOnlyViolation => "READ_ONLY_VIOLATION",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::Unsupported => "UNSUPPORTED",
            ErrorCode::KeyringUnavailable => "KEYRING_UNAVAILABLE",
            ErrorCode::AuditUnavailable => "AUDIT_UNAVAILABLE",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::AuditTampered => "AUDIT_TAMPERED",
            ErrorCode::HostKeyMismatch => "HOST_KEY_MISMATCH",
            ErrorCode::HostKeyUnknown => "HOST_KEY_UNKNOWN",
            ErrorCode::InUse => "IN_USE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one error type of DB Dock. It serializes as `{"code": "...", "message": "..."}`
/// for the UI and MCP clients. Messages are written for the reader (a person or a model):
/// they say what went wrong and, where it helps, what to do next. They never contain a
/// secret: engines build them from redacted targets and scrub driver text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }

    pub fn connection_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ConnectionFailed, message)
    }

    pub fn auth_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::AuthFailed, message)
    }

    pub fn query_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::QueryFailed, message)
    }

    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Timeout, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unsupported, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// Prefix the message with where it happened, keeping the code.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Remove every occurrence of `secret` from the message. Engines call this on driver
    /// text before it leaves them, as a second line of defence behind redacted targets.
    pub fn scrub(mut self, secret: &crate::Secret) -> Self {
        self.message = secret.mask_in(&self.message);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = Error::new(ErrorCode::ReadOnlyViolation, "no writes here");
        let json = serde_json::to_value(&e).unwrap_or_default();
        assert_eq!(json, serde_json::json!({"code": "READ_ONLY_VIOLATION", "message": "no writes here"}));
    }

    #[test]
    fn code_names_are_stable() {
        for (code, name) in [
            (ErrorCode::ConnectionFailed, "CONNECTION_FAILED"),
            (ErrorCode::AuthFailed, "AUTH_FAILED"),
            (ErrorCode::QueryFailed, "QUERY_FAILED"),
            (ErrorCode::Timeout, "TIMEOUT"),
            (ErrorCode::Cancelled, "CANCELLED"),
            (ErrorCode::NotFound, "NOT_FOUND"),
            (ErrorCode::InvalidInput, "INVALID_INPUT"),
            (ErrorCode::ReadOnlyViolation, "READ_ONLY_VIOLATION"),
            (ErrorCode::PermissionDenied, "PERMISSION_DENIED"),
            (ErrorCode::Unsupported, "UNSUPPORTED"),
            (ErrorCode::KeyringUnavailable, "KEYRING_UNAVAILABLE"),
            (ErrorCode::AuditUnavailable, "AUDIT_UNAVAILABLE"),
            (ErrorCode::RateLimited, "RATE_LIMITED"),
            (ErrorCode::AuditTampered, "AUDIT_TAMPERED"),
            (ErrorCode::HostKeyMismatch, "HOST_KEY_MISMATCH"),
            (ErrorCode::HostKeyUnknown, "HOST_KEY_UNKNOWN"),
            (ErrorCode::InUse, "IN_USE"),
            (ErrorCode::Internal, "INTERNAL"),
        ] {
            assert_eq!(code.as_str(), name);
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::json!(name)));
        }
    }

    #[test]
    fn scrub_removes_the_secret() {
        let e = Error::auth_failed("password s3cret! rejected").scrub(&crate::Secret::new("s3cret!"));
        assert_eq!(e.message, "password *** rejected");
    }
}
