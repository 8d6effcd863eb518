//! The one place where failures become Clerk-shaped error responses:
//! `{"errors":[{code,message,long_message,meta}],"clerk_trace_id"}` with Clerk's status codes.
//! Internal causes are logged under the trace id and never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use usher_core::CoreError;
use usher_core::error::{Cause, report};

/// What a handler answers: a response, or a Clerk-shaped error.
pub type ApiResult = Result<Response, ApiError>;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    /// Boxed so that `Result<_, ApiError>` stays small on the success path.
    pub detail: Box<ErrorDetail>,
}

#[derive(Debug, Clone)]
pub struct ErrorDetail {
    pub message: String,
    pub long_message: String,
    pub meta: Map<String, Value>,
    pub retry_after: Option<u64>,
    /// Logged with its causes, never returned.
    pub internal: Option<Cause>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        long_message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            detail: Box::new(ErrorDetail {
                message: message.into(),
                long_message: long_message.into(),
                meta: Map::new(),
                retry_after: None,
                internal: None,
            }),
        }
    }

    pub fn with_param(mut self, param: &str) -> Self {
        self.detail
            .meta
            .insert("param_name".into(), Value::String(param.to_owned()));
        self
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            format!("{what} not found"),
        )
    }

    pub fn route_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            "The requested resource was not found.",
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method not allowed",
            "This resource does not support the requested HTTP method.",
        )
    }

    pub fn body_invalid(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "request_body_invalid",
            "Request body is invalid",
            detail,
        )
    }

    pub fn body_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_body_too_large",
            "Request body is too large",
            format!("Request bodies may be at most {limit} bytes."),
        )
    }

    /// A query-string parameter at fault: 400, as Clerk answers for `limit=0` or `limit=abc`.
    pub fn query(err: CoreError) -> Self {
        let mut e = Self::from(err);
        e.status = StatusCode::BAD_REQUEST;
        e
    }

    pub fn internal(cause: Cause) -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_clerk_error",
            "Something went wrong",
            "There was an internal error on our servers. We've been notified and are working on fixing it.",
        );
        e.detail.internal = Some(cause);
        e
    }

    /// Clerk's 503: the service cannot answer this request now; clients retry it (clerk-js
    /// retries a token request on any 5xx and keeps the session, where a 401 signs it out).
    pub fn unavailable(cause: Option<Cause>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Service unavailable",
            "The service is temporarily unavailable. Please try again shortly.",
        );
        e.detail.internal = cause;
        e.detail.retry_after = Some(1);
        e
    }

    pub fn body(&self, trace_id: &str) -> Value {
        json!({
            "errors": [{
                "code": self.code,
                "message": self.detail.message,
                "long_message": self.detail.long_message,
                "meta": self.detail.meta,
            }],
            "clerk_trace_id": trace_id,
        })
    }
}

