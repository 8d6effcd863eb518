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

/// A page of a list as Clerk answers most of them: `{data,total_count}`.
pub fn paginated<T: Serialize>(data: Vec<T>, total_count: i64) -> Response {
    Json(PaginatedJson { data, total_count }).into_response()
}

/// Clerk answers some lists with `{data,total_count}` only when `paginated=true`, else a bare array.
pub fn list_response<T: Serialize>(items: Vec<T>, total: i64, is_paginated: bool) -> Response {
    if is_paginated {
        paginated(items, total)
    } else {
        Json(items).into_response()
    }
}
