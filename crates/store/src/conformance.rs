//! The storage suite every backend must pass, one test per case. A case is a `pub async fn` in
//! one of the modules below that takes a fresh, empty store; [`conformance_tests!`] (the list at
//! the bottom of this file) turns every case into a `#[tokio::test]` for the backend whose test
//! file invokes it (`tests/storage/sqlite.rs`, `tests/storage/postgres.rs`). Adding a case is adding the function
//! and its name to that list.
//!
//! Test-only code: behind the `testing` feature, it asserts (and so panics) like any test.
#![allow(clippy::panic)]

pub mod activity;
pub mod actor_tokens;
pub mod api_keys;
pub mod billing;
pub mod clients;
pub mod dashboard;
pub mod degraded;
pub mod emails;
pub mod enrollment;
pub mod images;
pub mod instance_settings;
pub mod invitations;
pub mod jwt_templates;
pub mod lifecycle;
pub mod machines;
pub mod message_templates;
pub mod oauth;
pub mod operators;
pub mod ops;
pub mod organization_domains;
pub mod organization_invitations;
pub mod organizations;
pub mod passkeys;
pub mod records;
pub mod role_sets;
pub mod roles;
pub mod secret_keys;
pub mod sign_in_tokens;
pub mod sms;
pub mod user_search;
pub mod waitlist;
pub mod webhooks;

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use serde_json::json;
use usher_core::events::OutboxEvent;
use usher_core::ids::{ClientId, EventId, InstanceId, SessionId, UserId};
use usher_core::instance::{Environment, Instance, InstanceSettings, SecretKeyRecord};
use usher_core::sessions::{Session, SessionStatus};
use usher_core::signing_keys::SigningKey;
use usher_core::store::{Changeset, Store, Write};
use usher_core::users::User;
use usher_core::users::create::{NewUser, validate};

/// What a case returns: a failed store call or fixture ends it with its error (and that error's
/// causes); wrong values fail an assertion.
pub type Outcome = Fixture<()>;

/// What a fixture returns: what it set up, or the store's (or its own) error.
pub type Fixture<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A fresh, empty store for one case, and what must live as long as it (a temporary directory).
pub struct Fresh {
    pub store: Arc<dyn Store>,
    keep: Option<Box<dyn Any + Send>>,
}

impl Fresh {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store, keep: None }
    }

    /// Keeps `guard` (a `tempfile::TempDir`, say) until the case is over.
    pub fn keeping(mut self, guard: impl Any + Send) -> Self {
        self.keep = Some(Box::new(guard));
        self
    }
}

/// Runs one case on a fresh store; `None` (no server for this backend, and none required) skips
/// it, the factory having said why.
pub async fn run<C, F>(fresh: Option<Fresh>, case: C)
where
    C: FnOnce(Arc<dyn Store>) -> F,
    F: Future<Output = Outcome>,
{
    let Some(fresh) = fresh else {
        return;
    };
    let result = case(fresh.store.clone()).await;
    drop(fresh);
    if let Err(e) = result {
        panic!("{}", usher_core::error::report(&*e));
    }
}

const NOW: i64 = 1_700_000_000_000;

fn user(email: &str, first: &str, created_at: i64) -> User {
    let settings = InstanceSettings::default();
    let input = NewUser {
        email_addresses: vec![email.to_owned()],
        first_name: Some(first.to_owned()),
        skip_password_requirement: true,
        created_at: Some(created_at),
        ..Default::default()
    };
    match validate(input, &settings) {
        Ok(v) => v.into_user(None, &settings, created_at),
        Err(e) => panic!("an invalid user fixture: {e}"),
    }
}

fn event(instance_id: &InstanceId, kind: &str, data: serde_json::Value) -> Write {
    Write::Event(OutboxEvent {
        id: EventId::new(),
        instance_id: instance_id.clone(),
        event_type: kind.to_owned(),
        data,
        attributes: json!({}),
        created_at: NOW,
        seq: 0,
    })
}

fn session(user_id: &UserId, client_id: &ClientId, created_at: i64, expire_at: i64) -> Session {
    Session {
        id: SessionId::new(),
        version: 0,
        client_id: client_id.clone(),
        user_id: user_id.clone(),
        status: SessionStatus::Active,
        last_active_organization_id: None,
        actor: None,
        last_active_at: created_at,
        expire_at,
        abandon_at: expire_at + 1,
        first_factor_verified_at: created_at,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at,
        updated_at: created_at,
    }
}

