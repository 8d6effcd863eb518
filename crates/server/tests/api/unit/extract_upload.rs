//! Unit tests of `extract/upload.rs`.

use usher_server::extract::upload::*;

#[test]
fn decodes_bare_and_data_url_base64() {
    assert_eq!(decode_base64(b"aGk=").unwrap(), b"hi");
    assert_eq!(
        decode_base64(b"data:image/png;base64,aG\nk=").unwrap(),
        b"hi"
    );
    assert!(decode_base64(b"not base64!").is_err());
}
