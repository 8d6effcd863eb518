//! Unit tests of `extract/multipart.rs`.

use usher_server::extract::multipart::*;

#[test]
fn reads_the_boundary_of_form_data_only() {
    assert_eq!(
        boundary("multipart/form-data; boundary=----abc").as_deref(),
        Some("----abc")
    );
    assert_eq!(
        boundary("Multipart/Form-Data;boundary=\"q r\"").as_deref(),
        Some("q r")
    );
    assert_eq!(boundary("multipart/mixed; boundary=x"), None);
    assert_eq!(boundary("multipart/form-data"), None);
    assert_eq!(boundary("application/json"), None);
}

#[test]
fn reads_a_file_and_a_field_with_binary_data() {
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"uploader_user_id\"\r\n\r\nuser_1\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X\0\xff\r\n--XyZ--\r\n";
    let parts = parse("XyZ", body).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].name, "uploader_user_id");
    assert_eq!(parts[0].file_name, None);
    assert_eq!(parts[0].data, b"user_1");
    assert_eq!(parts[1].name, "file");
    assert_eq!(parts[1].file_name.as_deref(), Some("a.png"));
    assert_eq!(parts[1].data, b"\x89PNG\r\n--X\0\xff");
}

#[test]
fn refuses_truncated_and_headerless_bodies() {
    assert!(parse("b", b"").is_err());
    assert!(
        parse(
            "b",
            b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc"
        )
        .is_err()
    );
    assert!(parse("b", b"--b\r\nContent-Type: image/png\r\n\r\nabc\r\n--b--").is_err());
    assert!(
        parse(
            "b",
            b"--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n--b--"
        )
        .is_ok()
    );
}

#[test]
fn refuses_too_many_parts() {
    let mut body = Vec::new();
    for _ in 0..=MAX_PARTS {
        body.extend_from_slice(b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n");
    }
    body.extend_from_slice(b"--b--\r\n");
    assert!(parse("b", &body).is_err());
}
