//! The crate's one error type. Every refusal has a stable code the UI and tests key on, the field
//! at fault where there is one, and a zh-CN sentence — the server answers `{code, message, field}`
//! in Chinese; the desktop's core may word the same code in the person's language.

use hallkeeper_proto::ErrorBody;

/// Why a new password is refused (`password::check_new_password`). Shown at the password field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum PasswordProblem {
    #[error("the password has fewer than {min} characters")]
    TooShort { min: usize },
    #[error("the password has more than {max} characters")]
    TooLong { max: usize },
    #[error("the password is the login name")]
    IsLogin,
    #[error("the password contains the login name")]
    ContainsLogin,
    #[error("the password is in the list of common passwords")]
    Common,
}

impl PasswordProblem {
    /// The field every password problem is found at.
    pub const FIELD: &'static str = "password";

    /// The stable code; never renumber or rename.
    pub fn code(self) -> &'static str {
        match self {
            Self::TooShort { .. } => "password.too_short",
            Self::TooLong { .. } => "password.too_long",
            Self::IsLogin => "password.is_login",
            Self::ContainsLogin => "password.contains_login",
            Self::Common => "password.common",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::TooShort { min } => format!("密码至少需要 {min} 个字符"),
            Self::TooLong { max } => format!("密码不能超过 {max} 个字符"),
            Self::IsLogin => "密码不能与登录名相同".into(),
            Self::ContainsLogin => "密码不能包含登录名".into(),
            Self::Common => "这个密码太常见，容易被猜到，请换一个".into(),
        }
    }
}

/// Everything this crate can refuse or fail at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    Password(#[from] PasswordProblem),
    /// The OS gave no randomness for a salt or a token: nothing safe can be made without it.
    #[error("no randomness from the OS: {reason}")]
    NoRandomness { reason: String },
    /// argon2 refused to hash (its parameters or memory); not the person's fault.
    #[error("password hashing failed: {reason}")]
    HashFailed { reason: String },
    /// A stored hash or verifier that is not an argon2 PHC string this crate can check.
    #[error("the stored password hash is not readable: {reason}")]
    StoredHashInvalid { reason: String },
    /// A grant whose shape is wrong (a hall role without its hall, a 系统管理员 with one).
    #[error("grant refused: {reason}")]
    GrantInvalid { reason: &'static str },
}

impl AccessError {
    /// The stable code; for a password problem the problem's own code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Password(p) => p.code(),
            Self::NoRandomness { .. } => "access.no_randomness",
            Self::HashFailed { .. } => "access.hash_failed",
            Self::StoredHashInvalid { .. } => "access.stored_hash_invalid",
            Self::GrantInvalid { .. } => "access.grant_invalid",
        }
    }

    /// The input field at fault, if the person can fix it there.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Password(_) => Some(PasswordProblem::FIELD),
            Self::GrantInvalid { .. } => Some("grants"),
            Self::NoRandomness { .. } | Self::HashFailed { .. } | Self::StoredHashInvalid { .. } => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Password(p) => p.message(),
            Self::NoRandomness { .. } | Self::HashFailed { .. } => {
                "服务器暂时无法处理密码，请稍后再试".into()
            }
            Self::StoredHashInvalid { .. } => "该账号的密码记录已损坏，请管理员重置密码".into(),
            Self::GrantInvalid { reason } => format!("角色授权有误：{reason}"),
        }
    }

    /// The project's `{code, message, field}` answer.
    pub fn to_body(&self) -> ErrorBody {
        ErrorBody { code: self.code().into(), message: self.message(), field: self.field().map(Into::into) }
    }
}

pub type Result<T, E = AccessError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_namespaced() {
        let errors = [
            AccessError::Password(PasswordProblem::TooShort { min: 10 }),
            AccessError::Password(PasswordProblem::TooLong { max: 256 }),
            AccessError::Password(PasswordProblem::IsLogin),
            AccessError::Password(PasswordProblem::ContainsLogin),
            AccessError::Password(PasswordProblem::Common),
            AccessError::NoRandomness { reason: "x".into() },
            AccessError::HashFailed { reason: "x".into() },
            AccessError::StoredHashInvalid { reason: "x".into() },
            AccessError::GrantInvalid { reason: "x" },
        ];
        let codes: std::collections::HashSet<_> = errors.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), errors.len());
        for e in &errors {
            assert!(e.code().starts_with("password.") || e.code().starts_with("access."), "{}", e.code());
            assert!(!e.message().is_empty());
        }
    }

    #[test]
    fn a_password_problem_is_answered_at_the_password_field() {
        let body = AccessError::from(PasswordProblem::TooShort { min: 10 }).to_body();
        assert_eq!(body.code, "password.too_short");
        assert_eq!(body.field.as_deref(), Some("password"));
        assert!(body.message.contains("10"), "{}", body.message);
    }
}
