// JWT templates. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::ids::JwtTemplateId;
use usher_core::jwt_templates::model::{CustomSigning, JwtTemplate, SigningAlgorithm};
use usher_core::jwt_templates::signing::SealedKey;
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::query::Page;

use super::query::{DbRow, exactly_one, execute, execute_unique, fetch_by_key, paged, text};

type Tx<'a> = Transaction<'a, Db>;

const COLUMNS: &str = "id, version, name, claims, lifetime, allowed_clock_skew, signing_algorithm, \
                       sealed_key, created_at, updated_at";

fn unreadable(what: &'static str) -> StoreError {
    StoreError::backend(
        "reading a JWT template",
        std::io::Error::new(std::io::ErrorKind::InvalidData, what),
    )
}

fn template(r: &DbRow) -> StoreResult<JwtTemplate> {
    let claims: String = r.get("claims");
    let claims = match serde_json::from_str(&claims) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(unreadable("claims are not a JSON object")),
    };
    let algorithm: Option<String> = r.get("signing_algorithm");
    let sealed: Option<Vec<u8>> = r.get("sealed_key");
    let signing = match (algorithm, sealed) {
        (Some(a), Some(k)) => Some(CustomSigning {
            algorithm: SigningAlgorithm::parse(&a).ok_or_else(|| unreadable("unknown algorithm"))?,
            sealed_key: SealedKey(k),
        }),
        _ => None,
    };
    Ok(JwtTemplate {
        id: JwtTemplateId::from_stored(r.get::<String, _>("id")),
        version: r.get("version"),
        name: r.get("name"),
        claims,
        lifetime: r.get("lifetime"),
        allowed_clock_skew: r.get("allowed_clock_skew"),
        signing,
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    })
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    page: &Page,
) -> StoreResult<(Vec<JwtTemplate>, i64)> {
    let from_where = |qb: &mut QueryBuilder<Db>| {
        qb.push(" FROM jwt_templates WHERE instance_id = ")
            .push_bind(instance_id.to_owned());
    };
    paged(
        pool,
        COLUMNS,
        from_where,
        " ORDER BY created_at DESC, id DESC",
        page,
        template,
    )
    .await
}

/// The query of one template, found by `column`.
macro_rules! template_where {
    ($column:literal) => {
        concat!(
            "SELECT id, version, name, claims, lifetime, allowed_clock_skew, signing_algorithm, ",
            "sealed_key, created_at, updated_at FROM jwt_templates WHERE instance_id = $1 AND ",
            $column,
            " = $2"
        )
    };
}

pub async fn by_id(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<JwtTemplate>> {
    fetch_by_key(pool, template_where!("id"), instance_id, id, template).await
}

pub async fn by_name(
    pool: &Pool<Db>,
    instance_id: &str,
    name: &str,
) -> StoreResult<Option<JwtTemplate>> {
    fetch_by_key(pool, template_where!("name"), instance_id, name, template).await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, t: &JwtTemplate) -> StoreResult<()> {
    let claims = serde_json::Value::Object(t.claims.clone()).to_string();
    let algorithm = t.signing.as_ref().map(|s| s.algorithm.as_str().to_owned());
    let sealed = t.signing.as_ref().map(|s| s.sealed_key.0.clone());
    let insert = text(
        "INSERT INTO jwt_templates (id, instance_id, version, name, claims, lifetime, \
         allowed_clock_skew, signing_algorithm, sealed_key, created_at, updated_at) \
         VALUES ($1, $2, 0, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[t.id.as_str(), instance_id, &t.name, &claims],
    )
    .bind(t.lifetime)
    .bind(t.allowed_clock_skew)
    .bind(algorithm)
    .bind(sealed)
    .bind(t.created_at)
    .bind(t.updated_at);
    execute_unique(insert, &mut **tx, StoreError::NameTaken).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, t: &JwtTemplate) -> StoreResult<()> {
    let claims = serde_json::Value::Object(t.claims.clone()).to_string();
    let algorithm = t.signing.as_ref().map(|s| s.algorithm.as_str().to_owned());
    let sealed = t.signing.as_ref().map(|s| s.sealed_key.0.clone());
    let update = text(
        "UPDATE jwt_templates SET version = version + 1, name = $1, claims = $2, lifetime = $3, \
         allowed_clock_skew = $4, signing_algorithm = $5, sealed_key = $6, updated_at = $7 \
         WHERE id = $8 AND instance_id = $9 AND version = $10",
        &[&t.name, &claims],
    )
    .bind(t.lifetime)
    .bind(t.allowed_clock_skew)
    .bind(algorithm)
    .bind(sealed)
    .bind(t.updated_at)
    .bind(t.id.as_str().to_owned())
    .bind(instance_id.to_owned())
    .bind(t.version);
    exactly_one(execute_unique(update, &mut **tx, StoreError::NameTaken).await?)
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM jwt_templates WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}
