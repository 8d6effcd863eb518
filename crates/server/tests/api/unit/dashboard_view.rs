//! The dashboard's pager: "of N" with a next page while more are left, and "of more than N"
//! (always a next page) when the count stopped at its bound.

use usher_server::dashboard::view::{Html, PAGE_SIZE, Total, pager};

fn drawn(offset: i64, shown: usize, total: impl Into<Total>) -> String {
    let mut h = Html::new();
    pager(&mut h, offset, shown, total, |o| {
        format!("/list?offset={o}")
    });
    h.into_string()
}

#[test]
fn an_exact_total_ends_the_pages_where_the_items_end() {
    let first = drawn(0, 20, 45);
    assert!(first.contains("1–20 of 45"), "{first}");
    assert!(first.contains("/list?offset=20"), "{first}");
    assert!(!first.contains("rel=\"prev\""), "{first}");
    let last = drawn(40, 5, 45);
    assert!(last.contains("41–45 of 45"), "{last}");
    assert!(!last.contains("rel=\"next\""), "{last}");
    assert!(
        last.contains(&format!("/list?offset={}", 40 - PAGE_SIZE)),
        "{last}"
    );
}

#[test]
fn a_bounded_total_says_more_than_and_keeps_a_next_page() {
    assert_eq!(Total::bounded(1_001, 1_000), Total::MoreThan(1_000));
    assert_eq!(Total::bounded(1_000, 1_000), Total::Exact(1_000));
    assert_eq!(Total::bounded(7, 1_000), Total::Exact(7));
    let page = drawn(0, 20, Total::bounded(1_001, 1_000));
    assert!(page.contains("1–20 of more than 1000"), "{page}");
    assert!(page.contains("rel=\"next\""), "{page}");
}