fn new_instance() -> Instance {
    Instance {
        id: InstanceId::new(),
        environment: Environment::Development,
        frontend_host: "127.0.0.1:4001".into(),
        settings: InstanceSettings::default(),
        created_at: NOW,
    }
}

/// A changeset of one write.
fn one(w: Write) -> Changeset {
    Changeset { writes: vec![w] }
}

/// Deletes user `id` at the version it is stored at, in a changeset of its own.
async fn delete_stored_user(store: &Arc<dyn Store>, ins: &InstanceId, id: &UserId) -> Outcome {
    let stored = store
        .get_user(ins, id)
        .await?
        .ok_or("the user to delete is stored")?;
    store
        .commit(
            ins,
            one(Write::DeleteUser {
                id: id.clone(),
                version: stored.version,
            }),
        )
        .await?;
    Ok(())
}

/// Creates the instance most cases start from, with a secret key and a signing key.
async fn create_instance(store: &Arc<dyn Store>) -> Fixture<Instance> {
    let instance = new_instance();
    let secret = SecretKeyRecord::new(&instance.id, "sk_test_0123456789abcdefghij", NOW);
    let (_, key_record) = SigningKey::generate(&instance.id, &instance.id, NOW)?;
    store
        .create_instance(&instance, &secret, &key_record)
        .await?;
    Ok(instance)
}

/// A second instance in the same database, for the cases that show one instance never sees
/// another's records; `None` where the store refuses to hold a second one (those cases then
/// check only their own instance, as before).
async fn another_instance(store: &Arc<dyn Store>) -> Fixture<Option<Instance>> {
    let other = new_instance();
    let secret = SecretKeyRecord::new(&other.id, "sk_test_abcdefghij0123456789", NOW);
    let (_, signing) = SigningKey::generate(&other.id, &other.id, NOW)?;
    Ok(store
        .create_instance(&other, &secret, &signing)
        .await
        .is_ok()
        .then_some(other))
}