fn identifier_message(param: &str) -> &'static str {
    match param {
        "email_address" => "That email address is taken. Please try another.",
        "phone_number" => "That phone number is taken. Please try another.",
        "username" => "That username is taken. Please try another.",
        "slug" => "That slug is taken. Please try another.",
        "name" => "That domain name is taken. Please try another.",
        _ => "That external ID is taken. Please try another.",
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        use StatusCode as S;
        let unprocessable = |code, message: &str, long: String| {
            ApiError::new(S::UNPROCESSABLE_ENTITY, code, message, long)
        };
        match err {
            CoreError::NotFound { resource } => ApiError::not_found(resource),
            CoreError::IdentifierExists { param } => unprocessable(
                "form_identifier_exists",
                identifier_message(param),
                identifier_message(param).to_owned(),
            )
            .with_param(param),
            // Clerk answers a taken key with 400 `duplicate_record`, as for any duplicate.
            CoreError::KeyTaken { what } => ApiError::new(
                S::BAD_REQUEST,
                "duplicate_record",
                format!("duplicate {what} key"),
                format!("There is already a {what} with this key in this instance."),
            )
            .with_param("key"),
            CoreError::AlreadyAssigned { what } => ApiError::new(
                S::CONFLICT,
                "duplicate_record",
                format!("{what} already assigned"),
                format!("The {what} is already assigned."),
            ),
            CoreError::SystemReadOnly { what } => ApiError::new(
                S::FORBIDDEN,
                "authorization_invalid",
                format!("{what} cannot be modified"),
                format!("The {what} are built in: they cannot be changed or deleted."),
            ),
            CoreError::ParamMissing { param } => unprocessable(
                "form_param_missing",
                "is missing",
                format!("{param} must be included."),
            )
            .with_param(&param),
            CoreError::ParamFormatInvalid { param, reason } => unprocessable(
                "form_param_format_invalid",
                "is invalid",
                format!("{param} {reason}"),
            )
            .with_param(&param),
            CoreError::ParamValueInvalid { param, reason } => unprocessable(
                "form_param_value_invalid",
                "is invalid",
                format!("{param} {reason}"),
            )
            .with_param(&param),
            CoreError::ParamUnknown { param } => unprocessable(
                "form_param_unknown",
                "is unknown",
                format!("{param} is not a valid parameter for this request."),
            )
            .with_param(&param),
            CoreError::PasswordTooShort { min } => unprocessable(
                "form_password_length_too_short",
                "Passwords must be 8 characters or more.",
                format!("Passwords must be {min} characters or more."),
            )
            .with_param("password"),
            CoreError::PasswordTooLong { max } => unprocessable(
                "form_password_length_too_long",
                "Password is too long.",
                format!("Passwords must be at most {max} characters."),
            )
            .with_param("password"),
            CoreError::PasswordIncorrect => unprocessable(
                "form_password_incorrect",
                "Password is incorrect. Try again, or use another method.",
                "Password is incorrect. Try again, or use another method.".into(),
            )
            .with_param("password"),
            CoreError::PasswordPwned => unprocessable(
                "form_password_pwned",
                "Password has been found in an online data breach. For account safety, please use a different password.",
                "Password has been found in an online data breach. For account safety, please use a different password.".into(),
            )
            .with_param("password"),
            CoreError::PasswordCompromised => unprocessable(
                "form_password_compromised",
                "Password compromised",
                "Your password may be compromised. To protect your account, please continue with an alternative sign-in method. You will be required to reset your password after signing in.".into(),
            )
            .with_param("password"),
            CoreError::NoPassword => ApiError::new(
                S::BAD_REQUEST,
                "no_password_set",
                "no password",
                "The user does not have a password set.",
            ),
            CoreError::NoTotp => ApiError::new(
                S::BAD_REQUEST,
                "totp_not_enabled",
                "TOTP is not enabled",
                "The user does not have TOTP configured for their account.",
            ),
            CoreError::UserBanned => ApiError::new(
                S::FORBIDDEN,
                "user_banned",
                "user is banned",
                "This user is banned.",
            ),
            CoreError::UserLocked { expires_in_seconds } => {
                let mut e = ApiError::new(
                    S::FORBIDDEN,
                    "user_locked",
                    "Account locked",
                    "This account is locked. Try again after the lockout expires, or ask an administrator to unlock it.",
                );
                e.detail.meta.insert(
                    "lockout_expires_in_seconds".into(),
                    expires_in_seconds.map_or(Value::Null, Value::from),
                );
                e
            }
            CoreError::SessionNotActive { status } => {
                let mut e = unprocessable(
                    "session_not_active",
                    "session is not active",
                    format!("The session is {status} and cannot be used."),
                );
                e.detail
                    .meta
                    .insert("session_status".into(), Value::String(status.to_owned()));
                e
            }
            CoreError::ProductionForbidden { what } => ApiError::new(
                S::FORBIDDEN,
                "production_instance_forbidden",
                "not allowed on production instances",
                format!("{what} is only allowed on development instances."),
            ),
            CoreError::DomainCommon => unprocessable(
                "organization_domain_common",
                "common email domain",
                "This is a common email provider domain. Please use a different one.".into(),
            )
            .with_param("name"),
            CoreError::NotAMember => ApiError::new(
                S::NOT_FOUND,
                "organization_not_found_or_unauthorized",
                "not found or unauthorized",
                "The organization does not exist, or you are not a member of it.",
            ),
            CoreError::MissingPermission { permission } => ApiError::new(
                S::FORBIDDEN,
                "not_allowed_access",
                "not allowed",
                format!("Your role in this organization lacks the {permission} permission."),
            ),
            CoreError::NotAllowed { reason } => ApiError::new(
                S::FORBIDDEN,
                "not_allowed_access",
                "not allowed",
                reason,
            ),
            CoreError::AlreadyMember => ApiError::new(
                S::BAD_REQUEST,
                "already_a_member_in_organization",
                "already a member",
                "The user is already a member of this organization.",
            ),
            CoreError::InvitationDuplicate => ApiError::new(
                S::BAD_REQUEST,
                "duplicate_record",
                "duplicate invitation",
                "There is already a pending invitation for this email address.",
            )
            .with_param("email_address"),
            CoreError::InvitationNotPending { status } => ApiError::new(
                S::BAD_REQUEST,
                "organization_invitation_not_pending",
                "invitation not pending",
                format!("The organization invitation is {status}; only a pending one can change."),
            ),
            CoreError::WaitlistEntryNotActionable { status } => ApiError::new(
                S::CONFLICT,
                "waitlist_entry_not_actionable",
                "waitlist entry cannot change",
                format!("The waitlist entry is {status}; this action does not apply to it."),
            ),
            CoreError::SignInTokenNotPending { status } => ApiError::new(
                S::BAD_REQUEST,
                "sign_in_token_not_pending",
                "sign-in token not pending",
                format!("The sign-in token is {status}; only a pending one can be revoked."),
            ),
            CoreError::ActorTokenRevoked => ApiError::new(
                S::BAD_REQUEST,
                "actor_token_already_revoked",
                "actor token already revoked",
                "The actor token was revoked already.",
            ),
            CoreError::SuggestionNotPending { status } => ApiError::new(
                S::BAD_REQUEST,
                "organization_suggestion_not_pending",
                "suggestion not pending",
                format!("The organization suggestion is {status}; only a pending one can be accepted."),
            ),
            CoreError::MembershipRequestNotPending { status } => ApiError::new(
                S::BAD_REQUEST,
                "organization_membership_request_not_pending",
                "membership request not pending",
                format!("The membership request is {status}; only a pending one can be decided."),
            ),
            CoreError::TicketInvalid => ApiError::new(
                S::BAD_REQUEST,
                "ticket_invalid",
                "Invalid ticket",
                "The ticket is invalid, or it was used already.",
            )
            .with_param("ticket"),
            CoreError::TicketExpired => ApiError::new(
                S::BAD_REQUEST,
                "ticket_expired",
                "Expired ticket",
                "The ticket has expired.",
            )
            .with_param("ticket"),
            CoreError::InvitationAccountNotExists => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "invitation_account_not_exists",
                "Account does not exist",
                "There is no account for the invited email address; sign up instead.",
            )
            .with_param("ticket"),
            CoreError::InvitationEmailMismatch => ApiError::new(
                S::FORBIDDEN,
                "organization_invitation_identification_mismatch",
                "invitation sent to another address",
                "The invitation was sent to an email address this account does not own.",
            ),
            CoreError::MembershipQuotaExceeded => ApiError::new(
                S::FORBIDDEN,
                "organization_membership_quota_exceeded",
                "Membership quota exceeded",
                "You have reached your limit of organization memberships, including outstanding invitations.",
            ),
            CoreError::LastAdmin => ApiError::new(
                S::FORBIDDEN,
                "organization_minimum_permissions_needed",
                "Minimum permissions needed",
                "There has to be at least one organization member with the minimum required permissions.",
            ),
            CoreError::RoleInUse => ApiError::new(
                S::UNPROCESSABLE_ENTITY,
                "organization_role_in_use",
                "Role in use",
                "This role is assigned to organization members or granted by pending invitations. Change their role or revoke the invitations first.",
            ),
            CoreError::Conflict => ApiError::new(
                S::CONFLICT,
                "conflict",
                "concurrent modification",
                "The resource was changed by another request at the same time. Retry the request.",
            ),
            CoreError::Overloaded => {
                let mut e = ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Too many requests",
                    "The server is busy. Retry shortly.",
                );
                e.detail.retry_after = Some(1);
                e
            }
            CoreError::IdentifierNotFound => unprocessable(
                "form_identifier_not_found",
                "Couldn't find your account.",
                "Couldn't find your account.".into(),
            )
            .with_param("identifier"),
            CoreError::CodeIncorrect => unprocessable(
                "form_code_incorrect",
                "Incorrect code",
                "Incorrect code".into(),
            )
            .with_param("code"),
            CoreError::VerificationExpired => unprocessable(
                "verification_expired",
                "Expired",
                "This verification has expired. You must create a new one.".into(),
            )
            .with_param("code"),
            CoreError::VerificationFailed => unprocessable(
                "verification_failed",
                "Too many failed attempts",
                "Too many failed attempts. You have to try again with the same or another method."
                    .into(),
            )
            .with_param("code"),
            // Clerk answers a passkey that does not verify as a failed verification; the
            // long message tells which check refused it.
            CoreError::PasskeyRefused { reason } => unprocessable(
                "verification_failed",
                "Passkey verification failed",
                (*reason).into(),
            )
            .with_param("public_key_credential"),
            CoreError::VerificationAlreadyVerified => ApiError::new(
                S::BAD_REQUEST,
                "verification_already_verified",
                "Already verified",
                "This verification has already been verified.",
            ),
            CoreError::ExternalAccountExists => ApiError::new(
                S::BAD_REQUEST,
                "external_account_exists",
                "External account exists",
                "This external account already exists.",
            ),
            CoreError::LastIdentification => ApiError::new(
                S::BAD_REQUEST,
                "identification_deletion_failed",
                "Deletion failed",
                "You cannot delete your last identification.",
            ),
            CoreError::StrategyInvalid { param } => unprocessable(
                "strategy_for_user_invalid",
                "Invalid verification strategy",
                "The verification strategy is not valid for this account.".into(),
            )
            .with_param(param),
            CoreError::FlowInvalid { reason } => ApiError::new(
                S::BAD_REQUEST,
                "client_state_invalid",
                "The request is not valid in the current state",
                format!("{reason}."),
            ),
            CoreError::IdentifierNotAllowed => ApiError::new(
                S::FORBIDDEN,
                "not_allowed_access",
                "Access not allowed",
                "This identifier cannot be used on this application.",
            ),
            CoreError::SignUpRestricted => ApiError::new(
                S::FORBIDDEN,
                "sign_up_mode_restricted",
                "Sign-ups are restricted",
                "Sign-ups are restricted to invited users on this application.",
            ),
            CoreError::SignUpWaitlist => ApiError::new(
                S::FORBIDDEN,
                "sign_up_restricted_waitlist",
                "Sign-ups are closed",
                "Sign-ups are closed on this application: join the waitlist to be invited.",
            ),
            CoreError::SessionExists => ApiError::new(
                S::BAD_REQUEST,
                "session_exists",
                "You're already signed in",
                "You're already signed in.",
            ),
            CoreError::TooManyRequests { retry_after_secs } => {
                let mut e = ApiError::new(
                    S::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Too many requests",
                    "Too many attempts. Wait a moment and try again.",
                );
                e.detail.retry_after = Some(retry_after_secs);
                e
            }
            CoreError::SignedOut => ApiError::new(
                S::UNAUTHORIZED,
                "signed_out",
                "Signed out",
                "You are signed out.",
            ),
            // Clerk's image uploads answer 400 for a file it does not take and 413 for one too large.
            CoreError::ImageInvalid { reason } => ApiError::new(
                S::BAD_REQUEST,
                "form_param_format_invalid",
                "is invalid",
                format!("{reason}: upload a PNG, JPEG, GIF or WebP image."),
            )
            .with_param("file"),
            CoreError::ImageTooLarge { limit } => ApiError::new(
                S::PAYLOAD_TOO_LARGE,
                "request_body_too_large",
                "File is too large",
                format!("The file may be at most {} MB.", limit / (1024 * 1024)),
            )
            .with_param("file"),
            CoreError::Unavailable(cause) => ApiError::unavailable(Some(cause)),
            internal @ (CoreError::Storage(_) | CoreError::Crypto(_)) => {
                ApiError::internal(Cause::new(internal))
            }
        }
    }
}

impl From<usher_core::store::StoreError> for ApiError {
    fn from(err: usher_core::store::StoreError) -> Self {
        CoreError::from(err).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // The trace id is filled in by the trace middleware, which owns it (`trace::middleware`).
        let mut res = respond(&self, "");
        res.extensions_mut().insert(self);
        res
    }
}

fn respond(err: &ApiError, trace_id: &str) -> Response {
    let mut res = (err.status, axum::Json(err.body(trace_id))).into_response();
    if let Some(secs) = err.detail.retry_after
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Renders an error with the request's trace id. Used by the trace middleware.
pub fn render(err: &ApiError, trace_id: &str) -> Response {
    if let Some(cause) = &err.detail.internal
        && err.status == StatusCode::SERVICE_UNAVAILABLE
    {
        tracing::warn!(
            clerk_trace_id = %trace_id,
            code = err.code,
            cause = %report(cause),
            "request refused: database unavailable"
        );
    } else if let Some(cause) = &err.detail.internal {
        tracing::error!(
            clerk_trace_id = %trace_id,
            code = err.code,
            cause = %report(cause),
            "request failed"
        );
    }
    respond(err, trace_id)
}
