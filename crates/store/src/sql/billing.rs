// Plans and subscription items: reads, the writes `commit` applies, and the entitlement a
// session token carries. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::billing::{Entitlement, PayerType, Plan, PlanQuery, SubscriptionItem};
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    DbRow, execute, execute_one, execute_unique, exists, fetch_all, fetch_optional, paged, text,
    versioned,
};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

/// The plan a payer holds (`$1` instance, `$2` payer id, `$3` payer type): its active item's,
/// else its payer type's default. The session token's read inlines the same shape.
const ENTITLEMENT: &str = "SELECT p.slug, p.feature_slugs FROM billing_plans p \
     WHERE p.instance_id = $1 AND p.id = COALESCE(\
       (SELECT i.plan_id FROM billing_subscription_items i \
        WHERE i.instance_id = $1 AND i.payer_id = $2 AND i.status = 'active'), \
       (SELECT d.id FROM billing_plans d \
        WHERE d.instance_id = $1 AND d.for_payer_type = $3 AND d.is_default))";

fn plan(r: &DbRow) -> StoreResult<Plan> {
    let mut p: Plan = versioned(r)?;
    p.is_default = r.get::<bool, _>("is_default");
    Ok(p)
}

/// `slug:feature,feature` (a slug holds no `:`), as the session token's read selects it.
pub fn entitlement_of(stored: Option<String>) -> Option<Entitlement> {
    let stored = stored?;
    let (slug, features) = stored.split_once(':')?;
    Some(Entitlement::from_stored(slug.to_owned(), features))
}

pub async fn get_plan(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Plan>> {
    fetch_optional(
        text(
            "SELECT doc, version, is_default FROM billing_plans WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        plan,
    )
    .await
}

pub async fn plan_by_slug(
    pool: &Pool<Db>,
    instance_id: &str,
    slug: &str,
) -> StoreResult<Option<Plan>> {
    fetch_optional(
        text(
            "SELECT doc, version, is_default FROM billing_plans \
             WHERE instance_id = $1 AND slug = $2",
            &[instance_id, slug],
        ),
        pool,
        plan,
    )
    .await
}

fn push_plan_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &PlanQuery) {
    qb.push(" FROM billing_plans WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(t) = q.payer_type {
        qb.push(" AND for_payer_type = ")
            .push_bind(t.as_str().to_owned());
    }
}

pub async fn list_plans(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &PlanQuery,
) -> StoreResult<(Vec<Plan>, i64)> {
    let order_by = " ORDER BY created_at DESC, id DESC";
    let columns = "doc, version, is_default";
    paged(pool, columns, |qb| push_plan_filter(qb, instance_id, q), order_by, &q.page, plan).await
}

pub async fn insert_plan(tx: &mut Tx<'_>, instance_id: &str, p: &Plan) -> StoreResult<()> {
    if p.is_default {
        // The payer type's previous default steps down in the same transaction.
        let step_down = text(
            "UPDATE billing_plans SET is_default = FALSE, version = version + 1 \
             WHERE instance_id = $1 AND for_payer_type = $2 AND is_default",
            &[instance_id, p.for_payer_type.as_str()],
        );
        execute(step_down, &mut **tx).await?;
    }
    let insert = text(
        "INSERT INTO billing_plans (instance_id, id, version, slug, for_payer_type, is_default, \
         feature_slugs, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[instance_id, p.id.as_str(), &p.slug, p.for_payer_type.as_str()],
    )
    .bind(p.is_default)
    .bind(p.feature_slugs())
    .bind(to_doc(p)?)
    .bind(p.created_at);
    execute_unique(insert, &mut **tx, StoreError::SlugTaken).await?;
    Ok(())
}

pub async fn items_of_payer(
    pool: &Pool<Db>,
    instance_id: &str,
    payer_id: &str,
) -> StoreResult<Vec<SubscriptionItem>> {
    fetch_all(
        text(
            "SELECT doc, version FROM billing_subscription_items \
             WHERE instance_id = $1 AND payer_id = $2 ORDER BY created_at DESC, id DESC",
            &[instance_id, payer_id],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn entitlement(
    pool: &Pool<Db>,
    instance_id: &str,
    payer_type: PayerType,
    payer_id: &str,
) -> StoreResult<Option<Entitlement>> {
    fetch_optional(
        text(ENTITLEMENT, &[instance_id, payer_id, payer_type.as_str()]),
        pool,
        |r| {
            Ok(Entitlement::from_stored(
                r.get("slug"),
                r.get::<&str, _>("feature_slugs"),
            ))
        },
    )
    .await
}

pub async fn insert_item(tx: &mut Tx<'_>, instance_id: &str, i: &SubscriptionItem) -> StoreResult<()> {
    // The payer or the plan may be gone since they were read: the item would name nothing.
    let payer = text(
        "SELECT 1 FROM users WHERE instance_id = $1 AND id = $2 \
         UNION ALL SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2",
        &[instance_id, &i.payer_id],
    );
    let plan = text(
        "SELECT 1 FROM billing_plans WHERE instance_id = $1 AND id = $2",
        &[instance_id, i.plan_id.as_str()],
    );
    if !exists(payer, &mut **tx).await? || !exists(plan, &mut **tx).await? {
        return Err(StoreError::Stale);
    }
    let insert = text(
        "INSERT INTO billing_subscription_items (instance_id, id, version, payer_id, plan_id, \
         status, doc, created_at) VALUES ($1, $2, 1, $3, $4, $5, $6, $7)",
        &[instance_id, i.id.as_str(), &i.payer_id, i.plan_id.as_str(), i.status.as_str()],
    )
    .bind(to_doc(i)?)
    .bind(i.created_at);
    // Another active item for the payer: a concurrent assignment won; the caller re-reads.
    execute_unique(insert, &mut **tx, StoreError::Stale).await?;
    Ok(())
}

pub async fn update_item(tx: &mut Tx<'_>, instance_id: &str, i: &SubscriptionItem) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE billing_subscription_items SET version = version + 1, status = $1, doc = $2 \
         WHERE instance_id = $3 AND id = $4 AND version = $5",
    )
    .bind(i.status.as_str())
    .bind(to_doc(i)?)
    .bind(instance_id)
    .bind(i.id.as_str())
    .bind(i.version);
    execute_one(update, &mut **tx).await
}

/// With their user or organization.
pub async fn delete_of_payer(tx: &mut Tx<'_>, instance_id: &str, payer_id: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM billing_subscription_items WHERE instance_id = $1 AND payer_id = $2",
            &[instance_id, payer_id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}
