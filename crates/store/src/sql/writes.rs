// Writes. A changeset is applied in one transaction: state, outbox events and audit entries
// commit together or not at all. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::Session;
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{Changeset, StoreError, StoreResult, Write};
use usher_core::users::User;
use usher_core::users::identifiers::{IdentifierKind, normalize};

use super::db_err;
use super::query::{
    DbQuery, delete_versioned, execute, execute_one, execute_unique, fetch_one, text,
};
use crate::rows::to_doc;

/// The instance's secret `name`: `candidate` when none was kept yet, else the one kept (the first
/// node to ask settles it for all).
pub async fn instance_secret(
    pool: &Pool<Db>,
    instance_id: &str,
    name: &str,
    candidate: &[u8],
) -> StoreResult<Vec<u8>> {
    let keep = text(
        "INSERT INTO instance_secrets (instance_id, name, secret) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[instance_id, name],
    )
    .bind(candidate);
    execute(keep, pool).await?;
    let kept = text(
        "SELECT secret FROM instance_secrets WHERE instance_id = $1 AND name = $2",
        &[instance_id, name],
    );
    fetch_one(kept, pool, |r| Ok(r.get("secret"))).await
}

pub async fn create_instance(
    pool: &Pool<Db>,
    instance: &Instance,
    secret: &SecretKeyRecord,
    key: &SigningKeyRecord,
) -> StoreResult<()> {
    let mut tx = super::query::begin_write(pool).await?;
    // The `singleton` column's unique key lets exactly one of several starting nodes create it.
    let insert = text(
        "INSERT INTO instances (id, doc, created_at) VALUES ($1, $2, $3)",
        &[instance.id.as_str(), &to_doc(instance)?],
    )
    .bind(instance.created_at);
    execute_unique(insert, &mut *tx, StoreError::InstanceExists).await?;
    insert_secret_key_in(&mut tx, instance.id.as_str(), secret).await?;
    let insert_key = text(
        "INSERT INTO signing_keys (kid, instance_id, private_pkcs8, active, created_at) VALUES ($1, $2, $3, $4, $5)",
        &[&key.kid, instance.id.as_str()],
    )
    .bind(key.private_pkcs8_der.as_slice())
    .bind(key.active)
    .bind(key.created_at);
    execute(insert_key, &mut *tx).await?;
    tx.commit().await.map_err(db_err)
}

pub async fn rotate_signing_key(
    pool: &Pool<Db>,
    instance_id: &str,
    key: &SigningKeyRecord,
) -> StoreResult<()> {
    let mut tx = super::query::begin_write(pool).await?;
    rotate_signing_key_in(&mut tx, instance_id, key).await?;
    tx.commit().await.map_err(db_err)
}

async fn insert_secret_key_in(
    tx: &mut Tx<'_>,
    instance_id: &str,
    secret: &SecretKeyRecord,
) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO secret_keys (id, instance_id, name, hash, hint, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[secret.id.as_str(), instance_id, secret.name.as_str()],
    )
    .bind(secret.hash.as_slice())
    .bind(secret.hint.as_str())
    .bind(secret.created_at)
    .bind(secret.expires_at);
    execute_unique(insert, &mut **tx, StoreError::NameTaken).await?;
    Ok(())
}

/// Sooner only, and never the last key accepted at `expires_at`.
async fn expire_secret_key_in(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    expires_at: i64,
) -> StoreResult<bool> {
    let update = text(
        "UPDATE secret_keys SET expires_at = $3 WHERE instance_id = $1 AND id = $2 \
         AND (expires_at IS NULL OR expires_at > $3) \
         AND EXISTS (SELECT 1 FROM secret_keys o WHERE o.instance_id = $1 AND o.id <> $2 \
                     AND (o.expires_at IS NULL OR o.expires_at > $3))",
        &[instance_id, id],
    )
    .bind(expires_at);
    Ok(execute(update, &mut **tx).await? == 1)
}

async fn rotate_signing_key_in(
    tx: &mut Tx<'_>,
    instance_id: &str,
    key: &SigningKeyRecord,
) -> StoreResult<()> {
    let retire = text(
        "UPDATE signing_keys SET active = FALSE WHERE instance_id = $1",
        &[instance_id],
    );
    execute(retire, &mut **tx).await?;
    let insert = text(
        "INSERT INTO signing_keys (kid, instance_id, private_pkcs8, active, created_at) VALUES ($1, $2, $3, TRUE, $4)",
        &[&key.kid, instance_id],
    )
    .bind(key.private_pkcs8_der.as_slice())
    .bind(key.created_at);
    execute(insert, &mut **tx).await?;
    Ok(())
}

