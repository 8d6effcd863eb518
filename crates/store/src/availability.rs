//! Which driver failures mean the database is unreachable for now (`StoreError::Unavailable`)
//! rather than that a query or a record is at fault (`StoreError::Backend`).

use usher_core::store::StoreError;

/// PostgreSQL's SQLSTATEs for a connection lost or refused, a server shutting down or starting,
/// and no connection slot free: class 08, 57P01–57P03, 53300.
fn unavailable_state(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| unavailable_state(&c)),
        _ => false,
    }
}

/// A query's failure, classified; the store method names its operation with `during`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::unavailable(StoreError::QUERY, e)
    } else {
        StoreError::backend(StoreError::QUERY, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_unavailable_and_others_are_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionRefused
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(unavailable_state("08006") && unavailable_state("57P01"));
        assert!(!unavailable_state("23505"));
        assert!(db_err(sqlx::Error::PoolClosed).is_unavailable());
        assert!(!db_err(sqlx::Error::RowNotFound).is_unavailable());
    }
}
