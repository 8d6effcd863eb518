//! Request authentication (Clerk's `authenticateRequest`): where the token comes from, which
//! verifier it goes to, and what the handler sees.
//!
//! 1. **`Authorization` first.** `Bearer <token>` (or a bare token). The token's type is read
//!    from its shape — `ak_`/`mt_`/`oat_` prefixes, a JWT whose `sub` is `mch_…` (M2M) or
//!    whose `typ` is `at+jwt` (OAuth), anything else a session token — and it goes to that
//!    type's verifier, whatever the list of accepted types is. A type not accepted is
//!    `token-type-mismatch`; a JWT with a non-session `cat` is never a session token.
//! 2. **Then cookies** (session tokens only): `__session` and `__client_uat`, or their
//!    suffixed twins `__session_<sfx>` / `__client_uat_<sfx>` chosen by Clerk's heuristic.
//!    The `__client_uat` rules: neither cookie, or `__client_uat=0`, is signed out
//!    (`session-token-and-uat-missing`); one without the other, or a token issued before
//!    `__client_uat`, needs a handshake; expired/not-yet-valid tokens need a handshake.
//! 3. **Handshake** (opt-in): for document navigations only, the cases above redirect to the
//!    Frontend API's `/v1/client/handshake`, which sends the browser back with
//!    `__clerk_handshake_nonce`; the nonce is exchanged for fresh cookies through the Backend
//!    API. At most three redirects in a row (`__clerk_redirect_count`). Without handshake —
//!    the default, since Usher's Frontend API does not serve it yet — those cases are simply
//!    signed out with the same reason, which is what Clerk does for API requests anyway.

mod authenticate;
mod authenticator;
mod facts;
mod handshake;
mod outcome;

pub use authenticator::{Authenticator, AuthenticatorBuilder};
pub use outcome::{Auth, Rejection, RequestState, Status};
