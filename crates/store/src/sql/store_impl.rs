// The Store trait, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl InstanceStore for Backend {
    async fn ping(&self) -> StoreResult<()> {
        query::execute(sqlx::query("SELECT 1"), self.reader())
            .await
            .map_err(|e| e.during("ping"))?;
        Ok(())
    }

    async fn load_instance(&self) -> StoreResult<Option<Instance>> {
        reads::load_instance(self.reader()).await
            .map_err(|e| e.during("load_instance"))
    }

    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::create_instance(self.writer(), instance, secret, key).await
            .map_err(|e| e.during("create_instance"))
    }

    async fn branding(&self, instance_id: &InstanceId) -> StoreResult<usher_core::branding::Branding> {
        branding::load(self.reader(), instance_id).await
            .map_err(|e| e.during("branding"))
    }

    async fn session_claims(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<usher_core::jwt_templates::session_claims::SessionClaimsTemplate> {
        session_claims::load(self.reader(), instance_id).await
            .map_err(|e| e.during("session_claims"))
    }

    async fn instance_settings(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<usher_core::instance_settings::StoredSettings> {
        instance_settings::load(self.reader(), instance_id).await
            .map_err(|e| e.during("instance_settings"))
    }

    async fn secret_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SecretKeyRecord>> {
        reads::secret_keys(self.reader(), instance_id).await
            .map_err(|e| e.during("secret_keys"))
    }

    async fn signing_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SigningKeyRecord>> {
        reads::signing_keys(self.reader(), instance_id).await
            .map_err(|e| e.during("signing_keys"))
    }

    async fn rotate_signing_key(
        &self,
        instance_id: &InstanceId,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::rotate_signing_key(self.writer(), instance_id, key).await
            .map_err(|e| e.during("rotate_signing_key"))
    }

    async fn retire_signing_key(&self, instance_id: &InstanceId, kid: &str) -> StoreResult<bool> {
        writes::retire_signing_key(self.writer(), instance_id, kid).await
            .map_err(|e| e.during("retire_signing_key"))
    }

    async fn instance_secret(
        &self,
        instance_id: &InstanceId,
        name: &str,
        candidate: &[u8],
    ) -> StoreResult<Vec<u8>> {
        writes::instance_secret(self.writer(), instance_id, name, candidate).await
            .map_err(|e| e.during("instance_secret"))
    }

    async fn put_handshake_nonce(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        payload: &str,
        expire_at: i64,
    ) -> StoreResult<()> {
        clients::put_handshake_nonce(self.writer(), instance_id, nonce_hash, payload, expire_at)
            .await
            .map_err(|e| e.during("put_handshake_nonce"))
    }

    async fn handshake_payload(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        clients::handshake_payload(self.reader(), instance_id, nonce_hash, now).await
            .map_err(|e| e.during("handshake_payload"))
    }

    async fn get_image(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ImageId,
    ) -> StoreResult<Option<usher_core::images::Image>> {
        images::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_image"))
    }
}

#[async_trait]
impl UserStore for Backend {
    async fn get_user(&self, instance_id: &InstanceId, id: &UserId) -> StoreResult<Option<User>> {
        reads::get_user(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_user"))
    }

    async fn users_by_ids(&self, instance_id: &InstanceId, ids: &[UserId]) -> StoreResult<Vec<User>> {
        reads::users_by_ids(self.reader(), instance_id, ids).await
            .map_err(|e| e.during("users_by_ids"))
    }

    async fn list_users(
        &self,
        instance_id: &InstanceId,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>> {
        reads::list_users(self.reader(), instance_id, filter, order, page).await
            .map_err(|e| e.during("list_users"))
    }

    async fn count_users(&self, instance_id: &InstanceId, filter: &UserFilter) -> StoreResult<i64> {
        reads::count_users(self.reader(), instance_id, filter).await
            .map_err(|e| e.during("count_users"))
    }

    async fn user_id_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<UserId>> {
        let id = clients::user_id_by_identifier(self.reader(), instance_id, kind, value).await
            .map_err(|e| e.during("user_id_by_identifier"))?;
        Ok(id.map(UserId::from_stored))
    }

    async fn user_by_identification_id(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::IdentificationId,
    ) -> StoreResult<Option<User>> {
        reads::user_by_identification_id(self.reader(), instance_id, id).await
            .map_err(|e| e.during("user_by_identification_id"))
    }

    async fn user_by_identifier(
        &self,
        instance_id: &InstanceId,
        kind: IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<User>> {
        reads::user_by_identifier(self.reader(), instance_id, kind, value).await
            .map_err(|e| e.during("user_by_identifier"))
    }
}

#[async_trait]
impl SessionStore for Backend {
    async fn get_session(&self, instance_id: &InstanceId, id: &SessionId) -> StoreResult<Option<Session>> {
        reads::get_session(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_session"))
    }

    async fn session_for_token(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<SessionForToken>> {
        reads::session_for_token(self.reader(), instance_id, id).await
            .map_err(|e| e.during("session_for_token"))
    }

    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)> {
        reads::list_sessions(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_sessions"))
    }

    async fn live_sessions_of_user(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<Session>> {
        reads::live_sessions_of_user(self.reader(), instance_id, user_id).await
            .map_err(|e| e.during("live_sessions_of_user"))
    }

    async fn get_client(&self, instance_id: &InstanceId, id: &ClientId) -> StoreResult<Option<Client>> {
        clients::get_client(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_client"))
    }

    async fn client_by_token(
        &self,
        instance_id: &InstanceId,
        token_hash: &str,
    ) -> StoreResult<Option<Client>> {
        clients::client_by_token(self.reader(), instance_id, token_hash).await
            .map_err(|e| e.during("client_by_token"))
    }

    async fn sessions_of_client(
        &self,
        instance_id: &InstanceId,
        client_id: &ClientId,
    ) -> StoreResult<Vec<Session>> {
        clients::sessions_of_client(self.reader(), instance_id, client_id).await
            .map_err(|e| e.during("sessions_of_client"))
    }
}

#[async_trait]
impl OrganizationStore for Backend {
    async fn get_organization(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationId,
    ) -> StoreResult<Option<Organization>> {
        organizations::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_organization"))
    }

    async fn organizations_by_ids(
        &self,
        instance_id: &InstanceId,
        ids: &[OrganizationId],
    ) -> StoreResult<Vec<Organization>> {
        organizations::by_ids(self.reader(), instance_id, ids).await
            .map_err(|e| e.during("organizations_by_ids"))
    }

    async fn organization_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<Organization>> {
        organizations::by_slug(self.reader(), instance_id, slug).await
            .map_err(|e| e.during("organization_by_slug"))
    }

    async fn list_organizations(
        &self,
        instance_id: &InstanceId,
        query: &OrganizationQuery,
    ) -> StoreResult<(Vec<Organization>, i64)> {
        organizations::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_organizations"))
    }

    async fn get_membership(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        user_id: &UserId,
    ) -> StoreResult<Option<OrganizationMembership>> {
        organizations::get_membership(self.reader(), instance_id, organization_id, user_id).await
            .map_err(|e| e.during("get_membership"))
    }

    async fn list_memberships(
        &self,
        instance_id: &InstanceId,
        query: &MembershipQuery,
    ) -> StoreResult<(Vec<OrganizationMembership>, i64)> {
        organizations::list_memberships(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_memberships"))
    }

    async fn memberships_of_users(
        &self,
        instance_id: &InstanceId,
        user_ids: &[usher_core::ids::UserId],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<(OrganizationMembership, Organization)>> {
        organizations::memberships_of_users(self.reader(), instance_id, user_ids, now).await
            .map_err(|e| e.during("memberships_of_users"))
    }

    async fn pending_invitation_counts(
        &self,
        instance_id: &InstanceId,
        organization_ids: &[usher_core::ids::OrganizationId],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<(usher_core::ids::OrganizationId, i64)>> {
        organization_invitations::pending_counts(self.reader(), instance_id, organization_ids, now).await
            .map_err(|e| e.during("pending_invitation_counts"))
    }

    async fn get_organization_invitation(
        &self,
        instance_id: &InstanceId,
        id: &OrganizationInvitationId,
    ) -> StoreResult<Option<OrganizationInvitation>> {
        organization_invitations::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_organization_invitation"))
    }

    async fn organization_invitation_by_ticket(
        &self,
        instance_id: &InstanceId,
        ticket_digest: &str,
    ) -> StoreResult<Option<OrganizationInvitation>> {
        organization_invitations::by_ticket(self.reader(), instance_id, ticket_digest).await
            .map_err(|e| e.during("organization_invitation_by_ticket"))
    }

    async fn list_organization_invitations(
        &self,
        instance_id: &InstanceId,
        query: &InvitationQuery,
    ) -> StoreResult<(Vec<OrganizationInvitation>, i64)> {
        organization_invitations::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_organization_invitations"))
    }

    async fn get_organization_domain(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        id: &OrganizationDomainId,
    ) -> StoreResult<Option<OrganizationDomain>> {
        organization_domains::get(self.reader(), instance_id, organization_id, id).await
            .map_err(|e| e.during("get_organization_domain"))
    }

    async fn list_organization_domains(
        &self,
        instance_id: &InstanceId,
        query: &DomainQuery,
    ) -> StoreResult<(Vec<OrganizationDomain>, i64)> {
        organization_domains::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_organization_domains"))
    }

    async fn domain_pending_counts(
        &self,
        instance_id: &InstanceId,
        organization_id: &OrganizationId,
        names: &[String],
        now: usher_core::clock::Millis,
    ) -> StoreResult<Vec<usher_core::store::DomainPendingCount>> {
        organization_suggestions::domain_pending_counts(self.reader(), instance_id, organization_id, names, now).await
            .map_err(|e| e.during("domain_pending_counts"))
    }

    async fn get_organization_suggestion(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OrganizationSuggestionId,
    ) -> StoreResult<Option<usher_core::organizations::suggestions::OrganizationSuggestion>> {
        organization_suggestions::get_suggestion(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_organization_suggestion"))
    }

    async fn list_organization_suggestions(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::organizations::suggestions::SuggestionQuery,
    ) -> StoreResult<(Vec<usher_core::organizations::suggestions::OrganizationSuggestion>, i64)> {
        organization_suggestions::list_suggestions(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_organization_suggestions"))
    }

    async fn get_membership_request(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OrganizationMembershipRequestId,
    ) -> StoreResult<Option<usher_core::organizations::membership_requests::MembershipRequest>> {
        organization_suggestions::get_request(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_membership_request"))
    }

    async fn list_membership_requests(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::organizations::membership_requests::RequestQuery,
    ) -> StoreResult<(Vec<usher_core::organizations::membership_requests::MembershipRequest>, i64)> {
        organization_suggestions::list_requests(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_membership_requests"))
    }
}

#[async_trait]
impl RoleStore for Backend {
    async fn organization_permissions(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::model::Permission>> {
        roles::permissions(self.reader(), instance_id).await
            .map_err(|e| e.during("organization_permissions"))
    }

    async fn organization_roles(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::model::RoleRecord>> {
        roles::roles(self.reader(), instance_id).await
            .map_err(|e| e.during("organization_roles"))
    }

    async fn role_sets(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::roles::sets::RoleSet>> {
        role_sets::role_sets(self.reader(), instance_id).await
            .map_err(|e| e.during("role_sets"))
    }

    async fn role_set_roles_held(&self, instance_id: &InstanceId, key: &str) -> StoreResult<Vec<String>> {
        role_sets::roles_held(self.reader(), instance_id, key).await
            .map_err(|e| e.during("role_set_roles_held"))
    }

    async fn role_set_members_holding(
        &self,
        instance_id: &InstanceId,
        key: &str,
        roles: &[String],
    ) -> StoreResult<Vec<OrganizationMembership>> {
        role_sets::members_holding(self.reader(), instance_id, key, roles).await
            .map_err(|e| e.during("role_set_members_holding"))
    }
}

#[async_trait]
impl TokenStore for Backend {
    async fn jwt_templates(
        &self,
        instance_id: &InstanceId,
        page: &usher_core::users::query::Page,
    ) -> StoreResult<(Vec<usher_core::jwt_templates::JwtTemplate>, i64)> {
        jwt_templates::list(self.reader(), instance_id, page).await
            .map_err(|e| e.during("jwt_templates"))
    }

    async fn jwt_template(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::JwtTemplateId,
    ) -> StoreResult<Option<usher_core::jwt_templates::JwtTemplate>> {
        jwt_templates::by_id(self.reader(), instance_id, id).await
            .map_err(|e| e.during("jwt_template"))
    }

    async fn jwt_template_by_name(
        &self,
        instance_id: &InstanceId,
        name: &str,
    ) -> StoreResult<Option<usher_core::jwt_templates::JwtTemplate>> {
        jwt_templates::by_name(self.reader(), instance_id, name).await
            .map_err(|e| e.during("jwt_template_by_name"))
    }

    async fn get_sign_in_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SignInTokenId,
    ) -> StoreResult<Option<usher_core::sign_in_tokens::SignInToken>> {
        sign_in_tokens::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_sign_in_token"))
    }

    async fn sign_in_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<usher_core::sign_in_tokens::SignInToken>> {
        sign_in_tokens::by_digest(self.reader(), instance_id, digest).await
            .map_err(|e| e.during("sign_in_token_by_digest"))
    }

    async fn get_actor_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ActorTokenId,
    ) -> StoreResult<Option<usher_core::actor_tokens::ActorToken>> {
        sign_in_tokens::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_actor_token"))
    }

    async fn actor_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<usher_core::actor_tokens::ActorToken>> {
        sign_in_tokens::by_digest(self.reader(), instance_id, digest).await
            .map_err(|e| e.during("actor_token_by_digest"))
    }
}

#[async_trait]
impl ApiKeyStore for Backend {
    async fn get_api_key(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ApiKeyId,
    ) -> StoreResult<Option<usher_core::api_keys::ApiKey>> {
        api_keys::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_api_key"))
    }

    async fn api_key_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(usher_core::api_keys::ApiKey, String)>> {
        api_keys::by_digest(self.reader(), instance_id, digest).await
            .map_err(|e| e.during("api_key_by_digest"))
    }

    async fn api_key_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ApiKeyId,
    ) -> StoreResult<Option<usher_core::api_keys::SealedSecret>> {
        api_keys::sealed(self.reader(), instance_id, id).await
            .map_err(|e| e.during("api_key_sealed_secret"))
    }

    async fn list_api_keys(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::api_keys::ApiKeyQuery,
    ) -> StoreResult<(Vec<usher_core::api_keys::ApiKey>, i64)> {
        api_keys::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_api_keys"))
    }

    async fn touch_api_keys(
        &self,
        instance_id: &InstanceId,
        used: &[(usher_core::ids::ApiKeyId, i64)],
    ) -> StoreResult<()> {
        api_keys::touch(self.writer(), instance_id, used).await
            .map_err(|e| e.during("touch_api_keys"))
    }
}

#[async_trait]
impl MachineStore for Backend {
    async fn get_machine(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::MachineId,
    ) -> StoreResult<Option<usher_core::machines::Machine>> {
        machines::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_machine"))
    }

    async fn list_machines(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::machines::MachineQuery,
    ) -> StoreResult<(Vec<usher_core::machines::Machine>, i64)> {
        machines::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_machines"))
    }

    async fn scoped_machines(
        &self,
        instance_id: &InstanceId,
        from: &usher_core::ids::MachineId,
    ) -> StoreResult<Vec<usher_core::machines::Machine>> {
        machines::scoped(self.reader(), instance_id, from).await
            .map_err(|e| e.during("scoped_machines"))
    }

    async fn machine_by_secret_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
        now: i64,
    ) -> StoreResult<Option<(usher_core::machines::Machine, String)>> {
        machines::by_secret_digest(self.reader(), instance_id, digest, now).await
            .map_err(|e| e.during("machine_by_secret_digest"))
    }

    async fn machine_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::MachineId,
    ) -> StoreResult<Option<usher_core::api_keys::SealedSecret>> {
        machines::sealed(self.reader(), instance_id, id).await
            .map_err(|e| e.during("machine_sealed_secret"))
    }

    async fn get_m2m_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::M2mTokenId,
    ) -> StoreResult<Option<usher_core::machines::M2mToken>> {
        m2m_tokens::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_m2m_token"))
    }

    async fn m2m_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(usher_core::machines::M2mToken, String)>> {
        m2m_tokens::by_digest(self.reader(), instance_id, digest).await
            .map_err(|e| e.during("m2m_token_by_digest"))
    }

    async fn list_m2m_tokens(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::machines::M2mTokenQuery,
    ) -> StoreResult<(Vec<usher_core::machines::M2mToken>, i64)> {
        m2m_tokens::list(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_m2m_tokens"))
    }
}

#[async_trait]
impl BillingStore for Backend {
    async fn get_billing_plan(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::PlanId,
    ) -> StoreResult<Option<usher_core::billing::Plan>> {
        billing::get_plan(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_billing_plan"))
    }

    async fn billing_plan_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<usher_core::billing::Plan>> {
        billing::plan_by_slug(self.reader(), instance_id, slug).await
            .map_err(|e| e.during("billing_plan_by_slug"))
    }

    async fn list_billing_plans(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::billing::PlanQuery,
    ) -> StoreResult<(Vec<usher_core::billing::Plan>, i64)> {
        billing::list_plans(self.reader(), instance_id, query).await
            .map_err(|e| e.during("list_billing_plans"))
    }

    async fn get_subscription_item(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SubscriptionItemId,
    ) -> StoreResult<Option<usher_core::billing::SubscriptionItem>> {
        billing::get_item(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_subscription_item"))
    }

    async fn subscription_items_of_payer(
        &self,
        instance_id: &InstanceId,
        payer_id: &str,
    ) -> StoreResult<Vec<usher_core::billing::SubscriptionItem>> {
        billing::items_of_payer(self.reader(), instance_id, payer_id).await
            .map_err(|e| e.during("subscription_items_of_payer"))
    }

    async fn payer_entitlement(
        &self,
        instance_id: &InstanceId,
        payer_type: usher_core::billing::PayerType,
        payer_id: &str,
    ) -> StoreResult<Option<usher_core::billing::Entitlement>> {
        billing::entitlement(self.reader(), instance_id, payer_type, payer_id).await
            .map_err(|e| e.during("payer_entitlement"))
    }
}

#[async_trait]
impl OperatorStore for Backend {
    async fn operators(&self, instance_id: &InstanceId) -> StoreResult<Vec<usher_core::operators::Operator>> {
        operators::list(self.reader(), instance_id).await.map_err(|e| e.during("operators"))
    }

    async fn operator_by_email(
        &self,
        instance_id: &InstanceId,
        email: &str,
    ) -> StoreResult<Option<usher_core::operators::OperatorCredentials>> {
        operators::by_email(self.reader(), instance_id, email).await
            .map_err(|e| e.during("operator_by_email"))
    }

    async fn operator_credentials(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorId,
    ) -> StoreResult<Option<usher_core::operators::OperatorCredentials>> {
        operators::by_id(self.reader(), instance_id, id).await
            .map_err(|e| e.during("operator_credentials"))
    }

    async fn use_operator_totp_step(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorId,
        step: i64,
    ) -> StoreResult<bool> {
        operators::use_totp_step(self.writer(), instance_id, id, step).await
            .map_err(|e| e.during("use_operator_totp_step"))
    }

    async fn insert_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &usher_core::operators::OperatorSession,
    ) -> StoreResult<()> {
        operators::insert_session(self.writer(), instance_id, session).await
            .map_err(|e| e.during("insert_operator_session"))
    }

    async fn operator_session_by_digest(
        &self,
        instance_id: &InstanceId,
        token_digest: &str,
    ) -> StoreResult<Option<usher_core::operators::OperatorSession>> {
        operators::session_by_digest(self.reader(), instance_id, token_digest).await
            .map_err(|e| e.during("operator_session_by_digest"))
    }

    async fn update_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &usher_core::operators::OperatorSession,
    ) -> StoreResult<()> {
        operators::update_session(self.writer(), instance_id, session).await
            .map_err(|e| e.during("update_operator_session"))
    }

    async fn delete_operator_session(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorSessionId,
    ) -> StoreResult<()> {
        operators::delete_session(self.writer(), instance_id, id).await
            .map_err(|e| e.during("delete_operator_session"))
    }

    async fn audit_entries(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::operators::AuditQuery,
    ) -> StoreResult<(Vec<AuditEntry>, i64)> {
        operators::audit_entries(self.reader(), instance_id, query).await
            .map_err(|e| e.during("audit_entries"))
    }
}

#[async_trait]
impl CommitStore for Backend {
    async fn commit(&self, instance_id: &InstanceId, changes: Changeset) -> StoreResult<()> {
        writes::commit(self.writer(), instance_id, changes).await
            .map_err(|e| e.during("commit"))
    }

    async fn events_after(
        &self,
        instance_id: &InstanceId,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::events_after(self.reader(), instance_id, after_seq, limit).await
            .map_err(|e| e.during("events_after"))
    }

    async fn revocation_events_since(
        &self,
        instance_id: &InstanceId,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::revocation_events_since(self.reader(), instance_id, since, limit).await
            .map_err(|e| e.during("revocation_events_since"))
    }

    async fn audit_log(&self, instance_id: &InstanceId, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        reads::audit_log(self.reader(), instance_id, limit).await
            .map_err(|e| e.during("audit_log"))
    }

    async fn audit_between(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<AuditEntry>> {
        activity::audit_between(self.reader(), instance_id, since, until, limit).await
            .map_err(|e| e.during("audit_between"))
    }

    async fn events_between(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        activity::events_between(self.reader(), instance_id, since, until, limit).await
            .map_err(|e| e.during("events_between"))
    }
}

#[async_trait]
impl WebhookStore for Backend {
    async fn webhook_endpoints(&self, instance_id: &InstanceId) -> StoreResult<Vec<WebhookEndpoint>> {
        webhooks::endpoints(self.reader(), instance_id).await
            .map_err(|e| e.during("webhook_endpoints"))
    }

    async fn webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        webhooks::endpoint(self.reader(), instance_id, id).await
            .map_err(|e| e.during("webhook_endpoint"))
    }

    async fn claim_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>> {
        webhooks::claim(self.writer(), instance_id, worker, node, now, lease_until).await
            .map_err(|e| e.during("claim_webhook_endpoint"))
    }

    async fn pending_webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>> {
        webhooks::pending(self.reader(), instance_id, endpoint_id, limit).await
            .map_err(|e| e.during("pending_webhook_deliveries"))
    }

    async fn record_webhook_attempt(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool> {
        webhooks::record_attempt(self.writer(), instance_id, endpoint_id, worker, record).await
            .map_err(|e| e.during("record_webhook_attempt"))
    }

    async fn release_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
    ) -> StoreResult<()> {
        webhooks::release(self.writer(), instance_id, endpoint_id, worker).await
            .map_err(|e| e.during("release_webhook_endpoint"))
    }

    async fn release_webhook_leases(
        &self,
        instance_id: &InstanceId,
        node: &str,
        except: &str,
    ) -> StoreResult<u64> {
        webhooks::release_node(self.writer(), instance_id, node, except).await
            .map_err(|e| e.during("release_webhook_leases"))
    }

    async fn webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)> {
        webhooks::deliveries(self.reader(), instance_id, query).await
            .map_err(|e| e.during("webhook_deliveries"))
    }

    async fn retry_webhook_message(
        &self,
        instance_id: &InstanceId,
        event_id: &EventId,
        endpoint_id: Option<&WebhookEndpointId>,
        now: i64,
    ) -> StoreResult<Vec<WebhookEndpointId>> {
        let ids = webhooks::retry_message(
            self.writer(),
            instance_id,
            event_id,
            endpoint_id.map(WebhookEndpointId::as_str),
            now,
        )
        .await
        .map_err(|e| e.during("retry_webhook_message"))?;
        Ok(ids.into_iter().map(WebhookEndpointId::from_stored).collect())
    }

    async fn replay_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        since: i64,
        now: i64,
    ) -> StoreResult<i64> {
        webhooks::replay(self.writer(), instance_id, endpoint_id, since, now).await
            .map_err(|e| e.during("replay_webhook_endpoint"))
    }

    async fn webhook_stats(
        &self,
        instance_id: &InstanceId,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>> {
        webhooks::stats(self.reader(), instance_id, attempts_since).await
            .map_err(|e| e.during("webhook_stats"))
    }
}

#[async_trait]
impl MailStore for Backend {
    async fn list_emails(
        &self,
        instance_id: &InstanceId,
        to_email_address: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::mail::EmailMessage>, i64)> {
        emails::list(self.reader(), instance_id, to_email_address, limit, offset).await
            .map_err(|e| e.during("list_emails"))
    }

    async fn get_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
    ) -> StoreResult<Option<usher_core::mail::EmailMessage>> {
        emails::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_email"))
    }

    async fn queued_emails(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<usher_core::mail::EmailMessage>> {
        emails::queued(self.reader(), instance_id, limit).await
            .map_err(|e| e.during("queued_emails"))
    }

    async fn claim_email(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool> {
        emails::claim(self.writer(), instance_id, id, now, lease_until).await
            .map_err(|e| e.during("claim_email"))
    }

    async fn record_email_outcome(
        &self,
        instance_id: &InstanceId,
        id: &EmailMessageId,
        status: usher_core::mail::EmailStatus,
        error: Option<&str>,
        now: i64,
    ) -> StoreResult<bool> {
        emails::record_outcome(self.writer(), instance_id, id, status, error, now).await
            .map_err(|e| e.during("record_email_outcome"))
    }
}

#[async_trait]
impl SmsStore for Backend {
    async fn list_sms_messages(
        &self,
        instance_id: &InstanceId,
        to_phone_number: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<usher_core::sms::SmsMessage>, i64)> {
        sms::list(self.reader(), instance_id, to_phone_number, limit, offset).await
            .map_err(|e| e.during("list_sms_messages"))
    }

    async fn queued_sms(
        &self,
        instance_id: &InstanceId,
        limit: i64,
    ) -> StoreResult<Vec<usher_core::sms::SmsMessage>> {
        sms::queued(self.reader(), instance_id, limit)
            .await
            .map_err(|e| e.during("queued_sms"))
    }

    async fn claim_sms(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SmsMessageId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<bool> {
        sms::claim(self.writer(), instance_id, id, now, lease_until)
            .await
            .map_err(|e| e.during("claim_sms"))
    }

    async fn record_sms_outcome(
        &self,
        instance_id: &InstanceId,
        outcome: &usher_core::sms::SmsOutcome,
    ) -> StoreResult<bool> {
        sms::record_outcome(self.writer(), instance_id, outcome)
            .await
            .map_err(|e| e.during("record_sms_outcome"))
    }
}

#[async_trait]
impl LifecycleStore for Backend {
    async fn claim_pii_purge(
        &self,
        instance_id: &InstanceId,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<usher_core::lifecycle::PiiPurge>> {
        lifecycle::claim(self.writer(), instance_id, now, lease_until).await
            .map_err(|e| e.during("claim_pii_purge"))
    }

    async fn pii_purge_step(
        &self,
        instance_id: &InstanceId,
        purge: &usher_core::lifecycle::PiiPurge,
        now: i64,
        limit: i64,
    ) -> StoreResult<usher_core::lifecycle::PurgeStep> {
        lifecycle::step(self.writer(), instance_id, purge, now, limit).await
            .map_err(|e| e.during("pii_purge_step"))
    }

    async fn pii_purges(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::lifecycle::PiiPurge>> {
        lifecycle::list(self.reader(), instance_id).await
            .map_err(|e| e.during("pii_purges"))
    }

    async fn prune_expired(
        &self,
        instance_id: &InstanceId,
        cutoffs: &usher_core::lifecycle::RetentionCutoffs,
        limit: i64,
    ) -> StoreResult<usher_core::lifecycle::Pruned> {
        lifecycle::prune(self.writer(), instance_id, cutoffs, limit).await
            .map_err(|e| e.during("prune_expired"))
    }
}

#[async_trait]
impl ActivityStore for Backend {
    async fn database_report(&self) -> StoreResult<usher_core::diagnostics::DatabaseReport> {
        self.report().await.map_err(|e| e.during("database_report"))
    }

    async fn add_activity(
        &self,
        instance_id: &InstanceId,
        counts: &[usher_core::activity::ActivityCount],
    ) -> StoreResult<()> {
        activity::add(self.writer(), instance_id, counts).await
            .map_err(|e| e.during("add_activity"))
    }

    async fn activity(
        &self,
        instance_id: &InstanceId,
        since: i64,
        until: i64,
    ) -> StoreResult<Vec<usher_core::activity::ActivityCount>> {
        activity::list(self.reader(), instance_id, since, until).await
            .map_err(|e| e.during("activity"))
    }
}