/// One `#[tokio::test]` per case, in `mod conformance::<module>`, each on the store the factory
/// `$fresh` returns (`async fn $fresh() -> Option<Fresh>`, a fresh store per call). A backend's
/// test file invokes it once: `usher_store::conformance_tests!(fresh_store);`.
#[macro_export]
macro_rules! conformance_tests {
    ($fresh:ident) => {
        $crate::__conformance_cases! { $fresh;
            records {
                a_new_store_has_no_instance,
                the_instance_and_its_keys_round_trip,
                signing_keys_rotate_and_retire,
                signing_keys_rotate_and_retire_in_a_changeset,
                instance_secrets_are_kept_once_per_name,
                branding_is_versioned,
                session_claims_are_versioned,
                users_round_trip,
                a_taken_email_fails_the_whole_changeset,
                a_stale_user_update_is_refused,
                changing_an_email_frees_the_old_one,
                users_are_filtered_ordered_and_paged,
                session_statuses_depend_on_time,
                a_stale_session_update_is_refused,
                deleting_a_user_frees_its_identifiers,
                events_are_kept_in_commit_order,
                the_audit_log_is_newest_first,
                users_are_filtered_by_whether_they_are_locked,
            }
            webhooks {
                endpoints_round_trip,
                events_are_queued_for_the_endpoints_that_accept_them,
                a_failed_changeset_queues_no_delivery,
                deliveries_are_leased_attempted_retried_and_replayed,
                racing_claims_lease_each_endpoint_once,
                deleting_an_endpoint_removes_its_queue,
            }
            emails {
                an_email_round_trips,
                emails_are_listed_newest_first,
                a_failed_changeset_queues_no_email,
                the_queue_is_oldest_first,
                claims_are_exclusive_and_expire,
                outcomes_are_recorded,
            }
            instance_settings {
                settings_are_versioned,
                a_stale_settings_write_keeps_no_event,
            }
            lifecycle {
                a_purge_is_claimed_once_and_scrubs_the_users_traces,
                a_purge_waits_for_pending_deliveries_until_the_grace_ends,
                retention_prunes_old_records_but_keeps_pending_deliveries,
            }
            ops {
                emails_sent_are_filtered_by_status,
                sms_sent_are_filtered_by_status,
                webhook_attempts_are_counted_per_hour,
            }
            sms {
                sms_messages_are_listed_newest_first,
                a_failed_changeset_records_no_sms,
                provider_texts_are_queued_claimed_and_recorded,
                users_are_found_by_identification_id,
            }
            jwt_templates {
                templates_round_trip_and_list_newest_first,
                template_names_are_unique,
            }
            roles {
                roles_and_permissions_round_trip,
                role_and_permission_keys_are_unique,
                deletes_and_renames_reach_the_roles,
            }
            role_sets {
                role_sets_round_trip_with_unique_keys,
                a_sets_organizations_and_members_are_found_and_moved,
            }
            sign_in_tokens {
                sign_in_tokens_are_found_by_id_and_digest_and_spent_once,
            }
            degraded {
                revocation_events_are_read_from_a_time_on,
            }
            secret_keys {
                secret_keys_are_named_and_read_back,
                secret_keys_expire_sooner_only_and_never_the_last,
            }
            actor_tokens {
                actor_tokens_keep_their_actor_and_are_spent_once,
            }
            clients {
                a_client_is_found_by_its_token_hash,
                client_updates_are_versioned,
                sessions_are_listed_by_client,
                identifiers_are_looked_up_normalised,
                handshake_nonces_expire,
            }
            organizations {
                organizations_round_trip_with_unique_slugs,
                organizations_are_filtered_ordered_and_paged,
                memberships_are_unique_and_listed,
                the_membership_limit_holds_under_concurrency,
                the_last_admin_is_kept,
                memberships_of_users_come_with_their_organizations,
                users_and_organizations_are_read_by_ids,
                a_role_in_use_is_not_deleted,
            }
            organization_domains {
                domains_are_unique_listed_and_deleted_with_their_organization,
                a_domain_keeps_its_affiliation_verification,
            }
            invitations {
                invitations_are_found_by_ticket_listed_and_revoked_once,
                identifier_lists_hold_an_identifier_once_per_list,
            }
            waitlist {
                waitlist_entries_are_unique_listed_and_versioned,
                redirect_urls_are_registered_once,
            }
            organization_invitations {
                invitations_are_pending_once_per_address_and_expire,
                invitations_are_found_by_ticket_and_by_any_address,
            }
            api_keys {
                api_keys_round_trip_and_are_found_by_digest,
                api_keys_are_listed_per_subject_and_touched_in_batches,
                api_keys_go_with_their_user,
            }
            oauth {
                oauth_providers_are_unique_by_name,
                oauth_states_are_taken_once_and_pruned,
                external_accounts_are_unique_and_go_with_their_user,
            }
            passkeys {
                passkeys_have_unique_credentials_and_go_with_their_user,
            }
            operators {
                operators_are_unique_per_email_and_reset_ends_their_sessions,
                operator_sessions_are_found_by_digest_in_their_instance,
                the_audit_log_is_filtered_and_paged,
            }
            billing {
                billing_plans_have_unique_slugs_and_one_default,
                subscription_items_are_active_once_per_payer,
            }
            machines {
                machines_keep_their_scopes_and_secret_keys,
                machines_are_filtered_ordered_and_paged,
                m2m_tokens_are_found_by_digest_and_listed_per_machine,
            }
            enrollment {
                suggestions_and_requests_are_pending_once_and_listed,
                domains_count_their_pending_invitations_and_suggestions,
                suggestions_and_requests_go_with_their_organization_and_user,
            }
            images {
                images_round_trip_and_are_deleted,
                an_image_goes_with_its_changeset,
            }
            activity {
                activity_counters_add_up_per_hour,
                the_audit_log_and_events_are_read_by_time,
                the_database_reports_its_health_and_clock,
            }
            dashboard {
                security_events_are_listed_newest_first,
            }
            user_search {
                the_user_search_finds_what_a_scan_finds,
                the_user_search_follows_updates_and_deletes,
                a_bounded_user_count_stops_past_its_bound,
            }
            message_templates {
                templates_are_stored_once_per_type_and_slug,
                satellite_domains_are_registered_once,
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($fresh:ident; $($module:ident { $($case:ident),* $(,)? })*) => {
        mod conformance {
            $(mod $module {
                $(#[tokio::test]
                async fn $case() {
                    $crate::conformance::run(
                        super::super::$fresh().await,
                        $crate::conformance::$module::$case,
                    )
                    .await;
                })*
            })*
        }
    };
}
