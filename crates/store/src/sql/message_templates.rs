// The instance's stored email and SMS templates: reads, and the writes `commit` applies.
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::message_templates::{TemplateOverride, TemplateType};
use usher_core::store::StoreResult;

use super::query::{execute, fetch_all, text};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

/// Every stored template, by type and slug.
pub async fn list(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<TemplateOverride>> {
    fetch_all(
        text(
            "SELECT doc FROM message_templates WHERE instance_id = $1 \
             ORDER BY template_type, slug",
            &[instance_id],
        ),
        pool,
        |r| from_doc(r.get::<&str, _>("doc")),
    )
    .await
}

/// Stores `t`, replacing what its type and slug had.
pub async fn put(tx: &mut Tx<'_>, instance_id: &str, t: &TemplateOverride) -> StoreResult<()> {
    let q = text(
        "INSERT INTO message_templates (instance_id, template_type, slug, doc, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (instance_id, template_type, slug) \
         DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
        &[instance_id, t.template_type.as_str(), &t.slug],
    )
    .bind(to_doc(t)?)
    .bind(t.updated_at);
    execute(q, &mut **tx).await?;
    Ok(())
}

/// Drops what was stored for a template; nothing stored is not an error.
pub async fn delete(
    tx: &mut Tx<'_>,
    instance_id: &str,
    template_type: TemplateType,
    slug: &str,
) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM message_templates \
             WHERE instance_id = $1 AND template_type = $2 AND slug = $3",
            &[instance_id, template_type.as_str(), slug],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}
