// Uploaded images: the bytes in a row of their own, never changed (a new upload is a new id).
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::ids::ImageId;
use usher_core::images::{Image, ImageKind};
use usher_core::error::Cause;
use usher_core::store::{StoreError, StoreResult};

use super::db_err;
use super::query::{execute, fetch_optional, text};

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Image>> {
    let query = text(
        "SELECT id, content_type, bytes, created_at FROM images WHERE instance_id = $1 AND id = $2",
        &[instance_id, id],
    );
    fetch_optional(query, pool, |row| {
        let content_type: String = row.try_get("content_type").map_err(db_err)?;
        Ok(Image {
            id: ImageId::from_stored(row.try_get::<String, _>("id").map_err(db_err)?),
            kind: ImageKind::from_content_type(&content_type).ok_or_else(|| StoreError::Backend {
                operation: StoreError::QUERY,
                cause: Cause::msg(format!("a stored image has content type {content_type}")),
            })?,
            bytes: row.try_get("bytes").map_err(db_err)?,
            created_at: row.try_get("created_at").map_err(db_err)?,
        })
    })
    .await
}

pub async fn insert(tx: &mut Transaction<'_, Db>, instance_id: &str, img: &Image) -> StoreResult<()> {
    // The core caps an image at 10 MB, so its size always fits.
    let size = i64::try_from(img.size()).unwrap_or(i64::MAX);
    let query = sqlx::query(
        "INSERT INTO images (instance_id, id, content_type, bytes, size, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(instance_id)
    .bind(img.id.as_str())
    .bind(img.kind.content_type())
    .bind(img.bytes.as_slice())
    .bind(size)
    .bind(img.created_at);
    execute(query, &mut **tx).await.map(|_| ())
}

pub async fn delete(tx: &mut Transaction<'_, Db>, instance_id: &str, id: &str) -> StoreResult<()> {
    let query = text(
        "DELETE FROM images WHERE instance_id = $1 AND id = $2",
        &[instance_id, id],
    );
    execute(query, &mut **tx).await.map(|_| ())
}
