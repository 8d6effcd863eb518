//! JWT templates, sign-in tokens and actor tokens. Written through `commit`.

use async_trait::async_trait;

use super::StoreResult;
use crate::actor_tokens::ActorToken;
use crate::ids::{ActorTokenId, InstanceId, JwtTemplateId, SignInTokenId};
use crate::jwt_templates::JwtTemplate;
use crate::sign_in_tokens::SignInToken;
use crate::users::query::Page;

#[async_trait]
pub trait TokenStore: Send + Sync {
    /// The instance's JWT templates, newest first, and their total.
    async fn jwt_templates(
        &self,
        instance_id: &InstanceId,
        page: &Page,
    ) -> StoreResult<(Vec<JwtTemplate>, i64)>;

    async fn jwt_template(
        &self,
        instance_id: &InstanceId,
        id: &JwtTemplateId,
    ) -> StoreResult<Option<JwtTemplate>>;

    async fn jwt_template_by_name(
        &self,
        instance_id: &InstanceId,
        name: &str,
    ) -> StoreResult<Option<JwtTemplate>>;

    async fn get_sign_in_token(
        &self,
        instance_id: &InstanceId,
        id: &SignInTokenId,
    ) -> StoreResult<Option<SignInToken>>;

    /// The sign-in token whose ticket has this digest.
    async fn sign_in_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<SignInToken>>;

    async fn get_actor_token(
        &self,
        instance_id: &InstanceId,
        id: &ActorTokenId,
    ) -> StoreResult<Option<ActorToken>>;

    /// The actor token whose ticket has this digest.
    async fn actor_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<ActorToken>>;
}
