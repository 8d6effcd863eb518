// `TokenStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl TokenStore for Backend {
    async fn jwt_templates(
        &self,
        instance_id: &InstanceId,
        page: &usher_core::users::query::Page,
    ) -> StoreResult<(Vec<usher_core::jwt_templates::JwtTemplate>, i64)> {
        jwt_templates::list(self.reader(), instance_id, page)
            .await
            .map_err(|e| e.during("jwt_templates"))
    }

    async fn jwt_template(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::JwtTemplateId,
    ) -> StoreResult<Option<usher_core::jwt_templates::JwtTemplate>> {
        jwt_templates::by_id(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("jwt_template"))
    }

    async fn jwt_template_by_name(
        &self,
        instance_id: &InstanceId,
        name: &str,
    ) -> StoreResult<Option<usher_core::jwt_templates::JwtTemplate>> {
        jwt_templates::by_name(self.reader(), instance_id, name)
            .await
            .map_err(|e| e.during("jwt_template_by_name"))
    }

    async fn get_sign_in_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SignInTokenId,
    ) -> StoreResult<Option<usher_core::sign_in_tokens::SignInToken>> {
        sign_in_tokens::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_sign_in_token"))
    }

    async fn sign_in_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<usher_core::sign_in_tokens::SignInToken>> {
        sign_in_tokens::by_digest(self.reader(), instance_id, digest)
            .await
            .map_err(|e| e.during("sign_in_token_by_digest"))
    }

    async fn get_actor_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ActorTokenId,
    ) -> StoreResult<Option<usher_core::actor_tokens::ActorToken>> {
        sign_in_tokens::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_actor_token"))
    }

    async fn actor_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<usher_core::actor_tokens::ActorToken>> {
        sign_in_tokens::by_digest(self.reader(), instance_id, digest)
            .await
            .map_err(|e| e.during("actor_token_by_digest"))
    }
}