pub async fn retire_signing_key(
    pool: &Pool<Db>,
    instance_id: &str,
    kid: &str,
) -> StoreResult<bool> {
    let mut tx = super::query::begin_write(pool).await?;
    let retired = retire_signing_key_in(&mut tx, instance_id, kid).await?;
    tx.commit().await.map_err(db_err)?;
    Ok(retired)
}

/// Whether an inactive key `kid` was there to remove.
async fn retire_signing_key_in(tx: &mut Tx<'_>, instance_id: &str, kid: &str) -> StoreResult<bool> {
    let delete = text(
        "DELETE FROM signing_keys WHERE instance_id = $1 AND kid = $2 AND NOT active",
        &[instance_id, kid],
    );
    Ok(execute(delete, &mut **tx).await? == 1)
}

pub async fn commit(pool: &Pool<Db>, instance_id: &str, changes: Changeset) -> StoreResult<()> {
    let mut tx = super::query::begin_write(pool).await?;
    // A commit's events are written and queued for the webhook endpoints together, in two
    // statements however many there are: at the end, or before anything that changes the
    // endpoints, so each event reaches the endpoints that existed when it was raised.
    let mut events: Vec<&OutboxEvent> = Vec::new();
    for write in &changes.writes {
        if matches!(
            write,
            Write::EndpointEvent { .. }
                | Write::InsertWebhookEndpoint(_)
                | Write::UpdateWebhookEndpoint(_)
                | Write::DeleteWebhookEndpoint { .. }
        ) {
            queue_events(&mut tx, instance_id, &events).await?;
            events.clear();
        }
        match write {
            Write::InsertUser(u) => insert_user(&mut tx, instance_id, u).await?,
            Write::UpdateUser(u) => update_user(&mut tx, instance_id, u).await?,
            Write::DeleteUser { id, version } => {
                delete_user(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertClient(c) => super::clients::insert_client(&mut tx, instance_id, c).await?,
            Write::UpdateClient(c) => super::clients::update_client(&mut tx, instance_id, c).await?,
            Write::InsertSession(s) => insert_session(&mut tx, instance_id, s).await?,
            Write::UpdateSession(s) => update_session(&mut tx, instance_id, s).await?,
            Write::Event(e) => events.push(e),
            Write::EndpointEvent { endpoint_id, event } => {
                insert_event(&mut tx, instance_id, event).await?;
                super::webhooks::fan_out_to(&mut tx, instance_id, &event.id, endpoint_id).await?;
            }
            Write::Audit(a) => insert_audit(&mut tx, instance_id, a).await?,
            Write::InsertWebhookEndpoint(ep) => {
                super::webhooks::insert_endpoint(&mut tx, instance_id, ep).await?
            }
            Write::UpdateWebhookEndpoint(ep) => {
                super::webhooks::update_endpoint(&mut tx, instance_id, ep).await?
            }
            Write::DeleteWebhookEndpoint { id, version } => {
                super::webhooks::delete_endpoint(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertEmail(m) => super::emails::insert(&mut tx, instance_id, m).await?,
            Write::InsertSms(m) => super::sms::insert(&mut tx, instance_id, m).await?,
            Write::QueuePiiPurge(p) => super::lifecycle::queue(&mut tx, instance_id, p).await?,
            Write::PutBranding(b) => {
                super::instance_documents::put(&mut tx, instance_id, b).await?
            }
            Write::PutSessionClaims(t) => {
                super::instance_documents::put(&mut tx, instance_id, t).await?
            }
            Write::PutInstanceSettings(s) => {
                super::instance_documents::put(&mut tx, instance_id, s).await?
            }
            Write::PutOrganizationPermission(p) => {
                super::roles::put_permission(&mut tx, instance_id, p).await?
            }
            Write::DeleteOrganizationPermission { id } => {
                super::roles::delete_permission(&mut tx, instance_id, id).await?
            }
            Write::PutOrganizationRole(r) => super::roles::put_role(&mut tx, instance_id, r).await?,
            Write::DeleteOrganizationRole { id } => {
                super::roles::delete_role(&mut tx, instance_id, id).await?
            }
            Write::InsertSignInToken(t) => super::sign_in_tokens::insert(&mut tx, instance_id, t).await?,
            Write::UpdateSignInToken(t) => super::sign_in_tokens::update(&mut tx, instance_id, t).await?,
            Write::InsertActorToken(t) => super::sign_in_tokens::insert(&mut tx, instance_id, t).await?,
            Write::UpdateActorToken(t) => super::sign_in_tokens::update(&mut tx, instance_id, t).await?,
            Write::PutRoleSet(r) => super::role_sets::put(&mut tx, instance_id, r).await?,
            Write::ReplaceRoleSet { id, dest_key } => {
                super::role_sets::replace(&mut tx, instance_id, id, dest_key).await?
            }
            Write::InsertJwtTemplate(t) => super::jwt_templates::insert(&mut tx, instance_id, t).await?,
            Write::UpdateJwtTemplate(t) => super::jwt_templates::update(&mut tx, instance_id, t).await?,
            Write::DeleteJwtTemplate { id } => {
                super::jwt_templates::delete(&mut tx, instance_id, id).await?
            }
            Write::InsertOrganization(o) => super::organizations::insert(&mut tx, instance_id, o).await?,
            Write::UpdateOrganization(o) => super::organizations::update(&mut tx, instance_id, o).await?,
            Write::DeleteOrganization { id, version } => {
                super::organizations::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertListedIdentifier(e) => {
                super::identifier_lists::insert(&mut tx, instance_id, e).await?
            }
            Write::DeleteListedIdentifier { id } => {
                super::identifier_lists::delete(&mut tx, instance_id, id).await?
            }
            Write::InsertRedirectUrl(r) => {
                super::redirect_urls::insert(&mut tx, instance_id, r).await?
            }
            Write::DeleteRedirectUrl { id } => {
                super::redirect_urls::delete(&mut tx, instance_id, id).await?
            }
            Write::PutMessageTemplate(t) => {
                super::message_templates::put(&mut tx, instance_id, t).await?
            }
            Write::DeleteMessageTemplate {
                template_type,
                slug,
            } => super::message_templates::delete(&mut tx, instance_id, *template_type, slug).await?,
            Write::InsertSatelliteDomain(d) => {
                super::satellite_domains::insert(&mut tx, instance_id, d).await?
            }
            Write::UpdateSatelliteDomain(d) => {
                super::satellite_domains::update(&mut tx, instance_id, d).await?
            }
            Write::DeleteSatelliteDomain { id } => {
                super::satellite_domains::delete(&mut tx, instance_id, id).await?
            }
            Write::InsertWaitlistEntry(e) => {
                super::waitlist::insert(&mut tx, instance_id, e).await?
            }
            Write::UpdateWaitlistEntry(e) => {
                super::waitlist::update(&mut tx, instance_id, e).await?
            }
            Write::DeleteWaitlistEntry { id, version } => {
                super::waitlist::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertInvitation(i) => super::invitations::insert(&mut tx, instance_id, i).await?,
            Write::UpdateInvitation(i) => super::invitations::update(&mut tx, instance_id, i).await?,
            Write::InsertOrganizationInvitation(i) => {
                super::organization_invitations::insert(&mut tx, instance_id, i).await?
            }
            Write::UpdateOrganizationInvitation(i) => {
                super::organization_invitations::update(&mut tx, instance_id, i).await?
            }
            Write::InsertOrganizationDomain(d) => {
                super::organization_domains::insert(&mut tx, instance_id, d).await?
            }
            Write::UpdateOrganizationDomain(d) => {
                super::organization_domains::update(&mut tx, instance_id, d).await?
            }
            Write::DeleteOrganizationDomain { id, version } => {
                super::organization_domains::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertOrganizationSuggestion(x) => {
                super::organization_suggestions::insert_suggestion(&mut tx, instance_id, x).await?
            }
            Write::UpdateOrganizationSuggestion(x) => {
                super::organization_suggestions::update_suggestion(&mut tx, instance_id, x).await?
            }
            Write::DeleteOrganizationSuggestion { id, version } => {
                super::organization_suggestions::delete_suggestion(&mut tx, instance_id, id, *version)
                    .await?
            }
            Write::InsertMembershipRequest(x) => {
                super::organization_suggestions::insert_request(&mut tx, instance_id, x).await?
            }
            Write::UpdateMembershipRequest(x) => {
                super::organization_suggestions::update_request(&mut tx, instance_id, x).await?
            }
            Write::InsertMembership(m) => {
                super::organizations::insert_membership(&mut tx, instance_id, m).await?
            }
            Write::UpdateMembership(m) => {
                super::organizations::update_membership(&mut tx, instance_id, m).await?
            }
            Write::DeleteMembership { organization_id, id, version, keep_an_admin } => {
                super::organizations::delete_membership(
                    &mut tx, instance_id, organization_id, id, *version, *keep_an_admin,
                )
                .await?
            }
            Write::InsertOperator(o) => super::operators::insert(&mut tx, instance_id, o).await?,
            Write::ResetOperator(o) => super::operators::reset(&mut tx, instance_id, o).await?,
            Write::DeleteOperator(id) => {
                super::operators::delete(&mut tx, instance_id, id).await?
            }
            Write::PutPasskey(p) => super::passkeys::put(&mut tx, instance_id, p).await?,
            Write::DeletePasskey { id, version } => {
                super::passkeys::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertApiKey { key, digest, sealed } => {
                super::api_keys::insert(&mut tx, instance_id, key, digest, sealed).await?
            }
            Write::UpdateApiKey(k) => super::api_keys::update(&mut tx, instance_id, k).await?,
            Write::DeleteApiKey { id, version } => {
                super::api_keys::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::PutOAuthProvider(p) => super::oauth::put_provider(&mut tx, instance_id, p).await?,
            Write::DeleteOAuthProvider { id } => super::oauth::delete_provider(&mut tx, instance_id, id).await?,
            Write::PutExternalAccount(t) => super::oauth::put_account(&mut tx, instance_id, t).await?,
            Write::DeleteExternalAccount { id } => super::oauth::delete_account(&mut tx, instance_id, id).await?,
            Write::InsertBillingPlan(p) => super::billing::insert_plan(&mut tx, instance_id, p).await?,
            Write::InsertSubscriptionItem(i) => {
                super::billing::insert_item(&mut tx, instance_id, i).await?
            }
            Write::UpdateSubscriptionItem(i) => {
                super::billing::update_item(&mut tx, instance_id, i).await?
            }
            Write::InsertMachine { machine, digest, sealed, scoped } => {
                super::machines::insert(&mut tx, instance_id, machine, digest, sealed, scoped)
                    .await?
            }
            Write::UpdateMachine(m) => super::machines::update(&mut tx, instance_id, m).await?,
            Write::DeleteMachine { id, version } => {
                super::machines::delete(&mut tx, instance_id, id, *version).await?
            }
            Write::RotateMachineSecret { machine, digest, sealed, previous_until } => {
                super::machines::rotate_secret(
                    &mut tx, instance_id, machine, digest, sealed, *previous_until,
                )
                .await?
            }
            Write::InsertMachineScope(s) => {
                super::machines::insert_scope(&mut tx, instance_id, s).await?
            }
            Write::DeleteMachineScope { from, to } => {
                super::machines::delete_scope(&mut tx, instance_id, from, to).await?
            }
            Write::InsertM2mToken { token, digest } => {
                super::m2m_tokens::insert(&mut tx, instance_id, token, digest).await?
            }
            Write::UpdateM2mToken(t) => super::m2m_tokens::update(&mut tx, instance_id, t).await?,
            Write::RotateSigningKey(key) => rotate_signing_key_in(&mut tx, instance_id, key).await?,
            Write::InsertImage(img) => super::images::insert(&mut tx, instance_id, img).await?,
            Write::InsertSecretKey(secret) => {
                insert_secret_key_in(&mut tx, instance_id, secret).await?
            }
            Write::ExpireSecretKey { id, expires_at } => {
                if !expire_secret_key_in(&mut tx, instance_id, id.as_str(), *expires_at).await? {
                    return Err(StoreError::Stale);
                }
            }
            Write::DeleteImage { id } => super::images::delete(&mut tx, instance_id, id).await?,
            Write::RetireSigningKey { kid } => {
                if !retire_signing_key_in(&mut tx, instance_id, kid).await? {
                    return Err(StoreError::Stale);
                }
            }
        }
    }
    queue_events(&mut tx, instance_id, &events).await?;
    tx.commit().await.map_err(db_err)
}

/// Inserts `events` in their order (their sequence numbers follow it) and queues them for every
/// endpoint that subscribes to them.
async fn queue_events(
    tx: &mut Tx<'_>,
    instance_id: &str,
    events: &[&OutboxEvent],
) -> StoreResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "INSERT INTO events (id, instance_id, type, data, attributes, created_at) ",
    );
    let mut rows = Vec::with_capacity(events.len());
    for e in events {
        rows.push((e, to_doc(&e.data)?, to_doc(&e.attributes)?));
    }
    qb.push_values(rows, |mut row, (e, data, attributes)| {
        row.push_bind(e.id.as_str())
            .push_bind(instance_id)
            .push_bind(&e.event_type)
            .push_bind(data)
            .push_bind(attributes)
            .push_bind(e.created_at);
    });
    execute(qb.build(), &mut **tx).await?;
    let ids: Vec<&str> = events.iter().map(|e| e.id.as_str()).collect();
    super::webhooks::fan_out(tx, instance_id, &ids).await
}

type Tx<'a> = Transaction<'a, Db>;

fn identifiers_of(u: &User) -> Vec<(IdentifierKind, String)> {
    let mut out = Vec::new();
    out.extend(u.email_addresses.iter().map(|e| {
        (
            IdentifierKind::Email,
            normalize(IdentifierKind::Email, &e.email_address),
        )
    }));
    out.extend(u.phone_numbers.iter().map(|p| {
        (
            IdentifierKind::Phone,
            normalize(IdentifierKind::Phone, &p.phone_number),
        )
    }));
    out.extend(u.username.iter().map(|n| {
        (
            IdentifierKind::Username,
            normalize(IdentifierKind::Username, n),
        )
    }));
    out.extend(u.external_id.iter().map(|x| {
        (
            IdentifierKind::ExternalId,
            normalize(IdentifierKind::ExternalId, x),
        )
    }));
    out
}

async fn write_identifiers(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    delete_identifiers(tx, instance_id, u.id.as_str()).await?;
    for (kind, value) in identifiers_of(u) {
        let insert = text(
            "INSERT INTO user_identifiers (instance_id, kind, value, user_id) VALUES ($1, $2, $3, $4)",
            &[instance_id, kind.as_str(), &value, u.id.as_str()],
        );
        execute_unique(insert, &mut **tx, StoreError::IdentifierTaken(kind)).await?;
    }
    Ok(())
}

async fn delete_identifiers(tx: &mut Tx<'_>, instance_id: &str, user_id: &str) -> StoreResult<()> {
    let delete = text(
        "DELETE FROM user_identifiers WHERE instance_id = $1 AND user_id = $2",
        &[instance_id, user_id],
    );
    execute(delete, &mut **tx).await?;
    Ok(())
}

async fn insert_user(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    write_identifiers(tx, instance_id, u).await?;
    let sql = "INSERT INTO users (doc, created_at, updated_at, primary_email, primary_phone, username, first_name, \
               last_name, last_sign_in_at, last_active_at, banned, locked_until, search, instance_id, id, identifiers_key, version) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1)";
    let insert = bind_user_row(sqlx::query(sql), instance_id, u)?.bind(identifiers_key(u));
    execute(insert, &mut **tx).await?;
    Ok(())
}

/// Binds `$1`–`$15` of the statements that write a user's row: its columns, the instance, the id.
fn bind_user_row<'q>(
    q: DbQuery<'q>,
    instance_id: &'q str,
    u: &'q User,
) -> StoreResult<DbQuery<'q>> {
    Ok(q.bind(to_doc(u)?)
        .bind(u.created_at)
        .bind(u.updated_at)
        .bind(u.primary_email().map(|e| normalize(IdentifierKind::Email, &e.email_address)))
        .bind(primary_phone(u))
        .bind(u.username.as_deref().map(|n| normalize(IdentifierKind::Username, n)))
        .bind(&u.first_name)
        .bind(&u.last_name)
        .bind(u.last_sign_in_at)
        .bind(u.last_active_at)
        .bind(u.banned)
        .bind(u.locked_until)
        .bind(u.search_text())
        .bind(instance_id)
        .bind(u.id.as_str()))
}

fn primary_phone(u: &User) -> Option<String> {
    let id = u.primary_phone_number_id.as_deref()?;
    u.phone_numbers
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.phone_number.clone())
}

/// The user's identifiers as one comparable string (see migration 0005).
fn identifiers_key(u: &User) -> String {
    let mut ids: Vec<String> = identifiers_of(u)
        .into_iter()
        .map(|(kind, value)| format!("{}:{value}", kind.as_str()))
        .collect();
    ids.sort();
    ids.join("\n")
}

macro_rules! update_user_row {
    () => {
        "UPDATE users SET version = version + 1, doc = $1, created_at = $2, updated_at = $3, primary_email = $4, \
         primary_phone = $5, username = $6, first_name = $7, last_name = $8, last_sign_in_at = $9, last_active_at = $10, \
         banned = $11, locked_until = $12, search = $13, identifiers_key = $17 \
         WHERE instance_id = $14 AND id = $15 AND version = $16"
    };
}
const UPDATE_USER_ROW: &str = update_user_row!();
const UPDATE_USER_ROW_SAME_IDENTIFIERS: &str =
    concat!(update_user_row!(), " AND identifiers_key = $17");

/// Most updates leave the identifiers alone: then the row's update, guarded by the stored
/// identifiers too, is the only statement. Otherwise the row is updated and the identifiers
/// rewritten.
async fn update_user(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    let key = identifiers_key(u);
    if update_user_row(tx, instance_id, u, &key, true).await? {
        return Ok(());
    }
    if !update_user_row(tx, instance_id, u, &key, false).await? {
        return Err(StoreError::Stale);
    }
    write_identifiers(tx, instance_id, u).await
}

/// Whether the row at `u.version` was updated (and, with `same_identifiers`, stored the same
/// identifiers).
async fn update_user_row(
    tx: &mut Tx<'_>,
    instance_id: &str,
    u: &User,
    key: &str,
    same_identifiers: bool,
) -> StoreResult<bool> {
    let sql = if same_identifiers {
        UPDATE_USER_ROW_SAME_IDENTIFIERS
    } else {
        UPDATE_USER_ROW
    };
    let update = bind_user_row(sqlx::query(sql), instance_id, u)?
        .bind(u.version)
        .bind(key);
    Ok(execute(update, &mut **tx).await? == 1)
}

async fn delete_user(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    version: i64,
) -> StoreResult<()> {
    delete_versioned(&mut **tx, "users", instance_id, id, version).await?;
    super::organization_suggestions::delete_of_user(tx, instance_id, id).await?;
    super::api_keys::delete_of_subject(tx, instance_id, id).await?;
    super::oauth::delete_accounts_of(tx, instance_id, id).await?;
    super::passkeys::delete_of_user(tx, instance_id, id).await?;
    super::billing::delete_of_payer(tx, instance_id, id).await?;
    delete_identifiers(tx, instance_id, id).await
}

async fn insert_session(tx: &mut Tx<'_>, instance_id: &str, s: &Session) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO sessions (instance_id, id, version, client_id, user_id, status, expire_at, abandon_at, created_at, doc, last_active_organization_id) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[instance_id, s.id.as_str(), s.client_id.as_str(), s.user_id.as_str(), s.status.as_str()],
    )
    .bind(s.expire_at)
    .bind(s.abandon_at)
    .bind(s.created_at)
    .bind(to_doc(s)?)
    .bind(s.last_active_organization_id.as_deref());
    execute(insert, &mut **tx).await?;
    Ok(())
}

async fn update_session(tx: &mut Tx<'_>, instance_id: &str, s: &Session) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE sessions SET version = version + 1, status = $1, expire_at = $2, abandon_at = $3, doc = $4, \
         last_active_organization_id = $8 WHERE instance_id = $5 AND id = $6 AND version = $7",
    )
    .bind(s.status.as_str())
    .bind(s.expire_at)
    .bind(s.abandon_at)
    .bind(to_doc(s)?)
    .bind(instance_id)
    .bind(s.id.as_str())
    .bind(s.version)
    .bind(s.last_active_organization_id.as_deref());
    execute_one(update, &mut **tx).await
}

async fn insert_event(tx: &mut Tx<'_>, instance_id: &str, e: &OutboxEvent) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO events (id, instance_id, type, data, attributes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[e.id.as_str(), instance_id, &e.event_type, &to_doc(&e.data)?, &to_doc(&e.attributes)?],
    )
    .bind(e.created_at);
    execute(insert, &mut **tx).await?;
    Ok(())
}

async fn insert_audit(tx: &mut Tx<'_>, instance_id: &str, a: &AuditEntry) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO audit_log (id, instance_id, actor, action, target_id, trace_id, client_ip, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[a.id.as_str(), instance_id, &a.actor, &a.action],
    )
    .bind(a.target_id.as_deref())
    .bind(a.trace_id.as_deref())
    .bind(a.client_ip.as_deref())
    .bind(a.at);
    execute(insert, &mut **tx).await?;
    Ok(())
}
