// `TokenStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl TokenStore {
        jwt_templates(instance_id: &InstanceId, page: &usher_core::users::query::Page)
            -> (Vec<usher_core::jwt_templates::JwtTemplate>, i64) = jwt_templates::list(reader);
        jwt_template(instance_id: &InstanceId, id: &usher_core::ids::JwtTemplateId)
            -> Option<usher_core::jwt_templates::JwtTemplate> = jwt_templates::by_id(reader);
        jwt_template_by_name(instance_id: &InstanceId, name: &str)
            -> Option<usher_core::jwt_templates::JwtTemplate> = jwt_templates::by_name(reader);
        get_sign_in_token(instance_id: &InstanceId, id: &usher_core::ids::SignInTokenId)
            -> Option<usher_core::sign_in_tokens::SignInToken> = sign_in_tokens::get(reader);
        sign_in_token_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<usher_core::sign_in_tokens::SignInToken> = sign_in_tokens::by_digest(reader);
        get_actor_token(instance_id: &InstanceId, id: &usher_core::ids::ActorTokenId)
            -> Option<usher_core::actor_tokens::ActorToken> = sign_in_tokens::get(reader);
        actor_token_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<usher_core::actor_tokens::ActorToken> = sign_in_tokens::by_digest(reader);
    }
}
