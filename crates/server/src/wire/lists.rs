use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TotalCountJson {
    pub object: &'static str,
    pub total_count: i64,
}

impl TotalCountJson {
    pub fn new(total_count: i64) -> Self {
        Self {
            object: "total_count",
            total_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PaginatedJson<T: Serialize> {
    pub data: Vec<T>,
    pub total_count: i64,
}

/// Clerk answers some lists with `{data,total_count}` only when `paginated=true`, else a bare array.
pub fn list_response<T: Serialize>(items: Vec<T>, total: i64, paginated: bool) -> Response {
    if paginated {
        Json(PaginatedJson {
            data: items,
            total_count: total,
        })
        .into_response()
    } else {
        Json(items).into_response()
    }
}
