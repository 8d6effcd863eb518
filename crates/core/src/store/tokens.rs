//! JWT templates, sign-in tokens and actor tokens. Written through `commit`.

use crate::actor_tokens::ActorToken;
use crate::ids::{ActorTokenId, InstanceId, JwtTemplateId, SignInTokenId};
use crate::jwt_templates::JwtTemplate;
use crate::sign_in_tokens::SignInToken;
use crate::users::query::Page;

store_trait! {
    pub trait TokenStore {
        /// The instance's JWT templates, newest first, and their total.
        jwt_templates(instance_id: &InstanceId, page: &Page) -> (Vec<JwtTemplate>, i64);

        jwt_template(instance_id: &InstanceId, id: &JwtTemplateId) -> Option<JwtTemplate>;

        jwt_template_by_name(instance_id: &InstanceId, name: &str) -> Option<JwtTemplate>;

        get_sign_in_token(instance_id: &InstanceId, id: &SignInTokenId) -> Option<SignInToken>;

        /// The sign-in token whose ticket has this digest.
        sign_in_token_by_digest(instance_id: &InstanceId, digest: &str) -> Option<SignInToken>;

        get_actor_token(instance_id: &InstanceId, id: &ActorTokenId) -> Option<ActorToken>;

        /// The actor token whose ticket has this digest.
        actor_token_by_digest(instance_id: &InstanceId, digest: &str) -> Option<ActorToken>;
    }
}
